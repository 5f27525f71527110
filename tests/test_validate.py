"""`validate` runs the shapes on the union of the graphs and reports where each violation came from."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace

from kg.build import build
from kg.io import KgInputError
from kg.namespace import ACT, KG, article_graph
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SANCTION = ACT["ca-2021-03-sanction"]


@pytest.fixture(scope="module")
def broken():
    """The real data with the imposer of Canada's March 2021 sanctions taken out of its article's graph."""
    ds = build(ROOT / "data", ROOT / "ontology")
    ds.graph(article_graph("xinjiang-round-2021")).remove((SANCTION, KG.imposedBy, None))
    return validate(ds)


def _imposer_results(report):
    return [r for r in report.results if r.focus == "act:ca-2021-03-sanction" and r.path == "kg:imposedBy"]


def test_missing_imposer_is_a_violation_of_a_named_shape(broken):
    assert not broken.conforms
    (result,) = _imposer_results(broken)
    assert result.severity == "Violation"
    assert result.shape and not result.shape.startswith("_:")  # shapes are named, not blank nodes
    assert result.message and result.message != "(no message)"


def test_violation_names_the_files_where_the_focus_node_is_described(broken):
    (result,) = _imposer_results(broken)
    assert "facts/xinjiang-round-2021.ttl" in result.files
    assert "facts/canada-eight-officials-2024.ttl" not in result.files


def test_report_text_has_one_block_per_result(broken):
    text = broken.format()
    blocks = text.split("\n\n")[1:]
    assert len(blocks) == len(broken.results)
    (block,) = [b for b in blocks if "focus node: act:ca-2021-03-sanction" in b and "kg:imposedBy" in b]
    for label in ("property:", "rule:", "from:"):
        assert label in block
    assert "facts/xinjiang-round-2021.ttl" in block


EX = Namespace("urn:ex#")


def _lonely_sanction() -> Graph:
    g = Graph()
    g.add((EX.s, RDF.type, KG.Sanction))
    g.add((EX.s, KG.personTargetCount, Literal(1)))
    return g


def test_shapes_may_be_given_as_a_folder():
    report = validate(_lonely_sanction(), ROOT / "ontology" / "shapes")
    assert not report.conforms
    assert any(r.focus == "<urn:ex#s>" and r.path == "kg:imposedBy" for r in report.violations)


def test_an_empty_shapes_folder_is_an_input_error(tmp_path):
    with pytest.raises(KgInputError, match="no shapes"):
        validate(_lonely_sanction(), tmp_path)


def test_extra_graphs_do_not_change_the_callers_graph():
    data = _lonely_sanction()
    ontology = Graph().parse(ROOT / "ontology" / "sanctions.ttl")
    validate(data, extra=[ontology])
    assert len(data) == 2


# --- the standard report (kg validate --format turtle) ---------------------------------------------------------

_RESULT_KEYS = ("focusNode", "resultPath", "value", "sourceShape", "sourceConstraintComponent", "resultSeverity")


def _standard_results(g: Graph) -> set[tuple]:
    """Each top-level sh:result of a sh:ValidationReport as a tuple of _RESULT_KEYS (nested sh:detail left out)."""
    from rdflib.namespace import SH

    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    return {tuple(g.value(r, SH[key]) for key in _RESULT_KEYS) for r in g.objects(report, SH.result)}


INVALID = sorted((ROOT / "tests" / "shapes" / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_turtle_report_says_what_pyshacl_report_says(case, ontology):
    """Our report, written as Turtle and read back by rdflib, holds the results (focus node, path, value, source
    shape, constraint component, severity) of pySHACL's own report, from either engine."""
    import pyshacl
    from rdflib.namespace import SH

    from kg.validate import load_shapes

    data = Graph() + ontology
    data.parse(case)
    shapes = load_shapes()
    _, expected, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)
    for engine in ("oxigraph", "pyshacl"):
        text = validate(data, shapes, engine=engine).graph().serialize(format="turtle")
        ours = Graph().parse(data=text, format="turtle")
        (report,) = ours.subjects(RDF.type, SH.ValidationReport)
        assert ours.value(report, SH.conforms) == Literal(False)
        assert _standard_results(ours) == _standard_results(expected), engine
        for result in ours.objects(report, SH.result):
            assert ours.value(result, SH.resultMessage), engine  # every result says what is wrong


def test_report_of_a_conforming_graph_is_a_standard_report(dataset):
    from rdflib.namespace import SH

    from kg.validate import check_report

    g = Graph().parse(data=check_report(dataset).graph().serialize(format="turtle"), format="turtle")
    (report,) = g.subjects(RDF.type, SH.ValidationReport)
    assert g.value(report, SH.conforms) == Literal(True) and not list(g.objects(report, SH.result))


def test_quality_query_rows_are_results_of_the_report():
    """A failed quality query (*-violation.rq) is part of the standard report: its first value is the focus node and
    the query is the source of a SPARQL constraint."""
    from rdflib import Dataset
    from rdflib.namespace import SH

    from kg.namespace import QUERY
    from kg.validate import check_report

    broken = Dataset(default_union=True)
    # the curation graph asserts act:a kg:respondsTo act:b, which no curation note accounts for
    broken.parse(ROOT / "tests" / "quality" / "invalid" / "curated-triple-without-note.trig", format="trig")
    report = check_report(broken)
    assert not report.conforms and report.violations
    rows = {(r[0], r[3], r[4]) for r in _standard_results(report.graph())}
    assert (ACT["a"], QUERY["curated-triple-without-note-violation"], SH.SPARQLConstraintComponent) in rows
