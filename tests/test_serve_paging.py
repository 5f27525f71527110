"""Pages of catalogue queries from `kg serve` (/catalogue/NAME?limit=N&offset=M): contiguous, checked, per store version."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from kg.query import load_catalogue
from kg.serve import ServerConfig, make_server

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")


def _serve(graph, **config):
    server = make_server(graph, "127.0.0.1", 0, ServerConfig(**{"timeout": 20, **config}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="module")
def endpoint(dataset):
    server, url = _serve(dataset, max_rows=1000)
    yield url
    server.close()


def _get(url: str):
    req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _rows(body: bytes) -> list[dict]:
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(body)["results"]["bindings"]]


def _next(headers: dict) -> str | None:
    match = re.fullmatch(r'<([^>]+)>; rel="next"', headers.get("Link", ""))
    return match.group(1) if match else None


@pytest.mark.parametrize("name", ["acts", "timeline", "edges-sanction", "sanctions"])
def test_pages_follow_each_other_without_gaps_or_repeats(endpoint, name):
    # The pages, followed by their Link headers, put together are the query's whole answer in its order,
    # which the same endpoint gives unpaged (max_rows 1000 is more than any listing has on the seed data).
    status, _, body = _get(f"{endpoint}/catalogue/{name}")
    assert status == 200
    whole = _rows(body)
    assert len(whole) > 3  # else the test would not page at all
    pages, url = [], f"{endpoint}/catalogue/{name}?limit=3"
    while url:
        status, headers, body = _get(url if url.startswith("http") else endpoint + url)
        assert status == 200, body
        assert int(headers["X-Total-Rows"]) == len(whole)
        pages.append(_rows(body))
        url = _next(headers)
    assert [len(p) for p in pages[:-1]] == [3] * (len(pages) - 1) and 1 <= len(pages[-1]) <= 3
    assert [row for page in pages for row in page] == whole


def test_page_two_starts_where_page_one_ends(endpoint):
    _, headers1, body1 = _get(f"{endpoint}/catalogue/acts?limit=5&offset=0")
    _, _, body2 = _get(f"{endpoint}/catalogue/acts?limit=5&offset=5")
    _, _, both = _get(f"{endpoint}/catalogue/acts?limit=10&offset=0")
    assert _rows(body1) + _rows(body2) == _rows(both)
    assert _next(headers1) == "/catalogue/acts?limit=5&offset=5"


def test_page_of_a_query_with_a_parameter(endpoint):
    # Wu Yingjie holds one post in the seed articles: "Wu Yingjie, Communist Party head in Tibet between
    # 2016 and 2021" (canada-eight-officials-2024)
    status, headers, body = _get(f"{endpoint}/catalogue/posts?person=Wu%20Yingjie&limit=1&format=json")
    assert status == 200 and headers["X-Total-Rows"] == "1" and "Link" not in headers
    assert [r["title"] for r in _rows(body)] == ["Communist Party head in Tibet"]


def test_offset_past_the_end_is_an_empty_page(endpoint):
    status, headers, body = _get(f"{endpoint}/catalogue/acts?limit=10&offset=100000")
    assert status == 200 and _rows(body) == [] and "Link" not in headers


@pytest.mark.parametrize("query, named", [
    ("limit=0", "limit"), ("limit=abc", "limit"), ("limit=1001", "limit"), ("limit=-3", "limit"),
    ("offset=-1", "offset"), ("offset=x", "offset"), ("limit=10&offset=1.5", "offset"),
])
def test_a_bad_page_parameter_is_400_naming_it(endpoint, query, named):
    status, _, body = _get(f"{endpoint}/catalogue/acts?{query}")
    assert status == 400
    text = body.decode()
    assert text.startswith(f"{named}: expected a whole number from ") and "?limit=N&offset=M" in text


def test_an_unknown_parameter_of_a_paged_query_is_400(endpoint):
    status, _, body = _get(f"{endpoint}/catalogue/acts?limit=5&actor=China")
    assert status == 400 and b"query acts has no parameter actor" in body


def test_no_catalogue_query_takes_a_parameter_the_url_reserves():
    # format, limit and offset are the endpoint's own (/catalogue/NAME?format=csv&limit=100): a query
    # parameter of that name could not be given
    assert [name for name, q in CATALOGUE.items() if {"format", "limit", "offset"} & set(q.params)] == []


def test_a_new_store_version_is_paged_from_its_own_rows(dataset, tmp_path):
    """A listing kept for one store version must not answer for the next: `kg load` swaps in a new one."""
    from rdflib import Dataset, URIRef
    from rdflib.namespace import RDFS

    from kg.query import run_query
    from kg.store import load_oxigraph

    first = tmp_path / "first.trig"
    first.write_bytes(dataset.serialize(format="trig", encoding="utf-8"))
    # the second version: the seed data less one act's label, so that `acts` has that row no more
    gone = str(next(iter(run_query(dataset, CATALOGUE["acts"]))).act)
    shrunk = Dataset()
    shrunk.parse(first, format="trig")
    for graph in shrunk.graphs():
        graph.remove((URIRef(gone), RDFS.label, None))
    second = tmp_path / "second.trig"
    second.write_bytes(shrunk.serialize(format="trig", encoding="utf-8"))

    location = tmp_path / "store"
    load_oxigraph(first, location)
    server, url = _serve(location, max_rows=1000)
    try:
        _, headers, body = _get(f"{url}/catalogue/acts?limit=1000")
        before = [r["act"] for r in _rows(body)]
        assert gone in before and int(headers["X-Total-Rows"]) == len(before)
        load_oxigraph(second, location)
        _, headers, body = _get(f"{url}/catalogue/acts?limit=1000")
        after = [r["act"] for r in _rows(body)]
        assert after == [a for a in before if a != gone] and int(headers["X-Total-Rows"]) == len(before) - 1
    finally:
        server.close()


def test_an_answer_for_one_side_is_cut_from_the_listing_the_server_holds(dataset):
    """`answers` declares its side and to as columns: once the server holds the whole listing for the
    store version, the answer for one side comes from it, and is the answer the query gives."""
    server, url = _serve(dataset, max_rows=1000)
    try:
        app = server._app
        asked = "side=China&to=European%20Union"
        status, _, direct = _get(f"{url}/catalogue/answers?{asked}")  # no listing yet: the query runs
        assert status == 200 and app.listings.peek("answers", {}) is None
        assert app._from_listing("answers", {"side": "China"}) is None
        status, _, _ = _get(f"{url}/catalogue/answers?limit=1000")  # the whole listing, kept
        assert status == 200 and app.listings.peek("answers", {}) is not None
        cut = app._from_listing("answers", {"side": "China", "to": "European Union"})
        assert cut is not None and len(cut[1]) == len(_rows(direct)) >= 2  # China's counter-sanction and words
        status, _, body = _get(f"{url}/catalogue/answers?{asked}")
        assert status == 200 and _rows(body) == _rows(direct)
        status, headers, body = _get(f"{url}/catalogue/answers?{asked}&limit=1")
        assert status == 200 and headers["X-Total-Rows"] == str(len(_rows(direct)))
        assert _rows(body) == _rows(direct)[:1]
        # a value of the wrong kind (a person, not a state or bloc) is refused as it is without the listing
        status, _, body = _get(f"{url}/catalogue/answers?side=Adrian%20Zenz")
        assert status == 400 and b"side" in body and b"kg:State" in body
    finally:
        server.close()
