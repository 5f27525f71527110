"""Sanction-and-retaliation chains, the answers acts drew, tit-for-tat candidates and reciprocity.

The functions take the networks of :mod:`kg.analysis.networks` (or hand-made
graphs of the same shape) and return plain rows; reports only format them.
:data:`CHAIN_DEFINITION` says in words what :func:`retaliation_chains` does.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from typing import Any, Iterable, Mapping

import networkx as nx
from networkx.utils import not_implemented_for

from kg.analysis.definitions import CHAIN_DEFINITION, RECIPROCITY_DEFINITION  # re-exported: the words live apart from the code

__all__ = [
    "ANSWER",
    "CHAIN_DEFINITION",
    "COERCIVE",
    "COMMENT",
    "HOSTILE_STANCES",
    "RECIPROCITY_DEFINITION",
    "SEVERITY",
    "SUPPORT",
    "SUPPORTIVE_STANCES",
    "answers_by_measure",
    "classify",
    "dated_before",
    "lag_days",
    "links",
    "most_answered",
    "reactions",
    "acts_against_unplaced",
    "reciprocity_by_side",
    "retaliation_chains",
    "side_cycles",
    "tit_for_tat_candidates",
    "when_text",
]

_KG = "https://w3id.org/sanctions-kg/ontology#"
_STANCE = "https://w3id.org/sanctions-kg/stance/"

#: The classes of coercive acts, the acts a chain can start with (those ``act-targets.rq`` and reciprocity count).
COERCIVE = frozenset({_KG + "Sanction", _KG + "CounterSanction", _KG + "Detention", _KG + "Expulsion", _KG + "Threat"})
#: Classes of statements (an act network node of these classes, or with a stance, is a statement).
_STATEMENTS = frozenset({_KG + "Statement", _KG + "Threat"})

#: Stances of a statement that answers an act with hostility.
HOSTILE_STANCES = frozenset(_STANCE + s for s in ("Accusation", "Call", "Concern", "Condemnation", "Denial", "Threat"))
#: Stances of a statement that supports an act: praise, a defence of it, a pledge to go on.
SUPPORTIVE_STANCES = frozenset(_STANCE + s for s in ("Commitment", "Justification", "Praise"))

#: What a link from one act to an earlier one makes of it (see :func:`classify`).
ANSWER, SUPPORT, COMMENT = "answer", "support", "comment"

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


def _bounds(attrs: Mapping[str, Any]) -> tuple[date | None, date | None]:
    """The earliest and latest day an act can have taken place (None: unbounded)."""
    day = _day(attrs.get("date"))
    if day is not None:
        return day, day
    return _day(attrs.get("earliest")), _day(attrs.get("latest"))


def dated_before(answer: Mapping[str, Any], answered: Mapping[str, Any]) -> bool:
    """Whether an answer certainly took place before the act it answers.

    True when the answer's latest possible day (its date, else its latest
    bound) is before the answered act's earliest possible day (its date, else
    its earliest bound). Overlapping or open ranges are not "before".

    Examples
    --------
    >>> dated_before({"date": "2021-03-22"}, {"date": "2021-03-24"})
    True
    >>> dated_before({"latest": "2021-03-31"}, {"earliest": "2021-03-01", "latest": "2021-03-31"})
    False
    >>> dated_before({"latest": "2020-12-31"}, {"earliest": "2021-01-01"}), dated_before({}, {"date": "2021-01-01"})
    (True, False)
    """
    _, latest = _bounds(answer)
    earliest, _ = _bounds(answered)
    return latest is not None and earliest is not None and latest < earliest


def when_text(attrs: Mapping[str, Any]) -> str:
    """An act's date as text: the day, else the range ``earliest/latest`` (ISO 8601, ``..`` for an open end), else "".

    Examples
    --------
    >>> when_text({"date": "2021-03-22"}), when_text({"earliest": "2018-01-01", "latest": "2018-12-31"})
    ('2021-03-22', '2018-01-01/2018-12-31')
    >>> when_text({"latest": "2024-12-11"}), when_text({})
    ('../2024-12-11', '')
    """
    if attrs.get("date"):
        return str(attrs["date"])
    earliest, latest = attrs.get("earliest"), attrs.get("latest")
    if earliest or latest:
        return f"{earliest or '..'}/{latest or '..'}"
    return ""


def _is_statement(attrs: Mapping[str, Any]) -> bool:
    return attrs.get("class") in _STATEMENTS or bool(attrs.get("stance"))


def classify(answer: Mapping[str, Any], answered: Mapping[str, Any], link: str) -> str | None:
    """What a link from ``answer`` to the earlier act ``answered`` is: :data:`ANSWER`, :data:`SUPPORT`, :data:`COMMENT` or None.

    None for a link that is not an answer at all ("follows": the source gives
    only the order). Support: the same side as the answered act (a defence of
    its own act), or a statement with a supportive stance. Answer: an act that
    responds to it (kg:respondsTo) and is not a statement, or a statement with
    a hostile stance. Comment: any other statement. Sides are the nodes'
    ``side``; an act on no side is on another side than any act.

    Examples
    --------
    >>> eu = {"side": "EU", "class": _KG + "Sanction"}
    >>> classify({"side": "CN", "class": _KG + "CounterSanction"}, eu, "responds to")
    'answer'
    >>> classify({"side": "US", "stance": _STANCE + "Praise"}, eu, "reacts to")
    'support'
    >>> classify({"side": "EU", "stance": _STANCE + "Condemnation"}, eu, "reacts to")
    'support'
    >>> classify({"side": "CN", "stance": _STANCE + "Claim"}, eu, "reacts to"), classify({}, eu, "follows")
    ('comment', None)
    """
    if link not in ANSWER_LINKS:
        return None
    side = answer.get("side")
    if side is not None and side == answered.get("side"):
        return SUPPORT
    if not _is_statement(answer):
        return ANSWER if link == "responds to" else COMMENT
    stance = answer.get("stance")
    if stance in SUPPORTIVE_STANCES:
        return SUPPORT
    if stance in HOSTILE_STANCES:
        return ANSWER
    return COMMENT


def links(D: nx.DiGraph) -> tuple[list[tuple[str, str, str]], list[dict[str, Any]]]:
    """The act network's answer links, classified, and the links left out because the answer comes first.

    Returns ``(kept, dropped)``: ``kept`` is ``(answer, answered, what)`` for
    every "responds to" or "reacts to" link whose answer is not
    :func:`dated_before` the act, ``what`` from :func:`classify`; ``dropped``
    has a row for each link left out, with both acts' dates.
    """
    kept, dropped = [], []
    for u, v, d in sorted(D.edges(data=True), key=lambda e: (e[0], e[1])):
        what = classify(D.nodes[u], D.nodes[v], d.get("link"))
        if what is None:
            continue
        if dated_before(D.nodes[u], D.nodes[v]):
            dropped.append({
                "answer": u, "answer_label": D.nodes[u].get("label", u), "answer_when": when_text(D.nodes[u]),
                "answered": v, "answered_label": D.nodes[v].get("label", v), "answered_when": when_text(D.nodes[v]),
                "link": d.get("link"), "curated": bool(d.get("curated")), "reason": d.get("reason", ""),
                "why": "the answer is dated before the act it answers",
                "quote": D.nodes[u].get("quote", ""), "article": D.nodes[u].get("article", ""),
            })
            continue
        kept.append((u, v, what))
    return kept, dropped


def _order(D: nx.DiGraph, act: str) -> tuple[str, str, str]:
    """Time order: by best day (undated last), then label, then IRI."""
    data = D.nodes[act]
    return (data.get("date") or data.get("earliest") or data.get("latest") or "9999", data.get("label", act), act)


def _step(D: nx.DiGraph, act: str, parent: str | None, level: int, labels: Mapping[str, str],
          act_targets: Mapping[str, Any]) -> dict[str, Any]:
    data = D.nodes[act]
    edge = D.edges[act, parent] if parent is not None else {}
    targets = getattr(act_targets.get(parent), "targets", frozenset()) if parent is not None else frozenset()
    side = data.get("side")
    return {
        "act": act,
        "label": data.get("label", act),
        "kind": data.get("kind"),
        "actor": data.get("actor"),
        "actor_label": labels.get(data.get("actor"), "") if data.get("actor") else "",
        "side": side,
        "side_label": labels.get(side, "") if side else "",
        "level": level,
        "parent": parent,
        "link": edge.get("link"),
        "stance": data.get("stance"),
        "date": data.get("date"),
        "earliest": data.get("earliest"),
        "latest": data.get("latest"),
        "when": when_text(data),
        "lag": None if parent is None else lag_days(D.nodes[parent], data),
        "by_target_side": None if parent is None else (side is not None and side in targets),
        "quote": data.get("quote", ""),
        "article": data.get("article", ""),
        "link_curated": bool(edge.get("curated")),
        "link_reason": edge.get("reason", ""),
    }


@not_implemented_for("undirected")
def retaliation_chains(
    D: nx.DiGraph, labels: Mapping[str, str] | None = None, act_targets: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The chains of :data:`CHAIN_DEFINITION`, one per first act, each a tree of answers in time order.

    ``D`` is an act network (an edge ``answer -> answered`` with ``link``;
    nodes with ``class``, ``side``, ``stance`` and dates); ``labels`` names
    actors and sides; ``act_targets`` (:class:`~kg.analysis.networks.ActTargets`
    by act) says whether an answer comes from the side its act targeted.

    Each chain: ``first`` (the coercive act it starts with), ``label``,
    ``acts`` (how many acts, the first included), ``depth`` (the longest run
    of answers) and ``steps``: the tree in depth-first order, each answer
    after the act it answers and answers to one act in time order. A step has
    ``level`` (0 for the first act), ``parent`` (the act it answers),
    ``also_answers`` (other acts of the chain it answers), ``link``, ``lag``
    (days, when both days are known), ``when`` (a day or a range),
    ``by_target_side``, the act's ``quote`` and ``article`` and whether the
    link is curated (``link_curated``, ``link_reason``). Chains are in the
    time order of their first acts.

    Examples
    --------
    >>> D = nx.DiGraph()
    >>> D.add_node("s", label="EU sanctions", date="2021-03-22", side="EU", **{"class": _KG + "Sanction"})
    >>> D.add_node("c", label="counter", date="2021-03-22", side="CN", **{"class": _KG + "CounterSanction"})
    >>> D.add_node("x", label="condemnation", date="2021-03-23", side="EU", stance=_STANCE + "Condemnation")
    >>> D.add_node("p", label="praise", date="2021-03-22", side="US", stance=_STANCE + "Praise")
    >>> D.add_edge("c", "s", link="responds to"); D.add_edge("x", "c", link="reacts to")
    >>> D.add_edge("p", "s", link="reacts to")
    >>> [(r["first"], r["depth"], [(s["act"], s["level"], s["lag"]) for s in r["steps"]]) for r in retaliation_chains(D)]
    [('s', 2, [('s', 0, None), ('c', 1, 0), ('x', 2, 1)])]
    """
    labels = labels or {}
    act_targets = act_targets or {}
    kept, _ = links(D)
    answers: dict[str, list[str]] = {}
    answering: dict[str, list[str]] = {}
    for u, v, what in kept:
        if what == ANSWER and u != v:
            answers.setdefault(v, []).append(u)
            answering.setdefault(u, []).append(v)
    coercive = {n for n, d in D.nodes(data=True) if d.get("class") in COERCIVE}
    firsts = [n for n in coercive if n in answers and not any(v in coercive for v in answering.get(n, ()))]
    rows = []
    for first in sorted(firsts, key=lambda n: _order(D, n)):
        steps: list[dict[str, Any]] = []
        placed: set[str] = {first}
        stack: list[tuple[str, str | None, int]] = [(first, None, 0)]
        while stack:
            act, parent, level = stack.pop()
            steps.append(_step(D, act, parent, level, labels, act_targets))
            children = [a for a in sorted(answers.get(act, ()), key=lambda n: _order(D, n)) if a not in placed]
            placed.update(children)
            stack.extend((child, act, level + 1) for child in reversed(children))
        for step in steps:
            step["also_answers"] = sorted(v for v in answering.get(step["act"], ()) if v in placed and v != step["parent"])
        rows.append({
            "first": first,
            "label": D.nodes[first].get("label", first),
            "when": when_text(D.nodes[first]),
            "acts": len(steps),
            "depth": max(s["level"] for s in steps),
            "steps": steps,
        })
    return rows


def reactions(D: nx.DiGraph, labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Support and comments on coercive acts: the links :func:`classify` does not make answers, kept apart.

    One row per (statement or act, coercive act it is about): ``act``,
    ``act_label``, ``reaction``, ``reaction_label``, ``what`` (support or
    comment), ``why`` ("own side", or the stance), ``side``, ``when``,
    ``quote``, ``article``, ``curated`` (and the curator's ``reason``). In the time order of the acts.

    Examples
    --------
    >>> D = nx.DiGraph()
    >>> D.add_node("s", label="EU sanctions", side="EU", **{"class": _KG + "Sanction"})
    >>> D.add_node("p", label="praise", side="US", stance=_STANCE + "Praise")
    >>> D.add_edge("p", "s", link="reacts to")
    >>> [(r["act"], r["reaction"], r["what"], r["why"]) for r in reactions(D)]
    [('s', 'p', 'support', 'praise')]
    """
    labels = labels or {}
    kept, _ = links(D)
    rows = []
    for u, v, what in kept:
        if what == ANSWER or D.nodes[v].get("class") not in COERCIVE:
            continue
        data = D.nodes[u]
        own = data.get("side") is not None and data.get("side") == D.nodes[v].get("side")
        stance = data.get("stance")
        rows.append({
            "act": v,
            "act_label": D.nodes[v].get("label", v),
            "reaction": u,
            "reaction_label": data.get("label", u),
            "what": what,
            "why": "own side" if own else (stance.rsplit("/", 1)[-1].lower() if stance else "no stance"),
            "side": data.get("side"),
            "side_label": labels.get(data.get("side"), "") if data.get("side") else "",
            "when": when_text(data),
            "quote": data.get("quote", ""),
            "article": data.get("article", ""),
            "curated": bool(D.edges[u, v].get("curated")),
            "reason": D.edges[u, v].get("reason", ""),
        })
    return sorted(rows, key=lambda r: (_order(D, r["act"]), _order(D, r["reaction"])))


def _ranked(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows sorted by ``key`` descending with a competition rank ("1224") and ``tied`` (how many share it)."""
    counts: dict[Any, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    rank, previous = 0, object()
    for i, row in enumerate(rows):
        if row[key] != previous:
            rank, previous = i + 1, row[key]
        row["rank"] = rank
        row["tied"] = counts[row[key]]
    return rows


def most_answered(
    D: nx.DiGraph, act_targets: Mapping[str, Any], labels: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Acts by how many answers they drew from the side they targeted, most first, ranked with ties.

    Only answers (:func:`classify`) from a side the act targeted count
    (``answers``); hostile answers from other sides (``other_answers``) and
    support (``support``) are shown beside, never counted. Acts no target's
    side answered are left out. Each row has ``rank`` (competition ranking:
    equal counts share a rank) and ``tied`` (how many rows share it).

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> D = nx.DiGraph()
    >>> D.add_node("s", label="EU on CN", side="EU"); D.add_node("t", label="CA on CN", side="CA")
    >>> D.add_node("c", side="CN", **{"class": _KG + "CounterSanction"}); D.add_node("p", side="US", stance=_STANCE + "Praise")
    >>> D.add_edges_from([("c", "s"), ("c", "t")], link="responds to"); D.add_edge("p", "s", link="reacts to")
    >>> [(r["act"], r["answers"], r["support"], r["rank"], r["tied"]) for r in most_answered(D, {"s": T(targets={"CN"}), "t": T(targets={"CN"})})]
    [('t', 1, 0, 1, 2), ('s', 1, 1, 1, 2)]
    """
    labels = labels or {}
    kept, _ = links(D)
    found: dict[str, dict[str, list[str]]] = {}
    for u, v, what in kept:
        entry = found.setdefault(v, {"answers": [], "other": [], "support": []})
        if what == ANSWER:
            targets = getattr(act_targets.get(v), "targets", frozenset())
            side = D.nodes[u].get("side")
            entry["answers" if side is not None and side in targets else "other"].append(u)
        elif what == SUPPORT:
            entry["support"].append(u)
    rows = []
    for act, entry in found.items():
        if not entry["answers"]:
            continue
        data = D.nodes[act]
        rows.append({
            "act": act,
            "label": data.get("label", act),
            "when": when_text(data),
            "side": data.get("side"),
            "side_label": labels.get(data.get("side"), "") if data.get("side") else "",
            "answers": len(entry["answers"]),
            "answered_by": sorted(D.nodes[a].get("label", a) for a in entry["answers"]),
            "other_answers": len(entry["other"]),
            "support": len(entry["support"]),
            "quote": data.get("quote", ""),
            "article": data.get("article", ""),
        })
    rows.sort(key=lambda r: (-r["answers"], _order(D, r["act"])))
    return _ranked(rows, "answers")


def answers_by_measure(
    D: nx.DiGraph, measures_of: Mapping[str, Iterable[str]], act_targets: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """For each measure, the sanctions with it, the answers they drew from the side they targeted, and the strongest.

    ``measures_of`` maps a sanction to its measure labels. Only answers
    (:func:`classify`) from a targeted side count, as in :func:`most_answered`.
    Strength is :data:`SEVERITY` of the answering act's kind. Ranked by
    strength, then answers, with ties marked (``rank``, ``tied``).

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> D = nx.DiGraph()
    >>> D.add_node("s", side="EU"); D.add_node("t", side="CA")
    >>> D.add_node("c", kind="counter-sanction", side="CN", **{"class": _KG + "CounterSanction"})
    >>> D.add_node("p", kind="statement", side="US", stance=_STANCE + "Praise")
    >>> D.add_edge("c", "s", link="responds to"); D.add_edge("p", "t", link="reacts to")
    >>> rows = answers_by_measure(D, {"s": ["asset freeze"], "t": ["travel ban"]}, {"s": T(targets={"CN"}), "t": T(targets={"CN"})})
    >>> [(r["measure"], r["sanctions"], r["answers"], r["strongest"]) for r in rows]
    [('asset freeze', 1, 1, 'counter-sanction'), ('travel ban', 1, 0, None)]
    """
    kept, _ = links(D)
    by_target: dict[str, list[str]] = {}
    for u, v, what in kept:
        targets = getattr(act_targets.get(v), "targets", frozenset())
        if what == ANSWER and D.nodes[u].get("side") in targets:
            by_target.setdefault(v, []).append(u)
    found: dict[str, dict[str, list[str]]] = {}
    for sanction, measures in measures_of.items():
        if sanction not in D:
            continue
        for measure in measures:
            entry = found.setdefault(measure, {"sanctions": [], "answers": []})
            entry["sanctions"].append(sanction)
            entry["answers"].extend(by_target.get(sanction, ()))
    rows = []
    for measure, entry in found.items():
        kinds = [D.nodes[a].get("kind", "statement") for a in entry["answers"]]
        strongest = max(kinds, key=lambda k: SEVERITY.get(k, 1), default=None)
        rows.append({
            "measure": measure,
            "sanctions": len(entry["sanctions"]),
            "answered": sum(1 for s in entry["sanctions"] if by_target.get(s)),
            "answers": len(entry["answers"]),
            "strongest": strongest,
            "strength": SEVERITY.get(strongest, 1) if strongest else 0,
            "acts": sorted(entry["sanctions"]),
        })
    rows.sort(key=lambda r: (-r["strength"], -r["answers"], r["measure"]))
    for row in rows:
        row["_key"] = (row["strength"], row["answers"])
    _ranked(rows, "_key")
    for row in rows:
        del row["_key"]
    return rows


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
                "first_quote": acts[first].get("quote", ""),
                "first_article": acts[first].get("article", ""),
                "candidate_quote": acts[later].get("quote", ""),
                "candidate_article": acts[later].get("article", ""),
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


def reciprocity_by_side(
    act_targets: Mapping[str, Any], D: nx.DiGraph | None = None, labels: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """For each pair of sides that acted against each other, the coercive acts each way (:data:`RECIPROCITY_DEFINITION`).

    ``act_targets`` maps a coercive act to its :class:`~kg.analysis.networks.ActTargets`
    (``side`` and ``targets``, the sides of its named and counted targets).
    An act counts once per side it targets. Each row: ``a``, ``b`` (sorted),
    ``a_to_b`` and ``b_to_a`` (acts), the acts themselves (``a_to_b_acts``),
    the ``first`` and ``last`` day each way (``a_to_b_first``...; from ``D``'s
    dates, a range's earliest and latest), and ``reciprocity``: the smaller
    count over the larger. Acts on their own side are left out.

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> acts = {"e1": T(side="EU", targets={"CN"}), "c1": T(side="CN", targets={"EU"}), "c2": T(side="CN", targets={"EU", "CN"})}
    >>> [(r["a"], r["b"], r["a_to_b"], r["b_to_a"], r["reciprocity"]) for r in reciprocity_by_side(acts)]
    [('CN', 'EU', 2, 1, 0.5)]
    """
    labels = labels or {}
    way: dict[tuple[str, str], list[str]] = {}
    for act, targets in act_targets.items():
        side = getattr(targets, "side", None)
        if side is None:
            continue
        for target in targets.targets:
            if target != side:
                way.setdefault((side, target), []).append(act)

    def days(acts: list[str]) -> tuple[str, str]:
        if D is None:
            return "", ""
        lows = [str(_bounds(D.nodes[a])[0] or "") for a in acts if a in D]
        highs = [str(_bounds(D.nodes[a])[1] or "") for a in acts if a in D]
        lows, highs = [d for d in lows if d], [d for d in highs if d]
        return (min(lows) if lows else "", max(highs) if highs else "")

    rows = []
    for a, b in sorted({tuple(sorted(pair)) for pair in way}):
        ab, ba = sorted(way.get((a, b), [])), sorted(way.get((b, a), []))
        row = {"a": a, "b": b, "a_label": labels.get(a, a), "b_label": labels.get(b, b),
               "a_to_b": len(ab), "b_to_a": len(ba),
               "reciprocity": round(min(len(ab), len(ba)) / max(len(ab), len(ba)), 3),
               "a_to_b_acts": ab, "b_to_a_acts": ba}
        row["a_to_b_first"], row["a_to_b_last"] = days(ab)
        row["b_to_a_first"], row["b_to_a_last"] = days(ba)
        rows.append(row)
    return sorted(rows, key=lambda r: (-r["reciprocity"], -(r["a_to_b"] + r["b_to_a"]), r["a"], r["b"]))


def acts_against_unplaced(act_targets: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The coercive acts against actors on no side, which reciprocity cannot count: one row per (side, actor).

    Examples
    --------
    >>> from types import SimpleNamespace as T
    >>> acts_against_unplaced({"c1": T(side="CN", unplaced={"zenz"})}, {"CN": "China", "zenz": "Adrian Zenz"})
    [{'side': 'CN', 'side_label': 'China', 'target': 'zenz', 'target_label': 'Adrian Zenz', 'acts': ['c1']}]
    """
    labels = labels or {}
    found: dict[tuple[str, str], list[str]] = {}
    for act, targets in act_targets.items():
        for target in getattr(targets, "unplaced", ()):
            found.setdefault((getattr(targets, "side", None) or "", target), []).append(act)
    return [{"side": side or None, "side_label": labels.get(side, ""), "target": target,
             "target_label": labels.get(target, target), "acts": sorted(acts)}
            for (side, target), acts in sorted(found.items())]


def side_cycles(
    S: nx.DiGraph,
    layers: Iterable[str] | None = ("sanction", "retaliation", "coercion"),
    max_length: int | None = MAX_CYCLE,
) -> list[list[str]]:
    """The cycles of the side network (A acts on B ... acts on A) of at most
    ``max_length`` sides, shortest first; ``None`` for every cycle.

    Edges of the given ``layers`` count (``None``: every edge).

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
    wanted = None if layers is None else frozenset(layers)
    simple = nx.DiGraph((u, v) for u, v, d in S.edges(data=True) if u != v and (wanted is None or d.get("layer") in wanted))
    cycles = [_rotate(c) for c in nx.simple_cycles(simple, length_bound=max_length)]
    return sorted(cycles, key=lambda c: (len(c), c))


def _rotate(cycle: list[str]) -> list[str]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]
