"""The README's `kg query` examples work as printed, and its shown outputs are what kg prints."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, flags=re.M | re.S)

#: every `kg query ...` line of the README's shell blocks
COMMANDS = [line.strip() for lang, body in BLOCKS if lang == "sh"
            for line in body.splitlines() if line.strip().startswith("kg query ")]
#: blocks that show a command (`$ kg ...`) and what it prints
SHOWN = [body for lang, body in BLOCKS if not lang and body.startswith("$ kg ")]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder where `kg build` has written out/kg.trig and out/store, as the README's steps do."""
    folder = tmp_path_factory.mktemp("readme")
    here = Path.cwd()
    os.chdir(folder)
    try:
        assert main(["-q", "build"]) == 0
        assert main(["-q", "build", "--store", "oxigraph:out/store"]) == 0
    finally:
        os.chdir(here)
    return folder


def test_the_readme_has_query_examples():
    assert len(COMMANDS) >= 10 and SHOWN


@pytest.mark.parametrize("line", COMMANDS)
def test_readme_query_line_works_as_printed(line, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    args = shlex.split(line, comments=True)[1:]
    assert main(["-q", *args]) == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    if "--list" not in args:
        assert re.search(r"\((\d+) rows\)", out) and "(0 rows)" not in out, out[-300:]


@pytest.mark.parametrize("block", SHOWN)
def test_readme_shown_output_is_what_kg_prints(block, workdir, monkeypatch, capsys):
    monkeypatch.chdir(workdir)
    command, *shown = block.rstrip("\n").splitlines()
    code = main(["-q", *shlex.split(command[2:])[1:]])
    captured = capsys.readouterr()
    printed = (captured.out + captured.err).rstrip("\n").splitlines()
    assert printed == shown
    assert code == (2 if "error:" in block else 0)
