"""``kg export``: the actor network (GEXF for Gephi, GraphML for Cytoscape, igraph, yEd) or the graph as
FollowTheMoney entities (for Aleph, yente and other FtM tools)."""

from __future__ import annotations

from pathlib import Path

from kg.commands.common import EXIT_OK, add_format, add_out, add_read_store, command, open_store

#: The --format values (kg.export.FORMATS, spelled here so that --help does not import the exporters).
FORMATS = ("gexf", "graphml", "ftm")
_SUFFIX = {"gexf": "gexf", "graphml": "graphml", "ftm": "ftm.json"}


def register(sub) -> None:
    p = command(
        sub, "export",
        "Export the actor network for Gephi (GEXF) or Cytoscape/igraph/yEd (GraphML), or the graph as FollowTheMoney.",
        "gexf, graphml: nodes carry label, kind, side and centrality figures; edges carry\n"
        "kind, layer, date, measures, article and quote. GEXF adds colours by side, sizes\n"
        "by PageRank and dates, so Gephi's Timeline replays the chains.\n"
        "ftm: actors, posts, sanctions and retaliations as FollowTheMoney JSON lines (one\n"
        "entity a line, each checked by followthemoney's model), article quotes as\n"
        "Documentation of an Article; load it into Aleph or any FtM tool.",
        "kg export --format gexf --out out/sanctions.gexf\n  kg export --format ftm --out out/sanctions.ftm.json",
    )
    add_format(p, FORMATS, "gexf", "gexf (default), graphml or ftm")
    add_out(p, None, "the file (default: out/sanctions.gexf, .graphml or .ftm.json)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.export import export_graph  # noqa: PLC0415

    path = export_graph(open_store(args), args.format, args.out or Path("out") / f"sanctions.{_SUFFIX[args.format]}")
    print(f"Wrote {path}")
    return EXIT_OK
