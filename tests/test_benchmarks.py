"""The benchmark harness runs (a smoke run on the seed graph; no timing is asserted)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_smoke_run(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    stages = ["load", "query", "cold_query_store", "pagerank"]
    assert bench.main(["--sizes", "3000", "--stages", ",".join(stages), "--out", str(tmp_path)]) == 0
    (result,) = tmp_path.glob("*.json")
    runs = json.loads(result.read_text())["runs"]
    assert [r["stage"] for r in runs] == stages
    for row in runs:
        assert row["errors"] == {}, row
        assert row["plain_s"] > 0 and row["ours_s"] > 0 and row["speedup"] > 0
        assert row["plain_mb"] > 10 and row["ours_mb"] > 10
    fastest = {r["stage"]: r["others"] for r in runs}
    assert fastest["load"]["load_pyoxigraph"]["s"] > 0 and fastest["query"]["query_pyoxigraph"]["s"] > 0
    cold = runs[2]
    assert cold["ours_mb"] > 30  # the `kg query` process's own peak, not this small child's
    assert "speed-up" in capsys.readouterr().out


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_ingest_eval_writes_both_tables_and_its_json(tmp_path, capsys):
    assert _script("ingest_eval").main(["--json", str(tmp_path / "scores.json")]) == 0
    out = capsys.readouterr().out
    articles = len(list((ROOT / "tests" / "ingest" / "eval").glob("*.yaml")))  # one article per file
    assert f"Evaluation set ({articles} articles)" in out and "Seed articles (2 articles)" in out
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["Evaluation set"]["links"]["expected"] > 0 and scores["Seed articles"]["quotes"]["total"] > 0


def test_ingest_speed_smoke_run(capsys):
    # one run of each measurement; no assertion on time (BENCHMARKS.md has the figures)
    assert _script("ingest_speed").main(["--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "kg add FILE (fresh process)" in out and "naive regex drafter" in out


def test_ftm_benchmark_smoke_run_with_the_plain_path_cut_at_its_limit(tmp_path, capsys):
    """benchmarks/ftm.py at a tiny size: ours, the matcher alone and the plain path each run in their own
    process; the plain path, given one second (less than its imports take), is reported as cut at the limit
    with the ratio as a lower bound, as the 10^6 run reports an hour-long plain path."""
    bench = _script("ftm")
    work = tmp_path / "work"
    assert bench.main(["--sizes", "300", "--quick", "--plain-timeout", "1", "--work", str(work),
                       "--out", str(tmp_path)]) == 0
    (result,) = tmp_path.glob("ftm-*.json")
    (row,) = json.loads(result.read_text())["runs"]
    assert row["kg_import"]["status"] == "ok" and row["kg_import"]["cpu"] > 0
    assert row["matcher"]["status"] == "ok" and "comparisons" in row["matcher"]["stdout"]
    assert row["plain"]["limit"] == 1 and row["plain"]["seconds"] is None
    assert row["ratio_plain_over_ours"] is None and row["ratio_plain_over_ours_at_least"] > 0
    assert row["linking"]["true_pairs"] is not None
    assert "plain > 1 s (cut at the limit)" in capsys.readouterr().out
