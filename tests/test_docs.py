"""docs/ontology.html, the ontology's page, is what pyLODE makes of ontology/sanctions.ttl now, covers every
term, and the README links it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rdflib import OWL, RDF, Graph

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "ontology.html"


def test_ontology_page_is_current():
    """An ontology edit without `python docs/generate.py` leaves the published page behind: this fails then."""
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "generate.py"), "--check"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_ontology_page_documents_every_term():
    ontology = Graph().parse(ROOT / "ontology" / "sanctions.ttl")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {s for kind in kinds for s in ontology.subjects(RDF.type, kind) if str(s).startswith("https://w3id.org/sanctions-kg/")}
    assert len(terms) > 50  # classes and properties of the vocabulary
    page = PAGE.read_text(encoding="utf-8")
    missing = sorted(str(t) for t in terms if str(t) not in page)
    assert not missing, missing


def test_readme_links_the_ontology_page():
    assert "(docs/ontology.html)" in (ROOT / "README.md").read_text(encoding="utf-8")
