"""Validate the dataset with the SHACL shapes of ``ontology/shapes/``.

The union of all named graphs is validated (ontology included, so that
``sh:targetClass`` reaches subclasses through ``rdfs:subClassOf``), with
SHACL-SPARQL constraints on and no inference. Two engines give the same
results (``tests/test_shacl_sparql.py``):

``oxigraph`` (the default, ``auto``)
    The shapes compiled to SPARQL (:mod:`kg.shacl_sparql`) and run in
    Oxigraph: seconds on 10^6 triples. On an ``oxigraph:PATH`` store it runs
    in that store; an rdflib dataset is copied into an in-memory Oxigraph.
``pyshacl``
    The reference: pySHACL through rdflib, about 27 s on 10^4 triples.
    ``auto`` falls back to it when the shapes use a feature the compiler
    does not know.

Each result names the focus node, the property, the rule (shape) and its
message, and the source files of the named graphs that say something about
the focus node. :func:`scope` gives the focus nodes a new named graph can
affect, so that validating one added article costs time in proportion to it.
:func:`check` adds the catalogue's quality queries (``queries/*-violation.rq``)
to the shapes: it is the check that ``kg build``, ``kg validate`` and ``kg load``
run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SH

from kg.io import KgInputError, default_graph, parse_into
from kg.namespace import KG

__all__ = ["ENGINES", "Report", "Result", "ShapesError", "check", "check_report", "load_shapes", "quality_results",
           "scope", "validate"]

ENGINES = ("auto", "oxigraph", "pyshacl")

log = logging.getLogger(__name__)


class ShapesError(Exception):
    """The shapes graph itself is broken (pySHACL refuses it)."""


#: The properties of a standard ``sh:ValidationResult`` that :attr:`Result.node` may hold, in report order.
RESULT_PROPERTIES = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraint,
                     SH.sourceConstraintComponent, SH.resultSeverity, SH.resultMessage)


@dataclass(frozen=True)
class Result:
    """One result, for reading (short names) and, in ``node``, as the RDF terms of a standard
    ``sh:ValidationResult`` (``sh:focusNode`` -> term, …) for :meth:`Report.graph`."""

    severity: str
    focus: str
    path: str | None
    message: str
    shape: str
    value: str | None
    files: tuple[str, ...] = ()
    node: Mapping[URIRef, Any] = field(default_factory=dict, compare=False, repr=False)

    def format(self) -> str:
        lines = [f"{self.severity}: {self.message}", f"  focus node: {self.focus}"]
        if self.path:
            lines.append(f"  property:   {self.path}")
        if self.value:
            lines.append(f"  value:      {self.value}")
        lines.append(f"  rule:       {self.shape}")
        if self.files:
            lines.append(f"  from:       {', '.join(self.files)}")
        return "\n".join(lines)


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    #: prefixes of the data and the shapes, for the Turtle of :meth:`graph`
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def graph(self) -> Graph:
        """The report as a standard SHACL validation report: one ``sh:ValidationReport`` with
        ``sh:conforms`` and an ``sh:result`` for each result, as pySHACL and Jena's ``shacl`` write it."""
        from kg.namespace import PREFIXES  # noqa: PLC0415

        g = Graph()
        g.bind("sh", SH)
        for prefix, ns in {**self.prefixes, **PREFIXES}.items():
            g.bind(prefix, ns)
        report = BNode()
        g.add((report, RDF.type, SH.ValidationReport))
        g.add((report, SH.conforms, Literal(self.conforms)))
        for result in self.results:
            node = BNode()
            g.add((report, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            for prop in RESULT_PROPERTIES:
                if result.node.get(prop) is not None:
                    g.add((node, prop, result.node[prop]))
        return g

    def as_json(self) -> dict[str, Any]:
        """The report as plain data: full IRIs, and the files each focus node comes from."""
        def text(result: Result, prop: URIRef) -> str | None:
            term = result.node.get(prop)
            return None if term is None else str(term)

        return {
            "conforms": self.conforms,
            "results": [
                {
                    "severity": r.severity,
                    "focusNode": text(r, SH.focusNode),
                    "resultPath": text(r, SH.resultPath),
                    "value": text(r, SH.value),
                    "sourceShape": text(r, SH.sourceShape),
                    "sourceConstraint": text(r, SH.sourceConstraint),
                    "sourceConstraintComponent": text(r, SH.sourceConstraintComponent),
                    "message": r.message,
                    "files": list(r.files),
                }
                for r in self.results
            ],
        }

    def format(self) -> str:
        if not self.results:
            return "The graph conforms to the shapes."
        others = len(self.results) - len(self.violations)
        head = f"The graph does not conform: {len(self.violations)} violation(s), {others} warning(s) or info(s)"
        return head + "\n\n" + "\n\n".join(r.format() for r in self.results)


def load_shapes(shapes_dir: Path | str | None = None) -> Graph:
    """All ``*.ttl`` files of the shapes folder, as one graph."""
    from kg import paths  # noqa: PLC0415

    shapes_dir = Path(shapes_dir) if shapes_dir else paths.shapes_dir()
    files = sorted(shapes_dir.glob("*.ttl"))
    if not files:
        raise KgInputError(f"{shapes_dir}: no shapes (*.ttl) found")
    shapes = Graph()
    for path in files:
        parse_into(shapes, path)
    return shapes


def _union(data: Graph) -> Graph:
    if isinstance(data, Dataset):
        union = Graph()
        for s, p, o, _ in data.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return data


def _sources(data: Graph, node) -> tuple[str, ...]:
    if not isinstance(data, Dataset) or not isinstance(node, URIRef):
        return ()
    found = set()
    for _, _, _, ctx in data.quads((node, None, None, None)):
        graph_id = getattr(ctx, "identifier", ctx)
        for source in default_graph(data).objects(graph_id, KG.sourceFile):
            found.add(str(source))
    return tuple(sorted(found))


def _short(graph: Graph, term) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:  # noqa: BLE001 - fall back to the full IRI
            return str(term)
    return term.n3()  # a blank node as _:id, a literal as "..."^^type, whichever engine found it


def validate(
    data: Graph,
    shapes: Graph | Path | str | None = None,
    extra: Iterable[Graph] = (),
    engine: str = "auto",
    focus: Iterable | None = None,
) -> Report:
    """Validate a dataset (or graph) against the shapes; return a :class:`Report`.

    ``shapes`` is a shapes graph or a folder of ``*.ttl`` shapes (default:
    ``ontology/shapes/``). A Dataset is validated as the union of its graphs;
    ``extra`` graphs (an ontology, say) are added to that union. ``engine`` is
    one of :data:`ENGINES`; ``focus`` limits validation to those nodes.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}; use one of {', '.join(ENGINES)}")
    shapes = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    from kg.prebind import service_in  # noqa: PLC0415
    from kg.shacl_sparql import Invalid, Unsupported, compile_shapes  # noqa: PLC0415

    for node in service_in(shapes):  # whichever engine runs: a query must never reach another host
        raise ShapesError(f"{node}: SERVICE is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")

    try:
        plan = compile_shapes(shapes)
    except Invalid as exc:  # SHACL requires a failure, whichever engine: no fall-back
        raise ShapesError(f"the shapes break a rule of SHACL: {exc}") from exc
    except Unsupported as exc:
        if engine == "oxigraph":
            raise ShapesError(f"the Oxigraph engine cannot run these shapes: {exc}") from exc
        if engine == "auto":
            log.warning("validating with pySHACL: %s", exc)
        plan = None
    if engine != "pyshacl" and plan is not None:
        return _validate_oxigraph(data, shapes, plan, list(extra), focus)
    return _validate_pyshacl(data, shapes, list(extra), focus)


def quality_results(dataset) -> list[Result]:
    """A Violation for each row of the catalogue's ``*-violation`` queries.

    The row's first value is the focus node and the query (``kgq:<name>``, for
    ``queries/<name>.rq``) stands as the source shape of a SPARQL constraint,
    so the results fit a standard report beside the shapes' results.
    """
    from kg.namespace import QUERY  # noqa: PLC0415
    from kg.progress import bar  # noqa: PLC0415
    from kg.query import load_catalogue, run_query  # noqa: PLC0415

    names = _namespaces(dataset, Graph())
    results = []
    checks = {name: query for name, query in load_catalogue().items() if query.is_violation_check}
    for name, query in bar(checks.items(), desc="quality queries", total=len(checks), unit="query"):
        answer = run_query(dataset, query)
        for row in answer:
            focus = row[0]
            values = ", ".join(f"{var}={_short(names, value)}" for var, value in zip(answer.vars, row) if value is not None)
            message = f"quality query {name}: {query.summary}"
            results.append(Result(
                severity="Violation", focus=_short(names, focus) or "", path=None, message=message,
                shape=f"queries/{name}.rq", value=values, files=_sources(dataset, focus),
                node={SH.focusNode: focus, SH.value: focus, SH.sourceShape: QUERY[name],
                      SH.sourceConstraintComponent: SH.SPARQLConstraintComponent,
                      SH.resultSeverity: SH.Violation, SH.resultMessage: Literal(message)},
            ))
    return results


def check_report(dataset, engine: str = "auto", focus=None, shapes: Graph | None = None) -> Report:
    """The shapes and, on the whole graph, the quality queries, as one :class:`Report`.

    With ``focus`` (from :func:`scope`) only the shapes run: the quality
    queries read the whole graph, and a scoped check must not.
    """
    log.info("validating against the shapes (engine: %s)", engine)
    report = validate(dataset, shapes, engine=engine, focus=focus)
    if focus is None:
        log.info("running the quality queries")
        quality = quality_results(dataset)
    else:
        log.info("scoped: the quality queries (whole graph) are not run")
        quality = []
    results = report.results + quality
    # SHACL: any result, a warning too, makes sh:conforms false
    return Report(conforms=not results, results=results, prefixes=report.prefixes)


def check(dataset, engine: str = "auto", focus=None, shapes: Graph | None = None) -> tuple[bool, str]:
    """:func:`check_report` as (no violation, the report as text); the text is empty when there is no result.

    Exit code 1 is for violations (and quality rows); warnings and infos are reported, and make
    sh:conforms false as SHACL says, but do not fail a build.
    """
    report = check_report(dataset, engine, focus, shapes)
    return not report.violations, report.format() if report.results else ""


def _namespaces(data: Graph, shapes: Graph) -> Graph:
    names = Graph(bind_namespaces="core")
    for graph in (data, shapes):
        for prefix, ns in graph.namespaces():
            names.bind(prefix, ns, override=False)
    return names


def _fetched(data: Dataset) -> Dataset:
    """A remote store's named graphs, fetched with one SELECT into an in-memory dataset."""
    from rdflib import BNode  # noqa: PLC0415

    copy = Dataset(default_union=True)
    blanks: dict = {}

    def term(t):  # Virtuoso names blank nodes nodeID://b123, which no N-Quads reader takes: fresh labels
        return blanks.setdefault(t, BNode()) if isinstance(t, BNode) else t

    for row in data.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?p) && !isLiteral(?s)) }"):
        if isinstance(row.p, URIRef) and isinstance(row.g, URIRef):  # servers' own graphs hold odd things
            copy.graph(row.g).add((term(row.s), row.p, term(row.o)))
    return copy


def _validate_oxigraph(data: Graph, shapes: Graph, plan, extra: list[Graph], focus) -> Report:
    from kg.shacl_sparql import run  # noqa: PLC0415
    from kg.store import oxigraph_store  # noqa: PLC0415

    store = oxigraph_store(data)
    if store is None or extra:
        import pyoxigraph  # noqa: PLC0415

        log.info("copying the dataset into an in-memory Oxigraph store")
        copy = pyoxigraph.Store()
        if store is not None:
            copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
        else:
            if any(c.__name__ == "SPARQLStore" for c in type(getattr(data, "store", None)).__mro__):
                data = _fetched(data)  # a remote store: its graphs fetched with one SELECT
            copy.bulk_extend(_quads(data))
        for i, graph in enumerate(extra):
            copy.bulk_extend(_quads(graph, f"urn:kg:validate:extra:{i}"))
        store = copy
    findings = run(store, plan, focus)
    names = _namespaces(data, shapes)
    results = [
        Result(
            severity=str(f.severity).rsplit("#", 1)[-1],
            focus=_short(names, f.focus) or "",
            path=_short(names, f.path),
            message=f.message,
            shape=_short(names, f.constraint if f.constraint is not None else f.shape) or "",
            value=_short(names, f.value),
            files=_sources(data, f.focus),
            node={SH.focusNode: f.focus, SH.resultPath: f.path, SH.value: f.value,
                  SH.sourceShape: f.shape, SH.sourceConstraint: f.constraint,
                  SH.sourceConstraintComponent: f.component, SH.resultSeverity: f.severity,
                  SH.resultMessage: Literal(f.message)},
        )
        for f in findings
    ]
    results.sort(key=_order)
    return Report(conforms=not results, results=results, prefixes={p: str(ns) for p, ns in names.namespaces()})


def _quads(data: Graph, graph: str | None = None):
    """rdflib's triples or quads as pyoxigraph quads, blank nodes keeping their labels.

    (Parsing a serialization would rename them, and a result's blank focus node would no
    longer be the caller's.)"""
    import pyoxigraph as ox  # noqa: PLC0415
    from rdflib import BNode, Literal  # noqa: PLC0415

    def term(t):
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        if isinstance(t, Literal):
            if t.language:
                return ox.Literal(str(t), language=t.language)
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)) if t.datatype else None)
        raise TypeError(t)  # pragma: no cover - rdflib graphs hold no other terms

    if isinstance(data, Dataset) and graph is None:
        for s, p, o, ctx in data.quads((None, None, None, None)):
            name = getattr(ctx, "identifier", ctx)
            g = ox.DefaultGraph() if name is None or name == DATASET_DEFAULT_GRAPH_ID else term(name)
            yield ox.Quad(term(s), term(p), term(o), g)
    else:
        g = ox.NamedNode(graph) if graph else ox.DefaultGraph()
        for s, p, o in data:
            yield ox.Quad(term(s), term(p), term(o), g)


def _order(r: Result):
    return (r.severity != "Violation", r.focus, r.path or "", r.shape, r.value or "")


def _validate_pyshacl(data: Graph, shapes: Graph, extra: list[Graph], focus) -> Report:
    import pyshacl  # noqa: PLC0415 - heavy, only when validating

    union = _union(data)
    if extra:
        if union is data:
            union = Graph() + data
        for graph in extra:
            for triple in graph:
                union.add(triple)
    log.info("validating %d triples against %d shape triples", len(union), len(shapes))
    from pyshacl.errors import ReportableRuntimeError, ShapeLoadError  # noqa: PLC0415

    try:
        conforms, results_graph, _ = pyshacl.validate(
            union,
            shacl_graph=shapes,
            advanced=True,
            inference="none",
            allow_warnings=True,
            abort_on_first=False,
            focus_nodes=list(focus) if focus is not None else None,
        )
    except (ShapeLoadError, ReportableRuntimeError, NotImplementedError) as exc:
        raise ShapesError(f"pySHACL cannot use these shapes: {exc}") from exc
    if not hasattr(results_graph, "subjects"):  # pyshacl's ValidationFailure: the shapes themselves are wrong
        raise ShapesError(f"the shapes cannot be used: {results_graph}")
    for prefix, ns in data.namespaces():
        results_graph.bind(prefix, ns, override=False)
    results = []
    # Only the report's own results; nested sh:detail results explain them.
    for node in results_graph.objects(None, SH.result):
        value = results_graph.value(node, SH.value)
        focus = results_graph.value(node, SH.focusNode)
        # A SPARQL constraint is not a shape: pySHACL names it in sh:sourceConstraint.
        shape = results_graph.value(node, SH.sourceConstraint) or results_graph.value(node, SH.sourceShape)
        path = results_graph.value(node, SH.resultPath)
        severity = results_graph.value(node, SH.resultSeverity)
        messages = sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))
        terms = {prop: results_graph.value(node, prop) for prop in RESULT_PROPERTIES if prop != SH.resultMessage}
        terms[SH.resultMessage] = Literal(messages[0]) if messages else None
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_short(results_graph, focus) or "",
                path=_short(results_graph, path),
                message=messages[0] if messages else "(no message)",
                shape=_short(results_graph, shape) or "",
                value=_short(results_graph, value),
                files=_sources(data, focus),
                node=terms,
            )
        )
    results.sort(key=_order)
    # SHACL: a report with any result, a warning too, does not conform (pySHACL's allow_warnings says otherwise)
    names = _namespaces(data, shapes)
    return Report(conforms=not results, results=results, prefixes={p: str(ns) for p, ns in names.namespaces()})


def scope(data: Graph, graphs: Iterable[str], shapes: Graph | None = None) -> set[URIRef] | None:
    """The focus nodes that adding the named ``graphs`` to ``data`` can affect.

    Those are the subjects of the graphs, and the nodes that point, through a
    predicate some constraint follows to another node (``sh:class``,
    ``sh:node``, the predicates of the SPARQL constraints), at a subject whose
    triples the graphs changed (a triple no other graph asserts) in a
    predicate that constraint reads there. No
    constraint of ``ontology/shapes/`` looks further than one such step,
    except through ``rdfs:subClassOf``: a graph that adds a subclass axiom
    returns None, meaning "validate everything". Blank-node subjects are left
    out (they cannot be named in a query), and so are their results.
    """
    from kg.shacl_sparql import compile_shapes  # noqa: PLC0415
    from kg.store import oxigraph_store  # noqa: PLC0415

    shapes = shapes if shapes is not None else load_shapes()
    plan = compile_shapes(shapes)
    if not plan.scopable:
        return None  # a constraint reads further than one step along a path: validate everything
    store = oxigraph_store(data)
    if store is None:
        raise ValueError("scoped validation needs an oxigraph:PATH store")
    import pyoxigraph  # noqa: PLC0415

    focus: set[URIRef] = set()
    changed: dict[str, set[str]] = {}  # subject -> predicates of its triples that only these graphs assert
    for iri in graphs:
        graph = pyoxigraph.NamedNode(iri)
        if not store.contains_named_graph(graph):
            raise KgInputError(f"{iri}: no such named graph in the store")
        for s, p, o, _ in store.quads_for_pattern(None, None, None, graph):
            if not isinstance(s, pyoxigraph.NamedNode):
                continue
            focus.add(URIRef(s.value))
            if any(q.graph_name != graph for q in store.quads_for_pattern(s, p, o, None)):
                continue  # asserted elsewhere too: nothing changed
            if p.value == "http://www.w3.org/2000/01/rdf-schema#subClassOf":
                return None
            changed.setdefault(s.value, set()).add(p.value)
    # A node that points at a changed node is affected only through a predicate some constraint
    # follows, and only if that constraint reads one of the changed predicates there.
    for via, reads in sorted(plan.lookthrough.items()):
        targets = sorted(n for n, preds in changed.items() if preds & reads)
        for chunk in _chunks(targets, 500):
            nodes = " ".join(f"<{n}>" for n in chunk)
            query = f"SELECT DISTINCT ?x WHERE {{ VALUES ?s {{ {nodes} }} ?x <{via}> ?s }}"
            for row in store.query(query, use_default_graph_as_union=True):
                if isinstance(row["x"], pyoxigraph.NamedNode):
                    focus.add(URIRef(row["x"].value))
    return focus


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
