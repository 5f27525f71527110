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


# (metric, precision floor, recall floor)
EVAL_FLOORS = [("links", 0.98, 0.91), ("kinds", 0.90, 0.80), ("dates", 0.88, 0.88), ("counts", 0.98, 0.83),
               ("measures", 0.98, 0.90), ("responses", 0.98, 0.90), ("speakers", 0.88, 0.80), ("reuse", 0.98, 0.88)]
# The seed floors of kinds, speakers and reuse were measured again when issue 11 corrected the seed
# facts, the rules unchanged: "The United States, UK and the European Union have also imposed sanctions"
# became three mentions, not sanctions (3 fewer kinds drafted and expected; their three imposers left
# reuse on both sides), and "A spokesman for China's foreign ministry" became the unnamed person who
# spoke, which the rules draft as the ministry (one kind, one speaker and one reuse fewer hit).
SEED_FLOORS = [("links", 0.98, 0.93), ("kinds", 0.85, 0.60), ("counts", 0.98, 0.98), ("measures", 0.98, 0.98),
               ("speakers", 0.75, 0.60), ("reuse", 0.70, 0.98)]


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
