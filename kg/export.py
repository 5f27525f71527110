"""Gephi (GEXF) and GraphML exports of the actor network.

networkx writes both formats; this module prepares the graph (plain-typed
attributes, colours by side, sizes by PageRank, dates for Gephi's Timeline)
and mends what networkx writes that the official GEXF 1.3 schema rejects
(see :func:`gexf_bytes`). Files are written atomically.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Mapping

import networkx as nx

from kg.io import ExportError, atomic_write
from kg.style import UNPLACED, UNPLACED_LABEL, node_label, side_colours

__all__ = ["EXPORT_FORMATS", "ExportError", "export_graph", "gexf_bytes", "graphml_bytes", "start_writing", "write_network"]

EXPORT_FORMATS = ("gexf", "graphml")
GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

_EDGE_KEEP = ("layer", "kind", "act", "actLabel", "date", "earliest", "latest", "when", "measures", "article", "quote")
_NODE_KEEP = ("label", "kind", "side", "side_label", "unnamed_targets")
_FIGURES = ("in_degree", "out_degree", "out_weight", "pagerank", "betweenness", "closeness", "hub", "authority", "community")


def prepare(nets, figures: Mapping[str, Mapping[str, Any]], *, viz: bool) -> nx.MultiDiGraph:
    """A copy of the actor network of ``nets`` (:class:`~kg.analysis.networks.Networks`) with export-ready
    attributes only (no None values)."""
    G, side_of, labels = nets.actors, nets.side_of, nets.labels
    H = nx.MultiDiGraph(mode="dynamic" if viz else "static")
    first_seen: dict[str, str] = {}
    for u, v, data in G.edges(data=True):
        when = data.get("when")
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
        H.add_node(node, **attrs)
    for u, v, key, data in G.edges(keys=True, data=True):
        attrs = {k: str(data[k]) for k in _EDGE_KEEP if data.get(k) is not None}
        attrs["weight"] = float(data.get("weight", 1))
        if viz and data.get("when"):
            attrs["start"] = data["when"]
        H.add_edge(u, v, key=key, **attrs)
    return H


def gexf_bytes(H: nx.MultiDiGraph) -> bytes:
    """GEXF 1.3 that the official schema accepts.

    networkx writes three things the official 1.3 XSD rejects, so they are
    mended here: a ``name`` attribute on ``<graph>``, the XML Schema instance
    namespace without ``www.``, and the visual elements (``color``, ``size``,
    ``position``, ``shape``) in a separate ``viz`` namespace, where the XSD
    has them in the GEXF namespace itself. Gephi reads the visual elements by
    their local name, so it sees colours and sizes either way.
    """
    from lxml import etree  # noqa: PLC0415

    buffer = io.BytesIO()
    nx.write_gexf(H, buffer, version="1.3", prettyprint=False)  # lxml indents below, in C
    text = buffer.getvalue().replace(
        b'xmlns:xsi="http://w3.org/2001/XMLSchema-instance"', b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    )
    root = etree.fromstring(text)
    root.find(f"{{{GEXF_NS}}}graph").attrib.pop("name", None)
    for element in root.iter(f"{{{VIZ_NS}}}*"):
        element.tag = f"{{{GEXF_NS}}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def graphml_bytes(H: nx.MultiDiGraph) -> bytes:
    """GraphML for Cytoscape, igraph and yEd (no Gephi visual or time attributes)."""
    plain = nx.MultiDiGraph()
    for node, data in H.nodes(data=True):
        plain.add_node(node, **{k: v for k, v in data.items() if k not in ("viz", "start")})
    for u, v, key, data in H.edges(keys=True, data=True):
        plain.add_edge(u, v, key=key, **{k: v for k, v in data.items() if k != "start"})
    buffer = io.BytesIO()
    nx.write_graphml(plain, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def export_graph(graph, fmt: str, path: Path | str, layers=None) -> Path:
    """Read the networks of the knowledge graph and write the actor network as GEXF or GraphML."""
    from kg.analysis import centrality, networks  # noqa: PLC0415

    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use {' or '.join(EXPORT_FORMATS)}")
    nets = networks.read(graph, layers)
    figures = {row["node"]: row for row in centrality.centrality_table(nets.actors, side_of=nets.side_of)}
    return write_network(nets, figures, fmt, path)


def write_network(nets, figures: Mapping[str, Mapping[str, Any]], fmt: str, path: Path | str) -> Path:
    """Write the actor network of ``nets`` (read already), with its centrality figures, as GEXF or GraphML."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use {' or '.join(EXPORT_FORMATS)}")
    H = prepare(nets, figures, viz=(fmt == "gexf"))
    data = gexf_bytes(H) if fmt == "gexf" else graphml_bytes(H)
    return atomic_write(path, data)


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
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
            send.send(f"{type(exc).__name__}: {exc}")
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
            raise ExportError(f"cannot write {', '.join(str(p) for p in paths.values())}: "
                              f"{message or f'the writer exited with code {process.exitcode}'}")

    return wait
