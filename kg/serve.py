"""A read-only SPARQL 1.1 Protocol endpoint over the built graph.

Why this design (measured in ``benchmarks/load.py``, figures in BENCHMARKS.md):

* **HTTP is waitress**, a well-kept WSGI server, instead of the standard
  library's ``http.server``. Waitress reads each request whole (headers and
  body, within size limits) in one event loop before a thread sees it, so a
  slow or idle client costs a socket, not a thread; connections idle for
  ``channel_timeout``, or whose request has not arrived whole by then, are closed; bad ``Content-Length``, oversized headers
  (431) and bodies (413) are refused by the server itself; it speaks
  HTTP/1.1 with keep-alive and its listen backlog is ours to set.
  Werkzeug parses forms and ``Accept`` (q-values).
* **Queries run in Oxigraph** (the engine of ``kg query --store oxigraph``;
  the catalogue gives the same answers on both engines, see tests/test_store.py).
  It answers the catalogue on the seed graph in about a millisecond, where
  rdflib needs 20-500 ms, and it selects the dataset (``default-graph-uri``,
  ``FROM``...) from the graphs the store holds without fetching anything.
* **Each query runs in a pool of worker processes** forked once: a query that
  runs past ``timeout`` gets 503 and its worker is killed and replaced, so
  runaway queries cannot pile up, and cheap queries keep being answered by
  the other workers meanwhile. Workers do the CPU work (parsing, checking,
  evaluating, serializing), the server process only moves bytes.
* **Every query is parsed and checked before it runs** (:func:`check_query`,
  rdflib's parser: the checks look at the parse tree, not at the text):
  updates, ``SERVICE``, and ``FROM`` / ``default-graph-uri`` naming a graph the
  store does not hold are refused with 400, so nothing is ever dereferenced.
  Results are cut at ``max_rows`` rows (or triples), which the
  ``X-Result-Truncated`` header (and ``"truncated": true`` in JSON) says.
* **An ``oxigraph:PATH`` store is re-resolved between queries**: each worker
  pins the version it reads (:func:`kg.store.pin_version`), so ``kg load``
  can swap in a new version while the endpoint serves: queries are answered
  from the old version until a worker sees the new link, and the old version
  is removed when the last worker lets go of it.

Routes:
  GET/POST /sparql            the SPARQL 1.1 query protocol (OPTIONS: CORS preflight;
                              GET without a query: the service description)
  GET      /catalogue         the query catalogue as JSON
  GET      /catalogue/NAME    a catalogue query, parameters from the URL (?responder=China);
                              ?limit=N&offset=M: a page of its rows (see :class:`_Listings`)
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import parse_qs

__all__ = ["Endpoint", "Refused", "ServerConfig", "check_query", "make_server"]

log = logging.getLogger(__name__)

# Offered media types, in order of preference (the first is the default).
_RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "text/n3": "n3",
    "application/x-turtle": "turtle",
    "text/plain": "nt",
    "application/xml": "rdfxml",
}
_CONTENT_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "n3": "text/n3; charset=utf-8",
}
# The names clients put in ?format= / ?output= (SPARQLWrapper, Virtuoso and Fuseki habits).
_FORMAT_NAMES = {
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "n3"), "nt": (None, "nt"),
    "ntriples": (None, "nt"), "n-triples": (None, "nt"), "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"), "json-ld": (None, "jsonld"), "jsonld": (None, "jsonld"),
}


class Refused(Exception):
    """A request the endpoint will not run; the message says why (answered with 400)."""


@dataclass(frozen=True)
class ServerConfig:
    timeout: float = 10.0         # seconds a query may run (503 after)
    max_rows: int = 10_000        # rows (or triples) a result may have before it is cut
    workers: int = 8              # queries evaluated at once, each in its own process
    channel_timeout: float = 30.0  # seconds an idle or stalled connection is kept
    max_body: int = 1_000_000     # bytes of request body (413 above)
    max_header: int = 65_536      # bytes of request line and headers (431 above)
    connection_limit: int = 1000  # open connections before the server stops accepting
    backlog: int = 1024           # connections the kernel queues before accept
    listing_timeout: float = 900.0  # seconds a whole listing (the rows pages are cut from) may take
    listing_rows: int = 5_000_000   # rows of listings kept; the least recently used go beyond it
    warm: bool = False              # compute the listings of every catalogue query without required
                                    # parameters at start, and again for each new store version


# ------------------------------------------------------------------ checks


def _walk(node: Any):
    """Every node of rdflib's parse tree (CompValue / ParseResults / lists)."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif hasattr(item, "asList") and not isinstance(item, str):
            stack.extend(list(item))


@dataclass(frozen=True)
class CheckedQuery:
    form: str                     # SELECT, ASK, CONSTRUCT or DESCRIBE
    default_graphs: tuple[str, ...]  # FROM
    named_graphs: tuple[str, ...]    # FROM NAMED


@lru_cache(maxsize=2048)
def check_query(text: str) -> CheckedQuery:
    """Parse a query and refuse what could reach outside or change the graph.

    Raises :class:`Refused` for updates, SERVICE and syntax errors (with line
    and column). ``FROM`` / ``FROM NAMED`` are returned, to be selected from
    the store or refused by the caller. Cached: the check depends on the text only.
    """
    from pyparsing import ParseException  # noqa: PLC0415
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: PLC0415

    try:
        tree = parseQuery(text)
    except ParseException as exc:
        try:
            from rdflib.plugins.sparql.parser import parseUpdate  # noqa: PLC0415

            parseUpdate(text)
        except Exception:  # noqa: BLE001 - not an update either: report the query error
            raise Refused(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}") from None
        raise Refused("this endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR...) are refused") from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain exceptions, e.g. for an unknown prefix
        raise Refused(f"invalid SPARQL: {exc}") from None
    default, named = [], []
    for item in _walk(tree):
        name = getattr(item, "name", None)
        if name == "ServiceGraphPattern":
            raise Refused("SERVICE is refused: this endpoint makes no outbound requests")
        if name == "DatasetClause":
            if "named" in item:  # CompValue.get returns the key itself for a missing key
                named.append(str(item["named"]))
            else:
                default.append(str(item["default"]))
    form = tree[1].name.replace("Query", "").upper()
    return CheckedQuery(form, tuple(default), tuple(named))


def negotiate(accept: str, form: str, fmt: str | None) -> str:
    """The result format for a query form: ``?format=`` if it names one that fits, else ``Accept`` (q-values honoured)."""
    from werkzeug.datastructures import MIMEAccept  # noqa: PLC0415
    from werkzeug.http import parse_accept_header  # noqa: PLC0415

    is_graph = form in ("CONSTRUCT", "DESCRIBE")
    table = _GRAPH_TYPES if is_graph else _RESULT_TYPES
    if fmt:
        fmt = fmt.strip().lower()
        if fmt in table:  # a media type
            return table[fmt]
        named = _FORMAT_NAMES.get(fmt, (None, None))[1 if is_graph else 0]
        if named:
            return named
        # a name we do not know, or one for the other kind of result: Accept decides
    offered = list(table)
    best = parse_accept_header(accept or "*/*", MIMEAccept).best_match(offered)
    return table[best] if best else table[offered[0]]


# ------------------------------------------------------------------ evaluation (in the workers)


class _Source:
    """Where a worker finds the graph: ``store()`` before each query."""

    _held: tuple = (None, frozenset())

    def store(self):
        raise NotImplementedError

    def held(self, store) -> frozenset[str]:
        """The named graphs of ``store`` (the one :meth:`store` gave), read once per store version."""
        if self._held[0] is not store:
            self._held = (store, frozenset(g.value for g in store.named_graphs() if hasattr(g, "value")))
        return self._held[1]

    _names: tuple = (None, {})

    def names(self, store) -> dict:
        """The name indexes of catalogue parameters (:func:`kg.query.resolve_params`), kept per store version."""
        if self._names[0] is not store:
            self._names = (store, {})
        return self._names[1]

    def version(self) -> str:
        """Which version of the store :meth:`store` reads: listings are kept per version (see :class:`_Listings`)."""
        return "fixed"

    def idle(self) -> None:
        """Called while the worker waits for work."""


class _FixedSource(_Source):
    def __init__(self, store):
        self._store = store

    def store(self):
        return self._store

    def current_version(self) -> str:
        return "fixed"


class _LinkedSource(_Source):
    """An ``oxigraph:PATH`` store: the link is re-resolved before each query, the version pinned."""

    def __init__(self, location: Path):
        self.location = location
        self._pin = None
        self._store = None

    def store(self):
        import pyoxigraph  # noqa: PLC0415

        from kg.store import pin_version  # noqa: PLC0415

        if self._pin is None or not self._pin.current():
            pin = pin_version(self.location)
            store = pyoxigraph.Store.read_only(str(pin.path))
            old, self._pin, self._store, self._held = self._pin, pin, store, (None, frozenset())
            if old is not None:
                old.release()  # removes the old version if no other reader holds it
        return self._store

    def version(self) -> str:
        return str(self._pin.path) if self._pin is not None else ""

    def current_version(self) -> str:
        """The version the store's link points to now (read by the server process, which opens no store)."""
        try:
            return str(self.location.resolve(strict=True))
        except OSError:
            return ""

    def idle(self) -> None:
        if self._pin is not None and not self._pin.current():
            pin, self._pin, self._store, self._held = self._pin, None, None, (None, frozenset())
            pin.release()  # a load swapped in a new version: let the old one go


def _from_ox(term):
    from oxrdflib._converter import from_ox  # noqa: PLC0415 - oxrdflib's own term mapping

    return from_ox(term)


def _select_dataset(held: frozenset[str], checked: CheckedQuery, default_uris: list[str], named_uris: list[str]) -> dict:
    """Oxigraph's dataset arguments for a request; a graph the store does not hold is refused."""
    import pyoxigraph  # noqa: PLC0415

    if default_uris or named_uris:  # the protocol's dataset replaces the query's (SPARQL 1.1 Protocol 2.1.4)
        default, named = default_uris, named_uris
    else:
        default, named = list(checked.default_graphs), list(checked.named_graphs)
    if not default and not named:
        return {"use_default_graph_as_union": True}
    missing = sorted(set(default + named) - held)
    if missing:
        raise Refused(
            f"no graph {', '.join('<' + m + '>' for m in missing)} in this store: only the graphs it holds "
            "can be selected (FROM, default-graph-uri, named-graph-uri); nothing is fetched"
        )
    return {"default_graph": [pyoxigraph.NamedNode(g) for g in default],
            "named_graphs": [pyoxigraph.NamedNode(g) for g in named]}


def _serialize_graph(triples: Iterable, fmt: str) -> bytes:
    import pyoxigraph  # noqa: PLC0415

    formats = {"turtle": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
               "rdfxml": pyoxigraph.RdfFormat.RDF_XML, "jsonld": pyoxigraph.RdfFormat.JSON_LD,
               "n3": pyoxigraph.RdfFormat.N3}
    return pyoxigraph.serialize(triples, format=formats[fmt]) or b""


def _run_sparql(source: _Source, job: Mapping, max_rows: int) -> tuple[bytes, str, bool]:
    import pyoxigraph  # noqa: PLC0415

    from kg.results import serialize_rows  # noqa: PLC0415

    checked = check_query(job["query"])
    fmt = negotiate(job["accept"], checked.form, job["format"])
    store = source.store()
    dataset = _select_dataset(source.held(store), checked, job["default"], job["named"])
    try:
        result = store.query(job["query"], **dataset)
    except SyntaxError as exc:
        raise Refused(f"SPARQL error: {exc}") from None
    if isinstance(result, pyoxigraph.QueryBoolean):
        formats = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML,
                   "csv": pyoxigraph.QueryResultsFormat.CSV, "tsv": pyoxigraph.QueryResultsFormat.TSV}
        return result.serialize(format=formats[fmt]), fmt, False
    rows = []
    truncated = False
    for row in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append(row)
    if isinstance(result, pyoxigraph.QueryTriples):
        return _serialize_graph(rows, fmt), fmt, truncated
    from rdflib import Variable  # noqa: PLC0415

    variables = [Variable(v.value) for v in result.variables]
    rdf_rows = [tuple(_from_ox(row[v]) if row[v] is not None else None for v in result.variables) for row in rows]
    return serialize_rows(variables, rdf_rows, fmt, truncated), fmt, truncated


def _catalogue_job(source: _Source, job: Mapping):
    """The catalogue query a job names, its parameters checked, and the store version's graph with the name
    indexes kept for it: ``(query, graph, names)``."""
    from oxrdflib import OxigraphStore  # noqa: PLC0415
    from rdflib import Dataset  # noqa: PLC0415

    query = _catalogue(job["catalogue_dir"])[job["name"]]
    unknown = sorted(set(job["params"]) - set(query.params))
    if unknown:  # checked here: a name such as 'graph' would collide with run_query's own arguments
        raise Refused(f"query {query.name} has no parameter {', '.join(unknown)} "
                      f"(parameters: {', '.join(query.params) or 'none'})")
    store = source.store()
    return query, Dataset(store=OxigraphStore(store=store), default_union=True), source.names(store)


def _run_catalogue(source: _Source, job: Mapping, max_rows: int) -> tuple[bytes, str, bool]:
    from kg.query import run_with  # noqa: PLC0415
    from kg.results import serialize_rows  # noqa: PLC0415

    query, graph, names = _catalogue_job(source, job)
    result = run_with(graph, query, job["params"], style="url", names=names)
    form = result.type
    if job.get("listing"):  # every row, for the server's listing of this store version (see _Listings)
        if form != "SELECT":
            raise Refused(f"limit and offset page the rows of a SELECT query; {query.name} is a {form} query")
        return [str(v) for v in result.vars], [tuple(row) for row in result], source.version()
    fmt = negotiate(job["accept"], form, job["format"])
    if form in ("CONSTRUCT", "DESCRIBE"):
        body = result.graph.serialize(format={"rdfxml": "xml", "jsonld": "json-ld"}.get(fmt, fmt), encoding="utf-8")
        return body, fmt, False
    if form == "ASK":
        fmt = fmt if fmt in ("json", "xml") else "json"
        return result.serialize(format=fmt), fmt, False
    rows, truncated = [], False
    for row in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append(row)
    return serialize_rows(result.vars, rows, fmt, truncated), fmt, truncated


def _resolve(source: _Source, job: Mapping) -> dict:
    """The parameters of a catalogue query typed and resolved to terms (names to nodes), by variable name."""
    from kg.query import resolve_params  # noqa: PLC0415

    query, graph, names = _catalogue_job(source, job)
    bindings = resolve_params(graph, query, job["params"], style="url", names=names)
    return {str(var): term for var, term in bindings.items()}


@lru_cache(maxsize=2)
def _catalogue(directory: str | None):
    from kg.query import load_catalogue  # noqa: PLC0415

    return load_catalogue(directory)


def _die_with(parent: int) -> None:
    """End this worker when the server process ends, however it ends.

    The pipe does not tell: workers forked later hold copies of its other end.
    On Linux the kernel kills us when the thread that forked us ends
    (PR_SET_PDEATHSIG): the main thread, or a waitress thread replacing a
    killed worker, and those live as long as the server. The idle loop also
    checks whom we belong to.
    """
    try:
        import ctypes  # noqa: PLC0415
        import signal  # noqa: PLC0415

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)


def _work(conn, source: _Source, max_rows: int, parent: int) -> None:
    """A worker's loop: one job in, one answer out, until the pipe closes or the server ends."""
    from kg.query import ParamError, QueryError  # noqa: PLC0415

    _die_with(parent)
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
                source.idle()
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if job.get("listing"):
                answer = ("rows", *_run_catalogue(source, job, max_rows))
            elif job.get("resolve"):
                answer = ("bound", _resolve(source, job))
            else:
                run = _run_catalogue if "name" in job else _run_sparql
                body, fmt, truncated = run(source, job, max_rows)
                answer = ("ok", body, _CONTENT_TYPE[fmt], truncated)
        except (Refused, QueryError, ParamError) as exc:
            answer = ("refused", str(exc))
        except Exception as exc:  # noqa: BLE001 - reported to the client, the worker carries on
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


class _Pool:
    """Worker processes forked from this one; one query at a time each, killed on timeout."""

    def __init__(self, source: _Source, config: ServerConfig):
        self.source, self.config = source, config
        self.context = multiprocessing.get_context("fork")
        self.idle: queue.LifoQueue = queue.LifoQueue()
        self.slots = threading.BoundedSemaphore(config.workers)
        self.lock = threading.Lock()
        self.procs: set = set()
        for _ in range(config.workers):
            self.idle.put(self._spawn())

    def _spawn(self):
        parent, child = self.context.Pipe()
        proc = self.context.Process(target=_work, args=(child, self.source, self.config.max_rows, os.getpid()),
                                    daemon=True)
        proc.start()
        child.close()
        with self.lock:
            self.procs.add(proc)
        return proc, parent

    def _retire(self, worker) -> None:
        proc, conn = worker
        if proc.is_alive():
            proc.kill()
        proc.join(2)
        conn.close()
        with self.lock:
            self.procs.discard(proc)

    def run(self, job: dict, limit: float | None = None) -> tuple:
        """Run ``job`` in a free worker; ``limit`` (default: the configured timeout) is how long it may
        wait for a worker and then run, before it is stopped and :class:`TimeoutError` raised."""
        started = time.monotonic()
        limit = self.config.timeout if limit is None else limit
        if not self.slots.acquire(timeout=limit):
            raise TimeoutError(f"the server is busy: no worker was free within {limit:g} s; try again")
        try:
            try:
                worker = self.idle.get_nowait()
            except queue.Empty:
                worker = self._spawn()
            proc, conn = worker
            left = max(0.05, limit - (time.monotonic() - started))
            try:
                conn.send(job)
                if conn.poll(left):
                    answer = conn.recv()
                    self.idle.put(worker)
                    return answer
            except (EOFError, OSError):
                self._retire(worker)
                return ("error", "the worker evaluating the query died; try again")
            self._retire(worker)  # still running: killed, and a fresh worker takes its place
            self.idle.put(self._spawn())
            raise TimeoutError(f"the query ran longer than {limit:g} s and was stopped")
        finally:
            self.slots.release()

    def close(self) -> None:
        while True:
            try:
                self._retire(self.idle.get_nowait())
            except queue.Empty:
                break
        with self.lock:
            procs = list(self.procs)
        for proc in procs:
            if proc.is_alive():
                proc.kill()
            proc.join(2)


# ------------------------------------------------------------------ HTTP


def _printable(text: str, limit: int = 300) -> str:
    """A log-safe copy: control characters escaped, so a request cannot forge log lines."""
    text = text[:limit]
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


_CORS = [
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", "X-Result-Truncated, X-Total-Rows, Link, Content-Type"),
]


def _service_description(base: str, fmt: str) -> tuple[bytes, str]:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef  # noqa: PLC0415
    from rdflib.namespace import RDF  # noqa: PLC0415

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    g.bind("sd", sd)
    service = URIRef(base)
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, service))
    g.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    g.add((service, sd.feature, sd.UnionDefaultGraph))
    for name in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                 "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N3"):
        g.add((service, sd.resultFormat, formats[name]))
    dataset = BNode()
    g.add((service, sd.defaultDataset, dataset))
    g.add((dataset, RDF.type, sd.Dataset))
    g.add((service, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
           Literal("Read-only: updates, SERVICE and graphs the store does not hold are refused.", lang="en")))
    rdflib_fmt = {"rdfxml": "xml", "jsonld": "json-ld", "nt": "nt", "n3": "n3"}.get(fmt, "turtle")
    return g.serialize(format=rdflib_fmt, encoding="utf-8"), _CONTENT_TYPE[fmt if fmt in _CONTENT_TYPE else "turtle"]


class Preparing(Exception):
    """A listing still being computed when the request's time ran out (answered with 503 and Retry-After)."""


class _Listings:
    """The whole results of catalogue queries, kept per store version, so that pages come from memory.

    A page (``/catalogue/NAME?limit=100&offset=200``) is cut from the query's whole result, in the
    query's own order: the query text is never changed. Most listings sort their rows (``ORDER BY``),
    so even the first row of a page costs the whole query (at 10^6 triples up to half a minute); a
    store version never changes (``kg load`` makes a new one), so the rows computed for a version stay
    right for as long as it is served, and every later page of the listing comes at once. Rows are
    kept in this process (the workers are forked and short-lived), the least recently used listings
    dropped beyond ``listing_rows`` rows, and those of a version no longer served as soon as a new
    one is. A listing runs in a worker for at most ``listing_timeout`` seconds; a request that
    finds it still running waits for it up to the request's ``timeout``, then gets 503 with
    ``Retry-After`` while the listing goes on. With ``warm``, every catalogue query without a required
    parameter is computed at start, and again for each new version, one at a time.
    """

    def __init__(self, pool: _Pool, config: ServerConfig, catalogue_dir: str | None):
        from collections import OrderedDict  # noqa: PLC0415
        from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

        self.pool, self.config, self.catalogue_dir = pool, config, catalogue_dir
        self.lock = threading.Lock()
        self.done: OrderedDict = OrderedDict()  # (version, name, params) -> (variables, rows)
        self.pending: dict = {}                 # (version, name, params) -> Future
        self.rows = 0
        self.version = None
        self.fills = ThreadPoolExecutor(max_workers=max(1, config.workers // 2), thread_name_prefix="kg-listing")
        self.stopped = threading.Event()
        self.warmer = None
        if config.warm:
            self.warmer = threading.Thread(target=self._warm, name="kg-warm", daemon=True)
            self.warmer.start()

    def _key(self, name: str, params: Mapping[str, str]) -> tuple:
        version = self.pool.source.current_version()
        with self.lock:
            if version != self.version:  # a new version is served: the old one's listings are wrong for it
                self.version = version
                for key in [k for k in self.done if k[0] != version]:
                    self.rows -= len(self.done.pop(key)[1])
        return (version, name, tuple(sorted(params.items())))

    def peek(self, name: str, params: Mapping[str, str]):
        """The listing if it is ready, else None (nothing is started)."""
        key = self._key(name, params)
        with self.lock:
            return self._ready(key)

    def _ready(self, key: tuple):
        """The finished listing under ``key``, marked as the most recently used (the caller holds the lock)."""
        entry = self.done.get(key)
        if entry is not None:
            self.done.move_to_end(key)
        return entry

    def get(self, name: str, params: Mapping[str, str], wait: float | None):
        """The listing's ``(variables, rows)``, computed now if no one has (waiting at most ``wait`` seconds)."""
        from concurrent.futures import TimeoutError as FutureTimeout  # noqa: PLC0415

        key = self._key(name, params)
        with self.lock:
            entry = self._ready(key)
            if entry is not None:
                return entry
            future = self.pending.get(key)
            if future is None:
                future = self.pending[key] = self.fills.submit(self._fill, key, name, dict(params))
        try:
            return future.result(timeout=wait)
        except FutureTimeout:
            raise Preparing(f"the whole listing of {name} is being computed for this store version (a page is "
                            "cut from it, in the query's order); try again in a few seconds") from None

    def _fill(self, key: tuple, name: str, params: dict):
        try:
            answer = self.pool.run({"name": name, "params": params, "catalogue_dir": self.catalogue_dir,
                                    "listing": True, "accept": "", "format": None},
                                   limit=max(self.config.listing_timeout, self.config.timeout))
            if answer[0] == "refused":
                raise Refused(answer[1])
            if answer[0] == "error":
                raise RuntimeError(answer[1])
            _, variables, rows, version = answer
            entry = (variables, rows)
            with self.lock:
                if version == key[0] or key[0] == "fixed":  # else the link moved meanwhile: serve it, keep it not
                    self.done[key] = entry
                    self.rows += len(rows)
                    while self.rows > self.config.listing_rows and len(self.done) > 1:
                        self.rows -= len(self.done.popitem(last=False)[1][1])
            return entry
        finally:
            with self.lock:
                self.pending.pop(key, None)

    def _warm(self) -> None:
        from kg.query import load_catalogue  # noqa: PLC0415

        names = [q.name for q in load_catalogue(self.catalogue_dir).values()
                 if not any(p.required for p in q.params.values())]
        warmed = None
        while not self.stopped.is_set():
            version = self.pool.source.current_version()
            if version and version != warmed:
                started = time.monotonic()
                for name in names:
                    if self.stopped.is_set() or self.pool.source.current_version() != version:
                        break
                    try:
                        self.get(name, {}, wait=None)
                    except Exception as exc:  # noqa: BLE001 - a listing that fails is computed on request
                        log.warning("warming %s: %s", name, exc)
                else:
                    warmed = version
                    log.info("listings of %d catalogue queries ready in %.1f s", len(names), time.monotonic() - started)
            self.stopped.wait(2.0)

    def close(self) -> None:
        self.stopped.set()
        self.fills.shutdown(wait=False, cancel_futures=True)


class _App:
    """The WSGI application: routes, protocol checks, and the hand-over to the pool."""

    def __init__(self, pool: _Pool, config: ServerConfig, catalogue_dir: str | None):
        from kg.query import load_catalogue  # noqa: PLC0415

        self.pool, self.config, self.catalogue_dir = pool, config, catalogue_dir
        self.catalogue = load_catalogue(catalogue_dir)
        self.listings = _Listings(pool, config, catalogue_dir)

    def __call__(self, environ, start_response):
        from werkzeug.wrappers import Request  # noqa: PLC0415

        started = time.monotonic()
        request = Request(environ)
        request.max_content_length = self.config.max_body
        request.max_form_memory_size = self.config.max_body
        try:
            status, body, headers = self._route(request)
        except Refused as exc:
            status, body, headers = self._text(400, str(exc))
        except TimeoutError as exc:
            status, body, headers = self._text(503, str(exc), [("Retry-After", "1")])
        except Preparing as exc:
            status, body, headers = self._text(503, str(exc), [("Retry-After", "5")])
        headers = headers + _CORS + [("Content-Length", str(len(body)))]
        reason = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
                  413: "Content Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error",
                  503: "Service Unavailable"}.get(status, "")
        start_response(f"{status} {reason}", headers)
        log.info("%s %s %s %d %d %.0f ms", _printable(request.remote_addr or "-"), _printable(request.method),
                 _printable(request.full_path), status, len(body), 1000 * (time.monotonic() - started))
        return [b"" if request.method == "HEAD" else body]

    @staticmethod
    def _text(status: int, message: str, extra: list | None = None):
        return status, (message + "\n").encode("utf-8"), [("Content-Type", "text/plain; charset=utf-8")] + (extra or [])

    def _route(self, request):
        path = request.path
        if request.method == "OPTIONS":  # CORS preflight (browser clients POST queries)
            return 204, b"", [("Allow", "GET, HEAD, POST, OPTIONS"),
                              ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
                              ("Access-Control-Allow-Headers", request.headers.get("Access-Control-Request-Headers")
                               or "Content-Type, Accept"),
                              ("Access-Control-Max-Age", "86400")]
        if request.method not in ("GET", "HEAD", "POST"):
            return self._text(405, "this endpoint is read-only: GET or POST a query", [("Allow", "GET, HEAD, POST, OPTIONS")])
        if path in ("/sparql", "/sparql/", "/query"):
            return self._protocol(request)
        if request.method == "POST":
            return self._text(405, "POST queries to /sparql", [("Allow", "GET, HEAD")])
        if path == "/catalogue":
            listing = {
                name: {"summary": q.summary, "tags": list(q.tags),
                       "params": {p.name: {"type": p.type, "required": p.required, "example": p.example,
                                          "description": p.description} for p in q.params.values()}}
                for name, q in self.catalogue.items()
            }
            return 200, json.dumps(listing, indent=2).encode(), [("Content-Type", "application/json")]
        if path.startswith("/catalogue/"):
            name = path[len("/catalogue/"):]
            if name not in self.catalogue:
                return self._text(404, f"no catalogue query named {name!r}")
            params = {k: v[-1] for k, v in parse_qs(request.query_string.decode("latin-1"), keep_blank_values=True).items()}
            fmt = params.pop("format", None)
            limit, offset = params.pop("limit", None), params.pop("offset", None)
            accept = request.headers.get("Accept", "")
            if limit is not None or offset is not None:
                return self._page(request, name, params, limit, offset, accept, fmt)
            listing = self.listings.peek(name, params) or self._from_listing(name, params)
            if listing is not None:  # computed for a page already: the same rows, cut as any result is
                variables, rows = listing
                return self._rows(variables, rows[: self.config.max_rows], accept, fmt,
                                  truncated=len(rows) > self.config.max_rows)
            return self._evaluate({"name": name, "params": params, "catalogue_dir": self.catalogue_dir,
                                   "accept": accept, "format": fmt})
        if path == "/":
            return 200, _INDEX.encode(), [("Content-Type", "text/html; charset=utf-8")]
        return self._text(404, "not found; the endpoint is /sparql")

    def _protocol(self, request):
        params = parse_qs(request.query_string.decode("utf-8", errors="replace"), keep_blank_values=True)
        body_query = None
        if request.method == "POST":
            mimetype = request.mimetype
            charset = (request.mimetype_params.get("charset") or "utf-8").lower()
            if mimetype == "application/sparql-update":
                raise Refused("this endpoint is read-only: updates are refused")
            if mimetype not in ("application/sparql-query", "application/x-www-form-urlencoded"):
                return self._text(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
            if charset not in ("utf-8", "utf8"):
                return self._text(415, f"queries must be UTF-8 (SPARQL 1.1 Protocol 2.1.3), not {charset}")
            if request.content_length is not None and request.content_length > self.config.max_body:
                return self._text(413, f"request body larger than {self.config.max_body} bytes")
            raw = request.get_data(cache=True)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise Refused("the request body is not UTF-8") from None
            if mimetype == "application/sparql-query":
                body_query = text
            else:
                for key, values in parse_qs(text, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
        if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
            raise Refused("this endpoint is read-only: updates are refused")
        queries = params.get("query", [])
        if body_query is not None:
            if queries:
                raise Refused("give the query once: in the body or in the 'query' parameter, not both")
            queries = [body_query]
        if not queries and request.method in ("GET", "HEAD"):
            fmt = _GRAPH_TYPES.get(_best(request.headers.get("Accept", ""), list(_GRAPH_TYPES)) or "text/turtle", "turtle")
            body, ctype = _service_description(request.base_url, fmt)
            return 200, body, [("Content-Type", ctype), ("Vary", "Accept")]
        if len(queries) != 1:
            raise Refused("give exactly one query (the 'query' parameter or an application/sparql-query body)")
        fmt = (params.get("format") or params.get("output") or [None])[0]
        return self._evaluate({"query": queries[0], "default": params.get("default-graph-uri", []),
                               "named": params.get("named-graph-uri", []),
                               "accept": request.headers.get("Accept", ""), "format": fmt})

    def _page(self, request, name: str, params: dict, limit, offset, accept: str, fmt):
        """Rows ``offset+1`` to ``offset+limit`` of a catalogue query, from its listing (see :class:`_Listings`).

        The answer carries ``X-Total-Rows`` and, when rows follow, ``Link: <…offset=…>; rel="next"``
        (RFC 8288), the URL of the next page."""
        from urllib.parse import urlencode  # noqa: PLC0415

        from kg.results import Page  # noqa: PLC0415

        unknown = sorted(set(params) - set(self.catalogue[name].params))
        if unknown:  # before the listing is computed, as the worker would refuse it
            raise Refused(f"query {name} has no parameter {', '.join(unknown)} "
                          f"(parameters: {', '.join(self.catalogue[name].params) or 'none'}; "
                          "and format, limit, offset)")
        try:
            page = Page.parse(limit, offset, max_limit=self.config.max_rows)
        except ValueError as exc:
            raise Refused(f"{exc} (a page is ?limit=N&offset=M: rows M+1 to M+N, N at most "
                          f"{self.config.max_rows}, M from 0)") from None
        variables, rows = (self._from_listing(name, params)
                           or self.listings.get(name, params, wait=self.config.timeout))
        size = page.limit if page.limit is not None else self.config.max_rows
        shown = rows[page.offset: page.offset + size]
        more = page.offset + len(shown) < len(rows)
        truncated = page.limit is None and more
        status, body, headers = self._rows(variables, shown, accept, fmt, truncated)
        headers.append(("X-Total-Rows", str(len(rows))))
        if more and not truncated:
            args = {**params, **({"format": fmt} if fmt else {}), "limit": str(size), "offset": str(page.offset + len(shown))}
            headers.append(("Link", f'<{request.path}?{urlencode(args)}>; rel="next"'))
        return status, body, headers

    def _from_listing(self, name: str, params: Mapping[str, str]):
        """The answer of ``name`` for ``params`` cut from its whole listing, if the server holds that
        listing for the store version and every parameter given is a column of it (``column: true``
        in the query's header: binding it keeps the rows whose column holds the value); else None.

        At 10^6 triples ``answers`` for one side took 15-20 s, all of it spent working out every
        act's side before the one asked for was kept; from the listing of a warm server, milliseconds.
        The values are resolved by a worker, as for any query (names to nodes, types checked)."""
        query = self.catalogue[name]
        given = {k: v for k, v in params.items() if str(v).strip()}
        if not given or not all(k in query.params and query.params[k].column for k in given):
            return None
        listing = self.listings.peek(name, {})
        if listing is None:
            return None
        answer = self.pool.run({"resolve": True, "name": name, "params": dict(params),
                                "catalogue_dir": self.catalogue_dir})
        if answer[0] == "refused":
            raise Refused(answer[1])
        if answer[0] != "bound":
            return None  # the query itself will say what is wrong
        variables, rows = listing
        if not set(answer[1]) <= set(variables):
            return None  # a header that calls a parameter a column the query does not project
        wanted = [(variables.index(var), term) for var, term in answer[1].items()]
        return variables, [row for row in rows if all(row[i] == term for i, term in wanted)]

    def _rows(self, variables: list[str], rows: list, accept: str, fmt, truncated: bool):
        from rdflib import Variable  # noqa: PLC0415

        from kg.results import serialize_rows  # noqa: PLC0415

        chosen = negotiate(accept, "SELECT", fmt)
        headers = [("Content-Type", _CONTENT_TYPE[chosen]), ("Vary", "Accept")]
        if truncated:
            headers.append(("X-Result-Truncated", "true"))
        return 200, serialize_rows([Variable(v) for v in variables], rows, chosen, truncated), headers

    def _evaluate(self, job: dict):
        answer = self.pool.run(job)
        if answer[0] == "refused":
            raise Refused(answer[1])
        if answer[0] == "error":
            return self._text(500, f"the query failed: {answer[1]}")
        _, body, ctype, truncated = answer
        headers = [("Content-Type", ctype), ("Vary", "Accept")]
        if truncated:
            headers.append(("X-Result-Truncated", "true"))
        return 200, body, headers


def _best(accept: str, offered: list[str]) -> str | None:
    from werkzeug.datastructures import MIMEAccept  # noqa: PLC0415
    from werkzeug.http import parse_accept_header  # noqa: PLC0415

    return parse_accept_header(accept or "*/*", MIMEAccept).best_match(offered)


class Endpoint:
    """A configured endpoint, not yet serving: :meth:`serve_forever`, then :meth:`close`."""

    def __init__(self, server, pool: _Pool, app: "_App | None" = None):
        self._server, self._pool, self._app = server, pool, app
        self.server_address = (server.effective_host, server.effective_port)
        self.url = f"http://{server.effective_host}:{server.effective_port}/sparql"

    def serve_forever(self) -> None:
        self._server.run()

    def close(self) -> None:
        """Stop serving (from any thread), end the workers."""
        self._server.task_dispatcher.shutdown(timeout=1)
        for channel in list(self._server._map.values()):  # waitress keeps its sockets here
            try:
                channel.close()
            except OSError:
                pass
        if self._app is not None:
            self._app.listings.close()
        self._pool.close()


def _source_for(graph) -> _Source:
    """The worker's view of what to serve: an ``oxigraph:PATH`` location, a pyoxigraph Store, or an rdflib Dataset."""
    import pyoxigraph  # noqa: PLC0415

    from kg.store import oxigraph_store  # noqa: PLC0415

    if isinstance(graph, (str, Path)):
        return _LinkedSource(Path(graph))
    if isinstance(graph, pyoxigraph.Store):
        return _FixedSource(graph)
    store = oxigraph_store(graph)
    if store is not None:
        return _FixedSource(store)
    if type(getattr(graph, "store", None)).__name__ in ("SPARQLStore", "SPARQLUpdateStore"):
        raise Refused("kg serve serves a memory or oxigraph:PATH store; a sparql:URL store is already an endpoint")
    # An rdflib graph in memory: copied once into an in-memory Oxigraph store.
    memory = pyoxigraph.Store()
    memory.bulk_load(graph.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return _FixedSource(memory)


def make_server(graph, host: str = "127.0.0.1", port: int = 0, config: ServerConfig | None = None,
                catalogue_dir: str | None = None) -> Endpoint:
    """An endpoint (not yet serving) for ``graph``; ``port=0`` picks a free port.

    ``graph`` is an rdflib Dataset (copied into Oxigraph once), a pyoxigraph
    Store, or the location of an ``oxigraph:PATH`` store (a ``Path``), which is
    re-resolved between queries so that a reload is picked up.
    """
    import waitress  # noqa: PLC0415
    import werkzeug.wrappers  # noqa: PLC0415, F401 - imported before the workers fork
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: PLC0415, F401 - likewise

    config = config or ServerConfig()
    app_catalogue = _catalogue(catalogue_dir)
    for query in app_catalogue.values():  # checked once here, so every forked worker starts with them cached
        try:
            check_query(query.text)
        except Refused:
            pass
    pool = _Pool(_source_for(graph), config)
    app = _App(pool, config, catalogue_dir)
    try:
        server = _bind(waitress, app, host, port, config)
    except OSError:
        app.listings.close()
        pool.close()
        raise
    _close_slow_requests(server, config.channel_timeout)
    return Endpoint(server, pool, app)


def _close_slow_requests(server, timeout: float) -> None:
    """Close connections whose request has not arrived whole within ``timeout`` seconds.

    Waitress closes a connection idle for ``channel_timeout``, but a client that
    sends a byte every few seconds is never idle: a thousand of them would take
    every connection. Its own maintenance pass (every ``cleanup_interval``) is
    extended to close those too, through the same attributes it uses itself.
    """
    import weakref  # noqa: PLC0415

    first_seen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # request being read -> when first seen
    original = server.maintenance

    def maintenance(now: float) -> None:
        original(now)
        for channel in list(server.active_channels.values()):
            request = channel.request  # None between requests; the parser while one is being read
            if request is not None and now - first_seen.setdefault(request, now) > timeout:
                channel.will_close = True

    server.maintenance = maintenance


def _bind(waitress, app, host: str, port: int, config: ServerConfig):
    return waitress.create_server(
        app, host=host, port=port, threads=config.workers + 4, backlog=config.backlog,
        channel_timeout=config.channel_timeout, connection_limit=config.connection_limit,
        max_request_header_size=config.max_header, max_request_body_size=config.max_body,
        cleanup_interval=min(30, max(1, int(config.channel_timeout / 4))), ident="sanctions-kg",
        clear_untrusted_proxy_headers=True,
    )


_INDEX = """<!doctype html><meta charset="utf-8"><title>sanctions-kg SPARQL endpoint</title>
<h1>sanctions-kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code> (GET or POST; GET without a query
gives the service description). The query catalogue is at <a href="/catalogue">/catalogue</a>; run one
with <code>/catalogue/NAME?param=value</code>.</p>
<form action="/sparql" method="get"><textarea name="query" rows="8" cols="80">
PREFIX kg: &lt;https://w3id.org/sanctions-kg/ontology#&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
SELECT ?sanction ?label WHERE { ?sanction a kg:Sanction ; rdfs:label ?label }</textarea><br>
<select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Run</button></form>
"""
