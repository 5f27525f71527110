"""Hostile and broken input, unwritable output (issue 14 §2): refused fast, with exit 2 and a message
naming file and line; nothing read makes a request or opens another file; no traceback, ever."""

from __future__ import annotations

import resource
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _kg(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """``kg`` in its own process; the timeout only keeps a regression from hanging the suite."""
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=timeout, **kwargs)


class Listener:
    """A loopback TCP listener that records every connection made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.received.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.received.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def _laughs(levels: int = 9) -> str:
    """The "billion laughs": ten entities, each ten of the one before (10^9 'lol's from ~700 bytes)."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{"".join(f"&lol{i - 1};" for _ in range(10))}">' for i in range(1, levels + 1)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "\n]>\n"
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">\n'
        f'<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol{levels};</ex:p></rdf:Description>\n</rdf:RDF>\n'
    )


def test_billion_laughs_is_refused_at_once(tmp_path):
    """A 729-byte RDF/XML file cost ~230 s of CPU in rdflib's parser (and Oxigraph's expands it too)."""
    path = tmp_path / "laughs.rdf"
    path.write_text(_laughs())
    assert len(path.read_bytes()) < 1000
    result = _kg("-q", "validate", str(path), timeout=60)
    assert result.returncode == 2
    assert f"{path}:3: refused: the XML declares the entity 'lol0'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE rdf:RDF [<!ENTITY big "{}">]>'.format("x" * 10_000),  # one big entity, used many times
    '<!DOCTYPE rdf:RDF [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',  # an external entity (XXE)
    '<!DOCTYPE rdf:RDF [<!ENTITY % remote SYSTEM "{url}/dtd"> %remote;]>',  # a parameter entity fetched
], ids=["quadratic-blowup", "external-entity", "external-parameter-entity"])
def test_rdfxml_entities_are_refused_and_fetch_nothing(doctype, tmp_path, listener):
    path = tmp_path / "entities.rdf"
    body = "&big;" * 1000 if "big" in doctype else "&secret;" if "secret" in doctype else "x"
    path.write_text(
        f'<?xml version="1.0"?>\n{doctype.replace("{url}", listener.url)}\n<rdf:RDF xmlns:rdf="{RDF}" '
        f'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a">'
        f"<ex:p>{body}</ex:p></rdf:Description>\n</rdf:RDF>\n"
    )
    assert main(["-q", "validate", str(path)]) == 2
    assert listener.received == []


def test_an_external_dtd_is_not_fetched(tmp_path, listener, capsys):
    path = tmp_path / "dtd.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{listener.url}/rdf.dtd">\n<rdf:RDF xmlns:rdf="{RDF}" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a"><ex:p>x</ex:p>'
        "</rdf:Description></rdf:RDF>\n"
    )
    assert main(["-q", "validate", str(path)]) == 2
    assert f"{path}:2: refused: the XML refers to the outside document '{listener.url}/rdf.dtd'" in capsys.readouterr().err
    assert listener.received == []


@pytest.mark.parametrize("context", [
    '"{url}/context.jsonld"',  # remote
    '["{url}/context.jsonld", {{"@vocab": "http://example.org/"}}]',  # remote, in a list
    '"file://{local}"',  # a local file by IRI
    '"context.jsonld"',  # a local file, relative to the document
    '{{"@import": "{url}/context.jsonld"}}',  # JSON-LD 1.1 import
    '{{"@vocab": "http://example.org/", "p": {{"@id": "http://example.org/p", "@context": "{url}/scoped"}}}}',
], ids=["remote", "remote-in-list", "file-iri", "relative", "import", "scoped"])
def test_jsonld_contexts_are_never_fetched(context, tmp_path, listener):
    """`"@context": "http://…"` made an outbound request (and file:/relative contexts read local files);
    with the listener answering, the file conformed."""
    local = tmp_path / "context.jsonld"
    local.write_text('{"@context": {"@vocab": "http://example.org/"}}')
    path = tmp_path / "doc.jsonld"
    path.write_text(
        '{\n  "@context": ' + context.format(url=listener.url, local=local) + ',\n'
        '  "@id": "http://example.org/a", "p": {"@id": "http://example.org/b"}, "name": "x"\n}\n'
    )
    result = _kg("-q", "validate", str(path), timeout=60)
    assert result.returncode == 2, result.stderr
    assert f"{path}:" in result.stderr and "is not fetched" in result.stderr
    assert listener.received == []


@pytest.mark.parametrize("query", [
    "SELECT * FROM <{url}/graph> WHERE {{ ?s ?p ?o }} LIMIT 1",
    "SELECT * FROM NAMED <file:///etc/hostname> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
    "SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }} LIMIT 1",
    "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE SILENT <{url}/sparql> {{ ?s ?q ?r }} }} }} LIMIT 1",
], ids=["from-remote", "from-named-file", "service", "service-silent"])
@pytest.mark.parametrize("store", ["memory", "oxigraph"])
def test_kg_query_makes_no_outbound_request(query, store, built, tmp_path, listener, capsys):
    """`kg query -e` with FROM fetched the IRI (rdflib) and SERVICE called it (rdflib and Oxigraph)."""
    options = ["--dataset", str(built)] if store == "memory" else ["--store", f"oxigraph:{_store(built, tmp_path)}"]
    code = main(["-q", "query", "-e", query.format(url=listener.url), *options])
    if "SERVICE" in query:
        assert code == 2 and "SERVICE" in capsys.readouterr().err
    else:
        assert code == 0  # FROM names a graph the dataset does not hold: nothing is fetched
        if store == "memory":  # (oxrdflib answers from the union default graph whatever FROM says)
            assert "(0 rows)" in capsys.readouterr().out
    assert listener.received == []


def _store(trig: Path, tmp_path: Path) -> Path:
    from kg.store import load_oxigraph

    location = tmp_path / "store"
    load_oxigraph(trig, location)
    return location


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return out / "kg.trig"


IRI_WITH_SPACE = "@prefix ex: <http://example.org/> .\n\nex:a ex:b <http://example.org/has space> .\n"


@pytest.mark.parametrize("suffix, text, line", [
    (".ttl", IRI_WITH_SPACE, 3),
    (".trig", "@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b <http://example.org/a{b}> .\n}\n", 3),
    (".nt", '<http://example.org/a> <http://example.org/b> "x" .\n<http://example.org/a b> <http://e/b> "y" .\n', 2),
    (".nq", '<http://example.org/a> <http://example.org/b> <http://example.org/c> <http://example.org/g> .\n'
            '<http://example.org/a> <http://example.org/b> <http://example.org/c> <not an iri> .\n', 2),
], ids=["turtle", "trig", "n-triples", "n-quads"])
def test_an_invalid_iri_is_exit_2_naming_file_and_line(suffix, text, line, tmp_path):
    """An IRI with a space crashed `kg validate` with a traceback and exit 1 (the "does not conform" code)."""
    path = tmp_path / f"data{suffix}"
    path.write_text(text)
    result = _kg("validate", str(path))
    assert result.returncode == 2
    assert f"kg validate: error: {path}:{line}:" in result.stderr and "Invalid IRI" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_with_an_invalid_iri_names_the_facts_file(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    facts = sorted((data / "facts").glob("*.ttl"))[0]
    lines = facts.read_text().splitlines(keepends=True)
    lines.append("<https://w3id.org/sanctions-kg/id/actor/has space> a <https://w3id.org/sanctions-kg/ontology#Person> .\n")
    facts.write_text("".join(lines))
    assert main(["-q", "build", "--data", str(data), "--out", str(tmp_path / "out")]) == 2
    assert f"{facts}:{len(lines)}:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_truncated_file_names_the_line_where_it_breaks(tmp_path, capsys):
    """rdflib named the last line of the file for a string left open many lines earlier."""
    path = tmp_path / "cut.ttl"
    path.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "one" .\nex:c ex:d """two\n\nthree\nfour\n')
    assert main(["-q", "validate", str(path)]) == 2
    assert f"{path}:3:" in capsys.readouterr().err


def test_kg_load_errors_name_the_file(built, tmp_path, capsys):
    bad = tmp_path / "bad.trig"
    text = built.read_text()
    bad.write_text(text + "<urn:kg-test:g> {\n  <urn:kg-test:a> <urn:kg-test:b> <urn:has space> .\n}\n")
    line = text.count("\n") + 2
    for extra in ([], ["--add"]):
        if extra:
            main(["-q", "load", str(built), "--store", f"oxigraph:{tmp_path / 'store'}"])
        capsys.readouterr()
        assert main(["-q", "load", str(bad), *extra, "--store", f"oxigraph:{tmp_path / 'store'}"]) == 2
        err = capsys.readouterr().err
        assert f"kg load: error: {bad}:{line}:" in err and "Invalid IRI" in err, err


def test_standard_input_errors_name_stdin_and_the_line(built, tmp_path):
    """`-` (standard input, from main's pkg branch) goes through the same strict readers as a file: an
    invalid IRI on line 2 is exit 2 naming <stdin>:2, for kg validate and for kg load (Oxigraph's reader)."""
    text = '<http://example.org/a> <http://example.org/b> "x" .\n<http://example.org/a b> <http://e/b> "y" .\n'
    for args in (["validate", "-"], ["load", "-", "--store", f"oxigraph:{tmp_path / 'store'}"]):
        result = _kg(*args, input=text)
        assert result.returncode == 2, result.stderr
        assert f"kg {args[0]}: error: <stdin>:2:" in result.stderr and "Traceback" not in result.stderr


def test_kg_load_from_standard_input_reads_it_once(built, tmp_path):
    """`kg load - --store sparql:URL` read standard input twice (the bytes, then to parse them): the second
    read found nothing, so any file was refused as without facts. Here against an unreachable server:
    the error must be the server's, not `<stdin>: no facts`."""
    result = _kg("load", "-", "--store", "sparql:http://127.0.0.1:1/query", input=built.read_text())
    assert result.returncode == 2
    assert "no facts" not in result.stderr and "does not answer" in result.stderr, result.stderr


@pytest.mark.parametrize("line, reason", [
    (b"[" * 5000, "nested too deep"),  # json.loads raised RecursionError: exit 3, "a bug"
    (b'{"id": "x", "schema": "Person", "properties": {"name": "Zhu"}}', "must map each property to a list"),
    (b'{"id": "x\xff", "schema": "Person"}', "not a FollowTheMoney entity"),
], ids=["deep-nesting", "property-not-a-list", "not-utf-8"])
def test_a_bad_ftm_line_is_exit_2_naming_file_and_line(line, reason, tmp_path, capsys):
    """kg import (from main's ftm branch) reads JSON lines: a hostile line is refused naming file:line,
    and nothing is written."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imports", "links"))
    path = tmp_path / "list.ftm.json"
    fixture = (ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json").read_bytes().splitlines()
    path.write_bytes(fixture[0] + b"\n" + line + b"\n")
    assert main(["-q", "import", str(path), "--data", str(data), "--no-link"]) == 2
    err = capsys.readouterr().err
    assert f"kg import: error: {path}:2:" in err and reason in err, err
    assert not (data / "imports").exists()


@pytest.mark.parametrize("args", [
    ["export", "--out", "/proc/sanctions.gexf"],
    ["export", "--format", "graphml", "--out", "{readme}/x.graphml"],
    ["report", "--out", "{readme}/x"],
    ["build", "--out", "/proc/out"],
    ["query", "sanctions", "--format", "json", "--out", "/proc/x"],
], ids=["export-proc", "export-under-a-file", "report-under-a-file", "build-proc", "query-usage"])
def test_an_unwritable_output_is_exit_2_with_a_message(args, built, tmp_path):
    """`kg export --out /proc/x.gexf` and `kg report --out README.md/x` crashed with a traceback, exit 1."""
    readme = tmp_path / "README.md"
    readme.write_text("a file, not a folder\n")
    args = [a.format(readme=readme) for a in args]
    if args[0] in ("export", "report", "query"):
        args += ["--dataset", str(built)]
    result = _kg(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip()
    if args[0] != "query":  # (query has no --out: a usage error, which argparse reports)
        target = args[args.index("--out") + 1]
        assert "cannot" in result.stderr and (target in result.stderr or str(Path(target).parent) in result.stderr)


def test_a_full_disk_is_exit_2_and_keeps_the_last_output(built, tmp_path):
    """A write that fails half-way (here: the file-size limit, as a full disk would) leaves the last good
    file and no temporary file, and says which file could not be written."""
    target = tmp_path / "sanctions.gexf"
    target.write_text("the last good export\n")

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = _kg("-q", "export", "--dataset", str(built), "--out", str(target), preexec_fn=small_files)
    assert result.returncode == 2
    assert f"kg export: error: cannot write {target}: File too large" in result.stderr
    assert target.read_text() == "the last good export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sanctions.gexf"]


ILL_TYPED = (
    "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    'ex:a ex:b "abc"^^xsd:integer ; ex:c "2021-13-45"^^xsd:date .\n'
)


def test_quiet_prints_no_library_warning_and_no_traceback(tmp_path):
    """Under -q rdflib's warnings about ill-typed literals printed, each with a traceback, as `kg: …`."""
    path = tmp_path / "ill-typed.ttl"
    path.write_text(ILL_TYPED)
    quiet = _kg("-q", "validate", str(path))
    assert quiet.returncode == 0 and quiet.stderr == ""
    loud = _kg("validate", str(path))
    assert loud.returncode == 0
    assert "Traceback" not in loud.stderr
    library = [line for line in loud.stderr.splitlines() if "Failed to convert Literal" in line]
    assert len(library) == 2 and all(line.startswith("rdflib.term: warning: ") for line in library)
    assert all(line.startswith(("kg: ", "rdflib.term: ")) for line in loud.stderr.splitlines())


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n",
                                  "<https://w3id.org/sanctions-kg/graph/ontology> { <urn:a> <urn:b> <urn:c> }\n"],
                         ids=["empty", "comment", "ontology-only"])
def test_an_empty_dataset_is_refused_unless_allowed(text, built, tmp_path, capsys):
    """`kg load empty.trig` swapped a full store for an empty one (exit 0), and `kg validate empty.trig`
    said "Conforms"."""
    empty = tmp_path / "empty.trig"
    empty.write_text(text)
    store = f"oxigraph:{tmp_path / 'store'}"
    assert main(["-q", "load", str(built), "--store", store]) == 0
    before = (tmp_path / "store").resolve()
    capsys.readouterr()
    assert main(["-q", "validate", str(empty)]) == 2
    assert f"{empty}: it holds no facts" in capsys.readouterr().err
    assert main(["-q", "load", str(empty), "--store", store]) == 2
    assert f"{empty}: it holds no facts" in capsys.readouterr().err
    assert (tmp_path / "store").resolve() == before  # the store was not replaced
    assert main(["-q", "run", "--input", str(empty), "--store", store, "--out", str(tmp_path / "out")]) == 2
    assert (tmp_path / "store").resolve() == before
    # Said explicitly, it is done.
    assert main(["-q", "validate", "--allow-empty", str(empty)]) == 0
    assert main(["-q", "load", "--allow-empty", str(empty), "--store", store]) == 0
    assert (tmp_path / "store").resolve() != before


def test_build_on_data_without_facts_is_refused_unless_allowed(tmp_path, capsys):
    data = tmp_path / "data"
    (data / "facts").mkdir(parents=True)
    out = tmp_path / "out"
    assert main(["-q", "build", "--data", str(data), "--out", str(out)]) == 2
    assert "no facts" in capsys.readouterr().err and not out.exists()
    # An article whose facts file holds only the article itself is no fact either.
    shutil.copytree(ROOT / "data" / "articles", data / "articles")
    for text in sorted((data / "articles").glob("*.txt")):
        facts = (ROOT / "data" / "facts" / f"{text.stem}.ttl").read_text()
        head = facts[: facts.index(" .\n", facts.index("a kg:NewsArticle")) + 3]  # prefixes and the article node
        (data / "facts" / f"{text.stem}.ttl").write_text(head)
    assert main(["-q", "build", "--data", str(data), "--out", str(out)]) == 2
    assert f"{data}: it holds no facts" in capsys.readouterr().err and not out.exists()
    assert main(["-q", "build", "--allow-empty", "--data", str(data), "--out", str(out)]) == 0
    assert (out / "kg.trig").exists()


def test_an_internal_error_is_one_line_and_exit_3(monkeypatch, capsys):
    """A bug still shows no traceback: one line that says it is one, and exit 3 (not 1, "does not conform")."""
    import kg.commands.validate

    def broken(args):
        raise TypeError("a bug")

    monkeypatch.setattr(kg.commands.validate, "run", broken)  # register() reads it when main() builds the parser
    assert main(["-q", "validate"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("kg validate: error: internal error (a bug in kg") and "TypeError: a bug" in err
    assert "Traceback" not in err


def test_third_party_log_lines_are_not_printed_as_kg(capsys):
    import logging

    from kg.cli import configure_logging

    configure_logging(quiet=False)
    logging.getLogger("waitress").warning("a line from another library")
    logging.getLogger("kg.store").info("a line of ours")
    err = capsys.readouterr().err.splitlines()
    assert err == ["waitress: warning: a line from another library", "kg: a line of ours"]
    configure_logging(quiet=True)
    logging.getLogger("waitress").error("an error from another library")
    logging.getLogger("kg.store").info("progress of ours")
    assert capsys.readouterr().err == ""
