"""HermiT (through owlready2) finds the ontology and the data consistent, and can fail."""

from __future__ import annotations

import shutil

import pytest
from rdflib import RDF, Graph, URIRef

from kg.reasoner import check_consistency

pytestmark = pytest.mark.slow

KG = "https://w3id.org/sanctions-kg/ontology#"


@pytest.fixture(scope="module")
def ontology(root) -> list[Graph]:
    if shutil.which("java") is None:
        pytest.fail("HermiT needs Java; install a JRE (Debian: default-jre-headless)")
    return [Graph().parse(p) for p in sorted((root / "ontology").glob("*.ttl"))]


def test_ontology_and_data_consistent_with_inferred_retaliation(ontology, dataset):
    data = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
    threat = "https://w3id.org/sanctions-kg/id/act/china-threat-2024-12"
    result = check_consistency(ontology + [data], individuals=[threat])
    assert result.consistent, result.message
    assert result.unsatisfiable == []
    # The threat is asserted only as kg:Threat; kg:respondsTo makes it a kg:Retaliation.
    assert KG + "Retaliation" in result.inferred_types[threat]


def test_reasoner_detects_inconsistency(ontology):
    bad = Graph()
    x = URIRef("https://w3id.org/sanctions-kg/id/actor/x")
    bad.add((x, RDF.type, URIRef(KG + "Person")))
    bad.add((x, RDF.type, URIRef(KG + "State")))
    result = check_consistency(ontology + [bad])
    assert not result.consistent
