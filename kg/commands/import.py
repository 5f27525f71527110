"""``kg import`` (a Python keyword: load this module with importlib.import_module): a FollowTheMoney (OpenSanctions) export into the graph, with links to the articles' actors."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg.commands.common import EXIT_OK, add_data, add_format, add_store, add_wait, command, log, print_json


def register(sub) -> None:
    p = command(
        sub, "import", "Import a FollowTheMoney export (OpenSanctions entities.ftm.json) as a dataset graph.",
        "Reads one FtM entity per line through followthemoney's model: people and\n"
        "organisations become actors, Sanctions sanction acts (imposer from the authority\n"
        "through rules/ftm-mapping.yaml, measures from the provisions), Occupancies posts;\n"
        "every fact points to its record (kg:RecordEvidence). The dataset is one named\n"
        "graph, replaced whole by a re-import, which reports the records added, changed\n"
        "and removed. Entities are linked to the articles' actors (skos:exactMatch, with\n"
        "score and reasons): links above the threshold are asserted, the others are\n"
        "candidates for `kg review` in data/links/NAME.ttl.\n\n"
        "memory store: writes data/imports/NAME.ttl (kg build includes it);\n"
        "oxigraph:PATH: replaces the dataset's graph in the store, all or nothing.\n"
        "A malformed line refuses the whole file (nothing written) unless --skip-bad.",
        "kg import entities.ftm.json --dataset sanctions --store oxigraph:out/store",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="FollowTheMoney JSON lines (one entity a line)")
    p.add_argument("--dataset", default=None, metavar="NAME",
                   help="the dataset's name (default: FILE's name before its first dot)")
    add_store(p, "memory (default: data/imports/NAME.ttl) or oxigraph:PATH")
    add_data(p)
    p.add_argument("--skip-bad", action="store_true", help="skip malformed lines (reported) instead of refusing the file")
    p.add_argument("--rules", type=Path, default=None, metavar="DIR",
                   help="a folder holding the curator's ftm-mapping.yaml to use instead of the shipped one "
                        "(rules/README.md)")
    p.add_argument("--no-link", action="store_true", help="do not link the entities to the articles' actors")
    add_wait(p)
    add_format(p, ("text", "json"), "text",
               "how to print the import report (default: text; json: the same counts as one document)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kg.ftm.importer import import_ftm  # noqa: PLC0415

    result = import_ftm(
        args.file, args.dataset, args.store, args.data, skip_bad=args.skip_bad, link=not args.no_link,
        rules_dir=args.rules,
        progress=lambda n: log.info("read %d lines", n), wait=args.wait,
    )
    if args.format == "json":
        print_json(result_json(result))
    else:
        print(format_result(result))
    return EXIT_OK


def result_json(result) -> dict:
    """The import report as one JSON document: what :func:`format_result` prints, keyed."""
    t = result.tally
    return {
        "source": result.source, "dataset": result.dataset, "target": result.target,
        "seconds": round(result.seconds, 3), "lines": t.lines, "triples": result.triples,
        "mapped": dict(sorted(t.mapped.items())),
        "records": {"added": result.added, "changed": result.changed, "removed": result.removed},
        "links": dict(result.links), "links_file": result.links_file or None,
        "malformed_lines_skipped": [{"line": n, "error": m} for n, m in t.bad_lines],
        "unknown_schemata": dict(t.unknown_schemata), "unknown_properties": dict(t.unknown_properties),
        "unmapped_schemata": dict(t.unmapped_schemata), "unread_properties": dict(t.unread_properties),
        "invalid_values": dict(t.invalid_values), "unmatched_provisions": dict(t.unmatched_provisions),
        "problems": dict(t.problems),
    }


def format_result(result) -> str:
    """The import report: what was read, mapped, changed, linked, and everything not imported."""
    t = result.tally
    lines = [
        f"Imported {result.source} as dataset {result.dataset!r} into {result.target} "
        f"in {result.seconds:.1f} s: {t.lines} lines, {result.triples} triples.",
        "  mapped: " + (", ".join(f"{k} {v}" for k, v in sorted(t.mapped.items())) or "nothing"),
        f"  records: {result.added} added, {result.changed} changed, {result.removed} removed",
    ]
    if result.links:
        lines.append("  links: " + ", ".join(f"{v} {k}" for k, v in result.links.items())
                     + f" ({result.links_file}; `kg review` lists the candidates)")
    sections = (
        ("malformed lines skipped", {f"line {n}": m for n, m in t.bad_lines}),
        ("schemata not in followthemoney's model (skipped)", t.unknown_schemata),
        ("properties not in their schema (skipped)", t.unknown_properties),
        ("schemata kg does not map (skipped)", t.unmapped_schemata),
        ("properties of mapped entities kg does not import", t.unread_properties),
        ("values the model's type refused", t.invalid_values),
        ("provisions kept as text (no measure rule matches)", t.unmatched_provisions),
        ("problems", t.problems),
    )
    for title, counts in sections:
        if counts:
            lines.append(f"  {title}:")
            for key, value in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]) if isinstance(kv[1], int) else (0, kv[0])):
                lines.append(f"    {key}: {value}")
    return "\n".join(lines)
