"""`build` turns data/ into the dataset data/README.md describes."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from kg.build import build, summary
from kg.io import KgInputError, trig_bytes
from kg.namespace import ACT, ACTOR, CURATION_GRAPH, KG, ONTOLOGY_GRAPH, PREFIXES, article_graph, article_iri
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent


def test_real_data_conforms(dataset):
    report = validate(dataset)
    assert report.conforms, report.format()


def test_one_named_graph_per_article_plus_ontology_and_curation(dataset):
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert str(article_graph("canada-eight-officials-2024")) in graphs
    assert str(article_graph("xinjiang-round-2021")) in graphs
    assert str(CURATION_GRAPH) in graphs
    assert "https://w3id.org/sanctions-kg/graph/ontology" in graphs


def test_build_is_byte_stable():
    a = trig_bytes(build(ROOT / "data"), PREFIXES)
    b = trig_bytes(build(ROOT / "data"), PREFIXES)
    assert a == b


def test_build_is_byte_stable_across_processes(dataset):
    """rdflib's TriG serializer ordered subjects by string hashes: each run wrote another file."""
    code = (
        "import hashlib, sys; from kg.build import build; from kg.io import trig_bytes; "
        "from kg.namespace import PREFIXES; "
        "sys.stdout.write(hashlib.sha256(trig_bytes(build(), PREFIXES)).hexdigest())"
    )
    here = hashlib.sha256(trig_bytes(dataset, PREFIXES)).hexdigest()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert out.stdout == here, f"PYTHONHASHSEED={seed}"


def test_written_trig_reads_back_graph_by_graph(dataset):
    text = trig_bytes(dataset, PREFIXES)
    heads = re.findall(rb"^(<[^>]+>|) ?\{$", text, re.M)
    # The default graph (which file each graph came from) first, then the named graphs by IRI.
    assert heads[0] == b"" and heads[1:] == sorted(heads[1:])
    assert len(heads) == sum(1 for graph in dataset.graphs() if len(graph))
    back = Dataset(default_union=True)
    back.parse(data=text, format="trig")
    for graph in dataset.graphs():
        assert isomorphic(graph, back.graph(graph.identifier)), graph.identifier
    assert summary(back) == summary(dataset)


def test_no_blank_node_outside_the_ontology(dataset):
    for graph in dataset.graphs():
        if graph.identifier == ONTOLOGY_GRAPH:
            continue  # OWL axioms (restrictions, lists) are blank nodes, labelled canonically
        blank = [t for t in graph if any(isinstance(term, BNode) for term in t)]
        assert not blank, (graph.identifier, blank[:1])


def test_default_graph_names_the_file_of_every_named_graph(dataset):
    sources = {
        str(g): str(f) for g, _, f in dataset.graph(DATASET_DEFAULT_GRAPH_ID).triples((None, KG.sourceFile, None))
    }
    assert sources == {
        str(ONTOLOGY_GRAPH): "ontology/sanctions.ttl, ontology/schemes.ttl",
        str(article_graph("canada-eight-officials-2024")): "facts/canada-eight-officials-2024.ttl",
        str(article_graph("xinjiang-round-2021")): "facts/xinjiang-round-2021.ttl",
        str(CURATION_GRAPH): "curation.ttl",
    }


def test_article_graph_holds_the_text_verbatim(dataset, article_texts):
    for slug, text in article_texts.items():
        graph = dataset.graph(article_graph(slug))
        assert graph.value(article_iri(slug), URIRef("https://schema.org/text")) == Literal(text)


def test_curation_evidence_is_named_like_article_evidence(dataset):
    quote = "on Tuesday (Dec 10)"
    article = article_iri("canada-eight-officials-2024")
    iri = URIRef(f"{article}/quote/{hashlib.sha1(quote.encode()).hexdigest()[:12]}")
    curation = dataset.graph(CURATION_GRAPH)
    assert (iri, KG.inArticle, article) in curation and (iri, RDF.type, KG.Evidence) in curation


def test_evidence_named_by_article_and_quote(dataset):
    quote = "Beijing denies the allegations."
    iri = URIRef(f"{article_iri('canada-eight-officials-2024')}/quote/{hashlib.sha1(quote.encode()).hexdigest()[:12]}")
    g = dataset.graph(article_graph("canada-eight-officials-2024"))
    assert (iri, KG.quote, Literal(quote)) in g
    assert (iri, RDF.type, KG.Evidence) in g
    assert (iri, RDF.type, KG.QuoteEvidence) in g, "a quote is evidence of the quote kind"
    assert (iri, KG.inArticle, article_iri("canada-eight-officials-2024")) in g


def test_vague_article_stays_vague(dataset):
    """'eight former and current senior Chinese officials', two of them named."""
    g = dataset.graph(article_graph("canada-eight-officials-2024"))
    sanction = ACT["ca-2024-12-sanction"]
    assert set(g.objects(sanction, KG.target)) == {ACTOR["chen-quanguo"], ACTOR["wu-yingjie"]}
    assert g.value(sanction, KG.personTargetCount).toPython() == 8
    # "on Tuesday (Dec 10)": the day is worked out, so it lives in curation, not in the article's graph.
    assert g.value(sanction, KG.date) is None
    assert (sanction, KG.date, Literal("2024-12-10", datatype=XSD.date)) in dataset.graph(CURATION_GRAPH)


def test_one_iri_per_actor_across_articles(dataset):
    for actor in ("china", "canada", "european-union", "united-states"):
        graphs = {getattr(c, "identifier", c) for _, _, _, c in dataset.quads((ACTOR[actor], RDF.type, None, None))}
        assert {article_graph("canada-eight-officials-2024"), article_graph("xinjiang-round-2021")} <= graphs


def test_summary_counts_what_the_articles_say(dataset):
    counts = summary(dataset)
    # Read from the articles: 2024 - Canada's sanctions of 10 December (1); 2021 - Canada, EU, EU 1989,
    # US Treasury, US Hong Kong, China's counter-sanctions (6).
    assert counts["articles"] == 2
    assert counts["sanctions"] == 7
    # "The United States, UK and the European Union have also imposed sanctions" (2024): three
    # mentions, no date, target or measure - not three more sanctions.
    assert counts["mentions"] == 3
    # China's "necessary measures" (2024) and its counter-sanctions (2021); both answers are curated.
    assert counts["retaliations"] == 2
    assert counts["actors"]["state"] == 7  # Canada, China, US, UK, Germany, Denmark, Sweden


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    return data


def test_changed_article_text_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    text = data / "articles" / "xinjiang-round-2021.txt"
    text.write_text(text.read_text() + "\nAn added line.\n")
    with pytest.raises(KgInputError, match="SHA-256"):
        build(data)


def test_stray_blank_node_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    facts = data / "facts" / "xinjiang-round-2021.ttl"
    facts.write_text(facts.read_text() + "\nactor:china kg:affiliatedWith [ rdfs:label \"somebody\" ] .\n")
    with pytest.raises(KgInputError, match="blank node that is not evidence"):
        build(data)


def test_raw_triple_in_curation_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    cur = data / "curation.ttl"
    cur.write_text(cur.read_text() + "\nactor:germany rdfs:label \"Deutschland\"@de .\n")
    with pytest.raises(KgInputError, match="not part of a curation note"):
        build(data)


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("addition", "error"),
    [
        ('act:ca-2021-03-sanction kg:evidence [ kg:quote "Canada", "sanctions" ] .', "exactly one kg:quote"),
        ('act:ca-2021-03-sanction kg:target [ kg:quote "Canada" ] .', "must be the object of kg:evidence"),
        ('act:ca-2021-03-sanction kg:evidence [ kg:quote "Canada" ; rdfs:label "x" ] .', "says only kg:quote"),
        (
            'act:ca-2021-03-sanction kg:evidence [ kg:quote "Canada" ; kg:inArticle article:canada-eight-officials-2024 ] .',
            "quotes its own article",
        ),
    ],
    ids=["two-quotes", "quote-node-as-target", "evidence-with-more", "evidence-from-another-article"],
)
def test_malformed_evidence_in_facts_is_refused(tmp_path, addition, error):
    data = _copy_data(tmp_path)
    facts = data / "facts" / "xinjiang-round-2021.ttl"
    _append(facts, addition)
    with pytest.raises(KgInputError, match=error) as err:
        build(data)
    assert str(err.value).startswith(str(facts))


def test_missing_sha256_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    facts = data / "facts" / "xinjiang-round-2021.ttl"
    facts.write_text(re.sub(r"\n\s*kg:sha256 [^\n]*", "", facts.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(KgInputError, match="needs one kg:sha256"):
        build(data)


def test_facts_file_must_describe_its_own_article(tmp_path):
    data = _copy_data(tmp_path)
    shutil.copy(data / "facts" / "xinjiang-round-2021.ttl", data / "facts" / "copy.ttl")
    shutil.copy(data / "articles" / "xinjiang-round-2021.txt", data / "articles" / "copy.txt")
    with pytest.raises(KgInputError, match=r"copy.ttl: must describe exactly one kg:NewsArticle, <.*/article/copy>"):
        build(data)


def test_curation_evidence_without_article_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    _append(data / "curation.ttl", (
        'cur:test-reading a kg:Interpretation ; kg:reason "a test"@en ; kg:concerns act:ca-2021-03-sanction ;\n'
        '    kg:basedOnEvidence [ kg:quote "Canada sanctions four Chinese officials" ] .'
    ))
    with pytest.raises(KgInputError, match="curation.ttl: .*needs kg:inArticle"):
        build(data)


def test_curated_statement_needs_an_iri_subject(tmp_path):
    data = _copy_data(tmp_path)
    _append(data / "curation.ttl", (
        'cur:test-literal a kg:CuratedStatement ; kg:reason "a test"@en ;\n'
        '    rdf:subject "Canada" ; rdf:predicate rdfs:label ; rdf:object "Kanada"@de .'
    ))
    with pytest.raises(KgInputError, match="needs an IRI as rdf:subject"):
        build(data)


def test_article_without_facts_is_refused(tmp_path):
    data = _copy_data(tmp_path)
    (data / "articles" / "orphan.txt").write_text("A text nobody modelled.\n")
    with pytest.raises(KgInputError, match="orphan.txt: an article without facts"):
        build(data)


THIRD_TEXT = "GENEVA, 2025-01-15 - Ruritania imposed a travel ban on Wang Yi, it said on Wednesday.\n"


def test_third_article_is_taken_in(tmp_path):
    """The documented path: a text file plus its facts file, and build takes it in."""
    data = _copy_data(tmp_path)
    (data / "articles" / "ruritania-2025.txt").write_text(THIRD_TEXT, encoding="utf-8")
    digest = hashlib.sha256(THIRD_TEXT.encode()).hexdigest()
    header = (ROOT / "data" / "facts" / "xinjiang-round-2021.ttl").read_text().split("####")[0]
    (data / "facts" / "ruritania-2025.ttl").write_text(header + f'''
article:ruritania-2025 a kg:NewsArticle ;
    rdfs:label "Ruritania bans Wang Yi (made-up test article)"@en ;
    kg:sha256 "{digest}"^^xsd:hexBinary ;
    schema:datePublished "2025-01-15"^^xsd:date ;
    kg:evidence [ kg:quote "GENEVA, 2025-01-15" ] .

actor:ruritania a kg:State ; rdfs:label "Ruritania"@en ;
    kg:evidence [ kg:quote "Ruritania imposed a travel ban" ] .

actor:wang-yi a kg:Person ; rdfs:label "Wang Yi"@en ;
    kg:evidence [ kg:quote "a travel ban on Wang Yi" ] .

act:ruritania-bans-wang-yi a kg:Sanction ;
    rdfs:label "Ruritania bans Wang Yi"@en ;
    kg:imposedBy actor:ruritania ;
    kg:target actor:wang-yi ;
    kg:latestDate "2025-01-15"^^xsd:date ;
    kg:measure measure:TravelBan ;
    kg:evidence [ kg:quote "Ruritania imposed a travel ban on Wang Yi, it said on Wednesday." ] .
''', encoding="utf-8")
    ds = build(data)
    assert summary(ds)["articles"] == 3
    graph = ds.graph(article_graph("ruritania-2025"))
    assert (ACT["ruritania-bans-wang-yi"], KG.imposedBy, ACTOR["ruritania"]) in graph
    # Wang Yi is the same actor as in the 2024 article.
    assert (ACTOR["wang-yi"], RDF.type, KG.Person) in ds.graph(article_graph("canada-eight-officials-2024"))
    report = validate(ds)
    assert report.conforms, report.format()
