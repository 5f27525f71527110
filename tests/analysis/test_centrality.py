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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_estimates_from_every_node_are_the_exact_figures(seed):
    # the estimators from a sample of all n nodes must give networkx's figures (the estimate's scale n/k is 1)
    from kg.analysis.centrality import estimated_betweenness, estimated_closeness

    D = _weighted(seed)
    n = len(D)
    exact_b, exact_c = nx.betweenness_centrality(D, weight=None), nx.closeness_centrality(D)
    got_b, got_c = estimated_betweenness(D, n), estimated_closeness(D, n)
    assert all(got_b[v] == pytest.approx(exact_b[v], abs=1e-12) for v in D)
    assert all(got_c[v] == pytest.approx(exact_c[v], abs=1e-12) for v in D)


def test_estimates_from_a_sample_rank_the_leaders_as_the_exact_figures_do():
    """Betweenness and closeness are O(n·m): at 340,000 actors they are estimated from a sample of source
    nodes. On a graph with hubs (a power-law, as sanction lists are: a few imposers, many targets) the
    estimate from a fifth of the nodes must put the same nodes at the top as the exact figures."""
    from kg.analysis.centrality import estimated_betweenness, estimated_closeness

    D = nx.DiGraph(nx.scale_free_graph(1500, seed=7))
    D.remove_edges_from(nx.selfloop_edges(D))
    k = len(D) // 5
    for exact, estimate in ((nx.betweenness_centrality(D, weight=None), estimated_betweenness(D, k)),
                            (nx.closeness_centrality(D), estimated_closeness(D, k))):
        top = sorted(D, key=lambda v: -exact[v])[:5]
        found = sorted(D, key=lambda v: -estimate[v])[:10]
        assert set(top) <= set(found), (top, found)
        leaders = sorted(D, key=lambda v: -exact[v])[:20]
        assert all(estimate[v] == pytest.approx(exact[v], rel=0.35) for v in leaders)


def test_the_table_estimates_above_the_exact_budget_and_the_report_says_so(dataset, monkeypatch, tmp_path):
    import kg.analysis.centrality as centrality
    from kg.report import compute, write_report

    monkeypatch.setattr(centrality, "EXACT_WORK", 1)  # every network is now too large for exact figures
    data = compute(dataset)
    found, n = data["estimated"], data["size"]["nodes"]
    assert found["nodes"] == n and found["betweenness_sources"] == found["closeness_sources"] == 1  # the budget: 1
    D = collapse(networks.read(dataset).actors)
    between, close = centrality.estimated_betweenness(D, 1), centrality.estimated_closeness(D, 1)
    for row in data["actors"]:
        assert row["betweenness"] == round(between[row["node"]], 6) and row["closeness"] == round(close[row["node"]], 6)
    write_report(data, tmp_path)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "**Betweenness and closeness are estimated, not exact.**" in text and f"{n:,} actors" in text
    assert "estimated" not in compute(dataset.__class__())  # nothing to estimate on an empty graph
