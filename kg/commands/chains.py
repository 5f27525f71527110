"""``kg chains``: sanction-and-retaliation chains, the answers acts drew, tit-for-tat candidates, reciprocity and cycles."""

from __future__ import annotations

import json
import sys
import textwrap

from kg.commands.common import EXIT_OK, add_format, add_read_store, command, open_store, positive


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 78))


def register(sub) -> None:
    from kg.analysis.definitions import CHAIN_DEFINITION, RECIPROCITY_DEFINITION, SIDE_RULE  # noqa: PLC0415

    p = command(
        sub, "chains", "Sanction-and-retaliation chains, tit-for-tat candidates, reciprocity and cycles.",
        "Every chain as a tree: the first act, the answers it drew, the answers to those\n"
        "(who acted, when, the lag in days). Support and comments, and links whose answer\n"
        "is dated before the act it answers, are listed apart. Candidates are pairs the\n"
        "sources do not link: one side acting against the other's people within --window\n"
        "days after the other acted against its own; they are marked inferred and never\n"
        "written into the graph.\n\n"
        f"What a chain is:\n{_wrapped(CHAIN_DEFINITION)}\n\n"
        f"Sides:\n{_wrapped(SIDE_RULE)}\n\n"
        f"Reciprocity:\n{_wrapped(RECIPROCITY_DEFINITION)}\n\n"
        "--format json gives every row with its evidence (quote, article, whether the\n"
        "link is curated) and the definitions; --format csv one row per act of a chain.",
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
        print(json.dumps(found, indent=2, default=str, ensure_ascii=False))
    elif args.format == "csv":
        import csv  # noqa: PLC0415

        rows = chain_rows(found["chains"])
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["chain"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(chains_text(found, args.max_cycle, terminal_width()))
    return EXIT_OK
