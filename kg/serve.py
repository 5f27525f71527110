"""A read-only SPARQL 1.1 Protocol endpoint over the built graph.

Why this design: neither rdflib nor the ``oxigraph`` server can switch off
SERVICE, and rdflib fetches ``FROM <http:...>`` graphs, so every query is
parsed and checked *before* evaluation (:func:`check_query`): updates,
SERVICE, FROM / FROM NAMED and the ``default-graph-uri`` /
``named-graph-uri`` parameters are refused with 400. The HTTP side is the
standard library's ``ThreadingHTTPServer`` (one thread per request, so a
slow query does not block other clients). Each query is evaluated by rdflib
(the same engine as ``kg query``, so the answers are the same) in a forked
child process with a time limit: a query that runs too long is killed and
answered with 503, and the server carries on. Results are cut at
``max_rows`` rows; a cut result says so in the ``X-Result-Truncated``
header (and, for JSON, a top-level ``"truncated": true``).

Routes:
  GET/POST /sparql            the SPARQL 1.1 query protocol
  GET      /catalogue         the query catalogue as JSON
  GET      /catalogue/NAME    a catalogue query, parameters from the URL (?responder=China)
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

__all__ = ["Refused", "ServerConfig", "check_query", "make_server"]

log = logging.getLogger(__name__)

_RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
_GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
_CONTENT_TYPE = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
}


class Refused(Exception):
    """A request the endpoint will not run; the message says why (answered with 400)."""


@dataclass(frozen=True)
class ServerConfig:
    timeout: float = 10.0
    max_rows: int = 10_000
    max_parallel: int = 4


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


def check_query(text: str):
    """Parse a query and refuse what could reach outside or change the graph.

    Returns rdflib's parse tree. Raises :class:`Refused` for updates, SERVICE,
    FROM / FROM NAMED, and syntax errors (with line and column).
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
    for item in _walk(tree):
        name = getattr(item, "name", None)
        if name == "ServiceGraphPattern":
            raise Refused("SERVICE is refused: this endpoint makes no outbound requests")
        if name == "DatasetClause":
            raise Refused("FROM and FROM NAMED are refused: queries run on the served graph only")
    return tree


def _negotiate(accept: str, is_graph: bool, fmt: str | None) -> str:
    table = _GRAPH_TYPES if is_graph else _RESULT_TYPES
    if fmt:
        if fmt in table.values():
            return fmt
        raise Refused(f"unknown format {fmt!r}; use one of {', '.join(sorted(set(table.values())))}")
    for part in (accept or "").split(","):
        mime = part.split(";")[0].strip().lower()
        if mime in table:
            return table[mime]
    return "turtle" if is_graph else "json"


def _evaluate(graph, text: str, bindings: Mapping, fmt: str, max_rows: int) -> tuple[bytes, bool, str]:
    """Run a query with rdflib and serialize at most ``max_rows`` rows."""
    from kg.results import serialize_rows  # noqa: PLC0415

    result = graph.query(text, initBindings=dict(bindings))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format=fmt, encoding="utf-8"), False, fmt
    if result.type == "ASK":
        fmt = fmt if fmt in ("json", "xml") else "json"
        return result.serialize(format=fmt), False, fmt
    rows = []
    truncated = False
    for row in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append(row)
    return serialize_rows(result.vars, rows, fmt, truncated), truncated, fmt


def _child(conn, graph, text, bindings, fmt, max_rows) -> None:
    try:
        conn.send(("ok", _evaluate(graph, text, bindings, fmt, max_rows)))
    except Exception as exc:  # noqa: BLE001 - reported to the client as 400
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class _Engine:
    """Runs each query in a forked child with a time limit."""

    def __init__(self, graph, config: ServerConfig):
        self.graph = graph
        self.config = config
        self.slots = threading.BoundedSemaphore(config.max_parallel)
        self.context = multiprocessing.get_context("fork")

    def run(self, text: str, bindings: Mapping, fmt: str) -> tuple[bytes, bool, str]:
        with self.slots:
            parent, child = self.context.Pipe(duplex=False)
            proc = self.context.Process(
                target=_child, args=(child, self.graph, text, bindings, fmt, self.config.max_rows), daemon=True
            )
            proc.start()
            child.close()
            try:
                if not parent.poll(self.config.timeout):
                    raise TimeoutError(f"the query ran longer than {self.config.timeout:g} s and was stopped")
                status, payload = parent.recv()
            finally:
                if proc.is_alive():
                    proc.kill()
                proc.join(1)
                parent.close()
        if status == "error":
            raise Refused(payload)
        return payload


def make_server(graph, host: str = "127.0.0.1", port: int = 0, config: ServerConfig | None = None) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) for ``graph``; ``port=0`` picks a free port."""
    from kg.query import ParamError, QueryError, load_catalogue, resolve_params  # noqa: PLC0415

    config = config or ServerConfig()
    engine = _Engine(graph, config)
    catalogue = load_catalogue()

    class Handler(BaseHTTPRequestHandler):
        server_version = "sanctions-kg"

        def log_message(self, fmt, *args):  # noqa: N802 - http.server's name
            log.info("%s %s", self.address_string(), fmt % args)

        def _send(self, code: int, body: bytes, ctype: str, extra: Mapping[str, str] | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _error(self, code: int, message: str) -> None:
            self._send(code, (message + "\n").encode("utf-8"), "text/plain; charset=utf-8")

        def _answer(self, text: str, bindings: Mapping, fmt: str | None) -> None:
            tree = check_query(text)
            is_graph = tree[1].name in ("ConstructQuery", "DescribeQuery")
            fmt = _negotiate(self.headers.get("Accept", ""), is_graph, fmt)
            try:
                body, truncated, fmt = engine.run(text, bindings, fmt)
            except TimeoutError as exc:
                return self._error(503, str(exc))
            extra = {"X-Result-Truncated": "true"} if truncated else {}
            self._send(200, body, _CONTENT_TYPE[fmt], extra)

        def _protocol(self, params: dict[str, list[str]], body_query: str | None) -> None:
            for forbidden in ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri"):
                if forbidden in params:
                    raise Refused(f"{forbidden} is refused: queries run on the served graph only")
            if "update" in params:
                raise Refused("this endpoint is read-only: updates are refused")
            queries = params.get("query", [])
            if body_query is not None:
                queries = [body_query]
            if len(queries) != 1:
                raise Refused("give exactly one query (the 'query' parameter or a application/sparql-query body)")
            self._answer(queries[0], {}, (params.get("format") or [None])[0])

        def _route(self, body_params: dict[str, list[str]] | None = None, body_query: str | None = None) -> None:
            url = urlsplit(self.path)
            params = parse_qs(url.query, keep_blank_values=True)
            if body_params:
                for key, values in body_params.items():
                    params.setdefault(key, []).extend(values)
            try:
                if url.path in ("/sparql", "/sparql/"):
                    return self._protocol(params, body_query)
                if url.path == "/catalogue":
                    listing = {
                        name: {"summary": q.summary, "tags": list(q.tags),
                               "params": {p.name: {"type": p.type, "required": p.required, "example": p.example,
                                          "description": p.description} for p in q.params.values()}}
                        for name, q in catalogue.items()
                    }
                    return self._send(200, json.dumps(listing, indent=2).encode(), "application/json")
                if url.path.startswith("/catalogue/"):
                    name = url.path[len("/catalogue/"):]
                    if name not in catalogue:
                        return self._error(404, f"no catalogue query named {name!r}")
                    query = catalogue[name]
                    fmt = (params.pop("format", None) or [None])[0]
                    values = {k: v[-1] for k, v in params.items()}
                    bindings = resolve_params(graph, query, values, style="url")
                    return self._answer(query.text, bindings, fmt)
                if url.path == "/":
                    return self._send(200, _INDEX.encode(), "text/html; charset=utf-8")
                return self._error(404, "not found; the endpoint is /sparql")
            except (Refused, QueryError, ParamError) as exc:
                return self._error(400, str(exc))

        def do_GET(self):  # noqa: N802
            self._route()

        def do_HEAD(self):  # noqa: N802
            self._route()

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                return self._error(413, "request body too large")
            raw = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                return self._route(body_query=raw)
            if ctype == "application/x-www-form-urlencoded":
                return self._route(body_params=parse_qs(raw, keep_blank_values=True))
            if ctype == "application/sparql-update":
                return self._error(400, "this endpoint is read-only: updates are refused")
            return self._error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")

        def _refuse_write(self):
            self._error(405, "this endpoint is read-only")

        do_PUT = do_DELETE = do_PATCH = _refuse_write  # noqa: N815

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


_INDEX = """<!doctype html><meta charset="utf-8"><title>sanctions-kg SPARQL endpoint</title>
<h1>sanctions-kg SPARQL endpoint</h1>
<p>Read-only SPARQL 1.1 Protocol endpoint at <code>/sparql</code> (GET or POST).
The query catalogue is at <a href="/catalogue">/catalogue</a>; run one with
<code>/catalogue/NAME?param=value</code>.</p>
<form action="/sparql" method="get"><textarea name="query" rows="8" cols="80">
PREFIX kg: &lt;https://w3id.org/sanctions-kg/ontology#&gt;
PREFIX rdfs: &lt;http://www.w3.org/2000/01/rdf-schema#&gt;
SELECT ?sanction ?label WHERE { ?sanction a kg:Sanction ; rdfs:label ?label }</textarea><br>
<select name="format"><option>json</option><option>csv</option><option>tsv</option><option>xml</option></select>
<button>Run</button></form>
"""
