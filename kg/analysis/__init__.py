"""networkx analyses of the sanctions knowledge graph.

- :mod:`kg.analysis.networks`: the actor, side and act networks, built through
  the catalogue's ``edges-*.rq`` queries.
- :mod:`kg.analysis.chains`: retaliation chains, tit-for-tat candidates,
  reciprocity, cycles.
- :mod:`kg.analysis.centrality`: centrality tables.

:func:`chain_analysis` runs the chain analyses on a knowledge graph.
"""

from __future__ import annotations

from typing import Any

__all__ = ["act_sides", "chain_analysis"]


def act_sides(graph, side_of: dict[str, str]) -> dict[str, tuple[str, frozenset[str]]]:
    """For each coercive act: (its actor's side, the sides of the actors it targets)."""
    from kg.analysis.networks import _rows  # noqa: PLC0415

    found: dict[str, tuple[str, set[str]]] = {}
    for row in _rows(graph, "act-targets"):
        act, actor, target = str(row["act"]), str(row["actor"]), str(row["target"])
        side = side_of.get(actor, actor)
        found.setdefault(act, (side, set()))[1].add(side_of.get(target, target))
    return {act: (side, frozenset(targets)) for act, (side, targets) in found.items()}


def chain_analysis(
    graph, window_days: int = 30, max_cycle: int | None = None, *, actors=None, acts=None
) -> dict[str, Any]:
    """All chain analyses of a knowledge graph, as plain rows.

    ``actors`` and ``acts`` are the graph's actor and act networks when the
    caller has built them already (each is a pass over the graph); they are
    only read.

    Keys: ``chains``, ``candidates`` (inferred tit-for-tat, never asserted),
    ``reciprocity``, ``cycles`` (of at most ``max_cycle`` sides, default
    ``chains.MAX_CYCLE``), ``most_answered``, ``answers_by_measure``,
    ``unplaced`` (actors no affiliation places on a side), ``labels``.
    """
    from kg.progress import stages  # noqa: PLC0415

    with stages("chains", ["networks", "chains", "candidates", "reciprocity", "cycles"]) as step:
        step("networks")
        return _chain_analysis(graph, window_days, max_cycle, actors, acts, step)


def _chain_analysis(graph, window_days, max_cycle, actors, acts, step) -> dict[str, Any]:
    from kg.analysis import chains, networks  # noqa: PLC0415

    D = networks.act_network(graph) if acts is None else acts
    side_of, unplaced = networks.sides(graph)
    G = networks.actor_network(graph) if actors is None else actors
    labels = {n: d["label"] for n, d in G.nodes(data=True)}
    labels.update(networks.actor_labels(graph))
    S = networks.side_network(G, side_of, labels)
    measures_of: dict[str, set[str]] = {}
    for _, _, d in G.edges(data=True):
        if d.get("layer") == "sanction" and d.get("measures"):
            measures_of.setdefault(d["act"], set()).update(d["measures"].split("; "))
    acts = {n: dict(d) for n, d in D.nodes(data=True)}
    step("chains")
    found = chains.retaliation_chains(D)
    step("candidates")
    candidates = chains.tit_for_tat_candidates(acts, act_sides(graph, side_of), D, window_days)
    step("reciprocity")
    reciprocity = chains.reciprocity_by_side(S)
    step("cycles")
    cycles = [[labels.get(s, s) for s in c] for c in chains.side_cycles(S, max_length=max_cycle or chains.MAX_CYCLE)]
    return {
        "chains": found,
        "candidates": candidates,
        "reciprocity": reciprocity,
        "cycles": cycles,
        "most_answered": chains.most_answered(D),
        "answers_by_measure": chains.answers_by_measure(D, {k: sorted(v) for k, v in measures_of.items()}),
        "unplaced": [labels.get(a, a) for a in unplaced],
        "labels": labels,
    }
