"""How well `kg add` drafts: precision and recall against facts a curator wrote.

    python benchmarks/ingest_eval.py [--verbose] [--json FILE] [--rules DIR]

Scores two sets (kg/ingest/score.py says how facts are matched):

- the evaluation set, tests/ingest/eval/*.yaml: articles written for it, each with its
  expected facts, drafted against the actors of data/;
- the seed articles of data/, each drafted again with its own facts out of the actor index,
  against the facts curated by hand (data/facts/<slug>.ttl and its curated dates).

Prints one table per set (precision, recall, true positives / drafted / expected for each kind
of fact), the share of verbatim quotes and the duplicates of existing actors; --verbose lists,
per article, the expected facts that were missed and the drafted facts that were wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.ingest.score import METRICS, Score, evaluate_seeds, evaluate_set  # noqa: E402

TARGETS = {"links": "precision >= 0.95; recall >= 0.85 (evaluation set), >= 0.75 (seeds)"}


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def table(title: str, results: list[tuple[str, Score]], verbose: bool = False) -> tuple[str, dict]:
    total = Score()
    for _, s in results:
        total += s
    lines = [f"{title} ({len(results)} articles)", "",
             f"{'facts':<12}{'precision':>10}{'recall':>8}{'tp':>6}{'drafted':>9}{'expected':>10}"]
    summary = {}
    for m in METRICS:
        t = total.tallies[m]
        lines.append(f"{m:<12}{_fmt(t.precision):>10}{_fmt(t.recall):>8}{t.tp:>6}{t.drafted:>9}{t.expected:>10}")
        summary[m] = {"precision": t.precision, "recall": t.recall, "tp": t.tp, "drafted": t.drafted, "expected": t.expected}
    lines.append(f"quotes verbatim: {total.verbatim}/{total.quotes}; duplicates of existing actors: {len(total.duplicates)}")
    summary["quotes"] = {"verbatim": total.verbatim, "total": total.quotes}
    summary["duplicates"] = total.duplicates
    for d in total.duplicates:
        lines.append(f"  duplicate: {d}")
    if verbose:
        for slug, s in results:
            lines += ["", f"  {slug}"]
            for side in ("misses", "wrong"):
                for m, items in getattr(s, side).items():
                    for item in items:
                        lines.append(f"    {'wrong' if side == 'wrong' else 'missed'} {m}: {item}")
    return "\n".join(lines), summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=ROOT / "tests" / "ingest" / "eval", help="the evaluation folder")
    parser.add_argument("--data", type=Path, default=ROOT / "data", help="the data folder (actors, seed articles)")
    parser.add_argument("--rules", type=Path, default=None, help="a folder of extraction rules (default: the shipped ones)")
    parser.add_argument("--verbose", action="store_true", help="list the missed and the wrong facts of each article")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    from kg.ingest.rules import load_rules

    rules = load_rules(args.rules)
    out = {}
    for title, results in (("Evaluation set", evaluate_set(args.eval, args.data, rules)),
                           ("Seed articles", evaluate_seeds(args.data, rules))):
        text, summary = table(title, results, args.verbose)
        print(text, end="\n\n")
        out[title] = summary
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
