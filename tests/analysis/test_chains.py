"""Chain analyses: hand-sized graphs with answers worked out by hand, and the real graph."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from kg.analysis import chain_analysis
from kg.analysis.chains import (
    ANSWER,
    COMMENT,
    SUPPORT,
    acts_against_unplaced,
    answers_by_measure,
    classify,
    dated_before,
    links,
    most_answered,
    reactions,
    reciprocity_by_side,
    retaliation_chains,
    side_cycles,
    tit_for_tat_candidates,
)
from kg.analysis.networks import ActTargets

ID = "https://w3id.org/sanctions-kg/id/"
KG = "https://w3id.org/sanctions-kg/ontology#"
STANCE = "https://w3id.org/sanctions-kg/stance/"


def _act(D, name, side, cls, kind, stance=None, **dates):
    attrs = {"label": name, "side": side, "class": KG + cls, "kind": kind, **dates}
    if stance:
        attrs["stance"] = STANCE + stance
    D.add_node(name, **attrs)


def _acts():
    """Side A sanctions side B (s1) and the acts around it; the comments say what each one tests."""
    D = nx.DiGraph()
    _act(D, "s1", "A", "Sanction", "sanction", date="2020-01-01")
    _act(D, "c1", "B", "CounterSanction", "counter-sanction", date="2020-01-05")  # B answers s1
    _act(D, "c2", "A", "CounterSanction", "counter-sanction", date="2020-02-04")  # A answers c1
    _act(D, "x1", "B", "Statement", "statement", "Condemnation", date="2020-01-02")  # B condemns s1: an answer
    _act(D, "y1", "C", "Statement", "statement", "Condemnation", date="2020-01-06")  # C condemns c1: answer, third side
    _act(D, "z1", "B", "Statement", "statement", "Accusation", date="2020-02-10")  # about s1 and c2: placed once
    _act(D, "e3", "B", "Statement", "statement", "Condemnation", earliest="2019-12-01", latest="2020-01-31")  # range overlaps s1
    _act(D, "p1", "C", "Statement", "statement", "Praise", date="2020-01-02")  # C praises s1: support
    _act(D, "d1", "A", "Statement", "statement", "Condemnation", date="2020-01-03")  # A on its own act: support
    _act(D, "m1", "B", "Statement", "statement", "Claim", date="2020-01-04")  # B's claim: a comment
    _act(D, "e1", "B", "Detention", "detention or arrest", date="2019-12-20")  # "answers" s1 but comes first
    _act(D, "e2", "B", "Threat", "threat", "Threat", latest="2019-12-31")  # at the latest before s1's day
    _act(D, "o1", "A", "Sanction", "sanction", date="2020-06-01")  # nobody answers it
    _act(D, "g1", "C", "Meeting", "meeting", date="2020-01-01")  # answered, but not coercive
    _act(D, "g2", "A", "Statement", "statement", "Condemnation", date="2020-01-02")
    for answer in ("c1", "e1", "e2"):
        D.add_edge(answer, "s1", link="responds to")
    D.add_edge("c2", "c1", link="responds to", curated=True, reason="read from 'in return'")
    for answer in ("x1", "z1", "e3", "p1", "d1", "m1"):
        D.add_edge(answer, "s1", link="reacts to")
    D.add_edge("y1", "c1", link="reacts to")
    D.add_edge("z1", "c2", link="reacts to")
    D.add_edge("g2", "g1", link="reacts to")
    D.add_edge("o1", "s1", link="follows")  # order only: never an answer
    return D


TARGETS = {
    "s1": ActTargets("A", frozenset({"B"}), named=2),
    "c1": ActTargets("B", frozenset({"A"}), frozenset({"Z"}), named=3),
    "c2": ActTargets("A", frozenset({"B"}), named=1),
    "o1": ActTargets("A", frozenset({"C"}), named=1),
    "e1": ActTargets("B", frozenset({"A"}), named=1),
    # "two" people of A, none named: counts as one act, as a named target would
    "u1": ActTargets("B", frozenset({"A"}), named=0, count=2),
}


def test_a_chain_is_a_tree_of_hostile_answers_in_time_order():
    D = _acts()
    D.add_node("u1", label="u1", side="B", **{"class": KG + "Detention"}, date="2000-05-01")
    chains = retaliation_chains(D, {"A": "Side A", "B": "Side B"}, TARGETS)
    # One chain: s1. c1 and c2 answer coercive acts, so they start none; o1 and e1 drew no answer;
    # g1 is a meeting, not coercive.
    assert [c["first"] for c in chains] == ["s1"]
    steps = chains[0]["steps"]
    # s1's answers by earliest day: e3 (from 2019-12-01), x1 (01-02), c1 (01-05), z1 (02-10);
    # c1's: y1 (01-06), c2 (02-04). z1 also answers c2 but is shown once, under s1.
    assert [(s["act"], s["level"], s["parent"]) for s in steps] == [
        ("s1", 0, None), ("e3", 1, "s1"), ("x1", 1, "s1"), ("c1", 1, "s1"),
        ("y1", 2, "c1"), ("c2", 2, "c1"), ("z1", 1, "s1"),
    ]
    assert chains[0]["depth"] == 2 and chains[0]["acts"] == 7
    by_act = {s["act"]: s for s in steps}
    assert by_act["z1"]["also_answers"] == ["c2"]
    # lags: 1 Jan -> 2 Jan, 1 Jan -> 5 Jan, 5 Jan -> 6 Jan, 5 Jan -> 4 Feb (30), 1 Jan -> 10 Feb (31 + 9); e3 has no day
    assert {a: s["lag"] for a, s in by_act.items()} == {"s1": None, "e3": None, "x1": 1, "c1": 4, "y1": 1, "c2": 30, "z1": 40}
    assert by_act["e3"]["when"] == "2019-12-01/2020-01-31"
    # c1 targeted side A: A's c2 is the targeted side's answer, C's y1 is not
    assert {a: s["by_target_side"] for a, s in by_act.items()} == {
        "s1": None, "e3": True, "x1": True, "c1": True, "y1": False, "c2": True, "z1": True}
    assert by_act["c2"]["link_curated"] and by_act["c2"]["link_reason"] == "read from 'in return'"
    assert by_act["c1"]["side_label"] == "Side B"


def test_an_answer_dated_before_its_act_is_never_linked():
    D = _acts()
    kept, dropped = links(D)
    # e1 is dated 20 Dec 2019 and e2 is at the latest 31 Dec 2019: both before s1 (1 Jan 2020).
    assert [(r["answer"], r["answered"], r["answer_when"], r["answered_when"]) for r in dropped] == [
        ("e1", "s1", "2019-12-20", "2020-01-01"), ("e2", "s1", "../2019-12-31", "2020-01-01")]
    assert not {("e1", "s1"), ("e2", "s1")} & {(u, v) for u, v, _ in kept}
    steps = [s["act"] for c in retaliation_chains(D) for s in c["steps"]]
    assert "e1" not in steps and "e2" not in steps
    # e3's range (Dec 2019 to Jan 2020) may fall after s1: it is kept
    assert ("e3", "s1", ANSWER) in kept


@pytest.mark.parametrize("answer, answered, before", [
    ({"date": "2021-03-22"}, {"date": "2021-03-24"}, True),  # two days earlier (the Reeker/NATO case)
    ({"date": "2021-03-24"}, {"date": "2021-03-24"}, False),  # same day: an answer can come the same day
    ({"latest": "2021-03-22"}, {"earliest": "2021-03-23", "latest": "2021-03-24"}, True),  # bounds apart
    ({"earliest": "2021-03-01", "latest": "2021-03-31"}, {"date": "2021-03-24"}, False),  # range around the act
    ({"earliest": "2021-04-01"}, {"latest": "2021-03-31"}, False),
    ({}, {"date": "2021-03-24"}, False),  # undated: nothing to say it comes first
])
def test_dated_before_by_date_or_by_bounds(answer, answered, before):
    assert dated_before(answer, answered) is before


def test_support_and_comments_are_kept_apart_from_answers():
    D = _acts()
    rows = reactions(D)
    # p1 praises (side C), d1 is side A on its own act (whatever its stance), m1 only claims.
    assert [(r["act"], r["reaction"], r["what"], r["why"]) for r in rows] == [
        ("s1", "p1", SUPPORT, "praise"), ("s1", "d1", SUPPORT, "own side"), ("s1", "m1", COMMENT, "claim")]
    in_chains = {s["act"] for c in retaliation_chains(D) for s in c["steps"]}
    assert not in_chains & {"p1", "d1", "m1", "g2"}


@pytest.mark.parametrize("answer, link, what", [
    ({"side": "B", "class": KG + "CounterSanction"}, "responds to", ANSWER),
    ({"side": "A", "class": KG + "CounterSanction"}, "responds to", SUPPORT),  # its own side
    ({"side": None, "class": KG + "Detention"}, "responds to", ANSWER),  # on no side: not the act's side
    ({"side": "B", "stance": STANCE + "Denial"}, "reacts to", ANSWER),
    ({"side": "B", "stance": STANCE + "Justification"}, "reacts to", SUPPORT),
    ({"side": "B", "class": KG + "Statement"}, "reacts to", COMMENT),  # a statement with no stance
    ({"side": "B", "class": KG + "Sanction"}, "follows", None),
])
def test_classify(answer, link, what):
    assert classify(answer, {"side": "A", "class": KG + "Sanction"}, link) == what


def test_most_answered_counts_answers_by_the_targeted_side_only():
    rows = most_answered(_acts(), TARGETS)
    # s1 (targets B): e3, x1, c1, z1 from B; p1 and d1 are support; e1, e2 dated first; m1 a comment.
    # c1 (targets A): c2 from A; y1 from C is another side's. c2 (targets B): z1 from B.
    assert [(r["act"], r["answers"], r["other_answers"], r["support"], r["rank"], r["tied"]) for r in rows] == [
        ("s1", 4, 0, 2, 1, 1), ("c1", 1, 1, 0, 2, 2), ("c2", 1, 0, 0, 2, 2)]


def test_praise_by_allies_is_not_an_answer_to_a_measure():
    D = _acts()
    rows = answers_by_measure(D, {"s1": ["asset freeze"], "c1": ["asset freeze", "travel ban"], "o1": ["travel ban"]}, TARGETS)
    # asset freeze: s1 and c1, answered by B (e3, x1, c1, z1) and by A (c2): 5, the strongest a counter-sanction.
    # travel ban: c1 (answered by c2) and o1 (never answered). p1's praise counts nowhere.
    assert [(r["measure"], r["sanctions"], r["answered"], r["answers"], r["strongest"], r["rank"]) for r in rows] == [
        ("asset freeze", 2, 2, 5, "counter-sanction", 1), ("travel ban", 2, 1, 1, "counter-sanction", 2)]


def test_reciprocity_counts_acts_named_or_counted_with_their_dates():
    D = _acts()
    D.add_node("u1", label="u1", date="2000-05-01")
    rows = reciprocity_by_side(TARGETS, D, {"A": "Side A"})
    # A -> B: s1, c2. B -> A: c1, e1 and u1, whose two targets are only counted: 2 / 3.
    ab = rows[0]
    assert (ab["a"], ab["b"], ab["a_to_b"], ab["b_to_a"], ab["reciprocity"]) == ("A", "B", 2, 3, 0.667)
    assert ab["b_to_a_acts"] == ["c1", "e1", "u1"]
    # the dates show that B's acts run from 2000 to 2020: no ratio without its years
    assert (ab["a_to_b_first"], ab["a_to_b_last"], ab["b_to_a_first"], ab["b_to_a_last"]) == (
        "2020-01-01", "2020-02-04", "2000-05-01", "2020-01-05")
    assert (rows[1]["a"], rows[1]["b"], rows[1]["a_to_b"], rows[1]["b_to_a"], rows[1]["reciprocity"]) == ("A", "C", 1, 0, 0.0)
    assert len(rows) == 2  # Z is on no side: never a side of reciprocity
    assert acts_against_unplaced(TARGETS) == [
        {"side": "B", "side_label": "", "target": "Z", "target_label": "Z", "acts": ["c1"]}]


def test_tit_for_tat_window_and_explicit_links():
    acts = {
        "a": {"label": "A on B", "date": "2020-01-01"},
        "b": {"label": "B on A, 10 days later", "date": "2020-01-11"},
        "c": {"label": "B on A, 100 days later", "date": "2020-04-10"},
        "d": {"label": "B on A, linked", "date": "2020-01-02"},
    }
    sides = {"a": ("A", frozenset({"B"})), "b": ("B", frozenset({"A"})), "c": ("B", frozenset({"A"})), "d": ("B", frozenset({"A"}))}
    D = nx.DiGraph()
    D.add_edge("d", "a", link="responds to")
    found = [(r["first"], r["candidate"], r["lag"]) for r in tit_for_tat_candidates(acts, sides, D, window_days=30)]
    assert found == [("a", "b", 10)]
    wider = {(r["first"], r["candidate"]) for r in tit_for_tat_candidates(acts, sides, D, window_days=120)}
    assert wider == {("a", "b"), ("a", "c")}
    assert all(r["inferred"] for r in tit_for_tat_candidates(acts, sides, D, window_days=120))


def test_cycles():
    S = nx.MultiDiGraph()
    S.add_edges_from([("EU", "CN"), ("CN", "EU"), ("CN", "EU"), ("CA", "CN"), ("CN", "CN")], layer="sanction")
    assert side_cycles(S) == [["CN", "EU"]]
    assert side_cycles(nx.DiGraph([("A", "B"), ("B", "A"), ("A", "C")]), layers=None) == [["A", "B"]]


@pytest.mark.parametrize("bound", [1, 2, 3, 4])
def test_bounded_cycles_are_the_short_ones_of_all_cycles(bound):
    import random

    rng = random.Random(1)  # a graph with cycles of 2 to 7 sides
    S = nx.MultiDiGraph()
    sides = [f"s{i}" for i in range(9)]
    S.add_edges_from(((u, v) for u in sides for v in sides if u != v and rng.random() < 0.3), layer="sanction")
    S.add_edge("s0", "s1", layer="affiliation")  # not a layer that makes cycles
    every = side_cycles(S, max_length=None)
    assert {len(c) for c in every} == {2, 3, 4, 5, 6, 7}
    assert side_cycles(S, max_length=bound) == [c for c in every if len(c) <= bound]
    with pytest.raises(ValueError, match="at least 1"):
        side_cycles(S, max_length=0)


def _by_end(iri):
    return iri.rsplit("/", 1)[1]


def test_real_graph_chains_match_the_articles(dataset):
    found = chain_analysis(dataset, window_days=30)
    chains = {_by_end(c["first"]): c for c in found["chains"]}
    # Only the EU's and Canada's 2024 sanctions drew answers from the other side: the other "chains"
    # of before were praise, a government on its own sanction, meetings and a statement.
    assert set(chains) == {"eu-2021-03-sanction", "ca-2024-12-sanction"}
    eu = {_by_end(s["act"]): s for s in chains["eu-2021-03-sanction"]["steps"]}
    # EU sanctions (22 March 2021) -> China's counter-sanctions the same day -> Borrell's condemnation.
    assert eu["cn-2021-03-counter-sanction"]["parent"].endswith("eu-2021-03-sanction")
    assert eu["cn-2021-03-counter-sanction"]["lag"] == 0
    assert eu["borrell-condemns-counter-sanctions-2021-03"]["parent"].endswith("cn-2021-03-counter-sanction")
    assert "blinken-praises-eu-sanctions-2021-03" not in eu  # the US praising the EU is not an answer
    # Canada's sanctions of 10 December 2024 -> China's threat of "necessary measures" the next day.
    ca = {_by_end(s["act"]): s for s in chains["ca-2024-12-sanction"]["steps"]}
    assert ca["china-threat-2024-12"]["lag"] == 1 and ca["china-threat-2024-12"]["by_target_side"]
    support = {(_by_end(r["act"]), _by_end(r["reaction"])): r["why"] for r in found["support"]}
    assert support[("eu-2021-03-sanction", "blinken-praises-eu-sanctions-2021-03")] == "praise"
    # every step carries its evidence
    assert all(s["quote"] and s["article"] for c in found["chains"] for s in c["steps"])
    # no chain step answers an act dated after it
    for chain in found["chains"]:
        days = {s["act"]: s for s in chain["steps"]}
        for s in chain["steps"]:
            if s["parent"] and s["date"] and days[s["parent"]]["date"]:
                assert date.fromisoformat(s["date"]) >= date.fromisoformat(days[s["parent"]]["date"])
    # The 2018 arrests "subsequently" follow Meng Wanzhou's detention: a candidate, never asserted.
    assert [(_by_end(c["first"]), _by_end(c["candidate"])) for c in found["candidates"]] == [
        ("meng-wanzhou-detention-2018", "china-arrests-two-canadians-2018")
    ]
    # China and the EU sanctioned each other's people: a cycle of the side network.
    assert ["China", "European Union"] in found["cycles"]
    assert found["unplaced"] == ["Adrian Zenz"]
    sides = {(r["a_label"], r["b_label"]) for r in found["reciprocity"]}
    assert "Adrian Zenz" not in {s for pair in sides for s in pair}
    assert ("China", "Germany") not in sides  # Germany's institute counts for the EU


def test_a_threat_that_answers_nothing_starts_a_chain():
    D = nx.DiGraph()
    _act(D, "t1", "B", "Threat", "threat", "Threat", date="2021-01-01")  # B threatens A, answering nothing
    _act(D, "r1", "A", "Statement", "statement", "Condemnation", date="2021-01-02")
    _act(D, "t2", "B", "Threat", "threat", "Threat", date="2021-01-03")  # B threatens again, in answer to r1
    D.add_edge("r1", "t1", link="reacts to")
    D.add_edge("t2", "r1", link="responds to")
    chains = retaliation_chains(D)
    assert [(c["first"], [(s["act"], s["level"]) for s in c["steps"]]) for c in chains] == [
        ("t1", [("t1", 0), ("r1", 1), ("t2", 2)])]
