"""The actor, side and act networks of the real graph match the articles."""

from __future__ import annotations

import pytest

from kg.analysis import networks

ID = "https://w3id.org/sanctions-kg/id/"


@pytest.fixture(scope="module")
def G(dataset):
    return networks.actor_network(dataset)


def test_sanction_edges_one_per_named_target(G):
    edges = [(u, v) for u, v, d in G.edges(data=True) if d["act"] == ID + "act/cn-2021-03-counter-sanction"]
    # Nine targets named in the article (five MEPs, Zenz, Jerden, MERICS, the Danish organisation).
    assert len(edges) == 9 and {u for u, _ in edges} == {ID + "actor/china"}


def test_counted_targets_are_weight_not_nodes(G):
    # Canada: eight officials in 2024 (two named) and four in 2021 (three named): 6 + 1 unnamed.
    assert G.nodes[ID + "actor/canada"]["unnamed_targets"] == 7
    # The US: 24 officials over Hong Kong, none named.
    assert G.nodes[ID + "actor/united-states"]["unnamed_targets"] == 24
    assert not any("unnamed" in n or "official" in n for n in G)


def test_layers_declared_once(G):
    assert {d["layer"] for _, _, d in G.edges(data=True)} == {layer.name for layer in networks.EDGE_LAYERS}


def test_threat_is_a_retaliation_edge_from_china_to_canada(G):
    found = [(u, v) for u, v, d in G.edges(data=True) if d["layer"] == "retaliation"]
    assert found == [(ID + "actor/china", ID + "actor/canada")]


def test_sides_roll_up_people_to_states_and_blocs(dataset):
    side_of, unplaced = networks.sides(dataset)
    assert side_of[ID + "actor/reinhard-butikofer"] == ID + "actor/european-union"  # MEP -> Parliament -> EU
    assert side_of[ID + "actor/zhu-hailun"] == ID + "actor/china"  # post in the XUAR People's Congress
    assert side_of[ID + "actor/mercator-institute-for-china-studies"] == ID + "actor/germany"
    assert unplaced == [ID + "actor/adrian-zenz"]  # the article gives no affiliation for Zenz
    rolled, _ = networks.sides(dataset, roll_up_members=True)
    assert rolled[ID + "actor/mercator-institute-for-china-studies"] == ID + "actor/european-union"


def test_act_network_links(dataset):
    D = networks.act_network(dataset)
    assert D.edges[ID + "act/cn-2021-03-counter-sanction", ID + "act/eu-2021-03-sanction"]["link"] == "responds to"
    assert D.edges[ID + "act/china-arrests-two-canadians-2018", ID + "act/meng-wanzhou-detention-2018"]["link"] == "follows"
    assert D.nodes[ID + "act/ca-2024-12-sanction"]["when"] == "2024-12-10"
