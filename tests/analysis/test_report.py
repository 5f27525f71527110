"""The report: Markdown, self-contained HTML, CSV and JSON of every figure, pictures."""

from __future__ import annotations

import csv
import json

import pytest

from kg.analysis.centrality import MEASURES
from kg.report import compute, write_report


@pytest.fixture(scope="module")
def report(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    data = compute(dataset)
    write_report(data, out)
    return out, data


def test_files(report):
    out, _ = report
    for name in ("report.md", "report.html", "report.json", "network.png", "leaders.png", "timeline.png",
                 "centrality-actors.csv", "centrality-sides.csv", "chains.csv", "candidates.csv", "reciprocity.csv"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "network.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_markdown_explains_each_measure(report):
    out, _ = report
    text = (out / "report.md").read_text()
    for measure, meaning in MEASURES.items():
        assert f"**{measure}**: {meaning}" in text
    assert "Meng Wanzhou detained in Canada (2018)" in text  # the inferred candidate is reported


def test_html_is_self_contained(report):
    out, _ = report
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "src=\"http" not in page and "<table>" in page


def test_csv_matches_json(report):
    out, data = report
    with open(out / "centrality-actors.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["label"] for r in rows] == [r["label"] for r in data["actors"]]
    assert json.loads((out / "report.json").read_text())["actors"][0]["label"] == rows[0]["label"] == "China"


def test_big_graphs_get_short_tables_and_a_readable_picture(report, tmp_path, monkeypatch):
    import kg.report

    _, data = report
    monkeypatch.setattr(kg.report, "ROWS_SHOWN", 3)
    monkeypatch.setattr(kg.report, "NETWORK_SHOWN", 6)
    drawn = {}
    original = kg.report._png

    def keep_title(fig):
        if not drawn:  # network.png is drawn first
            drawn["title"] = fig.axes[0].get_title()
            drawn["nodes"] = len(fig.axes[0].collections[-1].get_offsets())
        return original(fig)

    monkeypatch.setattr(kg.report, "_png", keep_title)
    write_report(data, tmp_path)
    text = (tmp_path / "report.md").read_text()
    chains = list(csv.DictReader(open(tmp_path / "chains.csv", newline="")))
    assert len(chains) > 3
    assert f"The first 3 of {len(chains)} rows; all of them are in chains.csv." in text
    assert f"the 6 most connected actors (of {len(data['networks'].actors)})" in drawn["title"]
    assert drawn["nodes"] == 6


def test_report_prints_its_definitions_and_ties(report):
    from kg.analysis.definitions import CHAIN_DEFINITION, RECIPROCITY_DEFINITION, SIDE_RULE

    out, data = report
    text = (out / "report.md").read_text()
    for sentence in (CHAIN_DEFINITION, RECIPROCITY_DEFINITION, SIDE_RULE):
        assert sentence in text
    saved = json.loads((out / "report.json").read_text())
    assert saved["definition"] == CHAIN_DEFINITION and saved["side_rule"] == SIDE_RULE
    assert saved["size"]["nodes"] == len(data["actors"])  # the graph's size travels with the tables
    # a measure that cannot rank says so instead of a table
    flat = [m for m, r in data["rankings"].items() if not r["discriminates"]]
    for measure in flat:
        assert f"_Not ranked: {data['rankings'][measure]['note']}._" in text


def test_chain_rows_carry_their_evidence(report):
    out, data = report
    with open(out / "chains.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["quote"] and r["article"].startswith("https://") for r in rows)
    assert {r["link_curated"] for r in rows if r["level"] != "0"} <= {"True", "False"}
    assert all(r["link"] == "first act" for r in rows if r["level"] == "0")
