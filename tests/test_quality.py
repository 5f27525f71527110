"""The quality queries (queries/*-violation.rq), as the shapes have tests/shapes: each has an
invalid case that must return rows and a valid case that must return none.

One source for each rule: a rule lives in a shape, unless it needs what SHACL on the union of
the graphs cannot see (which named graph a triple is in); then, and only then, in a query.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset

from kg.query import load_catalogue, run_query

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).parent / "quality"
CHECKS = sorted(p.name.removesuffix(".rq") for p in (ROOT / "queries").glob("*-violation.rq"))


def _rows(name: str, case: Path) -> list:
    ds = Dataset(default_union=True)
    ds.parse(case, format="trig")
    return list(run_query(ds, load_catalogue()[name]))


def _case(kind: str, name: str) -> Path:
    return HERE / kind / f"{name.removesuffix('-violation')}.trig"


def test_there_are_quality_checks():
    assert CHECKS


@pytest.mark.parametrize("name", CHECKS)
def test_a_quality_check_is_a_query_only_when_it_reads_named_graphs(name):
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    assert re.search(r"\bGRAPH\b", text), f"{name} could be a shape: move it to ontology/shapes"


@pytest.mark.parametrize("name", CHECKS)
def test_the_invalid_case_of_a_quality_check_returns_the_rows_it_names(name):
    case = _case("invalid", name)
    (expected,) = re.findall(r"^# expect: (\d+) rows?$", case.read_text(encoding="utf-8"), re.M)
    assert len(_rows(name, case)) == int(expected)


@pytest.mark.parametrize("name", CHECKS)
def test_the_valid_case_of_a_quality_check_returns_no_row(name):
    assert _rows(name, _case("valid", name)) == []
