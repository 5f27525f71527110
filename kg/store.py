"""Where commands read the built graph from: the store behind ``--store``.

Today one store: ``memory`` (the default), which parses ``out/kg.trig`` into
an in-memory rdflib Dataset whose default graph is the union of all named
graphs. Every command that reads the graph calls :func:`open_dataset`, so a
persistent or remote store (``oxigraph:PATH``, ``sparql:URL``) can be added
here without touching the commands.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from kg.io import KgInputError, read_dataset

__all__ = ["DEFAULT_STORE", "StoreError", "open_dataset"]

DEFAULT_STORE = "memory"


class StoreError(Exception):
    """A store that cannot be opened or is not known."""


def open_dataset(spec: str = DEFAULT_STORE, path: Path | str | None = None) -> Dataset:
    """Open the built dataset from a store.

    ``spec`` is ``memory`` (read ``path``, default ``out/kg.trig``). A missing
    or unreadable file is a :class:`~kg.io.KgInputError` naming it.
    """
    kind, _, location = spec.partition(":")
    if kind == "memory":
        from kg import paths  # noqa: PLC0415

        path = Path(path) if path else paths.out_dir() / "kg.trig"
        if not path.exists():
            raise KgInputError(f"{path}: no built graph here; run `kg build` first")
        return read_dataset(path)
    raise StoreError(f"unknown store {spec!r}; use memory")
