"""GEXF 1.3, for Gephi: the actor network with colours by side, sizes by PageRank and dates."""

from __future__ import annotations

import io

import networkx as nx

from kg.export.common import Format

__all__ = ["FORMAT", "gexf_bytes", "network_bytes"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"


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


network_bytes = gexf_bytes


def _export(graph, path):
    from kg.export.network import network_export  # noqa: PLC0415

    return network_export(graph, "gexf", path)


FORMAT = Format("gexf", "gexf", "the actor network for Gephi (GEXF 1.3), with colours, sizes and dates", _export)
