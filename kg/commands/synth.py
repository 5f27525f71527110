"""``kg synth``: write a synthetic sanctions graph of a chosen size, optionally with injected violations."""

from __future__ import annotations

import time

from kg.commands.common import EXIT_OK, add_format, add_out, command, print_json


def register(sub) -> None:
    p = command(
        sub, "synth", "Generate a synthetic sanctions graph of a chosen size, in the project's vocabulary.",
        "States, blocs, officials, sanctions with a realistic skew, coordinated rounds,\n"
        "counter-sanctions, statements, posts and evidence; it conforms to the shapes.\n"
        "--violations K breaks every named rule of the shapes on K nodes each (fewer where\n"
        "the graph has too few nodes to break it on) and lists them; the graph then also\n"
        "holds a small kg import of synthetic FtM records with links to its actors, so the\n"
        "rules of record evidence and links break too. On large graphs this takes a while\n"
        "(each rule's nodes are found by an rdflib query).\n\n"
        "--ftm N writes instead a FollowTheMoney export of about N entities shaped like\n"
        "OpenSanctions' (a few lists, many targets, aliases, posts, several lists naming\n"
        "one person) for `kg import`; with --actors STORE a share of its people are the\n"
        "actors of that graph under a list's spelling, others decoys, and --truth FILE\n"
        "writes the true pairs (CSV) for measuring the matcher.",
        "kg synth --triples 10000 --seed 1 --out synth.trig && kg validate synth.trig\n"
        "  kg synth --ftm 1000000 --actors oxigraph:out/store --truth truth.csv --out big.ftm.json",
    )
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=int, metavar="N", help="about how many triples (a TriG graph)")
    size.add_argument("--ftm", type=int, metavar="N", help="about how many FollowTheMoney entities (JSON lines)")
    p.add_argument("--actors", default=None, metavar="STORE",
                   help="with --ftm: plant the actors of this graph (memory: data/, or oxigraph:PATH)")
    p.add_argument("--truth", default=None, metavar="FILE", help="with --ftm: write the planted pairs as CSV")
    p.add_argument("--seed", type=int, default=0, help="the random seed (default: 0)")
    p.add_argument("--violations", type=int, default=0, metavar="K", help="violations of each named rule to inject (default: 0)")
    add_out(p, None, "the TriG file to write", required=True, metavar="FILE")
    add_format(p, ("text", "json"), "text", "how to print what was written (default: text; json lists the injected focus nodes, or with --ftm the planted pairs' counts)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.ftm is not None:
        return _ftm(args)
    from kg.synth import write_synth  # noqa: PLC0415

    started = time.monotonic()
    size, truth = write_synth(args.out, args.triples, args.seed, args.violations)
    if args.format == "json":
        print_json({"file": args.out, "triples": size, "seconds": round(time.monotonic() - started, 3),
                    "injected": {shape: sorted(nodes) for shape, nodes in truth.items()}})
        return EXIT_OK
    print(f"Wrote {size} triples to {args.out} in {time.monotonic() - started:.1f} s")
    for shape, nodes in truth.items():
        if nodes:
            print(f"  injected {len(nodes)} x {shape}")
    return EXIT_OK


def _ftm(args) -> int:
    from kg.ftm.synth import write_ftm_synth  # noqa: PLC0415

    started = time.monotonic()
    actors = None
    if args.actors:
        from kg.ftm.matcher import article_actors  # noqa: PLC0415

        actors = article_actors(args.actors)
    lines, truth = write_ftm_synth(args.out, args.ftm, args.seed, actors, args.truth)
    if args.format == "json":
        print_json({"file": args.out, "entities": lines, "seconds": round(time.monotonic() - started, 3),
                    "actors": None if actors is None else len(actors),
                    "planted": None if actors is None else len(truth.pairs),
                    "decoys": None if actors is None else len(truth.decoys), "truth": args.truth})
        return EXIT_OK
    print(f"Wrote {lines} FollowTheMoney entities to {args.out} in {time.monotonic() - started:.1f} s")
    if actors is not None:
        print(f"  planted {len(truth.pairs)} of {len(actors)} article actors, and {len(truth.decoys)} decoys")
    return EXIT_OK
