"""The same commands on three stores: memory, a persistent Oxigraph store, a remote SPARQL server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kg.cli import main
from kg.io import KgInputError
from kg.query import load_catalogue, run_query
from kg.store import StoreError, load_oxigraph, open_dataset, store_kind

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")


def _answers(dataset, name, **params) -> list[tuple]:
    result = run_query(dataset, CATALOGUE[name], **params)
    if result.type == "ASK":
        return [(result.askAnswer,)]
    # Sorted: ORDER BY leaves ties in engine order, which may differ between engines; and the
    # order inside a GROUP_CONCAT is undefined in SPARQL, so "a; b" and "b; a" are the same answer.
    def norm(v):
        return "" if v is None else "; ".join(sorted(str(v).split("; ")))

    return sorted(tuple(norm(v) for v in row) for row in result)


@pytest.fixture(scope="module")
def trig(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return out / "kg.trig"


@pytest.fixture(scope="module")
def oxigraph_store(trig, tmp_path_factory) -> str:
    location = tmp_path_factory.mktemp("stores") / "kg"
    load_oxigraph(trig, location)
    return f"oxigraph:{location}"


def _examples(name, which: str) -> dict[str, str]:
    """The header's examples: of the required parameters only, or of all."""
    params = CATALOGUE[name].params.values()
    return {p.name: p.example for p in params if which == "all" or p.required}


#: every query with its required parameters, and those with optional ones also with all of them
CASES = [(name, "required") for name in sorted(CATALOGUE)] + [
    (name, "all") for name, q in sorted(CATALOGUE.items()) if any(not p.required for p in q.params.values())
]


@pytest.mark.parametrize("name,which", CASES)
def test_oxigraph_answers_equal_memory(name, which, trig, oxigraph_store):
    params = _examples(name, which)
    assert _answers(open_dataset(oxigraph_store), name, **params) == _answers(open_dataset("memory", trig), name, **params)


def test_summary_counts_the_same_on_both_stores(trig, oxigraph_store):
    from kg.build import summary

    memory, stored = summary(open_dataset("memory", trig)), summary(open_dataset(oxigraph_store))
    assert stored == memory
    assert memory["triples"] > 2000 and memory["graphs"] >= 3


def test_failed_load_keeps_previous_store(trig, tmp_path):
    location = tmp_path / "kg"
    load_oxigraph(trig, location)
    before = _answers(open_dataset(f"oxigraph:{location}"), "sanctions")
    bad = tmp_path / "bad.trig"
    bad.write_text(trig.read_text()[:5000] + "\n<urn:broken> {{{ \n")
    with pytest.raises(KgInputError):
        load_oxigraph(bad, location)
    assert _answers(open_dataset(f"oxigraph:{location}"), "sanctions") == before
    assert len([p for p in (tmp_path / "kg.versions").iterdir() if p.is_dir()]) == 1  # the failed version was removed


def test_build_into_oxigraph_and_read_with_commands(tmp_path, capsys):
    spec = f"oxigraph:{tmp_path / 'kg'}"
    assert main(["-q", "build", "--store", spec]) == 0
    assert main(["-q", "query", "multiply-sanctioned", "--store", spec]) == 0
    assert "Wang Junzheng" in capsys.readouterr().out
    assert main(["-q", "validate", "--store", spec]) == 0


def test_store_specs():
    assert store_kind("memory") == ("memory", "")
    with pytest.raises(StoreError):
        store_kind("postgres:x")
    with pytest.raises(StoreError):
        store_kind("oxigraph:")
    with pytest.raises(KgInputError, match="no Oxigraph store"):
        open_dataset("oxigraph:/nonexistent/kg")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """An `oxigraph` server (from PyPI) on a loopback port, started and stopped by the test."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    port = _free_port()
    location = tmp_path_factory.mktemp("server")
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the oxigraph server did not start")
    yield f"{url}/query"
    proc.terminate()
    proc.wait(10)


def test_remote_sparql_store(oxigraph_server, trig, capsys):
    spec = f"sparql:{oxigraph_server}"
    assert main(["-q", "build", "--store", spec]) == 0
    remote = open_dataset(spec)
    local = open_dataset("memory", trig)
    # Every catalogue query, with its example parameters: rdflib sent them after the query as a trailing
    # VALUES block, which a server joins after the WHERE pattern's FILTERs (statements, targets-by-kind
    # gave no rows); they now go at the head of the WHERE pattern (kg.query.with_values).
    for name, which in CASES:
        params = _examples(name, which)
        assert _answers(remote, name, **params) == _answers(local, name, **params), (name, which)
    assert main(["-q", "query", "counter-sanctions", "--param", "responder=China", "--store", spec]) == 0
    assert "(9 rows)" in capsys.readouterr().out
    # Validation fetches the remote graphs (rdflib cannot serialize a remote store: a TypeError, exit 3).
    assert main(["-q", "validate", "--store", spec]) == 0
    # Loading again replaces the graphs instead of duplicating them.
    assert main(["-q", "build", "--store", spec]) == 0
    assert _answers(open_dataset(spec), "sanctions") == _answers(local, "sanctions")


def _as_new_article(ds, graph: str, path: Path, change=None) -> str:
    """Write the triples of named graph ``graph`` as a new graph of a TriG file; return its IRI."""
    from rdflib import Dataset, URIRef

    new = URIRef(graph + "-again")
    part = Dataset()
    for s, p, o in ds.graph(URIRef(graph)):
        part.add((s, p, o, new))
    if change:
        change(part.graph(new))
    path.write_bytes(part.serialize(format="trig", encoding="utf-8"))
    return str(new)


def test_load_add_validates_the_new_article_and_keeps_the_store_when_it_fails(tmp_path, capsys):
    from rdflib import Literal

    from kg.io import trig_bytes
    from kg.namespace import KG, PREFIXES
    from kg.synth import synthesize

    ds = synthesize(4000, seed=21)
    articles = sorted(str(g.identifier) for g in ds.graphs() if "/graph/article/" in str(g.identifier))
    misquoted = []

    def misquote(graph):  # one quote that no longer occurs in the article's text
        evidence, quote = sorted(graph.subject_objects(KG.quote))[0]
        graph.remove((evidence, KG.quote, quote))
        graph.add((evidence, KG.quote, Literal(str(quote) + " (sic)")))
        misquoted.append(str(evidence))

    good_graph = _as_new_article(ds, articles[0], tmp_path / "good.trig")
    bad_graph = _as_new_article(ds, articles[1], tmp_path / "bad.trig", misquote)
    base = tmp_path / "base.trig"
    base.write_bytes(trig_bytes(ds, PREFIXES))
    location = tmp_path / "store"
    assert main(["-q", "load", str(base), "--store", f"oxigraph:{location}"]) == 0
    assert main(["-q", "validate", "--store", f"oxigraph:{location}"]) == 0
    before = location.resolve()

    capsys.readouterr()
    assert main(["-q", "load", str(tmp_path / "bad.trig"), "--add", "--store", f"oxigraph:{location}"]) == 1
    out = capsys.readouterr().out
    assert "kgsh:Evidence_quoteInText" in out and misquoted[0] in out and "Not added" in out
    assert location.resolve() == before  # the store was not touched
    assert main(["-q", "load", str(tmp_path / "good.trig"), "--add", "--store", f"oxigraph:{location}"]) == 0
    assert location.resolve() != before and not before.exists()
    graphs = {str(g.identifier) for g in open_dataset(f"oxigraph:{location}").graphs()}
    assert good_graph in graphs and bad_graph not in graphs
    assert main(["-q", "validate", "--store", f"oxigraph:{location}"]) == 0


def test_run_on_an_input_file_loads_it_only_if_it_conforms(tmp_path, capsys):
    from kg.io import trig_bytes
    from kg.namespace import PREFIXES
    from kg.synth import synthesize

    good, bad = tmp_path / "good.trig", tmp_path / "bad.trig"
    good.write_bytes(trig_bytes(synthesize(3000, seed=5), PREFIXES))
    bad.write_bytes(trig_bytes(synthesize(3000, seed=6, violations=1), PREFIXES))
    location, out = tmp_path / "store", tmp_path / "out"

    assert main(["-q", "run", "--input", str(good), "--store", f"oxigraph:{location}", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"Loaded {good} into oxigraph:{location}" in printed and "most central by PageRank" in printed
    for name in ("sanctions.gexf", "sanctions.graphml", "report/report.html", "report/chains.csv"):
        assert (out / name).stat().st_size > 0, name
    stored = open_dataset(f"oxigraph:{location}")
    assert len(stored) == len(open_dataset("memory", good))  # the whole file went into the store
    before, report = location.resolve(), (out / "report" / "report.md").read_bytes()

    assert main(["-q", "run", "--input", str(bad), "--store", f"oxigraph:{location}", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Violation" in err and f"oxigraph:{location} is left as it was" in err
    assert location.resolve() == before and before.exists()  # the store was not touched
    assert (out / "report" / "report.md").read_bytes() == report  # nor the last good outputs
    assert sorted(p.name for p in (tmp_path / "store.versions").iterdir() if p.is_dir()) == [before.name]  # no half-loaded version left
    fresh = tmp_path / "fresh"
    assert main(["-q", "run", "--input", str(bad), "--store", f"oxigraph:{fresh}", "--out", str(tmp_path / "o2")]) == 1
    assert not fresh.exists() and not (tmp_path / "fresh.versions").exists()  # a failed check writes nothing to disk

    assert main(["-q", "run", "--input", str(good), "--out", str(out)]) == 2  # memory cannot take --input
    assert "give --store oxigraph:PATH" in capsys.readouterr().err


def test_load_checked_reports_a_failed_disk_load_after_the_analyses(trig, tmp_path, monkeypatch):
    import kg.store

    def broken_swap(location, fill, wait=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(kg.store, "_swap_in", broken_swap)
    ran = []
    with pytest.raises(StoreError, match="No space left on device"):
        kg.store.load_checked(trig, tmp_path / "s", lambda dataset: True, lambda dataset: ran.append(len(dataset)))
    assert ran and ran[0] > 2000  # the analyses ran on the in-memory graph
    (tmp_path / "plain-folder").mkdir()
    with pytest.raises(StoreError, match="is not a store made by kg"):
        kg.store.load_checked(trig, tmp_path / "plain-folder", lambda dataset: True)
