"""The W3C SHACL test suite (core and SPARQL, 120 tests): our compiled engine beside pySHACL.

    python benchmarks/w3c_shacl.py          # counts per engine, then every test that is not passed

The suite comes from pySHACL's sdist on PyPI (see tests/w3c_shacl.py), cached under
~/.cache/sanctions-kg. "refused" is a test the suite says a processor must refuse, refused;
"unsupported" a test whose shapes use a feature our compiler does not compile (``--engine
auto`` then runs pySHACL). Both engines' reports are read and compared the same way.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    logging.disable(logging.WARNING)
    spec = importlib.util.spec_from_file_location("w3c_shacl", ROOT / "tests" / "w3c_shacl.py")
    suite = importlib.util.module_from_spec(spec)
    sys.modules["w3c_shacl"] = suite
    spec.loader.exec_module(suite)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sanctions-kg"
    root = suite.fetch_suite(cache)
    suite.check_structure(root)
    cases = suite.read_suite(root)
    lines = []
    for engine, run in (("ours (compiled, Oxigraph)", suite.run_ours), ("pySHACL", suite.run_pyshacl)):
        outcomes = {c.name: run(c) for c in cases}
        tally = Counter(o.status for o in outcomes.values())
        print(f"{engine:26} {len(cases)} tests: passed {tally['passed']}, refused as required {tally['refused']}, "
              f"unsupported {tally['unsupported']}, failed {tally['failed']}")
        lines += [f"  {engine}: {o.status:11} {name}  {o.detail[:150]}" for name, o in sorted(outcomes.items())
                  if o.status != "passed"]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
