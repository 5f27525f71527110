"""The DefinedNamespaces in kg/namespace.py equal the terms of the Turtle vocabularies."""

from __future__ import annotations

import pytest
from rdflib import RDFS, Graph

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
