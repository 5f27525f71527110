"""The W3C SPARQL 1.1 Protocol tests, run against `kg serve` and `oxigraph serve` side by side.

    python benchmarks/protocol_suite.py          # prints a table and the counts for both servers

Where the tests come from: the suite's manifest (``sparql11/protocol/manifest.ttl``
of the w3c/rdf-tests repository) is fetched at run time from a package
registry, never committed: the rdflib sdist on PyPI carries its 34-test
version (``pip download rdflib==7.1.4 --no-binary :all: --no-deps``). The
48-test version of w3c/rdf-tests pull request #324 is in no registry (neither
PyPI nor npm: ``rdf-test-suite`` downloads manifests from w3.org at run time).

That registry manifest names each test (``mf:name``) but carries neither the
request nor the expected response. :data:`CASES` writes both down for every
test it lists, as the SPARQL 1.1 Protocol Recommendation (section 2.1, 2.2,
4) and the repository's later revision of the same 34 tests state them: the
request (method, path, headers, body) and every expectation (status class,
the boolean answer, the kind of result: boolean, tabular or RDF). The runner
reads the manifest with rdflib and fails on a test it has no case for, so a
new manifest cannot be passed by tests it never runs.

The test data: the tests select ``http://kasei.us/2009/09/sparql/data/dataN.rdf``
(N = 0..3) as default or named graphs and ask ``<dataN.rdf> a ?type``. Both
servers are given these four graphs, each holding that one statement, so
selection is tested on graphs the store holds and nothing is dereferenced.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

RDFLIB_SDIST = "rdflib==7.1.4"
MANIFEST_IN_SDIST = "test/data/suites/w3c/sparql11/protocol/manifest.ttl"
MANIFEST_NS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
DATA = "http://kasei.us/2009/09/sparql/data/"


def dataset_nquads() -> bytes:
    """The four graphs the tests select, each stating its own type."""
    return "".join(f"<{DATA}data{n}.rdf> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                   f"<http://xmlns.com/foaf/0.1/Document> <{DATA}data{n}.rdf> .\n" for n in range(4)).encode()


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sanctions-kg" / "w3c-protocol"


def fetch_manifest() -> Path:
    """The registry manifest, downloaded once into the cache; raises RuntimeError saying why when it cannot."""
    target = cache_dir() / "manifest.ttl"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run([sys.executable, "-m", "pip", "download", RDFLIB_SDIST, "--no-binary", ":all:",
                              "--no-deps", "-d", tmp, "-q"], capture_output=True, text=True, timeout=600)
        sdists = list(Path(tmp).glob("rdflib-*.tar.gz"))
        if run.returncode != 0 or not sdists:
            raise RuntimeError(f"cannot download the {RDFLIB_SDIST} sdist from PyPI (it carries the W3C protocol "
                               f"manifest): {run.stderr.strip()[-500:]}")
        with tarfile.open(sdists[0]) as tar:
            member = next((m for m in tar.getmembers() if m.name.endswith(MANIFEST_IN_SDIST)), None)
            if member is None:
                raise RuntimeError(f"{sdists[0].name} has no {MANIFEST_IN_SDIST}")
            data = tar.extractfile(member).read()
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def manifest_tests(path: Path) -> list[tuple[str, str]]:
    """(local name, mf:name) of every entry of the manifest, in order."""
    from rdflib import Graph, Namespace
    from rdflib.collection import Collection
    from rdflib.namespace import RDF

    mf = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    g = Graph().parse(path, format="turtle")
    manifest = next(g.subjects(RDF.type, mf.Manifest))
    return [(str(t).removeprefix(MANIFEST_NS), str(g.value(t, mf.name)))
            for t in Collection(g, g.value(manifest, mf.entries))]


@dataclass(frozen=True)
class Case:
    method: str
    path: str                       # after the endpoint URL: "?query=..." or ""
    body: bytes | None = None
    content_type: str | None = None
    status: str = "2xx"             # the expected status class ("2xx" accepts 3xx too, as the tests say)
    boolean: bool | None = None     # the expected ASK answer
    kind: str | None = None         # "boolean", "tabular" or "RDF": what the body must be
    update: bool = False            # an update: refused (400) by a read-only endpoint
    then: tuple = field(default_factory=tuple)  # a follow-up query (the update tests check their effect)


def _q(text: str) -> str:
    return urllib.parse.quote(text, safe="")

_D = {n: _q(f"{DATA}data{n}.rdf") for n in range(4)}
_ASK_BOTH_DEFAULT = f"ASK {{ <{DATA}data1.rdf> a ?type . <{DATA}data2.rdf> a ?type . }}"
_ASK_BOTH_NAMED = f"ASK {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}"
_QUERY, _FORM, _UPDATE = "application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update"
_CHECK_UPDATE = Case("POST", "", b"ASK { GRAPH ?g { ?s ?p ?o } }", _QUERY, boolean=True, kind="boolean")

#: Every test of the 34-test manifest: the request and every expectation.
CASES: dict[str, Case] = {
    "query_post_form": Case("POST", f"?default-graph-uri={_D[0]}", b"query=ASK%20%7B%7D", _FORM, boolean=True, kind="boolean"),
    "query_dataset_default_graphs_get": Case(
        "GET", f"?query={_q(_ASK_BOTH_DEFAULT)}&default-graph-uri={_D[1]}&default-graph-uri={_D[2]}", boolean=True, kind="boolean"),
    "query_dataset_default_graphs_post": Case(
        "POST", f"?default-graph-uri={_D[1]}&default-graph-uri={_D[2]}", _ASK_BOTH_DEFAULT.encode(), _QUERY, boolean=True, kind="boolean"),
    "query_dataset_named_graphs_post": Case(
        "POST", f"?named-graph-uri={_D[1]}&named-graph-uri={_D[2]}", _ASK_BOTH_NAMED.encode(), _QUERY, boolean=True, kind="boolean"),
    "query_dataset_named_graphs_get": Case(
        "GET", f"?query={_q(_ASK_BOTH_NAMED)}&named-graph-uri={_D[1]}&named-graph-uri={_D[2]}", boolean=True, kind="boolean"),
    "query_dataset_full": Case(
        "POST", f"?default-graph-uri={_D[3]}&named-graph-uri={_D[1]}&named-graph-uri={_D[2]}",
        f"ASK {{ <{DATA}data3.rdf> a ?type GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}".encode(), _QUERY, boolean=True, kind="boolean"),
    "query_multiple_dataset": Case(  # the protocol's dataset wins over the query's FROM
        "POST", f"?named-graph-uri={_D[1]}&named-graph-uri={_D[2]}",
        f"ASK FROM <{DATA}data3.rdf> {{ GRAPH ?g1 {{ <{DATA}data1.rdf> a ?type }} "
        f"GRAPH ?g2 {{ <{DATA}data2.rdf> a ?type }} }}".encode(), _QUERY, boolean=True, kind="boolean"),
    "query_get": Case("GET", f"?query={_q('ASK {}')}&default-graph-uri={_D[0]}", boolean=True, kind="boolean"),
    "query_content_type_select": Case("POST", f"?default-graph-uri={_D[0]}", b"SELECT (1 AS ?value) {}", _QUERY, kind="tabular"),
    "query_content_type_ask": Case("POST", f"?default-graph-uri={_D[0]}", b"ASK {}", _QUERY, kind="boolean"),
    "query_content_type_describe": Case("POST", f"?default-graph-uri={_D[0]}", b"DESCRIBE <http://example.org/>", _QUERY, kind="RDF"),
    "query_content_type_construct": Case(
        "POST", f"?default-graph-uri={_D[0]}", b"CONSTRUCT { <http://example.org/s> <http://example.org/p> 1 } WHERE {}",
        _QUERY, kind="RDF"),
    "update_dataset_default_graph": Case(
        "POST", f"?using-graph-uri={_D[1]}", b"CLEAR ALL ; INSERT DATA { GRAPH <http://example.org/protocol-update-dataset-test/> "
        b"{ <http://example.org/s> <http://example.org/p> 1 } }", _UPDATE, update=True, then=(_CHECK_UPDATE,)),
    "update_dataset_default_graphs": Case(
        "POST", f"?using-graph-uri={_D[1]}&using-graph-uri={_D[2]}", b"DROP ALL ; INSERT DATA { GRAPH "
        b"<http://example.org/protocol-update-dataset-graphs-test/> { <http://example.org/s> <http://example.org/p> 1 } }",
        _UPDATE, update=True, then=(_CHECK_UPDATE,)),
    "update_dataset_named_graphs": Case(
        "POST", f"?using-named-graph-uri={_D[1]}&using-named-graph-uri={_D[2]}", b"DROP ALL ; INSERT DATA { GRAPH "
        b"<http://example.org/protocol-update-dataset-named-graphs-test/> { <http://example.org/s> <http://example.org/p> 1 } }",
        _UPDATE, update=True, then=(_CHECK_UPDATE,)),
    "update_dataset_full": Case(
        "POST", f"?using-graph-uri={_D[1]}&using-named-graph-uri={_D[2]}", b"DROP ALL ; INSERT DATA { GRAPH "
        b"<http://example.org/protocol-update-dataset-full-test/> { <http://example.org/s> <http://example.org/p> 1 } }",
        _UPDATE, update=True, then=(_CHECK_UPDATE,)),
    "update_post_form": Case("POST", "", b"update=CLEAR+ALL", _FORM, update=True),
    "update_post_direct": Case("POST", "", b"CLEAR ALL", _UPDATE, update=True),
    "update_base_uri": Case(
        "POST", "", b"CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ; INSERT DATA { GRAPH "
        b"<http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }",
        _UPDATE, update=True, then=(_CHECK_UPDATE,)),
    "query_post_direct": Case("POST", "", b"ASK {}", _QUERY, boolean=True, kind="boolean"),
    "bad_query_method": Case("PUT", f"?query={_q('ASK {}')}&default-graph-uri={_D[0]}", b"", _FORM, status="4xx"),
    "bad_multiple_queries": Case("GET", f"?query={_q('ASK {}')}&query={_q('SELECT * {}')}", status="4xx"),
    "bad_query_wrong_media_type": Case("POST", "", b"ASK {}", "text/plain", status="4xx"),
    "bad_query_missing_form_type": Case("POST", "", b"query=ASK%20%7B%7D", None, status="4xx"),
    "bad_query_missing_direct_type": Case("POST", "", b"ASK {}", None, status="4xx"),
    "bad_query_non_utf8": Case("POST", "", "ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16", status="4xx"),
    "bad_query_syntax": Case("GET", f"?query={_q('ASK {')}", status="4xx"),
    "bad_update_get": Case("GET", f"?update={_q('CLEAR ALL')}", status="4xx"),
    "bad_multiple_updates": Case("POST", "", b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", _FORM, status="4xx"),
    "bad_update_wrong_media_type": Case("POST", "", b"CLEAR NAMED", "text/plain", status="4xx"),
    "bad_update_missing_form_type": Case("POST", "", b"update=CLEAR%20NAMED", None, status="4xx"),
    "bad_update_non_utf8": Case("POST", "", "CLEAR NAMED".encode("utf-16"), "application/sparql-update; charset=UTF-16", status="4xx"),
    "bad_update_syntax": Case("POST", "", b"update=CLEAR%20XYZ", _FORM, status="4xx"),
    "bad_update_dataset_conflict": Case(
        "POST", f"?using-named-graph-uri={_q('http://example/people')}",
        b"PREFIX foaf: <http://xmlns.com/foaf/0.1/> WITH <http://example/addresses> DELETE { ?person foaf:givenName 'Bill' } "
        b"INSERT { ?person foaf:givenName 'William' } USING NAMED <http://example/people> WHERE { GRAPH <http://example/people> "
        b"{ ?person foaf:givenName 'Bill' } }", _UPDATE, status="4xx"),
}


def _send(url: str, case: Case) -> tuple[int, str, bytes]:
    headers = {} if case.content_type is None else {"Content-Type": case.content_type}
    request = urllib.request.Request(url + case.path, data=case.body, method=case.method, headers=headers)
    if case.body is not None and case.content_type is None:
        # urllib adds a form type to every body; the tests without a type must go without one
        request.remove_header("Content-type")
        request.unredirected_hdrs.pop("Content-type", None)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def _send_raw(url: str, case: Case) -> tuple[int, str, bytes]:
    """A request with no Content-Type at all (urllib always adds one to a body)."""
    import http.client

    parts = urllib.parse.urlsplit(url + case.path)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.putrequest(case.method, parts.path + ("?" + parts.query if parts.query else ""))
    conn.putheader("Content-Length", str(len(case.body or b"")))
    conn.endheaders(case.body or b"")
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.getheader("Content-Type", ""), body


def _kind_of(ctype: str, body: bytes) -> tuple[str | None, bool | None]:
    """What a response body is (boolean, tabular, RDF), and the boolean it answers; parsed, not guessed."""
    mime = ctype.split(";")[0].strip().lower()
    if mime in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        return ("boolean", data["boolean"]) if "boolean" in data else ("tabular", None)
    if mime in ("application/sparql-results+xml", "application/xml", "text/xml"):
        from lxml import etree

        root = etree.fromstring(body)
        found = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
        if found is not None:
            return "boolean", found.text.strip() == "true"
        if root.find("{http://www.w3.org/2005/sparql-results#}results") is not None:
            return "tabular", None
        return None, None
    if mime in ("text/csv", "text/tab-separated-values"):
        return "tabular", None
    rdf = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
           "application/ld+json": "json-ld", "text/n3": "n3", "text/plain": "nt"}
    if mime in rdf:
        from rdflib import Graph

        Graph().parse(data=body, format=rdf[mime])  # raises if it is not what it says
        return "RDF", None
    return None, None


def check(url: str, name: str, update_url: str | None = None) -> tuple[bool, str]:
    """Run one test against an endpoint URL; (passed, why not).

    ``update_url``: where a server that has a separate update endpoint (Oxigraph's ``/update``)
    takes the update operations; ours has none, so they go to the query URL and are refused there.
    """
    case = CASES[name]
    send = _send_raw if case.body is not None and case.content_type is None else _send
    target = update_url if update_url and name.startswith(("update_", "bad_update_")) else url
    status, ctype, body = send(target, case)
    if case.update:
        # A read-only endpoint refuses it (400, with a message); a read-write one must perform it.
        if status == 400:
            return False, f"refused (400): {body.decode('utf-8', 'replace').strip()[:80]}"
        if not 200 <= status < 400:
            return False, f"status {status}"
        for follow in case.then:
            ok, why = _check_case(url, follow)
            if not ok:
                return False, f"after the update: {why}"
        return True, ""
    return _check_case(url, case, (status, ctype, body))


def _check_case(url: str, case: Case, answer=None) -> tuple[bool, str]:
    status, ctype, body = answer or _send(url, case)
    if case.status == "4xx":
        return (400 <= status < 500), f"status {status}, expected 4xx"
    if not 200 <= status < 400:
        return False, f"status {status}: {body.decode('utf-8', 'replace').strip()[:100]}"
    try:
        kind, boolean = _kind_of(ctype, body)
    except Exception as exc:  # noqa: BLE001 - a body that does not parse as its type fails the test
        return False, f"the {ctype} body does not parse: {exc}"
    if case.kind and kind != case.kind:
        return False, f"expected a {case.kind} result, got {ctype!r}"
    if case.boolean is not None and boolean is not case.boolean:
        return False, f"expected {str(case.boolean).lower()}, got {boolean}"
    return True, ""


# ------------------------------------------------------------------ the two servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_oxigraph(workdir: Path) -> tuple[subprocess.Popen, str]:
    """`oxigraph serve` (the PyPI `oxigraph` package) on a loopback port with the test graphs."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    data = workdir / "data.nq"
    data.write_bytes(dataset_nquads())
    location = workdir / "oxigraph"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(data)], check=True, capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the oxigraph server did not start")


def update_url_of(query_url: str) -> str | None:
    """Oxigraph's update endpoint beside its query endpoint; ours has none."""
    return query_url[: -len("/query")] + "/update" if query_url.endswith("/query") else None


def start_ours():
    """`kg serve`'s endpoint, in this process, with the test graphs."""
    import threading

    import pyoxigraph

    from kg.serve import ServerConfig, make_server

    store = pyoxigraph.Store()
    store.bulk_load(dataset_nquads(), format=pyoxigraph.RdfFormat.N_QUADS)
    server = make_server(store, "127.0.0.1", 0, ServerConfig(timeout=10, workers=2))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.url


def main() -> int:
    manifest = fetch_manifest()
    tests = manifest_tests(manifest)
    unknown = [name for name, _ in tests if name not in CASES]
    if unknown:
        print(f"no case for {', '.join(unknown)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        server, ours = start_ours()
        proc, theirs = start_oxigraph(Path(tmp))
        try:
            totals = {"kg serve": [0, 0], "oxigraph serve": [0, 0]}
            print(f"{'test':38} {'kg serve':34} oxigraph serve")
            for name, _ in tests:
                cells = []
                for label, url in (("kg serve", ours), ("oxigraph serve", theirs)):
                    ok, why = check(url, name, update_url_of(url))
                    totals[label][0] += ok
                    totals[label][1] += 1
                    cells.append("pass" if ok else f"FAIL {why}"[:33])
                print(f"{name:38} {cells[0]:34} {cells[1]}")
            applicable = sum(1 for name, _ in tests if not CASES[name].update)
            print(f"\n{len(tests)} tests from {RDFLIB_SDIST}'s manifest; {applicable} apply to a read-only endpoint")
            for label, (passed, total) in totals.items():
                print(f"{label}: {passed}/{total} passed")
        finally:
            server.close()
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
