"""Data-driven cases for the quality queries (``queries/*-violation.rq``), as for the shapes.

Some rules need the named graphs (what an article's graph states against what the
curation graph reads), which SHACL on the union of the graphs cannot see; they are
quality queries, and their cases are TriG. Each ``valid/*.trig`` must pass every
quality query; each ``invalid/*.trig`` must fail exactly the queries its
``# expect: query:NAME ...`` header names. The ontology is added as its own named
graph, as ``kg build`` does. Every case runs in rdflib and in Oxigraph, the two
engines ``kg build`` and ``kg validate`` use.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset

from kg.namespace import ONTOLOGY_GRAPH
from kg.query import load_catalogue, run_query

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
VALID = sorted((HERE / "valid").glob("*.trig"))
INVALID = sorted((HERE / "invalid").glob("*.trig"))
CHECKS = {name: q for name, q in load_catalogue(ROOT / "queries").items() if q.is_violation_check}
ENGINES = ("rdflib", "oxigraph")


def _dataset(case: Path, ontology, engine: str) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(case, format="trig")
    graph = ds.graph(ONTOLOGY_GRAPH)
    for triple in ontology:
        graph.add(triple)
    if engine == "rdflib":
        return ds
    import pyoxigraph
    from oxrdflib import OxigraphStore

    store = pyoxigraph.Store()
    store.bulk_load(ds.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return Dataset(store=OxigraphStore(store=store), default_union=True)


def _failing(ds: Dataset) -> set[str]:
    return {name for name, query in CHECKS.items() if list(run_query(ds, query))}


def _expected(case: Path) -> set[str]:
    lines = re.findall(r"^# expect: (.+)$", case.read_text(encoding="utf-8"), re.M)
    assert lines, f"{case.name} names no expected failure (# expect: query:NAME)"
    names = [name for line in lines for name in line.split()]
    assert all(n.startswith("query:") for n in names), names
    return {n.removeprefix("query:") for n in names}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_passes_every_quality_query(case, engine, ontology):
    assert _failing(_dataset(case, ontology, engine)) == set()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_fails_exactly_the_named_queries(case, engine, ontology):
    expected = _expected(case)
    assert expected <= set(CHECKS), f"not a quality query: {sorted(expected - set(CHECKS))}"
    assert _failing(_dataset(case, ontology, engine)) == expected


def test_every_quality_query_has_an_invalid_case():
    covered = set().union(*(_expected(case) for case in INVALID))
    assert sorted(set(CHECKS) - covered) == []


def test_each_way_a_reading_reaches_an_article_graph_has_a_case():
    """reading-in-article-violation has three branches: an interpretation's property,
    a mention's link, a triple also curated. Each is one invalid case."""
    reasons = set()
    for case in INVALID:
        if _expected(case) == {"reading-in-article-violation"}:
            rows = run_query(_dataset(case, Dataset(), "rdflib"), CHECKS["reading-in-article-violation"])
            reasons |= {str(row.why) for row in rows}
    assert len(reasons) == 3, reasons
