"""The actor network as a file: what the network formats (GEXF, GraphML) share.

This module prepares the graph (plain-typed attributes, colours by side, sizes
by PageRank, dates for Gephi's Timeline) and writes it, atomically, through the
format's own module (:mod:`kg.export.gexf`, :mod:`kg.export.graphml`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import networkx as nx

from kg.io import ExportError, OutputError, atomic_write
from kg.style import PALETTE, UNPLACED, UNPLACED_LABEL, node_label, side_colours  # one palette for exports and pictures

__all__ = [
    "NETWORK_FORMATS", "PALETTE", "UNPLACED", "ExportError", "edge_records", "network_export", "node_records",
    "prepare", "side_colours", "start_writing", "write_network",
]

NETWORK_FORMATS = ("gexf", "graphml")

_EDGE_KEEP = ("layer", "kind", "act", "actLabel", "date", "earliest", "latest", "when", "measures", "article", "quote")
_NODE_KEEP = ("label", "kind", "side", "side_label", "unnamed_targets")
_FIGURES = ("in_degree", "out_degree", "out_weight", "pagerank", "betweenness", "closeness", "hub", "authority", "community")


def node_records(nets, figures: Mapping[str, Mapping[str, Any]], *, viz: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each actor of ``nets`` (:class:`~kg.analysis.networks.Networks`) with its export-ready attributes
    (no None values), one at a time: what :func:`prepare` puts on the nodes."""
    G, side_of, labels = nets.actors, nets.side_of, nets.labels
    first_seen: dict[str, str] = {}
    if viz:
        for u, v, when in G.edges(data="when"):
            for node in (u, v):
                if when and (node not in first_seen or when < first_seen[node]):
                    first_seen[node] = when
    top = max((f.get("pagerank", 0.0) for f in figures.values()), default=0.0) or 1.0
    colours = side_colours(side_of.values())
    for node, data in G.nodes(data=True):
        side = side_of.get(node, "")
        attrs: dict[str, Any] = {k: data[k] for k in _NODE_KEEP if data.get(k) is not None}
        attrs["side"] = side or UNPLACED_LABEL
        attrs["side_label"] = node_label(side, labels) if side else UNPLACED_LABEL
        for key in _FIGURES:
            if key in figures.get(node, {}):
                attrs[key] = figures[node][key]
        if viz:
            r, g, b = colours.get(side, UNPLACED)
            size = 4.0 + 26.0 * float(figures.get(node, {}).get("pagerank", 0.0)) / top
            attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}, "size": round(size, 2)}
            if node in first_seen:
                attrs["start"] = first_seen[node]
        yield node, attrs


def edge_records(nets, *, viz: bool) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """Each edge of the actor network with its export-ready attributes, one at a time (see :func:`prepare`)."""
    for u, v, key, data in nets.actors.edges(keys=True, data=True):
        attrs = {k: str(data[k]) for k in _EDGE_KEEP if data.get(k) is not None}
        attrs["weight"] = float(data.get("weight", 1))
        if viz and data.get("when"):
            attrs["start"] = data["when"]
        yield u, v, key, attrs


def prepare(nets, figures: Mapping[str, Mapping[str, Any]], *, viz: bool) -> nx.MultiDiGraph:
    """A copy of the actor network of ``nets`` (:class:`~kg.analysis.networks.Networks`) with export-ready
    attributes only (no None values): :func:`node_records` and :func:`edge_records` as one graph."""
    H = nx.MultiDiGraph(mode="dynamic" if viz else "static")
    H.add_nodes_from(node_records(nets, figures, viz=viz))
    for u, v, key, attrs in edge_records(nets, viz=viz):
        H.add_edge(u, v, key=key, **attrs)
    return H


def network_export(graph, fmt: str, path: Path | str, layers=None) -> Path:
    """Read the networks of the knowledge graph and write the actor network as GEXF or GraphML."""
    from kg.analysis import centrality, networks  # noqa: PLC0415

    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; use {' or '.join(NETWORK_FORMATS)}")
    nets = networks.read(graph, layers)
    figures = {row["node"]: row for row in centrality.centrality_table(nets.actors, side_of=nets.side_of)}
    return write_network(nets, figures, fmt, path)


def write_network(nets, figures: Mapping[str, Mapping[str, Any]], fmt: str, path: Path | str) -> Path:
    """Write the actor network of ``nets`` (:class:`~kg.analysis.networks.Networks`, read already), with its
    centrality figures, as GEXF or GraphML through the format's module."""
    if fmt not in NETWORK_FORMATS:
        raise ValueError(f"unknown network format {fmt!r}; use {' or '.join(NETWORK_FORMATS)}")
    from importlib import import_module  # noqa: PLC0415

    # streamed, node by node and edge by edge: at 10^7 triples (340,000 actors, 700,000 edges) a copy of the
    # network and an XML tree of it took more memory than the rest of the pipeline together
    return atomic_write(path, import_module(f"kg.export.{fmt}").network_chunks(nets, figures))


def start_writing(nets, figures: Mapping[str, Mapping[str, Any]], paths: Mapping[str, Path]) -> Callable[[], None]:
    """Start writing the exports ``{format: path}`` beside the caller; returns ``wait()``.

    networkx's writers are pure Python (an ElementTree of every node and edge: 17 s for GEXF
    and GraphML at 10^6 triples), so a thread would only wait for the GIL. A forked process
    shares the network already built, without pickling it, and writes while the caller writes
    the report on the other core. ``wait()`` joins it and raises :class:`ExportError` if it
    failed; each file is written atomically either way. Off Linux (no fork on Windows; on
    macOS fork is unsafe with system frameworks) the files are written here, before this returns.
    """
    import multiprocessing  # noqa: PLC0415
    import sys  # noqa: PLC0415

    def write_all() -> None:
        for fmt, path in paths.items():
            write_network(nets, figures, fmt, path)

    if sys.platform != "linux":
        write_all()
        return lambda: None
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:
        try:
            write_all()
        except OutputError as exc:  # names the file and the reason already
            send.send(str(exc))
            raise SystemExit(1) from None
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
            send.send(f"cannot write {', '.join(str(p) for p in paths.values())}: {type(exc).__name__}: {exc}")
            raise SystemExit(1) from None
        send.send("")

    process = context.Process(target=child, name="kg-export")
    process.start()
    send.close()

    def wait() -> None:
        try:
            message = receive.recv()
        except EOFError:  # the process died without a word (killed, out of memory)
            message = ""
        process.join()
        receive.close()
        if process.exitcode != 0 or message:
            raise ExportError(message or f"cannot write {', '.join(str(p) for p in paths.values())}: "
                                         f"the writer exited with code {process.exitcode}")

    return wait
