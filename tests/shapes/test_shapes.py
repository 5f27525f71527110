"""Data-driven shape tests, as in pySHACL's own suite.

Every ``valid/*.ttl`` (added to ``base.ttl``) must conform; every
``invalid/*.ttl`` must fail with exactly the shapes its ``# expect:`` line
names - no fewer, no more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg.validate import load_shapes, validate

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
KGSH = "https://w3id.org/sanctions-kg/shapes#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(ROOT / "ontology" / "shapes")


def _graph(case: Path) -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")) + [HERE / "base.ttl", case]:
        g.parse(path)
    return g


def _expected(case: Path) -> set[str]:
    found = re.findall(r"^# expect: (.+)$", case.read_text(encoding="utf-8"), re.M)
    assert found, f"{case.name} names no expected violation"
    return {KGSH + name.removeprefix("kgsh:") for line in found for name in line.split()}


def _violated_shapes(report) -> set[str]:
    return {r.shape.replace("kgsh:", KGSH) for r in report.violations}


def test_base_conforms(shapes):
    report = validate(_graph(HERE / "base.ttl"), shapes)
    assert report.conforms, report.format()


@pytest.mark.parametrize("case", sorted((HERE / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_case_conforms(case, shapes):
    report = validate(_graph(case), shapes)
    assert report.conforms, report.format()


@pytest.mark.parametrize("case", sorted((HERE / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_invalid_case_fails_with_named_violation(case, shapes):
    report = validate(_graph(case), shapes)
    assert not report.conforms
    assert _violated_shapes(report) == _expected(case), report.format()


def test_every_rule_has_an_invalid_case(shapes):
    """Each shape that can report a violation is exercised by some invalid case."""
    from rdflib.namespace import SH

    rules = {
        str(s) for s in set(shapes.subjects(SH.path, None)) | set(shapes.subjects(SH.select, None))
        if str(s).startswith(KGSH)
    }
    # Shapes used only inside sh:or / sh:node report through their parent shape.
    helpers = {KGSH + n for n in (
        "Sanction_hasDay", "Sanction_hasEarliestDate", "Sanction_hasLatestDate",
        "MeasureConcept_inScheme", "GroundConcept_inScheme", "StanceConcept_inScheme",
    )}
    covered = set().union(*(_expected(c) for c in (HERE / "invalid").glob("*.ttl")))
    assert sorted(rules - helpers - covered) == []


def test_report_names_node_property_rule_and_message(shapes):
    report = validate(_graph(HERE / "invalid" / "sanction-without-imposer.ttl"), shapes)
    (result,) = report.violations
    assert result.focus.endswith("act/s") or result.focus == "act:s"
    assert result.path in ("kg:imposedBy", "https://w3id.org/sanctions-kg/ontology#imposedBy")
    assert "imposedBy" in result.message
    text = report.format()
    for part in ("focus node:", "property:", "rule:", "Sanction_imposedBy"):
        assert part in text
