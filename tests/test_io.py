"""Reading RDF names the file and line of a parse error; writes are atomic."""

from __future__ import annotations

import os

import pytest

from kg.io import KgInputError, atomic_write, read_dataset, read_graph


def test_turtle_parse_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <urn:ex#> .\n\nex:a ex:b ex:c .\nex:a ex:b "no end .\n', encoding="utf-8")
    with pytest.raises(KgInputError) as err:
        read_graph(bad)
    assert str(err.value).startswith(f"{bad}:4:")


def test_trig_parse_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.trig"
    lines = ["<urn:g> {"] + ["  <urn:a> <urn:b> <urn:c> ."] * 4 + ["  <urn:a> <urn:b> <urn:c> <urn:d> .", "}"]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KgInputError) as err:
        read_dataset(bad)
    assert str(err.value).startswith(f"{bad}:6:")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(KgInputError, match="nothing.ttl: cannot read"):
        read_graph(tmp_path / "nothing.ttl")


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "out" / "kg.trig"
    atomic_write(target, "first")
    atomic_write(target, "second")
    assert target.read_text() == "second"
    assert os.listdir(target.parent) == ["kg.trig"]


def test_failed_atomic_write_keeps_old_file(tmp_path):
    target = tmp_path / "kg.trig"
    atomic_write(target, "good")


    with pytest.raises(TypeError):
        atomic_write(target, 12345)  # not bytes: fails while writing the temporary file
    assert target.read_text() == "good"
    assert os.listdir(tmp_path) == ["kg.trig"]
