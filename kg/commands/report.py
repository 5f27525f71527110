"""``kg report``: the centrality and chain report (Markdown, HTML, CSV, JSON, pictures) in a folder."""

from __future__ import annotations

from pathlib import Path

from kg.commands.common import EXIT_OK, add_format, add_out, add_read_store, command, open_store, print_json


def register(sub) -> None:
    p = command(
        sub, "report", "Centrality and chain report: Markdown, HTML, CSV, JSON and pictures.",
        "Writes report.md, a self-contained report.html, network/leaders/timeline PNGs,\n"
        "a CSV for every table and report.json into the folder.",
        "kg report --out out/report",
    )
    add_out(p, Path("out/report"), "the report folder (default: out/report/)")
    p.add_argument("--window", type=int, default=30, metavar="DAYS", help="tit-for-tat window in days (default: 30)")
    add_format(p, ("text", "json"), "text", "how to print what was written (default: text)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.report import compute, write_report  # noqa: PLC0415

    written = write_report(compute(open_store(args), args.window), args.out)
    if args.format == "json":
        print_json({"folder": args.out, "report": args.out / "report.html", "files": written})
        return EXIT_OK
    print(f"Wrote {len(written)} files to {args.out}: open {args.out / 'report.html'}")
    return EXIT_OK
