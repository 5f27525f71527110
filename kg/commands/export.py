"""``kg export``: the actor network as a GEXF (Gephi) or GraphML (Cytoscape, igraph, yEd) file."""

from __future__ import annotations

from pathlib import Path

from kg.commands.common import EXIT_OK, add_format, add_out, add_read_store, command, open_store


def register(sub) -> None:
    p = command(
        sub, "export", "Export the actor network for Gephi (GEXF) or Cytoscape/igraph/yEd (GraphML).",
        "Nodes carry label, kind, side and centrality figures; edges carry kind, layer,\n"
        "date, measures, article and quote. GEXF adds colours by side, sizes by PageRank\n"
        "and dates, so Gephi's Timeline replays the chains.",
        "kg export --format gexf --out out/sanctions.gexf",
    )
    add_format(p, ("gexf", "graphml"), "gexf", "gexf (default) or graphml")
    add_out(p, None, "the file (default: out/sanctions.gexf or .graphml)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.export import export_graph  # noqa: PLC0415

    path = export_graph(open_store(args), args.format, args.out or Path("out") / f"sanctions.{args.format}")
    print(f"Wrote {path}")
    return EXIT_OK
