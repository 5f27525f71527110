"""The synthetic workload conforms, and validation finds exactly the violations injected."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from kg.synth import INJECTED, synthesize
from kg.validate import validate

ID = "https://w3id.org/sanctions-kg/id/"


def _dataset(synth) -> Dataset:
    ds = Dataset(default_union=True)
    ds.parse(data=ox.serialize(synth.quads, format=ox.RdfFormat.TRIG), format="trig")
    return ds


def _full(iri: str) -> str:
    iri = iri.strip("<>")
    return ID + "act/" + iri[4:] if iri.startswith("act:") else iri


@pytest.mark.slow
def test_clean_synth_conforms():
    report = validate(_dataset(synthesize(2500, seed=5)))
    assert report.conforms, report.format()[:2000]


@pytest.mark.slow
def test_validation_finds_exactly_the_injected_violations():
    synth = synthesize(2500, seed=6, violations=2)
    assert all(len(synth.truth[name]) == 2 for name in INJECTED)
    found: dict[str, set[str]] = {}
    for result in validate(_dataset(synth)).violations:
        found.setdefault(result.shape, set()).add(_full(result.focus))
    assert found == synth.truth


def test_repeatable_and_seeded():
    a = ox.serialize(synthesize(5000, seed=1).quads, format=ox.RdfFormat.TRIG)
    b = ox.serialize(synthesize(5000, seed=1).quads, format=ox.RdfFormat.TRIG)
    c = ox.serialize(synthesize(5000, seed=2).quads, format=ox.RdfFormat.TRIG)
    assert a == b and a != c


def test_size_and_skew():
    synth = synthesize(40_000, seed=3)
    assert 40_000 <= len(synth.quads) <= 44_000
    imposers: dict[str, int] = {}
    for quad in synth.quads:
        if quad.predicate.value.endswith("#imposedBy"):
            imposers[quad.object.value] = imposers.get(quad.object.value, 0) + 1
    counts = sorted(imposers.values(), reverse=True)
    top = max(1, len(counts) // 10)
    assert sum(counts[:top]) >= 0.4 * sum(counts)  # the top tenth of imposers make 40% of the sanctions
    assert counts[0] >= 5 * counts[len(counts) // 2]  # far above the median imposer
