"""``kg run``: the main job — build and check the graph (or load a large TriG file), then the report and exports."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kg.commands import build
from kg.commands.common import (
    EXIT_OK, EXIT_VIOLATIONS, add_allow_empty, add_data, add_drafts, add_format, add_out, add_store, add_wait, command,
    log, print_json,
)


def register(sub) -> None:
    p = command(
        sub, "run", "Run the whole pipeline: build and validate the graph, then the analyses and exports.",
        "The main job: build and validate out/kg.trig, then the chain and centrality\n"
        "report (out/report/), and the Gephi and GraphML exports (out/sanctions.gexf,\n"
        "out/sanctions.graphml). Progress goes to stderr.\n\n"
        "With --input FILE --store oxigraph:PATH the graph is a TriG file instead (a\n"
        "large one, such as kg synth writes): it is validated in memory and, only if\n"
        "it conforms, loaded into the store on disk while the analyses run.\n\n"
        "With --store oxigraph:PATH alone the pipeline runs on the store as it is, read\n"
        "only, without reading it into memory: for a store too large for that (kg load\n"
        "and kg import of an OpenSanctions export, 10^7 triples). The store's current\n"
        "version is held until the run ends, so a load meanwhile does not change what\n"
        "it reads.",
        "kg run --out out\n"
        "  kg run --input synth.trig --store oxigraph:out/store\n"
        "  kg run --store oxigraph:out/store --out out",
    )
    add_data(p)
    add_out(p, Path("out"), "the output folder (default: out/)")
    p.add_argument("--input", type=Path, default=None, metavar="FILE",
                   help="a built TriG dataset to run on instead of building from --data (needs --store oxigraph:PATH; "
                        "- reads standard input)")
    add_store(p, "memory (default: out/kg.trig), or oxigraph:PATH: the store to load --input into, or to run on")
    add_drafts(p)
    add_format(p, ("text", "json"), "text", "how to print the summary and the outputs (default: text)")
    add_allow_empty(p, "data or an --input")
    add_wait(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.io import read_dataset  # noqa: PLC0415
    from kg.store import StoreError, store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    if args.input is not None:
        if kind != "oxigraph":
            raise StoreError("kg run --input FILE loads the file into a store: give --store oxigraph:PATH")
        return _run_input(args, Path(location))
    if kind == "oxigraph":
        return _run_store(args)
    if kind != "memory":
        raise StoreError(f"kg run reads --data, a TriG file (--input FILE --store oxigraph:PATH) or an Oxigraph store "
                         f"(--store oxigraph:PATH), not {args.store}")
    log.info("[1/4] building and validating the graph")
    counts, target, seconds = build.write(args)
    if counts is None:
        return EXIT_VIOLATIONS
    if args.format != "json":
        print(build._format_summary(counts, target, seconds))
    from kg.drafts import apply  # noqa: PLC0415

    data = _analyse_and_export(apply(read_dataset(args.out / "kg.trig"), args.drafts), args.out)
    _print_outputs(args, data, counts)
    return EXIT_OK


def _analyse_and_export(dataset, out: Path) -> dict:
    from kg.report import compute  # noqa: PLC0415

    log.info("[2/4] analysing chains and centrality")
    return _export_and_report(compute(dataset), out)


def _export_and_report(data: dict, out: Path) -> dict:
    from kg.export import start_writing  # noqa: PLC0415
    from kg.report import write_report  # noqa: PLC0415

    figures = {row["node"]: row for row in data["actors"]}
    log.info("[3/4] exporting the network (Gephi, GraphML) while [4/4] the report is written")
    paths = {fmt: out / f"sanctions.{fmt}" for fmt in ("gexf", "graphml")}
    wait = start_writing(data["networks"], figures, paths)
    try:
        write_report(data, out / "report")
    finally:
        wait()
    return data


def _run_input(args, location: Path) -> int:
    from kg.store import load_checked  # noqa: PLC0415
    from kg.validate import check as check_graph  # noqa: PLC0415

    started = time.monotonic()
    outcome: dict = {}

    def check(dataset) -> bool:
        log.info("[1/4] validating %s", args.input)
        conforms, report = check_graph(dataset)
        if not conforms:
            print(report, file=sys.stderr)
        return conforms

    def analyse(dataset) -> None:
        log.info("loading it into oxigraph:%s meanwhile", location)
        outcome["data"] = _analyse_and_export(dataset, args.out)

    _, accepted = load_checked(args.input, location, check, analyse, allow_empty=args.allow_empty, wait=args.wait)
    if not accepted:
        print(f"\nNot loaded: {args.input} does not conform; oxigraph:{location} is left as it was.", file=sys.stderr)
        return EXIT_VIOLATIONS
    if args.format != "json":
        print(f"Loaded {args.input} into oxigraph:{location}, validated and analysed it in {time.monotonic() - started:.1f} s.")
    _print_outputs(args, outcome["data"], None)
    return EXIT_OK


def _run_store(args) -> int:
    """The pipeline on an ``oxigraph:PATH`` store in place: validated there while the analyses read it through
    their queries; the report and exports are written only if it conforms.

    Validation runs in Oxigraph without the GIL (on every core); the analyses are mostly Python on one. On
    a store of 10^7 triples each takes minutes, so they run side by side: a store that does not conform has
    cost its analyses for nothing, and one that does has saved the shorter of the two.
    """
    import threading  # noqa: PLC0415

    from kg.drafts import apply  # noqa: PLC0415
    from kg.report import compute  # noqa: PLC0415
    from kg.store import open_dataset  # noqa: PLC0415
    from kg.validate import check_report  # noqa: PLC0415

    started = time.monotonic()
    dataset = open_dataset(args.store, drafts="include")  # drafts are validated like everything else
    if not args.allow_empty:
        from kg.store import refuse_empty  # noqa: PLC0415

        refuse_empty(dataset, args.store)
    checked: dict = {}

    def check() -> None:
        try:
            checked["report"] = check_report(dataset)
            log.info("validation done in %.0f s: %d results", time.monotonic() - started, len(checked["report"].results))
        except BaseException as exc:  # noqa: BLE001 - raised in the command's thread
            checked["error"] = exc

    log.info("[1/4] validating %s in place, while [2/4] the analyses read it", args.store)
    # a daemon: an interrupted command does not wait for the shapes
    checker = threading.Thread(target=check, name="kg-validate", daemon=True)
    checker.start()
    failed: Exception | None = None
    try:
        data = compute(apply(dataset, args.drafts, args.store))
    except Exception as exc:  # noqa: BLE001 - on a graph that does not conform the violations say why
        failed = exc
    log.info("analyses done; waiting for the validation")
    checker.join()
    if "error" in checked:
        raise checked["error"]
    report = checked["report"]
    if report.results:
        print(report.format(), file=sys.stderr)
    if report.violations:
        print(f"\nNot written: {args.store} does not conform.", file=sys.stderr)
        return EXIT_VIOLATIONS
    if failed is not None:
        raise failed
    _export_and_report(data, args.out)
    if args.format != "json":
        print(f"Validated and analysed {args.store} in place in {time.monotonic() - started:.1f} s.")
    _print_outputs(args, data, None)
    return EXIT_OK


def _print_outputs(args, data: dict, counts: dict | None) -> None:
    out = args.out
    pagerank = data["rankings"]["pagerank"]
    if pagerank["groups"]:
        first = pagerank["groups"][0]
        top = ", ".join(first["labels"][:3]) + (f" and {first['count'] - 3} more" if first["count"] > 3 else "")
        top += " (tied)" if first["count"] > 1 else ""
    else:
        top = "none (PageRank cannot rank this network)"
    if args.format == "json":
        print_json({
            "summary": counts or data["summary"],
            "store": None if args.store == "memory" else args.store,
            "outputs": {"dataset": args.input or (out / "kg.trig" if args.store == "memory" else args.store),
                        "report": out / "report" / "report.html", "gexf": out / "sanctions.gexf",
                        "graphml": out / "sanctions.graphml"},
            "chains": len(data["chains"]), "candidate_retaliations": len(data["candidates"]),
            "most_central_actor": top,
            "most_central_actors": pagerank["groups"][0]["labels"] if pagerank["groups"] else [],
        })
        return
    print(
        f"\nReport: {out / 'report' / 'report.html'} (and report.md, CSV, JSON)\n"
        f"Gephi:  {out / 'sanctions.gexf'}   GraphML: {out / 'sanctions.graphml'}\n"
        f"Chains: {len(data['chains'])}, candidate retaliations: {len(data['candidates'])}; "
        f"most central by PageRank: {top}"
    )
