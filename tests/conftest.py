"""Shared fixtures: the real dataset, built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _kg_cache(tmp_path_factory):
    """kg add's cache (kg/ingest/cache.py) in a folder of the session, not the user's ~/.cache, for every
    process the tests start too."""
    before = os.environ.get("KG_CACHE")
    os.environ["KG_CACHE"] = str(tmp_path_factory.mktemp("kg-cache"))
    yield
    if before is None:
        os.environ.pop("KG_CACHE", None)
    else:
        os.environ["KG_CACHE"] = before


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


@pytest.fixture(scope="session")
def named_rules():
    """The rules of ontology/shapes that report under their own name (local names).

    Property shapes and node shapes with a join (sh:sparql) or an alternative (sh:or), minus
    those used only inside sh:or or sh:node (they report through the rule that uses them)."""
    from kg.breakage import rule_shapes
    from kg.validate import load_shapes

    return sorted(str(r).rsplit("#", 1)[-1] for r in rule_shapes(load_shapes()))


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch):
    """Tables fit $COLUMNS when it is set (kg.results.terminal_width); tests that do not set it see whole lines."""
    monkeypatch.delenv("COLUMNS", raising=False)
