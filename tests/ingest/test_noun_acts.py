"""kg add: acts named only by a noun ("U.S. sanctions on Iran", "the detention of ... Brunson") are drafted
with what the phrase states, and no more (rules/acts.yaml, voice noun)."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.ingest import draft_article
from kg.ingest.score import draft_graph, facts_from_graph

A = "https://w3id.org/sanctions-kg/id/actor/"


@pytest.fixture(scope="module")
def index():
    from kg import paths
    from kg.ingest.actors import GraphIndex
    from kg.ingest.rules import load_rules

    return GraphIndex.from_data(paths.data_dir(), frozenset(), load_rules())


def _acts(text: str, index) -> tuple[list, object]:
    draft = draft_article(text, "t", index=index)
    return facts_from_graph(draft_graph(draft)).acts, draft


def test_noun_sanction_with_its_state_is_drafted_with_its_target_and_no_date(index):
    acts, _ = _acts("OTTAWA, Dec. 13, 2018 — Canadian police arrested a businessman on suspicion of violating "
                    "U.S. sanctions on Iran.\n", index)
    (sanction,) = [a for a in acts if a.kind == "sanction"]
    assert sanction.by == A + "united-states"
    assert {t.rsplit("/", 1)[-1] for t in sanction.targets} == {"iran"}
    assert sanction.dates is None  # the phrase dates nothing; only the article's date bounds it (kg:latestDate alone)


def test_noun_sanction_without_an_imposer_is_not_drafted_and_the_statement_stays(index):
    # no one is named imposing "the sanctions on Russia": nothing a curator could confirm as a sanction;
    # the sentence is Truss's statement (a noun does not make it a sentence about another act)
    acts, _ = _acts("LONDON, April 16, 2022 — Foreign Secretary Liz Truss said the sanctions on Russia would stay "
                    "in place while the war continued.\n", index)
    assert [a.kind for a in acts] == ["statement"]
    assert acts[0].by == A + "liz-truss"


def test_detention_named_by_a_noun_takes_its_state_from_where_it_happens_as_curation(index):
    text = ("WASHINGTON, Aug. 2, 2018 — Washington on Wednesday imposed sanctions on two Turkish ministers over the "
            "detention of American pastor Andrew Brunson, who has been held in Turkey for nearly two years.\n")
    acts, draft = _acts(text, index)
    (detention,) = [a for a in acts if a.kind == "detention"]
    assert detention.by == A + "turkey"
    assert {t.rsplit("/", 1)[-1] for t in detention.targets} == {"andrew-brunson"}
    assert detention.dates is None  # "on Wednesday" dates the sanction, not the detention
    # the text does not say who detained him: kg:actor is a curated statement with its reason, not a stated fact
    block = next(b for b in draft.facts.split("\n\n") if "a kg:Detention" in b)
    assert "kg:actor" not in block
    reasons = [str(b.lines) for b in draft._curated_blocks if "kg:actor" in str(b.lines)]
    assert reasons and "held in Turkey" in reasons[0]


def test_detention_named_by_a_noun_with_no_actor_keeps_its_target(index):
    acts, _ = _acts("MOSCOW, April 30, 2021 — The bloc's measures target Russians over the jailing of opposition "
                    "politician Alexei Navalny.\n", index)
    (detention,) = [a for a in acts if a.kind == "detention"]
    assert detention.by is None and detention.dates is None
    assert {t.rsplit("/", 1)[-1] for t in detention.targets} == {"alexei-navalny"}


def test_noun_detention_and_the_same_arrest_told_again_are_one_act_with_the_date_of_the_phrase(index):
    # "the arrest ... on Dec. 1 of Meng", then "Canadian authorities arrested Meng": one detention, by Canada, of Dec. 1
    acts, _ = _acts("BEIJING, Dec. 13, 2018 — The detentions follow the arrest in Vancouver on Dec. 1 of Meng Wanzhou, "
                    "Huawei's chief financial officer. Canadian authorities arrested Meng, who faces extradition.\n", index)
    detentions = [a for a in acts if a.kind == "detention"]
    assert len(detentions) == 1
    assert detentions[0].by == A + "canada"
    assert detentions[0].dates == (dt.date(2018, 12, 1), dt.date(2018, 12, 1))
