"""kg export --format ftm: every entity passes followthemoney's own validation, and the round trip holds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, to_isomorphic

from kg.namespace import KG

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"


def _validate_all(path: Path) -> list[dict]:
    """Load every line through followthemoney's model and validate it as the model says."""
    from followthemoney import model

    entities = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for data in entities:
        schema = model.get(data["schema"])
        assert schema is not None, data
        schema.validate(data)  # raises InvalidData naming the property
        proxy = model.get_proxy(data, cleaned=False)  # the type cleaners accept every value
        for prop, values in data["properties"].items():
            assert len(proxy.get(prop)) == len(set(values)), (data["id"], prop, values)
    return entities


@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """The articles plus the imported fixture, built as kg build builds them."""
    from kg.build import build
    from kg.ftm.importer import import_ftm

    data = tmp_path_factory.mktemp("export") / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imports", "links"))
    import_ftm(FIXTURE, "sample", data_dir=data)
    return build(data)


def test_every_exported_entity_validates(combined, tmp_path):
    from kg.export import export_graph

    path = export_graph(combined, "ftm", tmp_path / "out.ftm.json")
    entities = _validate_all(path)
    schemata = {e["schema"] for e in entities}
    # actors, posts, sanctions, a retaliation that is not a sanction, and quotes as documentation
    assert {"Person", "PublicBody", "Organization", "Sanction", "Occupancy", "Position", "Event",
            "Article", "Documentation"} <= schemata
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    for entity in entities:  # every reference points at an entity of the file
        from followthemoney import model

        schema = model.get(entity["schema"])
        for prop, values in entity["properties"].items():
            if schema.get(prop).type.name == "entity":
                assert set(values) <= ids, (entity["id"], prop)


def test_article_quotes_travel_as_documentation(combined, tmp_path):
    from kg.export import export_graph

    entities = _validate_all(export_graph(combined, "ftm", tmp_path / "out.ftm.json"))
    docs = [e for e in entities if e["schema"] == "Documentation" and e["properties"]["entity"] == ["kg-actor-chen-quanguo"]]
    assert docs
    text = (ROOT / "data" / "articles").glob("*.txt")
    corpus = "".join(p.read_text(encoding="utf-8") for p in text)
    assert all(d["properties"]["summary"][0] in corpus for d in docs)  # verbatim quotes


def test_counter_sanction_says_what_it_answers(combined, tmp_path):
    from kg.export import export_graph

    entities = _validate_all(export_graph(combined, "ftm", tmp_path / "out.ftm.json"))
    answering = [e for e in entities if any(v.startswith("Responds to: ") for v in e["properties"].get("description", []))]
    assert any(e["schema"] == "Sanction" for e in answering)  # China's counter-sanctions of March 2021


def _import_graph(data: Path, source: Path) -> Graph:
    from kg.ftm.importer import import_ftm

    import_ftm(source, "sample", data_dir=data, link=False)
    return Graph().parse(data / "imports" / "sample.ttl")


def test_round_trip_import_export_import_gives_the_same_graph(tmp_path):
    """What FtM expresses comes back; what differs is only what kg.export.ftm.NOT_EXPRESSED says."""
    from kg.export.ftm import write_ftm

    data = tmp_path / "data"
    data.mkdir()
    first = _import_graph(data, FIXTURE)
    ds = Dataset(default_union=True)
    ds.graph("urn:x:dataset").parse(data / "imports" / "sample.ttl")
    for path in (ROOT / "ontology").glob("*.ttl"):  # the measure labels, as in a built graph
        ds.graph("urn:x:ontology").parse(path)
    exported = write_ftm(ds, tmp_path / "sample.ftm.json")
    _validate_all(exported)
    second = _import_graph(data, exported)
    _, only_first, only_second = graph_diff(to_isomorphic(first), to_isomorphic(second))
    changed = {p for _, p, _ in only_first} | {p for _, p, _ in only_second}
    # The digest covers the record's content, which the export rewrites (our measure labels for
    # provisions, startDate for listingDate); the record properties name what each import read.
    assert changed == {KG.recordDigest, KG.recordProperty}


def test_what_ftm_cannot_express_is_left_out_and_said(combined, tmp_path):
    """Links, target counts and stances have no FtM property: the export leaves them out, and says so."""
    from kg.export import export_graph
    from kg.export.ftm import NOT_EXPRESSED

    text = export_graph(combined, "ftm", tmp_path / "out.ftm.json").read_text(encoding="utf-8")
    assert "exactMatch" not in text and "targetCount" not in text
    assert any("links" in line for line in NOT_EXPRESSED)
    # the article's Chen Quanguo and the OFAC record are both there, unmerged
    ids = {json.loads(line)["id"] for line in text.splitlines()}
    assert {"kg-actor-chen-quanguo", "NK-chen-quanguo"} <= ids


def test_articles_through_ftm_keep_acts_and_targets_but_lose_counts_statements_and_links(combined, tmp_path):
    """Our graph -> FtM -> kg import: what comes back and what FtM cannot carry, act by act.

    Canada's December 2024 sanction (data/facts/canada-eight-officials-2024.ttl) names two targets
    of "eight officials": the two come back, the count of eight does not (no FtM property).
    """
    from rdflib import RDF, Literal, URIRef
    from rdflib.namespace import SKOS, XSD

    from kg.export import export_graph
    from kg.ftm.importer import import_ftm
    from kg.namespace import ENTITY, MEASURE

    exported = export_graph(combined, "ftm", tmp_path / "all.ftm.json")
    data = tmp_path / "data"
    data.mkdir()
    import_ftm(exported, "roundtrip", data_dir=data, link=False)
    g = Graph().parse(data / "imports" / "roundtrip.ttl")
    act = URIRef(f"{ENTITY}kg-act-ca-2024-12-sanction")
    assert (act, RDF.type, KG.Sanction) in g
    assert set(g.objects(act, KG.target)) == {URIRef(f"{ENTITY}kg-actor-chen-quanguo"), URIRef(f"{ENTITY}kg-actor-wu-yingjie")}
    assert (act, KG.date, Literal("2024-12-10", datatype=XSD.date)) in g
    assert (act, KG.measure, MEASURE.AssetFreeze) in g
    # what FtM cannot express (kg.export.ftm.NOT_EXPRESSED)
    assert not list(g.objects(act, KG.personTargetCount)) and not list(g.objects(act, KG.targetCount))
    assert not list(g.subjects(RDF.type, KG.Statement))
    assert not list(g.triples((None, SKOS.exactMatch, None)))
