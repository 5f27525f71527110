"""``kg load``: fill a persistent Oxigraph store from a TriG file, all or nothing, or add named graphs to it;
or load a TriG file into a remote SPARQL server through its bulk path."""

from __future__ import annotations

import time
from pathlib import Path

from kg.commands.common import (
    EXIT_OK, EXIT_VIOLATIONS, add_allow_empty, add_engine, add_format, add_store, add_wait, command, log, print_json,
)


def register(sub) -> None:
    p = command(
        sub, "load", "Load a TriG file (a built or synthetic dataset) into a persistent Oxigraph store.",
        "All or nothing: the store is filled in a new version and swapped in with one\n"
        "rename, so a failed or killed load leaves the previous store usable. Does not\n"
        "validate; run `kg validate --store oxigraph:PATH` for that.\n\n"
        "--add keeps what the store holds and adds (or replaces) the named graphs of\n"
        "FILE, a new article, say: the copy is a checkpoint (instant), only what the new\n"
        "graphs can affect is validated, and the store changes only if that conforms.\n\n"
        "One writer at a time: a load waits (--wait) for another load or build of the\n"
        "same store to finish. A file without facts is refused unless --allow-empty.\n\n"
        "--store sparql:URL loads into a SPARQL server (Oxigraph server, Virtuoso, ...):\n"
        "FILE's named graphs replace the server's graphs of the same name, through the\n"
        "server's bulk loader where kg knows it (Oxigraph, Virtuoso): for instance\n"
        "kg load out/kg.trig --store sparql:http://127.0.0.1:8890/sparql",
        "kg load out/kg.trig --store oxigraph:out/store\n"
        "  kg load new-article.trig --add --store oxigraph:out/store",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="a TriG file (- reads standard input)")
    add_store(p, "the store to fill: oxigraph:PATH, or sparql:URL (a server: FILE's graphs replace the server's of "
                 "the same name, through its bulk loader)", required=True, metavar="STORE")
    p.add_argument("--add", action="store_true",
                   help="add FILE's named graphs to the store, validated for what they affect")
    add_engine(p)
    add_format(p, ("text", "json"), "text", "how to print what was loaded (default: text)")
    add_allow_empty(p, "a FILE")
    add_wait(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.store import StoreError, load_oxigraph, store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    started = time.monotonic()
    if kind == "sparql":
        from kg.store import load_remote  # noqa: PLC0415

        if args.add:
            raise StoreError("kg load --add validates what it adds in an oxigraph:PATH store; a remote store "
                             "takes plain kg load FILE --store sparql:URL, which replaces FILE's graphs")
        target = load_remote(args.file, location, allow_empty=args.allow_empty)
        _print_loaded(args, target, time.monotonic() - started)
        return EXIT_OK
    if kind != "oxigraph":
        raise StoreError("kg load fills an oxigraph:PATH store or a sparql:URL server, not the memory store")
    if args.add:
        return _add(args, location, started)
    store = load_oxigraph(args.file, location, allow_empty=args.allow_empty, wait=args.wait)
    _print_loaded(args, store, time.monotonic() - started)
    return EXIT_OK


def _print_loaded(args, store, took: float) -> None:
    if args.format == "json":
        print_json({"file": args.file, "store": store, "seconds": round(took, 3)})
    else:
        print(f"Loaded {args.file} into {store} in {took:.1f} s")


def _add(args, location: str, started: float) -> int:
    from kg.store import add_oxigraph  # noqa: PLC0415
    from kg.validate import check as check_graph, scope  # noqa: PLC0415

    found = {"report": ""}

    def check(dataset, graphs) -> bool:
        focus = scope(dataset, graphs)
        log.info("validating %s focus nodes", "all" if focus is None else len(focus))
        conforms, found["report"] = check_graph(dataset, args.engine, focus)
        if found["report"] and args.format != "json":
            print(found["report"])
        return conforms

    graphs, added = add_oxigraph(args.file, location, check, allow_empty=args.allow_empty, wait=args.wait)
    took = time.monotonic() - started
    if args.format == "json":
        print_json({"file": args.file, "store": f"oxigraph:{location}", "added": added, "graphs": graphs,
                    "seconds": round(took, 3), "report": found["report"]})
        return EXIT_OK if added else EXIT_VIOLATIONS
    if not added:
        print(f"\nNot added: {args.file} does not conform; oxigraph:{location} is left as it was.")
        return EXIT_VIOLATIONS
    print(f"Added {len(graphs)} graph(s) of {args.file} to oxigraph:{location} in {took:.2f} s: {', '.join(graphs)}")
    return EXIT_OK
