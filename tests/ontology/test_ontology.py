"""The vocabulary follows the house conventions."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespace import ONTOLOGY


@pytest.fixture(scope="module")
def vocab(root) -> Graph:
    g = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


def test_header(vocab):
    for prop in (DCTERMS.title, DCTERMS.license, DCTERMS.modified, OWL.versionInfo, OWL.versionIRI):
        assert vocab.value(ONTOLOGY, prop) is not None, prop


def test_every_term_has_english_label_and_definition(vocab):
    terms = set(vocab.subjects(RDFS.isDefinedBy, ONTOLOGY))
    assert len(terms) > 100
    for term in terms:
        labels = [l for l in vocab.objects(term, RDFS.label) if l.language == "en"]
        definitions = [d for d in vocab.objects(term, SKOS.definition) if d.language == "en"]
        assert labels and definitions, term


def test_names_follow_case_conventions(vocab):
    base = "https://w3id.org/sanctions-kg/ontology#"
    for cls in vocab.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef) and str(cls).startswith(base):
            assert re.fullmatch(r"[A-Z][A-Za-z]+", str(cls)[len(base):]), cls
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for prop in vocab.subjects(RDF.type, kind):
            if str(prop).startswith(base):
                assert re.fullmatch(r"[a-z][A-Za-z0-9]+", str(prop)[len(base):]), prop


def test_mappings_to_analyst_codes(vocab):
    kg = "https://w3id.org/sanctions-kg/ontology#"
    assert str(vocab.value(URIRef(kg + "Sanction"), URIRef(kg + "cameoCode"))) == "163"
    assert (URIRef(kg + "Sanction"), SKOS.closeMatch, URIRef("https://followthemoney.tech/explorer/schemata/Sanction/")) in vocab
    condemnation = URIRef("https://w3id.org/sanctions-kg/stance/Condemnation")
    assert str(vocab.value(condemnation, URIRef(kg + "cameoCode"))) == "111"
