"""Validate the dataset with the SHACL shapes of ``ontology/shapes/``.

pySHACL runs on the union of all named graphs (ontology included, so that
``sh:targetClass`` reaches subclasses through ``rdfs:subClassOf``), with
SHACL-SPARQL constraints on and no inference. Each result names the focus
node, the property, the rule (shape) and its message, and the source files
of the named graphs that say something about the focus node.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.namespace import SH

from kg.io import KgInputError, default_graph, parse_into
from kg.namespace import KG

__all__ = ["Report", "Result", "ShapesError", "load_shapes", "validate"]

log = logging.getLogger(__name__)


class ShapesError(Exception):
    """The shapes graph itself is broken (pySHACL refuses it)."""


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str | None
    message: str
    shape: str
    value: str | None
    files: tuple[str, ...] = ()

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

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    def format(self) -> str:
        if not self.results:
            return "The graph conforms to the shapes."
        head = (
            f"{len(self.violations)} violation(s), {len(self.results) - len(self.violations)} other result(s)"
            if not self.conforms
            else f"The graph conforms; {len(self.results)} warning(s)"
        )
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
    if (term, RDF.first, None) in graph or (term, None, None) in graph:
        return str(term)
    return term.n3()


def validate(data: Graph, shapes: Graph | Path | str | None = None, extra: Iterable[Graph] = ()) -> Report:
    """Validate a dataset (or graph) against the shapes; return a :class:`Report`.

    ``shapes`` is a shapes graph or a folder of ``*.ttl`` shapes (default:
    ``ontology/shapes/``). A Dataset is validated as the union of its graphs;
    ``extra`` graphs (an ontology, say) are added to that union.
    """
    import pyshacl  # noqa: PLC0415 - heavy, only when validating

    shapes = shapes if isinstance(shapes, Graph) else load_shapes(shapes)
    union = _union(data)
    extra = list(extra)
    if extra:
        if union is data:
            union = Graph() + data
        for graph in extra:
            for triple in graph:
                union.add(triple)
    log.info("validating %d triples against %d shape triples", len(union), len(shapes))
    conforms, results_graph, _ = pyshacl.validate(
        union,
        shacl_graph=shapes,
        advanced=True,
        inference="none",
        allow_warnings=True,
        abort_on_first=False,
    )
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
        results.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_short(results_graph, focus) or "",
                path=_short(results_graph, path),
                message=messages[0] if messages else "(no message)",
                shape=_short(results_graph, shape) or "",
                value=_short(results_graph, value),
                files=_sources(data, focus),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", r.focus, r.path or "", r.shape, r.value or ""))
    return Report(conforms=bool(conforms), results=results)
