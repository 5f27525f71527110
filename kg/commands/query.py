"""``kg query``: run a catalogue query, a query file or a SPARQL text, with bound parameters."""

from __future__ import annotations

import sys

from kg.commands.common import EXIT_OK, add_format, add_read_store, command, open_store


def register(sub) -> None:
    p = command(
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
    add_format(p, ("table", "json", "csv", "tsv", "xml", "turtle", "json-ld"), None,
               "output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.query import QueryError, load_catalogue, parse_query_file, run_query  # noqa: PLC0415
    from kg.results import format_result  # noqa: PLC0415

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
    result = run_query(open_store(args), query, **params)
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK
