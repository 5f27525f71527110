"""The vocabulary follows the house conventions: header, labels, definitions, names."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespace import ONTOLOGY

BASE = str(ONTOLOGY) + "#"
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def vocab(root) -> Graph:
    g = Graph()
    for name in ("sanctions.ttl", "schemes.ttl"):
        g.parse(root / "ontology" / name)
    return g


def _own(vocab: Graph, kinds) -> set[URIRef]:
    return {t for kind in kinds for t in vocab.subjects(RDF.type, kind) if str(t).startswith(BASE)}


def test_header(vocab):
    missing = [
        p for p in (DCTERMS.title, DCTERMS.license, DCTERMS.modified, OWL.versionInfo, OWL.versionIRI)
        if vocab.value(ONTOLOGY, p) is None
    ]
    assert missing == []


def test_every_declared_term_is_defined_by_the_ontology(vocab):
    terms = _own(vocab, (OWL.Class, *PROPERTY_TYPES))
    assert sorted(t for t in terms if (t, RDFS.isDefinedBy, ONTOLOGY) not in vocab) == []


def test_every_term_has_english_label_and_definition(vocab):
    terms = set(vocab.subjects(RDFS.isDefinedBy, ONTOLOGY))
    assert len(terms) > 100  # the classes, properties and the three schemes' concepts

    def english(term, prop):
        return any(getattr(v, "language", None) == "en" for v in vocab.objects(term, prop))

    lacking = sorted(t for t in terms if not (english(t, RDFS.label) and english(t, SKOS.definition)))
    assert lacking == []


def test_class_names_are_upper_camel(vocab):
    bad = sorted(c for c in _own(vocab, [OWL.Class]) if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", c[len(BASE):]))
    assert bad == []


def test_property_names_are_lower_camel(vocab):
    bad = sorted(p for p in _own(vocab, PROPERTY_TYPES) if not re.fullmatch(r"[a-z][A-Za-z0-9]*", p[len(BASE):]))
    assert bad == []


def test_mappings_to_analyst_codes(vocab):
    kg = BASE
    assert str(vocab.value(URIRef(kg + "Sanction"), URIRef(kg + "cameoCode"))) == "163"
    ftm = URIRef("https://followthemoney.tech/explorer/schemata/Sanction/")
    assert (URIRef(kg + "Sanction"), SKOS.closeMatch, ftm) in vocab
    condemnation = URIRef("https://w3id.org/sanctions-kg/stance/Condemnation")
    assert str(vocab.value(condemnation, URIRef(kg + "cameoCode"))) == "111"
