"""Build the dataset from ``ontology/`` and ``data/`` (see data/README.md).

:func:`build` returns an rdflib Dataset with one named graph for the
ontology, one per article and one for curation, and a default graph that
says which file each named graph came from. It writes nothing; the CLI
validates the dataset and only then writes it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.io import KgInputError, parse_into
from kg.namespace import CURATION_GRAPH, KG, ONTOLOGY_GRAPH, PREFIXES, article_graph, article_iri

__all__ = ["build", "summary"]

log = logging.getLogger(__name__)

SCHEMA_TEXT = URIRef("https://schema.org/text")


def _evidence_iri(article: URIRef, quote: str) -> URIRef:
    return URIRef(f"{article}/quote/{hashlib.sha1(quote.encode('utf-8')).hexdigest()[:12]}")


def _skolemise_evidence(graph: Graph, source: Path, default_article: URIRef | None) -> Graph:
    """Name each evidence blank node after its article and quote; refuse other blank nodes."""
    rename: dict[BNode, URIRef] = {}
    for node in {s for s in graph.subjects() if isinstance(s, BNode)} | {
        o for o in graph.objects() if isinstance(o, BNode)
    }:
        quote = graph.value(node, KG.quote)
        if quote is None:
            example = next(iter(graph.triples((None, None, node))), None) or next(
                iter(graph.triples((node, None, None)))
            )
            raise KgInputError(
                f"{source}: a blank node that is not evidence (no kg:quote), in the triple "
                f"{' '.join(t.n3() for t in example)}; give it an IRI"
            )
        article = graph.value(node, KG.inArticle) or default_article
        if article is None:
            raise KgInputError(f"{source}: the evidence {str(quote)[:60]!r} needs kg:inArticle")
        rename[node] = _evidence_iri(article, str(quote))
    out = Graph()
    for s, p, o in graph:
        out.add((rename.get(s, s), p, rename.get(o, o)))
    for node, iri in rename.items():
        out.add((iri, RDF.type, KG.Evidence))
        if graph.value(node, KG.inArticle) is None:
            out.add((iri, KG.inArticle, default_article))
    return out


def _read_article(facts: Path, data_dir: Path) -> tuple[URIRef, Graph]:
    slug = facts.stem
    iri = article_iri(slug)
    graph = parse_into(Graph(), facts)
    articles = set(graph.subjects(RDF.type, KG.NewsArticle))
    if articles != {iri}:
        found = ", ".join(sorted(articles)) or "none"
        raise KgInputError(f"{facts}: must describe exactly one kg:NewsArticle, <{iri}> (found: {found})")
    text_file = data_dir / "articles" / f"{slug}.txt"
    try:
        raw = text_file.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise KgInputError(f"{facts}: its article text {text_file} cannot be read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise KgInputError(f"{text_file}: not UTF-8 text: {exc}") from exc
    digest = graph.value(iri, KG.sha256)
    actual = hashlib.sha256(raw).hexdigest()
    if digest is not None and str(digest).lower() != actual:
        raise KgInputError(
            f"{text_file}: its SHA-256 is {actual}, but {facts} records {digest}; "
            "the article text changed (texts are kept as received)"
        )
    graph = _skolemise_evidence(graph, facts, iri)
    graph.add((iri, SCHEMA_TEXT, Literal(text)))
    graph.add((iri, KG.sourceFile, Literal(f"articles/{slug}.txt")))
    return iri, graph


def _read_curation(path: Path) -> Graph:
    graph = _skolemise_evidence(parse_into(Graph(), path), path, None)
    notes = set(graph.subjects(RDF.type, KG.CuratedStatement)) | set(graph.subjects(RDF.type, KG.Interpretation))
    evidence = set(graph.subjects(RDF.type, KG.Evidence))
    for s, p, o in graph:
        if s not in notes and s not in evidence:
            raise KgInputError(
                f"{path}: the triple {s.n3()} {p.n3()} {o.n3()} is not part of a curation note; "
                "state curated facts as kg:CuratedStatement with a kg:reason"
            )
    for note in sorted(graph.subjects(RDF.type, KG.CuratedStatement)):
        parts = [graph.value(note, p) for p in (RDF.subject, RDF.predicate, RDF.object)]
        if any(part is None for part in parts):
            raise KgInputError(f"{path}: the curated statement <{note}> needs rdf:subject, rdf:predicate and rdf:object")
        graph.add(tuple(parts))
    return graph


def build(data_dir: Path | str | None = None, ontology_dir: Path | str | None = None) -> Dataset:
    """Read the ontology, every article and the curation into one Dataset.

    Raises :class:`~kg.io.KgInputError` naming the file (and line) of any
    input that cannot be read or breaks the data conventions.
    """
    from kg import paths  # noqa: PLC0415

    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    ontology_dir = Path(ontology_dir) if ontology_dir else paths.ontology_dir()
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)

    ontology_files = sorted(ontology_dir.glob("*.ttl"))
    if not ontology_files:
        raise KgInputError(f"{ontology_dir}: no ontology (*.ttl) found")
    from rdflib.compare import to_canonical_graph  # noqa: PLC0415

    parsed = Graph()
    for path in ontology_files:
        log.info("reading %s", path)
        parse_into(parsed, path)
    # OWL axioms need blank nodes (restrictions, lists); canonical labels keep the output stable.
    ontology = ds.graph(ONTOLOGY_GRAPH)
    for triple in to_canonical_graph(parsed):
        ontology.add(triple)
    _record_source(ds, ONTOLOGY_GRAPH, ", ".join(f"ontology/{p.name}" for p in ontology_files))

    facts_dir = data_dir / "facts"
    facts_files = sorted(facts_dir.glob("*.ttl"))
    if not facts_files:
        raise KgInputError(f"{facts_dir}: no facts files (*.ttl) found")
    slugs = {p.stem for p in facts_files}
    for text_file in sorted((data_dir / "articles").glob("*.txt")):
        if text_file.stem not in slugs:
            raise KgInputError(f"{text_file}: an article without facts; add {facts_dir / (text_file.stem + '.ttl')}")
    for facts in facts_files:
        log.info("reading %s", facts)
        _, graph = _read_article(facts, data_dir)
        target = ds.graph(article_graph(facts.stem))
        for triple in graph:
            target.add(triple)
        _record_source(ds, target.identifier, f"facts/{facts.name}")

    curation_file = data_dir / "curation.ttl"
    if curation_file.exists():
        log.info("reading %s", curation_file)
        curation = ds.graph(CURATION_GRAPH)
        for triple in _read_curation(curation_file):
            curation.add(triple)
        _record_source(ds, CURATION_GRAPH, "curation.ttl")
    return ds


def _record_source(ds: Dataset, graph: URIRef, source: str) -> None:
    ds.default_context.add((graph, KG.sourceFile, Literal(source, datatype=XSD.string)))


_SUMMARY = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?what ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  {
    ?x a kg:NewsArticle . BIND("articles" AS ?what) BIND("" AS ?kind)
  } UNION {
    ?x a ?cls . ?cls rdfs:subClassOf* kg:Actor ; rdfs:label ?kind .
    FILTER NOT EXISTS { ?x a ?sub . ?sub rdfs:subClassOf+ ?cls . FILTER(?sub != ?cls) }
    BIND("actors" AS ?what)
  } UNION {
    ?x a/rdfs:subClassOf* kg:Sanction . BIND("sanctions" AS ?what) BIND("" AS ?kind)
  } UNION {
    ?x kg:respondsTo ?answered . BIND("retaliations" AS ?what) BIND("" AS ?kind)
  } UNION {
    ?x a/rdfs:subClassOf* kg:Statement . BIND("statements" AS ?what) BIND("" AS ?kind)
  } UNION {
    ?x a/rdfs:subClassOf* kg:CurationNote . BIND("curation notes" AS ?what) BIND("" AS ?kind)
  }
}
GROUP BY ?what ?kind
"""


def summary(dataset: Dataset) -> dict[str, Any]:
    """Counts of the built dataset: triples, articles, actors by type, sanctions, retaliations, statements."""
    out: dict[str, Any] = {
        "triples": sum(1 for _ in dataset.quads((None, None, None, None))),
        "graphs": sum(1 for g in dataset.contexts() if len(g)),
        "articles": 0,
        "actors": {},
        "sanctions": 0,
        "retaliations": 0,
        "statements": 0,
        "curation notes": 0,
    }
    for row in dataset.query(_SUMMARY):
        if str(row.what) == "actors":
            out["actors"][str(row.kind)] = int(row.n)
        else:
            out[str(row.what)] = int(row.n)
    out["actors"] = dict(sorted(out["actors"].items()))
    return out
