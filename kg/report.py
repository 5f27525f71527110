"""The centrality and chain report: Markdown, self-contained HTML, CSV, JSON and PNG.

:func:`compute` gathers every figure from the analyses; :func:`write_report`
only formats them. Pictures are drawn with matplotlib (Agg, no screen).
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import logging
from pathlib import Path
from typing import Any, Iterable, Mapping

from kg.io import atomic_write

__all__ = ["chain_rows", "chains_text", "compute", "write_report"]

log = logging.getLogger(__name__)

TOP = 10
#: Rows of a table the Markdown and HTML report show; every row is in the table's CSV.
ROWS_SHOWN = 100
#: Actors drawn in network.png, the most connected first: ten thousand nodes make a grey disc.
NETWORK_SHOWN = 150
#: Arrows (pairs of actors) drawn in network.png, the pairs with most acts first: the 150 busiest actors of a
#: 10^6-triple graph are 14,000 pairs, a black disc that took textalloc a minute to place labels around.
ARROWS_SHOWN = 300
#: Sides named in the legend of network.png, those with most actors drawn first.
LEGEND_SIDES = 15
#: Cycles the text of ``kg chains`` lists before it says how many more.
CYCLES_SHOWN = 20


def _cycles(cycles: list[list[str]]) -> str:
    from kg.analysis.chains import MAX_CYCLE  # noqa: PLC0415

    shown = cycles[:TOP * 2]
    more = f"; and {len(cycles) - len(shown)} more (all in report.json)" if len(cycles) > len(shown) else ""
    listed = "; ".join(" -> ".join(c) for c in shown) or "none"
    return f"Cycles of at most {MAX_CYCLE} sides in the side network: {listed}{more}.\n"


def compute(graph, window_days: int = 30) -> dict[str, Any]:
    """Every figure of the report, as plain data.

    The networks are read once (:func:`kg.analysis.networks.read`) and kept
    under ``networks`` for the pictures and the exports; every other key is
    plain data (report.json). Centrality comes as full tables (``actors``,
    ``sides``) and as rankings with ties (``rankings``, ``side_rankings``:
    :func:`kg.analysis.centrality.ranking`), with the size of each network
    (``size``, ``side_size``); the chain analyses' keys are those of
    :func:`kg.analysis.chain_analysis`.
    """
    from kg.analysis import centrality, chain_analysis, networks  # noqa: PLC0415
    from kg.build import summary  # noqa: PLC0415
    from kg.progress import stages  # noqa: PLC0415

    with stages("analysing", ["networks", "centrality", "chains", "dossiers", "summary"]) as step:
        step("networks")
        log.info("reading the actor, side and act networks")
        nets = networks.read(graph)
        step("centrality")
        log.info("computing centrality")
        actors = centrality.centrality_table(nets.actors, side_of=nets.side_of)
        sides = centrality.centrality_table(nets.sides)
        step("chains")
        log.info("analysing chains")
        chains = chain_analysis(nets, window_days)
        chains.pop("labels")
        acts = [dict(d, act=n) for n, d in nets.acts.nodes(data=True)]
        step("dossiers")
        log.info("reading the actors' dossiers")
        dossiers = _dossier_lines(nets)
        step("summary")
        counts = summary(graph)
    size = centrality.graph_size(nets.actors)
    estimated = centrality.estimation(size["nodes"], size["pairs"])
    return {
        "summary": counts,
        "measures": dict(centrality.MEASURES),
        "actors": actors,
        "sides": sides,
        "rankings": centrality.rankings(actors, top=5),
        "side_rankings": centrality.rankings(sides, top=5),
        "size": size,
        "side_size": centrality.graph_size(nets.sides),
        **({"estimated": estimated} if estimated else {}),  # only on a network too large for exact figures
        "side_of": {a: nets.labels.get(s, s) for a, s in nets.side_of.items()},
        **chains,
        "acts": acts,
        "dossiers": dossiers,
        "networks": nets,
    }


def _dossier_lines(nets) -> dict[str, list[dict[str, Any]]]:
    """The dossier lines of every actor, or none for a graph of more than :data:`DOSSIERS_SHOWN` actors."""
    from kg.dossier import dossier_lines  # noqa: PLC0415

    if len(nets.labels) <= DOSSIERS_SHOWN:
        found = dossier_lines(nets.source)
        return {actor: found.get(actor, []) for actor in nets.labels}
    # One dossier is a query over the whole graph bound to its actor: at 10^6 triples each took
    # several seconds, and 60 of them made the pipeline's report minutes longer than the rest of
    # it (BENCHMARKS.md). A larger graph's report names the command instead (see _dossiers).
    return {}


def chain_rows(chains: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per act of every chain, in tree order, for tables and CSV.

    ``level`` is 0 for the first act, 1 for its answers, and so on;
    ``answers`` names the act a row answers (its parent in the tree).
    """
    rows = []
    for number, chain in enumerate(chains, 1):
        labels = {step["act"]: step["label"] for step in chain["steps"]}
        for step in chain["steps"]:
            rows.append(
                {
                    "chain": number,
                    "level": step["level"],
                    "act": step["label"],
                    "kind": step["kind"] or "",
                    "side": step["side_label"],
                    "link": step["link"] or "first act",
                    "answers": labels.get(step["parent"], "") if step["parent"] else "",
                    "when": step["when"],
                    "lag_days": "" if step["lag"] is None else step["lag"],
                    "by_target_side": "" if step["by_target_side"] is None else step["by_target_side"],
                    "link_curated": step["link_curated"] if step["parent"] else "",
                    "quote": step["quote"],
                    "article": step["article"],
                    "iri": step["act"],
                }
            )
    return rows


def chains_text(found: Mapping[str, Any], max_cycle: int, width: int | None = None) -> str:
    """The result of :func:`kg.analysis.chain_analysis` as the text ``kg chains`` prints: each chain as a
    tree, then tables fitted to ``width`` columns (:func:`kg.results.fit_table`; None: whole lines).
    Labels are never cut: a long one wraps under itself."""
    import textwrap  # noqa: PLC0415

    from kg.results import fit_table  # noqa: PLC0415

    def wrap(text: str, indent: str = "", hang: str = "  ") -> list[str]:
        if width is None:
            return [indent + text]
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + hang,
                             break_on_hyphens=False) or [indent]

    lines = [f"{len(found['chains'])} chains (a coercive act and the answers it drew, as a tree)\n"]
    for number, chain in enumerate(found["chains"], 1):
        lines.append(f"Chain {number}:")
        for step in chain["steps"]:
            indent = "  " + "  " * step["level"]
            lead = f"└ {step['link']}: " if step["level"] else ""
            extra = []
            if step["lag"] is not None:
                extra.append(f"+{step['lag']} d")
            if step["link_curated"]:
                extra.append("link curated")
            tail = f"  [{step['when'] or 'undated'}{'; ' + '; '.join(extra) if extra else ''}]"
            # the bracket is kept whole: its spaces are held by a character textwrap never breaks at
            lines += [line.replace("\0", " ") for line in wrap(lead + step["label"] + " " + tail.strip().replace(" ", "\0"),
                                                                indent, "    ")]
        lines.append("")
    if found["support"]:
        lines.append("Support and comments (not answers):")
        lines.append(fit_table([[r["act_label"], r["reaction_label"], r["what"], r["why"], r["when"]]
                                for r in found["support"]], ["act", "statement", "is", "why", "when"], width))
    if found["dropped"]:
        lines += ["", *wrap("Links left out (the answer is dated before the act it answers):")]
        lines.append(fit_table([[r["answer_label"], r["answer_when"], r["answered_label"], r["answered_when"]]
                                for r in found["dropped"]], ["answer", "when", "answers", "when"], width))
    lines += [
        "",
        *wrap("Candidate retaliations (inferred, not asserted):"),
        fit_table([[c["first_label"], c["candidate_label"], c["basis"], c["lag"]] for c in found["candidates"]],
                  ["first act", "candidate answer", "basis", "lag (days)"], width, numbers=True)
        if found["candidates"] else "  none",
        "",
        *wrap("Reciprocity between sides (coercive acts each way; an act counts once, named or counted targets):"),
        fit_table([[r["a_label"], r["b_label"], r["a_to_b"], _span(r["a_to_b_first"], r["a_to_b_last"]), r["b_to_a"],
                    _span(r["b_to_a_first"], r["b_to_a_last"]), r["reciprocity"]] for r in found["reciprocity"]],
                  ["side A", "side B", "A -> B", "when", "B -> A", "when", "ratio"], width, numbers=True),
    ]
    for row in found["acts_against_unplaced"]:
        lines += wrap(f"Not counted: {row['side_label'] or '(no side)'} acted against {row['target_label']} "
                      f"(on no side) in {len(row['acts'])} act{'s' if len(row['acts']) != 1 else ''}.")
    shown = found["cycles"][:CYCLES_SHOWN]
    more = len(found["cycles"]) - len(shown)
    lines.append("")
    lines += wrap(f"Cycles of at most {max_cycle} sides: " + ("; ".join(" -> ".join(c) for c in shown) or "none")
                  + (f"; and {more} more (--format json lists them all)" if more else ""))
    if found["most_answered"]:
        top = [r for r in found["most_answered"] if r["rank"] == 1]
        lines += wrap(f"Most answered by the side it targeted ({top[0]['answers']} answers"
                      + (f", {len(top)} acts tied" if len(top) > 1 else "") + "): "
                      + "; ".join(r["label"] for r in top))
    if found["answers_by_measure"]:
        top = [r for r in found["answers_by_measure"] if r["rank"] == 1]
        if top[0]["strongest"]:
            lines += wrap("Measure that drew the strongest answer: "
                          + "; ".join(f"{r['measure']} ({r['strongest']})" for r in top))
    if found["unplaced"]:
        lines += wrap("Actors on no side: " + ", ".join(found["unplaced"]))
    lines.append("")
    lines += wrap("What a chain is: " + found["definition"], hang="")
    lines += wrap("Sides: " + found["side_rule"], hang="")
    return "\n".join(lines)


def _span(first: str, last: str) -> str:
    """``first`` .. ``last`` as years or days: one value when they are the same."""
    if not first and not last:
        return ""
    return first if first == last else f"{first or '..'}..{last or '..'}"


def _csv(rows: list[Mapping[str, Any]], fields: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    fields = fields or (list(rows[0]) if rows else [])
    writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    plt.close(fig)
    return buffer.getvalue()


def _pictures(data: Mapping[str, Any]) -> dict[str, bytes]:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    pictures = {"network.png": _network_picture(data)}
    leaders = data["actors"][:TOP]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    axes[0].barh([r["label"] for r in reversed(leaders)], [r["pagerank"] for r in reversed(leaders)], color="#4477aa")
    axes[0].set_title("PageRank (top actors)")
    by_reach = sorted(data["actors"], key=lambda r: (-r["out_weight"], r["label"]))[:TOP]
    axes[1].barh([r["label"] for r in reversed(by_reach)], [r["out_weight"] for r in reversed(by_reach)], color="#cc6677")
    axes[1].set_title("Reach: named + counted targets")
    fig.tight_layout()
    pictures["leaders.png"] = _png(fig)
    pictures["timeline.png"] = _timeline_picture(data)
    return pictures


def _network_picture(data: Mapping[str, Any]) -> bytes:
    """The actor network: arrows from actor to target, every label whole and apart from the others
    (textalloc), a colour per side named in the legend, size by PageRank."""
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import networkx as nx  # noqa: PLC0415
    import textalloc  # noqa: PLC0415
    from matplotlib.lines import Line2D  # noqa: PLC0415

    from kg.analysis.centrality import DEFAULT_LAYERS  # noqa: PLC0415
    from kg.style import UNPLACED, UNPLACED_LABEL, node_label, side_colours  # noqa: PLC0415

    G = data["networks"].actors
    drawn = len(G) > NETWORK_SHOWN
    if drawn:  # the most connected actors: imposers and their most frequent targets
        busiest = sorted(data["actors"], key=lambda r: (-(r["in_degree"] + r["out_degree"]), r["label"]))
        G = G.subgraph([row["node"] for row in busiest[:NETWORK_SHOWN]])
    isolated = [n for n in G if G.degree(n) == 0]  # an actor of an act without named targets: nothing to draw
    G = G.subgraph([n for n in G if G.degree(n) > 0])
    figures = {row["node"]: row for row in data["actors"]}
    side_iri = {row["node"]: row["side"] for row in data["actors"]}
    labels = data["networks"].labels
    palette = side_colours(s for s in side_iri.values() if s)
    nodes = sorted(G)
    fig, ax = plt.subplots(figsize=(14, 10.5))
    pos = _layout(nx.Graph(G), nodes)  # undirected, one edge a pair (a MultiDiGraph copy first took 2 s at 10^6)
    top = max((f["pagerank"] for f in figures.values()), default=1) or 1
    size = {n: 80 + 700 * figures.get(n, {}).get("pagerank", 0) / top for n in nodes}
    colours = [tuple(c / 255 for c in palette.get(side_iri.get(n), UNPLACED)) for n in nodes]
    # one arrow per pair and kind: parallel acts would be drawn on top of each other; a pair acting both
    # ways bends its two arrows apart. Arrows stop at the edge of their target's disc.
    coercive = sorted({(u, v) for u, v, d in G.edges(data=True) if d.get("layer") in DEFAULT_LAYERS and u != v})
    spoken = sorted({(u, v) for u, v, d in G.edges(data=True) if d.get("layer") not in DEFAULT_LAYERS and u != v}
                    - set(coercive))
    arrows = len(coercive) + len(spoken)
    if arrows > ARROWS_SHOWN:
        from collections import Counter  # noqa: PLC0415

        acts = Counter((u, v) for u, v in G.edges() if u != v)
        keep = set(sorted(coercive + spoken, key=lambda e: (-acts[e], e))[:ARROWS_SHOWN])
        coercive, spoken = [e for e in coercive if e in keep], [e for e in spoken if e in keep]
    for edges, style, colour, alpha in ((coercive, "solid", "#222222", 0.75), (spoken, "dashed", "#3366aa", 0.55)):
        nx.draw_networkx_edges(G, pos, edgelist=edges, ax=ax, nodelist=nodes, node_size=[size[n] for n in nodes],
                               arrows=True, arrowstyle="-|>", arrowsize=14, width=1.1, edge_color=colour, alpha=alpha,
                               style=style, connectionstyle="arc3,rad=0.08")
    discs = nx.draw_networkx_nodes(G, pos, nodelist=nodes, ax=ax, node_color=colours, node_size=[size[n] for n in nodes],
                                   linewidths=0.6, edgecolors="#333333")
    # labels whole, placed by textalloc clear of the discs, the arrows and each other, tied to their disc by a line
    xs, ys = [pos[n][0] for n in nodes], [pos[n][1] for n in nodes]
    ax.set_xlim(min(xs) - 0.15, max(xs) + 0.15)
    ax.set_ylim(min(ys) - 0.1, max(ys) + 0.1)
    pairs = coercive + spoken
    textalloc.allocate(ax, xs, ys, [node_label(n, labels) for n in nodes], x_scatter=xs, y_scatter=ys,
                       scatter_sizes=[size[n] for n in nodes], scatter_plot=discs,
                       x_lines=[[pos[u][0], pos[v][0]] for u, v in pairs], y_lines=[[pos[u][1], pos[v][1]] for u, v in pairs],
                       textsize=8, margin=0.004, min_distance=0.012, max_distance=0.12, linecolor="#999999",
                       linewidth=0.6, avoid_label_lines_overlap=True, draw_all=True, nbr_candidates=400)
    shown = f"the {len(G)} most connected actors (of {len(data['networks'].actors)}) - " if drawn else ""
    alone = (f"; not drawn: {', '.join(node_label(n, labels) for n in sorted(isolated)[:5])}"
             f"{f' and {len(isolated) - 5} more' if len(isolated) > 5 else ''} (no act with a named other)"
             if isolated else "")
    if arrows > ARROWS_SHOWN:
        shown += f"the {ARROWS_SHOWN} pairs with most acts (of {arrows:,}) - "
    ax.set_title(f"Actor network: {shown}an arrow goes from the actor to its target\n"
                 f"colour: the actor's side; size: PageRank{alone}", fontsize=11)
    names = {row["side"]: node_label(row["side"], labels) for row in data["actors"] if row["side"]}
    per_side: dict[str, int] = {}
    for n in nodes:
        per_side[side_iri.get(n) or ""] = per_side.get(side_iri.get(n) or "", 0) + 1
    placed = sorted((s for s in per_side if s), key=lambda s: (-per_side[s], names.get(s, s)))[:LEGEND_SIDES]
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markeredgecolor="#333333",
                      color=tuple(c / 255 for c in palette[s]), label=f"{names.get(s, s)} ({per_side[s]})")
               for s in sorted(placed, key=lambda s: names.get(s, s))]
    if len([s for s in per_side if s]) > len(placed):
        handles.append(Line2D([], [], linestyle="", label=f"and {len([s for s in per_side if s]) - len(placed)} more sides"))
    if "" in per_side:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=8, markeredgecolor="#333333",
                              color=tuple(c / 255 for c in UNPLACED), label=f"{UNPLACED_LABEL} ({per_side['']})"))
    handles += [Line2D([], [], color="#222222", label="sanction, counter-sanction, arrest, threat"),
                Line2D([], [], color="#3366aa", linestyle="dashed", label="statement about or to")]
    ax.legend(handles=handles, title="side (actors drawn)", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              title_fontsize=8, frameon=False)
    ax.axis("off")
    return _png(fig)


def _layout(U, nodes: list[str]) -> dict[str, tuple[float, float]]:
    """Kamada-Kawai positions (igraph's, in C; networkx's needs scipy), scaled to the unit square."""
    if len(nodes) < 2:
        return {n: (0.5, 0.5) for n in nodes}
    import igraph  # noqa: PLC0415

    index = {n: i for i, n in enumerate(nodes)}
    g = igraph.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in U.edges() if u != v])
    coords = g.layout_kamada_kawai(seed=[[i % 7, i // 7] for i in range(len(nodes))], maxiter=50 * len(nodes)).coords
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    return {n: ((x - min(xs)) / span, (y - min(ys)) / span) for n, (x, y) in zip(nodes, coords)}


def _day(text: str | None):
    from datetime import date  # noqa: PLC0415

    try:
        return date.fromisoformat(str(text)[:10]) if text else None
    except ValueError:
        return None


#: Acts drawn one row each on timeline.png (with their labels); more are drawn one row per kind.
TIMELINE_ROWS = 45


def _timeline_picture(data: Mapping[str, Any]) -> bytes:
    """Acts in time: a day as a dot, a range as a bar from its earliest to its latest day (an open end as an
    arrow), the undated listed below; a gap of years (one 1989 act before 2018-2024) is cut out of the axis.
    Over :data:`TIMELINE_ROWS` acts, a row each would be a solid stripe: the acts a month, a line a kind."""
    import matplotlib.pyplot as plt  # noqa: PLC0415

    spans, undated = [], []
    for act in data["acts"]:
        first = _day(act.get("date") or act.get("earliest"))
        last = _day(act.get("date") or act.get("latest"))
        if first is None and last is None:
            undated.append(act)
        else:
            spans.append((first or last, last or first, first is None, last is None, act))
    spans.sort(key=lambda s: (s[0], s[1], s[4].get("label", "")))
    kinds = sorted({s[4].get("kind", "event") for s in spans} | {a.get("kind", "event") for a in undated})
    colour = {k: plt.get_cmap("tab10")(i % 10) for i, k in enumerate(kinds)}
    per_act = len(spans) <= TIMELINE_ROWS
    rows = list(range(len(spans)))
    parts = _time_parts([d for s in spans for d in (s[0], s[1])])
    height = max(3.0, 0.26 * len(spans) + 1.4) if per_act else 4.5
    fig, axes = plt.subplots(1, len(parts), sharey=True, figsize=(13, height), squeeze=False,
                             gridspec_kw={"width_ratios": [1] + [6] * (len(parts) - 1) if len(parts) > 1 else [1],
                                          "wspace": 0.05})
    axes = list(axes[0])
    from datetime import timedelta  # noqa: PLC0415

    import matplotlib.dates as mdates  # noqa: PLC0415

    # one artist per kind and mark, not per act: 35,000 acts at 10^6 triples drawn one by one took 40 s
    marks: dict[tuple[str, str], tuple[list, list]] = {}
    bars: dict[str, list] = {}

    def mark(kind: str, shape: str, x, y) -> None:
        xs, ys = marks.setdefault((kind, shape), ([], []))
        xs.append(x)
        ys.append(y)

    for row, (first, last, open_start, open_end, act) in (zip(rows, spans) if per_act else ()):
        kind = act.get("kind", "event")
        if first == last and not (open_start or open_end):
            mark(kind, "o", first, row)
            continue
        # a range: a bar with end caps, so that a range of two days still shows
        bars.setdefault(kind, []).append([(mdates.date2num(first), row), (mdates.date2num(last), row)])
        mark(kind, "|", first, row)
        mark(kind, "|", last, row)
        if open_start:
            mark(kind, "<", first, row)
        if open_end:
            mark(kind, ">", last, row)
    per_month: dict[str, dict] = {}  # kind -> first day of a month -> acts that month (at their earliest day)
    if not per_act:
        for first, _last, _open_start, _open_end, act in spans:
            months = per_month.setdefault(act.get("kind", "event"), {})
            month = first.replace(day=1)
            months[month] = months.get(month, 0) + 1
    from matplotlib.collections import LineCollection  # noqa: PLC0415

    sizes = {"o": 5, "|": 9, "<": 7, ">": 7}
    for ax, (lo, hi) in zip(axes, parts):
        for kind, segments in bars.items():
            ax.add_collection(LineCollection(segments, colors=[colour[kind]], linewidths=4, capstyle="butt", alpha=0.8))
        for (kind, shape), (xs, ys) in marks.items():
            ax.plot(xs, ys, shape, color=colour[kind], markersize=sizes[shape],
                    markeredgewidth=1.5 if shape == "|" else None, linestyle="none")
        for kind, months in per_month.items():  # too many acts for a row each: how many a month, by kind
            ax.plot(sorted(months), [months[m] for m in sorted(months)], "-", color=colour[kind], linewidth=1.2,
                    drawstyle="steps-mid", alpha=0.9)
        pad = timedelta(days=max(20, (hi - lo).days // 40))
        ax.set_xlim(lo - pad, hi + pad)
        locator = mdates.AutoDateLocator(minticks=1, maxticks=3 if ax is axes[0] and len(parts) > 1 else 10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.grid(axis="x", alpha=0.3)
    for left, right in zip(axes, axes[1:]):  # the broken axis (matplotlib's recipe): the spines between are cut
        left.spines["right"].set_visible(False)
        right.spines["left"].set_visible(False)
        right.tick_params(axis="y", left=False)
        marks = {"marker": [(-1, -2), (1, 2)], "markersize": 10, "linestyle": "none", "color": "#444444",
                 "mec": "#444444", "mew": 1, "clip_on": False}
        left.plot([1, 1], [0, 1], transform=left.transAxes, **marks)
        right.plot([0, 0], [0, 1], transform=right.transAxes, **marks)
    if per_act:
        axes[0].set_yticks(range(len(spans)), [s[4].get("label", "") for s in spans], fontsize=7)
        axes[0].set_ylim(len(spans) - 0.5, -0.5)
    else:
        axes[0].set_ylabel("acts a month")
        axes[0].set_ylim(bottom=0)
    handles = [plt.Line2D([], [], color=colour[k], linewidth=4, label=k) for k in kinds]
    axes[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
                    title="kind of act", title_fontsize=8)
    cut = "; the axis is cut where years pass without an act" if len(parts) > 1 else ""
    ranged = sum(1 for first, last, *_ in spans if first != last)
    fig.suptitle(f"Timeline of acts: a dot is a day, a bar the range of possible days, an arrow an open end{cut}"
                 if per_act else
                 f"Acts a month by kind ({len(spans):,} dated acts, too many for a row each; an act known only within "
                 f"a range, {ranged:,} of them, counts in the month of its earliest day){cut}", fontsize=10, y=1.0)
    if undated:
        names = [a.get("label", "") for a in sorted(undated, key=lambda a: a.get("label", ""))]
        shown = names[:12] + ([f"and {len(names) - 12} more"] if len(names) > 12 else [])
        import textwrap  # noqa: PLC0415

        axes[0].text(0, -0.6 / height, textwrap.fill(f"Undated ({len(undated)}, listed in the report under this picture): "
                                                     + "; ".join(shown), 170), fontsize=7, va="top",
                     transform=axes[0].transAxes)
    return _png(fig)


def _time_parts(days: list) -> list[tuple]:
    """The date ranges the timeline's axis shows: all of it, or two parts around the widest gap when that gap
    is longer than the rest of the span together (one 1989 act before acts of 2018-2024)."""
    from datetime import date  # noqa: PLC0415

    days = sorted(d for d in days if d)
    if not days:
        today = date.today()
        return [(today, today)]
    gaps = [(b - a, i) for i, (a, b) in enumerate(zip(days, days[1:]))]
    if not gaps:
        return [(days[0], days[-1])]
    widest, i = max(gaps)
    if widest > (days[-1] - days[0]) - widest and widest.days > 365:
        return [(days[0], days[i]), (days[i + 1], days[-1])]
    return [(days[0], days[-1])]


#: The centrality measures in words, for headings (the tables and CSV keep the short names).
MEASURE_NAMES: Mapping[str, str] = {
    "in_degree": "Acts against it (in-degree)",
    "out_degree": "Named targets it acted against (out-degree)",
    "out_weight": "Reach: named and counted targets (out-weight)",
    "pagerank": "PageRank",
    "betweenness": "Betweenness",
    "closeness": "Closeness (incoming)",
    "hub": "Hub score (HITS)",
    "authority": "Authority score (HITS)",
}
#: The most actors a graph may have for the report to hold every actor's dossier; a larger graph's
#: report points to ``kg dossier NAME`` instead.
DOSSIERS_SHOWN = 60
#: Names in a list within the text (actors on no side, targets not counted); the rest are counted.
LISTED = 20


class Evidence:
    """The report's footnotes: each distinct piece of evidence once, referred to from every row it supports.

    ``ref(quote, article)`` gives the Markdown footnote reference of a stated fact,
    ``ref(quote, article, curated=True, reason=...)`` that of a curated one, and
    ``markdown()`` the footnotes themselves (Markdown footnotes: GitHub and
    Python-Markdown render them as numbered notes with links both ways).
    """

    def __init__(self) -> None:
        self._ids: dict[tuple, str] = {}

    def ref(self, quote: str, article: str, *, curated: bool = False, reason: str = "", record: bool = False) -> str:
        key = (quote or "", article or "", bool(curated), reason or "", bool(record))
        if key not in self._ids:
            self._ids[key] = f"e{len(self._ids) + 1}"
        word = "curated" if curated else "record" if record else "stated"
        return f"{word}[^{self._ids[key]}]"

    def markdown(self) -> str:
        lines = []
        for (quote, article, curated, reason, record), key in self._ids.items():
            source = f" ({_short(article)})" if article else ""
            if curated:
                text = (f"Curated: {_one_line(reason).rstrip('.') or 'no reason given'}."
                        + (f" From “{_one_line(quote)}”{source}" if quote else ""))
            elif record:
                text = f"From an imported record: {_one_line(quote).removeprefix('record ')}{source}"
            else:
                text = f"“{_one_line(quote)}”{source}" if quote else f"No quote{source}"
            lines.append(f"[^{key}]: {text}")
        return "\n".join(lines) + "\n" if lines else ""


def _short(iri: str) -> str:
    from rdflib import URIRef  # noqa: PLC0415

    from kg.names import short  # noqa: PLC0415

    return short(URIRef(iri)) if iri else ""


def _one_line(text: Any) -> str:
    return " ".join(str("" if text is None else text).split())


def _cell(value: Any) -> str:
    """A table cell: never "None" (an absent value is a dash), one line, no column separator."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = "; ".join(map(str, value))
    return _one_line(value).replace("|", "/")


def _table(rows: list[Mapping[str, Any]], columns: list[tuple[str, Any]], csv_name: str | None = None) -> str:
    """A Markdown table; ``columns`` are (header in words, key or function of the row)."""
    if not rows:
        return "_(none)_\n"
    more = ""
    if csv_name and len(rows) > ROWS_SHOWN:
        more = f"\nThe first {ROWS_SHOWN} of {len(rows)} rows; all of them are in {csv_name}.\n"
        rows = rows[:ROWS_SHOWN]
    head = "| " + " | ".join(h for h, _ in columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join(
        "| " + " | ".join(_cell(get(r) if callable(get) else r.get(get)) for _, get in columns) + " |\n" for r in rows
    )
    return head + body + more


def _ranking_table(ranking: Mapping[str, Any], measure: str) -> str:
    """A ranking with ties as groups, or the sentence that says the measure cannot rank this graph."""
    if not ranking["discriminates"]:
        note = ranking["note"].replace(f"{measure} takes", "it takes", 1)
        return f"_Not ranked: {note}._\n"
    rows = [{"rank": g["rank"] if g["count"] == 1 else f"{g['rank']} (tied: {g['count']})", "value": g["value"],
             "actors": ", ".join(g["labels"])} for g in ranking["groups"]]
    return _table(rows, [("rank", "rank"), ("value", "value"), ("actors", "actors")])


def _chain_evidence(ev: Evidence, step: Mapping[str, Any]) -> str:
    cells = [ev.ref(step["quote"], step["article"])]
    if step["parent"] and step["link_curated"]:
        cells.append("link " + ev.ref("", "", curated=True, reason=step["link_reason"]))
    return "; ".join(cells)


def _chain_table(chains: list[Mapping[str, Any]], ev: Evidence) -> str:
    rows = []
    for number, chain in enumerate(chains, 1):
        labels = {step["act"]: step["label"] for step in chain["steps"]}
        for step in chain["steps"]:
            rows.append({"chain": number, "level": step["level"], "act": ("↳ " * min(step["level"], 1)) + step["label"],
                         "side": step["side_label"], "link": step["link"] or "first act",
                         "answers": labels.get(step["parent"], "") if step["parent"] else "",
                         "when": step["when"] or "undated", "lag": step["lag"], "step": step})
    # the evidence of the rows shown only: a note for every step of every chain made Python-Markdown's
    # footnotes (quadratic in their number) most of the report's time on large graphs
    return _table(rows, [("chain", "chain"), ("step in the tree", "level"), ("act", "act"), ("side", "side"),
                         ("how it answers", "link"), ("the act it answers", "answers"), ("when", "when"),
                         ("answered after (days)", "lag"), ("evidence", lambda r: _chain_evidence(ev, r["step"]))],
                  "chains.csv")


def _dossiers(data: Mapping[str, Any], ev: Evidence) -> list[str]:
    from kg.dossier import WITH_WORDS, tie_text  # noqa: PLC0415

    dossiers = data.get("dossiers") or {}
    labels = data["networks"].labels
    if not dossiers:
        if len(labels) <= DOSSIERS_SHOWN:
            return []
        return ["## Dossiers\n",
                f"Dossiers are written into the report for graphs of up to {DOSSIERS_SHOWN} actors; this one has "
                f"{len(labels)}. `kg dossier NAME` prints any actor's: everything the graph holds about it, each "
                "line with its evidence (each is a query over the whole graph, several seconds at 10^6 triples).\n"]
    chains_of: dict[str, set[int]] = {}
    for actor, lines in dossiers.items():
        facts = {line["fact"] for line in lines}
        chains_of[actor] = {n for n, c in enumerate(data["chains"], 1) if any(s["act"] in facts for s in c["steps"])}
    out = ["## Dossiers\n",
           "Everything the graph holds about each actor, each line with its evidence: *stated* (the quote and its "
           "article), *curated* (the curator's reason) or from an imported *record*. "
           + "`kg dossier NAME` prints the same on the command line.\n"]
    for actor in sorted(dossiers, key=lambda a: labels.get(a, a).lower()):
        lines = dossiers[actor]
        side = data["side_of"].get(actor)
        out.append(f"### {labels.get(actor, _short(actor))}\n")
        out.append(f"{_short(actor)}; side: {side or 'none'}."
                   + (f" Its acts are part of chain {', '.join(map(str, sorted(chains_of[actor])))}." if chains_of[actor] else "")
                   + "\n")
        rows = []
        for line in lines:
            what = tie_text(line) if line["part"] == 10 else (line["factLabel"] or _short(line["fact"]))
            role = "" if line["part"] == 10 else line["role"]
            word = WITH_WORDS.get(line["part"], "with")
            rows.append({"part": line["section"], "when": line["when"] or ("" if line["part"] in (8, 9, 10) else "undated"),
                         "what": what, "role": role,
                         "with": f"{word} {line['with']}" if line["with"] and line["part"] != 10 else "",
                         "evidence": ev.ref(line["quote"], line["source"], curated=line["basis"] == "curated",
                                            reason=line["reason"], record=line["basis"] == "record")})
        out.append(_table(rows, [("part", "part"), ("when", "when"), ("act, post or tie", "what"), ("its role", "role"),
                                 ("the others", "with"), ("evidence", "evidence")]) if rows
                   else "The graph holds nothing about it beyond its name.\n")
    return out


def _markdown(data: Mapping[str, Any]) -> str:
    s = data["summary"]
    size = data["size"]
    ev = Evidence()
    out = [
        "# sanctions-kg report\n",
        f"{s['articles']} articles, {sum(s['actors'].values())} actors, {s['sanctions']} sanctions, "
        f"{s['retaliations']} retaliations, {s['statements']} statements, {s['triples']} triples.\n",
        "Every figure below comes from the knowledge graph through the query catalogue; counted but unnamed "
        "targets (\"eight officials\", two named) add to an imposer's reach but are never nodes. Every row that "
        "states a fact links to its evidence in the notes at the end: *stated* (the quote and its article) or "
        "*curated* (what no article states, with the curator's reason).\n",
        "![Actor network](network.png)\n",
        "## Centrality of actors\n",
        f"The network of coercive acts has {size['nodes']} actors, {size['acts']} acts between {size['pairs']} pairs "
        f"of actors (density {size['density']}) in {size['components']} separate parts. On a network this small one "
        "act moves an actor several places: actors with equal values share a rank, and a measure that takes too few "
        "values to tell actors apart is not ranked.\n",
        *_estimated(data),
    ]
    for measure, meaning in data["measures"].items():
        out.append(f"**{MEASURE_NAMES.get(measure, measure)}**: {meaning}\n")
        out.append(_ranking_table(data["rankings"][measure], measure))
    out += ["![Leaders](leaders.png)\n", "## Centrality of sides\n", data["side_rule"] + "\n"]
    for measure in ("in_degree", "out_degree", "pagerank"):
        out.append(f"**{MEASURE_NAMES.get(measure, measure)}**, of sides\n")
        out.append(_ranking_table(data["side_rankings"][measure], measure))
    if data["unplaced"]:
        out.append(f"On no side (no link in the articles to a state or bloc): {_listed(data['unplaced'], 'unplaced')}.\n")
    out += ["## Chains of sanctions and answers\n", data["definition"] + "\n",
            _chain_table(data["chains"], ev),
            "## Support and comments (not answers)\n",
            _table(data["support"], [("act", "act_label"), ("statement", "reaction_label"), ("it is", "what"),
                                     ("why", "why"), ("when", "when"),
                                     ("evidence", lambda r: ev.ref(r["quote"], r["article"])
                                      + ("; link " + ev.ref("", "", curated=True, reason=r.get("reason", ""))
                                         if r.get("curated") else ""))], "support.csv"),
            "## Links left out: the answer is dated before the act it answers\n",
            _table(data["dropped"], [("answer", "answer_label"), ("answer dated", "answer_when"),
                                     ("the act it would answer", "answered_label"), ("that act dated", "answered_when"),
                                     ("evidence", lambda r: ev.ref(r["quote"], r["article"]))], "dropped.csv"),
            "## Candidate retaliations (inferred, not asserted)\n",
            "Pairs where one side acted against the other's people after the other acted against its own, "
            "with no answer link in the sources. The evidence is that of each act; the pairing is inferred.\n",
            _table(data["candidates"], [("first act", "first_label"), ("candidate answer", "candidate_label"),
                                        ("why a candidate", "basis"), ("days between", "lag"),
                                        ("evidence", lambda r: ev.ref(r["first_quote"], r["first_article"]) + "; "
                                         + ev.ref(r["candidate_quote"], r["candidate_article"]))], "candidates.csv"),
            "## Reciprocity between sides\n", data["reciprocity_definition"] + "\n",
            _table(_reciprocity_rows(data["reciprocity"]),
                   [("side A", "a_label"), ("side B", "b_label"), ("acts of A against B", "a_to_b"),
                    ("dated", "a_to_b_dates"), ("acts of B against A", "b_to_a"), ("dated", "b_to_a_dates"),
                    ("reciprocity (fewer / more)", "reciprocity"),
                    ("evidence", lambda r: _acts_evidence(ev, data, r["a_to_b_acts"] + r["b_to_a_acts"],
                                                           "reciprocity.csv lists them"))],
                   "reciprocity.csv"),
            _not_counted(data, ev),
            _cycles(data["cycles"]),
            "## Most answered acts\n",
            "Answers by the side the act targeted; hostile answers from other sides and support are shown beside, "
            "not counted.\n",
            _table(data["most_answered"], [("rank", "rank"), ("act", "label"), ("when", "when"),
                                           ("answers by the side it targeted", "answers"),
                                           ("hostile answers by other sides", "other_answers"), ("support", "support"),
                                           ("evidence", lambda r: ev.ref(r["quote"], r["article"]))], "most-answered.csv"),
            "## Measures and the answers they drew\n",
            _table(data["answers_by_measure"], [("rank", "rank"), ("measure", "measure"), ("sanctions with it", "sanctions"),
                                                ("of them answered", "answered"), ("answers", "answers"),
                                                ("strongest answer", lambda r: r["strongest"] or "none"),
                                                ("evidence", lambda r: _acts_evidence(ev, data, r["acts"], "answers-by-measure.csv lists them"))],
                   "answers-by-measure.csv"),
            "![Timeline](timeline.png)\n",
            *_undated(data, ev),
            *_dossiers(data, ev),
            "## Notes: the evidence\n",
            "Each note is a verbatim passage of an article, or a curator's reason for what no article states.\n",
            ev.markdown()]
    return "\n".join(out)


def _undated(data: Mapping[str, Any], ev: Evidence) -> list[str]:
    """The acts the timeline cannot place: no day and no bound on it in any article or curation."""
    undated = _undated_acts(data)
    if not undated:
        return []
    return [f"Undated acts ({len(undated)}), not on the timeline: no article or curation bounds their day.\n",
            _table(undated, [("act", "label"), ("kind", "kind"), ("actor", lambda a: data["networks"].label(a.get("actor"))),
                             ("evidence", lambda a: ev.ref(a.get("quote", ""), a.get("article", "")))], "undated.csv")]


#: The most pieces of evidence one cell cites for a figure over many acts; the rest are named by the CSV.
EVIDENCE_SHOWN = 8


def _acts_evidence(ev: Evidence, data: Mapping[str, Any], acts: Iterable[str], where: str = "") -> str:
    """The evidence of several acts, one reference each (a figure over acts rests on theirs), the earliest
    first; over :data:`EVIDENCE_SHOWN` acts, that many and a count of the others, which ``where`` lists
    (a row of 8,000 acts citing each would be a report no one reads: at 10^6 triples, 68,000 notes)."""
    nodes = data["networks"].acts.nodes
    known = sorted((a for a in set(acts) if a in nodes),
                   key=lambda a: (str(nodes[a].get("date") or nodes[a].get("earliest") or nodes[a].get("latest") or "~"), a))
    refs = list(dict.fromkeys(ev.ref(nodes[a].get("quote", ""), nodes[a].get("article", ""))
                              for a in known[:EVIDENCE_SHOWN]))
    rest = len(known) - EVIDENCE_SHOWN
    if rest > 0:
        refs.append(f"and {rest:,} more act{'s' if rest != 1 else ''}" + (f" ({where})" if where else ""))
    return ", ".join(refs) or "–"


def _estimated(data: Mapping[str, Any]) -> list[str]:
    """What the report says when betweenness and closeness are estimated (:func:`kg.analysis.centrality.estimation`)."""
    found = data.get("estimated")
    if not found:
        return []
    return [f"**Betweenness and closeness are estimated, not exact.** Both need a shortest-path search from every "
            f"actor: {found['nodes']:,} actors by {found['edges']:,} pairs is beyond the {found['exact_work']:,} "
            f"steps this report allows itself, so betweenness comes from the searches from "
            f"{found['betweenness_sources']:,} actors and closeness from {found['closeness_sources']:,}, drawn at "
            f"random (seed {found['seed']}; the same graph gets the same figures). {found['method'][0].upper()}"
            f"{found['method'][1:]}. The other measures are exact.\n"]


def _undated_acts(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return sorted((a for a in data["acts"] if not (a.get("date") or a.get("earliest") or a.get("latest"))),
                  key=lambda a: a.get("label", ""))


def _listed(names: list[str], key: str) -> str:
    """Names joined, the first :data:`LISTED` of them; the rest counted, with where report.json holds them all."""
    shown = ", ".join(names[:LISTED])
    return shown + (f" and {len(names) - LISTED} more (all under {key} in report.json)" if len(names) > LISTED else "")


def _not_counted(data: Mapping[str, Any], ev: Evidence) -> str:
    """One line per side and target on no side that it acted against, the first :data:`LISTED`; then how many more."""
    rows = data["acts_against_unplaced"]
    lines = [f"Not counted: {r['side_label'] or '(no side)'} acted against {r['target_label']}, on no side "
             f"({len(r['acts'])} act{'s' if len(r['acts']) != 1 else ''}; "
             f"{_acts_evidence(ev, data, r['acts'])}).\n" for r in rows[:LISTED]]
    if len(rows) > LISTED:
        lines.append(f"Not counted either: {len(rows) - LISTED} more targets on no side "
                     "(all under acts_against_unplaced in report.json).\n")
    return "".join(lines)


def _reciprocity_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dict(r, a_to_b_dates=_span(r["a_to_b_first"], r["a_to_b_last"]),
                 b_to_a_dates=_span(r["b_to_a_first"], r["b_to_a_last"])) for r in rows]


def _flat(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for CSV: lists joined with "; "."""
    return [{k: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in r.items()} for r in rows]


#: A cell that holds only a date or a range of dates (2021-03-22, 2018-01-01..2024-12-10, ../2021-03-22).
_DATE_CELL = r"<td>((?:\.\.|\d{4}(?:-\d\d){0,2})(?:(?:\.\.|/)(?:\.\.|\d{4}(?:-\d\d){0,2}))?)</td>"


def _html(markdown_text: str, pictures: Mapping[str, bytes]) -> str:
    """A self-contained HTML page of the report's Markdown (Python-Markdown: tables, footnotes, contents),
    the pictures inlined, dates kept on one line."""
    import re  # noqa: PLC0415

    import markdown  # noqa: PLC0415

    # the contents: in the page only (report.md is read where a viewer lists the headings itself)
    title, _, rest = markdown_text.partition("\n")
    body = markdown.markdown(f"{title}\n\n[TOC]\n{rest}", extensions=["tables", "footnotes", "toc"],
                             extension_configs={"footnotes": {"BACKLINK_TEXT": "↩"}, "toc": {"toc_depth": "2"}},
                             output_format="html")
    for name, png in pictures.items():
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        body = body.replace(f'src="{html.escape(name)}"', f'src="{src}"')
    body = re.sub(_DATE_CELL, r'<td class="date">\1</td>', body)
    body = re.sub(r"<td>(\d+ \(tied: \d+\))</td>", r'<td class="date">\1</td>', body)  # a rank, on one line too
    style = ("body{font-family:sans-serif;max-width:1150px;margin:2em auto;padding:0 1em;line-height:1.4}"
             "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;"
             "font-size:90%;vertical-align:top}th{background:#eee;text-align:left}td.date{white-space:nowrap}"
             "img{max-width:100%}sup{font-size:75%}.footnote{font-size:90%}.footnote li{margin:.3em 0}"
             ".toc{background:#f6f6f6;padding:.3em 1em;display:inline-block}")
    return ('<!doctype html>\n<html lang="en"><meta charset="utf-8"><title>sanctions-kg report</title>'
            f"<style>{style}</style>\n<body>\n{body}\n</body></html>\n")


def write_report(data: Mapping[str, Any], out_dir: Path | str) -> list[Path]:
    """Write report.md, report.html, the pictures, CSV of every table and report.json into ``out_dir``."""
    from kg.progress import stages  # noqa: PLC0415

    out_dir = Path(out_dir)
    with stages("writing the report", ["pictures", "markdown and html", "tables"]) as step:
        step("pictures")
        log.info("drawing the pictures")
        pictures = _pictures(data)
        step("markdown and html")
        written = _write_pages(data, pictures, out_dir)
        step("tables")
        written += _write_tables(data, out_dir)
    return written


def _write_pages(data: Mapping[str, Any], pictures: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    markdown_text = _markdown(data)
    written = [atomic_write(out_dir / name, png) for name, png in pictures.items()]
    written.append(atomic_write(out_dir / "report.md", markdown_text))
    written.append(atomic_write(out_dir / "report.html", _html(markdown_text, pictures)))
    return written


def _write_tables(data: Mapping[str, Any], out_dir: Path) -> list[Path]:
    written = []
    tables = {
        "centrality-actors.csv": data["actors"],
        "centrality-sides.csv": data["sides"],
        "chains.csv": chain_rows(data["chains"]),
        "support.csv": data["support"],
        "dropped.csv": data["dropped"],
        "candidates.csv": data["candidates"],
        "reciprocity.csv": _reciprocity_rows(data["reciprocity"]),
        "most-answered.csv": data["most_answered"],
        "answers-by-measure.csv": data["answers_by_measure"],
        "dossiers.csv": [dict(line, actor=actor, actor_label=data["networks"].label(actor))
                         for actor, lines in data.get("dossiers", {}).items() for line in lines],
    }
    undated = _undated_acts(data)
    if undated:  # the report names it when it lists undated acts (:func:`_undated`)
        tables["undated.csv"] = undated
    for name, rows in tables.items():
        written.append(atomic_write(out_dir / name, _csv(_flat(rows))))
    serialisable = {k: v for k, v in data.items() if k != "networks"}
    # compact: with an indent, the json module encodes in Python (4 s for 10^6 triples), without it in C
    written.append(atomic_write(out_dir / "report.json", json.dumps(serialisable, default=str, ensure_ascii=False)))
    return written
