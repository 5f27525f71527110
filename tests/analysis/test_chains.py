"""Chain analyses: hand-sized graphs with answers worked out by hand, and the real graph."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.analysis import chain_analysis
from kg.analysis.chains import (
    answers_by_measure,
    most_answered,
    reciprocity_by_side,
    retaliation_chains,
    side_cycles,
    tit_for_tat_candidates,
)

ID = "https://w3id.org/sanctions-kg/id/"


def _acts():
    D = nx.DiGraph()
    D.add_node("s1", label="A sanctions B", kind="sanction", date="2020-01-01")
    D.add_node("c1", label="B counter-sanctions A", kind="counter-sanction", date="2020-01-05")
    D.add_node("c2", label="A answers again", kind="counter-sanction", date="2020-02-04")
    D.add_node("x1", label="B condemns", kind="statement", date="2020-01-02")
    D.add_node("o1", label="unrelated", kind="sanction", date="2020-06-01")
    D.add_edge("c1", "s1", link="responds to")
    D.add_edge("c2", "c1", link="responds to")
    D.add_edge("x1", "s1", link="reacts to")
    return D


def test_chains_follow_answers_to_the_end():
    chains = retaliation_chains(_acts())
    # s1 has two answers: x1 (a dead end) and c1 (answered by c2): two chains, depths 1 and 2.
    assert [(c["first"], c["depth"], [s["act"] for s in c["steps"]]) for c in chains] == [
        ("s1", 2, ["s1", "c1", "c2"]),
        ("s1", 1, ["s1", "x1"]),
    ]
    deep = chains[0]["steps"]
    assert [s["lag"] for s in deep] == [None, 4, 30]  # 1 Jan -> 5 Jan -> 4 Feb
    assert [s["link"] for s in deep] == [None, "responds to", "responds to"]


def test_only_requested_links():
    chains = retaliation_chains(_acts(), links={"responds to"})
    assert [c["depth"] for c in chains] == [2]


def test_most_answered_and_measures():
    D = _acts()
    assert [(r["act"], r["answers"]) for r in most_answered(D)] == [("s1", 2), ("c1", 1)]
    rows = answers_by_measure(D, {"s1": ["asset freeze"], "o1": ["travel ban"]})
    assert rows == [
        {"measure": "asset freeze", "answers": 2, "strongest": "counter-sanction", "strength": 4},
        {"measure": "travel ban", "answers": 0, "strongest": None, "strength": 0},  # o1 drew no answer
    ]


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


def test_reciprocity_and_cycles():
    S = nx.MultiDiGraph()
    S.add_edges_from([("EU", "CN"), ("CN", "EU"), ("CN", "EU"), ("CN", "EU"), ("CA", "CN"), ("CN", "CN")], layer="sanction")
    rows = {(r["a"], r["b"]): r for r in reciprocity_by_side(S)}
    assert rows[("CN", "EU")]["reciprocity"] == pytest.approx(1 / 3, abs=1e-3)
    assert rows[("CA", "CN")]["reciprocity"] == 0.0
    assert side_cycles(S) == [["CN", "EU"]]


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


def test_real_graph_chains_match_the_articles(dataset):
    found = chain_analysis(dataset, window_days=30)
    by_first = {}
    for chain in found["chains"]:
        by_first.setdefault(chain["first"], []).append(chain)
    # EU sanctions (22 March 2021) -> China's counter-sanctions the same day -> Borrell's condemnation.
    eu = by_first[ID + "act/eu-2021-03-sanction"]
    deepest = max(eu, key=lambda c: c["depth"])
    assert [s["act"].rsplit("/", 1)[1] for s in deepest["steps"]] == [
        "eu-2021-03-sanction", "cn-2021-03-counter-sanction", "borrell-condemns-counter-sanctions-2021-03",
    ]
    assert deepest["steps"][1]["lag"] == 0
    # Canada's sanctions of 10 December 2024 -> China's threat of "necessary measures" the next day.
    ca = by_first[ID + "act/ca-2024-12-sanction"]
    assert any(c["steps"][-1]["act"].endswith("china-threat-2024-12") and c["steps"][-1]["lag"] == 1 for c in ca)
    # The 2018 arrests "subsequently" follow Meng Wanzhou's detention: a candidate, never asserted.
    assert [(c["first"].rsplit("/", 1)[1], c["candidate"].rsplit("/", 1)[1]) for c in found["candidates"]] == [
        ("meng-wanzhou-detention-2018", "china-arrests-two-canadians-2018")
    ]
    # China and the EU sanctioned each other's people: a cycle of the side network.
    assert ["China", "European Union"] in found["cycles"]
    assert found["unplaced"] == ["Adrian Zenz"]
