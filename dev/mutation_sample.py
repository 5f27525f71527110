"""Run a seeded uniform random sample of mutmut's mutants and estimate each module's kill rate.

Running every mutant takes hours on a small machine (dev/MUTATION.md); a uniform random sample of
each module's mutants gives an unbiased estimate of the share the tests kill, with a 95% Wilson
interval. The sample depends only on the seed and the list of mutant names, so it is the same on
every machine for the same source.

    nice -n 10 .venv/bin/python dev/mutation_sample.py                # run the default sample
    .venv/bin/python dev/mutation_sample.py --report                  # tally what has run, run nothing
    nice -n 10 .venv/bin/python dev/mutation_sample.py --size kg.query=10 --seed 7

mutmut must have generated its mutants first (``mutants/kg/*.py.meta``): if they are missing, this
runs ``mutmut run`` on the first mutant of the list to make them. Results stay in ``mutants/``; a
second run skips the mutants that already have one.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")
DEFAULT_SIZES = {"kg.shacl_sparql": 60, "kg.prebind": 30, "kg.query": 30}

# mutmut.stats.status_by_exit_code (mutmut 3.8), folded into what the report needs
STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", None: "not run"}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion k/n.

    >>> [round(x, 3) for x in wilson(9, 10)]
    [0.596, 0.982]
    """
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def results(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / (module.replace(".", "/") + ".py.meta")
    return json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]


def sample(sizes: dict[str, int], seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {m: sorted(rng.sample(sorted(results(m)), min(n, len(results(m))))) for m, n in sizes.items()}


def report(chosen: dict[str, list[str]]) -> int:
    print(f"{'module':<18}{'mutants':>8}{'sampled':>8}{'killed':>7}{'survived':>9}{'other':>6}  kill rate (95% Wilson)")
    pending = 0
    for module, names in chosen.items():
        codes = results(module)
        status = [STATUS.get(codes[n], "suspicious") for n in names]
        killed, survived = status.count("killed"), status.count("survived")
        judged = killed + survived
        pending += status.count("not run")
        low, high = wilson(killed, judged)
        other = len(names) - judged
        rate = f"{killed / judged:.0%} ({low:.0%}-{high:.0%})" if judged else "-"
        print(f"{module:<18}{len(codes):>8}{len(names):>8}{killed:>7}{survived:>9}{other:>6}  {rate}")
        for name, s in zip(names, status):
            if s != "killed":
                print(f"    {s:<10} {name}")
    return pending


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=15, help="random seed (default 15, the issue)")
    parser.add_argument("--size", action="append", default=[], metavar="MODULE=N",
                        help="sample size per module (default: " +
                             ", ".join(f"{m}={n}" for m, n in DEFAULT_SIZES.items()) + ")")
    parser.add_argument("--report", action="store_true", help="only tally the sample's results so far")
    args = parser.parse_args(argv)
    sizes = dict(DEFAULT_SIZES)
    if args.size:
        sizes = {m: int(n) for m, n in (s.split("=", 1) for s in args.size)}
    if not (ROOT / "mutants" / "kg" / "query.py.meta").exists():
        if args.report:
            print("no mutants/ yet: run without --report first", file=sys.stderr)
            return 2
        subprocess.run([str(MUTMUT), "run", "--max-children", "1", "kg.query.x__article_actor__mutmut_1"],
                       cwd=ROOT, check=False)
    chosen = sample(sizes, args.seed)
    if not args.report:
        for module, names in chosen.items():  # one module at a time: an interrupted run keeps the others
            subprocess.run([str(MUTMUT), "run", "--max-children", "1", *names], cwd=ROOT, check=False)
    pending = report(chosen)
    return 0 if not pending else 1


if __name__ == "__main__":
    sys.exit(main())
