"""Benchmark of the whole pipeline on an OpenSanctions-sized store (issue 13 §3), beside the plain paths.

    python benchmarks/scale.py --store /path/to/store            # an existing kg Oxigraph store, read only
    python benchmarks/scale.py --entities 1e6 --actor-triples 1e6  # make it first: kg synth + kg import
                                                                   # (~10^7 triples; about an hour here)
    python benchmarks/scale.py --quick                           # a small store: a smoke run (CI)

**Ours** is ``kg run --store oxigraph:PATH``: the pipeline in place on the store (validation,
chains, centrality, report, GEXF and GraphML), read only. **Plain** is what a user would do without
it, on the store's dump (a TriG file, made once as untimed setup):

- ``kg run --input DUMP --store oxigraph:NEW``: today's path for a TriG file, which reads the
  whole graph into memory;
- rdflib: the dump parsed into an rdflib Dataset, then pySHACL, the analyses and the exports on it.

Each runs in its own process group, watched every half second: wall and CPU seconds (user + system,
children included) and peak memory (the process tree's PSS: a forked child's shared pages count
once) for the whole run and for each stage (stages start at the progress lines the command prints).
A run past ``--time-limit`` or above ``--memory-limit`` is stopped and reported as "> limit"; the
ratio is plain / ours. The load average of the machine is recorded: on a shared machine wall times
are inflated, CPU seconds much less. Results go to benchmarks/results/scale-<time>.json and a table
on stdout; nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]

#: Where each stage starts: (stage, a regular expression for the progress line that starts it); a stage ends where
#: the next starts. The first starts with the command.
_ANALYSES = (
    ("networks (projection and queries)", r": reading the actor, side and act networks$"),
    ("centrality", r": computing centrality$"),
    ("chains", r": analysing chains$"),
    ("counts", r": reading the actors' dossiers$"),
    ("report and exports (beside each other)", r"\[3/4\] exporting"),
)
OURS_STAGES = (
    ("start", ""),
    ("validation starts", r"\[1/4\] validating"),
    ("leave out drafts (validation beside)", r"(leave|leaving) out its drafts"),
    *((f"{name} (validation beside)", pattern) for name, pattern in _ANALYSES[:-1]),
    ("wait for the validation", r"analyses done; waiting for the validation"),
    _ANALYSES[-1],
)
#: When the validation that runs beside the analyses ends (reported apart from the stages).
VALIDATION_DONE = r"validation done in"
INPUT_STAGES = (
    ("read the TriG into memory", ""),
    ("validate", r"\[1/4\] validating"),
    *_ANALYSES,
)
RDFLIB_STAGES = (
    ("start", ""),
    ("parse the TriG (rdflib)", r"plain: parsing"),
    ("validate (pySHACL)", r"plain: validating"),
    ("analyses and report", r"plain: analysing"),
    ("exports", r"plain: exporting"),
)

#: The plain path without kg: rdflib, pySHACL, kg's analyses on rdflib, networkx's writers.
RDFLIB = r"""
import sys, time
from pathlib import Path
dump, out = sys.argv[1], Path(sys.argv[2])
print("plain: parsing", file=sys.stderr, flush=True)
from rdflib import Dataset, Graph
dataset = Dataset(default_union=True)
dataset.parse(dump, format="trig")
print("plain: validating", file=sys.stderr, flush=True)
import pyshacl
from kg.validate import load_shapes
union = Graph()
for s, p, o, _ in dataset.quads((None, None, None, None)):
    union.add((s, p, o))
pyshacl.validate(union, shacl_graph=load_shapes(), advanced=True, inference="none")
print("plain: analysing", file=sys.stderr, flush=True)
from kg.report import compute, write_report
data = compute(dataset)
write_report(data, out / "report")
print("plain: exporting", file=sys.stderr, flush=True)
from kg.export import export_graph
for fmt in ("gexf", "graphml"):
    export_graph(dataset, fmt, out / f"sanctions.{fmt}")
"""


def _tree(root: int) -> list[int]:
    """The process and its descendants (by /proc's parent ids)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _cpu(pid: int) -> float:
    """CPU seconds of a process and of its children it has waited for."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(argv: list[str], stages: tuple, time_limit: float, memory_limit_mb: float, cwd: Path = ROOT) -> dict:
    """Run ``argv`` and watch it (see the module docstring); the stages start at the lines of stderr they name."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    samples: list[tuple[float, float, float]] = []  # (seconds, cpu of the tree, pss of the tree)
    marks: list[tuple[float, str]] = [(0.0, stages[0][0])]
    stopped: list[str] = []
    loads: list[float] = []
    lines: list[str] = []

    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pids = _tree(proc.pid)
            now = time.monotonic() - started
            samples.append((now, sum(_cpu(p) for p in pids), sum(_pss_mb(p) for p in pids)))
            loads.append(os.getloadavg()[0])
            if samples[-1][2] > memory_limit_mb and not stopped:
                stopped.append(f"> {memory_limit_mb / 1024:.0f} GB (stopped after {now:.0f} s)")
                os.killpg(proc.pid, signal.SIGKILL)
            elif now > time_limit and not stopped:
                stopped.append(f"> {time_limit:.0f} s (stopped)")
                os.killpg(proc.pid, signal.SIGKILL)
            done.wait(0.5)

    events: dict[str, float] = {}

    def read_stderr() -> None:
        names = [(name, re.compile(pattern)) for name, pattern in stages[1:]]
        for line in proc.stderr:
            lines.append(line.rstrip())
            if re.search(VALIDATION_DONE, line):
                events["validation done"] = round(time.monotonic() - started, 1)
            for name, pattern in names:
                if pattern.search(line.rstrip()) and name not in [m[1] for m in marks]:
                    marks.append((time.monotonic() - started, name))

    watcher, reader = threading.Thread(target=watch), threading.Thread(target=read_stderr)
    watcher.start()
    reader.start()
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # its rusage: CPU of the command and of the children it waited for
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    done.set()
    watcher.join()
    reader.join()
    cpu_end = usage.ru_utime + usage.ru_stime
    result = {
        "argv": argv, "status": stopped[0] if stopped else ("ok" if proc.returncode == 0 else
                                                             f"exit {proc.returncode}: {(lines or [''])[-1][:300]}"),
        "wall": round(wall, 1), "cpu": round(cpu_end, 1),
        "peak_mb": round(max((s[2] for s in samples), default=0.0)),
        "load_average": round(sum(loads) / len(loads), 2) if loads else None,
        "stages": _stages(marks, samples, wall, cpu_end), "events": events, "stdout": stdout[-1500:],
        "stderr": lines[-40:],
    }
    return result


def _stages(marks: list[tuple[float, str]], samples: list[tuple[float, float, float]], end: float,
            cpu_end: float) -> list[dict]:
    out = []
    bounds = sorted(marks) + [(end, "")]
    for (start, name), (stop, _) in zip(bounds, bounds[1:]):
        inside = [s for s in samples if start <= s[0] <= stop]
        if not inside and samples:  # a stage shorter than the sampling interval: the nearest sample
            inside = [min(samples, key=lambda s: abs(s[0] - stop))]
        before = [s for s in samples if s[0] <= start]
        cpu0 = before[-1][1] if before else 0.0
        cpu1 = cpu_end if not stop < end else (inside[-1][1] if inside else cpu0)
        out.append({"stage": name, "wall": round(stop - start, 1), "cpu": round(max(cpu1 - cpu0, 0.0), 1),
                    "peak_mb": round(max((s[2] for s in inside), default=0.0))})
    return out


def make_store(work: Path, entities: int, actor_triples: int) -> Path:
    """A kg store of a synthetic article graph and a synthetic FtM export imported into it (untimed)."""
    store, trig, ftm = work / "store", work / "articles.trig", work / f"synth-{entities}.ftm.json"
    if store.exists():
        return store
    print(f"making the store: {actor_triples} article triples, {entities} FtM entities (untimed)", file=sys.stderr)
    subprocess.run([*KG, "-q", "synth", "--triples", str(actor_triples), "--seed", "1", "--out", str(trig)],
                   cwd=ROOT, check=True)
    subprocess.run([*KG, "-q", "load", str(trig), "--store", f"oxigraph:{store}"], cwd=ROOT, check=True)
    subprocess.run([*KG, "-q", "synth", "--ftm", str(entities), "--seed", "2", "--actors", f"oxigraph:{store}",
                    "--out", str(ftm)], cwd=ROOT, check=True)
    data = work / "data"
    data.mkdir(exist_ok=True)
    subprocess.run([*KG, "-q", "import", str(ftm), "--dataset", "synth", "--data", str(data),
                    "--store", f"oxigraph:{store}"], cwd=ROOT, check=True)
    return store


def dump(store: Path, target: Path) -> Path:
    """The store's quads as one TriG file (what a user of the plain path would have; untimed)."""
    if target.exists():
        return target
    import pyoxigraph

    print(f"dumping {store} to {target} (untimed)", file=sys.stderr)
    partial = target.with_suffix(".partial")
    pyoxigraph.Store.read_only(str(Path(store).resolve())).dump(str(partial), format=pyoxigraph.RdfFormat.TRIG)
    partial.rename(target)
    return target


def _quads(store: Path) -> int:
    import pyoxigraph

    return len(pyoxigraph.Store.read_only(str(Path(store).resolve())))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=None, help="an existing kg Oxigraph store (read only)")
    parser.add_argument("--entities", type=float, default=1e6, help="FtM entities of the store to make (default: 1e6)")
    parser.add_argument("--actor-triples", type=float, default=1e6,
                        help="triples of the synthetic article graph of the store to make (default: 1e6)")
    parser.add_argument("--quick", action="store_true", help="a small store (3,000 triples, 300 entities): a smoke run")
    parser.add_argument("--plain", default="kg-run-input,rdflib",
                        help="the plain paths to run beside ours: kg-run-input, rdflib, or none (default: both)")
    parser.add_argument("--time-limit", type=float, default=1800, help="seconds before a run is stopped (default: 1800)")
    parser.add_argument("--memory-limit", type=float, default=12,
                        help="GB of memory (PSS) above which a run is stopped (default: 12, the target)")
    parser.add_argument("--work", type=Path, default=None, help="keep the store made, the dump and outputs here")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-scale-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.store is not None:
        store = args.store
    else:
        entities, actor_triples = (300, 3000) if args.quick else (int(args.entities), int(args.actor_triples))
        store = make_store(work, entities, actor_triples)
    limit_mb = args.memory_limit * 1024
    result = {"machine": platform.platform(), "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "store": str(store), "quads": _quads(store), "load_before": os.getloadavg()[0],
              "time_limit": args.time_limit, "memory_limit_gb": args.memory_limit, "runs": {}}
    print(f"{result['quads']} quads in {store}; load average {result['load_before']:.2f}", file=sys.stderr)
    out = work / "outputs"
    result["runs"]["ours"] = measure([*KG, "run", "--store", f"oxigraph:{store}", "--out", str(out / "ours")],
                                     OURS_STAGES, args.time_limit, limit_mb)
    print(_lines("ours: kg run --store (in place)", result["runs"]["ours"]), flush=True)
    plains = [p for p in args.plain.split(",") if p and p != "none"]
    if plains:
        trig = dump(store, work / "dump.trig")
    if "kg-run-input" in plains:
        target = work / f"input-store-{time.time_ns()}"
        run = measure([*KG, "run", "--input", str(trig), "--store", f"oxigraph:{target}", "--out",
                       str(out / "input")], INPUT_STAGES, args.time_limit, limit_mb)
        shutil.rmtree(target, ignore_errors=True)
        shutil.rmtree(f"{target}.versions", ignore_errors=True)
        result["runs"]["kg run --input"] = run
        print(_lines("plain: kg run --input (the dump read into memory)", run), flush=True)
    if "rdflib" in plains:
        run = measure([sys.executable, "-c", RDFLIB, str(trig), str(out / "rdflib")], RDFLIB_STAGES,
                      args.time_limit, limit_mb)
        result["runs"]["rdflib"] = run
        print(_lines("plain: rdflib + pySHACL + analyses", run), flush=True)
    ours = result["runs"]["ours"]
    for name, run in result["runs"].items():
        if name != "ours":
            run["ratio_plain_over_ours"] = _ratio(run, ours)
            print(f"{name} / ours: {run['ratio_plain_over_ours']}")
    result["load_after"] = os.getloadavg()[0]
    provisional = max(r["load_average"] or 0 for r in result["runs"].values()) > 1.0
    result["provisional"] = provisional
    if provisional:
        print("PROVISIONAL: the load average was above 1 during the runs (other processes on the machine); "
              "compare CPU seconds, and re-measure in a quiet window", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"scale-{time.strftime('%Y%m%dT%H%M%S')}.json"
    target.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"results: {target}", file=sys.stderr)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _ratio(plain: dict, ours: dict) -> str:
    if ours["status"] != "ok":
        return "-"
    if plain["status"] != "ok":
        return f"{plain['status'].split(' (')[0]} / {ours['wall']:.0f} s"
    return f"{plain['wall'] / ours['wall']:.1f}x (CPU {plain['cpu'] / max(ours['cpu'], 0.1):.1f}x)"


def _lines(title: str, run: dict) -> str:
    rows = [f"{title}: {run['status']}; {run['wall']:.1f} s wall, {run['cpu']:.1f} s CPU, peak {run['peak_mb']} MB "
            f"(load average {run['load_average']})"]
    for name, at in run.get("events", {}).items():
        rows.append(f"    ({name} at {at:.1f} s)")
    for stage in run["stages"]:
        rows.append(f"    {stage['stage']:<42} {stage['wall']:8.1f} s wall {stage['cpu']:8.1f} s CPU "
                    f"{stage['peak_mb']:7} MB")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
