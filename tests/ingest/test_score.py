"""The scorer of kg add's drafts (kg/ingest/score.py) on hand-sized cases, every figure worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.ingest.score import (
    Act,
    ArticleFacts,
    actor_map,
    align,
    expected_from_yaml,
    facts_from_graph,
    facts_graph,
    name_key,
    score_article,
)

D10 = dt.date(2020, 8, 10)
D07 = dt.date(2020, 8, 7)
CN, US = "https://w3id.org/sanctions-kg/id/actor/china", "https://w3id.org/sanctions-kg/id/actor/united-states"


@pytest.mark.parametrize("a, b", [
    ("Björn Jerdén", "bjorn jerden"), ("the U.S. Treasury", "US Treasury"), ("China's", "China"),
    ("Raytheon Missiles & Defense", "raytheon missiles & defense"), ("Lithuania’s foreign ministry", "Lithuania foreign ministry"),
])
def test_name_key_sets_aside_case_accents_the_possessives_and_dots(a, b):
    assert name_key(a) == name_key(b)


def test_name_key_keeps_different_names_apart():
    assert name_key("Wang Yi") != name_key("Wang Junzheng")


def _facts(acts, actors):
    return ArticleFacts(acts, {k: (iri, frozenset(name_key(n) for n in names)) for k, (iri, names) in actors.items()})


EXPECTED = _facts(
    [Act("counter-sanction", "cn", frozenset({"rubio", "cruz"}), {"person": 11}, frozenset({"TravelBan"}), (D10, D10),
         frozenset({"us"}), "cn"),
     Act("sanction", "usa", frozenset({"lam"}), {"person": 11}, frozenset(), (D07, D07), frozenset(), "us"),
     Act("statement", "zhao")],
    {"cn": (CN, ["China"]), "usa": (US, ["United States"]), "rubio": (None, ["Marco Rubio"]),
     "cruz": (None, ["Ted Cruz"]), "lam": (None, ["Carrie Lam"]), "zhao": (None, ["Zhao Lijian", "Zhao"])},
)
# The draft: China's act drafted as a plain sanction on Rubio and a wrong "Wang" target, with the right
# count, date and response; the U.S. act right but undated; no statement; a new "China" that duplicates
# actor:china.
DRAFTED = _facts(
    [Act("sanction", CN, frozenset({"d:rubio", "d:wang"}), {"person": 11, "total": 11}, frozenset({"TravelBan", "AssetFreeze"}),
         (D10, D10), frozenset({"act:us"}), "act:cn"),
     Act("sanction", US, frozenset({"d:lam"}), {}, frozenset(), None, frozenset(), "act:us")],
    {CN: (CN, ["China"]), US: (US, ["United States"]), "d:rubio": ("d:rubio", ["Marco Rubio"]),
     "d:wang": ("d:wang", ["Wang"]), "d:lam": ("d:lam", ["Carrie Lam"]), "d:china": ("d:china", ["china"])},
)


def test_actor_map_by_iri_then_by_name():
    mapping = actor_map(DRAFTED, EXPECTED)
    assert mapping[CN] == "cn" and mapping["d:rubio"] == "rubio" and mapping["d:lam"] == "lam"
    assert mapping["d:wang"] == "drafted:d:wang"


def test_align_pairs_by_actor_and_targets_never_a_statement_with_a_sanction_of_another_actor():
    e = [Act("sanction", "us", frozenset({"lam"})), Act("statement", "zhao"), Act("counter-sanction", "cn", frozenset({"rubio"}))]
    d = [Act("statement", "cn"), Act("sanction", "cn", frozenset({"rubio"})), Act("sanction", "us")]
    # d1 (cn, rubio) pairs with e2 (same actor, same target); d2 (us) with e0 (same actor); d0, a statement
    # by China, has no expected act of China left to pair with
    assert align(d, e) == {1: 2, 2: 0}


def test_score_article_counts_each_kind_of_fact_by_hand():
    s = score_article(DRAFTED, EXPECTED, existing={CN: frozenset({"china"}), US: frozenset({"united states"})},
                      quotes=["China on Monday", "not in the text"], text="China on Monday imposed sanctions")
    t = s.tallies
    # links: drafted (cn,rubio) (cn,wang) (us,lam); expected (cn,rubio) (cn,cruz) (us,lam)
    assert (t["links"].tp, t["links"].drafted, t["links"].expected) == (2, 3, 3)
    # kinds: the U.S. act right; China's drafted as sanction, not counter-sanction; the statement missing
    assert (t["kinds"].tp, t["kinds"].drafted, t["kinds"].expected) == (1, 2, 3)
    # dates: China's right; the U.S. act's missing
    assert (t["dates"].tp, t["dates"].drafted, t["dates"].expected) == (1, 1, 2)
    # counts: China's person 11 and total 11 right (total worked out on the expected side); the U.S. act's two missing
    assert (t["counts"].tp, t["counts"].drafted, t["counts"].expected) == (2, 2, 4)
    # measures: TravelBan right, AssetFreeze wrong
    assert (t["measures"].tp, t["measures"].drafted, t["measures"].expected) == (1, 2, 1)
    # responses: China's act answers the act paired with the expected U.S. act
    assert (t["responses"].tp, t["responses"].drafted, t["responses"].expected) == (1, 1, 1)
    assert (t["speakers"].tp, t["speakers"].drafted, t["speakers"].expected) == (0, 0, 1)
    # reuse: both states are existing actors taking part in acts, on both sides
    assert (t["reuse"].tp, t["reuse"].drafted, t["reuse"].expected) == (2, 2, 2)
    assert s.duplicates == ["d:china duplicates " + CN]
    assert (s.quotes, s.verbatim) == (2, 1)
    assert ("cn", "cruz") in s.misses["links"] and ("cn", "drafted:d:wang") in s.wrong["links"]


def test_a_perfect_draft_scores_one_everywhere():
    s = score_article(EXPECTED, EXPECTED, existing={CN: frozenset({"china"})})
    assert all(t.tp == t.drafted == t.expected for t in s.tallies.values())
    assert s.duplicates == []


TTL = """
@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
@prefix act: <https://w3id.org/sanctions-kg/id/act/> .
@prefix actor: <https://w3id.org/sanctions-kg/id/actor/> .
@prefix measure: <https://w3id.org/sanctions-kg/measure/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
actor:china rdfs:label "China"@en ; skos:altLabel "Beijing"@en .
act:a a kg:CounterSanction, kg:Sanction ; kg:imposedBy actor:china ; kg:target actor:x ;
    kg:measure measure:Unspecified ; kg:latestDate "2021-03-22"^^xsd:date ; kg:respondsTo act:b .
act:b a kg:Sanction ; kg:imposedBy actor:eu ; kg:earliestDate "2021-03-01"^^xsd:date ; kg:latestDate "2021-03-31"^^xsd:date ;
    kg:measure measure:AssetFreeze ; kg:personTargetCount 4 .
act:c a kg:Threat ; kg:speaker actor:china .
"""
CURATION = """
@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
@prefix act: <https://w3id.org/sanctions-kg/id/act/> .
@prefix cur: <https://w3id.org/sanctions-kg/id/curation/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
cur:1 a kg:CuratedStatement ; rdf:subject act:c ; rdf:predicate kg:date ; rdf:object "2021-03-23"^^xsd:date .
cur:2 a kg:CuratedStatement ; rdf:subject act:elsewhere ; rdf:predicate kg:date ; rdf:object "2021-03-24"^^xsd:date .
"""


def test_facts_from_graph_reads_kinds_dates_measures_and_curated_dates():
    facts = facts_from_graph(facts_graph(TTL, CURATION))
    acts = {a.id.rsplit("/", 1)[1]: a for a in facts.acts}
    assert sorted(acts) == ["a", "b", "c"]  # the curation note about another act is not asserted here
    assert acts["a"].kind == "counter-sanction" and acts["c"].kind == "threat"
    assert acts["a"].dates is None  # a lone latestDate (reported on or before) is no date
    assert acts["b"].dates == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    assert acts["c"].dates == (dt.date(2021, 3, 23),) * 2  # the curated date, asserted
    assert acts["a"].measures == frozenset() and acts["b"].measures == {"AssetFreeze"}
    assert acts["b"].counts == {"person": 4} and acts["a"].responds_to == {acts["b"].id}
    assert facts.actors[CN] == (CN, frozenset({"china", "beijing"}))


def test_expected_from_yaml_refuses_an_actor_iri_the_graph_does_not_have():
    with pytest.raises(ValueError, match="actor:atlantis"):
        expected_from_yaml({"acts": [{"kind": "sanction", "by": "actor:atlantis"}]}, {CN: frozenset({"china"})})


def test_expected_from_yaml_reads_names_aliases_and_spans():
    data = {"acts": [{"kind": "statement", "by": "Zhao Lijian"},
                     {"kind": "sanction", "by": "actor:china", "targets": ["Nancy Pelosi"],
                      "between": [dt.date(2022, 8, 1), dt.date(2022, 8, 12)]}],
            "aliases": {"Zhao Lijian": ["Zhao"]}}
    facts = expected_from_yaml(data, {CN: frozenset({"china"})})
    assert facts.actors["name:zhao lijian"] == (None, frozenset({"zhao lijian", "zhao"}))
    assert facts.acts[1].by == CN and facts.acts[1].dates == (dt.date(2022, 8, 1), dt.date(2022, 8, 12))
