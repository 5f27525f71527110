"""Centrality figures agree with an independent implementation: ours are igraph's, checked against networkx's
(networkx's PageRank and HITS need scipy, which only the test extra installs)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from kg.analysis import networks
from kg.analysis.centrality import betweenness, centrality_table, collapse, communities, hits, pagerank


def test_hand_sized_graph_by_hand():
    M = nx.MultiDiGraph()
    M.add_node("a", label="a", unnamed_targets=5)
    M.add_edges_from([("a", "b"), ("a", "b"), ("b", "c")], layer="sanction")
    M.add_edge("c", "a", layer="statement")
    rows = {r["node"]: r for r in centrality_table(M)}
    assert rows["a"]["out_degree"] == 2 and rows["a"]["out_weight"] == 7  # two acts on b, five counted targets
    assert rows["b"]["betweenness"] == 0.5  # b lies on the one path a -> c of the 2 ordered pairs (n-1)(n-2)=2
    assert rows["c"]["in_degree"] == 1 and rows["c"]["out_degree"] == 0  # the statement layer is not counted


def _hits_is_unique(D: nx.DiGraph) -> bool:
    """HITS is unique only when the top eigenvalue of A^T A is simple; with a tie (the side network:
    disconnected stars of equal size) both libraries return valid but different eigenvectors."""
    A = nx.to_numpy_array(D, weight="weight")
    top_two = np.sort(np.linalg.eigvalsh(A.T @ A))[-2:]
    return top_two[1] - top_two[0] > 1e-6


def _weighted(seed: int) -> nx.DiGraph:
    D = nx.gnp_random_graph(80, 0.05, seed=seed, directed=True)
    for i, (u, v) in enumerate(D.edges()):
        D[u][v]["weight"] = 1 + i % 4
    D.add_node("alone")  # dangling and unreached
    return D


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pagerank_and_hits_are_networkx_figures(seed):
    """PageRank and HITS moved from networkx (which needs scipy) to igraph: the figures must stay networkx's."""
    D = _weighted(seed)
    expected = nx.pagerank(D, weight="weight", tol=1e-12)
    found = pagerank(D)
    assert found.keys() == expected.keys()
    for node, value in expected.items():
        assert found[node] == pytest.approx(value, abs=1e-9), node
    assert _hits_is_unique(D)
    expected_hubs, expected_authorities = nx.hits(D, max_iter=10_000, tol=1e-12, normalized=True)
    hubs, authorities = hits(D)
    for node in D:
        assert hubs[node] == pytest.approx(expected_hubs[node], abs=1e-6), node
        assert authorities[node] == pytest.approx(expected_authorities[node], abs=1e-6), node


def test_pagerank_and_hits_of_a_graph_without_edges():
    D = nx.DiGraph()
    D.add_nodes_from("abcd")
    assert pagerank(D) == {n: 0.25 for n in "abcd"}
    assert hits(D) == ({n: 0.0 for n in "abcd"}, {n: 0.0 for n in "abcd"})


@pytest.mark.parametrize("network", ["actor", "side"])
def test_real_graph_agrees_with_networkx(dataset, network):
    nets = networks.read(dataset)
    G = nets.sides if network == "side" else nets.actors
    D = collapse(G)
    rows = {r["node"]: r for r in centrality_table(G)}
    ranks = nx.pagerank(D, weight="weight", tol=1e-12, max_iter=10_000)  # the side network converges slowly
    between = nx.betweenness_centrality(D, weight=None)
    for node in D:
        assert rows[node]["pagerank"] == pytest.approx(ranks[node], abs=1e-6), node
        assert rows[node]["betweenness"] == pytest.approx(between[node], abs=1e-6), node
        assert rows[node]["in_degree"] == D.in_degree(node, weight="weight")
    unique = _hits_is_unique(D)
    assert unique or network == "side"  # the actor network must be a real check
    if not unique:
        return
    hubs, authorities = nx.hits(D, max_iter=10_000, tol=1e-12, normalized=True)
    for node in D:
        assert rows[node]["hub"] == pytest.approx(hubs[node], abs=1e-6), node
        assert rows[node]["authority"] == pytest.approx(authorities[node], abs=1e-6), node


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_betweenness_is_networkx_betweenness(seed):
    D = nx.gnp_random_graph(60, 0.06, seed=seed, directed=True)
    D.add_edge(0, 0)  # a self-loop, which neither counts
    D.add_node("alone")
    expected = nx.betweenness_centrality(D, weight=None)
    found = betweenness(D)
    assert sum(v > 0 for v in expected.values()) > 20  # a graph with brokers, not all zeros
    assert found.keys() == expected.keys()
    for node, value in expected.items():
        assert found[node] == pytest.approx(value, abs=1e-12), node
    assert betweenness(nx.DiGraph([("a", "b")])) == {"a": 0.0, "b": 0.0}


def test_communities_find_planted_groups_and_are_stable():
    # four groups of 12 actors dense inside, with a few edges between them
    D = nx.DiGraph(nx.planted_partition_graph(4, 12, 0.6, 0.02, seed=7, directed=True))
    for u, v in D.edges():
        D[u][v]["weight"] = 1
    found = communities(D)
    assert found == communities(D)  # a fixed seed: the same numbering every run
    groups = {}
    for node, community in found.items():
        groups.setdefault(community, set()).add(node)
    assert sorted(map(sorted, groups.values())) == [list(range(i * 12, i * 12 + 12)) for i in range(4)]


def test_ties_are_ranked_as_ties_by_hand():
    from kg.analysis.centrality import ranking

    # in-degree by hand: x is targeted 3 times; a, b, c twice; d, e, f, g once; h never.
    values = {"x": 3, "a": 2, "b": 2, "c": 2, "d": 1, "e": 1, "f": 1, "g": 1, "h": 0}
    rows = [{"node": n, "label": n.upper(), "in_degree": v} for n, v in values.items()]
    r = ranking(rows, "in_degree", top=2)
    # top 2 would cut the group of three tied at 2: the whole group is shown, ranked 2 (competition ranking)
    assert [(g["rank"], g["value"], g["labels"]) for g in r["groups"]] == [(1, 3, ["X"]), (2, 2, ["A", "B", "C"])]
    assert r["levels"] == 4 and r["discriminates"]
    r = ranking(rows, "in_degree", top=5)
    assert [(g["rank"], g["count"]) for g in r["groups"]] == [(1, 1), (2, 3), (5, 4)]  # never the group of zeros


def test_a_measure_that_cannot_tell_actors_apart_says_so():
    from kg.analysis.centrality import ranking

    # every target of one imposer gets the same authority score: one value besides 0
    rows = [{"node": n, "label": n, "authority": 0.25} for n in "abcd"] + [{"node": "cn", "label": "cn", "authority": 0.0}]
    r = ranking(rows, "authority")
    assert not r["discriminates"] and r["groups"] == []
    assert r["note"] == "authority takes 2 values over 5 nodes (0.25, 0.0): too few to rank them"


def test_real_graph_rankings_never_split_a_tie(dataset):
    from kg.analysis.centrality import MEASURES, graph_size, rankings

    nets = networks.read(dataset)
    rows = centrality_table(nets.actors)
    for measure, r in rankings(rows).items():
        assert r["levels"] == len({row[measure] for row in rows})
        for group in r["groups"]:
            assert set(group["nodes"]) == {row["node"] for row in rows if row[measure] == group["value"]}, measure
        assert r["discriminates"] == (r["levels"] >= 3) and (r["groups"] or r["note"]), measure
    assert set(rankings(rows)) == set(MEASURES)
    size = graph_size(nets.actors)
    assert size["nodes"] == len(rows) and size["acts"] == sum(row["in_degree"] for row in rows)
