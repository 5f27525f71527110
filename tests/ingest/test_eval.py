"""kg add's drafts scored against the facts a curator wrote: the evaluation set and the seed articles.

The expected facts are in tests/ingest/eval/*.yaml (written from each text by hand) and in
data/facts/*.ttl (curated by hand); kg/ingest/score.py counts the matches. The floors below are
the issue's targets where it sets one (imposer->target links: precision 0.95; recall 0.85 on the
evaluation set, 0.75 on the seeds; every quote verbatim; no duplicate of an existing actor), and
otherwise the figures reached when these tests were written (BENCHMARKS.md), so that a change to
the rules that makes the drafts worse fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest.score import METRICS, Score, evaluate_seeds, evaluate_set

ROOT = Path(__file__).resolve().parents[2]


def _total(results) -> Score:
    total = Score()
    for _, s in results:
        total += s
    return total


@pytest.fixture(scope="module")
def eval_set() -> Score:
    results = evaluate_set(ROOT / "tests" / "ingest" / "eval", ROOT / "data")
    assert len(results) >= 15
    return _total(results)


@pytest.fixture(scope="module")
def seeds() -> Score:
    results = evaluate_seeds(ROOT / "data")
    assert len(results) >= 2
    return _total(results)


# (metric, precision floor, recall floor): just under the figures reached on the 20 articles (BENCHMARKS.md)
EVAL_FLOORS = [("links", 0.98, 0.94), ("kinds", 0.89, 0.84), ("dates", 0.85, 0.90), ("counts", 0.95, 0.83),
               ("measures", 0.87, 0.93), ("responses", 0.92, 0.81), ("speakers", 0.84, 0.78), ("reuse", 0.98, 0.96)]
# Seed kinds recall: 27 / 35 before issue 11 made the 2024 seed's "The United States, UK and the European
# Union have also imposed sanctions" three mentions, not sanctions; the rules draft them as mentions now,
# so three hits left the drafted and the expected acts alike: 24 / 32.
SEED_FLOORS = [("links", 0.98, 0.98), ("kinds", 0.98, 0.74), ("counts", 0.98, 0.98), ("measures", 0.98, 0.98),
               ("speakers", 0.98, 0.78), ("reuse", 0.98, 0.98), ("responses", 0.49, 0.49)]


@pytest.mark.parametrize("metric, precision, recall", EVAL_FLOORS)
def test_evaluation_set_meets_its_floor(eval_set, metric, precision, recall):
    t = eval_set.tallies[metric]
    assert t.precision >= precision and t.recall >= recall, (metric, t)


@pytest.mark.parametrize("metric, precision, recall", SEED_FLOORS)
def test_seed_articles_meet_their_floor(seeds, metric, precision, recall):
    t = seeds.tallies[metric]
    assert t.precision >= precision and t.recall >= recall, (metric, t)


def test_imposer_target_links_meet_the_issue_targets(eval_set, seeds):
    assert eval_set.tallies["links"].precision >= 0.95 and eval_set.tallies["links"].recall >= 0.85
    assert seeds.tallies["links"].precision >= 0.95 and seeds.tallies["links"].recall >= 0.75


@pytest.mark.parametrize("which", ["eval_set", "seeds"])
def test_every_drafted_quote_is_verbatim_and_no_existing_actor_is_duplicated(request, which):
    score = request.getfixturevalue(which)
    assert score.quotes > 0 and score.verbatim == score.quotes
    assert score.duplicates == []


def test_every_metric_is_measured(eval_set):
    assert all(eval_set.tallies[m].expected > 0 for m in METRICS)
