"""GEXF and GraphML exports: valid against the official schema, read back by independent readers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from kg.export import export_graph

ROOT = Path(__file__).resolve().parents[2]

# The actor network of the two articles, edge by edge (one per act and named target or addressee):
# - sanctions, 18: Canada 2024 -> Chen Quanguo, Wu Yingjie (2); Canada 2021 -> the three "also listed"
#   (3, curated); China's counter-sanctions -> five MEPs, Zenz, Jerden, MERICS, the Danish organisation (9);
#   the EU 1989 and 2021 -> China (2); the US Treasury -> Wang Junzheng, Chen Mingguo (2); the US over
#   Hong Kong names none of its 24 (0);
# - coercion, 1: Canada -> Meng Wanzhou (the "two Canadians" are unnamed);
# - retaliation, 1: China's "necessary measures" -> Canada (curated);
# - statements, 16, from the speaker or the state or bloc spoken for, to the addressee or what the
#   statement is about (a statement about an act points to its actor): 2024 - Canada's concern, Joly's
#   call and Ottawa's allegations -> China (3), the ambassador -> the local leaders in Xinjiang (1),
#   China's condemnation, Mao Ning's accusation, "a thief crying 'stop thief'" and the call to stop
#   interfering -> Canada (4), the UN report -> China and Beijing's denial -> the UN (2); 2021 - Blinken
#   (US) -> EU, Borrell (EU) -> China, China's foreign ministry (through an unnamed spokesman) -> EU, China -> Zenz, Reeker (US) -> China, the UK
#   foreign secretary -> China (6). None: Trudeau on Canada's own measures (Canada -> Canada),
#   Beijing on the Joly-Wang meeting (a meeting has no actor), the unattributed quotes, "Officials deny".
EDGES = 18 + 1 + 1 + 16
# Nodes, 23: Canada, China, the EU, the US, the UK, the UN (6); the six Chinese officials named as
# targets (Chen Quanguo, Wu Yingjie, Zhu Hailun, Wang Junzheng, Wang Mingshan, Chen Mingguo); the nine
# targets of China's counter-sanctions; Meng Wanzhou; the local leaders in Xinjiang.
NODES = 6 + 6 + 9 + 1 + 1
SCHEMA = ROOT / "tests" / "fixtures" / "gexf-schema" / "1.3" / "gexf.xsd"
ID = "https://w3id.org/sanctions-kg/id/"


@pytest.fixture(scope="module")
def gexf(dataset, tmp_path_factory) -> Path:
    return export_graph(dataset, "gexf", tmp_path_factory.mktemp("export") / "sanctions.gexf")


@pytest.fixture(scope="module")
def graphml(dataset, tmp_path_factory) -> Path:
    return export_graph(dataset, "graphml", tmp_path_factory.mktemp("export") / "sanctions.graphml")


def test_gexf_valid_against_official_schema(gexf):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(etree.parse(str(gexf))), schema.error_log


def test_gexf_read_back_by_networkx(gexf):
    H = nx.read_gexf(gexf)
    assert H.number_of_edges() == EDGES and H.number_of_nodes() == NODES
    china = H.nodes[ID + "actor/china"]
    assert china["label"] == "China" and china["kind"] == "state" and china["side_label"] == "China"
    # out_degree counts coercive acts only (sanctions, retaliations, coercion): the nine named targets
    # of the counter-sanctions and the threat on Canada. Unnamed: 14 counted in the counter-sanctions,
    # 9 named; and the "two Canadians" arrested in 2018.
    assert china["out_degree"] == 9 + 1 and china["unnamed_targets"] == 5 + 2
    counter = [d for _, _, d in H.edges(data=True) if d.get("act") == ID + "act/cn-2021-03-counter-sanction"]
    assert len(counter) == 9
    assert {d["kind"] for d in counter} == {"counter-sanction"}
    assert all(d["date"] == "2021-03-22" and "10 people and four entities" in json.dumps(counter) for d in counter)


def test_gexf_is_dynamic_for_the_timeline(gexf):
    root = etree.parse(str(gexf)).getroot()
    graph = root.find("{http://gexf.net/1.3}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    starts = [e.get("start") for e in root.iter("{http://gexf.net/1.3}edge")]
    assert "2024-12-10" in starts and "2021-03-22" in starts
    colours = list(root.iter("{http://gexf.net/1.3}color"))
    assert len(colours) == NODES


@pytest.fixture(scope="module")
def graphology(tmp_path_factory) -> Path:
    """graphology-gexf from the npm registry: a reader that shares no code with networkx."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("Node.js and npm are needed for the independent GEXF reader")
    where = tmp_path_factory.mktemp("npm")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(where),
                    "graphology@0.26", "graphology-gexf@0.13"], check=True, timeout=300)
    return where


def test_gexf_read_back_by_graphology(gexf, graphology):
    script = """
const gexf = require('graphology-gexf'); const {MultiDirectedGraph} = require('graphology');
const g = gexf.parse(MultiDirectedGraph, require('fs').readFileSync(process.argv[1], 'utf8'));
const nodes = {}; g.forEachNode((n, a) => { nodes[n] = a; });
const edges = []; g.forEachEdge((e, a, s, t) => { edges.push([s, t, a.act || null, a.kind || null]); });
console.log(JSON.stringify({nodes, edges}));
"""
    proc = subprocess.run(["node", "-e", script, str(gexf)], capture_output=True, text=True, check=True,
                          env={"NODE_PATH": str(graphology / "node_modules"), "PATH": "/usr/bin:/bin:/usr/local/bin"})
    read = json.loads(proc.stdout)
    H = nx.read_gexf(gexf)
    assert set(read["nodes"]) == set(H.nodes)
    for node, attrs in H.nodes(data=True):
        for key in ("label", "kind", "side", "pagerank", "out_weight"):
            assert read["nodes"][node][key] == attrs[key], (node, key)
        assert read["nodes"][node]["color"].startswith("rgba(")  # the visual attributes are seen too
    assert sorted(map(tuple, read["edges"])) == sorted((u, v, d["act"], d["kind"]) for u, v, d in H.edges(data=True))


def test_graphml_read_back_by_networkx_and_igraph(graphml):
    H = nx.read_graphml(graphml)
    assert H.number_of_nodes() == NODES and H.number_of_edges() == EDGES
    assert H.nodes[ID + "actor/canada"]["unnamed_targets"] == 7
    import igraph as ig

    g = ig.Graph.Read_GraphML(str(graphml))
    assert g.vcount() == NODES and g.ecount() == EDGES
    assert sorted(g.vs["label"]) == sorted(d["label"] for _, d in H.nodes(data=True))


def _network(dataset):
    from kg.analysis import centrality, networks

    nets = networks.read(dataset)
    figures = {row["node"]: row for row in centrality.centrality_table(nets.actors, side_of=nets.side_of)}
    return nets, figures


def test_exports_written_beside_the_caller_equal_the_direct_ones(dataset, tmp_path):
    from kg.export import start_writing, write_network

    nets, figures = _network(dataset)
    paths = {fmt: tmp_path / "forked" / f"sanctions.{fmt}" for fmt in ("gexf", "graphml")}
    wait = start_writing(nets, figures, paths)
    for fmt in paths:
        write_network(nets, figures, fmt, tmp_path / "direct" / f"sanctions.{fmt}")
    wait()
    for fmt, path in paths.items():
        assert path.read_bytes() == (tmp_path / "direct" / f"sanctions.{fmt}").read_bytes(), fmt


def test_an_export_that_cannot_be_written_is_an_error_and_the_report_still_lands(dataset, tmp_path, capsys):
    from kg.cli import main
    from kg.export import start_writing
    from kg.io import ExportError

    nets, figures = _network(dataset)
    blocked = tmp_path / "sanctions.gexf"
    blocked.mkdir()  # a folder where the file should go: the rename into place fails
    wait = start_writing(nets, figures, {"gexf": blocked})
    with pytest.raises(ExportError, match=r"cannot write .*sanctions.gexf: Is a directory"):
        wait()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # no half-written file left

    out = tmp_path / "out"
    (out / "sanctions.graphml").mkdir(parents=True)
    assert main(["-q", "run", "--out", str(out)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert (out / "report" / "report.md").exists() and (out / "sanctions.gexf").exists()


def _networkx_gexf(H: nx.MultiDiGraph) -> bytes:
    """The reference: networkx's own GEXF writer on the whole prepared network, mended for the 1.3 schema as the
    exporter did before it streamed (graph name dropped, the XSI namespace with www., visual elements in the
    GEXF namespace), pretty-printed by lxml."""
    import io

    buffer = io.BytesIO()
    nx.write_gexf(H, buffer, version="1.3", prettyprint=False)
    text = buffer.getvalue().replace(b'xmlns:xsi="http://w3.org/2001/XMLSchema-instance"',
                                     b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
    root = etree.fromstring(text)
    root.find("{http://gexf.net/1.3}graph").attrib.pop("name", None)
    for element in root.iter("{http://gexf.net/1.3/viz}*"):
        element.tag = f"{{http://gexf.net/1.3}}{etree.QName(element).localname}"
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _networkx_graphml(H: nx.MultiDiGraph) -> bytes:
    import io

    plain = nx.MultiDiGraph()
    plain.add_nodes_from((n, {k: v for k, v in d.items() if k not in ("viz", "start")}) for n, d in H.nodes(data=True))
    for u, v, key, d in H.edges(keys=True, data=True):
        plain.add_edge(u, v, key=key, **{k: x for k, x in d.items() if k != "start"})
    buffer = io.BytesIO()
    nx.write_graphml(plain, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


@pytest.mark.parametrize("graph", ["seed", "synthetic"])
def test_streamed_exports_are_the_bytes_networkx_writes(graph, dataset, tmp_path):
    """The exports are streamed, node by node and edge by edge: networkx's writers built the whole document in
    memory (several GB at 10^7 triples). The stream must be the file networkx writes, byte for byte."""
    from kg.analysis import centrality, networks
    from kg.export.network import prepare, write_network
    from kg.synth import synthesize

    nets = networks.read(dataset if graph == "seed" else synthesize(4000, seed=3))
    figures = {row["node"]: row for row in centrality.centrality_table(nets.actors, side_of=nets.side_of)}
    assert nets.actors.number_of_edges() > 30
    for fmt, reference in (("gexf", _networkx_gexf), ("graphml", _networkx_graphml)):
        written = write_network(nets, figures, fmt, tmp_path / f"n.{fmt}").read_bytes()
        assert written == reference(prepare(nets, figures, viz=fmt == "gexf")), fmt


def test_gexf_of_an_empty_network_is_what_networkx_writes():
    from kg.export.gexf import gexf_bytes

    for H in (nx.MultiDiGraph(mode="dynamic"), nx.MultiDiGraph([("a", "b")], mode="static")):
        assert gexf_bytes(H) == _networkx_gexf(H)
