"""An OWL 2 consistency check of the ontology (and optionally data) with HermiT.

owlready2 ships the HermiT reasoner (run on Java). It does not read Turtle,
so the graphs are handed to it as N-Triples in a temporary folder.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import Graph

__all__ = ["ReasonerResult", "check_consistency"]


@dataclass
class ReasonerResult:
    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_types: dict[str, set[str]] = field(default_factory=dict)
    message: str = ""


def check_consistency(graphs: Iterable[Graph], individuals: Iterable[str] = ()) -> ReasonerResult:
    """Run HermiT on the union of ``graphs``.

    Returns whether the ontology is consistent, the named classes inferred
    equivalent to owl:Nothing, and the inferred types of the given
    ``individuals`` (IRIs), for checking what the reasoner derives.
    """
    import owlready2  # noqa: PLC0415 - heavy, and needs Java

    union = Graph()
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ontology.nt"
        union.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                # xsd:date and xsd:gYear are outside the OWL 2 datatype map; HermiT treats them as opaque.
                owlready2.sync_reasoner_hermit(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasonerResult(consistent=False, message=str(exc).strip()[:500])
        nothing = {c.iri for c in world.inconsistent_classes()}
        types = {}
        for iri in individuals:
            entity = world[iri]
            types[iri] = {c.iri for c in entity.is_a if hasattr(c, "iri")} if entity is not None else set()
        return ReasonerResult(consistent=True, unsatisfiable=sorted(nothing), inferred_types=types)
