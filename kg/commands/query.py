"""``kg query``: run a catalogue query, a query file or a SPARQL text, with bound parameters."""

from __future__ import annotations

import sys

from kg.commands.common import EXIT_OK, add_format, add_read_store, command, log, non_negative, open_store, positive


def register(sub) -> None:
    p = command(
        sub, "query", "Run a catalogue query (queries/NAME.rq), a query file, or a query given with -e.",
        "Parameters are typed by the query's header and bound by the SPARQL engine, never\n"
        "pasted into the query text. `kg query --list` says which are required; an optional\n"
        "one left out means all. An actor is given by a name, matched forgivingly (case,\n"
        "accents, 'the', initials such as MERICS or MEP, a word such as Mercator, a typo),\n"
        "or by its IRI; any IRI as kg prints it (act:..., actor:...), in full or in <...>.\n"
        "A name that fits several actors is an error that lists them. SELECT and ASK answer\n"
        "as a table or in the W3C results formats (json, csv, tsv, xml); CONSTRUCT and\n"
        "DESCRIBE in Turtle or JSON-LD.\n\n"
        "--limit N and --offset M print one page of a SELECT query's rows, in the query's\n"
        "order: rows M+1 to M+N (as SPARQL's LIMIT and OFFSET count them; the query text is\n"
        "not changed). The next page is --offset M+N; stderr says whether more rows follow.\n"
        "`kg serve` pages the same way (/catalogue/NAME?limit=N&offset=M), and keeps each\n"
        "listing it has computed for the store version it was computed on, so that later\n"
        "pages come at once.",
        "kg query sanctions-against --param target=\"Chen Quanguo\" --format csv\n"
        "  kg query timeline --limit 100 --offset 100   # rows 101-200 of the timeline",
    )
    p.add_argument("name", nargs="?", help="a catalogue query name, a .rq file, or - for a query on standard input")
    p.add_argument("-e", "--expression", metavar="SPARQL", help="run this SPARQL text instead")
    p.add_argument("--list", action="store_true", help="list the catalogue with summaries and parameters")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeatable); see --list for each query's parameters")
    add_format(p, ("table", "json", "csv", "tsv", "xml", "turtle", "json-ld"), None,
               "SELECT: table (default), json, csv, tsv, xml; ASK: table, json, xml; CONSTRUCT and "
               "DESCRIBE: turtle (default), json-ld; another form's format is an error")
    p.add_argument("--limit", type=positive, metavar="N",
                   help="print at most N rows of a SELECT query (a page; see --offset)")
    p.add_argument("--offset", type=non_negative, metavar="M",
                   help="skip the first M rows of a SELECT query (0, the default, starts with the first)")
    add_read_store(p)
    p.set_defaults(func=run)


def listing(catalogue) -> str:
    """The catalogue as ``kg query --list`` prints it: each query, its summary, its parameters."""
    import textwrap  # noqa: PLC0415

    def wrap(text: str, indent: str) -> str:
        return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent + "  ",
                             break_on_hyphens=False, break_long_words=False)

    lines = []
    for name, q in catalogue.items():
        lines.append(name)
        lines.append(wrap(q.summary, "    "))
        for param in q.params.values():
            need = "required" if param.required else "optional, all when not given"
            lines.append(f"    {param.name}: {param.kind()}, {need}")
            if param.description:
                lines.append(wrap(param.description, "        "))
            if param.example is not None:
                lines.append(f"        e.g. {param.usage()}")
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from kg.query import QueryError, find_query, load_catalogue, parse_query_file, run_query  # noqa: PLC0415
    from kg.results import format_result  # noqa: PLC0415

    catalogue = load_catalogue()
    if args.list:
        sys.stdout.write(listing(catalogue))
        return EXIT_OK
    if args.expression:
        query = args.expression
    elif args.name == "-":
        from kg.io import read_input  # noqa: PLC0415

        query = read_input("-").decode("utf-8", errors="replace")
    elif args.name and args.name.endswith(".rq"):
        query = parse_query_file(args.name)
    elif args.name:
        query = find_query(catalogue, args.name)
    else:
        raise QueryError("give a query NAME, a FILE.rq, -e SPARQL, or --list")
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QueryError(f"--param {item!r}: write NAME=VALUE, e.g. --param target=China")
        params[key.strip()] = value
    if params and isinstance(query, str):
        raise QueryError("--param is for catalogue queries and .rq files; a -e query has no parameters")
    result = run_query(open_store(args), query, **params)
    if args.limit is not None or args.offset is not None:
        from kg.results import Page, page_result  # noqa: PLC0415

        page = Page(args.offset or 0, args.limit)
        result, more = page_result(result, page)
        log.info("%s", page.describe(len(result.bindings), more))
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK
