"""Every example that `kg --help` and `kg COMMAND --help` print runs as printed, exit 0.

kg validate's example named a graph IRI that no build makes, and kg run's and kg review's joined two
commands with " | ", which a shell reads as a pipe. Here each example line runs in bash, in one
folder set up as a user's would be (a copy of the seed data as data/, an article to add), in an
order where each finds what an earlier one made. KG_HOME points at a copy of the project's
folders, so that kg add and kg review write there and not into the checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH

import kg.commands
from kg.cli import parser

ROOT = Path(__file__).resolve().parent.parent.parent

#: The order the examples run in; commands not listed (new ones) run after, in kg.commands.COMMANDS order.
ORDER = ("build", "load", "validate", "query", "synth", "chains", "report", "export", "serve", "run", "add", "review")

pytestmark = pytest.mark.slow


def _examples(help_text: str) -> list[str]:
    """The command lines under "example:" or "examples:" of a help text."""
    block = re.search(r"^examples?:\n((?:  .*\n)+)", help_text, re.M)
    assert block, help_text
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def _help(command: str | None) -> str:
    top = parser()
    if command is None:
        return top.format_help()
    return top._subparsers._group_actions[0].choices[command].format_help()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, dict]:
    work = tmp_path_factory.mktemp("user")
    home = tmp_path_factory.mktemp("home")
    for folder in ("ontology", "queries", "data", "rules"):
        shutil.copytree(ROOT / folder, home / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", work / "data", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "KG_HOME": str(home),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("COLUMNS", None)
    return work, env


def _setup(command: str, work: Path) -> None:
    """What a user would have at hand before trying the example of ``command``."""
    if command == "load":  # a new article's named graph, as TriG: here one article graph of the built dataset
        built = Dataset()
        built.parse(work / "out" / "kg.trig", format="trig")
        new = Dataset()
        source = built.graph(next(g.identifier for g in built.graphs() if "/graph/article/" in str(g.identifier)))
        target = new.graph(source.identifier)
        for triple in source:
            target.add(triple)
        new.serialize(work / "new-article.trig", format="trig")
    if command == "import":  # an OpenSanctions export, downloaded as entities.ftm.json: here the FtM fixture
        shutil.copy(ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json", work / "entities.ftm.json")
    if command == "add":  # an article saved as text
        shutil.copy(ROOT / "data" / "articles" / "canada-eight-officials-2024.txt", work / "report.txt")


def _run(line: str, work: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=600)


def _serve(line: str, work: Path, env: dict) -> None:
    """`kg serve --port N   # then: curl …`: the server's first line is its URL; the curl then gets an answer.
    The port is swapped for a free one, so that a server already on 7878 does not fail the test."""
    serve, _, then = line.partition("# then:")
    port = _free_port()
    serve, then = (part.replace("7878", str(port)) for part in (serve, then))
    server = subprocess.Popen(["bash", "-c", f"exec {serve}"], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == f"http://127.0.0.1:{port}/sparql"
        answer = _run(then.strip(), work, env)
        assert answer.returncode == 0 and '"boolean"' in answer.stdout, answer
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_every_help_example_runs_as_printed(workspace):
    work, env = workspace
    commands = list(ORDER) + [c for c in kg.commands.COMMANDS if c not in ORDER]
    assert set(commands) >= set(kg.commands.COMMANDS)
    ran = []
    for command in [None] + commands:
        if command is not None and command not in kg.commands.COMMANDS:
            continue
        if command is not None:
            _setup(command, work)
        for line in _examples(_help(command)):
            if command == "serve":
                _serve(line, work, env)
            else:
                proc = _run(line, work, env)
                assert proc.returncode == 0, f"{line}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
            ran.append(line)
    assert len(ran) >= len(kg.commands.COMMANDS) + 3
    # kg validate's example writes a standard SHACL report
    report = Graph().parse(work / "report.ttl", format="turtle")
    assert len(list(report.subjects(RDF.type, SH.ValidationReport))) == 1
