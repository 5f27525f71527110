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
