"""GraphML, for Cytoscape, igraph and yEd: the actor network without Gephi's visual and time attributes.

Written by networkx's own incremental GraphML writer (lxml), one node or edge at a time, from
records made on each of its passes: no copy of the network is built for it.
"""

from __future__ import annotations

import io
from typing import IO, Any, Callable, Iterable, Mapping

import networkx as nx

from kg.export.common import Format

__all__ = ["FORMAT", "graphml_bytes", "graphml_write", "network_bytes", "network_chunks"]

_GEXF_ONLY = ("viz", "start")


class _Records:
    """What networkx's GraphML writer reads of a graph, the nodes and edges made afresh on each of its passes."""

    graph: dict = {}

    def __init__(self, nodes: Callable[[], Iterable[tuple[Any, Mapping[str, Any]]]],
                 edges: Callable[[], Iterable[tuple[Any, Any, Any, Mapping[str, Any]]]]):
        self._nodes, self._edges = nodes, edges
        self.graph = {}

    def is_directed(self) -> bool:
        return True

    def is_multigraph(self) -> bool:
        return True

    def nodes(self, data: bool = True):
        return ((n, {k: v for k, v in d.items() if k not in _GEXF_ONLY}) for n, d in self._nodes())

    def edges(self, keys: bool = True, data: bool = True):
        return ((u, v, key, {k: x for k, x in d.items() if k not in _GEXF_ONLY}) for u, v, key, d in self._edges())


def graphml_write(handle: IO[bytes], nodes, edges) -> None:
    """GraphML of the nodes ``(node, attributes)`` and edges ``(source, target, key, attributes)`` that
    ``nodes()`` and ``edges()`` give (each called on every pass of the writer), written to ``handle``."""
    from networkx.readwrite.graphml import GraphMLWriterLxml  # noqa: PLC0415

    GraphMLWriterLxml(handle, graph=_Records(nodes, edges), encoding="utf-8", prettyprint=True).dump()


def graphml_bytes(H: nx.MultiDiGraph) -> bytes:
    """A prepared network (:func:`kg.export.network.prepare`) as GraphML (no Gephi visual or time attributes)."""
    buffer = io.BytesIO()
    graphml_write(buffer, lambda: H.nodes(data=True), lambda: H.edges(keys=True, data=True))
    return buffer.getvalue()


def network_chunks(nets, figures) -> Callable[[IO[bytes]], None]:
    """The actor network of ``nets`` as GraphML: a writer for :func:`kg.io.atomic_write`."""
    from kg.export.network import edge_records, node_records  # noqa: PLC0415

    return lambda handle: graphml_write(handle, lambda: node_records(nets, figures, viz=False),
                                        lambda: edge_records(nets, viz=False))


network_bytes = graphml_bytes


def _export(graph, path):
    from kg.export.network import network_export  # noqa: PLC0415

    return network_export(graph, "graphml", path)


FORMAT = Format("graphml", "graphml", "the actor network for Cytoscape, igraph and yEd (GraphML)", _export)
