"""The `kg` command: exit codes, atomic output, help."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main, parser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return out


def test_build_writes_trig_and_prints_summary(built, capsys):
    trig = built / "kg.trig"
    assert trig.exists() and trig.stat().st_size > 10_000
    assert main(["-q", "build", "--out", str(built)]) == 0
    out = capsys.readouterr().out
    # 7 sanctions and 3 mentions, read from the articles in tests/test_build.py::test_summary_counts_what_the_articles_say
    assert "the graph conforms" in out and "sanctions:    7" in out and "mentions:     3" in out


def test_validate_exit_0_on_built_graph(built):
    assert main(["-q", "validate", str(built / "kg.trig")]) == 0


def test_validate_exit_1_on_violation(built, tmp_path, capsys):
    broken = tmp_path / "broken.trig"
    text = (built / "kg.trig").read_text(encoding="utf-8")
    # Remove every imposer of the December 2024 Canadian sanctions.
    text = text.replace("kg:imposedBy actor:canada ;", "", 1)
    broken.write_text(text, encoding="utf-8")
    assert main(["-q", "validate", str(broken)]) == 1
    out = capsys.readouterr().out  # the report is the command's result
    assert "kgsh:Sanction_imposedBy" in out and "focus node:" in out and "kg:imposedBy" in out
    assert "facts/canada-eight-officials-2024.ttl" in out.split("from:")[1].splitlines()[0]
    assert out.rstrip().endswith(f"Does not conform: {broken}")


def test_validate_defaults_to_out_kg_trig(built, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "validate"]) == 2
    assert "out/kg.trig: cannot read" in capsys.readouterr().err
    (tmp_path / "out").mkdir()
    shutil.copy(built / "kg.trig", tmp_path / "out" / "kg.trig")
    assert main(["-q", "validate"]) == 0
    assert "Conforms: out/kg.trig" in capsys.readouterr().out


def test_cli_import_stays_light():
    """The heavy libraries load only in the commands that use them."""
    code = (
        "import sys, kg, kg.cli; kg.cli.parser(); "
        "print(sorted(m for m in ('pyshacl', 'owlready2', 'networkx', 'matplotlib', 'pyoxigraph') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert proc.stdout.strip() == "[]"


def test_validate_exit_2_names_file_and_line(tmp_path, capsys):
    bad = tmp_path / "bad.trig"
    bad.write_text("<urn:g> {\n  <urn:a> <urn:b> .\n}\n", encoding="utf-8")
    assert main(["-q", "validate", str(bad)]) == 2
    assert f"{bad}:" in capsys.readouterr().err


def _data_copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_failed_build_leaves_last_good_output(built, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    before = (out / "kg.trig").read_bytes()
    data = _data_copy(tmp_path)
    facts = data / "facts" / "xinjiang-round-2021.ttl"
    facts.write_text(facts.read_text().replace('kg:personTargetCount 10 ;', 'kg:personTargetCount 1 ;'))
    assert main(["-q", "build", "--data", str(data), "--out", str(out)]) == 1
    assert "TargetCount_notBelowNamed" in capsys.readouterr().err
    assert (out / "kg.trig").read_bytes() == before
    facts.write_text("this is not turtle\n")
    assert main(["-q", "build", "--data", str(data), "--out", str(out)]) == 2
    assert "xinjiang-round-2021.ttl:1:" in capsys.readouterr().err
    assert (out / "kg.trig").read_bytes() == before


@pytest.mark.parametrize("command", [None] + sorted(parser()._subparsers._group_actions[0].choices))
def test_help_explains_with_example(command):
    args = ["--help"] if command is None else [command, "--help"]
    proc = subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert "example" in proc.stdout and "exit codes" in proc.stdout


def test_query_list_and_formats(built, capsys):
    graph = str(built / "kg.trig")
    assert main(["-q", "query", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "counter-sanctions" in listing and "responder: actor, optional, all when not given" in listing
    assert "person: actor, required" in listing and 'e.g. --param person="Wu Yingjie"' in listing
    assert main(["-q", "query", "counter-sanctions", "--param", "responder=China", "--dataset", graph]) == 0
    table = capsys.readouterr().out
    assert "Adrian Zenz" in table and "(9 rows)" in table
    for fmt, marker in (("json", '"bindings"'), ("csv", "counter,label"), ("tsv", "?counter\t?label"), ("xml", "<sparql")):
        assert main(["-q", "query", "counter-sanctions", "--format", fmt, "--dataset", graph]) == 0
        assert marker in capsys.readouterr().out
    assert main(["-q", "query", "-e", "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2", "--dataset", graph]) == 0
    assert " a " in capsys.readouterr().out


def test_query_errors_exit_2(built, tmp_path, capsys):
    graph = str(built / "kg.trig")
    assert main(["-q", "query", "-e", "SELECT ?x WHERE { ?x", "--dataset", graph]) == 2
    assert "SPARQL syntax error" in capsys.readouterr().err
    assert main(["-q", "query", "sanctions-against", "--param", "target=Nobody", "--dataset", graph]) == 2
    assert "no actor is called 'Nobody'" in capsys.readouterr().err
    assert main(["-q", "query", "no-such-query", "--dataset", graph]) == 2
    assert main(["-q", "query", "sanctions", "--dataset", str(tmp_path / "missing.trig")]) == 2
    assert "run `kg build` first" in capsys.readouterr().err


def test_main_job_writes_everything(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["-q", "run", "--out", str(out)]) == 0
    for name in ("kg.trig", "sanctions.gexf", "sanctions.graphml", "report/report.html", "report/report.md",
                 "report/centrality-actors.csv", "report/network.png"):
        assert (out / name).exists(), name
    assert "most central by PageRank: China" in capsys.readouterr().out


def test_chains_report_export_commands(built, tmp_path, capsys):
    graph = str(built / "kg.trig")
    assert main(["-q", "chains", "--dataset", graph]) == 0
    text = capsys.readouterr().out
    assert "China counter-sanctions 10 people" in text and "Meng Wanzhou detained in Canada (2018)" in text
    assert "Cycles of at most 3 sides: " in text and "China -> European Union" in text
    assert main(["-q", "chains", "--max-cycle", "1", "--dataset", graph]) == 0
    assert "Cycles of at most 1 sides: none" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(["-q", "chains", "--max-cycle", "0", "--dataset", graph])
    assert stopped.value.code == 2 and "must be at least 1" in capsys.readouterr().err
    assert main(["-q", "chains", "--format", "json", "--dataset", graph]) == 0
    found = json.loads(capsys.readouterr().out)
    # by hand from the articles: only the EU's 2021 and Canada's 2024 sanctions drew another side's answer
    assert [c["first"].rsplit("/", 1)[1] for c in found["chains"]] == ["eu-2021-03-sanction", "ca-2024-12-sanction"]
    assert found["definition"] and found["side_rule"]
    assert main(["-q", "chains", "--format", "csv", "--dataset", graph]) == 0
    assert capsys.readouterr().out.startswith("chain,level,act,kind,side,link,answers,when,lag_days")
    assert main(["-q", "export", "--format", "graphml", "--out", str(tmp_path / "g.graphml"), "--dataset", graph]) == 0
    assert (tmp_path / "g.graphml").read_text().startswith("<?xml")
    assert main(["-q", "report", "--out", str(tmp_path / "r"), "--dataset", graph]) == 0
    assert (tmp_path / "r" / "report.html").exists()


def test_readme_shows_what_kg_chains_prints(built, capsys, monkeypatch):
    """The README's example of `kg chains` is the start of what the command prints on the seed data
    in a terminal of 100 columns."""
    monkeypatch.setenv("COLUMNS", "100")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("$ kg chains\n", 1)[1].split("```", 1)[0]
    shown = block.rstrip("\n").removesuffix("...").rstrip("\n")
    assert main(["-q", "chains", "--dataset", str(built / "kg.trig")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(shown + "\n"), "README.md's kg chains example differs from the output: update it"
    assert all(len(line) <= 100 for line in printed.splitlines())  # fits a terminal of 100 columns


def test_chains_help_gives_the_definitions(capsys):
    from kg.analysis.definitions import CHAIN_DEFINITION

    with pytest.raises(SystemExit):
        main(["chains", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert " ".join(CHAIN_DEFINITION.split()) in help_text.replace("- ", "-")
