"""An OWL 2 consistency check of the ontology (and, on request, data) with HermiT.

owlready2 ships the HermiT reasoner, which runs on Java; it is in the ``test``
extra, not a runtime dependency, since no command uses this module. owlready2 does not
read Turtle, so the Turtle files and the extra graph are merged with rdflib
and handed over as one N-Triples file in a temporary folder. Each call uses
a fresh owlready2 World, so calls do not see each other's axioms.

Two limits of the check, both of the OWL 2 datatype map: ``xsd:date`` and
``xsd:gYear`` (the ranges of the date and year properties) are not in it, so
HermiT is told to treat them as opaque and never checks a date's value; the
SHACL shapes do that.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import Dataset, Graph

__all__ = ["ReasonerResult", "check_consistency"]


@dataclass(frozen=True)
class ReasonerResult:
    """What HermiT found.

    ``consistent`` is False when the axioms and facts contradict each other;
    ``unsatisfiable`` lists the named classes inferred equivalent to
    owl:Nothing (checked only when consistent); ``inferred_types`` maps each
    requested individual to all its named classes, asserted and inferred.
    """

    consistent: bool
    unsatisfiable: tuple[str, ...] = ()
    inferred_types: dict[str, frozenset[str]] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def _merge(ttl_paths: Iterable[Path | str], extra_graph: Graph | None) -> Graph:
    merged = Graph()
    for path in ttl_paths:
        merged.parse(path, format="turtle")
    if extra_graph is not None:
        triples = (
            ((s, p, o) for s, p, o, _ in extra_graph.quads((None, None, None, None)))
            if isinstance(extra_graph, Dataset)
            else iter(extra_graph)
        )
        for triple in triples:
            merged.add(triple)
    return merged


def check_consistency(
    ttl_paths: Iterable[Path | str],
    extra_graph: Graph | None = None,
    *,
    individuals: Iterable[str] = (),
) -> ReasonerResult:
    """Run HermiT on the Turtle files plus ``extra_graph`` (a Graph, or every graph of a Dataset).

    ``individuals`` are IRIs whose inferred types to report. Needs Java. For the
    ontology and the built data: ``check_consistency(ontology_ttl_files, dataset)``.
    """
    try:
        import owlready2  # noqa: PLC0415 - heavy, and needs Java
    except ImportError as exc:  # a test dependency, not a runtime one: no command reasons
        raise ImportError("kg.reasoner needs owlready2, which the test extra installs: "
                          "pip install 'sanctions-kg[test]'") from exc

    merged = _merge(ttl_paths, extra_graph)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "merged.nt"
        merged.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        try:
            world.get_ontology(path.as_uri()).load()
            try:
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
            except owlready2.OwlReadyInconsistentOntologyError as exc:
                return ReasonerResult(consistent=False, message=str(exc).strip()[:500])
            nothing = world.inconsistent_classes()
            unsatisfiable = tuple(sorted(c.iri for c in nothing if c is not owlready2.Nothing))
            types = {}
            for iri in individuals:
                entity = world[iri]
                types[iri] = frozenset(
                    c.iri for c in (entity.INDIRECT_is_a if entity is not None else ())
                    if isinstance(c, owlready2.ThingClass)
                )
            return ReasonerResult(consistent=True, unsatisfiable=unsatisfiable, inferred_types=types)
        finally:
            world.close()
