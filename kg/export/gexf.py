"""GEXF 1.3, for Gephi: the actor network with colours by side, sizes by PageRank and dates.

The file is written as a stream, one node or edge at a time, in the layout networkx's GEXF writer
gives (its attribute declarations, ids and value types; the tests hold the two to the same bytes),
mended where the official 1.3 schema says otherwise (see :func:`gexf_chunks`). networkx builds the
whole document as one tree first: at 10^7 triples (700,000 edges) that tree took several GB.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any, Callable, Iterable, Iterator, Mapping

import networkx as nx

from kg.export.common import Format

__all__ = ["FORMAT", "gexf_bytes", "gexf_chunks", "network_bytes", "network_chunks"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

Nodes = Callable[[], Iterable[tuple[Any, Mapping[str, Any]]]]
Edges = Callable[[], Iterable[tuple[Any, Any, Any, Mapping[str, Any]]]]

#: Node and edge attributes that are XML attributes of the element, not attribute values (as networkx has them).
_NODE_XML = ("label", "start")
_EDGE_XML = ("label", "weight", "type", "start")
#: What networkx reads specially and this writer does not write: refused rather than written otherwise.
_UNSUPPORTED = ("id", "pid", "end", "parents", "spells", "slices")


def _xml_types() -> dict[type, str]:
    """networkx's table of GEXF attribute types by Python type (str: string, int: long, float: double...)."""
    from networkx.readwrite.gexf import GEXF  # noqa: PLC0415

    table = GEXF()
    table.construct_types()
    return table.xml_type


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    if isinstance(value, float):
        return {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text)
    return text


def _values(data: Mapping[str, Any], skip: tuple[str, ...], key: Any = None) -> Iterator[tuple[str, Any]]:
    """The attribute values of a node or edge, in networkx's order (an edge's key last, as ``networkx_key``)."""
    for name, value in data.items():
        if name in _UNSUPPORTED:
            raise ValueError(f"the GEXF writer does not write the attribute {name!r}")
        if name not in skip and name != "viz":
            if isinstance(value, (list, dict)):
                raise ValueError(f"the GEXF writer writes single values, not {type(value).__name__} ({name!r})")
            yield str(name), value
    if key is not None:
        yield "networkx_key", key


def gexf_chunks(nodes: Nodes, edges: Edges, *, dynamic: bool) -> Iterator[bytes]:
    """GEXF 1.3 that the official schema accepts, as a stream of byte strings.

    ``nodes()`` and ``edges()`` each give the network's nodes ``(node, attributes)`` and edges
    ``(source, target, key, attributes)``; each is called twice (the attribute declarations come
    first in the file). ``dynamic``: the graph's mode (a node's or edge's ``start`` makes it dynamic
    too). The layout is networkx's, with what the XSD rejects in it mended: no ``name`` on
    ``<graph>``, the XML Schema instance namespace with ``www.``, and the visual elements
    (``color``, ``size``) in the GEXF namespace itself (Gephi reads them by their local name).
    """
    from lxml import etree  # noqa: PLC0415

    types = _xml_types()
    declared: dict[str, dict[str, tuple[str, str]]] = {"node": {}, "edge": {}}  # title -> (id, type)
    order: list[str] = []  # the classes in the order their first attribute was seen
    ids = itertools.count()
    timed = False

    def declare(kind: str, name: str, value: Any) -> None:
        if name not in declared[kind]:
            if type(value) not in types:
                raise TypeError(f"attribute value type is not allowed: {type(value)}")
            if not declared[kind]:
                order.append(kind)
            declared[kind][name] = (str(next(ids)), types[type(value)])

    node_count = 0
    for _, data in nodes():
        node_count += 1
        timed = timed or "start" in data
        for name, value in _values(data, _NODE_XML):
            declare("node", name, value)
    edge_count = 0
    for _, _, key, data in edges():
        edge_count += 1
        timed = timed or "start" in data
        for name, value in _values(data, _EDGE_XML, key):
            declare("edge", name, value)

    root = etree.Element(f"{{{GEXF_NS}}}gexf", nsmap={None: GEXF_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{GEXF_NS} {GEXF_NS}/gexf.xsd")
    root.set("version", "1.3")
    meta = etree.SubElement(root, f"{{{GEXF_NS}}}meta", lastmodifieddate=time.strftime("%Y-%m-%d"))
    etree.SubElement(meta, f"{{{GEXF_NS}}}creator").text = f"NetworkX {nx.__version__}"  # the layout is networkx's
    graph = etree.SubElement(root, f"{{{GEXF_NS}}}graph", defaultedgetype="directed",
                             mode="dynamic" if dynamic or timed else "static")
    if timed:
        graph.set("timeformat", "date")
    for kind in reversed(order):  # networkx puts each new declaration block first
        block = etree.SubElement(graph, f"{{{GEXF_NS}}}attributes", mode="static")
        block.set("class", kind)
        for name, (attr_id, attr_type) in declared[kind].items():
            etree.SubElement(block, f"{{{GEXF_NS}}}attribute", id=attr_id, title=name, type=attr_type)
    for part, count in (("nodes", node_count), ("edges", edge_count)):
        holder = etree.SubElement(graph, f"{{{GEXF_NS}}}{part}")
        if count:  # a mark where the elements go; an empty list stays <nodes/>, as networkx writes it
            etree.SubElement(holder, "mark")
    skeleton = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    pieces = re.split(rb"( *)<mark/>\n", skeleton)  # text, indent, text, indent, text
    yield pieces.pop(0)
    edge_ids = itertools.count()
    for part, count in (("nodes", node_count), ("edges", edge_count)):
        if not count:
            continue
        indent = pieces.pop(0)
        if part == "nodes":
            made = (_node_element(etree, item, declared["node"]) for item in nodes())
        else:
            made = (_edge_element(etree, item, declared["edge"], next(edge_ids)) for item in edges())
        yield from _indented(made, indent)
        yield pieces.pop(0)


def _indented(elements: Iterable, indent: bytes) -> Iterator[bytes]:
    """Each element pretty-printed at the depth ``indent`` says, a thousand at a time."""
    from lxml import etree  # noqa: PLC0415

    chunk: list[bytes] = []
    for element in elements:
        text = etree.tostring(element, encoding="utf-8", pretty_print=True)
        chunk.append(indent + text.replace(b"\n", b"\n" + indent)[:-len(indent)])
        if len(chunk) >= 1000:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk)


def _attvalues(etree, element, data: Mapping[str, Any], skip: tuple[str, ...], declared, key: Any = None) -> None:
    values = list(_values(data, skip, key))
    if values:
        holder = etree.SubElement(element, "attvalues")
        for name, value in values:
            etree.SubElement(holder, "attvalue", {"for": declared[name][0], "value": _value(value)})


def _node_element(etree, item, declared):
    node, data = item
    attrib = {"id": str(node), "label": str(data.get("label", node))}
    if "start" in data:
        attrib["start"] = str(data["start"])
    element = etree.Element("node", attrib)
    viz = data.get("viz") or {}
    color = viz.get("color")
    if color is not None:
        etree.SubElement(element, "color", r=str(color.get("r")), g=str(color.get("g")), b=str(color.get("b")),
                         a=str(color.get("a", 1.0)))
    if viz.get("size") is not None:
        etree.SubElement(element, "size", value=str(viz["size"]))
    _attvalues(etree, element, data, _NODE_XML, declared)
    return element


def _edge_element(etree, item, declared, number: int):
    u, v, key, data = item
    attrib = {"source": str(u), "target": str(v), "id": str(number)}  # networkx numbers the edges from 0
    for name in _EDGE_XML:
        if name in data:
            attrib[name] = str(data[name])
    element = etree.Element("edge", attrib)
    _attvalues(etree, element, data, _EDGE_XML, declared, key)
    return element


def gexf_bytes(H: nx.MultiDiGraph) -> bytes:
    """A prepared network (:func:`kg.export.network.prepare`) as GEXF 1.3 (see :func:`gexf_chunks`)."""
    return b"".join(gexf_chunks(lambda: H.nodes(data=True), lambda: H.edges(keys=True, data=True),
                                dynamic=H.graph.get("mode") == "dynamic"))


def network_chunks(nets, figures) -> Iterator[bytes]:
    """The actor network of ``nets`` as GEXF, streamed from :func:`kg.export.network.node_records`."""
    from kg.export.network import edge_records, node_records  # noqa: PLC0415

    return gexf_chunks(lambda: node_records(nets, figures, viz=True), lambda: edge_records(nets, viz=True),
                       dynamic=True)


network_bytes = gexf_bytes


def _export(graph, path):
    from kg.export.network import network_export  # noqa: PLC0415

    return network_export(graph, "gexf", path)


FORMAT = Format("gexf", "gexf", "the actor network for Gephi (GEXF 1.3), with colours, sizes and dates", _export)
