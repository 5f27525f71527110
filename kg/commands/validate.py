"""``kg validate``: check the built graph, given files, or a store against the shapes and quality queries."""

from __future__ import annotations

from pathlib import Path

from kg.commands.common import EXIT_OK, EXIT_VIOLATIONS, add_engine, add_store, command, log


def register(sub) -> None:
    p = command(
        sub, "validate", "Validate the built graph, or given files, against the SHACL shapes.",
        "With no FILE, validates out/kg.trig. FILEs may be TriG or Turtle; they are read\n"
        "into one dataset. Prints each violation with its focus node, property, rule,\n"
        "message and the file it came from.\n\n"
        "The default engine compiles the shapes to SPARQL and runs them in Oxigraph\n"
        "(seconds on 10^6 triples); --engine pyshacl runs the reference engine, with the\n"
        "same results, much slower. --graph IRI validates only what that named graph of\n"
        "an oxigraph:PATH store can affect (a newly added article), in time proportional\n"
        "to the graph, not to the store. SHACL warnings and infos are printed but exit 0.",
        "kg validate out/kg.trig\n"
        "  kg validate --store oxigraph:out/store --graph https://w3id.org/sanctions-kg/id/article/synth-3",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="TriG or Turtle files (default: out/kg.trig)")
    add_store(p, "with no FILE: validate this store (memory, oxigraph:PATH, sparql:URL)")
    add_engine(p)
    p.add_argument("--graph", action="append", default=[], metavar="IRI",
                   help="validate only the focus nodes this named graph can affect (oxigraph:PATH store; repeatable)")
    p.set_defaults(func=run)


def run(args) -> int:
    from rdflib import Dataset  # noqa: PLC0415

    from kg import paths  # noqa: PLC0415
    from kg.io import parse_into  # noqa: PLC0415
    from kg.validate import check  # noqa: PLC0415

    if not args.files and args.store != "memory":
        from kg.store import open_dataset  # noqa: PLC0415

        files = [args.store]
        dataset = open_dataset(args.store, drafts="include")  # drafts are validated like everything else
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
    conforms, report = check(dataset, args.engine, focus)
    # The report is this command's result: stdout, so `kg validate > report.txt` keeps it.
    if report:
        print(report)
    if conforms:
        # warnings and infos make sh:conforms false (SHACL) but do not fail the command
        print(f"{'No violation (warnings only)' if report else 'Conforms'}: {', '.join(map(str, files))}")
        return EXIT_OK
    print(f"\nDoes not conform: {', '.join(map(str, files))}")
    return EXIT_VIOLATIONS
