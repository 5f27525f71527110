"""Names typed by an analyst find the node they mean, step by step (kg.names), on the real graph.

Every case comes from the two articles: the names, initials and words they use for the
actors, and the ways a reader would retype them.
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from kg.names import Ambiguous, NameIndex, NoMatch, UnknownPrefix, expand, normalise, resolve, short
from kg.namespace import ACTOR, KG, PREFIXES, STANCE


@pytest.fixture(scope="module")
def actors(dataset) -> NameIndex:
    from kg.names import name_index

    return name_index(dataset, [KG.Actor])


@pytest.fixture(scope="module")
def stances(dataset) -> NameIndex:
    from kg.names import name_index

    return name_index(dataset, scheme=URIRef(str(STANCE._NS)))


def _taken(index, text):
    match = resolve(index, text)
    return short(match.node), match.step


# step 1: the IRI in any form kg prints it
@pytest.mark.parametrize("text", [
    "actor:china",
    str(ACTOR.china),
    f"<{ACTOR.china}>",
    " actor:china ",
])
def test_step_1_iri_in_every_printed_form(actors, text):
    assert _taken(actors, text) == ("actor:china", "IRI")


def test_step_1_an_iri_that_is_not_an_actor_says_so_with_the_closest(actors):
    # "actor:chna": a typo of the short IRI the tables print for China
    with pytest.raises(NoMatch) as exc:
        resolve(actors, "actor:chna")
    assert exc.value.suggestions[0].node == ACTOR.china


# step 2: the label as written ("Chen Quanguo, former Communist Party chief in the Xinjiang region")
def test_step_2_exact_label(actors):
    assert _taken(actors, "Chen Quanguo") == ("actor:chen-quanguo", "label")


# step 3: an alias ("Beijing said it will also sanction...", "the E.U's decision", "XPCC")
@pytest.mark.parametrize("text,expected", [
    ("Beijing", "actor:china"),
    ("Ottawa", "actor:canada"),  # "Ottawa's allegations of Chinese political interference"
    ("XPCC", "actor:xinjiang-production-and-construction-corps"),
    ("Zenz", "actor:adrian-zenz"),  # "petitioned to sue Zenz"
    ("member of the European Parliament", "actor:european-parliament"),  # the MEPs' post title
])
def test_step_3_alias(actors, text, expected):
    assert _taken(actors, text) == (expected, "alias")


# step 4: case, accents, possessives, punctuation, a leading article
@pytest.mark.parametrize("text,expected", [
    ("china", "actor:china"),
    ("Björn Jerden", "actor:bjorn-jerden"),  # the article writes "Bjorn Jerden", an alias "Björn Jerdén"
    ("Huawei's", "actor:huawei"),  # "Chinese telecoms firm Huawei"
    ("the European Union", "actor:european-union"),
    ("Danish democracy organization", "actor:danish-democracy-organization"),  # label "a Danish ..."
    ("e.u.", "actor:european-union"),  # "the E.U's decision"
])
def test_step_4_normalised(actors, text, expected):
    assert _taken(actors, text) == (expected, "normalised")


# step 5: initials (a word may give several letters) or significant words
@pytest.mark.parametrize("text,expected", [
    ("MERICS", "actor:mercator-institute-for-china-studies"),  # MERcator Institute for China Studies
    ("Mercator", "actor:mercator-institute-for-china-studies"),  # "Germany's Mercator Institute"
    ("MEP", "actor:european-parliament"),  # "five members of the European Parliament"
    ("MEPs", "actor:european-parliament"),
    ("UNHRC", "actor:un-human-rights-council"),  # "At the U.N. Human Rights Council"
    ("Butikofer", "actor:reinhard-butikofer"),
    ("Bütikofer", "actor:reinhard-butikofer"),
    ("China's foreign ministry", "actor:china-foreign-ministry"),  # "China's foreign ministry on Wednesday condemned"
    ("Canada's ambassador", "actor:canada-ambassador-to-china"),
    ("Trudeau", "actor:justin-trudeau"),  # "Prime Minister Justin Trudeau said"
    ("Danish", "actor:danish-democracy-organization"),
])
def test_step_5_acronym_or_words(actors, text, expected):
    assert _taken(actors, text) == (expected, "acronym or words")


def test_step_5_stance_by_any_of_its_words(stances):
    # the stance of Joly's "We call on the Chinese government..." is labelled "call to act"
    assert _taken(stances, "call") == ("stance:Call", "acronym or words")
    assert _taken(stances, "condemnation") == ("stance:Condemnation", "label")
    assert _taken(stances, "Praise") == ("stance:Praise", "normalised")


# step 6: a typo, fuzzy above the threshold
@pytest.mark.parametrize("text,expected", [
    ("Zhu Hailan", "actor:zhu-hailun"),
    ("a Danish democracy organisation", "actor:danish-democracy-organization"),  # British spelling
    ("Chen Quangou", "actor:chen-quanguo"),
])
def test_step_6_fuzzy(actors, text, expected):
    assert _taken(actors, text) == (expected, "fuzzy")


# ambiguity: the candidates are listed, never one picked
def test_shared_surname_is_ambiguous(actors):
    # "Chen Quanguo" (2024 article) and "Chen Mingguo, Director of the XPSB" (2021 article)
    with pytest.raises(Ambiguous) as exc:
        resolve(actors, "Chen")
    assert [short(c.node) for c in exc.value.candidates] == ["actor:chen-mingguo", "actor:chen-quanguo"]
    assert "Chen Mingguo" in str(exc.value)


def test_wang_is_ambiguous_among_three(actors):
    # Wang Junzheng and Wang Mingshan (2021), Wang Yi (2024)
    with pytest.raises(Ambiguous) as exc:
        resolve(actors, "Wang")
    assert {c.label for c in exc.value.candidates} == {"Wang Junzheng", "Wang Mingshan", "Wang Yi"}


def test_xinjiang_fits_several_bodies(actors):
    # the People's Congress (Zhu Hailun), the Production and Construction Corps (Wang Junzheng),
    # the Public Security Bureau (Wang Mingshan, Chen Mingguo), and the 2024 article's "local leaders
    # in Xinjiang" the ambassador spoke to; by word and by a misspelt word
    for text in ("Xinjiang", "Xinjang"):
        with pytest.raises(Ambiguous) as exc:
            resolve(actors, text)
        assert {short(c.node) for c in exc.value.candidates} == {
            "actor:xinjiang-peoples-congress",
            "actor:xinjiang-production-and-construction-corps",
            "actor:xinjiang-public-security-bureau",
            "actor:xinjiang-local-leaders",
        }


def test_foreign_ministry_is_ambiguous_between_the_two(actors):
    with pytest.raises(Ambiguous) as exc:
        resolve(actors, "foreign ministry")
    assert {c.label for c in exc.value.candidates} == {"Foreign ministry of Canada", "Foreign ministry of China"}


def test_nothing_matches_offers_did_you_mean(actors):
    with pytest.raises(NoMatch) as exc:
        resolve(actors, "Zhu Hai")  # too short to be taken, close enough to suggest
    assert [c.label for c in exc.value.suggestions] == ["Zhu Hailun"]
    with pytest.raises(NoMatch) as exc:
        resolve(actors, "Nobody Atall")
    assert exc.value.suggestions == []


def test_an_earlier_step_wins_over_a_later_one(actors):
    # "China" is a label, and also a word of "Foreign ministry of China", "Communist Party of China",
    # "Mercator Institute for China Studies": the label decides, no ambiguity
    assert _taken(actors, "China") == ("actor:china", "label")
    # "Communist Party" is the party's alias (step 3) before it is words of its label (step 5)
    assert _taken(actors, "Communist Party") == ("actor:communist-party-of-china", "alias")


def test_short_and_expand_round_trip_every_prefix():
    for prefix, ns in PREFIXES.items():
        iri = URIRef(ns + "x-1")
        assert short(iri) == f"{prefix}:x-1"
        assert expand(short(iri)) == iri
        assert expand(f"<{iri}>") == iri


def test_expand_refuses_unknown_prefix_and_bad_iri():
    with pytest.raises(UnknownPrefix, match="unknown prefix 'acts'"):
        expand("acts:ca-2021-03-sanction")
    with pytest.raises(ValueError, match="not a valid IRI"):
        expand("<https://example.org/a b>")
    assert expand("Chen Quanguo") is None
    assert expand("Reeker: concerns") is None  # a label with a colon is a name, not an IRI


def test_normalise_examples():
    assert normalise("Raphaël Glucksmann") == "raphael glucksmann"
    assert normalise("ministers' meeting") == "ministers meeting"
    assert normalise("The") == "the"  # an article alone is kept: it is the whole name
