"""The query catalogue: one SPARQL query per ``queries/*.rq`` file.

Each file starts with a header in ``#+`` comment lines that is YAML once the
``#+`` is stripped (the grlc convention)::

    #+ summary: Counter-sanctions, with their targets and the act they answer.
    #+ description: Longer text.
    #+ tags: [retaliation]
    #+ params:
    #+   responder: {type: actor, required: false, example: China, description: the state or bloc that counter-sanctions}

A parameter is an ordinary SPARQL variable (``?responder``) that the engine
binds (``initBindings``); its value is never pasted into the query text.
Each parameter says whether it is ``required`` (default: yes; a query run
without it is an error that says how to give it) and gives an ``example``
(shown by ``kg query --list``, never used as a value). An optional parameter
left out is simply not bound: the query answers for all.

Parameter types:

``iri``
    ``prefix:local`` as kg prints it (``act:ca-2021-03-sanction``), a full
    IRI, or ``<IRI>``; also a name, matched against the labels of the nodes
    of ``class`` (or of every labelled node). The node must be in the graph.
``actor``
    a name or an IRI of an actor (of ``class`` when given, e.g. ``[kg:State,
    kg:Bloc]``), matched forgivingly by :func:`kg.names.resolve`.
``concept``
    a name or an IRI of a concept of ``scheme`` (e.g. ``stance:``).
``string``, ``date`` (YYYY-MM-DD), ``integer``, ``boolean`` (true/false/1/0)
    literals, checked before the query runs.

So that every engine binds a parameter the same way (rdflib pre-binds, Oxigraph
substitutes, a remote server gets a trailing ``VALUES``), a catalogue query
projects each parameter and binds it in a triple pattern of its main group,
never only in a FILTER or OPTIONAL; ``tests/test_query.py`` checks this on
every catalogue query.
"""

from __future__ import annotations

import logging
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
    "find_query",
    "run_query",
    "run_with",
]

PARAM_TYPES = ("iri", "actor", "concept", "string", "date", "integer", "boolean")
_PARAM_KEYS = frozenset({"type", "required", "example", "description", "class", "scheme", "column"})

#: rdflib stores that run SPARQL in their own engine.
_NATIVE_STORES = frozenset({"OxigraphStore", "SPARQLStore", "SPARQLUpdateStore"})

_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")
_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)

log = logging.getLogger("kg")


class QueryError(Exception):
    """A query that cannot be read or parsed; the message names file, line and column."""


class ParamError(Exception):
    """A missing, unknown or ill-typed query parameter, or a name that fits no node or several."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str = "string"
    required: bool = True
    example: str | None = None
    description: str = ""
    classes: tuple[URIRef, ...] = ()
    scheme: URIRef | None = None
    #: ``column: true`` in the header: binding the parameter keeps exactly the rows of the query's
    #: whole answer whose column of the same name holds the value (the variable is projected, and
    #: nothing else in the query depends on it). ``kg serve`` then cuts the answer for one value
    #: from the whole listing it already holds for the store version, instead of running the query
    #: again (tests/test_query.py checks the claim for every query that makes it).
    column: bool = False

    def usage(self, style: str = "cli") -> str:
        """How to give this parameter: ``--param NAME=VALUE`` (cli) or ``?NAME=VALUE`` (url)."""
        value = self.example if self.example is not None else self.type.upper()
        if style == "url":
            from urllib.parse import quote  # noqa: PLC0415

            return f"{self.name}={quote(value)}"
        quoted = f'"{value}"' if re.search(r"[\s'\"$&;|<>()*?!]", value) else value
        return f"--param {self.name}={quoted}"

    def kind(self) -> str:
        """The type, with the class or scheme of the nodes it names: ``actor (kg:State or kg:Bloc)``."""
        if self.scheme is not None:
            return f"{self.type} of {_short(self.scheme)}"
        if self.classes:
            return f"{self.type} (" + " or ".join(_short(c) for c in self.classes) + ")"
        return self.type

    def describe(self) -> str:
        """``name (type, required): description``, as errors name a parameter."""
        need = "required" if self.required else "optional"
        return f"{self.name} ({self.kind()}, {need})" + (f": {self.description}" if self.description else "")


def _short(term) -> str:
    from kg.names import short  # noqa: PLC0415

    return short(term)


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


def _iris(raw: Any, source: str, name: str, key: str) -> tuple[URIRef, ...]:
    from kg.names import UnknownPrefix, expand  # noqa: PLC0415

    values = raw if isinstance(raw, list) else [raw]
    found = []
    for value in values:
        try:
            iri = expand(str(value))
        except (UnknownPrefix, ValueError) as exc:
            raise QueryError(f"{source}: parameter {name!r}: {key}: {exc}") from None
        if iri is None:
            raise QueryError(f"{source}: parameter {name!r}: {key} must be IRIs such as kg:State, not {value!r}")
        found.append(iri)
    return tuple(found)


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
        if "default" in spec:
            raise QueryError(
                f"{source}: parameter {name!r} has a 'default', which kg does not read: a value must be "
                "given or the parameter left out; write 'example:' for the value shown in the catalogue "
                "and 'required: false' if the query answers for all without it"
            )
        unknown = sorted(set(map(str, spec)) - _PARAM_KEYS)
        if unknown:
            raise QueryError(
                f"{source}: parameter {name!r}: unknown key {', '.join(unknown)} "
                f"(keys: {', '.join(sorted(_PARAM_KEYS))})"
            )
        ptype = spec.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise QueryError(
                f"{source}: parameter {name!r} has unknown type {ptype!r} "
                f"(one of {', '.join(PARAM_TYPES)})"
            )
        required = spec.get("required", True)
        if not isinstance(required, bool):
            raise QueryError(f"{source}: parameter {name!r}: required must be true or false, not {required!r}")
        column = spec.get("column", False)
        if not isinstance(column, bool):
            raise QueryError(f"{source}: parameter {name!r}: column must be true or false, not {column!r}")
        classes = _iris(spec["class"], source, str(name), "class") if "class" in spec else ()
        scheme = _iris(spec["scheme"], source, str(name), "scheme")[0] if "scheme" in spec else None
        if ptype == "concept" and scheme is None:
            raise QueryError(f"{source}: parameter {name!r} of type concept needs a scheme (e.g. scheme: 'stance:')")
        example = spec.get("example")
        params[str(name)] = Param(
            name=str(name),
            type=ptype,
            required=required,
            example=None if example is None else str(example),
            description=str(spec.get("description", "")),
            classes=classes,
            scheme=scheme,
            column=column,
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
    """All ``*.rq`` files of a folder (default: the project's ``queries/``), by name.

    A folder with no query is a :class:`QueryError`: an empty catalogue would
    make ``kg query --list`` print nothing and the quality checks pass unrun.
    """
    if directory is None:
        from kg.paths import queries_dir  # noqa: PLC0415

        directory = queries_dir()
    files = sorted(Path(directory).glob("*.rq"))
    if not files:
        raise QueryError(f"{directory}: no queries (*.rq) found")
    return {q.name: q for q in map(parse_query_file, files)}


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


_KINDS = {"actor": "actor", "concept": "concept", "iri": "node"}


def _index(graph, param: Param, cache: dict):
    """The names of the nodes a parameter may name (one lookup per kind of parameter and run)."""
    from kg.names import name_index  # noqa: PLC0415
    from kg.namespace import KG  # noqa: PLC0415

    classes = param.classes or ((KG.Actor,) if param.type == "actor" else ())
    key = (classes, param.scheme)
    if key not in cache:
        cache[key] = name_index(graph, classes, param.scheme)
    return cache[key]


def _node(graph, param: Param, value: str, cache: dict, style: str):
    from kg.names import Ambiguous, NoMatch, UnknownPrefix, expand, resolve, short  # noqa: PLC0415

    what = _KINDS[param.type]
    if param.classes:
        what = " or ".join(_short(c) for c in param.classes)
    elif param.scheme is not None:
        what = f"concept of {_short(param.scheme)}"
    try:
        iri = expand(value)
    except (UnknownPrefix, ValueError) as exc:
        raise ParamError(f"parameter {param.name}: {exc}") from None
    if iri is not None and param.type == "iri" and not param.classes and _in_graph(graph, iri):
        return iri  # any node: no need to read every label
    if iri is not None and _named_node_of(graph, param, iri):
        return iri  # a node of the parameter's kind, asked of the graph: the whole name index is not read
    try:
        match = resolve(_index(graph, param, cache), value)
    except Ambiguous as exc:
        preferred = _article_actor(graph, [c.node for c in exc.candidates]) if param.type == "actor" else None
        if preferred is not None:
            log.info("%s=%r taken as the articles' %s (imported records of that name: give their IRI)",
                     param.name, value, short(preferred))
            return preferred
        several = f"{what}s" if " " not in what else f"nodes ({what})"
        raise ParamError(
            f"parameter {param.name}: {value!r} fits {len(exc.candidates)} {several} ({exc.step} match):\n"
            + "".join(f"  {c}\n" for c in exc.candidates)
            + "give one of them by its IRI, e.g. "
            + Param(param.name, example=short(exc.candidates[0].node)).usage(style)
        ) from None
    except NoMatch as exc:
        if iri is not None and what == "node":
            head = f"parameter {param.name}: {short(iri)} is not in the graph"
        elif iri is not None:
            head = f"parameter {param.name}: {short(iri)} is not {'an' if what[0] in 'aeiou' else 'a'} {what}"
        else:
            head = f"parameter {param.name}: no {what} is called {value!r}"
        hint = f"; did you mean {'; '.join(map(str, exc.suggestions))}?" if exc.suggestions else ""
        if param.type == "actor" and param.classes:
            hint += _outside_classes(graph, param, value, cache)
        listing = {"actor": " (kg query actors lists every actor)"}.get(param.type, "")
        raise ParamError(head + hint + ("" if hint else listing)) from None
    if match.step not in ("IRI", "label"):
        log.info("%s=%r taken as %s", param.name, value, match)
    return match.node


_ARTICLE_ACTORS = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
ASK { ?actor kg:evidence ?ev . ?ev a kg:QuoteEvidence }
"""


def _article_actor(graph, nodes: list[URIRef]) -> URIRef | None:
    """Of several actors with one name, the articles' own (quote evidence), when there is exactly one.

    An imported record (kg import) with the same name is either linked to it (``skos:exactMatch``:
    the same actor, whose answers the query sees through the link) or another actor its IRI names.
    """
    article = [n for n in nodes if graph.query(_ARTICLE_ACTORS, initBindings={Variable("actor"): n}).askAnswer]
    return article[0] if len(article) == 1 else None


def _outside_classes(graph, param: Param, value: str, cache: dict) -> str:
    """What a value names among all actors, when it names none of the parameter's classes."""
    from kg.names import Ambiguous, NoMatch, resolve, short  # noqa: PLC0415

    try:
        match = resolve(_index(graph, Param(param.name, type="actor"), cache), value)
    except (Ambiguous, NoMatch):
        return ""
    return f" ({value!r} is {short(match.node)}, {match.label}, which is not a " + \
        " or ".join(_short(c) for c in param.classes) + ")"


_ASK_NODE = "ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }"


def _named_node_of(graph, param: Param, iri: URIRef) -> bool:
    """Whether ``iri`` is one of the nodes the parameter names (what :func:`_index` would hold), asked
    of the graph for this node alone: at 10^6 triples the index of every actor's names took 5-30 s,
    which a query about one actor given by its IRI paid for nothing. False sends the caller to the
    index, whose errors suggest close names."""
    from kg.names import names_of  # noqa: PLC0415
    from kg.namespace import KG  # noqa: PLC0415

    if param.type not in _KINDS:
        return False
    classes = param.classes or ((KG.Actor,) if param.type == "actor" else ())
    if not classes and param.scheme is None:
        return False  # an untyped iri parameter: handled by _in_graph
    return bool(names_of(graph, iri, classes, param.scheme))


def _in_graph(graph, iri: URIRef) -> bool:
    return bool(graph.query(_ASK_NODE, initBindings={Variable("node"): iri}).askAnswer)


_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def _typed(graph, param: Param, value: str, cache: dict, style: str = "cli"):
    if param.type in _KINDS:
        return _node(graph, param, value, cache, style)
    if param.type == "date":
        from datetime import date  # noqa: PLC0415

        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            raise ParamError(
                f"parameter {param.name}: expected a date as YYYY-MM-DD (e.g. 2021-03-22), got {value!r}"
            ) from None
        return Literal(value, datatype=XSD.date)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ParamError(f"parameter {param.name}: expected a whole number (e.g. 7), got {value!r}")
        return Literal(int(value))
    if param.type == "boolean":
        if value.strip().lower() not in _BOOLEANS:
            raise ParamError(f"parameter {param.name}: expected true or false (or 1 or 0), got {value!r}")
        return Literal(_BOOLEANS[value.strip().lower()])
    return Literal(value)


def resolve_params(
    graph, query: CatalogueQuery, values: Mapping[str, str], style: str = "cli", names: dict | None = None
) -> dict[Variable, Any]:
    """Type the given values by the query's header; names are resolved to nodes of the graph.

    An unknown parameter, a required one not given and a value that does not
    fit its type are :class:`ParamError`; the message says how to give the
    parameter, as ``--param NAME=VALUE`` (``style="cli"``) or ``NAME=VALUE``
    in a URL (``style="url"``). An optional parameter given as an empty
    string is left unbound, as if not given. ``names`` keeps the name indexes
    read from ``graph`` for the next call (the endpoint keeps one per store
    version, which never changes); by default they last for this call.
    """
    unknown = sorted(set(values) - set(query.params))
    if unknown:
        raise ParamError(_unknown_params(query, unknown))
    bindings: dict[Variable, Any] = {}
    cache: dict = {} if names is None else names
    missing = []
    for name, param in query.params.items():
        value = values.get(name)
        if value is None or (str(value).strip() == "" and not param.required):
            if param.required:
                missing.append(param)
            continue
        if str(value).strip() == "":
            missing.append(param)
            continue
        bindings[Variable(name)] = _typed(graph, param, str(value), cache, style)
    if missing:
        lines = [f"query {query.name} needs " + " and ".join(f"parameter {p.describe()}" for p in missing)]
        if style == "url":
            lines.append("  give it in the URL, e.g. ?" + "&".join(p.usage("url") for p in missing))
        else:
            lines.append("  give it with " + " ".join(f"--param {p.name}=VALUE" for p in missing) + ", e.g. "
                         + " ".join(["kg query", query.name] + [p.usage() for p in missing]))
        raise ParamError("\n".join(lines))
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


def predicates_read(query: CatalogueQuery | str) -> frozenset[str] | None:
    """The IRIs of every predicate a query's patterns can match (property paths included), or None
    when it can match any (a variable or a negated property set in a predicate's place).

    Examples
    --------
    >>> sorted(predicates_read("SELECT ?a WHERE { ?a <urn:p>/^<urn:q>* ?b FILTER NOT EXISTS { ?b <urn:r> ?c } }"))
    ['urn:p', 'urn:q', 'urn:r']
    >>> predicates_read("SELECT ?p WHERE { <urn:a> ?p ?b }") is None
    True
    """
    from rdflib import URIRef, Variable  # noqa: PLC0415
    from rdflib.paths import NegatedPath, Path  # noqa: PLC0415
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    found: set[str] = set()

    def path_iris(term) -> bool:
        if isinstance(term, URIRef):
            found.add(str(term))
            return True
        if isinstance(term, Variable) or isinstance(term, NegatedPath) or not isinstance(term, Path):
            return False
        parts = getattr(term, "args", None) or [getattr(term, "path", None) or getattr(term, "arg", None)]
        return all(path_iris(part) for part in parts)

    todo = [prepare(query).algebra]
    while todo:
        node = todo.pop()
        if isinstance(node, CompValue):
            for triple in (node["triples"] if "triples" in node else ()):  # CompValue.get gives the key back
                if not path_iris(triple[1]):
                    return None
            todo.extend(value for key, value in node.items() if key != "triples")
        elif isinstance(node, (list, tuple)):
            todo.extend(node)
    return frozenset(found)


def _unknown_params(query: CatalogueQuery, unknown: list[str]) -> str:
    from kg.names import close_names  # noqa: PLC0415

    if not query.params:
        return f"query {query.name} takes no parameters (given: {', '.join(unknown)})"
    lines = [f"query {query.name} has no parameter {', '.join(unknown)}"]
    for name in unknown:
        close = close_names(name, list(query.params))
        if close:
            lines.append(f"  {name}: did you mean {' or '.join(close)}?")
    lines.append("  its parameters: " + "; ".join(p.describe() for p in query.params.values()))
    return "\n".join(lines)


def find_query(catalogue: Mapping[str, CatalogueQuery], name: str) -> CatalogueQuery:
    """The catalogue query called ``name``; an unknown name is a :class:`QueryError` with the closest names."""
    from kg.names import close_names  # noqa: PLC0415

    if name in catalogue:
        return catalogue[name]
    close = close_names(name, list(catalogue))
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    raise QueryError(f"no query named {name!r} in the catalogue{hint} (kg query --list shows them all)")


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
    return run_with(graph, query, params)


def run_with(graph, query: CatalogueQuery | str, params: Mapping[str, str], style: str = "cli",
             names: dict | None = None):
    """:func:`run_query` with the parameters as a mapping, and errors that say how to give a
    parameter on the command line (``style="cli"``) or in a URL (``style="url"``, the endpoint).
    ``names``: see :func:`resolve_params`."""
    if isinstance(query, str):
        if re.fullmatch(r"[\w-]+", query):
            query = find_query(load_catalogue(), query)
        else:
            query = CatalogueQuery(name="<text>", text=query)
    if _SERVICE_WORD.search(query.text):  # parsed only when the word is there: most queries skip this
        _refuse_service(prepare(query), str(query.path or query.name))
    bindings = resolve_params(graph, query, params, style, names)
    # by class name (and its bases': kg.store wraps SPARQLStore), so this module need not import the stores
    store = next((c.__name__ for c in type(getattr(graph, "store", None)).__mro__ if c.__name__ in _NATIVE_STORES),
                 type(getattr(graph, "store", None)).__name__)
    if store == "OxigraphStore":
        # Oxigraph parses the text itself (rdflib's parser would take 20-100 ms a query, more
        # than Oxigraph needs to answer on a few thousand triples); rdflib's parser is asked
        # only to locate an error in the file, line and column form used everywhere else.
        # The values go in a VALUES block at the head of the WHERE pattern as well as in initBindings
        # (which oxrdflib passes as pyoxigraph substitutions): Oxigraph's optimizer does not see
        # substitutions, so it planned a query about one actor as if about all of them (sanctions-
        # against, dossier, counter-sanctions: 15-110 s at 10^6 triples; from the VALUES block,
        # under 0.1 s); the substitutions still bind the parameter inside a sub-select that
        # projects it, which a VALUES block outside it does not (unnamed-targets: 1.4 s, 0.3 s).
        try:
            return graph.query(with_values(query.text, bindings), initBindings=bindings)
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
