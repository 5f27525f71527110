"""kg add's cache of compiled rules and of the graph's actor index (kg/ingest/cache.py): never stale, never needed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.ingest import cache
from kg.ingest import rules as rules_module
from kg.ingest.actors import GraphIndex
from kg.ingest.rules import load_rules

ROOT = Path(__file__).resolve().parents[2]
NEW_RULE = """
  - id: sanction.test-only
    kind: sanction
    voice: active
    pattern: "zapped"
"""
NEW_ACTOR = """@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/sanctions-kg/id/actor/zorblax-institute> a kg:ThinkTank ; rdfs:label "Zorblax Institute"@en .
"""


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder, and no rules kept in memory by an earlier test."""
    monkeypatch.setenv("KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(rules_module, "_LOADED", {})
    return tmp_path / "cache"


def _rules_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", folder)
    return folder


def test_rules_cache_gives_the_rules_read_from_the_files(fresh, tmp_path, monkeypatch):
    folder = _rules_copy(tmp_path)
    compiled = load_rules(folder)
    assert len(list(fresh.glob("rules-*.pickle"))) == 1
    monkeypatch.setattr(rules_module, "_LOADED", {})  # as a new process would: from the cache file
    again = load_rules(folder)
    assert again is not compiled
    assert [r.id for r in again.acts] == [r.id for r in compiled.acts]
    assert again.acts[0].pattern == compiled.acts[0].pattern


def test_rules_cache_is_never_stale_after_a_rule_is_added(fresh, tmp_path, monkeypatch):
    folder = _rules_copy(tmp_path)
    assert "sanction.test-only" not in {r.id for r in load_rules(folder).acts}
    acts = folder / "acts.yaml"
    text = acts.read_text(encoding="utf-8")
    assert "\nrules:\n" in text  # the list the new rule is appended to
    acts.write_text(text.replace("\nrules:\n", "\nrules:\n" + NEW_RULE.lstrip("\n"), 1), encoding="utf-8")
    # in the same process, and in a new one (nothing in memory), the edited file is what counts
    assert "sanction.test-only" in {r.id for r in load_rules(folder).acts}
    monkeypatch.setattr(rules_module, "_LOADED", {})
    assert "sanction.test-only" in {r.id for r in load_rules(folder).acts}
    assert len(list(fresh.glob("rules-*.pickle"))) == 2


def test_index_cache_is_never_stale_after_a_facts_file_is_added(fresh, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    rules = load_rules()
    before = GraphIndex.from_data(data, frozenset(), rules)
    assert "zorblax institute" not in before.names
    (data / "facts" / "zorblax.ttl").write_text(NEW_ACTOR, encoding="utf-8")
    after = GraphIndex.from_data(data, frozenset(), rules)
    assert "zorblax institute" in after.names
    # the slug being drafted again is left out: the same files as the first index, so its entry is reused
    assert "zorblax institute" not in GraphIndex.from_data(data, frozenset({"zorblax"}), rules).names
    assert len(list(fresh.glob("index-*.pickle"))) == 2


def test_damaged_cache_entry_is_compiled_again(fresh, tmp_path, monkeypatch):
    folder = _rules_copy(tmp_path)
    expected = [r.id for r in load_rules(folder).acts]
    (entry,) = fresh.glob("rules-*.pickle")
    entry.write_bytes(b"not a pickle")
    monkeypatch.setattr(rules_module, "_LOADED", {})
    assert [r.id for r in load_rules(folder).acts] == expected
    assert entry.read_bytes() != b"not a pickle"  # and replaced


def test_unwritable_cache_folder_or_cache_off_still_drafts(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(rules_module, "_LOADED", {})
    monkeypatch.setenv("KG_CACHE", str(blocker / "cache"))  # under a file: cannot be made
    assert load_rules().acts
    monkeypatch.setenv("KG_CACHE", "off")
    assert cache.cache_dir() is None
    monkeypatch.setattr(rules_module, "_LOADED", {})
    assert load_rules().acts
