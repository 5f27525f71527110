"""kg add: a speaker named only by a post ("the United Kingdom foreign secretary") is an unnamed person, labelled with
the description and affiliated with what it names; never the state or body itself (data/README.md, "A facts file")."""

from __future__ import annotations

import pytest

from kg.ingest import draft_article

A = "https://w3id.org/sanctions-kg/id/actor/"


@pytest.fixture(scope="module")
def index():
    from kg import paths
    from kg.ingest.actors import GraphIndex
    from kg.ingest.rules import load_rules

    return GraphIndex.from_data(paths.data_dir(), frozenset(), load_rules())


def _speakers(text: str, index):
    draft = draft_article(text, "t", index=index)
    return [(a.speaker or a.actor) for a in draft.acts if a.family == "statement"], draft


def test_post_without_a_name_is_an_unnamed_person_affiliated_with_its_state(index):
    # (the seed graph has "the United Kingdom foreign secretary" already, and it would be reused: another post here)
    (speaker,), draft = _speakers("TOKYO, March 22, 2021 — At the U.N. Human Rights Council in February, the Japanese "
                                  "foreign minister said rights violations in Xinjiang are \"beyond the pale\".\n",
                                  index)
    assert speaker.kind == "Person" and speaker.unnamed
    assert speaker.label == "the Japanese foreign minister"
    assert speaker.state is not None and speaker.state.label == "Japan"
    block = next(b for b in draft.facts.split("\n\n") if "the Japanese foreign minister\"@en" in b)
    assert "kg:unnamed true" in block and "kg:affiliatedWith actor:japan" in block


def test_author_of_a_report_speaks_as_an_unnamed_person(index):
    (speaker,), _ = _speakers("OTTAWA, Dec. 11, 2024 — A 2022 report by the then UN rights chief said China's "
                              "treatment of Uyghurs could constitute crimes against humanity.\n", index)
    assert speaker.unnamed and speaker.label == "the then UN rights chief"
    assert str(speaker.iri) != A + "united-nations"


def test_spokesman_for_a_body_leaves_the_body_as_speaker(index):
    # the curated 2021 seed: "A spokesman for China's foreign ministry said" is the ministry's statement
    (speaker,), _ = _speakers("BEIJING, March 22, 2021 — A spokesman for China's foreign ministry said the EU's move "
                              "was based on lies.\n", index)
    assert str(speaker.iri) == A + "china-foreign-ministry"


def test_titled_name_is_the_named_person_not_an_unnamed_one(index):
    (speaker,), _ = _speakers("LONDON, April 16, 2022 — Foreign Secretary Liz Truss said the measures would stay.\n",
                              index)
    assert not speaker.unnamed and speaker.label == "Liz Truss"
