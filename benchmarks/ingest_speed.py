"""How long `kg add` takes to draft a 200-word article, warm and cold, beside two baselines.

    python benchmarks/ingest_speed.py [--repeat N]

The article: paragraphs of the evaluation set (tests/ingest/eval/*.yaml), in file order, until
200 words. Side by side in one run:

- warm: drafting in a process that has drafted before (rules, actor index and spaCy loaded);
  ours is `draft_article`; the baselines are spaCy's blank English pipeline with the sentencizer
  alone (the floor under any spaCy-rules drafter) and a naive regex drafter (one regular
  expression for "X imposed sanctions on Y" per sentence);
- cold: a fresh Python process, wall time; ours is `kg add FILE` on a copy of data/ (imports,
  rules and actor index from kg add's cache as after any earlier run, drafting, writing), and
  again with the cache off (KG_CACHE=off: the rules compiled from rules/ and the actor index
  read from data/facts, as on the first run after they change); the baseline is a process that
  imports spaCy, makes the blank pipeline and splits the article.

Times are medians of --repeat runs; ratio = ours / baseline. Target (issue 12): under 1 s. The
cold rows also give CPU time (user + system), which a busy machine inflates less than wall time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAIVE = re.compile(r"([A-Z][\w.]*(?: [A-Z][\w.]*)*) (?:imposed|slapped|announced) sanctions on ([^,.;]+)")


def article(words: int = 200) -> str:
    import yaml

    paragraphs = []
    for path in sorted((ROOT / "tests" / "ingest" / "eval").glob("*.yaml")):
        paragraphs += [p for p in yaml.safe_load(path.read_text(encoding="utf-8"))["text"].split("\n\n") if p.strip()]
    out: list[str] = []
    while sum(len(p.split()) for p in out) < words:
        out.append(paragraphs[len(out)].strip())
    return "\n\n".join(out) + "\n"


def naive_drafter(text: str) -> list[tuple[str, str]]:
    return [m.groups() for sentence in re.split(r"(?<=[.!?])\s+", text) for m in NAIVE.finditer(sentence)]


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _cold(argv: list[str], repeat: int, env: dict | None = None) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of a fresh process running ``argv``."""
    import os
    import resource

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env={**os.environ, **(env or {})})
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the median is reported)")
    args = parser.parse_args(argv)
    from kg.ingest import draft_article
    from kg.ingest.actors import GraphIndex
    from kg.ingest.rules import load_rules
    from kg.ingest.text import nlp

    text = article()
    rules = load_rules()
    index = GraphIndex.from_data(ROOT / "data", frozenset(), rules)
    draft_article(text, "bench", published=None, index=index, rules=rules)
    rows = [("warm", "draft_article", _median(lambda: draft_article(text, "bench", index=index, rules=rules), args.repeat),
             "spaCy blank + sentencizer", _median(lambda: nlp()(text), args.repeat))]
    rows.append(("warm", "draft_article", rows[0][2], "naive regex drafter", _median(lambda: naive_drafter(text), args.repeat)))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shutil.copytree(ROOT / "data", tmp / "data")
        (tmp / "a.txt").write_text(text, encoding="utf-8")
        kg = Path(sys.executable).with_name("kg")
        add = [str(kg), "-q", "add", str(tmp / "a.txt"), "--slug", "bench", "--published", "2021-03-26",
               "--replace", "--data", str(tmp / "data")]
        cache = {"KG_CACHE": str(tmp / "cache")}
        subprocess.run(add, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **cache})
        ours = _cold(add, args.repeat, cache)  # the rules and the actor index from kg add's cache (the usual case)
        uncached = _cold(add, args.repeat, {"KG_CACHE": "off"})  # compiled from rules/ and read from data/facts
        base = _cold([sys.executable, "-c", "import sys, spacy; n = spacy.blank('en'); n.add_pipe('sentencizer'); "
                      "n(open(sys.argv[1], encoding='utf-8').read())", str(tmp / "a.txt")], args.repeat)
        rows.append(("cold", "kg add FILE (fresh process)", ours[0], "import spaCy, blank pipeline, split", base[0]))
        rows.append(("cold", "  the same, CPU time", ours[1], "  the same, CPU time", base[1]))
        rows.append(("cold", "kg add, cache off", uncached[0], "import spaCy, blank pipeline, split", base[0]))
        rows.append(("cold", "  the same, CPU time", uncached[1], "  the same, CPU time", base[1]))
    print(f"article: {len(text.split())} words, {len(text)} characters; median of {args.repeat} runs")
    print(f"{'':<6}{'ours':<32}{'s':>8}  {'baseline':<38}{'s':>8}{'ratio':>8}")
    for mode, ours_name, ours_s, base_name, base_s in rows:
        print(f"{mode:<6}{ours_name:<32}{ours_s:>8.3f}  {base_name:<38}{base_s:>8.4f}{ours_s / base_s:>7.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
