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
