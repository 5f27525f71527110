"""The Oxigraph engine (shapes compiled to SPARQL) against pySHACL, the reference.

Same results - severity, focus node, path, value, rule and message - on every
shape test case, the seed graph and synthetic graphs with injected violations;
scoped validation finds every violation an added graph brings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef

from kg.namespace import GRAPH
from kg.shacl_sparql import Unsupported, compile_shapes
from kg.synth import synthesize_with_truth
from kg.validate import ShapesError, load_shapes, scope, validate

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "tests" / "shapes").glob("*/*.ttl"))


def _rows(report) -> list[tuple]:
    return [(r.severity, r.focus, r.path, r.value, r.shape, r.message) for r in report.results]


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def test_the_project_shapes_compile(shapes):
    plan = compile_shapes(shapes)
    names = {str(s.node).rsplit("#", 1)[-1] for s in plan.shapes}
    assert {"Sanction_Shape", "Retaliation_order", "TargetCount_notBelowNamed", "Evidence_quoteInText"} <= names
    # what scoped validation must follow: kg:respondsTo (dates of the answered act), kg:target (its type)
    assert {"https://w3id.org/sanctions-kg/ontology#respondsTo",
            "https://w3id.org/sanctions-kg/ontology#target"} <= set(plan.lookthrough)
    # ... and what they read there: the answered act's dates, the target's type
    assert "https://w3id.org/sanctions-kg/ontology#earliestDate" in plan.lookthrough[
        "https://w3id.org/sanctions-kg/ontology#respondsTo"]
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" in plan.lookthrough[
        "https://w3id.org/sanctions-kg/ontology#target"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_same_results_as_pyshacl_on_every_shape_case(case, ontology, shapes):
    data = Graph()
    data += ontology
    data.parse(case)
    ours = validate(data, shapes, engine="oxigraph")
    reference = validate(data, shapes, engine="pyshacl")
    assert _rows(ours) == _rows(reference)
    assert ours.conforms == reference.conforms == (case.parent.name == "valid")


def test_same_results_as_pyshacl_on_the_seed_graph(dataset, shapes):
    ours = validate(dataset, shapes, engine="oxigraph")
    assert ours.conforms, ours.format()
    assert _rows(ours) == _rows(validate(dataset, shapes, engine="pyshacl"))


@pytest.mark.slow
def test_same_results_as_pyshacl_on_a_synthetic_graph_with_violations(shapes):
    ds, truth = synthesize_with_truth(4000, seed=11, violations=3)
    ours = validate(ds, shapes, engine="oxigraph")
    reference = validate(ds, shapes, engine="pyshacl")
    assert _rows(ours) == _rows(reference)
    assert len(ours.violations) == sum(len(nodes) for nodes in truth.values()) == 12


def test_a_feature_it_does_not_compile_is_named_and_auto_falls_back(ontology, shapes):
    odd = Graph()
    odd += shapes
    odd.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
        <urn:test:LabelPattern> a sh:NodeShape ; sh:targetClass kg:Actor ;
            sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#label> ; sh:pattern "^[A-Z]" ] .
    """, format="turtle")
    with pytest.raises(Unsupported, match="sh:pattern"):
        compile_shapes(odd)
    data = Graph()
    data += ontology
    data.parse(ROOT / "tests" / "shapes" / "invalid" / "actor-without-label.ttl")
    with pytest.raises(ShapesError, match="sh:pattern"):
        validate(data, odd, engine="oxigraph")
    assert _rows(validate(data, odd, engine="auto")) == _rows(validate(data, odd, engine="pyshacl"))


def test_a_literal_of_the_wrong_form_for_its_datatype_is_a_violation(ontology, shapes):
    # "2021-13-45"^^xsd:date is ill-typed: pySHACL reports it, and so must the SPARQL cast check.
    data = Graph()
    data += ontology
    data.parse(ROOT / "tests" / "shapes" / "valid" / sorted(p.name for p in (ROOT / "tests/shapes/valid").glob("*.ttl"))[0])
    data.parse(data="""
        @prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://w3id.org/sanctions-kg/id/act/odd> kg:date "2021-13-45"^^xsd:date .
    """, format="turtle")
    ours = validate(data, shapes, engine="oxigraph")
    assert ("kgsh:Event_date", "act:odd") in {(r.shape, r.focus) for r in ours.violations}
    assert _rows(ours) == _rows(validate(data, shapes, engine="pyshacl"))


# ------------------------------------------------------------------ scoped


def _oxigraph(ds: Dataset, skip: str | None = None) -> Dataset:
    """The dataset in an in-memory Oxigraph store (through oxrdflib), without graph ``skip``."""
    import pyoxigraph
    from oxrdflib import OxigraphStore

    store = pyoxigraph.Store()
    copy = Dataset()
    for graph in ds.graphs():
        if str(graph.identifier) != skip:
            for s, p, o in graph:
                copy.add((s, p, o, graph.identifier))
    store.bulk_load(copy.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return Dataset(store=OxigraphStore(store=store), default_union=True)


@pytest.fixture(scope="module")
def injected():
    return synthesize_with_truth(6000, seed=12, violations=3)


def _article_graphs(ds: Dataset) -> list[str]:
    prefix = str(GRAPH) + "article/"
    return sorted(str(g.identifier) for g in ds.graphs() if str(g.identifier).startswith(prefix))


def test_scoped_validation_finds_every_violation_an_added_article_brings(injected, shapes):
    ds, _ = injected
    graphs = _article_graphs(ds)
    assert len(graphs) > 10
    checked = 0
    for graph in graphs:
        with_it = _oxigraph(ds)
        full = set(_rows(validate(with_it, shapes)))
        before = set(_rows(validate(_oxigraph(ds, skip=graph), shapes)))
        focus = scope(with_it, [graph], shapes)
        assert focus is not None
        scoped = set(_rows(validate(with_it, shapes, focus=focus)))
        # every violation the article brings is found; nothing is found that full validation does not find
        assert full - before <= scoped <= full, graph
        checked += bool(full - before)
        if checked >= 3:
            break
    assert checked >= 3  # the injected violations sit in at least three articles


def test_scope_is_the_article_not_the_graph(injected, shapes):
    ds, _ = injected
    store = _oxigraph(ds)
    graph = _article_graphs(ds)[0]
    subjects = {s for s in ds.graph(URIRef(graph)).subjects() if isinstance(s, URIRef)}
    focus = scope(store, [graph], shapes)
    everything = {s for s in ds.subjects() if isinstance(s, URIRef)}
    assert subjects <= focus
    assert len(focus) < len(everything) / 5


def test_scoped_sparql_constraints_bind_this_like_the_full_run(injected, shapes):
    # Over every subject, the per-node substitution ($this pre-bound) gives the full run's results.
    ds, _ = injected
    store = _oxigraph(ds)
    every = {s for s in ds.subjects() if isinstance(s, URIRef)}
    assert _rows(validate(store, shapes, focus=every)) == _rows(validate(store, shapes))


def test_a_graph_that_adds_a_subclass_axiom_scopes_to_everything(shapes):
    import pyoxigraph

    ds = Dataset()
    ds.parse(data="""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <urn:g:1> { <urn:x:A> rdfs:subClassOf <https://w3id.org/sanctions-kg/ontology#Actor> . }
    """, format="trig")
    store = _oxigraph(ds)
    assert scope(store, ["urn:g:1"], shapes) is None
    with pytest.raises(Exception, match="no such named graph"):
        scope(store, ["urn:g:absent"], shapes)
    assert pyoxigraph  # imported: the store is Oxigraph's
