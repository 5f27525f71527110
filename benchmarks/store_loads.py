"""Loading a TriG file into each store, our path beside the plain path a user would take, with the ratio.

    python benchmarks/store_loads.py                        # 1e5 and 1e6 triples, every store
    python benchmarks/store_loads.py --sizes 1e4 --stores oxigraph,oxigraph-server

Stores and paths (each measurement in a fresh process and, for a server, a fresh database):

oxigraph           ``kg load FILE --store oxigraph:PATH`` (new version, lock, swap) beside raw pyoxigraph
                   ``Store(path).bulk_load`` (what kg's load is built on)
oxigraph-server    ``kg load FILE --store sparql:URL``: one DROP, then the TriG in one ``POST /store``;
                   beside the plain path, one SPARQL Update ``INSERT DATA`` request (kg's path before)
virtuoso           ``kg load FILE --store sparql:URL``: a Graph Store protocol ``PUT`` per graph; beside the
                   same single SPARQL Update request

The synthetic file is written by ``kg synth`` first (untimed). Wall time includes the command's start
(Python, imports: ~1 s). Results: a table on stdout and benchmarks/results/store-loads-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import servers  # noqa: E402

KG = [sys.executable, "-m", "kg.cli", "-q"]
PLAIN_UPDATE = ("import sys; from kg.store import load_remote; "
                "load_remote(sys.argv[1], sys.argv[2], bulk=False)")
RAW_PYOXIGRAPH = ("import sys, pyoxigraph; s = pyoxigraph.Store(sys.argv[2]); "
                  "s.bulk_load(path=sys.argv[1], format=pyoxigraph.RdfFormat.TRIG); s.flush()")


def timed(command: list[str], env: dict | None = None, timeout: float = 3600) -> tuple[float | None, str]:
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout:.0f} s"
    took = time.monotonic() - started
    if done.returncode != 0:
        return None, (done.stderr.strip().splitlines() or ["failed"])[-1][:200]
    return took, ""


def measure(store: str, trig: Path, work: Path, timeout: float) -> dict:
    """(ours, plain) seconds for one store and one file."""
    results = {}
    for path in ("ours", "plain"):
        folder = Path(tempfile.mkdtemp(dir=work))
        if store == "oxigraph":
            command = ([*KG, "load", str(trig), "--store", f"oxigraph:{folder / 'store'}"] if path == "ours"
                       else [sys.executable, "-c", RAW_PYOXIGRAPH, str(trig), str(folder / "raw")])
            results[path] = timed(command, timeout=timeout)
            continue
        start = servers.start_oxigraph if store == "oxigraph-server" else servers.start_virtuoso
        url, stop = start(folder / "db")
        try:
            env = dict(os.environ)
            if store == "virtuoso":  # Virtuoso takes updates on its query endpoint
                env["KG_SPARQL_UPDATE"] = url
            command = ([*KG, "load", str(trig), "--store", f"sparql:{url}"] if path == "ours"
                       else [sys.executable, "-c", PLAIN_UPDATE, str(trig), url])
            results[path] = timed(command, env=env, timeout=timeout)
        finally:
            stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e5,1e6", help="triples, comma-separated (default: 1e5,1e6)")
    parser.add_argument("--stores", default="oxigraph,oxigraph-server,virtuoso")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a load may take (default: 1800)")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    stores = args.stores.split(",")
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-store-loads-") as tmp:
        work = Path(tmp)
        for size in sizes:
            trig = work / f"synth-{size}.trig"
            subprocess.run([*KG, "synth", "--triples", str(size), "--seed", "1", "--out", str(trig)], check=True)
            for store in stores:
                got = measure(store, trig, work, args.timeout)
                (ours, why_ours), (plain, why_plain) = got["ours"], got["plain"]
                rows.append({"size": size, "store": store, "ours_s": ours, "plain_s": plain,
                             "ratio": round(plain / ours, 2) if ours and plain else None,
                             "ours_error": why_ours, "plain_error": why_plain})
                print(f"{size:>9,}  {store:<16} ours {ours and f'{ours:7.1f} s' or why_ours:>12}   "
                      f"plain {plain and f'{plain:7.1f} s' or why_plain:>12}   "
                      f"plain/ours {rows[-1]['ratio'] or '-'}", flush=True)
    out = ROOT / "benchmarks" / "results" / time.strftime("store-loads-%Y%m%dT%H%M%S.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"host": os.uname().nodename, "cpus": os.cpu_count(), "rows": rows}, indent=2))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
