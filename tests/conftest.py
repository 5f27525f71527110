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
