"""networkx analyses of the sanctions knowledge graph.

- :mod:`kg.analysis.networks`: the actor, side and act networks, read once
  into one :class:`~kg.analysis.networks.Networks` value through the
  catalogue's queries.
- :mod:`kg.analysis.chains`: retaliation chains, the answers acts drew,
  tit-for-tat candidates, reciprocity, cycles.
- :mod:`kg.analysis.centrality`: centrality tables and rankings with ties.

:func:`chain_analysis` runs the chain analyses on the networks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["chain_analysis"]


def chain_analysis(nets, window_days: int = 30, max_cycle: int | None = None) -> dict[str, Any]:
    """All chain analyses, as plain rows.

    ``nets`` is a :class:`~kg.analysis.networks.Networks` (read once by the
    caller and shared with the other analyses), or a knowledge graph to read
    it from.

    Keys: ``definition`` (:data:`~kg.analysis.chains.CHAIN_DEFINITION`),
    ``chains`` (trees of answers), ``support`` (support and comments on
    coercive acts, which are not answers), ``dropped`` (links left out because
    the answer is dated first), ``candidates`` (inferred tit-for-tat, never
    asserted), ``reciprocity`` and its ``reciprocity_definition``,
    ``acts_against_unplaced``, ``cycles`` (of at most ``max_cycle`` sides,
    default ``chains.MAX_CYCLE``), ``most_answered``, ``answers_by_measure``,
    ``side_rule``, ``unplaced`` (labels of the actors on no side), ``labels``.
    """
    from kg.progress import stages  # noqa: PLC0415

    with stages("chains", ["networks", "chains", "candidates", "reciprocity", "cycles"]) as step:
        step("networks")
        return _chain_analysis(nets, window_days, max_cycle, step)


def _chain_analysis(nets, window_days, max_cycle, step) -> dict[str, Any]:
    import networkx as nx  # noqa: PLC0415

    from kg.analysis import chains, networks  # noqa: PLC0415

    if not isinstance(nets, networks.Networks):
        nets = networks.read(nets)
    D = nets.acts
    labels = dict(nets.labels)
    measures_of: dict[str, set[str]] = {}
    for _, _, d in nets.actors.edges(data=True):
        if d.get("layer") == "sanction" and d.get("measures"):
            measures_of.setdefault(d["act"], set()).update(d["measures"].split("; "))
    acts = {n: dict(d) for n, d in D.nodes(data=True)}
    act_sides = {act: (t.side, t.targets) for act, t in nets.act_targets.items() if t.side is not None}
    _, dropped = chains.links(D)
    by_sides = nx.DiGraph((side, target) for side, targets in act_sides.values() for target in targets)
    step("chains")
    found = chains.retaliation_chains(D, labels, nets.act_targets)
    step("candidates")
    candidates = chains.tit_for_tat_candidates(acts, act_sides, D, window_days)
    step("reciprocity")
    reciprocity = chains.reciprocity_by_side(nets.act_targets, D, labels)
    step("cycles")
    cycles = [[labels.get(s, s) for s in c]
              for c in chains.side_cycles(by_sides, layers=None, max_length=max_cycle or chains.MAX_CYCLE)]
    return {
        "definition": chains.CHAIN_DEFINITION,
        "chains": found,
        "support": chains.reactions(D, labels),
        "dropped": dropped,
        "candidates": candidates,
        "reciprocity": reciprocity,
        "reciprocity_definition": chains.RECIPROCITY_DEFINITION,
        "acts_against_unplaced": chains.acts_against_unplaced(nets.act_targets, labels),
        "cycles": cycles,
        "most_answered": chains.most_answered(D, nets.act_targets, labels),
        "answers_by_measure": chains.answers_by_measure(D, {k: sorted(v) for k, v in measures_of.items()}, nets.act_targets),
        "side_rule": networks.SIDE_RULE,
        "unplaced": [labels.get(a, a) for a in nets.unplaced],
        "labels": labels,
    }
