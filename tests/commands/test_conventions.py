"""Conventions every command keeps: --version, -q, --format, `-` for standard input, one meaning of --graph."""

from __future__ import annotations

import importlib.metadata
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return out / "kg.trig"


class _Stdin:
    """Stands for sys.stdin: ``buffer`` holds the bytes a command reads from ``-``."""

    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_version_is_the_installed_version():
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"kg (sanctions-kg) {importlib.metadata.version('sanctions-kg')}"


def test_dash_reads_standard_input_for_validate(built, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(built.read_bytes()))
    assert main(["-q", "validate", "-"]) == 0
    assert "Conforms: -" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", _Stdin(b"<urn:a> <urn:b> .\n"))
    assert main(["-q", "validate", "-"]) == 2
    assert "<stdin>:1" in capsys.readouterr().err  # the error names standard input and the line


def test_dash_reads_standard_input_for_the_dataset_and_a_query(built, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(built.read_bytes()))
    assert main(["-q", "query", "counter-sanctions", "--format", "csv", "--dataset", "-"]) == 0
    # nine named targets of China's counter-sanctions in xinjiang-round-2021.txt (see tests/test_packaging.py)
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 9
    query = b"PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>\nASK { ?s a kg:CounterSanction }\n"
    monkeypatch.setattr(sys, "stdin", _Stdin(query))
    assert main(["-q", "query", "-", "--dataset", str(built)]) == 0
    assert capsys.readouterr().out == "true\n"


def test_dash_reads_standard_input_for_load(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(built.read_bytes()))
    store = tmp_path / "store"
    assert main(["-q", "load", "-", "--store", f"oxigraph:{store}"]) == 0
    capsys.readouterr()
    assert main(["-q", "query", "counter-sanctions", "--format", "csv", "--store", f"oxigraph:{store}"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 9


def test_graph_means_a_named_graph_and_the_old_file_spelling_warns(built, capsys):
    """--graph FILE on reading commands and --graph IRI on kg validate meant two things; the file is --dataset now,
    and the old spelling still works with a warning."""
    assert main(["-q", "query", "counter-sanctions", "--format", "csv", "--dataset", str(built)]) == 0
    new = capsys.readouterr()
    assert main(["-q", "query", "counter-sanctions", "--format", "csv", "--graph", str(built)]) == 0
    old = capsys.readouterr()
    assert old.out == new.out and new.err == ""
    assert "--graph FILE is deprecated, use --dataset FILE" in old.err
    for command in ("query", "chains", "report", "export", "serve"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "--dataset FILE" in text and "--graph" not in text, command


def test_dash_reads_standard_input_for_add(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(b"Canada imposed sanctions.\n"))
    assert main(["-q", "add", "-", "--data", str(tmp_path)]) == 2
    assert "name it with --slug" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", _Stdin(b"  \n"))
    assert main(["-q", "add", "-", "--slug", "note", "--data", str(tmp_path)]) == 2
    assert "<stdin>: the file is empty" in capsys.readouterr().err  # it read standard input, not a file named -


@pytest.mark.parametrize("query, fmt", [
    ("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2", "csv"),
    ("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2", "table"),
    ("SELECT ?s WHERE { ?s a ?t } LIMIT 2", "turtle"),
    ("SELECT ?s WHERE { ?s a ?t } LIMIT 2", "json-ld"),
    ("ASK { ?s a ?t }", "csv"),  # the W3C CSV/TSV results formats have no boolean
    ("ASK { ?s a ?t }", "turtle"),
])
def test_a_format_that_does_not_apply_to_the_query_form_is_exit_2(built, query, fmt, capsys):
    """--format csv on a CONSTRUCT printed Turtle, and turtle on a SELECT a table, with exit 0."""
    assert main(["-q", "query", "-e", query, "--format", fmt, "--dataset", str(built)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and f"--format {fmt} does not apply to a" in captured.err


@pytest.mark.parametrize("query, fmt, marker", [
    ("CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2", "json-ld", '"@id"'),
    ("ASK { ?s a ?t }", "json", None),
    ("ASK { ?s a ?t }", "xml", "<boolean>true</boolean>"),
])
def test_the_formats_of_each_query_form_still_work(built, query, fmt, marker, capsys):
    assert main(["-q", "query", "-e", query, "--format", fmt, "--dataset", str(built)]) == 0
    out = capsys.readouterr().out
    if marker is None:
        # read as JSON, not matched as text: rdflib writes it through orjson when that is installed
        # (followthemoney brings it), compact, without the space after the colon
        assert json.loads(out) == {"head": {}, "boolean": True}
    else:
        assert marker in out


def _lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [100, 60])
@pytest.mark.parametrize("argv", [["query", "sanctions"], ["query", "timeline"], ["query", "grounds"], ["chains"]])
def test_wide_tables_fit_the_terminal_and_lose_no_value(built, argv, width, monkeypatch, capsys):
    """`kg query sanctions` printed lines of 1,027 characters. Fitted to $COLUMNS, no value is cut: every word of
    every value of the CSV output is in the table."""
    import csv

    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["-q", *argv, "--dataset", str(built)]) == 0
    shown = capsys.readouterr().out
    assert max(map(len, _lines(shown))) <= width
    monkeypatch.delenv("COLUMNS")
    assert main(["-q", *argv, "--format", "csv", "--dataset", str(built)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    words = set(shown.split())
    column = 2 if argv == ["chains"] else None  # kg chains --format csv has more columns than its tree shows: the act
    for row in rows[1:]:
        for value in ([row[column]] if column is not None else row):
            short = value
            for prefix, ns in __import__("kg.namespace", fromlist=["PREFIXES"]).PREFIXES.items():
                if value.startswith(ns):
                    short = f"{prefix}:{value[len(ns):]}"
            assert set(short.split()) <= words, short


def test_tables_into_a_pipe_keep_one_line_per_row(built, capsys):
    assert main(["-q", "query", "sanctions", "--dataset", str(built)]) == 0
    lines = _lines(capsys.readouterr().out)
    assert main(["-q", "query", "sanctions", "--format", "csv", "--dataset", str(built)]) == 0
    rows = len(_lines(capsys.readouterr().out)) - 1
    assert len(lines) == rows + 3  # header, rule, the rows, "(N rows)"


#: Commands whose --format is not text/json. export: --format names the kind of file it writes (GEXF, GraphML,
#: or FollowTheMoney JSON lines, one entity a line), and it prints only the path written, so there is no report
#: to print as JSON. serve prints only its URL.
_NOT_TEXT_OR_JSON = {"export": ("gexf", "graphml", "ftm"), "serve": None}


def test_every_command_takes_format_and_minus_q():
    """--format and -q are declared once (kg/commands/common.py) and taken by every command."""
    import kg.commands
    from kg.cli import parser

    choices = parser()._subparsers._group_actions[0].choices
    for command in kg.commands.COMMANDS:
        options = {opt: action for action in choices[command]._actions for opt in action.option_strings}
        assert "-q" in options and "--quiet" in options, command
        if command in _NOT_TEXT_OR_JSON:
            expected = _NOT_TEXT_OR_JSON[command]
            assert (options["--format"].choices if "--format" in options else None) == expected, command
            continue
        assert "json" in options["--format"].choices, command
        assert options["--format"].help != "==SUPPRESS==", command  # kg run's was hidden


def test_format_json_prints_one_json_document_on_every_command(built, tmp_path, capsys):
    """`kg run --format json` printed the build's JSON followed by lines of text; load, synth, report, add and
    review had no --format at all."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("__pycache__"))
    article = tmp_path / "report.txt"
    shutil.copy(ROOT / "data" / "articles" / "canada-eight-officials-2024.txt", article)
    runs = {
        "build": ["build", "--out", str(tmp_path / "b")],
        "validate": ["validate", str(built)],
        "query": ["query", "counter-sanctions", "--dataset", str(built)],
        "load": ["load", str(built), "--store", f"oxigraph:{tmp_path / 'store'}"],
        "synth": ["synth", "--triples", "2000", "--violations", "1", "--out", str(tmp_path / "s.trig")],
        "chains": ["chains", "--dataset", str(built)],
        "dossier": ["dossier", "Canada", "--dataset", str(built)],
        "report": ["report", "--dataset", str(built), "--out", str(tmp_path / "r")],
        "run": ["run", "--out", str(tmp_path / "run")],
        "add": ["add", str(article), "--slug", "ca-2024-12-copy", "--data", str(data)],
        "review": ["review", "ca-2024-12-copy", "--data", str(data)],
        "import": ["import", str(ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"),
                   "--dataset", "sample", "--data", str(data)],
    }
    import kg.commands

    assert set(runs) | set(_NOT_TEXT_OR_JSON) == set(kg.commands.COMMANDS)
    for command, argv in runs.items():
        assert main(["-q", *argv, "--format", "json"]) == 0, command
        out = capsys.readouterr().out
        json.loads(out)  # one document, nothing else
        if command == "review":
            assert json.loads(out)[0]["id"].startswith("act:ca-2024-12-copy")  # review lists the drafts kg add made
    # kg import's report: the fixture's 10 Person lines (tests/ftm/test_importer.py's docstring counts them)
    assert json.loads(out)["mapped"]["Person"] == 10
    # kg synth --ftm prints what it wrote as JSON too (the FtM file itself is JSON lines, not this document)
    assert main(["-q", "synth", "--ftm", "50", "--out", str(tmp_path / "e.ftm.json"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["entities"] == len((tmp_path / "e.ftm.json").read_text().splitlines())
