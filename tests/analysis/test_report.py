"""The report: Markdown, self-contained HTML, CSV and JSON of every figure, pictures."""

from __future__ import annotations

import csv
import json
import re

import pytest

from kg.analysis.centrality import MEASURES
from kg.report import MEASURE_NAMES, compute, write_report


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
        assert f"**{MEASURE_NAMES[measure]}**: {meaning}" in text
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
    monkeypatch.setattr(kg.report, "ARROWS_SHOWN", 2)
    monkeypatch.setattr(kg.report, "EVIDENCE_SHOWN", 1)
    drawn = {}
    original = kg.report._png

    def keep_title(fig):
        if not drawn:  # network.png is drawn first
            drawn["title"] = fig.axes[0].get_title()
            drawn["nodes"] = len(fig.axes[0].collections[-1].get_offsets())
            drawn["arrows"] = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
        return original(fig)

    monkeypatch.setattr(kg.report, "_png", keep_title)
    write_report(data, tmp_path)
    text = (tmp_path / "report.md").read_text()
    chains = list(csv.DictReader(open(tmp_path / "chains.csv", newline="")))
    assert len(chains) > 3
    assert f"The first 3 of {len(chains)} rows; all of them are in chains.csv." in text
    assert f"the 6 most connected actors (of {len(data['networks'].actors)})" in drawn["title"]
    assert drawn["nodes"] == 6
    # arrows: the pairs among the 6 drawn actors, cut to 2 (at 10^6 triples: 14,000 arrows, a black disc)
    busiest = sorted(data["actors"], key=lambda r: (-(r["in_degree"] + r["out_degree"]), r["label"]))[:6]
    six = data["networks"].actors.subgraph([r["node"] for r in busiest])
    pairs = {(u, v) for u, v in six.edges() if u != v}
    assert len(pairs) > 2 and len(drawn["arrows"]) == 2
    assert f"the 2 pairs with most acts (of {len(pairs)})" in drawn["title"]
    # a note for every reference and a reference for every note: notes of rows cut from a table (the chains'
    # did at 10^6 triples: 20,000 notes for 100 rows shown) stand alone, answering nothing the reader sees
    body, notes = text.split("## Notes: the evidence", 1)
    assert set(re.findall(r"\[\^(e\d+)\](?!:)", body)) == set(re.findall(r"^\[\^(e\d+)\]:", notes, re.M)) != set()
    # a figure over many acts cites the first EVIDENCE_SHOWN and counts the others (a measure row cited
    # all 8,000 of its acts at 10^6 triples)
    for row in data["answers_by_measure"][:3]:
        acts = set(row["acts"]) & set(data["networks"].acts.nodes)
        if len(acts) > 1:
            more = len(acts) - 1
            line = next(line for line in text.splitlines() if line.startswith(f"| {row['rank']} | {row['measure']} |"))
            assert line.count("[^e") == 1
            assert f"and {more:,} more act{'s' if more != 1 else ''} (answers-by-measure.csv lists them)" in line
            break
    else:
        raise AssertionError("no measure drew more than one act in the seed graph")


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
        note = data["rankings"][measure]["note"].replace(f"{measure} takes", "it takes")
        assert f"_Not ranked: {note}._" in text


def test_chain_rows_carry_their_evidence(report):
    out, data = report
    with open(out / "chains.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["quote"] and r["article"].startswith("https://") for r in rows)
    assert {r["link_curated"] for r in rows if r["level"] != "0"} <= {"True", "False"}
    assert all(r["link"] == "first act" for r in rows if r["level"] == "0")


def _tables(markdown: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every Markdown table with the heading above it: (heading, header cells, rows of cells)."""
    tables, heading, lines = [], "", markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("#"):
            heading = lines[i].lstrip("# ")
        if lines[i].startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append([c.strip() for c in lines[i].strip().strip("|").split(" | ")])
                i += 1
            tables.append((heading, block[0], block[2:]))
            continue
        i += 1
    return tables


def test_no_none_and_no_variable_names_in_the_report(report):
    """The report showed `None` cells, and headers such as act_label and lag_days."""
    import re

    out, _ = report
    for name in ("report.md", "report.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "None" not in text, name
        assert not re.search(r"(?<![\w/])\?[a-z][A-Za-z]*\b", re.sub(r"https?://\S+", "", text)), name  # no ?var
    for heading, header, _ in _tables((out / "report.md").read_text(encoding="utf-8")):
        for cell in header:
            assert "_" not in cell, (heading, cell)  # words, not variable names


def test_every_fact_row_links_to_its_evidence(report, article_texts):
    """Every table that states facts has an evidence column, and each row's cell refers to notes that
    exist: a stated note quotes its article verbatim, a curated one gives the curator's reason."""
    import re

    out, _ = report
    text = (out / "report.md").read_text(encoding="utf-8")
    notes = dict(re.findall(r"^\[\^(e\d+)\]: (.*)$", text, flags=re.M))
    facts = 0
    for heading, header, rows in _tables(text):
        if header == ["rank", "value", "actors"]:
            continue  # a ranking of figures, not facts
        assert header[-1] == "evidence", heading
        for row in rows:
            refs = re.findall(r"(stated|curated|record)\[\^(e\d+)\]", row[-1])
            assert refs, (heading, row)
            facts += 1
            for kind, key in refs:
                note = notes[key]
                if kind == "stated":
                    quote, article = re.fullmatch(r"“(.*)” \(article:([\w-]+)\)", note).groups()
                    assert quote in " ".join(article_texts[article].split()), note
                elif kind == "curated":
                    assert note.startswith("Curated: ") and len(note) > len("Curated: no reason given."), note
    # chains (7 acts on the seed), support, dropped, candidates, reciprocity, answers, measures, dossiers
    assert facts > 50


def test_a_curated_fact_is_marked_with_its_reason(report):
    """Meng Wanzhou "was detained in Canada": that Canada detained her is curation, in Canada's dossier."""
    import re

    out, _ = report
    text = (out / "report.md").read_text(encoding="utf-8")
    canada = text.split("### Canada\n", 1)[1].split("\n### ", 1)[0]
    row = next(line for line in canada.splitlines() if "Meng Wanzhou detained in Canada (2018)" in line)
    key = re.search(r"curated\[\^(e\d+)\]", row).group(1)
    note = re.search(rf"^\[\^{key}\]: (.*)$", text, flags=re.M).group(1)
    assert note.startswith("Curated: ") and "was detained in Canada" in note


def test_html_notes_link_both_ways_and_dates_do_not_wrap(report):
    import re

    out, _ = report
    page = (out / "report.html").read_text(encoding="utf-8")
    refs = set(re.findall(r'href="#fn:(e\d+)"', page))
    assert refs and all(f'id="fn:{key}"' in page for key in refs)
    assert re.search(r'<td class="date">2021-03-22</td>', page)
    assert not re.search(r"<td>\d{4}-\d\d-\d\d[^<]*</td>", page)  # every date cell keeps to one line
    assert "td.date{white-space:nowrap}" in page


def _draw(data):
    """The network and timeline figures as drawn, looked at before they are saved."""
    import matplotlib.dates as mdates

    import kg.report

    seen = {}
    original = kg.report._png

    def look(fig):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        seen[len(seen)] = {
            "fig": fig,
            "texts": [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts],
            "arrows": [p for ax in fig.axes for p in ax.patches if type(p).__name__ == "FancyArrowPatch"],
            "legend": [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()],
            # lines and the segments of line collections (the timeline draws its bars as one collection a kind)
            "axes": [(ax.get_xlim(), [l.get_xdata() for l in ax.lines]
                      + [[mdates.num2date(x).date() for x, _ in seg] for c in ax.collections
                         if type(c).__name__ == "LineCollection" for seg in c.get_segments()]) for ax in fig.axes],
            "title": fig._suptitle.get_text() if fig._suptitle else fig.axes[0].get_title(),
        }
        return original(fig)

    mp = pytest.MonkeyPatch()
    mp.setattr(kg.report, "_png", look)
    try:
        kg.report._pictures(data)
    finally:
        mp.undo()
    return data, seen[0], seen[2]  # network, leaders, timeline


@pytest.fixture(scope="module")
def drawn(report):
    return _draw(report[1])


@pytest.fixture(scope="module")
def undated(dataset, tmp_path_factory):
    """The seed graph with one act's dates taken away. The articles bound every act's date now (issue
    11), so an undated act, which a new article or a draft may well bring, has to be made: the
    2024 threat ("China says it will take necessary measures"), with its day and bounds removed
    wherever they are stated or curated."""
    from rdflib import Dataset

    from kg.namespace import ACT, KG

    ds = Dataset(default_union=True)
    for quad in dataset.quads():
        ds.add(quad)
    act = ACT["china-threat-2024-12"]
    assert (act, None, None) in ds
    for p in (KG.date, KG.earliestDate, KG.latestDate):
        for quad in list(ds.quads((act, p, None, None))):
            ds.remove(quad)
    out = tmp_path_factory.mktemp("undated")
    data = compute(ds)
    write_report(data, out)
    return out, data, act


def test_network_picture_has_arrows_whole_labels_apart_and_every_side_in_the_legend(drawn):
    """The picture drew no arrowheads (arrows ended under the discs), cut labels at 22 characters and let
    them overlap, and named only some sides."""
    data, network, _ = drawn
    nets = data["networks"]
    G = nets.actors
    pairs = {(u, v) for u, v in G.edges() if u != v}
    assert len(network["arrows"]) == len(pairs)  # one arrow per pair and kind, none dropped
    shown = [(text, box) for text, box in network["texts"] if text]
    drawn_nodes = [n for n in G if G.degree(n) > 0]
    assert sorted(t for t, _ in shown) == sorted(nets.label(n) for n in drawn_nodes)  # whole labels, each once
    for i, (a, box_a) in enumerate(shown):
        for b, box_b in shown[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b)
    sides = {nets.label(nets.side_of[n]) for n in drawn_nodes if n in nets.side_of}
    assert {entry.rsplit(" (", 1)[0] for entry in network["legend"]} >= sides


def test_timeline_draws_ranges_as_ranges_lists_the_undated_and_cuts_the_empty_years(undated):
    """One 1989 act squeezed 2018-2024 into a corner; ranges were dots at their latest day; undated acts
    were dropped. The 2021 article's 1989 sanction and the 2024 article's acts are 29 years apart."""
    from datetime import date

    import matplotlib.dates as mdates

    data, _, timeline = _draw(undated[1])
    (left, left_lines), (right, right_lines) = timeline["axes"]  # two parts: the axis is cut
    assert mdates.num2date(left[1]).year <= 1990 and mdates.num2date(right[0]).year >= 2017
    # the 2018 detentions ("in 2018") are bars over the year, not dots
    spans = {(x[0], x[-1]) for x in right_lines if len(x) == 2}
    assert (date(2018, 1, 1), date(2018, 12, 31)) in spans
    undated = [a["label"] for a in data["acts"] if not (a.get("date") or a.get("earliest") or a.get("latest"))]
    text = " ".join(t for t, _ in timeline["texts"])
    assert undated and f"Undated ({len(undated)}" in text
    assert "the axis is cut" in timeline["title"]


def test_undated_acts_are_listed_in_the_report_with_evidence(undated):
    out, data, _ = undated
    text = (out / "report.md").read_text(encoding="utf-8")
    undated = [a["label"] for a in data["acts"] if not (a.get("date") or a.get("earliest") or a.get("latest"))]
    assert any("necessary measures" in label for label in undated)  # the act the fixture undated
    section = text.split("Undated acts (", 1)[1].split("\n## ", 1)[0]
    for label in undated:
        assert label.replace("|", "/") in section


def test_a_graph_with_more_actors_than_dossiers_shown_names_the_command_instead(tmp_path):
    # 60 dossiers were each a query over the whole graph: at 10^6 triples they made kg run's report
    # minutes longer than the rest of the pipeline. A graph of more actors gets the command instead.
    from kg.report import DOSSIERS_SHOWN
    from kg.synth import synthesize

    data = compute(synthesize(4000, seed=3))
    assert len(data["networks"].labels) > DOSSIERS_SHOWN  # a synthetic graph of 4,000 triples has more
    assert data["dossiers"] == {}
    write_report(data, tmp_path)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = text.split("## Dossiers\n", 1)[1].split("\n## ", 1)[0]
    assert f"this one has {len(data['networks'].labels)}" in section and "`kg dossier NAME`" in section
    assert "### " not in section


def test_a_timeline_of_more_acts_than_rows_counts_them_a_month_by_kind(report, monkeypatch):
    """Over TIMELINE_ROWS acts a row a kind was a solid stripe (35,000 acts at 10^6 triples, each its own
    artist: 40 s to draw). Now a line a kind counts the acts a month; every dated act is counted once."""
    import kg.report

    _, data = report
    monkeypatch.setattr(kg.report, "TIMELINE_ROWS", 3)
    _, _, timeline = _draw(data)
    dated = [a for a in data["acts"] if a.get("date") or a.get("earliest") or a.get("latest")]
    assert len(dated) > 3
    assert timeline["title"].startswith(f"Acts a month by kind ({len(dated):,} dated acts")
    axes = timeline["fig"].axes
    kinds = {a.get("kind", "event") for a in dated}
    lines = [line for line in axes[-1].lines if line.get_drawstyle() == "steps-mid"]
    assert len(lines) == len(kinds)  # one line a kind, no mark per act
    assert sum(sum(line.get_ydata()) for line in lines) == len(dated)


def test_a_large_graph_s_report_stays_bounded_and_lists_the_rest_elsewhere(report, tmp_path, monkeypatch):
    """At 1.7 million quads the report listed 17,564 targets on no side and every act of a pair of sides
    as evidence (26,000 notes): Python-Markdown's footnotes, quadratic in their number, took 16 minutes.
    Lists in the text, evidence cells over many acts and the notes of rows not shown are now bounded."""
    import copy
    import re

    import kg.report

    _, data = report
    big = copy.copy(data)
    acts = sorted(data["networks"].acts)
    # 50 more actors on no side and 50 more targets acted against, each by every act of the seed graph
    big["unplaced"] = data["unplaced"] + [f"Nobody {i}" for i in range(50)]
    big["acts_against_unplaced"] = data["acts_against_unplaced"] + [
        {"side_label": "China", "target_label": f"Nobody {i}", "acts": acts} for i in range(50)]
    big["reciprocity"] = [dict(r, a_to_b_acts=acts, b_to_a_acts=[]) for r in data["reciprocity"]]
    monkeypatch.setattr(kg.report, "ROWS_SHOWN", 1)
    monkeypatch.setattr(kg.report, "EVIDENCE_SHOWN", 2)
    monkeypatch.setattr(kg.report, "LISTED", 3)
    write_report(big, tmp_path)
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    listed = 1 + 50  # the seed's one actor on no side (Adrian Zenz), and the 50 added
    assert f"and {listed - 3} more (all under unplaced in report.json)." in text
    assert len(re.findall(r"^Not counted: ", text, flags=re.M)) == 3
    assert f"Not counted either: {listed - 3} more targets on no side" in text
    evidence = [row[-1] for heading, _, rows in _tables(text) if heading == "Reciprocity between sides" for row in rows]
    distinct = {(data["networks"].acts.nodes[a].get("quote"), data["networks"].acts.nodes[a].get("article")) for a in acts}
    assert len(distinct) > 2 and len(evidence) == 1  # the seed's acts have more than two pieces of evidence
    assert len(re.findall(r"\[\^e\d+\]", evidence[0])) == 2 and f"and {len(acts) - 2:,} more acts (reciprocity.csv lists them)" in evidence[0]
    # a note for every reference, and no note that no row shown refers to (the chain table's hidden rows made them)
    notes = set(re.findall(r"^\[\^(e\d+)\]: ", text, flags=re.M))
    assert notes == set(re.findall(r"\[\^(e\d+)\](?!:)", text))


def test_undated_acts_have_their_csv(undated):
    """A report over more undated acts than it shows said "all of them are in undated.csv", a file nobody wrote."""
    out, data, act = undated
    rows = list(csv.DictReader(open(out / "undated.csv", newline="", encoding="utf-8")))
    assert [r["act"] for r in rows] == [str(act)]  # the one act whose dates the fixture took away
