"""GraphML, for Cytoscape, igraph and yEd: the actor network without Gephi's visual and time attributes."""

from __future__ import annotations

import io

import networkx as nx

from kg.export.common import Format

__all__ = ["FORMAT", "graphml_bytes", "network_bytes"]


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


network_bytes = graphml_bytes


def _export(graph, path):
    from kg.export.network import network_export  # noqa: PLC0415

    return network_export(graph, "graphml", path)


FORMAT = Format("graphml", "graphml", "the actor network for Cytoscape, igraph and yEd (GraphML)", _export)
