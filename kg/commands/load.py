"""``kg load``: fill a persistent Oxigraph store from a TriG file, all or nothing, or add named graphs to it."""

from __future__ import annotations

import time
from pathlib import Path

from kg.commands.common import EXIT_OK, EXIT_VIOLATIONS, add_engine, add_format, add_store, command, log, print_json


def register(sub) -> None:
    p = command(
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
    p.add_argument("file", type=Path, metavar="FILE", help="a TriG file (- reads standard input)")
    add_store(p, "the store to fill", required=True, metavar="oxigraph:PATH")
    p.add_argument("--add", action="store_true",
                   help="add FILE's named graphs to the store, validated for what they affect")
    add_engine(p)
    add_format(p, ("text", "json"), "text", "how to print what was loaded (default: text)")
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.store import StoreError, load_oxigraph, store_kind  # noqa: PLC0415

    kind, location = store_kind(args.store)
    if kind != "oxigraph":
        raise StoreError("kg load fills an oxigraph:PATH store; use kg build --store sparql:URL for a remote one")
    started = time.monotonic()
    if args.add:
        return _add(args, location, started)
    store = load_oxigraph(args.file, location)
    took = time.monotonic() - started
    if args.format == "json":
        print_json({"file": args.file, "store": store, "seconds": round(took, 3)})
    else:
        print(f"Loaded {args.file} into {store} in {took:.1f} s")
    return EXIT_OK


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

    graphs, added = add_oxigraph(args.file, location, check)
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
