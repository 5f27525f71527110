"""kg run --store oxigraph:PATH: the pipeline in place on a store, read only, without reading it into memory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"
OUTPUTS = ("report/report.md", "report/report.json", "report/centrality-actors.csv", "report/chains.csv",
           "sanctions.gexf", "sanctions.graphml")


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in OUTPUTS}


def _version(location: Path) -> tuple[Path, list[tuple[str, int]]]:
    """The version the store's link points to, and its files with their sizes: what a reader must not change."""
    version = location.resolve()
    return version, sorted((p.name, p.stat().st_size) for p in version.iterdir() if p.name != ".kg-readers.lock")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The seed graph built and run the usual way (memory store), and the same graph loaded into a store."""
    folder = tmp_path_factory.mktemp("run")
    assert main(["-q", "run", "--out", str(folder / "memory")]) == 0
    assert main(["-q", "load", str(folder / "memory" / "kg.trig"), "--store", f"oxigraph:{folder / 'store'}"]) == 0
    return folder


def test_run_in_place_gives_the_outputs_of_the_memory_run(built, capsys):
    # the same graph, so the same report and exports byte for byte (the GEXF's date is today's in both)
    location = built / "store"
    before = _version(location)
    assert main(["-q", "run", "--store", f"oxigraph:{location}", "--out", str(built / "in-place")]) == 0
    assert f"Validated and analysed oxigraph:{location} in place" in capsys.readouterr().out
    assert _files(built / "in-place") == _files(built / "memory")
    assert _version(location) == before  # read only: the same version, its files as they were


def test_run_in_place_on_a_store_that_does_not_conform_writes_nothing(tmp_path, capsys):
    # the analyses run beside the validation, and on this graph they fail (a target count that is no number):
    # the violations are reported, exit 1, not the analyses' error
    from kg.io import trig_bytes
    from kg.namespace import PREFIXES
    from kg.store import load_oxigraph
    from kg.synth import synthesize

    bad = tmp_path / "bad.trig"
    bad.write_bytes(trig_bytes(synthesize(3000, seed=6, violations=1), PREFIXES))
    load_oxigraph(bad, tmp_path / "store")
    before = _version(tmp_path / "store")
    assert main(["-q", "run", "--store", f"oxigraph:{tmp_path / 'store'}", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "Violation" in err and "does not conform" in err
    assert not (tmp_path / "out").exists()
    assert _version(tmp_path / "store") == before


@pytest.fixture(scope="module")
def with_drafts(built, tmp_path_factory):
    """The seed store with the FtM fixture imported into it: its candidate links are unconfirmed drafts."""
    from kg.drafts import count_unconfirmed
    from kg.ftm.importer import import_ftm
    from kg.store import open_dataset

    folder = tmp_path_factory.mktemp("drafts")
    data = folder / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imports", "links"))
    location = folder / "store"
    shutil.copytree(built / "store.versions", folder / "store.versions", symlinks=True)
    location.symlink_to((built / "store").readlink())
    import_ftm(FIXTURE, "sample", store=f"oxigraph:{location}", data_dir=data)
    assert count_unconfirmed(open_dataset(f"oxigraph:{location}", drafts="include")) > 0
    return location


def test_drafts_of_a_store_too_large_to_copy_are_left_out_in_a_scratch_copy(with_drafts, tmp_path, monkeypatch):
    """Above the snapshot limit, leaving out drafts was refused (it copied the store into memory); a scratch
    checkpoint on disk gives the same outputs as the copy in memory, and is removed when the run ends."""
    import kg.store

    location = with_drafts
    assert main(["-q", "run", "--store", f"oxigraph:{location}", "--out", str(tmp_path / "memory")]) == 0
    before = _version(location)
    monkeypatch.setattr(kg.store, "SNAPSHOT_LIMIT", 0)
    made = []
    original = kg.store.scratch_copy
    monkeypatch.setattr(kg.store, "scratch_copy", lambda dataset: made.append(1) or original(dataset))
    assert main(["-q", "run", "--store", f"oxigraph:{location}", "--out", str(tmp_path / "scratch")]) == 0
    assert made  # the scratch path ran
    assert _files(tmp_path / "scratch") == _files(tmp_path / "memory")
    assert not list(location.parent.glob(f".{location.name}.scratch-*"))  # removed with the run
    assert _version(location) == before
    # the drafts were left out of the copy the analyses read, and the store still holds them
    from kg.drafts import apply, count_unconfirmed
    from kg.store import open_dataset

    stored = open_dataset(f"oxigraph:{location}", drafts="include")
    assert count_unconfirmed(apply(stored, "exclude", f"oxigraph:{location}")) == 0
    assert count_unconfirmed(stored) > 0


def test_a_scratch_copy_left_by_a_killed_run_is_removed_by_the_next(with_drafts, tmp_path):
    from kg.store import SCRATCH_LOCK, open_dataset, scratch_copy

    location = with_drafts
    left = location.parent / f".{location.name}.scratch-killed"
    left.mkdir()
    (left / SCRATCH_LOCK).touch()  # nobody holds its lock: its owner is gone
    copy = scratch_copy(open_dataset(f"oxigraph:{location}", drafts="include"))
    assert not left.exists()
    assert len(copy) > 0
