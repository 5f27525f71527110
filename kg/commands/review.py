"""``kg review``: list what is still unconfirmed, and confirm it."""

from __future__ import annotations

from kg.commands.common import EXIT_OK, add_data, add_format, command, print_json


def register(sub) -> None:
    p = command(
        sub, "review", "List the unconfirmed drafts of data/ with their quotes, or confirm them.",
        "Lists every node a tool drafted (kg add's facts, kg import's link candidates) that\n"
        "no curator has confirmed, grouped by file: its ID, type and label, what the file\n"
        "says about it, its evidence (the quote, or the dataset record) and the rule that\n"
        "drafted it. SLUG or FILE narrows the list to one article or file. --confirm ID...\n"
        "removes the kg:unconfirmed line of each node (all or nothing); correct or delete\n"
        "what is wrong in the file first. Then kg build.",
        "kg review ca-2024-12-sanctions\n"
        "  kg review --confirm act:ca-2024-12-sanctions-canada-sanction",
    )
    p.add_argument("narrow", nargs="?", default=None, metavar="SLUG|FILE", help="one article (its slug) or one Turtle file")
    p.add_argument("--confirm", nargs="+", default=None, metavar="ID", help="confirm these nodes (IDs as the list shows them)")
    p.add_argument("--all", action="store_true", help="confirm every node the list shows (narrowed by SLUG|FILE)")
    add_data(p)
    add_format(p, ("text", "json"), "text", "how to print the drafts or what was confirmed (default: text)")
    p.set_defaults(func=run)


def run(args) -> int:
    from kg import paths  # noqa: PLC0415
    from kg.review import confirm, find_drafts, format_drafts, short  # noqa: PLC0415

    # Confirming writes into the folder: not into the seed data inside an installed wheel.
    data_dir = args.data or (paths.writable_data_dir() if args.confirm or args.all else paths.data_dir())
    ids = list(args.confirm or [])
    if args.all:
        ids += [d.id for d in find_drafts(data_dir, args.narrow)]
    if not ids:
        drafts = find_drafts(data_dir, args.narrow)
        if args.format == "json":
            print_json([{"id": d.id, "node": d.node, "file": d.file, "label": d.label, "types": d.types,
                         "says": [list(pair) for pair in d.says], "evidence": d.evidence, "rules": d.rules,
                         "asserts": d.asserts, "reason": d.reason} for d in drafts])
            return EXIT_OK
        print(format_drafts(drafts, base=data_dir.parent), end="")
        return EXIT_OK
    confirmed = confirm(data_dir, ids, args.narrow)
    if args.format == "json":
        print_json([{"id": d.id, "file": d.file, "still_unconfirmed": [short(n) for n in pending]}
                    for d, pending in confirmed])
        return EXIT_OK
    for draft, pending in confirmed:
        line = f"confirmed {draft.id} in {draft.file}"
        if pending:
            line += f" (it refers to {', '.join(short(n) for n in pending)}, still unconfirmed)"
        print(line)
    print("Run kg build to take the confirmed facts into the graph.")
    return EXIT_OK
