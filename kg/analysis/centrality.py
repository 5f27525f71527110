"""Centrality of actors and sides in the sanction network.

Each measure is one library call on a weighted directed graph collapsed from
the actor (or side) multigraph: the weight of ``u -> v`` is the number of
acts of ``u`` against ``v``. Targets that an article only counts are never
nodes; they add to the imposer's weighted out-degree (``out_weight``).

PageRank, HITS and betweenness are igraph's (in C; networkx would need scipy
for the first two and is 2,000 times slower for the third at 10^6 triples);
closeness and communities are networkx's. The tests check igraph's figures
against networkx's.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import networkx as nx
from networkx.utils import not_implemented_for

__all__ = [
    "DEFAULT_LAYERS", "EXACT_WORK", "MEASURES", "MIN_LEVELS", "betweenness", "centrality_table", "collapse",
    "communities", "estimated_betweenness", "estimated_closeness", "estimation", "graph_size", "hits", "pagerank",
    "pivots", "ranking", "rankings",
]

#: The layers of coercive acts; statements are a separate layer.
DEFAULT_LAYERS: tuple[str, ...] = ("sanction", "retaliation", "coercion")

#: Each measure, with a sentence on what it means for sanctions.
MEASURES: Mapping[str, str] = {
    "in_degree": "How many acts target the actor: who is sanctioned, arrested or threatened most.",
    "out_degree": "How many named targets the actor acted against: who sanctions most.",
    "out_weight": "Out-degree plus the targets the articles only count ('eight officials', two named): the full reach of an imposer.",
    "pagerank": "Targets of targets count: high for actors sanctioned by actors who are themselves sanctioned, the heart of a tit-for-tat.",
    "betweenness": "How often the actor lies on the shortest chains between others: brokers that connect sanction rounds.",
    "closeness": "How few steps others need to reach the actor (incoming): how directly the actor is exposed to the network.",
    "hub": "HITS hub score: imposers that target the most-targeted actors.",
    "authority": "HITS authority score: targets of the most active imposers.",
}


@not_implemented_for("undirected")
def collapse(G: nx.MultiDiGraph, layers: Iterable[str] = DEFAULT_LAYERS) -> nx.DiGraph:
    """A weighted DiGraph from a multigraph: ``weight`` counts the edges of the given layers.

    Self-loops are dropped; node attributes are kept.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edges_from([("a", "b"), ("a", "b"), ("b", "a")], layer="sanction")
    >>> sorted(collapse(M).edges(data="weight"))
    [('a', 'b', 2), ('b', 'a', 1)]
    """
    layers = frozenset(layers)
    D = nx.DiGraph()
    D.add_nodes_from(G.nodes(data=True))
    for u, v, data in G.edges(data=True):
        if u == v or data.get("layer") not in layers:
            continue
        if D.has_edge(u, v):
            D[u][v]["weight"] += 1
        else:
            D.add_edge(u, v, weight=1)
    return D


def communities(D: nx.DiGraph) -> dict[str, int]:
    """Community of each node, numbered from 0 by size.

    Louvain modularity on the undirected weighted graph, with a fixed seed
    so that a graph always gets the same communities. (networkx's greedy
    modularity, used before, took 3 s at 10^5 triples and grew too fast for
    10^6; Louvain takes 0.5 s there and finds partitions of about the same
    modularity.)

    Examples
    --------
    >>> D = nx.DiGraph([("a", "b"), ("b", "c"), ("x", "y")])
    >>> communities(D) == {"a": 0, "b": 0, "c": 0, "x": 1, "y": 1}
    True
    """
    # D.to_undirected() would deep-copy every edge's data (1-2 s at 10^6 triples); the same edges in the same
    # order, so the same weight where both directions exist (the later one, as to_undirected keeps)
    U = nx.Graph()
    U.add_nodes_from(D)
    U.add_edges_from((u, v, dict(d)) for u, v, d in D.edges(data=True))
    if U.number_of_edges() == 0:
        return {n: i for i, n in enumerate(sorted(U))}
    parts = nx.community.louvain_communities(U, weight="weight", seed=0)
    ordered = sorted(parts, key=lambda c: (-len(c), sorted(c)))
    return {n: i for i, part in enumerate(ordered) for n in part}


def _igraph(D: nx.DiGraph):
    """``D`` as an igraph graph, its node list (vertex i is ``nodes[i]``) and its edge weights."""
    import igraph  # noqa: PLC0415

    nodes = list(D)
    index = {node: i for i, node in enumerate(nodes)}
    edges = list(D.edges(data="weight", default=1))
    g = igraph.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v, _ in edges], directed=True)
    return g, nodes, [w for _, _, w in edges]


def betweenness(D: nx.DiGraph) -> dict[str, float]:
    """Shortest-path betweenness of each node, unweighted and normalised by
    ``(n-1)(n-2)``: the figures of ``nx.betweenness_centrality(D, weight=None)``.

    Computed by igraph, whose exact Brandes algorithm is written in C: at
    10^6 triples (10,211 actors) networkx takes 73 s and igraph 0.02 s. The
    tests check the two agree.

    Examples
    --------
    >>> betweenness(nx.DiGraph([("a", "b"), ("b", "c")]))
    {'a': 0.0, 'b': 0.5, 'c': 0.0}
    """
    n = len(D)
    if n <= 2:
        return {node: 0.0 for node in D}
    g, nodes, _ = _igraph(D)
    scale = 1 / ((n - 1) * (n - 2))
    return {node: value * scale for node, value in zip(nodes, g.betweenness(directed=True))}


#: Nodes times edges of the collapsed network up to which betweenness and closeness are computed exactly
#: (both take a shortest-path search from every node: O(n·m)). Above it, at 10^7 triples with an
#: OpenSanctions-sized import (340,000 actors), they are estimated from searches from a sample of nodes.
EXACT_WORK = 5 * 10**9
#: The most nodes the closeness estimate searches from (each search's distances are summed in numpy).
CLOSENESS_PIVOTS = 500
#: The seed of the sample, so that a graph always gets the same estimates.
SAMPLE_SEED = 0


def pivots(n: int, m: int) -> int | None:
    """How many source nodes betweenness is estimated from on a network of ``n`` nodes and ``m`` edges:
    None (exact) when ``n·m`` is at most :data:`EXACT_WORK`, else as many as that work allows.

    Examples
    --------
    >>> pivots(10_000, 80_000) is None
    True
    >>> pivots(340_000, 700_000)
    7142
    """
    if n * m <= EXACT_WORK:
        return None
    return max(1, min(n, EXACT_WORK // max(m, 1)))


def estimation(n: int, m: int) -> dict[str, Any] | None:
    """How betweenness and closeness are estimated on a collapsed network of ``n`` nodes and ``m`` edges
    (:func:`graph_size`'s ``nodes`` and ``pairs``), for the report to say; None: they are exact."""
    k = pivots(n, m)
    if k is None:
        return None
    return {"nodes": n, "edges": m, "exact_work": EXACT_WORK,
            "betweenness_sources": k, "closeness_sources": min(k, CLOSENESS_PIVOTS), "seed": SAMPLE_SEED,
            "method": "betweenness: Brandes and Pich's estimate (the dependencies of shortest paths from a uniform "
                      "sample of source nodes, scaled by n/k); closeness: the distances from a uniform sample of "
                      "source nodes (Eppstein and Wang), with the share of the sample that reaches a node standing "
                      "for the share of all nodes that do"}


def _sample(nodes: list, k: int) -> list[int]:
    import random  # noqa: PLC0415

    return sorted(random.Random(SAMPLE_SEED).sample(range(len(nodes)), k))


def estimated_betweenness(D: nx.DiGraph, k: int) -> dict[str, float]:
    """Betweenness (as :func:`betweenness` normalises it) estimated from ``k`` sampled source nodes
    (Brandes and Pich 2007): each source's dependencies, summed and scaled by n/k; exact when k = n."""
    n = len(D)
    if n <= 2:
        return {node: 0.0 for node in D}
    g, nodes, _ = _igraph(D)
    sources = _sample(nodes, min(k, n))
    scale = (n / len(sources)) / ((n - 1) * (n - 2))
    return {node: value * scale for node, value in zip(nodes, g.betweenness(directed=True, sources=sources))}


def estimated_closeness(D: nx.DiGraph, k: int) -> dict[str, float]:
    """Incoming closeness (``nx.closeness_centrality``'s, Wasserman and Faust's form for graphs that are not
    strongly connected) estimated from the distances from ``k`` sampled source nodes: for a node reached
    by ``c`` of them other than itself, at distances summing to ``d``, ``(n/k·c) / (n-1) · c / d``; exact
    in expectation of its parts, and exact when k = n."""
    import numpy as np  # noqa: PLC0415

    n = len(D)
    if n <= 1:
        return {node: 0.0 for node in D}
    g, nodes, _ = _igraph(D)
    sources = _sample(nodes, min(k, n))
    reached = np.zeros(n)
    total = np.zeros(n)
    for source in sources:
        order, starts, _ = g.bfs(source, mode="out")
        order = np.asarray(order[1:], dtype=np.int64)  # the source itself, at distance 0, is not one of its own reachers
        depth = np.repeat(np.arange(len(starts) - 1), np.diff(starts))[1:]
        reached[order] += 1
        total[order] += depth
    share = reached * (n / len(sources))
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(total > 0, share / (n - 1) * reached / total, 0.0)
    return {node: float(value) for node, value in zip(nodes, values)}


def pagerank(D: nx.DiGraph, damping: float = 0.85) -> dict[str, float]:
    """PageRank of each node over the ``weight`` of the edges: the figures of
    ``nx.pagerank(D, alpha=damping, weight="weight")`` (dangling nodes spread
    their rank evenly, as there), computed exactly by igraph's PRPACK.

    Examples
    --------
    By hand: with ``x`` the rank of a and of c, and ``y`` of b (dangling),
    ``x = 0.15/3 + 0.85 y/3`` and ``2x + y = 1``, so ``x = 1/4.7``.

    >>> ranks = pagerank(nx.DiGraph([("a", "b"), ("c", "b")]))
    >>> round(ranks["a"], 6), round(ranks["b"], 6)
    (0.212766, 0.574468)
    """
    if D.number_of_edges() == 0:
        return {node: 1 / len(D) for node in D}
    g, nodes, weights = _igraph(D)
    return dict(zip(nodes, g.pagerank(directed=True, damping=damping, weights=weights)))


def hits(D: nx.DiGraph) -> tuple[dict[str, float], dict[str, float]]:
    """HITS hub and authority scores over the ``weight`` of the edges, each
    summing to 1: the figures of ``nx.hits(D, normalized=True)``, computed by
    igraph. All zero for a graph without edges. Where the top eigenvalue is
    not simple (disconnected parts of equal weight) the scores are one of
    several valid answers, as they are in networkx.

    Examples
    --------
    By hand: the hubs a and d have ``A A^T = [[2, 1], [1, 1]]``, whose top
    eigenvector is ``(1, 0.618)``: a's share is ``1 / 1.618 = 0.618``.

    >>> hubs, authorities = hits(nx.DiGraph([("a", "b"), ("a", "c"), ("d", "c")]))
    >>> round(hubs["a"], 4), round(authorities["c"], 4)
    (0.618, 0.618)
    """
    if D.number_of_edges() == 0:
        zeros = {node: 0.0 for node in D}
        return zeros, dict(zeros)
    import warnings  # noqa: PLC0415

    g, nodes, weights = _igraph(D)
    with warnings.catch_warnings():  # igraph warns when many scores are 0 (a star, say): they are right
        warnings.simplefilter("ignore", RuntimeWarning)
        hub = g.hub_score(weights=weights, scale=False)
        authority = g.authority_score(weights=weights, scale=False)
    hub_sum, authority_sum = sum(hub) or 1.0, sum(authority) or 1.0
    return ({n: h / hub_sum for n, h in zip(nodes, hub)},
            {n: a / authority_sum for n, a in zip(nodes, authority)})


@not_implemented_for("undirected")
def centrality_table(
    G: nx.MultiDiGraph, layers: Iterable[str] = DEFAULT_LAYERS, side_of: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per actor with every measure of :data:`MEASURES` and its community.

    Sorted by PageRank, then label. ``side`` is the actor's side where
    ``side_of`` places it.

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> M.add_node("eu", label="EU", unnamed_targets=3)
    >>> _ = M.add_edges_from([("eu", "p1"), ("eu", "p2"), ("cn", "eu")], layer="sanction")
    >>> rows = {r["node"]: r for r in centrality_table(M)}
    >>> rows["eu"]["out_degree"], rows["eu"]["out_weight"], rows["eu"]["in_degree"]
    (2, 5, 1)
    """
    D = collapse(G, layers)
    ranks = pagerank(D)
    k = pivots(D.number_of_nodes(), D.number_of_edges())  # None: exact (see estimation())
    between = betweenness(D) if k is None else estimated_betweenness(D, k)
    closeness = nx.closeness_centrality(D) if k is None else estimated_closeness(D, min(k, CLOSENESS_PIVOTS))
    hubs, authorities = hits(D)
    community = communities(D)
    rows = []
    for node, data in D.nodes(data=True):
        out_degree = int(D.out_degree(node, weight="weight"))
        rows.append(
            {
                "node": node,
                "label": data.get("label", node),
                "kind": data.get("kind", ""),
                "side": (side_of or {}).get(node, ""),
                "in_degree": int(D.in_degree(node, weight="weight")),
                "out_degree": out_degree,
                "out_weight": out_degree + int(data.get("unnamed_targets", 0)),
                "pagerank": round(ranks[node], 6) + 0.0,
                "betweenness": round(between[node], 6),
                "closeness": round(closeness[node], 6),
                "hub": round(hubs.get(node, 0.0), 6) + 0.0,
                "authority": round(authorities.get(node, 0.0), 6) + 0.0,
                "community": community.get(node, -1),
            }
        )
    return sorted(rows, key=lambda r: (-r["pagerank"], r["label"]))


#: Fewest distinct values a measure must take over the ranked nodes to rank them at all.
MIN_LEVELS = 3


def ranking(
    rows: list[Mapping[str, Any]], measure: str, top: int = 5, min_levels: int = MIN_LEVELS
) -> dict[str, Any]:
    """A measure's ranking with ties shown as ties, and whether it can rank this graph at all.

    The rows (of :func:`centrality_table`) are grouped by their value of
    ``measure``, highest first; each group has a competition ``rank`` (1, 2,
    2, 4: a group of n tied rows takes n places), its ``value``, ``count`` and
    the ``nodes`` and ``labels`` in it. ``groups`` holds whole groups, highest
    first, until at least ``top`` rows are in them, and never a group of
    zeros; ``levels`` is how many distinct values the measure takes over all
    the rows. With fewer than ``min_levels`` levels the measure cannot tell
    the nodes apart on this graph: ``discriminates`` is False, ``groups`` is
    empty and ``note`` says why.

    Examples
    --------
    >>> rows = [{"node": n, "label": n.upper(), "deg": d} for n, d in [("a", 3), ("b", 1), ("c", 1), ("d", 1), ("e", 0)]]
    >>> r = ranking(rows, "deg", top=2)
    >>> r["levels"], r["discriminates"], [(g["rank"], g["value"], g["labels"]) for g in r["groups"]]
    (3, True, [(1, 3, ['A']), (2, 1, ['B', 'C', 'D'])])
    >>> ranking(rows[1:], "deg")["discriminates"], ranking(rows[1:], "deg")["note"]
    (False, 'deg takes 2 values over 4 nodes (1, 0): too few to rank them')
    """
    values: dict[Any, list[Mapping[str, Any]]] = {}
    for row in rows:
        values.setdefault(row[measure], []).append(row)
    ordered = sorted(values, reverse=True)
    levels = len(ordered)
    result: dict[str, Any] = {"measure": measure, "levels": levels, "nodes": len(rows),
                              "discriminates": levels >= min_levels, "note": "", "groups": [], "groups_total": levels}
    if not result["discriminates"]:
        shown = ", ".join(str(v) for v in ordered)
        result["note"] = (f"{measure} takes {levels} value{'s' if levels != 1 else ''} over {len(rows)} nodes"
                          f"{f' ({shown})' if levels else ''}: too few to rank them")
        return result
    rank, covered = 1, 0
    for value in ordered:
        members = sorted(values[value], key=lambda r: (str(r.get("label", r["node"])), r["node"]))
        if covered >= top or not value:
            break
        result["groups"].append({"rank": rank, "value": value, "count": len(members),
                                 "nodes": [r["node"] for r in members],
                                 "labels": [str(r.get("label", r["node"])) for r in members]})
        covered += len(members)
        rank += len(members)
    return result


def rankings(rows: list[Mapping[str, Any]], measures: Iterable[str] = tuple(MEASURES), top: int = 5) -> dict[str, dict[str, Any]]:
    """:func:`ranking` of every measure, by name."""
    return {measure: ranking(rows, measure, top) for measure in measures}


@not_implemented_for("undirected")
def graph_size(G: nx.MultiDiGraph, layers: Iterable[str] = DEFAULT_LAYERS) -> dict[str, Any]:
    """How big the network the measures are computed on is: the size a reader needs to weigh them.

    ``nodes`` (actors), ``acts`` (edges of the layers: one per act and
    target), ``pairs`` (distinct ordered pairs with an act), ``density``
    (pairs over possible pairs) and ``components`` (weakly connected).

    Examples
    --------
    >>> M = nx.MultiDiGraph()
    >>> _ = M.add_edges_from([("a", "b"), ("a", "b"), ("c", "d")], layer="sanction")
    >>> graph_size(M)
    {'nodes': 4, 'acts': 3, 'pairs': 2, 'density': 0.167, 'components': 2}
    """
    D = collapse(G, layers)
    n = D.number_of_nodes()
    acts = sum(w for _, _, w in D.edges(data="weight"))
    return {
        "nodes": n,
        "acts": int(acts),
        "pairs": D.number_of_edges(),
        "density": round(nx.density(D), 3) if n > 1 else 0.0,
        "components": nx.number_weakly_connected_components(D) if n else 0,
    }
