"""The DefinedNamespaces in kg/namespace.py equal the terms of the Turtle vocabularies."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg.namespace import GROUND, KG, MEASURE, ONTOLOGY, STANCE


@pytest.fixture(scope="module")
def vocabulary(root) -> Graph:
    g = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.mark.parametrize("ns", [KG, MEASURE, GROUND, STANCE], ids=lambda n: n.__name__)
def test_defined_namespace_equals_turtle(ns, vocabulary):
    base = str(ns._NS)
    in_turtle = {
        str(s)[len(base):] for s in vocabulary.subjects(RDFS.isDefinedBy, ONTOLOGY)
        if str(s).startswith(base) and len(str(s)) > len(base)
    }
    in_python = set(ns.__annotations__)
    assert in_python == in_turtle


def test_typo_fails_at_once():
    with pytest.raises(AttributeError):
        KG.imposedby  # noqa: B018 - the lookup itself must fail


def test_every_defined_term_has_a_python_namespace(vocabulary):
    """A term outside the four namespaces would escape the check above."""
    bases = [str(ns._NS) for ns in (KG, MEASURE, GROUND, STANCE)]
    stray = sorted(
        str(s) for s in vocabulary.subjects(RDFS.isDefinedBy, ONTOLOGY)
        if not any(str(s).startswith(base) for base in bases)
    )
    assert stray == []


def test_scheme_iris_are_the_namespaces(vocabulary):
    schemes = set(vocabulary.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == {URIRef(str(ns._NS)) for ns in (MEASURE, GROUND, STANCE)}
