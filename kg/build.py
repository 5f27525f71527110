"""Build the dataset from ``ontology/`` and ``data/`` (see data/README.md).

:func:`build` returns an rdflib Dataset with one named graph for the
ontology, one per article and one for curation, and a default graph that
says which file each named graph came from. It writes nothing; the CLI
validates the dataset and only then writes it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from kg.io import KgInputError, default_graph, parse_into
from kg.namespace import (
    CURATION_GRAPH,
    KG,
    ONTOLOGY_GRAPH,
    PREFIXES,
    article_graph,
    article_iri,
    dataset_graph,
    links_graph,
)

__all__ = ["build", "summary"]

log = logging.getLogger(__name__)

SCHEMA_TEXT = URIRef("https://schema.org/text")


def _evidence_iri(article: URIRef, quote: str) -> URIRef:
    return URIRef(f"{article}/quote/{hashlib.sha1(quote.encode('utf-8')).hexdigest()[:12]}")


def _triple_text(triple: tuple) -> str:
    return " ".join(term.n3() for term in triple)


#: A quote node is typed with both: the general class that kg:evidence ranges over, and its kind.
_EVIDENCE_TYPES = ((RDF.type, KG.Evidence), (RDF.type, KG.QuoteEvidence))


def _skolemise_evidence(
    graph: Graph, source: Path, links: frozenset[URIRef], article: URIRef | None = None
) -> Graph:
    """Name each evidence blank node ``<article>/quote/<sha1[:12]>``; refuse any other blank node.

    An evidence node is a blank node that is the object of one of ``links``
    (``kg:evidence``, and in curation ``kg:basedOnEvidence``) and says only its
    ``kg:quote`` and ``kg:inArticle``, one of each. In a facts file the article
    is the file's own (``article``) and ``kg:inArticle`` may be left out; in the
    curation it must be given.
    """
    blank = sorted({t for triple in graph for t in triple if isinstance(t, BNode)})
    rename: dict[BNode, tuple[URIRef, URIRef]] = {}
    for node in blank:
        used = list(graph.triples((None, None, node))) + list(graph.triples((node, None, None)))
        where = f"{source}: in the triple {_triple_text(min(used))}"
        quotes = list(graph.objects(node, KG.quote))
        if not quotes:
            raise KgInputError(f"{where}: a blank node that is not evidence (no kg:quote); give it an IRI")
        if len(quotes) > 1 or not isinstance(quotes[0], Literal):
            raise KgInputError(f"{where}: an evidence node needs exactly one kg:quote, a string")
        referrers = list(graph.subject_predicates(node))
        if not referrers or any(p not in links or not isinstance(s, URIRef) for s, p in referrers):
            allowed = " or ".join(sorted(graph.namespace_manager.normalizeUri(p) for p in links))
            raise KgInputError(f"{where}: a quote node must be the object of {allowed} of a named node")
        extra = [
            (p, o) for p, o in graph.predicate_objects(node)
            if p not in (KG.quote, KG.inArticle) and (p, o) not in _EVIDENCE_TYPES
        ]
        if extra:
            raise KgInputError(f"{where}: an evidence node says only kg:quote and kg:inArticle, not {extra[0][0].n3()}")
        articles = list(graph.objects(node, KG.inArticle))
        if len(articles) > 1 or (articles and not isinstance(articles[0], URIRef)):
            raise KgInputError(f"{where}: an evidence node has one kg:inArticle, an article IRI")
        if article is not None and articles and articles[0] != article:
            raise KgInputError(f"{where}: evidence in this file quotes its own article <{article}>, not <{articles[0]}>")
        if article is None and not articles:
            raise KgInputError(f"{where}: the evidence {str(quotes[0])[:60]!r} needs kg:inArticle")
        source_article = articles[0] if articles else article
        rename[node] = (_evidence_iri(source_article, str(quotes[0])), source_article)
    out = Graph()
    for s, p, o in graph:
        out.add((rename[s][0] if s in rename else s, p, rename[o][0] if o in rename else o))
    for iri, source_article in rename.values():
        for triple in _EVIDENCE_TYPES:
            out.add((iri, *triple))
        out.add((iri, KG.inArticle, source_article))
    return out


_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _read_article(facts: Path, data_dir: Path) -> tuple[URIRef, Graph]:
    slug = facts.stem
    if not _SLUG.fullmatch(slug):
        raise KgInputError(f"{facts}: a slug may hold only letters, digits, '.', '_' and '-' (it becomes an IRI)")
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
    digests = list(graph.objects(iri, KG.sha256))
    actual = hashlib.sha256(raw).hexdigest()
    if len(digests) != 1:
        raise KgInputError(
            f"{facts}: <{iri}> needs one kg:sha256 of its text (found {len(digests)}); "
            f"`sha256sum {text_file}` gives {actual}"
        )
    if str(digests[0]).lower() != actual:
        raise KgInputError(
            f"{text_file}: its SHA-256 is {actual}, but {facts} records {digests[0]}; "
            "the article text changed (texts are kept as received)"
        )
    graph = _skolemise_evidence(graph, facts, frozenset({KG.evidence}), iri)
    graph.add((iri, SCHEMA_TEXT, Literal(text)))
    graph.add((iri, KG.sourceFile, Literal(f"articles/{slug}.txt")))
    return iri, graph


def _read_curation(path: Path) -> Graph:
    graph = _skolemise_evidence(parse_into(Graph(), path), path, frozenset({KG.evidence, KG.basedOnEvidence}))
    notes = set(graph.subjects(RDF.type, KG.CuratedStatement)) | set(graph.subjects(RDF.type, KG.Interpretation))
    evidence = set(graph.subjects(RDF.type, KG.Evidence))
    for s, p, o in sorted(graph):
        if s not in notes and s not in evidence:
            raise KgInputError(
                f"{path}: the triple {s.n3()} {p.n3()} {o.n3()} is not part of a curation note; "
                "state curated facts as kg:CuratedStatement with a kg:reason"
            )
    for note in sorted(graph.subjects(RDF.type, KG.CuratedStatement)):
        parts = [list(graph.objects(note, p)) for p in (RDF.subject, RDF.predicate, RDF.object)]
        if any(len(part) != 1 for part in parts):
            raise KgInputError(
                f"{path}: the curated statement <{note}> needs one rdf:subject, one rdf:predicate and one rdf:object"
            )
        (subject,), (predicate,), (obj,) = parts
        if not isinstance(subject, URIRef) or not isinstance(predicate, URIRef):
            raise KgInputError(f"{path}: the curated statement <{note}> needs an IRI as rdf:subject and rdf:predicate")
        graph.add((subject, predicate, obj))
    return graph


def build(
    data_dir: Path | str | None = None,
    ontology_dir: Path | str | None = None,
    include_imports: bool = True,
    *,
    allow_empty: bool = False,
) -> Dataset:
    """Read the ontology, every article and the curation into one Dataset.

    With ``include_imports`` (the default) also the datasets ``kg import`` wrote
    (``data/imports/<name>.ttl``) and their links (``data/links/<name>.ttl``),
    each in a graph of its own; see :func:`_read_links` for what a link asserts.

    A data folder without facts files is an error unless ``allow_empty``.
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
    if not facts_files and not allow_empty:
        raise KgInputError(f"{facts_dir}: no facts files (*.ttl) found; give --allow-empty if that is what you mean")
    slugs = {p.stem for p in facts_files}
    for text_file in sorted((data_dir / "articles").glob("*.txt")):
        if text_file.stem not in slugs:
            raise KgInputError(f"{text_file}: an article without facts; add {facts_dir / (text_file.stem + '.ttl')}")
    from kg.progress import bar  # noqa: PLC0415

    for facts in bar(facts_files, desc="reading articles", unit="article"):
        log.debug("reading %s", facts)
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
    if include_imports:
        _read_imports(ds, data_dir)
    return ds


_SLUG_NAME = "letters, digits, '.', '_' and '-'"


def _read_imports(ds: Dataset, data_dir: Path) -> None:
    """``data/imports/<name>.ttl`` into ``graph/dataset/<name>``; ``data/links/<name>.ttl`` into ``graph/links/<name>``."""
    for path in sorted((data_dir / "imports").glob("*.ttl")):
        if not _SLUG.fullmatch(path.stem):
            raise KgInputError(f"{path}: a dataset name may hold only {_SLUG_NAME} (it becomes an IRI)")
        log.info("reading %s", path)
        target = ds.graph(dataset_graph(path.stem))
        parse_into(target, path)
        _record_source(ds, target.identifier, f"imports/{path.name}")
    for path in sorted((data_dir / "links").glob("*.ttl")):
        if not _SLUG.fullmatch(path.stem):
            raise KgInputError(f"{path}: a dataset name may hold only {_SLUG_NAME} (it becomes an IRI)")
        if not (data_dir / "imports" / path.name).exists():
            # the dataset was imported into a store (kg import --store oxigraph:PATH): its links live
            # there too, and the next kg import of it applies what kg review confirmed here
            log.info("leaving out %s: its dataset is not in data/imports/ (imported into a store)", path)
            continue
        log.info("reading %s", path)
        target = ds.graph(links_graph(path.stem))
        for triple in _read_links(path, ds.graph(dataset_graph(path.stem))):
            target.add(triple)
        _record_source(ds, target.identifier, f"links/{path.name}")


#: The predicates through which a confirmed link is seen: a triple of the dataset that points at the
#: linked record with one of these is repeated pointing at the article's actor. Only predicates that
#: take many values (a sanction has many targets), so no cardinality rule breaks; a post's single
#: org:member stays on the record (follow skos:exactMatch to reach it).
SEE_THROUGH = (KG.target, KG.imposedBy, KG.participant, KG.addressee, KG.speaker, KG.about)


def _read_links(path: Path, data: Graph) -> Graph:
    """A links file, with what each confirmed link asserts.

    A link (``kg:Link``) without ``kg:unconfirmed true`` asserts its triple
    (``actor skos:exactMatch record``) and makes the article's actor visible to
    every query: each triple of the dataset that points at the record through
    one of :data:`SEE_THROUGH` (a sanction's ``kg:target``) is repeated pointing
    at the article's actor. The record's own description is not copied: linking,
    not merging.
    """
    from rdflib.namespace import SKOS  # noqa: PLC0415

    graph = parse_into(Graph(), path)
    links = set(graph.subjects(RDF.type, KG.Link))
    for s, p, o in sorted(graph):
        if s not in links:
            raise KgInputError(f"{path}: the triple {s.n3()} {p.n3()} {o.n3()} is not part of a kg:Link")
    asserted = Graph()
    for link in sorted(links):
        parts = [list(graph.objects(link, p)) for p in (RDF.subject, RDF.predicate, RDF.object)]
        if any(len(part) != 1 or not isinstance(part[0], URIRef) for part in parts):
            raise KgInputError(f"{path}: the link <{link}> needs one IRI each as rdf:subject, rdf:predicate, rdf:object")
        (actor,), (predicate,), (record,) = parts
        if predicate != SKOS.exactMatch:
            raise KgInputError(f"{path}: the link <{link}> must have rdf:predicate skos:exactMatch")
        if (link, KG.unconfirmed, Literal(True)) in graph:
            continue
        asserted.add((actor, SKOS.exactMatch, record))
        for p in SEE_THROUGH:
            for s in data.subjects(p, record):
                asserted.add((s, p, actor))
    return graph + asserted


def _record_source(ds: Dataset, graph: URIRef, source: str) -> None:
    default_graph(ds).add((graph, KG.sourceFile, Literal(source, datatype=XSD.string)))


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
    ?x a/rdfs:subClassOf* kg:Mention . BIND("mentions" AS ?what) BIND("" AS ?kind)
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
    """Counts of the built dataset: triples, articles, actors by type, sanctions, mentions, retaliations, statements.

    The counts are SPARQL over the union of the graphs, whatever the dataset's ``default_union``.
    """
    if not dataset.default_union:
        dataset = Dataset(store=dataset.store, default_union=True)
    from kg.store import oxigraph_store  # noqa: PLC0415

    store = oxigraph_store(dataset)
    if store is not None:  # counted in Oxigraph: through rdflib, 10^6 quads take 35 s
        triples = len(store)
        graphs = int(next(iter(store.query("SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))[0].value)
    else:
        triples = sum(1 for _ in dataset.quads((None, None, None, None)))
        graphs = sum(1 for g in dataset.graphs() if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID)
    out: dict[str, Any] = {
        "triples": triples,
        "graphs": graphs,
        "articles": 0,
        "actors": {},
        "sanctions": 0,
        "mentions": 0,
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
