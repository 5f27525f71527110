"""Benchmark of kg import (FollowTheMoney -> Oxigraph) and of the matcher, beside the plain way.

    python benchmarks/ftm.py                          # 1e4 and 1e5 entities (a few minutes)
    python benchmarks/ftm.py --sizes 1e6 --plain-timeout 1800
                                                      # the issue-13 target: 10^6 entities, the plain path cut
                                                      # at 30 minutes ("> 1800 s"); --measures import,matcher
                                                      # for ours only
    python benchmarks/ftm.py --sizes 1e4 --quick      # smoke run

For each size N, untimed setup: a synthetic article graph (``kg synth --triples
ACTOR_TRIPLES``: its named people and bodies are the article actors, ~10^4 at
10^6 triples) loaded into an Oxigraph store, and a synthetic FtM export of N
entities (``kg synth --ftm N --actors``) that plants some of those actors under
a list's spelling, and decoys, with the true pairs in a CSV.

Timed, each in its own process (time and peak memory from GNU time):

- ours: ``kg import FILE --store oxigraph:PATH`` (mapping, record evidence, linking,
  all-or-nothing swap), then the same again with ``--no-link``: a re-import (the
  store now holds the dataset), which replaces the dataset's graph, without linking;
- plain: followthemoney's own RDF exporter, triple by triple into an rdflib
  Dataset on an Oxigraph store (oxrdflib): what a user with followthemoney and
  rdflib would write. It maps nothing onto our ontology and links nothing;
- the matcher alone: the entities read through followthemoney and scored against
  the article actors, blocked by name parts; with its comparison count, and its
  precision and recall on the planted pairs (from ``data/links/NAME.ttl``).

Results go to benchmarks/results/ftm-<time>.json and a table on stdout. No
assertion is made on time.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]


def _timed(argv: list[str], timeout: float, env=None) -> dict:
    """Run a command under GNU time: wall seconds, CPU seconds (user + system: less moved by other
    processes on a shared machine than the wall clock), peak memory (MB), exit code."""
    report = tempfile.NamedTemporaryFile(suffix=".time", delete=False)
    report.close()
    started = time.monotonic()
    # its own session, so that a timeout ends the measured command too, not only GNU time above it
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%e %M %U %S", "-o", report.name, *argv], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.communicate()
        return {"seconds": None, "mb": None, "cpu": None, "limit": timeout, "status": f"over {timeout:.0f} s"}
    seconds, kb, user, system = Path(report.name).read_text().split()[-4:]
    os.unlink(report.name)
    out = {"seconds": float(seconds), "cpu": round(float(user) + float(system), 1), "mb": round(int(kb) / 1024),
           "wall": round(time.monotonic() - started, 2),
           "status": "ok" if proc.returncode == 0 else f"exit {proc.returncode}: {stderr.strip()[-300:]}"}
    out["stdout"] = stdout[-2000:]
    return out


PLAIN = r"""
import json, sys
from followthemoney import model
from followthemoney.export.rdf import RDFExporter
from oxrdflib import OxigraphStore
from rdflib import Dataset, URIRef
src, store = sys.argv[1], sys.argv[2]
ds = Dataset(store=OxigraphStore(store=__import__("pyoxigraph").Store(store)))
graph = ds.graph(URIRef("urn:x:ftm"))
exporter = RDFExporter(sys.stdout)
n = 0
with open(src, encoding="utf-8") as handle:
    for line in handle:
        proxy = model.get_proxy(json.loads(line), cleaned=False)
        for triple in exporter.entity_triples(proxy):
            graph.add(triple)
            n += 1
ds.store._inner.flush()
print(n, "triples")
"""

MATCH = r"""
import sys, time
from pathlib import Path
from kg.ftm.importer import read_entities
from kg.ftm.mapper import Tally
from kg.ftm.matcher import Matcher, article_actors
actors = article_actors(sys.argv[2])
started = time.monotonic()
matcher = Matcher(actors)
for data, proxy in read_entities(Path(sys.argv[1]), Tally(), want=lambda s: s.is_a("LegalEntity")):
    matcher.consider(proxy)
print(len(actors), "actors", matcher.comparisons, "comparisons", len(matcher.candidates), "candidates",
      round(time.monotonic() - started, 2), "s")
"""


def _precision_recall(links_file: Path, truth_file: Path) -> dict:
    from rdflib import RDF, Graph, Literal

    from kg.namespace import ENTITY, KG

    g = Graph().parse(links_file)
    asserted, candidates = set(), set()
    for link in g.subjects(RDF.type, KG.Link):
        pair = (str(g.value(link, RDF.subject)), str(g.value(link, RDF.object))[len(str(ENTITY)):])
        (candidates if (link, KG.unconfirmed, Literal(True)) in g else asserted).add(pair)
    with open(truth_file, encoding="utf-8") as handle:
        truth = {(r["actor"], r["entity"]) for r in csv.DictReader(handle) if r["kind"] == "true"}
    hit = len(asserted & truth)
    return {
        "true_pairs": len(truth), "asserted": len(asserted), "candidates": len(candidates),
        "precision": round(hit / len(asserted), 4) if asserted else None,
        "recall": round(hit / len(truth), 4) if truth else None,
        "recall_with_candidates": round(len((asserted | candidates) & truth) / len(truth), 4) if truth else None,
    }


MEASURES = ("import", "no_link", "matcher", "plain")


def run_size(entities: int, actor_triples: int, work: Path, timeout: float, plain_timeout: float,
             measures=MEASURES) -> dict:
    row: dict = {"entities": entities, "actor_triples": actor_triples}
    trig, store = work / "articles.trig", work / "store"
    ftm, truth = work / f"synth-{entities}.ftm.json", work / f"truth-{entities}.csv"
    if not trig.exists():
        subprocess.run([*KG, "-q", "synth", "--triples", str(actor_triples), "--seed", "1", "--out", str(trig)],
                       cwd=ROOT, check=True)
    data = work / "data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    for name in ("store", "store.versions"):
        shutil.rmtree(work / name, ignore_errors=True)
    subprocess.run([*KG, "-q", "load", str(trig), "--store", f"oxigraph:{store}"], cwd=ROOT, check=True)
    if ftm.exists() and truth.exists():  # made by an earlier run into the same --work folder (same seeds)
        print(f"  {entities}: reusing {ftm} and {truth}", file=sys.stderr)
    else:
        subprocess.run([*KG, "-q", "synth", "--ftm", str(entities), "--seed", "2", "--actors", f"oxigraph:{store}",
                        "--truth", str(truth), "--out", str(ftm)], cwd=ROOT, check=True)
    row["lines"] = sum(1 for _ in open(ftm, encoding="utf-8"))
    print(f"  {entities}: FtM file ready ({row['lines']} lines); importing", file=sys.stderr)
    skipped = {"seconds": None, "status": "not run"}
    row["kg_import"] = row["kg_import_no_link"] = row["matcher"] = row["plain"] = skipped
    row["linking"] = {"precision": None, "recall": None, "recall_with_candidates": None, "true_pairs": None}
    if "import" in measures:
        row["kg_import"] = _timed([*KG, "-q", "import", str(ftm), "--dataset", "synth", "--data", str(data),
                                   "--store", f"oxigraph:{store}"], timeout)
        if row["kg_import"].get("status") == "ok":
            row["linking"] = _precision_recall(data / "links" / "synth.ttl", truth)
    if "no_link" in measures:
        row["kg_import_no_link"] = _timed([*KG, "-q", "import", str(ftm), "--dataset", "synth", "--data", str(data),
                                           "--store", f"oxigraph:{store}", "--no-link"], timeout)
    if "matcher" in measures:
        row["matcher"] = _timed([sys.executable, "-c", MATCH, str(ftm), f"oxigraph:{store}"], timeout)
    if "plain" in measures:
        plain_store = work / f"plain-{time.time_ns()}"
        row["plain"] = _timed([sys.executable, "-c", PLAIN, str(ftm), str(plain_store)], plain_timeout)
        shutil.rmtree(plain_store, ignore_errors=True)
    ours, plain = row["kg_import"].get("seconds"), row["plain"].get("seconds")
    row["ratio_plain_over_ours_cpu"] = (round(row["plain"]["cpu"] / row["kg_import"]["cpu"], 2)
                                        if ours and plain else None)
    row["ratio_plain_over_ours"] = round(plain / ours, 2) if ours and plain else None
    # the plain path cut at its limit: the ratio is at least the limit over ours
    limit = row["plain"].get("limit")
    row["ratio_plain_over_ours_at_least"] = round(limit / ours, 2) if ours and limit else None
    return row


def _line(row: dict) -> str:
    def fmt(m):
        if m.get("limit"):
            return f"> {m['limit']:.0f} s (cut at the limit)"
        if m.get("seconds") is None:
            return m.get("status", "-")
        return f"{m['seconds']:.1f} s (cpu {m['cpu']:.1f} s) {m['mb']} MB"
    link = row["linking"]
    ratio = (f"> {row['ratio_plain_over_ours_at_least']}" if row.get("ratio_plain_over_ours_at_least")
             else f"{row['ratio_plain_over_ours']} (cpu {row['ratio_plain_over_ours_cpu']})")
    return (f"{row['entities']:>9} entities | kg import {fmt(row['kg_import'])} | re-import, no link {fmt(row['kg_import_no_link'])}"
            f" | matcher {fmt(row['matcher'])} | plain {fmt(row['plain'])} | plain/ours {ratio}"
            f" | precision {link['precision']} recall {link['recall']} (with candidates {link['recall_with_candidates']},"
            f" {link['true_pairs']} true pairs)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1e4,1e5", help="FtM entities per run, comma-separated (default: 1e4,1e5)")
    parser.add_argument("--actor-triples", type=float, default=1e6,
                        help="size of the synthetic article graph whose actors are linked (default: 1e6, ~10^4 actors)")
    parser.add_argument("--quick", action="store_true", help="a small article graph (1e4 triples): a smoke run")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds per measurement of ours")
    parser.add_argument("--plain-timeout", type=float, default=1800, help="seconds for the plain path")
    parser.add_argument("--measures", default=",".join(MEASURES),
                        help=f"which to run (default: all of {','.join(MEASURES)})")
    parser.add_argument("--work", type=Path, default=None, help="keep the generated files here (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    actor_triples = int(1e4 if args.quick else args.actor_triples)
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-ftm-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes.split(","):
        row = run_size(int(float(size)), actor_triples, work, args.timeout, args.plain_timeout,
                       tuple(args.measures.split(",")))
        print(_line(row))
        rows.append(row)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"machine": platform.platform(), "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "runs": rows}
    target = args.out / f"ftm-{time.strftime('%Y%m%dT%H%M%S')}.json"
    target.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"results: {target}", file=sys.stderr)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
