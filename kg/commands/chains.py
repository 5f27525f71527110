"""``kg chains``: sanction-and-retaliation chains, tit-for-tat candidates, reciprocity and cycles."""

from __future__ import annotations

import json
import sys

from kg.commands.common import EXIT_OK, add_format, add_read_store, command, open_store, positive


def register(sub) -> None:
    p = command(
        sub, "chains", "Sanction-and-retaliation chains, tit-for-tat candidates, reciprocity and cycles.",
        "Every chain from a first act through its answers (who acted, when, the lag in\n"
        "days). Candidates are pairs the sources do not link: one side acting against\n"
        "the other's people within --window days after the other acted against its own;\n"
        "they are marked inferred and never written into the graph.",
        "kg chains --format csv --window 30",
    )
    add_format(p, ("table", "json", "csv"), "table")
    p.add_argument("--window", type=int, default=30, metavar="DAYS", help="days within which an unlinked answer is a candidate (default: 30)")
    p.add_argument("--max-cycle", type=positive, default=3, metavar="N",
                   help="longest cycle of sides to list (default: 3, mutual pairs and triangles; "
                        "the number of longer cycles grows exponentially with the network)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.analysis import chain_analysis  # noqa: PLC0415
    from kg.report import chain_rows, chains_text  # noqa: PLC0415
    from kg.results import terminal_width  # noqa: PLC0415

    found = chain_analysis(open_store(args), args.window, args.max_cycle)
    if args.format == "json":
        found.pop("labels")
        print(json.dumps(found, indent=2, default=str))
    elif args.format == "csv":
        import csv  # noqa: PLC0415

        rows = chain_rows(found["chains"])
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["chain"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(chains_text(found, args.max_cycle, terminal_width()))
    return EXIT_OK
