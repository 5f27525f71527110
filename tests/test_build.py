"""`build` turns data/ into the dataset data/README.md describes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import XSD

from kg.build import build, summary
from kg.io import KgInputError, trig_bytes
from kg.namespace import ACT, ACTOR, CURATION_GRAPH, KG, PREFIXES, article_graph, article_iri
from kg.validate import validate

ROOT = Path(__file__).resolve().parent.parent


def test_real_data_conforms(dataset):
    report = validate(dataset)
    assert report.conforms, report.format()


def test_one_named_graph_per_article_plus_ontology_and_curation(dataset):
    graphs = {str(g.identifier) for g in dataset.contexts() if len(g)}
    assert str(article_graph("canada-eight-officials-2024")) in graphs
    assert str(article_graph("xinjiang-round-2021")) in graphs
    assert str(CURATION_GRAPH) in graphs
    assert "https://w3id.org/sanctions-kg/graph/ontology" in graphs


def test_build_is_byte_stable():
    a = trig_bytes(build(ROOT / "data"), PREFIXES)
    b = trig_bytes(build(ROOT / "data"), PREFIXES)
    assert a == b


def test_evidence_named_by_article_and_quote(dataset):
    quote = "Beijing denies the allegations."
    iri = URIRef(f"{article_iri('canada-eight-officials-2024')}/quote/{hashlib.sha1(quote.encode()).hexdigest()[:12]}")
    g = dataset.graph(article_graph("canada-eight-officials-2024"))
    assert (iri, KG.quote, Literal(quote)) in g
    assert (iri, RDF.type, KG.Evidence) in g
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
    # Read from the articles: 2024 - Canada's sanctions and the US, UK and EU sanctions it mentions (4);
    # 2021 - Canada, EU, EU 1989, US Treasury, US Hong Kong, China's counter-sanctions (6).
    assert counts["articles"] == 2
    assert counts["sanctions"] == 10
    # China's threat of "necessary measures" (2024) and its counter-sanctions (2021).
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
