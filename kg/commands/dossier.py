"""``kg dossier NAME``: everything the graph holds about one actor, each line with its evidence."""

from __future__ import annotations

import sys

from kg.commands.common import EXIT_OK, add_format, add_read_store, command, open_store, print_json


def register(sub) -> None:
    p = command(
        sub, "dossier", "Everything the graph holds about one actor, each line with its evidence.",
        "The sanctions it imposed and those against it (named, or its people counted\n"
        "but not named), its other coercive acts and those against it, what it said and\n"
        "what was said about or to it, the events it took part in, its posts (and the\n"
        "posts in it), its ties, the answers, reactions and what followed its acts, and the\n"
        "chains (as kg chains numbers them) its acts are part of. Each line says whether an\n"
        "article states it (with the quote and the article), a curator reads it (with the\n"
        "reason) or only an imported record supports it.\n\n"
        "NAME is matched as kg query matches actor parameters: case, accents, 'the',\n"
        "initials (MERICS, MEP), a significant word (Mercator), a typo, or an IRI\n"
        "(actor:wu-yingjie). A name that fits several actors is an error that lists\n"
        "them. The catalogue query `dossier` gives the same lines as rows\n"
        "(kg query dossier --param actor=NAME).",
        'kg dossier "Wu Yingjie"',
    )
    p.add_argument("name", metavar="NAME", help="the actor: a name or an IRI")
    add_format(p, ("text", "json", "csv"), "text",
               "text (default), json (the dossier with its chains), csv (one row per line, as the catalogue query)")
    add_read_store(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.dossier import dossier, dossier_text  # noqa: PLC0415
    from kg.results import terminal_width  # noqa: PLC0415

    found = dossier(open_store(args), args.name)
    if args.format == "json":
        print_json(found)
    elif args.format == "csv":
        import csv  # noqa: PLC0415

        writer = csv.DictWriter(sys.stdout, fieldnames=["actor", *found["lines"][0]] if found["lines"] else ["actor"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows({"actor": found["actor"], **line} for line in found["lines"])
    else:
        sys.stdout.write(dossier_text(found, terminal_width()))
    return EXIT_OK
