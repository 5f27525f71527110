"""Generate docs/ontology.html, the ontology's documentation page, from ontology/sanctions.ttl with pyLODE.

    pip install -e '.[docs]'
    python docs/generate.py           # write docs/ontology.html
    python docs/generate.py --check   # exit 1 if docs/ontology.html is not what the ontology gives now

pyLODE 3.2.1 (the ``docs`` extra; 3.4.1 fails to import) renders the OWL vocabulary with its OntPub
profile: classes, properties, their definitions, domains and ranges, one self-contained page. It
orders some sets (the members of an owl:intersectionOf) by hash, so it runs with PYTHONHASHSEED=0
and the page comes out byte for byte the same; ``--check`` compares the lines regardless of their
order all the same, so that another platform's set order cannot fail it.

The SKOS concept schemes (ontology/schemes.ttl) are not rendered: pyLODE's VocPub profile takes one
scheme per file and lists none of the concepts of ours.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "ontology" / "sanctions.ttl"
PAGE = ROOT / "docs" / "ontology.html"


def render(source: Path = SOURCE) -> bytes:
    """The pyLODE page of ``source``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ontology.html"
        proc = subprocess.run([sys.executable, "-m", "pylode", str(source), "-o", str(out)],
                              env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            raise SystemExit(f"pyLODE failed on {source}:\n{proc.stderr[-2000:]}")
        return out.read_bytes()


def same_page(a: bytes, b: bytes) -> bool:
    """Whether two renderings hold the same lines, in whatever order."""
    return Counter(a.decode("utf-8").splitlines()) == Counter(b.decode("utf-8").splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/ontology.html is current")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        if PAGE.exists() and same_page(PAGE.read_bytes(), page):
            print(f"{PAGE.relative_to(ROOT)} is current")
            return 0
        print(f"{PAGE.relative_to(ROOT)} is not what {SOURCE.relative_to(ROOT)} gives: run python docs/generate.py",
              file=sys.stderr)
        return 1
    PAGE.write_bytes(page)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
