"""``kg add``: draft an article's facts from its text, for a curator to review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kg.commands.common import EXIT_OK, add_data, add_format, command, print_json


def _date(text: str) -> dt.date:
    import argparse  # noqa: PLC0415

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {text!r}") from None


def register(sub) -> None:
    p = command(
        sub, "add", "Draft an article's facts from its text: every fact unconfirmed, anchored to its quote.",
        "Reads FILE (plain text, or a saved web page: its main text and date are extracted\n"
        "and the page is kept beside the text), stores it as data/articles/<slug>.txt and\n"
        "writes data/facts/<slug>.ttl: the article, its actors (reusing the graph's IRIs),\n"
        "sanctions, counter-sanctions, detentions, expulsions, threats and statements with\n"
        "targets, counts, measures, grounds, regions, dates and response links. Every node\n"
        "is kg:unconfirmed with the rule (rules/*.yaml) that drafted it; dates worked out\n"
        "from the article's date go to data/curation.ttl as unconfirmed curated statements.\n"
        "Nothing is written unless everything is (empty, binary, non-English input and an\n"
        "existing slug are refused with exit 2). Then: kg review SLUG.\n\n"
        "What the drafter knows (verbs, titles, bodies, measures, response phrases) is in\n"
        "YAML files that ship with kg (rules/ in a checkout). To extend them, copy the\n"
        "files you change into a folder, edit them, and give --rules FOLDER; score the\n"
        "change with python benchmarks/ingest_eval.py --rules FOLDER.",
        "kg add report.txt --slug ca-2024-12-sanctions --published 2024-12-11",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the article: .txt (UTF-8) or a saved page (.html); - reads standard input (with --slug)")
    p.add_argument("--slug", default=None, help="the article's name in data/ (default: from the file name)")
    p.add_argument("--published", type=_date, default=None, metavar="YYYY-MM-DD",
                   help="the article's date when its text has no dateline (relative dates are worked out from it)")
    p.add_argument("--replace", action="store_true", help="draft an article that exists already again (its facts file is rewritten)")
    p.add_argument("--rules", type=Path, default=None, metavar="DIR",
                   help="a folder of extraction rules (acts.yaml, titles.yaml, ...) to use instead of the shipped ones; "
                        "a file it lacks is the shipped one (rules/README.md)")
    add_data(p)
    add_format(p, ("text", "json"), "text", "how to print what was drafted (default: text)")
    p.set_defaults(func=run)


def run(args) -> int:
    from kg.ingest import add_article  # noqa: PLC0415
    from kg.ingest.summary import summary  # noqa: PLC0415

    draft, written = add_article(args.file, slug=args.slug, published=args.published, replace=args.replace, data_dir=args.data,
                                 rules_dir=args.rules)
    if args.format == "json":
        print_json({
            "article": f"article:{draft.slug}", "published": draft.published, "published_how": draft.published_how,
            "actors": [{"label": a.label, "kind": a.kind, "existing": bool(a.existing)} for a in draft.actors],
            "acts": [{"kind": act.kind, "actor": act.actor.label if act.actor else None,
                      "targets": [t.label for t in act.targets]} for act in draft.acts],
            "notes": draft.notes, "written": written,
        })
        return EXIT_OK
    print(summary(draft, written))
    return EXIT_OK
