"""Load on the SPARQL endpoint: concurrent clients running the catalogue, `kg serve` beside `oxigraph serve`.

    python benchmarks/load.py                       # 50 clients x 20 queries each, on the seed graph
    python benchmarks/load.py --clients 10 --queries 5 --trig out/kg.trig

Each client is a thread with its own keep-alive connection that POSTs the
parameterless catalogue queries (``queries/*.rq``) in turn, as a SPARQL client
would (``application/sparql-query``, JSON results). Both servers get the same
data (``out/kg.trig``, built first if missing) and the same requests; the
table gives errors, latency percentiles and throughput, and our figure over
Oxigraph's. A benchmark, not a test: the figures depend on the machine and
on what else runs on it.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited: {proc.args}") from None
            time.sleep(0.1)
    raise RuntimeError(f"no answer from {url}")


def start_kg(trig: Path, workers: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "-q", "serve", "--port", "0", "--graph", str(trig),
                             "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = proc.stdout.readline().strip()
    _wait(url, proc)
    return proc, url


def start_oxigraph(trig: Path, workdir: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    location = workdir / "oxigraph"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(trig)], check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, proc)
    return proc, url


def run_load(url: str, queries: list[str], clients: int, per_client: int) -> dict:
    parts = urllib.parse.urlsplit(url)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        start.wait()
        for i in range(per_client):
            query = queries[(index + i) % len(queries)]
            began = time.perf_counter()
            try:
                conn.request("POST", parts.path, body=query.encode("utf-8"), headers={
                    "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                why = f"status {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                ok, why = False, f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            took = time.perf_counter() - began
            with lock:
                latencies.append(took)
                if not ok:
                    errors.append(why)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {"requests": len(ordered), "errors": len(errors), "first_error": errors[0] if errors else "",
            "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99), "max": ordered[-1],
            "mean": statistics.fmean(ordered), "throughput": len(ordered) / wall, "wall": wall}


def catalogue_queries() -> list[str]:
    from kg.query import load_catalogue

    return [q.text for q in load_catalogue(ROOT / "queries").values() if not q.params]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--queries", type=int, default=20, help="queries per client")
    parser.add_argument("--workers", type=int, default=8, help="kg serve --workers")
    parser.add_argument("--trig", type=Path, default=ROOT / "out" / "kg.trig")
    args = parser.parse_args(argv)
    if not args.trig.exists():
        subprocess.run([sys.executable, "-m", "kg.cli", "-q", "build", "--out", str(args.trig.parent)], check=True)
    queries = catalogue_queries()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, start in (("kg serve", lambda: start_kg(args.trig, args.workers)),
                             ("oxigraph serve", lambda: start_oxigraph(args.trig, Path(tmp)))):
            proc, url = start()
            try:
                run_load(url, queries[:3], 4, 3)  # warm-up
                results[label] = run_load(url, queries, args.clients, args.queries)
            finally:
                proc.terminate()
                proc.wait(10)
    print(f"{args.clients} clients x {args.queries} queries ({len(queries)} catalogue queries in turn), "
          f"{args.trig} ; kg serve --workers {args.workers}")
    print(f"{'server':16} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>8}")
    for label, r in results.items():
        print(f"{label:16} {r['requests']:8d} {r['errors']:6d} {1000 * r['p50']:8.1f} {1000 * r['p95']:8.1f} "
              f"{1000 * r['p99']:8.1f} {1000 * r['max']:8.1f} {r['throughput']:8.0f}")
        if r["errors"]:
            print(f"  first error: {r['first_error']}")
    ours, theirs = results["kg serve"], results["oxigraph serve"]
    print(f"ratio kg/oxigraph: p99 {ours['p99'] / theirs['p99']:.1f}x, throughput {ours['throughput'] / theirs['throughput']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
