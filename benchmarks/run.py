"""Benchmarks: every stage on synthetic graphs, our path beside the plain path, with ratios.

    python benchmarks/run.py                      # sizes 1e4 and 1e5, all stages
    python benchmarks/run.py --sizes 1e4,1e5,1e6 --skip-validate-above 1e4
    python benchmarks/run.py --quick              # the seed graph and 1e4 only (CI smoke run)
    python benchmarks/run.py --sizes 1e4,1e5,1e6 --plain-timeout 300   # the issue-5 run, see BENCHMARKS.md

Each measurement runs in a fresh Python process (so peak memory is its own):
the untimed setup (parsing, opening a store) happens first, then the timed
work. Results go to benchmarks/results/<time>.json and a table on stdout;
BENCHMARKS.md summarises a run. No assertion is made on time here or in the
test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("sanctions", "retaliations", "multiply-sanctioned")

#: stage -> (plain path, our path, other engines measured beside them); each name is a function below.
STAGES = {
    "load": ("load_rdflib", "load_oxigraph", "load_pyoxigraph"),
    "query": ("query_rdflib", "query_oxigraph", "query_pyoxigraph"),
    "cold_query": ("cold_query_rdflib", "cold_query_kg"),
    "cold_query_store": ("cold_query_rdflib", "cold_query_kg_store"),
    "validate": ("validate_pyshacl", "validate_kg", "validate_pyrudof"),
    "validate_article": ("validate_kg", "validate_article_kg"),
    "chains": ("chains_rdflib", "chains_oxigraph"),
    "betweenness": ("betweenness_networkx", "betweenness_kg"),
    "communities": ("communities_greedy", "communities_kg"),
    "pagerank": ("pagerank_networkx", "pagerank_kg"),
    "gexf": ("gexf_rdflib", "gexf_oxigraph"),
    "pipeline": ("pipeline_plain", "pipeline_kg"),
}
#: Measurements too slow (or too big) above a size: skipped there, and said so.
SKIP_ABOVE = {"validate_pyshacl": 1e4, "validate_pyrudof": 1e5}


# --------------------------------------------------------------- measurements
# Each returns a callable: the timed part. Everything before the return is setup.


def load_rdflib(trig, store):
    from rdflib import Dataset

    return lambda: Dataset(default_union=True).parse(trig, format="trig")


def load_oxigraph(trig, store):
    from kg.store import load_oxigraph as load

    return lambda: load(trig, Path(store) / f"load-{time.time_ns()}")


def load_pyoxigraph(trig, store):
    """The fastest engine: pyoxigraph's bulk loader into a fresh directory, no versions, no swap."""
    import pyoxigraph

    def load():
        raw = pyoxigraph.Store(str(Path(store).parent / f"raw-{time.time_ns()}"))
        raw.bulk_load(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
        raw.flush()

    return load


def _memory(trig):
    from kg.io import read_dataset

    return read_dataset(trig)


def _oxigraph(store):
    from kg.store import open_dataset

    return open_dataset(f"oxigraph:{store}")


def _queries(dataset):
    from kg.query import load_catalogue, run_query

    catalogue = load_catalogue(ROOT / "queries")
    return lambda: [len(list(run_query(dataset, catalogue[name]))) for name in QUERIES]


def query_rdflib(trig, store):
    return _queries(_memory(trig))


def query_oxigraph(trig, store):
    return _queries(_oxigraph(store))


def query_pyoxigraph(trig, store):
    """The fastest engine: the same query texts on pyoxigraph directly, no rdflib terms made."""
    import pyoxigraph

    from kg.query import load_catalogue

    catalogue = load_catalogue(ROOT / "queries")
    native = pyoxigraph.Store.read_only(str(Path(store).resolve()))
    return lambda: [sum(1 for _ in native.query(catalogue[name].text, use_default_graph_as_union=True))
                    for name in QUERIES]


def validate_pyshacl(trig, store):
    import pyshacl
    from rdflib import Dataset, Graph

    from kg.validate import load_shapes

    data = Graph()  # the union of the named graphs, as a user would hand it to pySHACL
    for s, p, o, _ in Dataset().parse(trig, format="trig").quads((None, None, None, None)):
        data.add((s, p, o))
    shapes = load_shapes(ROOT / "ontology" / "shapes")
    return lambda: pyshacl.validate(data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True)[0]


def validate_kg(trig, store):
    """kg validate --store oxigraph:PATH: the shapes compiled to SPARQL, run in the store."""
    from kg.validate import load_shapes, validate

    dataset = _oxigraph(store)
    shapes = load_shapes(ROOT / "ontology" / "shapes")
    return lambda: validate(dataset, shapes).conforms


def validate_pyrudof(trig, store):
    """pyrudof (rudof, Rust) on the union of the named graphs, as N-Triples; loading it is setup."""
    import pyoxigraph
    import pyrudof

    ox = pyoxigraph.Store()
    ox.bulk_load(path=str(trig), format=pyoxigraph.RdfFormat.TRIG)
    nt = Path(store).parent / "union.nt"
    with open(nt, "wb") as out:
        for quad in ox.quads_for_pattern(None, None, None, None):
            out.write(f"{quad.triple} .\n".encode())
    del ox
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(nt), pyrudof.RDFFormat.NTriples)
    shapes = ROOT / "ontology" / "shapes" / "sanctions-shapes.ttl"
    rudof.read_shacl(str(shapes), pyrudof.ShaclFormat.Turtle)
    return lambda: rudof.validate_shacl().conforms


def validate_article_kg(trig, store):
    """kg validate --graph: one article graph of the store, and what it can affect."""
    from kg.validate import load_shapes, scope, validate

    dataset = _oxigraph(store)
    shapes = load_shapes(ROOT / "ontology" / "shapes")
    articles = sorted(str(g.identifier) for g in dataset.graphs() if "/graph/article/" in str(g.identifier))
    graph = articles[len(articles) // 2]
    return lambda: validate(dataset, shapes, focus=scope(dataset, [graph], shapes)).conforms


def _cold(argv, cwd=ROOT):
    return lambda: subprocess.run(argv, check=True, capture_output=True, cwd=cwd)


def cold_query_rdflib(trig, store):
    """A fresh interpreter that parses the TriG with rdflib and runs one catalogue query."""
    code = ("import sys; from rdflib import Dataset; d = Dataset(default_union=True); "
            "d.parse(sys.argv[1], format='trig'); "
            "print(len(list(d.query(open(sys.argv[2]).read()))))")
    return _cold([sys.executable, "-c", code, str(trig), str(ROOT / "queries" / "sanctions.rq")])


def cold_query_kg(trig, store):
    """`kg query sanctions` as a user runs it: a fresh process, the memory store (out/kg.trig)."""
    cwd = Path(store).parent / "cold"
    (cwd / "out").mkdir(parents=True, exist_ok=True)
    (cwd / "out" / "kg.trig").unlink(missing_ok=True)
    (cwd / "out" / "kg.trig").symlink_to(Path(trig).resolve())
    return _cold([str(Path(sys.executable).parent / "kg"), "-q", "query", "sanctions"], cwd=cwd)


def cold_query_kg_store(trig, store):
    """`kg query sanctions --store oxigraph:PATH` in a fresh process: the path for a large graph."""
    return _cold([str(Path(sys.executable).parent / "kg"), "-q", "query", "sanctions", "--store", f"oxigraph:{store}"])


def _chains(dataset):
    from kg.analysis import chain_analysis

    return lambda: len(chain_analysis(dataset)["chains"])


def chains_rdflib(trig, store):
    return _chains(_memory(trig))


def chains_oxigraph(trig, store):
    return _chains(_oxigraph(store))


def _collapsed(store):
    from kg.analysis import networks
    from kg.analysis.centrality import collapse

    return collapse(networks.actor_network(_oxigraph(store)))


def betweenness_networkx(trig, store):
    import networkx as nx

    D = _collapsed(store)
    return lambda: nx.betweenness_centrality(D)


def betweenness_kg(trig, store):
    from kg.analysis.centrality import betweenness

    D = _collapsed(store)
    return lambda: betweenness(D)  # igraph, including the conversion


def communities_greedy(trig, store):
    import networkx as nx

    U = _collapsed(store).to_undirected()
    return lambda: nx.community.greedy_modularity_communities(U, weight="weight")


def communities_kg(trig, store):
    from kg.analysis.centrality import communities

    D = _collapsed(store)
    return lambda: communities(D)  # Louvain


def pagerank_networkx(trig, store):
    import networkx as nx

    D = _collapsed(store)
    return lambda: nx.pagerank(D, weight="weight")


def pagerank_kg(trig, store):
    from kg.analysis.centrality import pagerank

    D = _collapsed(store)
    return lambda: pagerank(D)  # igraph, including the conversion


def _gexf(dataset, out):
    from kg.export import export_graph

    return lambda: export_graph(dataset, "gexf", out)


def gexf_rdflib(trig, store):
    return _gexf(_memory(trig), Path(store).parent / "plain.gexf")


def gexf_oxigraph(trig, store):
    return _gexf(_oxigraph(store), Path(store).parent / "ours.gexf")


def pipeline_plain(trig, store):
    """Build to exports the plain way: rdflib parses the file, pySHACL validates, the analyses read rdflib."""
    out = Path(store).parent / "plain-run"

    def run():
        import pyshacl
        from rdflib import Graph

        from kg.export import export_graph
        from kg.report import compute, write_report
        from kg.validate import load_shapes

        dataset = _memory(trig)
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        pyshacl.validate(union, shacl_graph=load_shapes(ROOT / "ontology" / "shapes"), advanced=True, inference="none")
        write_report(compute(dataset), out / "report")
        for fmt in ("gexf", "graphml"):
            export_graph(dataset, fmt, out / f"sanctions.{fmt}")

    return run


def pipeline_kg(trig, store):
    """kg run --input FILE --store oxigraph:PATH: load, validate, report and exports in one process."""
    from kg.cli import main

    where = Path(store).parent
    return lambda: main(["-q", "run", "--input", str(trig), "--store", f"oxigraph:{where / 'run-store'}",
                         "--out", str(where / "run-out")])


# ------------------------------------------------------------------- harness


#: Stages whose first call pays for lazy imports (scipy in networkx's PageRank): warmed up untimed.
WARM_UP = frozenset({"pagerank_networkx", "pagerank_kg", "betweenness_kg"})  # the kg ones: importing igraph


def child(name: str, trig: str, store: str) -> None:
    work = globals()[name](trig, store)
    if name in WARM_UP:
        work()
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb}))


def _peak_mb() -> float:
    """Peak resident memory of this process or of a command it ran (the cold stages), in MB.

    Linux's ru_maxrss survives fork and exec, so a child would report at least the harness's
    own peak (the synthetic graph it generated); VmHWM belongs to the address space, which
    exec replaces. A command this child ran starts from this small process, so its
    RUSAGE_CHILDREN figure is its own."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB; where /proc has no VmHWM
    try:
        own = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def measure(name: str, trig: Path, store: Path, timeout: float) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, str(trig), str(store)],
            capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "error": f"over {timeout:g} s"}
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]  # empty when killed
        return {"seconds": None, "peak_mb": None, "error": last[:200]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e4,1e5", help="triples per synthetic graph, comma-separated (default: 1e4,1e5)")
    parser.add_argument("--stages", default=",".join(STAGES), help="stages to run (default: all)")
    parser.add_argument("--skip-validate-above", type=float, default=1e4, help="no pySHACL above this size (it is slow)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per measurement of ours before it is given up")
    parser.add_argument("--plain-timeout", type=float, default=900,
                        help="seconds per measurement of the plain path and other engines before it is given up")
    parser.add_argument("--quick", action="store_true", help="the seed graph and 1e4 only: a smoke run for CI")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="where the JSON results go")
    args = parser.parse_args(argv)

    from kg.build import build
    from kg.io import atomic_write, trig_bytes
    from kg.namespace import PREFIXES
    from kg.store import load_oxigraph
    from kg.synth import write_synth

    SKIP_ABOVE["validate_pyshacl"] = args.skip_validate_above
    sizes = ["seed", 10_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    stages = [s for s in args.stages.split(",") if s]
    results = {"machine": {"python": platform.python_version(), "platform": platform.platform(),
                           "processor": platform.processor() or platform.machine(), "cpus": _cpus()},
               "runs": []}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for size in sizes:
            trig = Path(tmp) / f"graph-{size}.trig"
            if size == "seed":
                atomic_write(trig, trig_bytes(build(), PREFIXES))
                triples = sum(1 for _ in trig.open())  # lines, for the table only
            else:
                triples, _ = write_synth(trig, size, seed=1)
            store = Path(tmp) / f"store-{size}"
            store.mkdir()
            load_oxigraph(trig, store / "kg")
            for stage in stages:
                plain_name, ours_name, *others = STAGES[stage]
                timed = {}
                for name in (plain_name, ours_name, *others):
                    if size != "seed" and size > SKIP_ABOVE.get(name, float("inf")):
                        timed[name] = {"seconds": None, "peak_mb": None, "error": "skipped at this size"}
                        continue
                    limit = args.timeout if name == ours_name else args.plain_timeout
                    timed[name] = measure(name, trig, store / "kg", limit)
                plain, ours = timed[plain_name], timed[ours_name]
                ratio = plain["seconds"] / ours["seconds"] if plain.get("seconds") and ours.get("seconds") else None
                row = {"size": size, "triples": triples, "stage": stage, "plain": plain_name, "ours": ours_name,
                       "plain_s": plain.get("seconds"), "ours_s": ours.get("seconds"),
                       "plain_mb": plain.get("peak_mb"), "ours_mb": ours.get("peak_mb"), "speedup": ratio,
                       "others": {n: {"s": timed[n].get("seconds"), "mb": timed[n].get("peak_mb"),
                                      "ratio_to_ours": (timed[n]["seconds"] / ours["seconds"]
                                                        if timed[n].get("seconds") and ours.get("seconds") else None)}
                                  for n in others},
                       "errors": {n: v["error"] for n, v in timed.items() if "error" in v}}
                results["runs"].append(row)
                print(_format(row), flush=True)
    results["growth"] = growth(results["runs"])
    for line in results["growth"]["lines"]:
        print(line)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{time.strftime('%Y%m%dT%H%M%S')}.json"
    atomic_write(path, json.dumps(results, indent=2))
    print(f"results: {path}")
    return 0


def growth(runs: list[dict]) -> dict:
    """How each stage's time grows from the smallest to the largest synthetic size, against n log n."""
    import math

    out = {"stages": {}, "lines": []}
    by_stage: dict = {}
    for row in runs:
        if row["size"] != "seed" and row.get("ours_s"):
            by_stage.setdefault(row["stage"], []).append((row["triples"], row["ours_s"]))
    for stage, points in by_stage.items():
        if len(points) < 2:
            continue
        (n1, t1), (n2, t2) = min(points), max(points)
        exponent = math.log(t2 / t1) / math.log(n2 / n1)
        nlogn = (n2 * math.log(n2)) / (n1 * math.log(n1))
        worse = t2 / t1 > 1.25 * nlogn  # a quarter of slack for noise
        out["stages"][stage] = {"n1": n1, "n2": n2, "t1": t1, "t2": t2, "exponent": exponent,
                                "time_ratio": t2 / t1, "nlogn_ratio": nlogn, "worse_than_nlogn": worse}
        out["lines"].append(f"growth {stage:<17} time x{t2 / t1:7.1f} for triples x{n2 / n1:5.0f} "
                            f"(n log n: x{nlogn:6.1f}; exponent {exponent:4.2f})"
                            + ("  GROWS FASTER THAN n log n" if worse else ""))
    return out


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _format(row: dict) -> str:
    def t(v):
        return "   -   " if v is None else f"{v:7.3f}"

    def m(v):
        return "  -  " if v is None else f"{v:5.0f}"

    ratio = "  -  " if row["speedup"] is None else f"{row['speedup']:6.1f}x"
    errors = f"  {row['errors']}" if row["errors"] else ""
    for name, other in row.get("others", {}).items():
        errors += f" | {name} {t(other['s'])} s {m(other['mb'])} MB"
    return (f"{str(row['size']):>8} {row['stage']:<12} plain {row['plain']:<22} {t(row['plain_s'])} s {m(row['plain_mb'])} MB"
            f" | ours {row['ours']:<20} {t(row['ours_s'])} s {m(row['ours_mb'])} MB | speed-up {ratio}{errors}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        child(*sys.argv[2:5])
    else:
        sys.path.insert(0, str(ROOT))
        sys.exit(main())
