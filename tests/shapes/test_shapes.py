"""Data-driven shape tests, as in pySHACL's own suite.

Each case is a self-contained Turtle graph, validated together with
``ontology/sanctions.ttl`` and ``ontology/schemes.ttl`` the way
``kg/validate.py`` runs pySHACL (advanced, no inference, warnings allowed).
Every ``valid/*.ttl`` must conform. Every ``invalid/*.ttl`` must fail with
exactly the rules its ``# expect: kgsh:Rule ...`` header names: the set of
``sh:sourceShape`` of its Violation results, no fewer, no more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
KGSH = Namespace("https://w3id.org/sanctions-kg/shapes#")
KG = Namespace("https://w3id.org/sanctions-kg/ontology#")
VALID = sorted((HERE / "valid").glob("*.ttl"))
INVALID = sorted((HERE / "invalid").glob("*.ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology" / "shapes").glob("*.ttl")):
        g.parse(path)
    return g


def _data(ontology: Graph, case: Path) -> Graph:
    g = Graph()
    g += ontology
    g.parse(case)
    return g


def _validate(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    conforms, results, text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    return conforms, results, text


def _violated(results: Graph) -> set[URIRef]:
    """The rules of the report's Violation results (not the nested sh:detail ones)."""
    return {
        results.value(r, SH.sourceShape)
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for r in results.objects(report, SH.result)
        if results.value(r, SH.resultSeverity) == SH.Violation
    }


def _expected(case: Path) -> set[URIRef]:
    lines = re.findall(r"^# expect: (.+)$", case.read_text(encoding="utf-8"), re.M)
    assert lines, f"{case.name} names no expected violation (# expect: kgsh:Rule)"
    names = [name for line in lines for name in line.split()]
    assert all(n.startswith("kgsh:") for n in names), names
    return {KGSH[n.removeprefix("kgsh:")] for n in names}


def _rules(shapes: Graph) -> set[URIRef]:
    """Shapes that report under their own name (kg.breakage.rule_shapes)."""
    from kg.breakage import rule_shapes

    return rule_shapes(shapes)


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case, shapes, ontology):
    conforms, _, text = _validate(_data(ontology, case), shapes)
    assert conforms, text


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_fails_with_exactly_the_named_violations(case, shapes, ontology):
    expected = _expected(case)
    assert expected <= _rules(shapes), f"not a rule: {sorted(expected - _rules(shapes))}"
    conforms, results, text = _validate(_data(ontology, case), shapes)
    assert not conforms
    assert _violated(results) == expected, text


def test_every_rule_has_an_invalid_case(shapes):
    covered = set().union(*(_expected(case) for case in INVALID))
    assert sorted(_rules(shapes) - covered) == []


def test_valid_cases_cover_the_required_situations():
    required = {
        "counter-sanction-chain", "post", "sanction-complete", "sanction-date-bounds", "statement-unstated-speaker",
    }
    assert required <= {p.stem for p in VALID}


def test_shapes_are_named_with_name_message_and_severity(shapes):
    shape_nodes = (
        set(shapes.subjects(RDF.type, SH.NodeShape))
        | set(shapes.subjects(RDF.type, SH.PropertyShape))
        | set(shapes.objects(None, SH.property))
        | set(shapes.objects(None, SH.node))
        | set(shapes.objects(None, SH.sparql))
        | {m for lst in shapes.objects(None, SH["or"]) for m in Collection(shapes, lst)}
    )
    blank = [s for s in shape_nodes if isinstance(s, BNode)]
    assert blank == [], "blank-node shapes"
    for shape in shape_nodes:
        assert str(shape).startswith(str(KGSH)), shape
        for prop in (SH.name, SH.message, SH.severity):
            assert shapes.value(shape, prop) is not None, f"{shape} has no {prop}"


def test_sparql_rules_are_their_own_constraint(shapes):
    """sh:sourceShape and sh:sourceConstraint then name the same rule, whichever a tool reports."""
    for shape, constraint in shapes.subject_objects(SH.sparql):
        assert shape == constraint, shape
        assert shapes.value(shape, SH.prefixes) is not None, shape


def test_datatype_guard_is_load_bearing(shapes, ontology):
    """Without the datatype() checks, rdflib would report a retaliation that is in order.

    rdflib does not fail a comparison of an xsd:date with another literal (SPARQL says
    type error, so FILTER false); it answers. The guard is what keeps the trap cases
    reporting only the datatype rule.
    """
    guarded = str(shapes.value(KGSH.Retaliation_order, SH.select))
    unguarded = guarded.replace("datatype(?after) = xsd:date && datatype(?before) = xsd:date && ", "")
    assert unguarded != guarded
    fired = []
    for name in ("retaliation-date-is-plain-string", "retaliation-answers-plain-string-date"):
        data = _data(ontology, HERE / "invalid" / f"{name}.ttl")
        ns = {"kg": KG, "xsd": XSD}
        assert not list(data.query(guarded, initNs=ns)), name
        if list(data.query(unguarded, initNs=ns)):
            fired.append(name)
    assert fired, "rdflib now fails mixed date comparisons; the guard is no longer load-bearing"


def test_project_validator_names_the_same_rules(ontology):
    """kg.validate reports SPARQL rules by sh:sourceConstraint: the same IRIs as sh:sourceShape here."""
    from kg.validate import load_shapes, validate

    project_shapes = load_shapes(ROOT / "ontology" / "shapes")
    sparql_rules = set(project_shapes.subjects(SH.sparql, None))
    for case in INVALID:
        expected = _expected(case)
        if not expected & sparql_rules:
            continue
        report = validate(_data(ontology, case), project_shapes)
        named = {URIRef(r.shape.replace("kgsh:", str(KGSH))) for r in report.violations}
        assert named == expected, (case.name, report.format())


@pytest.mark.parametrize("case", VALID + INVALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_evidence_of_a_case_is_of_one_kind(case):
    """Evidence typed only kg:Evidence reports kgsh:Evidence_kind and escapes the quote rules; a case testing
    another rule with such evidence tests nothing (quote-in-other-case.ttl reported nothing for that reason).
    Only the cases of kgsh:Evidence_kind itself may hold evidence of no kind."""
    g = Graph().parse(case)
    evidence = set(g.subjects(RDF.type, KG.Evidence)) | set(g.objects(None, KG.evidence))
    kinds = (KG.QuoteEvidence, KG.RecordEvidence)
    loose = {ev for ev in evidence if not any((ev, RDF.type, kind) in g for kind in kinds)}
    if case not in INVALID or KGSH.Evidence_kind not in _expected(case):
        assert not loose, sorted(loose)
