"""HermiT (through owlready2) finds the ontology consistent, infers what it should, and can fail.

Four reasoner runs, about half a second each.
"""

from __future__ import annotations

import shutil

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Namespace

from kg.reasoner import check_consistency

pytestmark = pytest.mark.slow

KG = Namespace("https://w3id.org/sanctions-kg/ontology#")
ID = Namespace("https://w3id.org/sanctions-kg/id/")
PROBE = Namespace("https://w3id.org/sanctions-kg/test#")


@pytest.fixture(scope="module")
def ontology_paths(root) -> list:
    if shutil.which("java") is None:
        pytest.fail("HermiT needs Java; install a JRE (Debian: default-jre-headless)")
    return [root / "ontology" / "sanctions.ttl", root / "ontology" / "schemes.ttl"]


@pytest.fixture(scope="module")
def probed(ontology_paths):
    """One run on the ontology plus probes: an unanswered act typed only kg:Act that
    responds to a sanction, and a class that is both a person and a state."""
    probes = Graph()
    probes.add((ID["act/answered"], RDF.type, KG.Sanction))
    probes.add((ID["act/answer"], RDF.type, KG.Act))
    probes.add((ID["act/answer"], KG.respondsTo, ID["act/answered"]))
    probes.add((PROBE.PersonState, RDF.type, OWL.Class))
    probes.add((PROBE.PersonState, RDFS.subClassOf, KG.Person))
    probes.add((PROBE.PersonState, RDFS.subClassOf, KG.State))
    return check_consistency(ontology_paths, probes, individuals=[str(ID["act/answer"])])


def test_ontology_is_consistent_and_every_class_satisfiable(ontology_paths):
    result = check_consistency(ontology_paths)
    assert result.consistent, result.message
    assert result.unsatisfiable == ()


def test_act_that_responds_to_an_act_is_inferred_a_retaliation(probed):
    assert probed.consistent, probed.message
    assert str(KG.Retaliation) in probed.inferred_types[str(ID["act/answer"])]


def test_unsatisfiable_class_is_reported(probed):
    assert probed.unsatisfiable == (str(PROBE.PersonState),)


def test_person_that_is_a_state_is_inconsistent(ontology_paths):
    bad = Graph()
    bad.add((ID["actor/x"], RDF.type, KG.Person))
    bad.add((ID["actor/x"], RDF.type, KG.State))
    result = check_consistency(ontology_paths, bad)
    assert not result.consistent


def test_ontology_and_data_are_consistent(ontology_paths, dataset):
    result = check_consistency(ontology_paths, dataset)
    assert result.consistent, result.message
    assert result.unsatisfiable == ()


def test_a_mention_given_a_date_is_inconsistent(ontology_paths):
    """A vague mention ("have also imposed sanctions") is not an event: dating it would invent a date.

    kg:date has the domain kg:Event, which is disjoint from kg:Mention.
    """
    from rdflib import Literal
    from rdflib.namespace import XSD

    bad = Graph()
    bad.add((ID["act/mention"], RDF.type, KG.SanctionMention))
    bad.add((ID["act/mention"], KG.date, Literal("2024-12-11", datatype=XSD.date)))
    result = check_consistency(ontology_paths, bad)
    assert not result.consistent
