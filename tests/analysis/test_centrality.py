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
    G = networks.actor_network(dataset)
    if network == "side":
        side_of, _ = networks.sides(dataset)
        G = networks.side_network(G, side_of)
    D = collapse(G)
    rows = {r["node"]: r for r in centrality_table(G)}
    ranks = nx.pagerank(D, weight="weight", tol=1e-12)
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
