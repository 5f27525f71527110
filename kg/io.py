"""Reading RDF with errors that name the file and line, and writing atomically.

Every file read goes through :func:`parse_into`, which first checks it with
Oxigraph's strict parsers (invalid IRIs, the exact line of an error, JSON-LD
contexts that would be fetched) and, for RDF/XML, refuses DTD entity
declarations (the "billion laughs"), so nothing a file says makes a network
request, reads another file, or runs for long; rdflib then reads it (JSON-LD
is taken from Oxigraph's reading, which loads no context).

Every file the project writes goes through :func:`atomic_write`: the bytes go
to a temporary file in the target's folder, are flushed to disk, and replace
the target in one rename, so a failed or killed run leaves the last good
output as it was. The file gets the mode the umask gives a new file.
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

__all__ = ["STDIN", "ExportError", "KgInputError", "OutputError", "atomic_write", "default_graph", "is_stdin", "make_dirs",
           "new_file_mode", "parse_into", "read_dataset", "read_graph", "read_input", "trig_bytes"]

#: The file name that means standard input, wherever a command reads a file.
STDIN = "-"

_FORMATS = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".nq": "nquads", ".rdf": "xml", ".jsonld": "json-ld"}


class KgInputError(Exception):
    """Input that cannot be read: the message starts with ``file:line:`` where the line is known."""


class OutputError(Exception):
    """An output that cannot be written: the message names the path and the reason."""


class ExportError(OutputError):
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


#: rdflib's format names and Oxigraph's parser for each.
_OXIGRAPH_FORMATS = {
    "turtle": "TURTLE", "trig": "TRIG", "nt": "N_TRIPLES", "nquads": "N_QUADS", "xml": "RDF_XML", "json-ld": "JSON_LD",
}


def _refuse_xml_entities(data: bytes, path: Path) -> None:
    """Refuse RDF/XML whose DTD declares entities (defusedxml's policy), before any parser expands them.

    Nested entities (the 729-byte "billion laughs") expand to gigabytes: rdflib's
    RDF/XML parser and Oxigraph's both spend minutes on them. No RDF/XML writer in
    use today needs entities, so a declaration is refused at once, with its line.
    """
    import io  # noqa: PLC0415
    from xml.sax import SAXParseException  # noqa: PLC0415
    from xml.sax.handler import ContentHandler  # noqa: PLC0415
    from xml.sax.xmlreader import InputSource  # noqa: PLC0415

    from defusedxml import DefusedXmlException  # noqa: PLC0415
    from defusedxml.expatreader import create_parser  # noqa: PLC0415

    reader = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=True)
    reader.setContentHandler(ContentHandler())
    source = InputSource()
    source.setByteStream(io.BytesIO(data))
    try:
        reader.parse(source)
    except DefusedXmlException as exc:
        sysid = getattr(exc, "sysid", None) or getattr(exc, "system_id", None)
        what = (f"refers to the outside document {sysid!r}, which is not fetched" if sysid and not getattr(exc, "name", None)
                else f"declares the entity {getattr(exc, 'name', '?')!r}; entities are not expanded (a few nested "
                "ones blow a small file up to gigabytes): write their values out, or use Turtle")
        raise KgInputError(f"{path}:{reader.getLineNumber()}: refused: the XML {what}") from None
    except SAXParseException as exc:
        raise KgInputError(f"{path}:{exc.getLineNumber()}:{exc.getColumnNumber()}: cannot parse xml: {exc.getMessage()}") from None


def _check_syntax(data: bytes, fmt: str, path: Path, base: str) -> list | None:
    """Parse with Oxigraph's strict parsers: an error names file, line and column. Returns the quads of
    JSON-LD (which rdflib does not read: see :func:`parse_into`), None for the other formats.

    rdflib accepts IRIs with spaces (and fails later, with a traceback, when it
    writes them), names the end of the file for an unterminated string, and
    fetches JSON-LD contexts given by IRI; Oxigraph refuses the first, names
    the line where the string began, and loads no context at all.
    """
    import pyoxigraph  # noqa: PLC0415

    if fmt == "xml":
        _refuse_xml_entities(data, path)
    oxigraph_format = _OXIGRAPH_FORMATS.get(fmt)
    if oxigraph_format is None:
        return None
    keep = fmt == "json-ld"
    quads = [] if keep else None
    try:
        for quad in pyoxigraph.parse(data, format=getattr(pyoxigraph.RdfFormat, oxigraph_format),
                                     base_iri=base):
            if keep:
                quads.append(quad)
    except SyntaxError as exc:
        message = re.sub(r"^Parser error (at|between) [^:]*: ", "", exc.msg or str(exc))
        line = exc.lineno
        if "LoadDocumentCallback" in message:
            message = ("a JSON-LD @context given by IRI is not fetched (nothing kg reads makes a request "
                       "or opens another file): put the context in the file")
            found = re.search(rb'"@(context|import)"\s*:\s*\[?\s*"', data)
            line = data.count(b"\n", 0, found.start()) + 1 if found else None
        where = f"{path}:{line}:{exc.offset}" if exc.lineno else f"{path}:{line}" if line else str(path)
        raise KgInputError(f"{where}: cannot parse {fmt}: {message}") from None
    except ValueError as exc:  # e.g. bytes that are not UTF-8
        raise KgInputError(f"{path}: cannot parse {fmt}: {exc}") from None
    return quads


def _rdflib_term(term):
    """An Oxigraph term as rdflib's (``xsd:string`` literals plain, as rdflib's own parsers give them)."""
    import pyoxigraph  # noqa: PLC0415
    from rdflib import BNode, Literal, URIRef  # noqa: PLC0415
    from rdflib.namespace import XSD  # noqa: PLC0415

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))


def _add_quads(graph: Graph, quads: list) -> None:
    import pyoxigraph  # noqa: PLC0415

    for quad in quads:
        triple = (_rdflib_term(quad.subject), _rdflib_term(quad.predicate), _rdflib_term(quad.object))
        if isinstance(graph, Dataset) and not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
            graph.graph(_rdflib_term(quad.graph_name)).add(triple)
        else:
            graph.add(triple)


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
    quads = _check_syntax(data, fmt, path, base)
    if quads is not None:
        # JSON-LD is read by Oxigraph alone: rdflib's reader fetches contexts by IRI, and keeps
        # what the JSON-LD algorithm drops (a key that is no IRI became a predicate no writer takes).
        _add_quads(graph, quads)
        return graph
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


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # elsewhere: set and put back (not thread-safe, but only on those systems)
    os.umask(mask)
    return mask


def new_file_mode(directory: bool = False) -> int:
    """The mode ``open()`` (``mkdir()`` with ``directory``) gives a new file under the current umask.

    Examples
    --------
    >>> old = os.umask(0o027)
    >>> oct(new_file_mode()), oct(new_file_mode(directory=True))
    ('0o640', '0o750')
    >>> _ = os.umask(old)
    """
    return (0o777 if directory else 0o666) & ~_umask()


def make_dirs(path: Path | str) -> Path:
    """``mkdir -p``; a path that cannot be a folder is an :class:`OutputError` naming it."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {path}: {exc.strerror or exc}") from None
    return path


def atomic_write(path: Path | str, data) -> Path:
    """Write ``data`` to ``path`` through a temporary file and one rename.

    ``data`` is bytes or text, an iterable of byte strings written one after the other
    (a stream too large to hold at once), or a function that writes to the open binary
    file it is given. The file gets the mode a plain ``open()`` would give it (``mkstemp``
    makes it 0600, which no colleague or web server could read). Any failure is an
    :class:`OutputError` naming ``path``, and leaves no temporary file behind.
    """
    path = Path(path)
    make_dirs(path.parent)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), new_file_mode())
            if isinstance(data, bytes):
                handle.write(data)
            elif callable(data):
                data(handle)
            else:
                for chunk in data:
                    handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
