"""Query parameters of type date, integer and boolean are bound as typed literals, on both engines.

A value bound with the wrong type matches nothing: "2021-03-22" (a string) is not
"2021-03-22"^^xsd:date, "8" is not 8. Each test would fail if the parameter were bound untyped
or as a string.
"""

from __future__ import annotations

import pytest
from rdflib import Dataset

from kg.query import ParamError, parse_query_file, run_query

DATA = """
@prefix ex: <urn:ex#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<urn:ex:g> {
    ex:a ex:on "2021-03-22"^^xsd:date ; ex:count 8 ; ex:flag true .
    ex:b ex:on "2024-12-10"^^xsd:date ; ex:count 24 ; ex:flag false .
}
"""

ONE = """#+ summary: what has this value
#+ params: {{value: {type}}}
PREFIX ex: <urn:ex#>
SELECT ?s ?value WHERE {{ ?s ex:{predicate} ?value }}
"""

LATER = """#+ summary: acts after a day, above a count (Oxigraph binds only projected variables)
#+ params: {after: date, above: integer}
PREFIX ex: <urn:ex#>
SELECT ?s ?after ?above WHERE { ?s ex:on ?d ; ex:count ?c . FILTER (?d > ?after && ?c > ?above) }
"""


def _stores():
    import pyoxigraph
    from oxrdflib import OxigraphStore

    memory = Dataset(default_union=True)
    memory.parse(data=DATA, format="trig")
    oxigraph = Dataset(store=OxigraphStore(store=pyoxigraph.Store()), default_union=True)
    oxigraph.parse(data=DATA, format="trig")
    return {"rdflib": memory, "oxigraph": oxigraph}


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def store(request):
    return _stores()[request.param]


def _query(tmp_path, text, name="q.rq"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_query_file(path)


def _subjects(result) -> list[str]:
    return sorted(str(row[0]).rsplit("#", 1)[-1] for row in result)


@pytest.mark.parametrize("type_, predicate, value, expected", [
    ("date", "on", "2021-03-22", ["a"]),
    ("integer", "count", "24", ["b"]),
    ("boolean", "flag", "true", ["a"]),
    ("boolean", "flag", "False", ["b"]),
])
def test_a_typed_parameter_matches_the_typed_value(tmp_path, store, type_, predicate, value, expected):
    query = _query(tmp_path, ONE.format(type=type_, predicate=predicate))
    assert _subjects(run_query(store, query, value=value)) == expected


def test_a_date_and_an_integer_compare_as_values(tmp_path, store):
    # untyped, "2021-03-23" < "2024-..." would still hold as strings, but "9" > "24" would not as numbers
    query = _query(tmp_path, LATER)
    assert _subjects(run_query(store, query, after="2021-03-23", above="9")) == ["b"]
    assert _subjects(run_query(store, query, after="2021-03-21", above="7")) == ["a", "b"]
    assert _subjects(run_query(store, query, after="2024-12-10", above="7")) == []


@pytest.mark.parametrize("param, value, message", [
    ("after", "22/03/2021", "expected a date"),
    ("above", "eight", "expected a whole number"),
])
def test_a_parameter_of_the_wrong_form_is_refused(tmp_path, store, param, value, message):
    params = {"after": "2021-01-01", "above": "0", param: value}
    with pytest.raises(ParamError, match=message):
        run_query(store, _query(tmp_path, LATER), **params)


def test_a_boolean_parameter_of_the_wrong_form_is_refused(tmp_path, store):
    with pytest.raises(ParamError, match="expected true or false"):
        run_query(store, _query(tmp_path, ONE.format(type="boolean", predicate="flag")), value="yes")


ACTORS = """
@prefix kg: <https://w3id.org/sanctions-kg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <urn:ex#> .
<urn:ex:g> {{
    ex:article-wang a kg:Actor ; rdfs:label "Wang Wei" ; kg:evidence [ a {first} ] .
    ex:imported-wang a kg:Actor ; rdfs:label "Wang Wei" ; kg:evidence [ a {second} ] .
    ex:a ex:by ex:article-wang . ex:b ex:by ex:imported-wang .
}}
"""

BY = """#+ summary: acts by an actor
#+ params: {who: actor}
PREFIX ex: <urn:ex#>
SELECT ?s ?who WHERE { ?s ex:by ?who }
"""


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_a_name_shared_with_an_imported_record_is_taken_as_the_articles_actor(tmp_path, engine, caplog):
    # kg.query._article_actor: of two actors called "Wang Wei", only ex:article-wang has quote evidence
    # (an article's), so the name is taken as it: the answer is the act it did (ex:a), and the log says so.
    import pyoxigraph
    from oxrdflib import OxigraphStore

    def graph(first, second):
        store = OxigraphStore(store=pyoxigraph.Store()) if engine == "oxigraph" else "default"
        ds = Dataset(store=store, default_union=True)
        return ds.parse(data=ACTORS.format(first=first, second=second), format="trig")

    query = _query(tmp_path, BY)
    with caplog.at_level("INFO", logger="kg"):
        assert _subjects(run_query(graph("kg:QuoteEvidence", "kg:RecordEvidence"), query, who="Wang Wei")) == ["a"]
    assert "who='Wang Wei' taken as the articles' " in caplog.text and "article-wang" in caplog.text
    # both with quote evidence, or neither: no article actor stands out, so the name is refused as ambiguous
    for first, second in [("kg:QuoteEvidence", "kg:QuoteEvidence"), ("kg:RecordEvidence", "kg:RecordEvidence")]:
        with pytest.raises(ParamError, match="'Wang Wei' fits 2 actors"):
            run_query(graph(first, second), query, who="Wang Wei")


def test_a_query_files_summary_and_tags_are_read_from_its_header(tmp_path):
    # mutmut (kg.query.x_parse_query_file__mutmut_16, _32, _34): a summary read as "None" and tags
    # dropped survived, since the catalogue test only asked that a summary be there.
    listed = _query(tmp_path, "#+ summary: Acts by day.\n#+ tags: [timeline, acts]\nSELECT * WHERE { }\n")
    assert (listed.summary, listed.tags) == ("Acts by day.", ("timeline", "acts"))
    single = _query(tmp_path, "#+ summary: One tag.\n#+ tags: timeline\nSELECT * WHERE { }\n", name="one.rq")
    assert single.tags == ("timeline",)
    bare = _query(tmp_path, "SELECT * WHERE { }\n", name="bare.rq")
    assert (bare.summary, bare.tags) == ("", ())


def test_an_iri_parameter_does_not_read_every_name(dataset, monkeypatch):
    """An actor given by its IRI was checked against the index of every actor's names: 5-30 s a query at
    10^6 triples. It is asked of the graph for that node alone; a name still goes through the index."""
    import kg.names
    from kg.query import load_catalogue, resolve_params
    from rdflib import URIRef, Variable

    catalogue = load_catalogue()
    read = []
    real = kg.names.name_index
    monkeypatch.setattr(kg.names, "name_index", lambda *a, **k: read.append(a) or real(*a, **k))
    chen = URIRef("https://w3id.org/sanctions-kg/id/actor/chen-quanguo")
    assert resolve_params(dataset, catalogue["sanctions-against"], {"target": "actor:chen-quanguo"}) == {
        Variable("target"): chen}
    assert read == []
    assert resolve_params(dataset, catalogue["sanctions-against"], {"target": "Chen Quanguo"}) == {
        Variable("target"): chen}
    assert len(read) == 1


def test_an_iri_of_another_kind_is_still_refused(dataset):
    # a sanction is not an actor: the fast path says no, and the index gives the error it always gave
    from kg.query import ParamError, load_catalogue, resolve_params

    with pytest.raises(ParamError, match="is not an actor"):
        resolve_params(dataset, load_catalogue()["sanctions-against"], {"target": "act:ca-2021-03-sanction"})
