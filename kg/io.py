"""Reading RDF with errors that name the file and line, and writing atomically.

Every file the project writes goes through :func:`atomic_write`: the bytes go
to a temporary file in the target's folder, are flushed to disk, and replace
the target in one rename, so a failed or killed run leaves the last good
output as it was.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

__all__ = ["STDIN", "ExportError", "KgInputError", "atomic_write", "default_graph", "is_stdin", "parse_into", "read_dataset",
           "read_graph", "read_input", "trig_bytes"]

#: The file name that means standard input, wherever a command reads a file.
STDIN = "-"

_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".rdf": "xml", ".jsonld": "json-ld"}


class KgInputError(Exception):
    """Input that cannot be read: the message starts with ``file:line:`` where the line is known."""


class ExportError(Exception):
    """An export that could not be written (the message says which error the writer met)."""


def is_stdin(path: Path | str | None) -> bool:
    """Whether ``path`` is ``-``, standard input."""
    return path is not None and str(path) == STDIN


def read_input(path: Path | str) -> bytes:
    """The bytes of a file, or of standard input for ``-``; an unreadable file is a :class:`KgInputError`."""
    if is_stdin(path):
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KgInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _format_for(path: Path) -> str:
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise KgInputError(f"{path}: unknown RDF file type {path.suffix!r} (use .ttl or .trig)") from None


def _line_of(exc: Exception) -> int | None:
    line = getattr(exc, "lines", None)  # notation3's BadSyntax (Turtle, TriG)
    if isinstance(line, int):
        return line + 1
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None


def _reason(exc: Exception) -> str:
    text = str(exc)
    m = re.search(r"Bad syntax \((.*?)\) at \^", text, re.S)
    return m.group(1) if m else text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def parse_into(graph: Graph, path: Path | str, fmt: str | None = None) -> Graph:
    """Parse a file into ``graph``; any failure is a :class:`KgInputError` naming file and line.

    ``-`` is standard input, read as TriG (which Turtle and N-Triples are part of) unless ``fmt`` says otherwise.
    """
    data = read_input(path)
    if is_stdin(path):
        fmt, base, path = fmt or "trig", (Path.cwd() / "stdin").as_uri(), Path("<stdin>")
    else:
        path = Path(path)
        fmt, base = fmt or _format_for(path), path.resolve().as_uri()
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib's parsers raise many types
        line = _line_of(exc)
        where = f"{path}:{line}" if line else str(path)
        raise KgInputError(f"{where}: cannot parse {fmt}: {_reason(exc)}") from exc
    return graph


def read_graph(path: Path | str) -> Graph:
    """One Turtle (or other single-graph) file as a Graph."""
    return parse_into(Graph(), path)


def read_dataset(path: Path | str) -> Dataset:
    """A TriG or N-Quads file (or a Turtle file, into the default graph) as a Dataset.

    The dataset's default graph is the union of all graphs, so queries see every fact.
    """
    ds = Dataset(default_union=True)
    parse_into(ds, path)
    return ds


def default_graph(dataset: Dataset) -> Graph:
    """The default graph of a dataset (``Dataset.default_context`` is deprecated in rdflib 7.x)."""
    return dataset.graph(DATASET_DEFAULT_GRAPH_ID)


def trig_bytes(dataset: Dataset, prefixes: Mapping[str, str] | None = None) -> bytes:
    """TriG of a dataset, byte-identical for the same triples in any process.

    rdflib's TriG serializer is not: it takes the graphs in the store's set
    order and counts references across all of them, so the order of subjects
    changes with ``PYTHONHASHSEED``. Here each graph is serialized on its own
    (rdflib orders the subjects, predicates and objects of one graph stably),
    the default graph first and the named graphs sorted by IRI, under one
    sorted block of the prefixes they use. Blank nodes must have stable labels
    (as :func:`rdflib.compare.to_canonical_graph` gives them).
    """
    # One dataset serializes every graph in turn, so a generated prefix (ns1) means one namespace.
    single = Dataset()
    for prefix, namespace in sorted(dataset.namespaces()):
        single.bind(prefix, namespace, override=True, replace=True)
    for prefix, namespace in sorted((prefixes or {}).items()):
        single.bind(prefix, namespace, override=True, replace=True)
    graphs = {g.identifier: g for g in dataset.graphs() if len(g)}
    header: set[str] = set()
    blocks = []
    for name in sorted(graphs, key=lambda name: (name != DATASET_DEFAULT_GRAPH_ID, str(name))):
        target = single.graph(name)
        for triple in graphs[name]:
            target.add(triple)
        lines = single.serialize(format="trig").split("\n")
        single.remove_graph(target)
        start = next(i for i, line in enumerate(lines) if line and not line.startswith("@prefix "))
        header.update(line for line in lines[:start] if line)
        blocks.append("\n".join(lines[start:]).strip("\n") + "\n")
    head = "".join(f"{line}\n" for line in sorted(header))
    return (head + "\n" + "\n".join(blocks)).encode("utf-8")


def atomic_write(path: Path | str, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` through a temporary file and one rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
