"""From the knowledge graph to networkx: the actor, side and act networks.

Which relations become network edges is declared once, in :data:`EDGE_LAYERS`:
each layer names the catalogue query (``queries/edges-*.rq``) whose rows are
the edges, and the edge kind it yields. The queries decide direction and
endpoints (imposer to target, responder to target, speaker to the actor a
statement is about); this module only turns rows into graphs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping
from weakref import WeakKeyDictionary

import networkx as nx

__all__ = [
    "EDGE_LAYERS",
    "EdgeLayer",
    "act_network",
    "actor_labels",
    "actor_network",
    "linked_actors",
    "side_network",
    "sides",
]


@dataclass(frozen=True)
class EdgeLayer:
    """One layer of the actor network: which query yields its edges."""

    name: str
    query: str
    description: str


EDGE_LAYERS: tuple[EdgeLayer, ...] = (
    EdgeLayer("sanction", "edges-sanction", "imposer -> named target of a sanction or counter-sanction"),
    EdgeLayer("retaliation", "edges-retaliation", "responder -> target of a threat, arrest or expulsion that answers an act"),
    EdgeLayer("coercion", "edges-coercion", "actor -> named target of a detention or expulsion that answers nothing explicitly"),
    EdgeLayer("statement", "edges-statement", "speaker -> actor a statement is about or addressed to"),
)

_EDGE_ATTRS = ("act", "actLabel", "kind", "date", "earliest", "latest", "measures", "article", "quote", "answered")


def _py(value: Any) -> Any:
    """A row value as a plain Python value (IRIs and dates as strings)."""
    if value is None:
        return None
    return str(value)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:  # a decimal or double lexical form
        from decimal import Decimal  # noqa: PLC0415

        return int(Decimal(value))


def _rows(graph, query: str) -> Iterable[Mapping[str, str | None]]:
    """The rows of a catalogue query, each value a plain string (an IRI, or a literal's lexical form) or None.

    On an ``oxigraph:PATH`` dataset the query runs in Oxigraph itself (on
    the in-memory copy of :func:`kg.store.analysis_store`) and the values are
    read off Oxigraph's terms: going through oxrdflib would turn every value
    into an rdflib term first, and rdflib would parse the query only to check
    its syntax (Oxigraph checks it too).
    """
    from kg.store import analysis_store  # noqa: PLC0415

    store = analysis_store(graph)
    if store is not None:
        result = store.query(_query_text(query), use_default_graph_as_union=bool(getattr(graph, "default_union", False)))
        names = [v.value for v in result.variables]
        for solution in result:
            yield {name: None if term is None else term.value for name, term in zip(names, solution)}
        return
    from kg.query import run_query  # noqa: PLC0415

    result = run_query(graph, query)
    names = [str(v) for v in result.vars]
    for row in result:
        yield {name: None if row[i] is None else str(row[i]) for i, name in enumerate(names)}


def _query_text(name: str) -> str:
    from kg.paths import queries_dir  # noqa: PLC0415
    from kg.query import QueryError, parse_query_file  # noqa: PLC0415

    path = queries_dir() / f"{name}.rq"
    if not path.is_file():
        raise QueryError(f"no query named {name!r} in the catalogue")
    return parse_query_file(path).text


def _when(attrs: Mapping[str, Any]) -> str | None:
    """The best single day for an act: its date, else its latest, else its earliest day."""
    return attrs.get("date") or attrs.get("latest") or attrs.get("earliest")


def actor_network(graph, layers: Iterable[str] | None = None) -> nx.MultiDiGraph:
    """The actor network: one edge per (act, source, target), from :data:`EDGE_LAYERS`.

    Nodes are actor IRIs with ``label`` and ``kind``; a node's ``unnamed_targets``
    counts the targets its sanctions only count ("eight officials", two named),
    which are never invented as nodes. Edge attributes: ``layer``, ``kind``,
    ``act``, ``date`` (or ``earliest``/``latest``), ``when`` (the best single
    day), ``measures``, ``article``, ``quote``, ``weight`` (1).
    """
    wanted = set(layers) if layers is not None else {layer.name for layer in EDGE_LAYERS}
    G = nx.MultiDiGraph(name="actor network")
    canonical = linked_actors(graph)
    for layer in EDGE_LAYERS:
        if layer.name not in wanted:
            continue
        seen_unnamed: set[str] = set()
        for row in _rows(graph, layer.query):
            source = _py(row.get("source"))
            target = _py(row.get("target"))
            source, target = canonical.get(source, source), canonical.get(target, target)
            if source is None:
                continue
            G.add_node(source)
            unnamed = row.get("unnamed")
            act = _py(row.get("act"))
            if unnamed is not None and act not in seen_unnamed:
                seen_unnamed.add(act)
                G.nodes[source]["unnamed_targets"] = G.nodes[source].get("unnamed_targets", 0) + _int(unnamed)
            if target is None:
                continue
            attrs = {k: _py(row.get(k)) for k in _EDGE_ATTRS if row.get(k) is not None}
            key = f"{act}|{target}"
            if G.has_edge(source, target, key) and _evidence(G.edges[source, target, key]) <= _evidence(attrs):
                continue  # one row per quote: the edge keeps the smallest, whatever order the engine returns rows in
            if "measures" in attrs:  # GROUP_CONCAT's order is the engine's
                attrs["measures"] = "; ".join(sorted(attrs["measures"].split("; ")))
            attrs["layer"] = layer.name
            attrs["weight"] = 1
            when = _when(attrs)
            if when:
                attrs["when"] = when
            G.add_edge(source, target, key=key, **attrs)
    _label_nodes(graph, G)
    return G


def linked_actors(graph) -> dict[str, str]:
    """Each imported record a confirmed link names (``edges-link``), mapped to the article's actor.

    The networks fold a record onto its actor, so the two are one node: an act
    that targets both (build repeats a linked record's ``kg:target`` for the actor)
    is one edge. A record linked to several actors is left as it is (a curator
    confirmed two links that cannot both hold; ``kg query matches`` shows them).
    """
    found: dict[str, set[str]] = {}
    for row in _rows(graph, "edges-link"):
        found.setdefault(str(row["record"]), set()).add(str(row["actor"]))
    return {record: next(iter(actors)) for record, actors in found.items() if len(actors) == 1}


def _evidence(attrs: Mapping[str, Any]) -> tuple[str, str]:
    return attrs.get("quote") or "", attrs.get("article") or ""


#: The affiliations of each Oxigraph-backed dataset, read once: ``sides``, ``actor_labels``
#: and ``actor_network`` all need them. Only for Oxigraph stores, which kg opens
#: read-only for analyses; an in-memory graph may change between calls.
_AFFILIATIONS: WeakKeyDictionary = WeakKeyDictionary()


def _affiliations(graph) -> tuple[dict[str, dict[str, Any]], dict[str, list[tuple[str, str]]]]:
    from kg.store import oxigraph_store  # noqa: PLC0415

    if oxigraph_store(graph) is None:
        return _read_affiliations(graph)
    found = _AFFILIATIONS.get(graph.store)
    if found is None:
        found = _AFFILIATIONS[graph.store] = _read_affiliations(graph)
    return found


def _read_affiliations(graph) -> tuple[dict[str, dict[str, Any]], dict[str, list[tuple[str, str]]]]:
    info: dict[str, dict[str, Any]] = {}
    links: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(graph, "edges-affiliation"):
        actor = str(row["actor"])
        info[actor] = {
            "label": str(row["actorLabel"]),
            "kind": str(row["actorKind"]),
            "is_side": row.get("isSide") in ("true", "1"),
        }
        if row.get("parent") is not None:
            links.setdefault(actor, []).append((str(row["parent"]), str(row["link"])))
    return info, links


def _label_nodes(graph, G: nx.Graph) -> None:
    info, _ = _affiliations(graph)
    for node in G.nodes:
        meta = info.get(node, {})
        G.nodes[node].setdefault("label", meta.get("label", node.rsplit("/", 1)[-1]))
        G.nodes[node].setdefault("kind", meta.get("kind", "actor"))
        G.nodes[node].setdefault("unnamed_targets", 0)


def sides(graph, roll_up_members: bool = False) -> tuple[dict[str, str], list[str]]:
    """Roll each actor up to the state or bloc it belongs to.

    Breadth-first along affiliation, nationality, base, sub-organisation and
    post links, the nearest state or bloc wins (states and blocs are their own
    side). With ``roll_up_members`` a state goes on to the bloc it is a member
    of (Germany to the EU). Returns ``(side_of, unplaced)``: the side IRI of
    every placed actor, and the actors no link places.
    """
    info, links = _affiliations(graph)
    side_of: dict[str, str] = {}
    unplaced: list[str] = []
    for actor in sorted(info):
        found = _nearest_side(actor, info, links, roll_up_members)
        if found is None:
            unplaced.append(actor)
        else:
            side_of[actor] = found
    return side_of, unplaced


def _nearest_side(actor, info, links, roll_up_members) -> str | None:
    queue = deque([actor])
    seen = {actor}
    while queue:
        node = queue.popleft()
        meta = info.get(node, {})
        if meta.get("is_side"):
            members = [p for p, link in links.get(node, []) if link == "member state"]
            if roll_up_members and members:
                return sorted(members)[0]
            return node
        for parent, link in sorted(links.get(node, [])):
            if link != "member state" and parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return None


def actor_labels(graph) -> dict[str, str]:
    """The label of every actor in the graph."""
    info, _ = _affiliations(graph)
    return {actor: meta["label"] for actor, meta in info.items()}


def side_network(
    G: nx.MultiDiGraph, side_of: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> nx.MultiDiGraph:
    """The actor network with each actor replaced by its side; unplaced actors stay themselves.

    Each edge keeps its attributes and records the original ``source_actor``
    and ``target_actor``. Self-loops (a side acting on its own people) are kept.
    """
    labels = labels or {}
    S = nx.MultiDiGraph(name="side network")
    for node, data in G.nodes(data=True):
        side = side_of.get(node, node)
        if side not in S:
            label = labels.get(side) or (G.nodes[side].get("label") if side in G else None)
            S.add_node(side, label=label or side.rsplit("/", 1)[-1],
                       kind="side" if node in side_of else "unplaced", unnamed_targets=0)
        S.nodes[side]["unnamed_targets"] += data.get("unnamed_targets", 0)
    for u, v, key, data in G.edges(keys=True, data=True):
        S.add_edge(side_of.get(u, u), side_of.get(v, v), key=key,
                   source_actor=u, target_actor=v, **data)
    return S


def act_network(graph) -> nx.DiGraph:
    """Acts as nodes; edges from an act to the earlier act it answers.

    Edge attribute ``link``: "responds to" (kg:respondsTo, a retaliation),
    "reacts to" (a statement about the act), or "follows" (the source gives
    only the order, as in "subsequently").

    Node attributes: ``label``, ``kind``, ``actor``, ``date``/``earliest``/
    ``latest``, ``when`` (best single day), ``article``, ``targetCount``.
    """
    D = nx.DiGraph(name="act network")
    for row in _rows(graph, "acts"):
        attrs = {k: _py(v) for k, v in row.items() if v is not None and k != "act"}
        when = _when(attrs)
        if when:
            attrs["when"] = when
        D.add_node(str(row["act"]), **attrs)
    for row in _rows(graph, "edges-respond"):
        D.add_edge(str(row["act"]), str(row["answered"]), link=str(row["link"]))
    return D
