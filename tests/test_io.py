"""Reading RDF names the file and line of a parse error; writes are atomic."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.io import KgInputError, atomic_write, read_dataset, read_graph, trig_bytes

ROOT = Path(__file__).resolve().parent.parent
EX = Namespace("urn:ex#")
UNBOUND = Namespace("http://unbound.example/vocab#")  # no prefix: the serializer makes one up
OTHER = Namespace("http://other.example/vocab#")


def test_turtle_parse_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <urn:ex#> .\n\nex:a ex:b ex:c .\nex:a ex:b "no end .\n', encoding="utf-8")
    with pytest.raises(KgInputError) as err:
        read_graph(bad)
    assert str(err.value).startswith(f"{bad}:4:")


def test_trig_parse_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.trig"
    lines = ["<urn:g> {"] + ["  <urn:a> <urn:b> <urn:c> ."] * 4 + ["  <urn:a> <urn:b> <urn:c> <urn:d> .", "}"]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KgInputError) as err:
        read_dataset(bad)
    assert str(err.value).startswith(f"{bad}:6:")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(KgInputError, match="nothing.ttl: cannot read"):
        read_graph(tmp_path / "nothing.ttl")


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "kg.trig"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["kg.trig"]


def test_failed_atomic_write_keeps_old_file(tmp_path):
    target = tmp_path / "kg.trig"
    atomic_write(target, "good")


    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # not bytes: fails while writing the temporary file
    assert target.read_text() == "good"
    assert os.listdir(tmp_path) == ["kg.trig"]


def _small_dataset(order: list[str]) -> Dataset:
    """Three named graphs and the default graph, sharing subjects, made in the given order."""
    ds = Dataset()
    ds.bind("ex", EX)
    triples = {
        "urn:graph:b": [(EX.a, EX.says, Literal("two\nlines")), (EX.b, UNBOUND.p, EX.a), (EX.a, RDF.type, EX.Thing)],
        "urn:graph:a": [(EX.a, EX.says, Literal("eins", lang="de")), (EX.c, UNBOUND.q, Literal(3))],
        "urn:graph:c": [(EX.b, OTHER.r, EX.c), (EX.c, UNBOUND.p, EX.b)],
        "default": [(URIRef("urn:graph:a"), EX.source, Literal("a.ttl"))],
    }
    for name in order:
        graph = ds.graph(DATASET_DEFAULT_GRAPH_ID if name == "default" else URIRef(name))
        for triple in triples[name]:
            graph.add(triple)
    return ds


def test_trig_is_the_same_whatever_the_order_of_building():
    a = trig_bytes(_small_dataset(["urn:graph:b", "urn:graph:a", "default", "urn:graph:c"]))
    b = trig_bytes(_small_dataset(["default", "urn:graph:c", "urn:graph:a", "urn:graph:b"]))
    assert a == b


def test_trig_is_the_same_in_every_process():
    """rdflib's own TriG serializer takes graphs in set order: its output changed with PYTHONHASHSEED."""
    code = (
        "import sys; sys.path.insert(0, 'tests'); from test_io import _small_dataset; from kg.io import trig_bytes; "
        "sys.stdout.buffer.write(trig_bytes(_small_dataset(['urn:graph:b', 'urn:graph:a', 'default', 'urn:graph:c'])))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, check=True,
        ).stdout
        for seed in ("0", "1", "2", "3")
    }
    assert len(outputs) == 1


def test_trig_has_default_graph_first_then_named_graphs_sorted_and_reads_back():
    ds = _small_dataset(["urn:graph:c", "urn:graph:b", "default", "urn:graph:a"])
    text = trig_bytes(ds, {"kg": "https://w3id.org/sanctions-kg/ontology#"})
    assert re.findall(rb"^(<[^>]+>|) ?\{$", text, re.M) == [b"", b"<urn:graph:a>", b"<urn:graph:b>", b"<urn:graph:c>"]
    prefixes = re.findall(rb"^@prefix ([^:]*):", text, re.M)
    assert prefixes == sorted(set(prefixes))  # one line per prefix, a generated one (ns1) included
    back = Dataset()
    back.parse(data=text, format="trig")
    for graph in ds.graphs():
        assert isomorphic(graph, back.graph(graph.identifier)), graph.identifier


def test_trig_bytes_leave_the_dataset_bindings_alone():
    ds = _small_dataset(["urn:graph:a"])
    before = sorted(ds.namespaces())
    trig_bytes(ds, {"zz": "urn:zz#"})
    assert sorted(ds.namespaces()) == before
