"""From the knowledge graph to networkx: the actor, side and act networks, read once.

:func:`read` runs each catalogue query the analyses need once and returns one
:class:`Networks` value (the actor, side and act networks, the actors' labels
and sides, and the sides of every coercive act) that chains, centrality, the
report and the exports all read. Nothing is cached between calls: call
:func:`read` once and pass its value on.

Which relations become network edges is declared once, in :data:`EDGE_LAYERS`:
each layer names the catalogue query (``queries/edges-*.rq``) whose rows are
the edges, and the edge kind it yields. The queries decide direction and
endpoints (imposer to target, responder to target, speaker to the actor a
statement is about); this module only turns rows into graphs. How actors roll
up to sides is ``queries/sides.rq`` (:data:`SIDE_RULE` says it in words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import networkx as nx

from kg.analysis.definitions import SIDE_RULE  # re-exported: the words live apart from the code

__all__ = [
    "EDGE_LAYERS",
    "SIDE_RULE",
    "ActTargets",
    "EdgeLayer",
    "Networks",
    "act_network",
    "actor_network",
    "linked_actors",
    "read",
    "read_networks",
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


@dataclass(frozen=True)
class ActTargets:
    """Whom a coercive act is directed at, by side.

    ``side`` is the side of the act's actor (None: on no side); ``targets``
    the sides of its named targets and of the state its counted targets come
    from; ``unplaced`` its named targets on no side; ``named`` and ``count``
    how many targets it names and how many the article counts (None: no count).
    """

    side: str | None
    targets: frozenset[str]
    unplaced: frozenset[str] = frozenset()
    named: int = 0
    count: int | None = None


@dataclass(frozen=True)
class Networks:
    """Everything the analyses read from the knowledge graph, read once by :func:`read`.

    ``actors``: the actor network (:func:`actor_network`); ``sides``: the same
    with actors replaced by their sides (:func:`side_network`); ``acts``: the
    act network (:func:`act_network`), whose nodes carry ``side``; ``labels``:
    the label of every actor; ``kinds``: its kind; ``side_of``: the side of
    every placed actor; ``unplaced``: the actors on no side; ``act_targets``:
    :class:`ActTargets` of every coercive act. The graphs are networkx graphs
    and so can be changed; the analyses only read them.
    """

    actors: nx.MultiDiGraph
    sides: nx.MultiDiGraph
    acts: nx.DiGraph
    labels: Mapping[str, str]
    kinds: Mapping[str, str]
    side_of: Mapping[str, str]
    unplaced: tuple[str, ...]
    act_targets: Mapping[str, ActTargets] = field(default_factory=dict)
    #: where the networks were read from (the in-memory Oxigraph copy of an ``oxigraph:PATH`` store):
    #: later queries on the same graph (``kg.dossier``) run there without copying it again
    source: Any = field(default=None, repr=False, compare=False)

    def label(self, node: str | None) -> str:
        """The label of an actor or act, else the end of its IRI ("" for None)."""
        if node is None:
            return ""
        if node in self.labels:
            return self.labels[node]
        if node in self.acts:
            return self.acts.nodes[node].get("label", node)
        return node.rsplit("/", 1)[-1]


def read(graph, layers: Iterable[str] | None = None) -> Networks:
    """Read the networks of a knowledge graph: each query once, into one :class:`Networks`.

    ``layers`` limits the actor network to some of :data:`EDGE_LAYERS` (all by
    default). On an ``oxigraph:PATH`` dataset the store is copied into memory
    once here (:func:`kg.store.analysis_store`) and every query runs on the copy.
    """
    source = _source(graph)
    canonical = linked_actors(source)
    actors = {actor: meta for actor, meta in _labels(source).items() if actor not in canonical}
    side_of = _sides(source)
    labels = {actor: meta["label"] for actor, meta in actors.items()}
    kinds = {actor: meta["kind"] for actor, meta in actors.items()}
    G = actor_network(source, layers, actors=actors, canonical=canonical)
    D = act_network(source)
    for act, data in D.nodes(data=True):
        if data.get("actor") in canonical:  # an imported act by a linked record is the actor's
            data["actor"] = canonical[data["actor"]]
        if data.get("actor") in side_of:
            data["side"] = side_of[data["actor"]]
    return Networks(
        actors=G,
        sides=side_network(G, side_of, labels),
        acts=D,
        labels=MappingProxyType(labels),
        kinds=MappingProxyType(kinds),
        side_of=MappingProxyType(side_of),
        unplaced=tuple(sorted(set(actors) - set(side_of))),
        act_targets=MappingProxyType(_act_targets(source, side_of, canonical)),
        source=source,
    )


def _py(value: Any) -> Any:
    """A row value as a plain Python value (IRIs and dates as strings); an empty string is no value."""
    if value is None or value == "":
        return None
    return str(value)


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:  # a decimal or double lexical form
        from decimal import Decimal  # noqa: PLC0415

        return int(Decimal(value))


@dataclass(frozen=True)
class _Source:
    """Where the queries run: a pyoxigraph Store (with the dataset's union flag), or an rdflib graph.

    ``predicates`` and ``full``: the store is a projection holding only those predicates' quads,
    and a query that reads others runs on ``full`` (:class:`kg.store.AnalysisSource`)."""

    graph: Any
    store: Any = None
    union: bool = False
    predicates: frozenset[str] | None = None
    full: Any = None


#: The catalogue queries :func:`read` runs: what a projection of a large store must hold.
QUERIES = ("edges-link", "actor-labels", "sides", *(layer.query for layer in EDGE_LAYERS), "acts", "edges-respond",
           "act-targets")


def _source(graph) -> _Source:
    if isinstance(graph, _Source):
        return graph
    from kg.store import analysis_source  # noqa: PLC0415

    union = bool(getattr(graph, "default_union", False))
    found = analysis_source(graph, QUERIES)
    if found is None:
        return _Source(graph, None, union)
    return _Source(graph, found.store, union, found.predicates, found.full)


def _store_for(source: _Source, query: str):
    """The store that holds everything ``query`` reads: the projection, or the full store."""
    if source.predicates is None:
        return source.store
    from kg.query import predicates_read  # noqa: PLC0415

    read = predicates_read(_query_text(query))
    return source.store if read is not None and read <= source.predicates else source.full


def _rows(graph, query: str, iris: Mapping[str, str] | None = None) -> Iterable[Mapping[str, str | None]]:
    """The rows of a catalogue query, each value a plain string (an IRI, or a literal's lexical form) or None.

    ``iris`` binds variables of the query to IRIs (by the engine: Oxigraph's
    substitutions, rdflib's initBindings), with no check against the query's
    declared parameters: the caller has resolved them. On an Oxigraph dataset
    the query runs in Oxigraph itself and the values are read off Oxigraph's
    terms: going through oxrdflib would turn every value into an rdflib term
    first, and rdflib would parse the query only to check its syntax (Oxigraph
    checks it too).
    """
    source = _source(graph)
    if source.store is not None:
        substitutions = None
        if iris:
            import pyoxigraph  # noqa: PLC0415

            substitutions = {pyoxigraph.Variable(k): pyoxigraph.NamedNode(v) for k, v in iris.items()}
        result = _store_for(source, query).query(_query_text(query), use_default_graph_as_union=source.union,
                                                 substitutions=substitutions)
        names = [v.value for v in result.variables]
        for solution in result:
            yield {name: None if term is None else term.value for name, term in zip(names, solution)}
        return
    from kg.query import run_query  # noqa: PLC0415

    if iris is not None:  # bound here, or left unbound on purpose: the query's required parameters are not asked for
        from rdflib import URIRef, Variable  # noqa: PLC0415

        from kg.query import find_query, load_catalogue, prepare  # noqa: PLC0415

        result = source.graph.query(prepare(find_query(load_catalogue(), query)),
                                    initBindings={Variable(k): URIRef(v) for k, v in iris.items()})
    else:
        result = run_query(source.graph, query)
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


def actor_network(graph, layers: Iterable[str] | None = None, *, actors: Mapping[str, Mapping[str, str]] | None = None,
                  canonical: Mapping[str, str] | None = None) -> nx.MultiDiGraph:
    """The actor network: one edge per (act, source, target), from :data:`EDGE_LAYERS`.

    Nodes are actor IRIs with ``label`` and ``kind``; a node's ``unnamed_targets``
    counts the targets its sanctions only count ("eight officials", two named),
    which are never invented as nodes. Edge attributes: ``layer``, ``kind``,
    ``act``, ``date`` (or ``earliest``/``latest``), ``when`` (the best single
    day), ``measures``, ``article``, ``quote``, ``weight`` (1). ``actors`` is
    the label and kind of each actor when the caller has read them, ``canonical``
    the records folded onto actors (:func:`linked_actors`).
    """
    source = _source(graph)
    wanted = set(layers) if layers is not None else {layer.name for layer in EDGE_LAYERS}
    G = nx.MultiDiGraph(name="actor network")
    canonical = linked_actors(source) if canonical is None else canonical
    for layer in EDGE_LAYERS:
        if layer.name not in wanted:
            continue
        seen_unnamed: set[str] = set()
        for row in _rows(source, layer.query):
            start = _py(row.get("source"))
            target = _py(row.get("target"))
            start, target = canonical.get(start, start), canonical.get(target, target)
            if start is None:
                continue
            G.add_node(start)
            unnamed = row.get("unnamed")
            act = _py(row.get("act"))
            if unnamed is not None and act not in seen_unnamed:
                seen_unnamed.add(act)
                G.nodes[start]["unnamed_targets"] = G.nodes[start].get("unnamed_targets", 0) + _int(unnamed)
            if target is None:
                continue
            attrs = {k: _py(row.get(k)) for k in _EDGE_ATTRS if row.get(k) is not None}
            key = f"{act}|{target}"
            if G.has_edge(start, target, key) and _evidence(G.edges[start, target, key]) <= _evidence(attrs):
                continue  # one row per quote: the edge keeps the smallest, whatever order the engine returns rows in
            if "measures" in attrs:  # GROUP_CONCAT's order is the engine's
                attrs["measures"] = "; ".join(sorted(attrs["measures"].split("; ")))
            attrs["layer"] = layer.name
            attrs["weight"] = 1
            when = _when(attrs)
            if when:
                attrs["when"] = when
            G.add_edge(start, target, key=key, **attrs)
    _label_nodes(G, actors if actors is not None else _labels(source))
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


def _labels(source) -> dict[str, dict[str, str]]:
    """The label and kind of every actor (``actor-labels.rq``)."""
    return {str(row["actor"]): {"label": str(row["label"]), "kind": str(row["kind"])} for row in _rows(source, "actor-labels")}


def _label_nodes(G: nx.Graph, actors: Mapping[str, Mapping[str, str]]) -> None:
    for node in G.nodes:
        meta = actors.get(node, {})
        G.nodes[node].setdefault("label", meta.get("label", node.rsplit("/", 1)[-1]))
        G.nodes[node].setdefault("kind", meta.get("kind", "actor"))
        G.nodes[node].setdefault("unnamed_targets", 0)


def sides(graph) -> tuple[dict[str, str], list[str]]:
    """Each actor's side by the one rule of ``queries/sides.rq`` (:data:`SIDE_RULE`).

    Returns ``(side_of, unplaced)``: the side IRI of every placed actor, and
    the actors no link places, sorted. (:func:`read` gives both too.)
    """
    source = _source(graph)
    side_of = _sides(source)
    return side_of, sorted(set(_labels(source)) - set(side_of))


def _sides(source) -> dict[str, str]:
    return {str(row["actor"]): str(row["side"]) for row in _rows(source, "sides")}


def side_network(
    G: nx.MultiDiGraph, side_of: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> nx.MultiDiGraph:
    """The actor network with each actor replaced by its side.

    Actors on no side are left out, with their edges: they are not sides
    (:data:`SIDE_RULE`). Each edge keeps its attributes and records the
    original ``source_actor`` and ``target_actor``. Self-loops (a side acting
    on its own people) are kept.

    Examples
    --------
    >>> G = nx.MultiDiGraph([("mep", "cn"), ("cn", "mep"), ("cn", "zenz")])
    >>> S = side_network(G, {"mep": "eu", "cn": "cn"})
    >>> sorted(S.edges()), sorted(S)
    ([('cn', 'eu'), ('eu', 'cn')], ['cn', 'eu'])
    """
    labels = labels or {}
    S = nx.MultiDiGraph(name="side network")
    for node, data in G.nodes(data=True):
        side = side_of.get(node)
        if side is None:
            continue
        if side not in S:
            label = labels.get(side) or (G.nodes[side].get("label") if side in G else None)
            S.add_node(side, label=label or side.rsplit("/", 1)[-1], kind="side", unnamed_targets=0)
        S.nodes[side]["unnamed_targets"] += data.get("unnamed_targets", 0)
    for u, v, key, data in G.edges(keys=True, data=True):
        if u in side_of and v in side_of:
            S.add_edge(side_of[u], side_of[v], key=key, source_actor=u, target_actor=v, **data)
    return S


def act_network(graph) -> nx.DiGraph:
    """Acts as nodes; edges from an act to the earlier act it answers.

    Edge attributes: ``link``: "responds to" (kg:respondsTo, a retaliation),
    "reacts to" (a statement about the act), or "follows" (the source gives
    only the order, as in "subsequently"); ``curated`` (True when no article
    states the link and curation reads it) and ``reason`` (the curator's).

    Node attributes: ``label``, ``kind``, ``actor``, ``stance`` (a statement's,
    an IRI), ``date``/``earliest``/``latest``, ``when`` (best single day),
    ``quote`` and ``article`` (its smallest quote and that quote's article),
    ``targetCount``.
    """
    D = nx.DiGraph(name="act network")
    for row in _rows(graph, "acts"):
        attrs = {k: _py(v) for k, v in row.items() if _py(v) is not None and k != "act"}
        when = _when(attrs)
        if when:
            attrs["when"] = when
        D.add_node(str(row["act"]), **attrs)
    for row in _rows(graph, "edges-respond"):
        attrs = {"link": str(row["link"]), "curated": row.get("curated") in ("true", "1")}
        if _py(row.get("reason")):
            attrs["reason"] = str(row["reason"])
        D.add_edge(str(row["act"]), str(row["answered"]), **attrs)
    return D


def _act_targets(graph, side_of: Mapping[str, str], canonical: Mapping[str, str] | None = None) -> dict[str, ActTargets]:
    """:class:`ActTargets` of every coercive act (``act-targets.rq``), linked records folded onto their actors."""
    canonical = canonical or {}
    found: dict[str, dict[str, Any]] = {}
    named_seen: set[tuple[str, str]] = set()
    for row in _rows(graph, "act-targets"):
        act, actor, target = str(row["act"]), str(row["actor"]), str(row["target"])
        actor, target = canonical.get(actor, actor), canonical.get(target, target)
        entry = found.setdefault(act, {"side": side_of.get(actor), "targets": set(), "unplaced": set(), "named": 0,
                                       "count": None})
        if target in side_of:
            entry["targets"].add(side_of[target])
        else:
            entry["unplaced"].add(target)
        if row.get("named") in ("true", "1") and (act, target) not in named_seen:  # a record and its actor: one
            named_seen.add((act, target))
            entry["named"] += 1
        if _py(row.get("count")) is not None:
            entry["count"] = _int(str(row["count"]))
    return {
        act: ActTargets(e["side"], frozenset(e["targets"]), frozenset(e["unplaced"]), e["named"], e["count"])
        for act, e in found.items()
    }


#: :func:`read` under the name the package exports (``kg.read_networks``).
read_networks = read
