"""Textual mutation testing of the rules: the shapes (ontology/shapes/*.ttl) and the quality queries.

    python dev/mutate_rules.py            # every mutant; prints the survivors
    python dev/mutate_rules.py --quick    # against the shape and quality cases only (no seed graph)

Each mutant changes one operator or number in the text of a rule (a comparison, a boolean
operator, NOT EXISTS, a count) and is run, in process with the compiled engine, against what must
hold: every valid shape case conforms, every invalid one reports exactly the rules it names, every
rule broken on the seed graph (kg.breakage) is reported on that node alone, and the quality
queries' valid and invalid cases (tests/quality). A mutant that changes none of these survives.
(mutmut covers the Python side; .ttl and .rq files are not Python.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: (name, pattern, replacement): each match of the pattern is one mutant
OPERATORS = [
    ("< to <=", r"(?<=\s)<(?=\s)", "<="),
    ("<= to <", r"<=", "<"),
    ("> to >=", r"(?<=\s)>(?=\s)", ">="),
    (">= to >", r">=", ">"),
    ("|| to &&", r"\|\|", "&&"),
    ("&& to ||", r"&&", "||"),
    ("NOT EXISTS to EXISTS", r"NOT EXISTS", "EXISTS"),
    ("drop !", r"!(?=[A-Za-z(])", ""),
    ("minCount 1 to 0", r"sh:minCount 1\b", "sh:minCount 0"),
    ("maxCount 1 to 2", r"sh:maxCount 1\b", "sh:maxCount 2"),
    ("minInclusive 0 to 1", r"sh:minInclusive 0\b", "sh:minInclusive 1"),
    ("STR() dropped", r"STR\((\?\w+)\)", r"\1"),
    ("LCASE both sides", r"CONTAINS\(STR\(\?text\), STR\(\?value\)\)", "CONTAINS(LCASE(STR(?text)), LCASE(STR(?value)))"),
]


def mutants(text: str):
    for name, pattern, replacement in OPERATORS:
        for m in re.finditer(pattern, text):
            line = text.count("\n", 0, m.start()) + 1
            yield name, line, text[:m.start()] + m.expand(replacement) + text[m.end():]


def _checks(quick: bool = False):
    """What must hold, as one function of the shapes text and the quality query texts."""
    from rdflib import Dataset, Graph

    from kg.breakage import BREAKERS, break_rule, candidates
    from kg.build import build
    from kg.namespace import PREFIXES
    from kg.validate import validate

    ontology = Graph()
    for name in ("sanctions.ttl", "schemes.ttl"):
        ontology.parse(ROOT / "ontology" / name)
    cases = []
    for path in sorted((ROOT / "tests" / "shapes").glob("*/*.ttl")):
        data = Graph()
        data += ontology
        data.parse(path)
        names = {"kgsh:" + n.removeprefix("kgsh:") for line in re.findall(r"^# expect: (.+)$", path.read_text(), re.M)
                 for n in line.split()}
        cases.append((path.stem, data, names))
    seed = build()
    broken = []
    for rule in [] if quick else sorted(BREAKERS):
        ds = Dataset(default_union=True)
        for s, p, o, g in seed.quads((None, None, None, None)):
            ds.add((s, p, o, getattr(g, "identifier", g)))
        nodes = candidates(ds, rule)
        node = nodes[len(nodes) // 2]
        break_rule(ds, rule, node)
        broken.append((rule, node, ds))

    def full(short):
        if short.startswith("<"):
            return short[1:-1]
        prefix, _, local = short.partition(":")
        return PREFIXES.get(prefix, prefix + ":") + local

    def shapes_hold(shapes_text: str) -> str | None:
        shapes = Graph().parse(data=shapes_text, format="turtle")
        for name, data, expected in cases:
            got = {r.shape for r in validate(data, shapes, engine="oxigraph").violations}
            if got != expected:
                return f"shape case {name}: {sorted(got ^ expected)}"
        for rule, node, ds in broken:
            got = {(r.shape, full(r.focus)) for r in validate(ds, shapes, engine="oxigraph").results}
            if got != {(f"kgsh:{rule}", str(node))}:
                return f"{rule} broken on the seed graph"
        return None

    def query_holds(name: str, text: str) -> str | None:
        for kind, want_rows in (("valid", False), ("invalid", True)):
            ds = Dataset(default_union=True)
            ds.parse(ROOT / "tests" / "quality" / kind / f"{name.removesuffix('-violation')}.trig", format="trig")
            if bool(list(ds.query(text))) != want_rows:
                return f"{name}: {kind} case"
        return None

    return shapes_hold, query_holds


def main() -> int:
    import logging

    logging.disable(logging.WARNING)
    shapes_hold, query_holds = _checks(quick="--quick" in sys.argv)
    survivors, total = [], 0
    files = [(p, "shapes") for p in sorted((ROOT / "ontology" / "shapes").glob("*.ttl"))]
    files += [(p, "query") for p in sorted((ROOT / "queries").glob("*-violation.rq"))]
    for path, kind in files:
        text = path.read_text(encoding="utf-8")
        assert (shapes_hold(text) if kind == "shapes" else query_holds(path.stem, text)) is None, path
        for name, line, mutated in mutants(text):
            total += 1
            try:
                reason = shapes_hold(mutated) if kind == "shapes" else query_holds(path.stem, mutated)
            except Exception as exc:  # noqa: BLE001 - a mutant that breaks the syntax is killed
                reason = f"error: {type(exc).__name__}"
            status = "killed" if reason else "SURVIVED"
            print(f"{status:8} {path.relative_to(ROOT)}:{line}  {name}  {reason or ''}", flush=True)
            if not reason:
                survivors.append((path.relative_to(ROOT), line, name))
    print(f"\n{total - len(survivors)} of {total} mutants killed; survivors:")
    for path, line, name in survivors:
        print(f"  {path}:{line}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
