"""``kg synth``: write a synthetic sanctions graph of a chosen size, optionally with injected violations."""

from __future__ import annotations

import time

from kg.commands.common import EXIT_OK, add_out, command


def register(sub) -> None:
    p = command(
        sub, "synth", "Generate a synthetic sanctions graph of a chosen size, in the project's vocabulary.",
        "States, blocs, officials, sanctions with a realistic skew, coordinated rounds,\n"
        "counter-sanctions, statements, posts and evidence; it conforms to the shapes.\n"
        "--violations K breaks every named rule of the shapes on K nodes each (fewer where\n"
        "the graph has too few nodes to break it on) and lists them; on large graphs this\n"
        "takes a while (each rule's nodes are found by an rdflib query).",
        "kg synth --triples 100000 --seed 1 --out synth.trig && kg validate synth.trig",
    )
    p.add_argument("--triples", type=int, required=True, metavar="N", help="about how many triples")
    p.add_argument("--seed", type=int, default=0, help="the random seed (default: 0)")
    p.add_argument("--violations", type=int, default=0, metavar="K", help="violations of each named rule to inject (default: 0)")
    add_out(p, None, "the TriG file to write", required=True, metavar="FILE")
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.synth import write_synth  # noqa: PLC0415

    started = time.monotonic()
    size, truth = write_synth(args.out, args.triples, args.seed, args.violations)
    print(f"Wrote {size} triples to {args.out} in {time.monotonic() - started:.1f} s")
    for shape, nodes in truth.items():
        if nodes:
            print(f"  injected {len(nodes)} x {shape}")
    return EXIT_OK
