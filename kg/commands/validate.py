"""``kg validate``: check the built graph, given files, or a store against the shapes and quality queries."""

from __future__ import annotations

from pathlib import Path

from kg.commands.common import EXIT_OK, EXIT_VIOLATIONS, add_allow_empty, add_engine, add_format, add_store, command, log


def register(sub) -> None:
    p = command(
        sub, "validate", "Validate the built graph, or given files, against the SHACL shapes.",
        "With no FILE, validates out/kg.trig. FILEs may be TriG or Turtle; they are read\n"
        "into one dataset. Prints each violation with its focus node, property, rule,\n"
        "message and the file it came from; --format turtle prints a standard SHACL\n"
        "validation report (sh:ValidationReport, as pySHACL and Jena's shacl write it),\n"
        "--format json the same as JSON.\n\n"
        "The default engine compiles the shapes to SPARQL and runs them in Oxigraph\n"
        "(seconds on 10^6 triples); --engine pyshacl runs the reference engine, with the\n"
        "same results, much slower. --graph IRI validates only what that named graph of\n"
        "an oxigraph:PATH store can affect (a newly added article), in time proportional\n"
        "to the graph, not to the store. SHACL warnings and infos are printed but exit 0.\n\n"
        "A dataset without facts (an empty file, the ontology alone) is an error, not\n"
        "\"Conforms\", unless --allow-empty.",
        "kg validate out/kg.trig --format turtle > report.ttl\n"
        "  kg validate --store oxigraph:out/store --graph https://w3id.org/sanctions-kg/graph/article/xinjiang-round-2021",
    )
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="TriG or Turtle files (default: out/kg.trig; - reads TriG or Turtle from standard input)")
    add_store(p, "with no FILE: validate this store (memory, oxigraph:PATH, sparql:URL)")
    add_engine(p)
    add_format(p, ("text", "json", "turtle"), "text",
               "the report as text (default), JSON, or a standard SHACL report in Turtle")
    p.add_argument("--graph", action="append", default=[], metavar="IRI",
                   help="validate only the focus nodes this named graph can affect (oxigraph:PATH store; repeatable)")
    add_allow_empty(p, "a dataset")
    p.set_defaults(func=run)


def run(args) -> int:
    from rdflib import Dataset  # noqa: PLC0415

    from kg import paths  # noqa: PLC0415
    from kg.io import parse_into  # noqa: PLC0415
    from kg.validate import check_report  # noqa: PLC0415

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
    if not args.allow_empty:
        from kg.store import refuse_empty  # noqa: PLC0415

        refuse_empty(dataset, ", ".join(map(str, files)))
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
    report = check_report(dataset, args.engine, focus)
    code = EXIT_VIOLATIONS if report.violations else EXIT_OK
    # The report is this command's result: stdout, so `kg validate > report.txt` keeps it.
    if args.format == "turtle":
        print(report.graph().serialize(format="turtle"), end="")
        return code
    if args.format == "json":
        import json  # noqa: PLC0415

        print(json.dumps({"validated": list(map(str, files)), **report.as_json()}, indent=2))
        return code
    if report.results:
        print(report.format())
    if code == EXIT_OK:
        # warnings and infos make sh:conforms false (SHACL) but do not fail the command
        print(f"{'No violation (warnings only)' if report.results else 'Conforms'}: {', '.join(map(str, files))}")
    else:
        print(f"\nDoes not conform: {', '.join(map(str, files))}")
    return code
