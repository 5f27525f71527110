"""Sanction-and-retaliation chains, tit-for-tat candidates and reciprocity.

The functions take the networks of :mod:`kg.analysis.networks` (or hand-made
graphs of the same shape) and return plain rows; reports only format them.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from typing import Any, Iterable, Iterator, Mapping

import networkx as nx
from networkx.utils import not_implemented_for

__all__ = [
    "SEVERITY",
    "answers_by_measure",
    "lag_days",
    "most_answered",
    "reciprocity_by_side",
    "retaliation_chains",
    "side_cycles",
    "tit_for_tat_candidates",
]

#: How strong an answer is, by the kind of the answering act (higher is stronger).
SEVERITY: Mapping[str, int] = {
    "counter-sanction": 4,
    "sanction": 4,
    "detention or arrest": 4,
    "expulsion": 4,
    "threat": 3,
    "statement": 1,
}

#: The links of the act network that count as answers, as opposed to mere order.
ANSWER_LINKS = frozenset({"responds to", "reacts to"})


#: Longest cycle of sides ``side_cycles`` looks for by default.
MAX_CYCLE = 3


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def lag_days(earlier: Mapping[str, Any], later: Mapping[str, Any]) -> int | None:
    """Days from one act to another, when both are known to the day.

    Examples
    --------
    >>> lag_days({"date": "2024-12-10"}, {"date": "2024-12-11"})
    1
    >>> lag_days({"latest": "2018-12-31"}, {"date": "2019-01-01"}) is None
    True
    """
    a, b = _day(earlier.get("date")), _day(later.get("date"))
    if a is None or b is None:
        return None
    return (b - a).days


@not_implemented_for("undirected")
def retaliation_chains(D: nx.DiGraph, links: Iterable[str] = ANSWER_LINKS) -> list[dict[str, Any]]:
    """Every chain from a first act through its answers, one row per path.

    ``D`` is an act network: an edge ``answer -> answered`` with a ``link``
    attribute. A first act is answered but answers nothing; a chain follows
    answers until an act nobody answers. Each row has ``first``, ``steps``
    (act, label, kind, actor, date, link, lag in days from the act before)
    and ``depth`` (the number of answers).

    Examples
    --------
    >>> D = nx.DiGraph()
    >>> D.add_node("s", label="sanction", date="2021-03-22")
    >>> D.add_node("c", label="counter", date="2021-03-22")
    >>> D.add_node("x", label="condemnation", date="2021-03-23")
    >>> D.add_edge("c", "s", link="responds to"); D.add_edge("x", "c", link="reacts to")
    >>> [(r["first"], r["depth"], [s["lag"] for s in r["steps"]]) for r in retaliation_chains(D)]
    [('s', 2, [None, 0, 1])]
    """
    links = frozenset(links)
    A = nx.DiGraph()
    A.add_nodes_from(D.nodes(data=True))
    A.add_edges_from((u, v) for u, v, d in D.edges(data=True) if d.get("link") in links)
    # In A an edge points from the answer to what it answers: a first act has
    # answers (in-edges) but answers nothing (no out-edges).
    firsts = sorted(n for n in A if A.in_degree(n) and not A.out_degree(n))
    rows = []
    for first in firsts:
        for path in _answer_paths(A, first):
            steps = []
            for i, act in enumerate(path):
                data = D.nodes[act]
                step = {
                    "act": act,
                    "label": data.get("label", act),
                    "kind": data.get("kind"),
                    "actor": data.get("actor"),
                    "date": data.get("date"),
                    "when": data.get("when"),
                    "link": None if i == 0 else D.edges[act, path[i - 1]].get("link"),
                    "lag": None if i == 0 else lag_days(D.nodes[path[i - 1]], data),
                }
                steps.append(step)
            rows.append({"first": first, "depth": len(path) - 1, "steps": steps})
    return rows


def _answer_paths(A: nx.DiGraph, first: str) -> Iterator[list[str]]:
    stack = [[first]]
    while stack:
        path = stack.pop()
        answers = sorted(a for a in A.predecessors(path[-1]) if a not in path)
        if not answers:
            yield path
        for answer in reversed(answers):
            stack.append(path + [answer])


def most_answered(D: nx.DiGraph, links: Iterable[str] = ANSWER_LINKS) -> list[dict[str, Any]]:
    """Acts by how many answers they drew, most first (ties by label).

    Examples
    --------
    >>> D = nx.DiGraph()
    >>> D.add_edges_from([("a", "s"), ("b", "s"), ("c", "t")], link="responds to")
    >>> [(r["act"], r["answers"]) for r in most_answered(D)]
    [('s', 2), ('t', 1)]
    """
    links = frozenset(links)
    counts: dict[str, list[str]] = {}
    for u, v, d in D.edges(data=True):
        if d.get("link") in links:
            counts.setdefault(v, []).append(u)
    rows = [
        {
            "act": act,
            "label": D.nodes[act].get("label", act),
            "answers": len(by),
            "answered_by": sorted(D.nodes[a].get("label", a) for a in by),
        }
        for act, by in counts.items()
    ]
    return sorted(rows, key=lambda r: (-r["answers"], r["label"]))


def answers_by_measure(
    D: nx.DiGraph, measures_of: Mapping[str, Iterable[str]], links: Iterable[str] = ANSWER_LINKS
) -> list[dict[str, Any]]:
    """For each measure, the answers that sanctions with it drew and the strongest of them.

    ``measures_of`` maps a sanction to its measure labels. Strength is
    :data:`SEVERITY` of the answering act's kind.

    Examples
    --------
    >>> D = nx.DiGraph()
    >>> D.add_node("c", kind="counter-sanction"); D.add_node("x", kind="statement")
    >>> D.add_edge("c", "s", link="responds to"); D.add_edge("x", "t", link="reacts to")
    >>> [(r["measure"], r["strongest"]) for r in answers_by_measure(D, {"s": ["asset freeze"], "t": ["travel ban"]})]
    [('asset freeze', 'counter-sanction'), ('travel ban', 'statement')]
    """
    links = frozenset(links)
    found: dict[str, list[str]] = {}
    for sanction, measures in measures_of.items():
        if sanction not in D:
            continue
        answers = [u for u, _, d in D.in_edges(sanction, data=True) if d.get("link") in links]
        for measure in measures:
            found.setdefault(measure, []).extend(answers)
    rows = []
    for measure, answers in found.items():
        kinds = [D.nodes[a].get("kind", "statement") for a in answers]
        strongest = max(kinds, key=lambda k: SEVERITY.get(k, 1), default=None)
        rows.append(
            {
                "measure": measure,
                "answers": len(answers),
                "strongest": strongest,
                "strength": SEVERITY.get(strongest, 0) if strongest else 0,
            }
        )
    return sorted(rows, key=lambda r: (-r["strength"], -r["answers"], r["measure"]))


def tit_for_tat_candidates(
    acts: Mapping[str, Mapping[str, Any]],
    act_sides: Mapping[str, tuple[str, frozenset[str]]],
    D: nx.DiGraph,
    window_days: int = 30,
) -> list[dict[str, Any]]:
    """Pairs of coercive acts that look like retaliation but are not linked as such.

    ``act_sides`` maps a coercive act to (its actor's side, the sides of its
    targets). A pair (first, later) is a candidate when the later act's side
    acts against the first act's side after the first act's side acted
    against it, and either the later act comes 0 < lag <= ``window_days``
    days after the first (both known to the day), or the source says it
    "follows" it. Pairs already linked by an answer (either way) are left out:
    they are asserted, not inferred. Each row is marked ``inferred``.

    Examples
    --------
    >>> acts = {"a": {"label": "A", "date": "2020-01-01"}, "b": {"label": "B", "date": "2020-01-10"}}
    >>> act_sides = {"a": ("X", frozenset({"Y"})), "b": ("Y", frozenset({"X"}))}
    >>> [(r["first"], r["candidate"], r["lag"]) for r in tit_for_tat_candidates(acts, act_sides, nx.DiGraph())]
    [('a', 'b', 9)]
    """
    rows = []
    for first, later in _candidate_pairs(acts, act_sides, D, window_days):
        side_f, targets_f = act_sides[first]
        side_l, targets_l = act_sides[later]
        if side_f == side_l or side_l not in targets_f or side_f not in targets_l:
            continue
        if _linked(D, first, later, ANSWER_LINKS):
            continue
        follows = D.has_edge(later, first) and D.edges[later, first].get("link") == "follows"
        lag = lag_days(acts[first], acts[later])
        if not follows and (lag is None or not 0 < lag <= window_days):
            continue
        rows.append(
            {
                "first": first,
                "first_label": acts[first].get("label", first),
                "candidate": later,
                "candidate_label": acts[later].get("label", later),
                "first_side": side_f,
                "candidate_side": side_l,
                "lag": lag,
                "basis": "follows" if follows else f"within {window_days} days",
                "inferred": True,
            }
        )
    return rows


def _candidate_pairs(
    acts: Mapping[str, Mapping[str, Any]],
    act_sides: Mapping[str, tuple[str, frozenset[str]]],
    D: nx.DiGraph,
    window_days: int,
) -> list[tuple[str, str]]:
    """The ordered pairs (first, later) that can be candidates, in the order of
    ``combinations(sorted(act_sides), 2)`` with (a, b) before (b, a).

    A candidate's sides act against each other, and the later act either
    "follows" the first in ``D`` or comes 0 < lag <= ``window_days`` days after
    it: so the later acts of a first act are looked up among the acts of the
    sides it targets, by date, instead of trying all pairs.
    """
    pairs: set[tuple[str, str]] = set()
    for later, first, link in D.edges(data="link"):
        if link == "follows" and first != later and first in act_sides and later in act_sides:
            pairs.add((first, later))
    if window_days > 0:
        days = {act: _day(acts[act].get("date")) if act in acts else None for act in act_sides}
        # (side, targeted side) -> the days and acts of that side against that side, by day
        index: dict[tuple[str, str], list[tuple[date, str]]] = {}
        for act, (side, targets) in act_sides.items():
            if days[act] is not None:
                for target in targets:
                    if target != side:
                        index.setdefault((side, target), []).append((days[act], act))
        by_side = {key: (sorted(found), [d for d, _ in sorted(found)]) for key, found in index.items()}
        for first, (side_f, targets_f) in act_sides.items():
            day = days[first]
            if day is None:
                continue
            last = date.max if (date.max - day).days <= window_days else day + timedelta(days=window_days)
            for target in targets_f:
                found, found_days = by_side.get((target, side_f), ((), ()))
                for _, later in found[bisect_right(found_days, day):bisect_right(found_days, last)]:
                    pairs.add((first, later))
    order = {act: i for i, act in enumerate(sorted(act_sides))}

    def key(pair: tuple[str, str]) -> tuple[int, int, int]:
        i, j = order[pair[0]], order[pair[1]]
        return (i, j, 0) if i < j else (j, i, 1)

    return sorted(pairs, key=key)


def _linked(D: nx.DiGraph, a: str, b: str, links: frozenset[str]) -> bool:
    return any(
        D.has_edge(u, v) and D.edges[u, v].get("link") in links for u, v in ((a, b), (b, a))
    )


def reciprocity_by_side(S: nx.MultiDiGraph, layers: Iterable[str] = ("sanction", "retaliation", "coercion")) -> list[dict[str, Any]]:
    """For each pair of sides that acted against each other, the edges each way.

    ``reciprocity`` is the smaller count over the larger (1.0: perfectly
    mutual, 0.0: one-sided). Self-loops are left out.

    Examples
    --------
    >>> S = nx.MultiDiGraph()
    >>> _ = S.add_edges_from([("EU", "CN"), ("CN", "EU"), ("CN", "EU")], layer="sanction")
    >>> [(r["a"], r["b"], r["a_to_b"], r["b_to_a"], r["reciprocity"]) for r in reciprocity_by_side(S)]
    [('CN', 'EU', 2, 1, 0.5)]
    """
    layers = frozenset(layers)
    counts: dict[tuple[str, str], int] = {}
    for u, v, d in S.edges(data=True):
        if u != v and d.get("layer") in layers:
            counts[(u, v)] = counts.get((u, v), 0) + 1
    rows = []
    for a, b in sorted({tuple(sorted(p)) for p in counts}):
        ab, ba = counts.get((a, b), 0), counts.get((b, a), 0)
        rows.append(
            {
                "a": a,
                "b": b,
                "a_label": S.nodes[a].get("label", a),
                "b_label": S.nodes[b].get("label", b),
                "a_to_b": ab,
                "b_to_a": ba,
                "reciprocity": round(min(ab, ba) / max(ab, ba), 3),
            }
        )
    return sorted(rows, key=lambda r: (-r["reciprocity"], -(r["a_to_b"] + r["b_to_a"]), r["a"]))


def side_cycles(
    S: nx.MultiDiGraph,
    layers: Iterable[str] = ("sanction", "retaliation", "coercion"),
    max_length: int | None = MAX_CYCLE,
) -> list[list[str]]:
    """The cycles of the side network (A acts on B ... acts on A) of at most
    ``max_length`` sides, shortest first; ``None`` for every cycle.

    The bound is there because the number of simple cycles grows
    exponentially with the density of the side network: a synthetic graph
    of 10^4 triples already has 75 sides and 14,848 cycles, and 10^5 runs out
    of memory. Mutual pairs and triangles are what readers of sanctions
    diplomacy ask about; ``networkx.simple_cycles`` prunes longer ones
    while it searches.

    Examples
    --------
    >>> S = nx.MultiDiGraph()
    >>> _ = S.add_edges_from([("EU", "CN"), ("CN", "EU"), ("US", "CN")], layer="sanction")
    >>> side_cycles(S)
    [['CN', 'EU']]
    >>> _ = S.add_edges_from([("CN", "UK"), ("UK", "US")], layer="sanction")
    >>> side_cycles(S, max_length=2)
    [['CN', 'EU']]
    >>> side_cycles(S, max_length=None)
    [['CN', 'EU'], ['CN', 'UK', 'US']]
    """
    if max_length is not None and max_length < 1:
        raise ValueError(f"max_length must be at least 1, not {max_length}")
    layers = frozenset(layers)
    simple = nx.DiGraph((u, v) for u, v, d in S.edges(data=True) if u != v and d.get("layer") in layers)
    cycles = [_rotate(c) for c in nx.simple_cycles(simple, length_bound=max_length)]
    return sorted(cycles, key=lambda c: (len(c), c))


def _rotate(cycle: list[str]) -> list[str]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]
