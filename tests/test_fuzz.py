"""Fuzzing the readers and the command line (hypothesis): whatever the input, ``kg`` ends with exit 0, 1
or 2 and a message, never a traceback (nor exit 3, a bug), within a bounded time per example.

The readers are fuzzed through ``kg validate FILE`` with every format we accept (TriG also through
``kg validate -``, standard input), and the FollowTheMoney reader through ``kg import FILE``, from a
small valid document of each mutated by deletions, repetitions and hostile fragments. The command line
is fuzzed with every command but ``serve`` (it serves until stopped), ``run`` (``build`` and ``report``
cover its parts) and ``add``/``review`` (their own tests), over options and values drawn from a pool of
awkward ones; ``import`` always writes into the work folder's copy of the data (``--data data``). The examples are
derandomised, so CI runs the same ones every time; ``KG_FUZZ_EXAMPLES`` runs more locally.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=timedelta(seconds=20),  # generous: the machine is shared; a hang or a blow-up is minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    database=None,
)

SEEDS = {
    ".ttl": '@prefix ex: <http://example.org/> .\n@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .\n'
            'ex:a a kg:Person ; ex:name "A \\"quoted\\" name"@en ; ex:n 3 ; ex:d "2021-03-22"^^<http://www.w3.org/2001/XMLSchema#date> .\n'
            'ex:b ex:knows ( ex:a [ ex:p "x" ] ) .\n',
    ".trig": '@prefix ex: <http://example.org/> .\nex:g { ex:a ex:b "c" ; ex:d ex:e . }\n{ ex:x ex:y ex:z }\n',
    ".nt": '<http://example.org/a> <http://example.org/b> "c"@en .\n_:b0 <http://example.org/p> <http://example.org/o> .\n',
    ".nq": '<http://example.org/a> <http://example.org/b> "c" <http://example.org/g> .\n'
           '<http://example.org/a> <http://example.org/b> "d"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    ".rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/">\n  <rdf:Description rdf:about="http://example.org/a">\n'
            '    <ex:p rdf:resource="http://example.org/b"/>\n    <ex:q xml:lang="en">text</ex:q>\n'
            '  </rdf:Description>\n</rdf:RDF>\n',
    ".jsonld": '{"@context": {"@vocab": "http://example.org/", "kg": "https://w3id.org/sanctions-kg/ontology#"},\n'
               ' "@graph": [{"@id": "http://example.org/a", "@type": "kg:Person", "name": "x", "n": 3},\n'
               '            {"@id": "http://example.org/b", "knows": {"@id": "http://example.org/a"}}]}\n',
}

HOSTILE = [
    "<http://example.org/has space>", "<>", "<#>", "< >", '"', '"""', "'''", "\\", "\\u0000", "\\U0010FFFF", "@prefix",
    "@base <x> .", "PREFIX p: <http://p/>", "{", "}", "[", "]", "(", ")", ";", ",", ".", "^^", "@en-", "_:", "a",
    "\x00", "\u2028", "\ufeff", "\udcff", "&lol;", "<!ENTITY lol 'lol'>", "<!DOCTYPE rdf:RDF [<!ENTITY a 'b'>]>",
    '<!DOCTYPE x SYSTEM "http://127.0.0.1:1/x.dtd">', "]]>", "<![CDATA[", '"@context": "http://127.0.0.1:1/c"',
    '"@context": "file:///etc/passwd"', '{"@import": "x.jsonld"}', '"@id": "has space"', "1e400", "-0", "9" * 400,
    '"2021-02-30"^^<http://www.w3.org/2001/XMLSchema#date>', '"x"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "<https://w3id.org/sanctions-kg/graph/ontology>", "<https://w3id.org/sanctions-kg/id/article/x>",
]


@st.composite
def mutated(draw, seed: str, hostile: list[str] = HOSTILE) -> bytes:
    text = seed
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["insert", "delete", "repeat", "text"]))
        at = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(hostile)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "repeat":
            end = min(len(text), at + draw(st.integers(1, 30)))
            text = text[:at] + text[at:end] * draw(st.integers(2, 50)) + text[end:]
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    data = text.encode("utf-8", "surrogateescape" if "\udcff" in text else "strict") if text else b""
    if draw(st.booleans()) and data:  # sometimes not UTF-8 at all, or cut off mid-character
        data = data[: draw(st.integers(0, len(data)))] + draw(st.binary(max_size=4))
    return data


class _Stdin:
    """Standard input holding ``data`` (``kg … -`` reads ``sys.stdin.buffer``)."""

    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def _run(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()), \
            _swap_stdin(_Stdin(stdin)):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own usage errors (exit 2)
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@contextlib.contextmanager
def _swap_stdin(stream):
    old, sys.stdin = sys.stdin, stream
    try:
        yield
    finally:
        sys.stdin = old


def _assert_handled(argv: list[str], code: int, err: str) -> None:
    assert code in (0, 1, 2), f"exit {code} for {argv}: {err}"
    assert "Traceback" not in err and "internal error" not in err, f"{argv}: {err}"


@pytest.fixture(scope="module", autouse=True)
def compiled_shapes_once():
    """Compile the SHACL shapes once for the module instead of in every example (each ``kg validate`` and
    ``kg build`` compiled them again: about 2 s of pyparsing per example, most of this test's time).
    The shapes are the project's, whatever the fuzzed input, so every example runs the same plan it
    would have compiled; a shapes graph with other triples (none here) is compiled as before."""
    from rdflib import BNode

    import kg.shacl_sparql as compiler

    compile_shapes, plans = compiler.compile_shapes, {}

    def cached(shapes):
        key = (len(shapes), frozenset(t for t in shapes if not any(isinstance(x, BNode) for x in t)))
        if key not in plans:
            plans[key] = compile_shapes(shapes)
        return plans[key]

    compiler.compile_shapes = cached
    try:
        yield
    finally:
        compiler.compile_shapes = compile_shapes


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder to run in (so out/ is not the project's), with the built graph, a store and awkward paths."""
    folder = tmp_path_factory.mktemp("fuzz")
    old = os.getcwd()
    os.chdir(folder)
    try:
        assert _run(["-q", "build", "--out", "out"])[0] == 0
        assert _run(["-q", "load", "out/kg.trig", "--store", "oxigraph:store"])[0] == 0
        (folder / "a-file.txt").write_text("not RDF at all {{{\n")
        (folder / "empty.trig").write_text("")
        (folder / "folder").mkdir()
        # kg import writes into its --data folder: a copy, never the project's seed data
        shutil.copytree(ROOT / "data", folder / "data", ignore=shutil.ignore_patterns("imports", "links", "__pycache__"))
        shutil.copy(FTM_FIXTURE, folder / "sample.ftm.json")
        yield folder
    finally:
        os.chdir(old)


@pytest.mark.parametrize("suffix", sorted(SEEDS))
def test_readers_never_crash(suffix, workdir):
    @FUZZ
    @given(data=mutated(SEEDS[suffix]))
    def check(data: bytes) -> None:
        path = workdir / f"fuzz{suffix}"
        path.write_bytes(data)
        argv = ["-q", "validate", str(path)]
        _assert_handled(argv, *_run(argv))
        if suffix == ".trig":  # standard input is read as TriG
            argv = ["-q", "validate", "-"]
            _assert_handled(argv, *_run(argv, stdin=data))

    check()


FTM_FIXTURE = ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"
FTM_HOSTILE = [
    '"id": ""', '"id": 3', '"schema": "Nope"', '"schema": null', '"properties": []', '"properties": {"name": "x"}',
    '"properties": {"name": [3]}', '"properties": {"nope": ["x"]}', '"datasets": "x"', '"startDate": ["2021-02-30"]',
    '"birthDate": ["-0001"]', '"entity": ["missing-id"]', '"entity": ["NK-chen-quanguo", "NK-chen-quanguo"]',
    '"country": ["zz"]', '"name": ["' + "x" * 5000 + '"]', "[" * 3000, "{" * 3000, "]", "}", ",", ":", '"', "\\",
    "\\u0000", "\\ud800", "NaN", "1e400", "\n", "\n\n", "\x00", "\udcff", "\u2028", "\ufeff", "null", "[]",
]


def test_ftm_reader_never_crashes(workdir):
    """``kg import`` over mutated FollowTheMoney lines: refused naming file:line, or imported; never a bug."""
    lines = FTM_FIXTURE.read_text(encoding="utf-8").splitlines()[:6]  # people, sanctions, an organisation
    seed = "\n".join(lines) + "\n"

    @FUZZ
    @given(data=mutated(seed, FTM_HOSTILE), link=st.booleans(), skip=st.booleans())
    def check(data: bytes, link: bool, skip: bool) -> None:
        path = workdir / "fuzz.ftm.json"
        path.write_bytes(data)
        argv = ["-q", "import", str(path), "--data", "data", *([] if link else ["--no-link"]),
                *(["--skip-bad"] if skip else [])]
        code, err = _run(argv)
        _assert_handled(argv, code, err)
        if code == 2 and "not a FollowTheMoney entity" in err:
            assert f"{path}:" in err, f"the error names no line: {err}"

    check()


PATHS = ["out/kg.trig", "a-file.txt", "empty.trig", "folder", "missing.trig", "/proc/x", "a-file.txt/x", "",
         "-", "\udcff.ttl", "x" * 300, "out"]
STORES = ["memory", "oxigraph:store", "oxigraph:missing", "oxigraph:a-file.txt", "oxigraph:", "sparql:",
          "sparql:http://127.0.0.1:1/query", "sparql:not a url", "mem", "oxigraph:/proc/x"]
VALUES = ["", "0", "-1", "1e309", "nan", "\udcff", "x" * 500, "a=b", "=", "target=Zhu Hailun", "responder=",
          "fact=http://example.org/has space", "https://w3id.org/sanctions-kg/graph/article/x", "sanctions",
          "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "ASK {", "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
          "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2", "DESCRIBE <urn:x>", "INSERT DATA { <a:b> <a:b> <a:b> }"]
COMMANDS = {
    "build": {"--data": PATHS, "--out": PATHS, "--format": ["text", "json", "xml"], "--store": STORES,
              "--allow-empty": None, "--wait": ["0", "-1", "0.1", "x"]},
    "validate": {"": PATHS, "--store": STORES, "--engine": ["auto", "pyshacl", "oxigraph", "x"], "--graph": VALUES,
                 "--allow-empty": None, "--format": ["text", "json", "turtle", "x"]},
    "query": {"": ["sanctions", "timeline", "counter-sanctions", "evidence", "nope", *PATHS], "-e": VALUES,
              "--param": VALUES, "--format": ["table", "json", "csv", "tsv", "xml", "turtle", "json-ld", "x"],
              "--store": STORES, "--dataset": PATHS, "--graph": PATHS, "--list": None},
    "load": {"": PATHS, "--store": STORES, "--add": None, "--allow-empty": None, "--wait": ["0", "0.2", "-3"],
             "--engine": ["auto", "x"], "--format": ["text", "json", "x"]},
    "chains": {"--format": ["table", "json", "csv", "x"], "--window": ["0", "-5", "30", "x", "99999999999"],
               "--store": STORES, "--dataset": PATHS, "--max-cycle": ["0", "2", "-1", "x"]},
    "report": {"--out": PATHS, "--window": ["0", "-5", "x"], "--store": STORES, "--dataset": PATHS},
    "export": {"--format": ["gexf", "graphml", "ftm", "ftm", "x"], "--out": PATHS, "--store": STORES,
               "--dataset": PATHS, "--graph": PATHS},
    # always into the work folder's copy of the data: the memory store writes data/imports/NAME.ttl there
    "import": {"": ["sample.ftm.json", *PATHS], "--dataset": ["sample", "", "x y", "../up", "a.b", "\udcff", "-"],
               "--store": STORES, "--skip-bad": None, "--no-link": None, "--wait": ["0", "-1", "x"]},
    "synth": {"--triples": ["0", "-5", "50", "x", "1e3"], "--seed": ["1", "x", "-1"], "--out": PATHS,
              "--violations": ["0", "1", "-1", "x"]},
}


@st.composite
def command_lines(draw) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    options = COMMANDS[command]
    argv = ["-q", command, *(["--data", "data"] if command == "import" else [])]
    for option in draw(st.lists(st.sampled_from(sorted(options)), max_size=4)):
        values = options[option]
        if values is None:
            argv.append(option)
            continue
        value = draw(st.sampled_from(values) | st.text(max_size=12).filter(lambda t: "\x00" not in t))
        argv += [value] if option == "" else [option, value]
    return argv


def test_command_line_never_crashes(workdir):
    @FUZZ
    @given(argv=command_lines())
    def check(argv: list[str]) -> None:
        _assert_handled(argv, *_run(argv))

    check()
