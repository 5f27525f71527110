"""The synthetic workload: shaped like a built dataset, conforming, with exactly the violations injected,
repeatable, of the size asked for, and skewed like real sanctions."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Literal, URIRef
from rdflib.namespace import ORG, SKOS

from kg.io import read_dataset, trig_bytes
from kg.namespace import GRAPH, KG, ONTOLOGY_GRAPH, PREFIXES, STANCE
from kg.synth import INJECTED, synthesize, synthesize_with_truth, write_synth
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_TEXT = URIRef("https://schema.org/text")
SCHEMA_HEADLINE = URIRef("https://schema.org/headline")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _expand(short: str) -> str:
    """A focus node as :class:`kg.validate.Result` prints it (``act:x`` or ``<iri>``), as a full IRI."""
    if short.startswith("<") and short.endswith(">"):
        return short[1:-1]
    prefix, _, local = short.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else short


def _union_size(ds) -> int:
    return len({(s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))})


def _types(ds, node) -> set:
    return set(ds.objects(node, RDF.type))


@pytest.fixture(scope="module")
def small():
    return synthesize(3000, seed=5)


@pytest.mark.slow
def test_clean_synth_conforms(small):
    report = validate(small)
    assert report.conforms, report.format()[:3000]
    assert report.results == []


@pytest.mark.slow
def test_validation_finds_exactly_the_injected_violations(named_rules):
    ds, truth = synthesize_with_truth(4000, seed=6, violations=2)
    assert set(INJECTED) < set(truth)
    assert sorted(truth) == named_rules  # every named rule, not only the four made while generating
    assert all(len(nodes) == 2 for nodes in truth.values()), truth
    found = {(r.shape, _expand(r.focus)) for r in validate(ds).violations}
    injected = {(f"kgsh:{name}", iri) for name, nodes in truth.items() for iri in nodes}
    assert found == injected


def test_shaped_like_a_build(small, dataset):
    graphs = {g.identifier for g in small.graphs() if len(g)} - {small.default_graph.identifier}
    articles = sorted(g for g in graphs if g != ONTOLOGY_GRAPH)
    assert ONTOLOGY_GRAPH in graphs and articles
    assert all(str(g).startswith(str(GRAPH) + "article/") for g in articles)
    # The ontology graph is the one build makes, blank nodes included.
    assert set(small.graph(ONTOLOGY_GRAPH)) == set(dataset.graph(ONTOLOGY_GRAPH))
    # The default graph names the source of each graph.
    default = small.default_graph
    assert set(default.objects(ONTOLOGY_GRAPH, KG.sourceFile)) == set(
        dataset.default_graph.objects(ONTOLOGY_GRAPH, KG.sourceFile)
    )
    for g in articles:
        assert list(default.objects(g, KG.sourceFile)) == [Literal("synth", datatype=XSD_STRING)]
    # One article per article graph, with label, headline and text; evidence nodes quote that text.
    for g in articles:
        graph = small.graph(g)
        (article,) = graph.subjects(RDF.type, KG.NewsArticle)
        assert graph.value(article, RDFS.label) and graph.value(article, SCHEMA_HEADLINE)
        (text,) = graph.objects(article, SCHEMA_TEXT)
        evidence = set(graph.subjects(RDF.type, KG.Evidence))
        assert evidence
        for ev in evidence:
            assert str(ev).startswith(f"{article}/quote/")
            assert graph.value(ev, KG.inArticle) == article
            assert str(graph.value(ev, KG.quote)) in str(text)
    # As in a build, blank nodes only in the ontology's axioms.
    assert not any(isinstance(t, BNode) for g in articles for triple in small.graph(g) for t in triple)


def test_facts_as_the_vocabulary_says(small):
    ds = small
    facts = set()
    for cls in (KG.State, KG.Bloc, KG.GovernmentBody, KG.Legislature, KG.Person, KG.Company, KG.ThinkTank,
                KG.NonGovernmentalOrganisation, KG.Post, KG.Sanction, KG.CounterSanction, KG.SanctionRound,
                KG.Statement, KG.Threat):
        found = set(ds.subjects(RDF.type, cls))
        if cls not in (KG.Threat, KG.Company, KG.NonGovernmentalOrganisation):
            assert found, f"no {cls}"
        facts |= found
    for node in facts:  # every actor, act, post and round: a label and evidence
        assert ds.value(node, RDFS.label) is not None, node
        assert ds.value(node, KG.evidence) is not None, node
    assert all(ds.value(b, ORG.subOrganizationOf) for b in ds.subjects(RDF.type, KG.GovernmentBody))
    assert any(True for _ in ds.triples((None, ORG.memberOf, None)))
    for post in ds.subjects(RDF.type, KG.Post):
        assert KG.Person in _types(ds, ds.value(post, ORG.member))
        assert ds.value(post, ORG.organization) is not None and ds.value(post, KG.postTitle) is not None
    for act in set(ds.subjects(RDF.type, KG.Sanction)) | set(ds.subjects(RDF.type, KG.CounterSanction)):
        named = set(ds.objects(act, KG.target))
        assert 1 <= len(named) <= ds.value(act, KG.targetCount).toPython()
        assert ds.value(act, KG.imposedBy) is not None and ds.value(act, KG.measure) is not None
        assert ds.value(act, KG.ground) is not None
    assert any(True for _ in ds.triples((None, KG.partOfRound, None)))
    counters = set(ds.subjects(RDF.type, KG.CounterSanction))
    assert counters
    for counter in counters:
        answered = ds.value(counter, KG.respondsTo)
        assert KG.Sanction in _types(ds, answered)
        imposer, other_side = ds.value(counter, KG.imposedBy), ds.value(answered, KG.imposedBy)
        # The counter-sanction comes from the side the answered sanction targeted...
        sides_hit = {
            side
            for target in ds.objects(answered, KG.target)
            for link in (KG.affiliatedWith, ORG.subOrganizationOf, KG.basedIn)
            for side in ds.objects(target, link)
        }
        assert imposer in sides_hit and imposer != other_side
        # ... on the same day or later ...
        day, before = ds.value(counter, KG.date), ds.value(answered, KG.date) or ds.value(answered, KG.latestDate)
        assert day.toPython() >= before.toPython()
        for target in ds.objects(counter, KG.target):  # ... against people of the other side
            if KG.Person in _types(ds, target):
                assert ds.value(target, KG.affiliatedWith) == other_side
    stance_scheme = URIRef(str(STANCE._NS))
    for statement in set(ds.subjects(RDF.type, KG.Statement)) | set(ds.subjects(RDF.type, KG.Threat)):
        assert (ds.value(statement, KG.stance), SKOS.inScheme, stance_scheme) in ds
        assert ds.value(statement, KG.about) is not None


def test_same_seed_same_bytes_different_seed_different():
    a = trig_bytes(synthesize(3000, seed=1), PREFIXES)
    b = trig_bytes(synthesize(3000, seed=1), PREFIXES)
    c = trig_bytes(synthesize(3000, seed=2), PREFIXES)
    assert a == b
    assert a != c


def test_same_bytes_in_another_process():
    """String hashing changes between processes; the output must not."""
    code = (
        "import hashlib, sys; from kg.io import trig_bytes; from kg.namespace import PREFIXES; "
        "from kg.synth import synthesize; "
        "sys.stdout.write(hashlib.sha256(trig_bytes(synthesize(2000, seed=3), PREFIXES)).hexdigest())"
    )
    here = hashlib.sha256(trig_bytes(synthesize(2000, seed=3), PREFIXES)).hexdigest()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert out.stdout == here


def test_size_within_ten_percent():
    for size in (20_000,):
        ds = synthesize(size, seed=4)
        assert 0.9 * size <= _union_size(ds) <= 1.1 * size


def test_write_synth_writes_the_dataset(tmp_path, named_rules):
    path = tmp_path / "synth.trig"
    size, truth = write_synth(path, 3000, seed=7, violations=1)
    assert path.read_bytes() == trig_bytes(synthesize(3000, seed=7, violations=1), PREFIXES)
    assert _union_size(read_dataset(path)) == size
    assert {name: len(nodes) for name, nodes in truth.items()} == {name: 1 for name in named_rules}
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_few_imposers_make_most_sanctions():
    ds = synthesize(20_000, seed=3)
    acts = Counter(o for _, _, o, _ in ds.quads((None, KG.imposedBy, None, None)))
    counts = sorted(acts.values(), reverse=True)
    top = max(1, round(len(counts) / 10))
    assert len(counts) >= 10
    assert sum(counts[:top]) >= 0.4 * sum(counts)  # the top tenth of imposers make 40% of the sanctions
    assert counts[0] >= 5 * counts[len(counts) // 2]  # far above the median imposer
