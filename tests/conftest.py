"""Shared fixtures: the real dataset, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def dataset():
    """The dataset that `kg build` makes from the project's data/ (not validated here)."""
    from kg.build import build

    return build(ROOT / "data", ROOT / "ontology")


@pytest.fixture(scope="session")
def article_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / "data" / "articles").glob("*.txt")}


@pytest.fixture(scope="session")
def ontology():
    """The ontology and the concept schemes, as one graph: what the shape cases are validated with."""
    from rdflib import Graph

    g = Graph()
    for name in ("sanctions.ttl", "schemes.ttl"):
        g.parse(ROOT / "ontology" / name)
    return g


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch):
    """Tables fit $COLUMNS when it is set (kg.results.terminal_width); tests that do not set it see whole lines."""
    monkeypatch.delenv("COLUMNS", raising=False)
