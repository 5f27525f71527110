"""``kg build``: build the graph from ontology/ and data/, check it, write it only if it conforms."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kg.commands.common import (
    EXIT_OK, EXIT_VIOLATIONS, add_allow_empty, add_data, add_format, add_out, add_store, add_wait, command, log,
)


def register(sub) -> None:
    p = command(
        sub, "build", "Build the knowledge graph from ontology/ and data/, validate it, write out/kg.trig.",
        "Reads the ontology, every data/facts/<slug>.ttl with its data/articles/<slug>.txt,\n"
        "and data/curation.ttl; validates the dataset against ontology/shapes/ and the\n"
        "quality queries; writes it as TriG (stable, sorted) only if it conforms, so a\n"
        "failed build leaves the last good out/kg.trig untouched. Prints a summary.\n"
        "Data without facts (no article with a fact, no curation) is refused unless\n"
        "--allow-empty.",
        "kg build --data data --out out",
    )
    add_data(p)
    add_out(p, Path("out"), "the output folder (default: out/)")
    add_format(p, ("text", "json"), "text", "how to print the summary")
    add_store(p, "where to put the graph: memory (out/kg.trig, default), oxigraph:PATH (a persistent store), "
                 "sparql:URL (a remote SPARQL server's query endpoint)")
    add_allow_empty(p, "data")
    add_wait(p)
    p.set_defaults(func=run)


def run(args) -> int:
    counts, target, seconds = write(args)
    if counts is None:
        return EXIT_VIOLATIONS
    if args.format == "json":
        print(json.dumps(counts, indent=2))
    else:
        print(_format_summary(counts, target, seconds))
    return EXIT_OK


def write(args) -> tuple[dict | None, object, float]:
    """Build, check and write the graph: its summary counts (None, with the report on stderr, if it does
    not conform and nothing was written), where it went, and the seconds it took."""
    from kg.build import build, summary  # noqa: PLC0415
    from kg.io import atomic_write, trig_bytes  # noqa: PLC0415
    from kg.namespace import PREFIXES  # noqa: PLC0415
    from kg.validate import check  # noqa: PLC0415

    started = time.monotonic()
    dataset = build(args.data, allow_empty=args.allow_empty)
    if not args.allow_empty:
        from kg import paths  # noqa: PLC0415
        from kg.store import refuse_empty  # noqa: PLC0415

        refuse_empty(dataset, str(args.data or paths.data_dir()))
    conforms, report = check(dataset)
    if not conforms:
        print(report, file=sys.stderr)
        print(f"\nNot written: {args.out / 'kg.trig'} is left as it was.", file=sys.stderr)
        return None, None, time.monotonic() - started
    data = trig_bytes(dataset, PREFIXES)
    if args.store == "memory":
        target = atomic_write(args.out / "kg.trig", data)
    else:
        from kg.store import save_dataset  # noqa: PLC0415

        log.info("loading into %s", args.store)
        target = save_dataset(dataset, args.store, data, wait=args.wait)
    return summary(dataset), target, time.monotonic() - started


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
