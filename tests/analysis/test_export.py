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
    assert H.number_of_edges() == 34 and H.number_of_nodes() == 27
    china = H.nodes[ID + "actor/china"]
    assert china["label"] == "China" and china["kind"] == "state" and china["side_label"] == "China"
    # 14 counted in the counter-sanctions, 9 named; and the "two Canadians" arrested in 2018.
    assert china["out_degree"] == 10 and china["unnamed_targets"] == 5 + 2
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
    assert len(colours) == 27


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
    assert H.number_of_nodes() == 27 and H.number_of_edges() == 34
    assert H.nodes[ID + "actor/canada"]["unnamed_targets"] == 7
    import igraph as ig

    g = ig.Graph.Read_GraphML(str(graphml))
    assert g.vcount() == 27 and g.ecount() == 34
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
