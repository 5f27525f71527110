"""The SPARQL endpoint: same answers as `kg query`, read-only, no outbound requests, bounded."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.query import load_catalogue, run_query
from kg.serve import ServerConfig, make_server

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")

SLOW = """SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"""


@pytest.fixture(scope="module")
def endpoint(dataset):
    server = make_server(dataset, "127.0.0.1", 0, ServerConfig(timeout=3, max_rows=5))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


def _get(url: str, accept: str = "application/sparql-results+json"):
    req = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _bindings(payload: dict) -> list[dict]:
    return [{k: v["value"] for k, v in b.items()} for b in payload["results"]["bindings"]]


def _local(dataset, query, **params) -> list[dict]:
    return _bindings(json.loads(run_query(dataset, query, **params).serialize(format="json")))


@pytest.fixture(scope="module")
def wide_endpoint(dataset):
    """Without a small row limit, for comparing whole answers."""
    server = make_server(dataset, "127.0.0.1", 0, ServerConfig(timeout=20, max_rows=100_000))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_over_http_equals_kg_query(name, dataset, wide_endpoint):
    required = {p.name: p.example for p in CATALOGUE[name].params.values() if p.required}
    status, _, body = _get(f"{wide_endpoint}/catalogue/{name}?{urllib.parse.urlencode(required)}")
    assert status == 200, body
    if CATALOGUE[name].params:
        assert _bindings(json.loads(body)) == _local(dataset, CATALOGUE[name], **required)
    else:
        # Parameterless queries also go through the standard protocol, with a real client.
        from SPARQLWrapper import JSON, POST, SPARQLWrapper

        client = SPARQLWrapper(f"{wide_endpoint}/sparql")
        # SPARQLWrapper guesses the query type from the first keyword anywhere in the text,
        # comments included ("addressee" reads as ADD), so send the query without its header.
        client.setQuery("\n".join(l for l in CATALOGUE[name].text.splitlines() if not l.startswith("#")))
        client.setMethod(POST)
        client.setReturnFormat(JSON)
        assert _bindings(client.query().convert()) == _local(dataset, CATALOGUE[name])


def test_parameters_from_url_are_bound(dataset, wide_endpoint):
    status, _, body = _get(f"{wide_endpoint}/catalogue/counter-sanctions?responder=China")
    assert status == 200
    assert _bindings(json.loads(body)) == _local(dataset, CATALOGUE["counter-sanctions"], responder="China")
    status, _, body = _get(f"{wide_endpoint}/catalogue/sanctions-against?target=Nobody%20Atall")
    assert status == 400 and b"no actor is called" in body
    # a required parameter left out is named, with how to give it in a URL
    status, _, body = _get(f"{wide_endpoint}/catalogue/posts")
    assert status == 400 and b"needs parameter person" in body and b"?person=Wu%20Yingjie" in body
    status, _, body = _get(f"{wide_endpoint}/catalogue")
    person = json.loads(body)["posts"]["params"]["person"]
    assert person["required"] is True and person["example"] == "Wu Yingjie"


@pytest.mark.parametrize("accept,ctype,marker", [
    ("text/csv", "text/csv", b"sanction,label"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?sanction\t?label\t"),
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
])
def test_content_negotiation(endpoint, accept, ctype, marker):
    q = urllib.parse.quote(CATALOGUE["sanctions"].text)
    status, headers, body = _get(f"{endpoint}/sparql?query={q}", accept=accept)
    assert status == 200 and headers["Content-Type"].startswith(ctype) and marker in body


def test_construct_answers_turtle(endpoint):
    q = urllib.parse.quote("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3")
    status, headers, body = _get(f"{endpoint}/sparql?query={q}", accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")


def test_cut_result_says_it_was_cut(endpoint):
    q = urllib.parse.quote(CATALOGUE["sanctions"].text)  # 10 rows, the limit is 5
    status, headers, body = _get(f"{endpoint}/sparql?query={q}")
    data = json.loads(body)
    assert status == 200 and headers.get("X-Result-Truncated") == "true"
    assert data["truncated"] is True and len(data["results"]["bindings"]) == 5


@pytest.fixture
def listener():
    """A loopback port that records every connection; the endpoint must never call it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    hits: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                hits.append(conn.recv(1024))
                conn.close()
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", hits
    stop.set()
    thread.join(1)
    sock.close()


def test_no_outbound_requests(endpoint, listener):
    url, hits = listener
    attempts = [
        f"SELECT * WHERE {{ SERVICE <{url}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}/x> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"LOAD <{url}/data.ttl>",
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    ]
    for text in attempts:
        status, _, body = _get(f"{endpoint}/sparql?query={urllib.parse.quote(text)}")
        assert status == 400, (text, body)
    q = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    status, _, _ = _get(f"{endpoint}/sparql?query={q}&default-graph-uri={urllib.parse.quote(url + '/g')}")
    assert status == 400
    status, _, _ = _get(f"{endpoint}/sparql?query={q}&named-graph-uri={urllib.parse.quote(url + '/g')}")
    assert status == 400
    time.sleep(0.5)
    assert hits == []


def test_updates_and_writes_refused(endpoint):
    req = urllib.request.Request(f"{endpoint}/sparql", data=b"update=CLEAR%20ALL", method="POST",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400
    req = urllib.request.Request(f"{endpoint}/sparql", data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 405


def test_bad_query_is_4xx_with_message(endpoint):
    status, _, body = _get(f"{endpoint}/sparql?query={urllib.parse.quote('SELECT ?x WHERE { ?x ')}")
    assert status == 400 and b"syntax error at line 1" in body


def test_long_query_is_stopped_and_others_still_answered(endpoint):
    results = {}

    def slow():
        started = time.monotonic()
        results["slow"] = _get(f"{endpoint}/sparql?query={urllib.parse.quote(SLOW)}")[0]
        results["slow_seconds"] = time.monotonic() - started

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    status, _, _ = _get(f"{endpoint}/sparql?query={urllib.parse.quote('ASK { ?s ?p ?o }')}")
    quick = time.monotonic() - started
    thread.join(30)
    assert status == 200
    assert results["slow"] == 503
    assert quick < results["slow_seconds"]  # answered while the slow one was still running
