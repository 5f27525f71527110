"""Interactive queries on a large store (issue 13 §3): what an analyst waits for from a warm `kg serve`.

    python benchmarks/interactive.py                          # 10^6 triples: synth + load (a few minutes), then measure
    python benchmarks/interactive.py --store /tmp/iq/store    # an existing oxigraph store
    python benchmarks/interactive.py --triples 20000 --sample 5 --plain-sample 2   # a quick run

It starts ``kg serve --store oxigraph:PATH --warm`` on the store and waits until the server has
computed the listings (the warm-up; its time is reported), then measures, over HTTP on one
keep-alive connection:

* **one actor or one act**: every catalogue query with a parameter that names an actor, an act
  or a round (``dossier``, ``sanctions-by``, ``posts``, ``evidence``...), for a sample of ``--sample``
  nodes of the parameter's kind drawn from the store (seeded; uniformly, so mostly the many small
  actors, with whatever large ones the draw gives): the whole answer of
  ``/catalogue/NAME?param=IRI``, p50 and p95 over the sample;
* **listings**: every catalogue query without a required parameter: the first page of 100 rows
  (``?limit=100&offset=0``) and a later one (from row 1,001, or the last 100 rows when fewer);

and beside each, in the same run, **the plain path**:

* for one actor or act: the same query text in pyoxigraph on the same store version, the value
  bound with pyoxigraph's ``substitutions`` (what oxrdflib's ``initBindings`` do, and what kg did
  before this change), each in a subprocess killed after ``--plain-timeout`` seconds, over the
  first ``--plain-sample`` nodes of the sample;
* for listings: the same query text POSTed to the same server's ``/sparql`` without paging (the
  whole result, cut at the server's 10,000 rows), which is what a SPARQL client gets.

Results: a table on stdout and JSON in ``benchmarks/results/interactive-*.json`` (not committed).
A benchmark, not a test: figures depend on the machine and on what else runs on it (the load
average is printed at the start and the end).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGE = 100
LATER = 1000  # the later page starts at row LATER + 1 (or is the last page when the listing is shorter)

# The nodes a parameter may name, by its kind: the instances of its classes (kg:Actor for an actor),
# with a label, as `kg query --list` describes them.
_SAMPLE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?node WHERE { ?node a/rdfs:subClassOf* ?top ; rdfs:label ?label }
"""


def _load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def make_store(triples: int, seed: int, folder: Path) -> Path:
    """``kg synth`` then ``kg load`` into ``folder/store``; returns the store's location."""
    trig, store = folder / "synth.trig", folder / "store"
    kg = [sys.executable, "-m", "kg.cli", "-q"]
    print(f"making a store of {triples:,} triples in {folder} ...", flush=True)
    subprocess.run(kg + ["synth", "--seed", str(seed), "--triples", str(triples), "--out", str(trig)], check=True)
    subprocess.run(kg + ["load", str(trig), "--store", f"oxigraph:{store}"], check=True)
    return store


class Server:
    """``kg serve --warm`` on the store, read until its listings are ready."""

    def __init__(self, store: Path, timeout: float, workers: int, warm_limit: float):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--store", f"oxigraph:{store}", "--warm",
             "--timeout", str(timeout), "--workers", str(workers)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        url = self.proc.stdout.readline().strip()
        if not url:
            raise RuntimeError("kg serve did not start: " + self.proc.stderr.read())
        parsed = urllib.parse.urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.ready = threading.Event()
        self.log: list[str] = []
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self.ready.wait(warm_limit):
            raise RuntimeError(f"the listings were not ready after {warm_limit:g} s")
        self.warm_seconds = time.monotonic() - started
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout + 30)

    def _read_log(self) -> None:
        for line in self.proc.stderr:
            self.log.append(line.rstrip())
            if "listings of" in line and "ready" in line:
                self.ready.set()

    def get(self, path: str, **params: str) -> tuple[float, int, bytes, dict]:
        url = path + ("?" + urllib.parse.urlencode(params) if params else "")
        started = time.perf_counter()
        self.conn.request("GET", url, headers={"Accept": "application/sparql-results+json"})
        response = self.conn.getresponse()
        body = response.read()
        return time.perf_counter() - started, response.status, body, dict(response.getheaders())

    def post_sparql(self, query: str) -> tuple[float, int, bytes, dict]:
        started = time.perf_counter()
        self.conn.request("POST", "/sparql", body=query.encode("utf-8"),
                          headers={"Content-Type": "application/sparql-query",
                                   "Accept": "application/sparql-results+json"})
        response = self.conn.getresponse()
        body = response.read()
        return time.perf_counter() - started, response.status, body, dict(response.getheaders())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _rows(body: bytes) -> int:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError):
        return -1


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def node_queries(catalogue) -> list[tuple[str, str, list[str]]]:
    """(query, parameter, classes to sample from) for every query with a parameter naming an actor, act or round:
    an actor parameter samples its classes (kg:Actor when it names none), an IRI parameter its class, or acts
    when it takes any node (evidence's fact)."""
    from kg.namespace import KG

    found = []
    for name, query in catalogue.items():
        for param in query.params.values():
            if param.type in ("actor", "iri"):
                default = KG.Actor if param.type == "actor" else KG.Act
                found.append((name, param.name, [str(c) for c in param.classes] or [str(default)]))
    return found


def sample_nodes(store, classes: list[str], n: int, seed: int) -> list[str]:
    import pyoxigraph
    from rdflib import URIRef, Variable

    from kg.query import with_values

    nodes: set[str] = set()
    for top in classes:
        result = store.query(with_values(_SAMPLE, {Variable("top"): URIRef(top)}), use_default_graph_as_union=True)
        nodes.update(row["node"].value for row in result if isinstance(row["node"], pyoxigraph.NamedNode))
    ordered = sorted(nodes)
    return random.Random(f"{seed}:{','.join(classes)}").sample(ordered, min(n, len(ordered)))


_PLAIN = """
import sys, time, pyoxigraph
store = pyoxigraph.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
started = time.perf_counter()
rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True,
                                  substitutions={pyoxigraph.Variable(sys.argv[3]): pyoxigraph.NamedNode(sys.argv[4])}))
print(time.perf_counter() - started, rows)
"""


def plain_node(version: Path, query_file: Path, param: str, value: str, limit: float) -> tuple[float | None, int]:
    """The query in pyoxigraph, the value bound by substitutions; None when it ran past ``limit`` seconds."""
    try:
        out = subprocess.run([sys.executable, "-c", _PLAIN, str(version), str(query_file), param, value],
                             capture_output=True, text=True, timeout=limit, check=True)
    except subprocess.TimeoutExpired:
        return None, -1
    seconds, rows = out.stdout.split()
    return float(seconds), int(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="an existing oxigraph store (default: make one with --triples)")
    parser.add_argument("--triples", type=float, default=1e6, help="size of the store to make (default 1e6)")
    parser.add_argument("--seed", type=int, default=1, help="synth seed and sample seed (default 1)")
    parser.add_argument("--sample", type=int, default=20, help="actors or acts per query (default 20)")
    parser.add_argument("--plain-sample", type=int, default=3, help="of those, how many the plain path runs (default 3)")
    parser.add_argument("--plain-timeout", type=float, default=60, help="seconds before a plain run is given up (default 60)")
    parser.add_argument("--timeout", type=float, default=120, help="the server's --timeout (default 120, so that "
                        "the plain /sparql requests finish)")
    parser.add_argument("--workers", type=int, default=4, help="the server's --workers (default 4)")
    parser.add_argument("--warm-limit", type=float, default=3600, help="seconds to wait for the warm-up (default 3600)")
    parser.add_argument("--skip-plain", action="store_true", help="measure our path only")
    parser.add_argument("--out", type=Path, help="the JSON results file (default benchmarks/results/interactive-*.json)")
    args = parser.parse_args(argv)

    import pyoxigraph

    from kg.query import load_catalogue, with_values  # noqa: F401

    load_before = _load_average()
    print(f"load average at start: {load_before}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kg-interactive-") as tmp:
        store = args.store or make_store(int(args.triples), args.seed, Path(tmp))
        version = store.resolve(strict=True)
        catalogue = load_catalogue()
        disk = pyoxigraph.Store.read_only(str(version))
        quads = len(disk)
        plan = node_queries(catalogue)
        samples = {(name, param): sample_nodes(disk, classes, args.sample, args.seed) for name, param, classes in plan}
        del disk
        server = Server(store, args.timeout, args.workers, args.warm_limit)
        print(f"store {store} ({quads:,} quads); kg serve warm after {server.warm_seconds:.1f} s", flush=True)
        results = {"store": str(store), "quads": quads, "warm_seconds": server.warm_seconds,
                   "load_before": load_before, "node": [], "listings": []}
        try:
            # one actor or one act
            print(f"\n{'query':<20} {'param':<12} {'n':>3} {'p50 s':>8} {'p95 s':>8} {'max s':>8}   "
                  f"{'plain p50':>10} {'plain max':>10} {'plain/ours p50':>14}")
            for name, param, _ in plan:
                times, rows, errors = [], [], 0
                for value in samples[(name, param)]:
                    seconds, status, body, _ = server.get(f"/catalogue/{name}", **{param: value})
                    errors += status != 200
                    times.append(seconds)
                    rows.append(_rows(body))
                plain = []
                if not args.skip_plain:
                    query_file = Path(tmp) / f"{name}.rq"
                    query_file.write_text(catalogue[name].text, encoding="utf-8")
                    for value in samples[(name, param)][: args.plain_sample]:
                        plain.append(plain_node(version, query_file, param, value, args.plain_timeout)[0])
                entry = {"query": name, "param": param, "n": len(times), "errors": errors, "times": times, "rows": rows,
                         "p50": _percentile(times, 50), "p95": _percentile(times, 95), "max": max(times, default=0),
                         "plain": plain}
                results["node"].append(entry)
                known = [p for p in plain if p is not None]
                plain_p50 = (f">{args.plain_timeout:g}" if plain and not known or len(known) < len(plain) / 2
                             else f"{statistics.median(known):.3f}" if known else "-")
                plain_max = f">{args.plain_timeout:g}" if None in plain else (f"{max(known):.3f}" if known else "-")
                ratio = (f"{statistics.median(known) / statistics.median(times[: len(plain)]):.0f}x"
                         if known and len(known) == len(plain) else "")
                print(f"{name:<20} {param:<12} {len(times):>3} {entry['p50']:>8.3f} {entry['p95']:>8.3f} "
                      f"{entry['max']:>8.3f}   {plain_p50:>10} {plain_max:>10} {ratio:>14}"
                      + (f"  ({errors} errors)" if errors else ""), flush=True)

            # listings
            print(f"\n{'listing':<38} {'rows':>7} {'first 100 s':>11} {'later page s':>12}   "
                  f"{'plain /sparql s':>15} {'plain/ours':>10}")
            for name, query in catalogue.items():
                if any(p.required for p in query.params.values()):
                    continue
                first, status, body, headers = server.get(f"/catalogue/{name}", limit=str(PAGE), offset="0")
                total = int(headers.get("X-Total-Rows", "0"))
                later_offset = LATER if total > LATER + PAGE else max(0, total - PAGE)
                later, status2, _, _ = server.get(f"/catalogue/{name}", limit=str(PAGE), offset=str(later_offset))
                plain = plain_status = None
                if not args.skip_plain:
                    plain, plain_status, _, _ = server.post_sparql(query.text)
                entry = {"query": name, "rows": total, "first": first, "later": later, "later_offset": later_offset,
                         "status": [status, status2], "plain": plain, "plain_status": plain_status}
                results["listings"].append(entry)
                plain_text = "-" if plain is None else f"{plain:.3f}" + ("" if plain_status == 200 else f" ({plain_status})")
                ratio = f"{plain / first:.0f}x" if plain and plain_status == 200 else ""
                print(f"{name:<38} {total:>7} {first:>11.3f} {later:>12.3f}   {plain_text:>15} {ratio:>10}"
                      + ("" if status == status2 == 200 else f"  (HTTP {status}, {status2})"), flush=True)
        finally:
            server.close()
        results["load_after"] = _load_average()
        print(f"\nload average at the end: {results['load_after']}")
        out = args.out or ROOT / "benchmarks" / "results" / f"interactive-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1), encoding="utf-8")
        print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
