"""The ``kg`` command: parses arguments and calls the pipeline's functions.

Exit codes (all commands):
  0  success; the graph conforms
  1  the graph does not conform (SHACL violations or failed quality queries)
  2  unreadable input: a file that cannot be parsed (file and line are named),
     a missing file, a bad query or parameter, a bad command line
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT = 0, 1, 2

log = logging.getLogger("kg")

_EXIT_CODES = """exit codes:
  0  success (the graph conforms)
  1  the graph does not conform: SHACL violations or quality queries with rows
  2  unreadable input (file and line named), bad query or parameter, bad usage"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    pass


#: Cycles the table output of ``kg chains`` lists before it says how many more.
CYCLES_SHOWN = 20


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _command(subparsers, name: str, summary: str, description: str, example: str) -> argparse.ArgumentParser:
    return subparsers.add_parser(
        name,
        help=summary,
        description=f"{summary}\n\n{description}".strip(),
        epilog=f"example:\n  {example}\n\n{_EXIT_CODES}",
        formatter_class=_Formatter,
    )


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", default="memory", metavar="STORE",
        help="where the built graph is read from: memory (default: parse --graph), oxigraph:PATH, sparql:URL",
    )
    parser.add_argument(
        "--graph", type=Path, default=None, metavar="FILE",
        help="the built dataset for the memory store (default: out/kg.trig)",
    )


def _open(args):
    from kg.store import open_dataset  # noqa: PLC0415

    log.info("loading the graph (%s)", args.store)
    return open_dataset(args.store, args.graph)


# --------------------------------------------------------------------- build


def _add_build(sub) -> None:
    p = _command(
        sub, "build", "Build the knowledge graph from ontology/ and data/, validate it, write out/kg.trig.",
        "Reads the ontology, every data/facts/<slug>.ttl with its data/articles/<slug>.txt,\n"
        "and data/curation.ttl; validates the dataset against ontology/shapes/ and the\n"
        "quality queries; writes it as TriG (stable, sorted) only if it conforms, so a\n"
        "failed build leaves the last good out/kg.trig untouched. Prints a summary.",
        "kg build --data data --out out",
    )
    p.add_argument("--data", type=Path, default=None, help="the data folder (default: the project's data/)")
    p.add_argument("--out", type=Path, default=Path("out"), help="the output folder (default: out/)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="how to print the summary")
    p.add_argument(
        "--store", default="memory", metavar="STORE",
        help="where to put the graph: memory (out/kg.trig, default), oxigraph:PATH (a persistent store), "
        "sparql:URL (a remote SPARQL server's query endpoint)",
    )
    p.set_defaults(func=cmd_build)


def _quality_failures(dataset) -> list[str]:
    """Rows of the catalogue's ``*-violation`` queries, as readable lines."""
    from kg.query import load_catalogue, run_query  # noqa: PLC0415

    lines = []
    for name, query in load_catalogue().items():
        if not query.is_violation_check:
            continue
        for row in run_query(dataset, query):
            values = ", ".join(f"{k}={v}" for k, v in row.asdict().items())
            lines.append(f"Violation: quality query {name} ({query.summary})\n  {values}")
    return lines


def _check(dataset, engine: str = "auto", focus=None) -> tuple[bool, str]:
    from kg.validate import validate  # noqa: PLC0415

    log.info("validating against the shapes (engine: %s)", engine)
    report = validate(dataset, engine=engine, focus=focus)
    if focus is None:
        log.info("running the quality queries")
        quality = _quality_failures(dataset)
    else:  # they read the whole graph; a scoped check must not
        log.info("scoped: the quality queries (whole graph) are not run")
        quality = []
    conforms = report.conforms and not quality
    text = report.format() if not report.conforms or report.results else ""
    if quality:
        text = (text + "\n\n" if text else "") + "\n\n".join(quality)
    return conforms, text


def cmd_build(args) -> int:
    from kg.build import build, summary  # noqa: PLC0415
    from kg.io import atomic_write, trig_bytes  # noqa: PLC0415
    from kg.namespace import PREFIXES  # noqa: PLC0415

    started = time.monotonic()
    dataset = build(args.data)
    conforms, report = _check(dataset)
    if not conforms:
        print(report, file=sys.stderr)
        print(f"\nNot written: {args.out / 'kg.trig'} is left as it was.", file=sys.stderr)
        return EXIT_VIOLATIONS
    data = trig_bytes(dataset, PREFIXES)
    if getattr(args, "store", "memory") == "memory":
        target = atomic_write(args.out / "kg.trig", data)
    else:
        from kg.store import save_dataset  # noqa: PLC0415

        log.info("loading into %s", args.store)
        target = save_dataset(dataset, args.store, data)
    counts = summary(dataset)
    if args.format == "json":
        print(json.dumps(counts, indent=2))
    else:
        print(_format_summary(counts, target, time.monotonic() - started))
    return EXIT_OK


def _format_summary(counts: dict, target, seconds: float) -> str:
    lines = [
        f"Built {target} in {seconds:.1f} s: the graph conforms.",
        f"  triples:      {counts['triples']}",
        f"  named graphs: {counts['graphs']}",
        f"  articles:     {counts['articles']}",
        f"  actors:       {sum(counts['actors'].values())}",
    ]
    lines += [f"    {kind}: {n}" for kind, n in counts["actors"].items()]
    lines += [
        f"  sanctions:    {counts['sanctions']}",
        f"  mentions:     {counts['mentions']} (of acts, too vague to count as acts)",
        f"  retaliations: {counts['retaliations']}",
        f"  statements:   {counts['statements']}",
        f"  curation notes: {counts['curation notes']}",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------ validate


def _add_validate(sub) -> None:
    p = _command(
        sub, "validate", "Validate the built graph, or given files, against the SHACL shapes.",
        "With no FILE, validates out/kg.trig. FILEs may be TriG or Turtle; they are read\n"
        "into one dataset. Prints each violation with its focus node, property, rule,\n"
        "message and the file it came from.\n\n"
        "The default engine compiles the shapes to SPARQL and runs them in Oxigraph\n"
        "(seconds on 10^6 triples); --engine pyshacl runs the reference engine, with the\n"
        "same results, much slower. --graph IRI validates only what that named graph of\n"
        "an oxigraph:PATH store can affect (a newly added article), in time proportional\n"
        "to the graph, not to the store.",
        "kg validate out/kg.trig\n"
        "  kg validate --store oxigraph:out/store --graph https://w3id.org/sanctions-kg/id/article/synth-3",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="TriG or Turtle files (default: out/kg.trig)")
    p.add_argument("--store", default="memory", metavar="STORE",
                   help="with no FILE: validate this store (memory, oxigraph:PATH, sparql:URL)")
    _add_engine(p)
    p.add_argument("--graph", action="append", default=[], metavar="IRI",
                   help="validate only the focus nodes this named graph can affect (oxigraph:PATH store; repeatable)")
    p.set_defaults(func=cmd_validate)


def _add_engine(p) -> None:
    p.add_argument("--engine", default="auto", choices=("auto", "oxigraph", "pyshacl"),
                   help="SHACL engine: shapes compiled to SPARQL in Oxigraph (auto, oxigraph) or pySHACL")


def cmd_validate(args) -> int:
    from rdflib import Dataset  # noqa: PLC0415

    from kg import paths  # noqa: PLC0415
    from kg.io import parse_into  # noqa: PLC0415

    if not args.files and args.store != "memory":
        from kg.store import open_dataset  # noqa: PLC0415

        files = [args.store]
        dataset = open_dataset(args.store)
    else:
        files = args.files or [paths.out_dir() / "kg.trig"]
        dataset = Dataset(default_union=True)
        for path in files:
            log.info("reading %s", path)
            parse_into(dataset, path)
    focus = None
    if args.graph:
        from kg.store import StoreError, oxigraph_store  # noqa: PLC0415
        from kg.validate import scope  # noqa: PLC0415

        if oxigraph_store(dataset) is None:
            raise StoreError("--graph needs an oxigraph:PATH store (--store oxigraph:PATH, no FILE)")
        focus = scope(dataset, args.graph)
        if focus is None:
            log.info("the graph changes the class hierarchy: validating everything")
        else:
            log.info("validating %d focus nodes that %s can affect", len(focus), ", ".join(args.graph))
    conforms, report = _check(dataset, args.engine, focus)
    # The report is this command's result: stdout, so `kg validate > report.txt` keeps it.
    if report:
        print(report)
    if conforms:
        print(f"Conforms: {', '.join(map(str, files))}")
        return EXIT_OK
    print(f"\nDoes not conform: {', '.join(map(str, files))}")
    return EXIT_VIOLATIONS


# --------------------------------------------------------------------- query


def _add_query(sub) -> None:
    p = _command(
        sub, "query", "Run a catalogue query (queries/NAME.rq), a query file, or a query given with -e.",
        "Parameters are typed by the query's header and bound by the SPARQL engine, never\n"
        "pasted into the query text. An actor parameter takes a label, an alternative\n"
        "label or an IRI. SELECT and ASK answer as a table or in the W3C results formats\n"
        "(json, csv, tsv, xml); CONSTRUCT and DESCRIBE in Turtle or JSON-LD.",
        "kg query counter-sanctions --param responder=China --format csv",
    )
    p.add_argument("name", nargs="?", help="a catalogue query name, or a .rq file")
    p.add_argument("-e", "--expression", metavar="SPARQL", help="run this SPARQL text instead")
    p.add_argument("--list", action="store_true", help="list the catalogue with summaries and parameters")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a parameter value (repeatable)")
    p.add_argument(
        "--format", default=None,
        choices=("table", "json", "csv", "tsv", "xml", "turtle", "json-ld"),
        help="output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE)",
    )
    _add_store(p)
    p.set_defaults(func=cmd_query)


def cmd_query(args) -> int:
    from kg.query import QueryError, load_catalogue, parse_query_file, run_query  # noqa: PLC0415

    catalogue = load_catalogue()
    if args.list:
        for name, q in catalogue.items():
            params = ", ".join(
                f"{p.name}:{p.type}" + (f"={p.default}" if p.default not in (None, "") else "")
                for p in q.params.values()
            )
            print(f"{name}\n    {q.summary}" + (f"\n    params: {params}" if params else ""))
        return EXIT_OK
    if args.expression:
        query = args.expression
    elif args.name and args.name.endswith(".rq"):
        query = parse_query_file(args.name)
    elif args.name:
        if args.name not in catalogue:
            raise QueryError(f"no query named {args.name!r}; `kg query --list` shows the catalogue")
        query = catalogue[args.name]
    else:
        raise QueryError("give a query NAME, a FILE.rq, -e SPARQL, or --list")
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep:
            raise QueryError(f"--param {item!r}: write KEY=VALUE")
        params[key] = value
    result = run_query(_open(args), query, **params)
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def format_result(result, fmt: str | None) -> str:
    """A query result as text: an aligned table, a W3C results format, or RDF."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format=fmt if fmt in ("turtle", "json-ld") else "turtle")
    if result.type == "ASK":
        if fmt in ("json", "xml"):
            return result.serialize(format=fmt).decode("utf-8")
        return f"{str(bool(result.askAnswer)).lower()}\n"
    if fmt in ("json", "csv", "tsv", "xml"):
        from kg.results import serialize_rows  # noqa: PLC0415

        return serialize_rows(result.vars, result, fmt).decode("utf-8")
    from tabulate import tabulate  # noqa: PLC0415

    names = [str(v) for v in result.vars]
    rows = [["" if value is None else _short(value) for value in row] for row in result]
    return tabulate(rows, headers=names, tablefmt="simple", disable_numparse=True) + f"\n({len(rows)} rows)\n"


def _short(term) -> str:
    from kg.namespace import PREFIXES  # noqa: PLC0415

    text = str(term)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(text) > len(ns):
            return f"{prefix}:{text[len(ns):]}"
    return text


# ---------------------------------------------------------------------- load


def _add_load(sub) -> None:
    p = _command(
        sub, "load", "Load a TriG file (a built or synthetic dataset) into a persistent Oxigraph store.",
        "All or nothing: the store is filled in a new version and swapped in with one\n"
        "rename, so a failed or killed load leaves the previous store usable. Does not\n"
        "validate; run `kg validate --store oxigraph:PATH` for that.\n\n"
        "--add keeps what the store holds and adds (or replaces) the named graphs of\n"
        "FILE, a new article, say: the copy is a checkpoint (instant), only what the new\n"
        "graphs can affect is validated, and the store changes only if that conforms.",
        "kg load out/kg.trig --store oxigraph:out/store\n"
        "  kg load new-article.trig --add --store oxigraph:out/store",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="a TriG file")
    p.add_argument("--store", required=True, metavar="oxigraph:PATH", help="the store to fill")
    p.add_argument("--add", action="store_true",
                   help="add FILE's named graphs to the store, validated for what they affect")
    _add_engine(p)
    p.set_defaults(func=cmd_load)


def cmd_load(args) -> int:
    from kg.store import StoreError, load_oxigraph, store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    if kind != "oxigraph":
        raise StoreError("kg load fills an oxigraph:PATH store; use kg build --store sparql:URL for a remote one")
    started = time.monotonic()
    if args.add:
        return _load_add(args, location, started)
    print(f"Loaded {args.file} into {load_oxigraph(args.file, location)} in {time.monotonic() - started:.1f} s")
    return EXIT_OK


def _load_add(args, location: str, started: float) -> int:
    from kg.store import add_oxigraph  # noqa: PLC0415
    from kg.validate import scope  # noqa: PLC0415

    def check(dataset, graphs) -> bool:
        focus = scope(dataset, graphs)
        log.info("validating %s focus nodes", "all" if focus is None else len(focus))
        conforms, report = _check(dataset, args.engine, focus)
        if report:
            print(report)
        return conforms

    graphs, added = add_oxigraph(args.file, location, check)
    took = time.monotonic() - started
    if not added:
        print(f"\nNot added: {args.file} does not conform; oxigraph:{location} is left as it was.")
        return EXIT_VIOLATIONS
    print(f"Added {len(graphs)} graph(s) of {args.file} to oxigraph:{location} in {took:.2f} s: {', '.join(graphs)}")
    return EXIT_OK


# --------------------------------------------------------------------- synth


def _add_synth(sub) -> None:
    p = _command(
        sub, "synth", "Generate a synthetic sanctions graph of a chosen size, in the project's vocabulary.",
        "States, blocs, officials, sanctions with a realistic skew, coordinated rounds,\n"
        "counter-sanctions, statements, posts and evidence; it conforms to the shapes.\n"
        "--violations K injects K violations of each kind (bad quote, retaliation before\n"
        "what it answers, count below named targets, sanction without imposer).",
        "kg synth --triples 100000 --seed 1 --out synth.trig && kg validate synth.trig",
    )
    p.add_argument("--triples", type=int, required=True, metavar="N", help="about how many triples")
    p.add_argument("--seed", type=int, default=0, help="the random seed (default: 0)")
    p.add_argument("--violations", type=int, default=0, metavar="K", help="violations of each kind to inject (default: 0)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the TriG file to write")
    p.set_defaults(func=cmd_synth)


def cmd_synth(args) -> int:
    from kg.synth import write_synth  # noqa: PLC0415

    started = time.monotonic()
    size, truth = write_synth(args.out, args.triples, args.seed, args.violations)
    print(f"Wrote {size} triples to {args.out} in {time.monotonic() - started:.1f} s")
    for shape, nodes in truth.items():
        if nodes:
            print(f"  injected {len(nodes)} x {shape}")
    return EXIT_OK


# --------------------------------------------------------------------- serve


def _add_serve(sub) -> None:
    p = _command(
        sub, "serve", "Serve the built graph as a read-only SPARQL 1.1 endpoint.",
        "Prints the endpoint's query URL on its first line, then serves until stopped\n"
        "(Ctrl-C). Refuses updates, SERVICE, FROM/FROM NAMED and the dataset parameters;\n"
        "makes no outbound requests. Each query has a time limit and a row limit; a cut\n"
        "result is marked (header X-Result-Truncated). /catalogue/NAME runs a catalogue\n"
        "query with parameters from the URL.",
        "kg serve --port 7878   # then: curl 'http://127.0.0.1:7878/sparql?query=ASK{}'",
    )
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7878, help="the port (default: 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds a query may run (default: 10)")
    p.add_argument("--max-rows", type=int, default=10_000, help="rows a result may have before it is cut (default: 10000)")
    _add_store(p)
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    from kg.serve import ServerConfig, make_server  # noqa: PLC0415

    server = make_server(_open(args), args.host, args.port, ServerConfig(args.timeout, args.max_rows))
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}/sparql", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


# ---------------------------------------------------------- chains, report, export


def _add_chains(sub) -> None:
    p = _command(
        sub, "chains", "Sanction-and-retaliation chains, tit-for-tat candidates, reciprocity and cycles.",
        "Every chain from a first act through its answers (who acted, when, the lag in\n"
        "days). Candidates are pairs the sources do not link: one side acting against\n"
        "the other's people within --window days after the other acted against its own;\n"
        "they are marked inferred and never written into the graph.",
        "kg chains --format csv --window 30",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output format (default: table)")
    p.add_argument("--window", type=int, default=30, metavar="DAYS", help="days within which an unlinked answer is a candidate (default: 30)")
    p.add_argument("--max-cycle", type=_positive, default=3, metavar="N",
                   help="longest cycle of sides to list (default: 3, mutual pairs and triangles; "
                        "the number of longer cycles grows exponentially with the network)")
    _add_store(p)
    p.set_defaults(func=cmd_chains)


def cmd_chains(args) -> int:
    from kg.analysis import chain_analysis  # noqa: PLC0415
    from kg.report import chain_rows  # noqa: PLC0415

    found = chain_analysis(_open(args), args.window, args.max_cycle)
    rows = chain_rows(found["chains"])
    if args.format == "json":
        found.pop("labels")
        print(json.dumps(found, indent=2, default=str))
    elif args.format == "csv":
        import csv  # noqa: PLC0415

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["chain"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        from tabulate import tabulate  # noqa: PLC0415

        print(f"{len(found['chains'])} chains\n")
        print(tabulate([[r["chain"], r["step"], r["link"], r["act"][:60], r["kind"], r["when"], r["lag_days"]] for r in rows],
                       headers=["chain", "step", "link", "act", "kind", "when", "lag (days)"]))
        print("\nCandidate retaliations (inferred, not asserted):")
        print(tabulate([[c["first_label"], c["candidate_label"], c["basis"], c["lag"]] for c in found["candidates"]],
                       headers=["first act", "candidate answer", "basis", "lag"]) if found["candidates"] else "  none")
        print("\nReciprocity between sides:")
        print(tabulate([[r["a_label"], r["b_label"], r["a_to_b"], r["b_to_a"], r["reciprocity"]] for r in found["reciprocity"]],
                       headers=["side A", "side B", "A -> B", "B -> A", "reciprocity"]))
        shown = found["cycles"][:CYCLES_SHOWN]
        more = len(found["cycles"]) - len(shown)
        print(f"\nCycles of at most {args.max_cycle} sides: " + ("; ".join(" -> ".join(c) for c in shown) or "none")
              + (f"; and {more} more (--format json lists them all)" if more else ""))
        if found["most_answered"]:
            top = found["most_answered"][0]
            print(f"Most answered act: {top['label']} ({top['answers']} answers)")
        if found["answers_by_measure"]:
            top = found["answers_by_measure"][0]
            print(f"Measure that drew the strongest answer: {top['measure']} ({top['strongest']})")
        if found["unplaced"]:
            print("Actors on no side: " + ", ".join(found["unplaced"]))
    return EXIT_OK


def _add_report(sub) -> None:
    p = _command(
        sub, "report", "Centrality and chain report: Markdown, HTML, CSV, JSON and pictures.",
        "Writes report.md, a self-contained report.html, network/leaders/timeline PNGs,\n"
        "a CSV for every table and report.json into the folder.",
        "kg report --out out/report",
    )
    p.add_argument("--out", type=Path, default=Path("out/report"), help="the report folder (default: out/report/)")
    p.add_argument("--window", type=int, default=30, metavar="DAYS", help="tit-for-tat window in days (default: 30)")
    _add_store(p)
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    from kg.report import compute, write_report  # noqa: PLC0415

    written = write_report(compute(_open(args), args.window), args.out)
    print(f"Wrote {len(written)} files to {args.out}: open {args.out / 'report.html'}")
    return EXIT_OK


def _add_export(sub) -> None:
    p = _command(
        sub, "export", "Export the actor network for Gephi (GEXF) or Cytoscape/igraph/yEd (GraphML).",
        "Nodes carry label, kind, side and centrality figures; edges carry kind, layer,\n"
        "date, measures, article and quote. GEXF adds colours by side, sizes by PageRank\n"
        "and dates, so Gephi's Timeline replays the chains.",
        "kg export --format gexf --out out/sanctions.gexf",
    )
    p.add_argument("--format", choices=("gexf", "graphml"), default="gexf", help="gexf (default) or graphml")
    p.add_argument("--out", type=Path, default=None, help="the file (default: out/sanctions.gexf or .graphml)")
    _add_store(p)
    p.set_defaults(func=cmd_export)


def cmd_export(args) -> int:
    from kg.export import export_graph  # noqa: PLC0415

    path = export_graph(_open(args), args.format, args.out or Path("out") / f"sanctions.{args.format}")
    print(f"Wrote {path}")
    return EXIT_OK


# ----------------------------------------------------------------------- run


def _add_run(sub) -> None:
    p = _command(
        sub, "run", "Run the whole pipeline: build and validate the graph, then the analyses and exports.",
        "The main job: build and validate out/kg.trig, then the chain and centrality\n"
        "report (out/report/), and the Gephi and GraphML exports (out/sanctions.gexf,\n"
        "out/sanctions.graphml). Progress goes to stderr.\n\n"
        "With --input FILE --store oxigraph:PATH the graph is a TriG file instead (a\n"
        "large one, such as kg synth writes): it is validated in memory and, only if\n"
        "it conforms, loaded into the store on disk while the analyses run.",
        "kg run --out out    |    kg run --input synth.trig --store oxigraph:out/store",
    )
    p.add_argument("--data", type=Path, default=None, help="the data folder (default: the project's data/)")
    p.add_argument("--out", type=Path, default=Path("out"), help="the output folder (default: out/)")
    p.add_argument("--input", type=Path, default=None, metavar="FILE",
                   help="a built TriG dataset to run on instead of building from --data (needs --store oxigraph:PATH)")
    p.add_argument("--store", default="memory", metavar="STORE",
                   help="memory (default: out/kg.trig), or oxigraph:PATH to load --input into")
    p.add_argument("--format", choices=("text", "json"), default="text", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_run)


def _analyse_and_export(dataset, out: Path) -> dict:
    from kg.analysis import networks  # noqa: PLC0415
    from kg.export import start_writing  # noqa: PLC0415
    from kg.report import compute, write_report  # noqa: PLC0415

    log.info("[2/4] analysing chains and centrality")
    data = compute(dataset)
    side_of, _ = networks.sides(dataset)
    labels = networks.actor_labels(dataset)
    figures = {row["node"]: row for row in data["actors"]}
    log.info("[3/4] exporting the network (Gephi, GraphML) while [4/4] the report is written")
    paths = {fmt: out / f"sanctions.{fmt}" for fmt in ("gexf", "graphml")}
    wait = start_writing(data["network"], side_of, labels, figures, paths)
    try:
        write_report(data, out / "report")
    finally:
        wait()
    return data


def cmd_run(args) -> int:
    from kg.io import read_dataset  # noqa: PLC0415
    from kg.store import StoreError, store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    if args.input is not None:
        if kind != "oxigraph":
            raise StoreError("kg run --input FILE loads the file into a store: give --store oxigraph:PATH")
        return _run_input(args, Path(location))
    if kind != "memory":
        raise StoreError("kg run builds from --data into out/kg.trig; to run on a store, give --input FILE --store oxigraph:PATH")
    log.info("[1/4] building and validating the graph")
    code = cmd_build(args)
    if code != EXIT_OK:
        return code
    data = _analyse_and_export(read_dataset(args.out / "kg.trig"), args.out)
    _print_outputs(args.out, data)
    return EXIT_OK


def _run_input(args, location: Path) -> int:
    from kg.store import load_checked  # noqa: PLC0415

    started = time.monotonic()
    outcome: dict = {}

    def check(dataset) -> bool:
        log.info("[1/4] validating %s", args.input)
        conforms, report = _check(dataset)
        if not conforms:
            print(report, file=sys.stderr)
        return conforms

    def analyse(dataset) -> None:
        log.info("loading it into oxigraph:%s meanwhile", location)
        outcome["data"] = _analyse_and_export(dataset, args.out)

    _, accepted = load_checked(args.input, location, check, analyse)
    if not accepted:
        print(f"\nNot loaded: {args.input} does not conform; oxigraph:{location} is left as it was.", file=sys.stderr)
        return EXIT_VIOLATIONS
    print(f"Loaded {args.input} into oxigraph:{location}, validated and analysed it in {time.monotonic() - started:.1f} s.")
    _print_outputs(args.out, outcome["data"])
    return EXIT_OK


def _print_outputs(out: Path, data: dict) -> None:
    top = data["actors"][0]["label"] if data["actors"] else "(none)"
    print(
        f"\nReport: {out / 'report' / 'report.html'} (and report.md, CSV, JSON)\n"
        f"Gephi:  {out / 'sanctions.gexf'}   GraphML: {out / 'sanctions.graphml'}\n"
        f"Chains: {len(data['chains'])}, candidate retaliations: {len(data['candidates'])}; "
        f"most central actor (PageRank): {top}"
    )


# ---------------------------------------------------------------------- main

COMMANDS: list[Callable] = [
    _add_build, _add_validate, _add_query, _add_load, _add_synth, _add_serve, _add_chains, _add_report, _add_export, _add_run,
]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kg",
        description=(
            "sanctions-kg: a knowledge graph of international sanctions and the retaliations\n"
            "they provoke, built from news articles with a verbatim quote behind every fact."
        ),
        epilog="examples:\n  kg build\n  kg query --list\n  kg query sanctions-against --param target=\"Adrian Zenz\"\n\n" + _EXIT_CODES,
        formatter_class=_Formatter,
    )
    top.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not getattr(args, "func", None):
        parser().print_help()
        return EXIT_INPUT
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="kg: %(message)s",
        stream=sys.stderr,
    )
    from kg.io import ExportError, KgInputError  # noqa: PLC0415
    from kg.query import ParamError, QueryError  # noqa: PLC0415
    from kg.store import StoreError  # noqa: PLC0415
    from kg.validate import ShapesError  # noqa: PLC0415

    try:
        return args.func(args)
    except (KgInputError, QueryError, ParamError, StoreError, ShapesError, ExportError) as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
