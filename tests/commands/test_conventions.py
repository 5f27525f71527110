"""Conventions every command keeps: --version, -q, --format, `-` for standard input, one meaning of --graph."""

from __future__ import annotations

import importlib.metadata
import io
import json
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
