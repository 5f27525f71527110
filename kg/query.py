"""The query catalogue: one SPARQL query per ``queries/*.rq`` file.

Each file starts with a header in ``#+`` comment lines that is YAML once the
``#+`` is stripped (the grlc convention)::

    #+ summary: Who did a responder counter-sanction, and in answer to what?
    #+ description: Longer text.
    #+ tags: [retaliation]
    #+ params:
    #+   responder: {type: actor, default: China, description: the retaliating state}

A parameter is an ordinary SPARQL variable (``?responder``) that the engine
binds (``initBindings``); its value is never pasted into the query text.
Parameter types: ``iri``, ``actor`` (an IRI or a label/alternative label,
resolved against the graph), ``string``, ``date``, ``integer``, ``boolean``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD

__all__ = [
    "CatalogueQuery",
    "Param",
    "ParamError",
    "QueryError",
    "load_catalogue",
    "parse_query_file",
    "prepare",
    "resolve_params",
    "run_query",
]

PARAM_TYPES = ("iri", "actor", "string", "date", "integer", "boolean")

#: rdflib stores that run SPARQL in their own engine.
_NATIVE_STORES = frozenset({"OxigraphStore", "SPARQLStore", "SPARQLUpdateStore"})

_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)


class QueryError(Exception):
    """A query that cannot be read or parsed; the message names file, line and column."""


class ParamError(Exception):
    """A missing, unknown or ill-typed query parameter."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    default: str | None = None
    description: str = ""


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    text: str
    path: Path | None = None
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    params: Mapping[str, Param] = field(default_factory=dict)

    @property
    def is_violation_check(self) -> bool:
        """Quality checks are named ``*-violation`` and pass when they return no row."""
        return self.name.endswith("-violation")


def _parse_header(text: str, source: str) -> dict[str, Any]:
    import yaml  # noqa: PLC0415 - only needed when a catalogue is read

    lines = []
    for line in text.splitlines():
        m = _HEADER_LINE.match(line)
        if m:
            lines.append(m.group(1))
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        return {}
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: unreadable '#+' header: {exc}") from exc
    if not isinstance(header, dict):
        raise QueryError(f"{source}: the '#+' header must be 'key: value' lines")
    return header


def _parse_params(raw: Any, source: str) -> dict[str, Param]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise QueryError(f"{source}: '#+ params' must map names to types")
    params: dict[str, Param] = {}
    for name, spec in raw.items():
        if isinstance(spec, str):
            spec = {"type": spec}
        if not isinstance(spec, dict):
            raise QueryError(f"{source}: parameter {name!r} must be a type or a mapping")
        ptype = spec.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise QueryError(
                f"{source}: parameter {name!r} has unknown type {ptype!r} "
                f"(one of {', '.join(PARAM_TYPES)})"
            )
        default = spec.get("default")
        params[str(name)] = Param(
            name=str(name),
            type=ptype,
            default=None if default is None else str(default),
            description=str(spec.get("description", "")),
        )
    return params


def parse_query_file(path: Path | str) -> CatalogueQuery:
    """Read one ``.rq`` file with its header; the SPARQL is checked by :func:`prepare`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read query file: {exc}") from exc
    header = _parse_header(text, str(path))
    tags = header.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    return CatalogueQuery(
        name=path.stem,
        text=text,
        path=path,
        summary=str(header.get("summary", "")),
        description=str(header.get("description", "")),
        tags=tuple(str(t) for t in tags),
        params=_parse_params(header.get("params"), str(path)),
    )


def load_catalogue(directory: Path | str | None = None) -> dict[str, CatalogueQuery]:
    """All ``*.rq`` files of a folder (default: the project's ``queries/``), by name."""
    if directory is None:
        from kg.paths import queries_dir  # noqa: PLC0415

        directory = queries_dir()
    return {q.name: q for q in map(parse_query_file, sorted(Path(directory).glob("*.rq")))}


def prepare(query: CatalogueQuery | str, source: str = "<query>"):
    """Parse and algebrise a query with rdflib; a syntax error names source, line and column."""
    from pyparsing import ParseException  # noqa: PLC0415
    from rdflib.plugins.sparql import prepareQuery  # noqa: PLC0415

    if isinstance(query, CatalogueQuery):
        text, source = query.text, str(query.path or query.name)
    else:
        text = query
    import rdflib.plugins.sparql as rdflib_sparql  # noqa: PLC0415

    # FROM <iri> selects a graph the dataset holds; rdflib would otherwise fetch the IRI (a web
    # page, or a local file through file:) - nothing a query says may make kg read elsewhere.
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    try:
        return prepareQuery(text)
    except ParseException as exc:
        raise QueryError(
            f"{source}:{exc.lineno}:{exc.col}: SPARQL syntax error: {exc.msg}\n  {exc.line}"
        ) from exc
    except Exception as exc:  # rdflib raises plain exceptions for e.g. unknown prefixes
        raise QueryError(f"{source}: invalid SPARQL: {exc}") from exc


_ACTOR_LOOKUP = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?actor ?name WHERE {
  ?actor a ?cls .
  ?cls rdfs:subClassOf* kg:Actor .
  { ?actor rdfs:label ?name } UNION { ?actor skos:altLabel ?name }
}
"""


def actor_names(graph) -> dict[str, set[URIRef]]:
    """Map every label and alternative label (case-folded) of an actor to its IRIs."""
    names: dict[str, set[URIRef]] = {}
    for row in graph.query(_ACTOR_LOOKUP):
        names.setdefault(str(row.name).casefold(), set()).add(row.actor)
    return names


def _resolve_actor(graph, name: str, value: str) -> URIRef:
    if value.startswith(("http://", "https://", "urn:")):
        return URIRef(value)
    names = actor_names(graph)
    found = names.get(value.casefold())
    if found and len(found) == 1:
        return next(iter(found))
    if found:
        raise ParamError(
            f"parameter {name}: {value!r} names several actors: "
            + ", ".join(sorted(found))
            + "; give the IRI"
        )
    close = difflib.get_close_matches(value.casefold(), list(names), n=5, cutoff=0.5)
    hint = f" Close matches: {', '.join(close)}." if close else ""
    raise ParamError(f"parameter {name}: no actor is called {value!r}.{hint}")


def _typed(graph, param: Param, value: str):
    if param.type == "iri":
        if not value.startswith(("http://", "https://", "urn:")):
            raise ParamError(f"parameter {param.name}: expected an IRI, got {value!r}")
        return URIRef(value)
    if param.type == "actor":
        return _resolve_actor(graph, param.name, value)
    if param.type == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ParamError(f"parameter {param.name}: expected a date YYYY-MM-DD, got {value!r}")
        return Literal(value, datatype=XSD.date)
    if param.type == "integer":
        try:
            return Literal(int(value))
        except ValueError:
            raise ParamError(f"parameter {param.name}: expected an integer, got {value!r}") from None
    if param.type == "boolean":
        if value.lower() not in ("true", "false"):
            raise ParamError(f"parameter {param.name}: expected true or false, got {value!r}")
        return Literal(value.lower() == "true")
    return Literal(value)


def resolve_params(
    graph, query: CatalogueQuery, values: Mapping[str, str]
) -> dict[Variable, Any]:
    """Type the given values by the query's header and add defaults.

    Unknown names and missing parameters without default are errors.
    """
    unknown = sorted(set(values) - set(query.params))
    if unknown:
        known = ", ".join(query.params) or "none"
        raise ParamError(
            f"query {query.name} has no parameter {', '.join(unknown)} (parameters: {known})"
        )
    bindings: dict[Variable, Any] = {}
    for name, param in query.params.items():
        value = values.get(name, param.default)
        if value is None:
            raise ParamError(f"query {query.name}: missing parameter {name} ({param.type})")
        bindings[Variable(name)] = _typed(graph, param, str(value))
    return bindings


def _refuse_service(prepared, source: str) -> None:
    """A query with SERVICE is a :class:`QueryError`: rdflib and Oxigraph would both call the IRI."""
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    todo = [prepared.algebra]
    while todo:
        node = todo.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise QueryError(f"{source}: SERVICE <{node.get('term')}> is refused: kg queries make no outbound requests")
            todo.extend(node.values())
        elif isinstance(node, (list, tuple)):
            todo.extend(node)


def run_query(graph, query: CatalogueQuery | str, **params: str):
    """Run a catalogue query (by name or object) or raw SPARQL text on a graph.

    ``params`` are bound by the engine; the query text is never edited.

    Examples
    --------
    >>> from rdflib import Dataset
    >>> q = CatalogueQuery(name="n", text="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    >>> int(next(iter(run_query(Dataset(), q))).n)
    0
    """
    if isinstance(query, str):
        if re.fullmatch(r"[\w-]+", query):
            catalogue = load_catalogue()
            if query not in catalogue:
                raise QueryError(f"no query named {query!r} in the catalogue")
            query = catalogue[query]
        else:
            query = CatalogueQuery(name="<text>", text=query)
    if _SERVICE_WORD.search(query.text):  # parsed only when the word is there: most queries skip this
        _refuse_service(prepare(query), str(query.path or query.name))
    bindings = resolve_params(graph, query, params)
    # by class name (and its bases': kg.store wraps SPARQLStore), so this module need not import the stores
    store = next((c.__name__ for c in type(getattr(graph, "store", None)).__mro__ if c.__name__ in _NATIVE_STORES),
                 type(getattr(graph, "store", None)).__name__)
    if store == "OxigraphStore":
        # Oxigraph parses the text itself (rdflib's parser would take 20-100 ms a query, more
        # than Oxigraph needs to answer on a few thousand triples); rdflib's parser is asked
        # only to locate an error in the file, line and column form used everywhere else.
        try:
            return graph.query(query.text, initBindings=bindings)
        except SyntaxError as exc:
            prepare(query)  # raises QueryError naming the line and column, if rdflib sees the error too
            raise QueryError(f"{query.path or query.name}: SPARQL syntax error (Oxigraph): {exc}") from exc
    prepared = prepare(query)  # the syntax check, with file, line and column
    if store in _NATIVE_STORES:
        # remote servers evaluate the text themselves (rdflib's algebra would fall back to
        # rdflib's own, slow evaluation). rdflib's SPARQLStore appends initBindings as a VALUES
        # block after the query, which SPARQL joins only after the WHERE pattern, so a FILTER on a
        # parameter saw it unbound (statements, targets-by-kind: no rows on any server). The values
        # go in a VALUES block at the head of the WHERE pattern instead: bound by the engine still.
        return graph.query(with_values(query.text, bindings))
    return graph.query(prepared, initBindings=bindings)


_TOKEN = re.compile(r"""\#[^\n]*|<[^<>"{}|^`\\\s]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\bWHERE\b|\{""", re.IGNORECASE)


def with_values(text: str, bindings: Mapping) -> str:
    """``text`` with ``VALUES (?a …) { (value …) }`` as the first element of its WHERE pattern.

    The values are written as terms (``n3()``: IRIs and escaped literals), never pasted as text.

    Examples
    --------
    >>> from rdflib import Literal, Variable
    >>> with_values("# {not here}\\nSELECT * WHERE { ?s ?p ?x }", {Variable("x"): Literal("a b")})
    '# {not here}\\nSELECT * WHERE { VALUES (?x) { ("a b") } ?s ?p ?x }'
    """
    if not bindings:
        return text
    names = list(bindings)
    block = f" VALUES ({' '.join(f'?{n}' for n in names)}) {{ ({' '.join(bindings[n].n3() for n in names)}) }}"
    seen_where = False
    first_brace = None
    for token in _TOKEN.finditer(text):
        word = token.group(0)
        if word.upper() == "WHERE":
            seen_where = True
        elif word == "{":
            if seen_where:
                return text[: token.end()] + block + text[token.end():]
            first_brace = token if first_brace is None else first_brace
    if first_brace is None:
        raise QueryError("a query with parameters needs a WHERE pattern")
    return text[: first_brace.end()] + block + text[first_brace.end():]
