"""kg import on tests/fixtures/ftm/opensanctions-sample.ftm.json, a fixture made by hand in OpenSanctions' shape.

The fixture (25 lines): six people and one think tank the two articles name, as
sanctions lists hold them (Chen Quanguo on OFAC's list with aliases in Latin
and Chinese script; Zhu Hailun on the UK and EU lists in one record; Wang
Junzheng in two records of two lists; Wu Yingjie with a post through Position
and Occupancy; Adrian Zenz and MERICS on China's counter-sanctions list), seven
Sanctions, six decoys with similar names, and three entities kg does not map
(an Address, a Vessel, a Family). Expected values below are counted from it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import ORG, SKOS, XSD

from kg.ftm.importer import import_ftm
from kg.io import KgInputError
from kg.namespace import ACTOR, ENTITY, GROUND, KG, MEASURE, POST, RECORD

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json"


def _data_dir(tmp_path: Path) -> Path:
    """A copy of the project's data/ (articles, facts, curation, mapping rules) to import into."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target, ignore=shutil.ignore_patterns("imports", "links"))
    return target


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    data = _data_dir(tmp_path_factory.mktemp("import"))
    result = import_ftm(FIXTURE, "sample", data_dir=data)
    graph = Graph().parse(data / "imports" / "sample.ttl")
    links = Graph().parse(data / "links" / "sample.ttl")
    return data, result, graph, links


def e(entity_id: str) -> URIRef:
    return URIRef(f"{ENTITY}{entity_id}")


def test_people_and_bodies_become_actors_of_their_kind(imported):
    _, result, g, _ = imported
    assert (e("NK-chen-quanguo"), RDF.type, KG.Person) in g
    assert (e("cn-mfa-merics"), RDF.type, KG.Organisation) in g
    assert (e("NK-mercator-bank"), RDF.type, KG.Company) in g
    # 10 Person lines, 1 Organization, 2 Companies in the fixture
    assert result.tally.mapped["Person"] == 10 and result.tally.mapped["Company"] == 2
    assert (e("NK-chen-quanguo"), SKOS.altLabel, Literal("陈全国")) in g
    assert (e("NK-chen-quanguo"), KG.nationality, ACTOR.china) in g
    assert (e("NK-chen-quanguo"), KG.birthDate, Literal("1955-11", datatype=XSD.gYearMonth)) in g


def test_sanction_imposer_resolved_from_the_authority_through_the_rules(imported):
    _, _, g, _ = imported
    ofac = e("ofac-sanction-28966")
    assert (ofac, RDF.type, KG.Sanction) in g
    assert (ofac, KG.imposedBy, ACTOR["us-treasury-department"]) in g  # "US Treasury OFAC"
    assert (ACTOR["us-treasury-department"], ORG.subOrganizationOf, ACTOR["united-states"]) in g
    assert (ofac, KG.target, e("NK-chen-quanguo")) in g
    assert (ofac, KG.date, Literal("2020-07-09", datatype=XSD.date)) in g
    assert (ofac, KG.measure, MEASURE.AssetFreeze) in g  # provision "Block"
    assert (ofac, KG.program, Literal("GLOMAG")) in g
    assert (ofac, KG.ground, GROUND.HumanRightsViolations) in g  # "Serious human rights abuse ..."
    assert (e("eu-fsf-zhu-hailun"), KG.imposedBy, ACTOR["european-union"]) in g  # "Council of the European Union"


def test_provisions_without_a_rule_are_kept_as_text(imported):
    _, result, g, _ = imported
    wu = e("ca-sema-wu-yingjie-sanction")
    assert (wu, KG.measure, MEASURE.AssetFreeze) in g
    assert (wu, KG.measureText, Literal("Prohibition on investment")) in g
    assert result.tally.unmatched_provisions["Prohibition on investment"] == 1


def test_a_month_date_becomes_bounds(imported):
    _, _, g, _ = imported
    act = e("eu-fsf-wang-junzheng-sanction")  # startDate "2021-03"
    assert (act, KG.earliestDate, Literal("2021-03-01", datatype=XSD.date)) in g
    assert (act, KG.latestDate, Literal("2021-03-31", datatype=XSD.date)) in g


def test_occupancy_and_position_become_a_post(imported):
    _, _, g, _ = imported
    post = POST["ftm-occ-wu-yingjie-tibet"]
    assert (post, RDF.type, KG.Post) in g
    assert (post, ORG.member, e("ca-sema-wu-yingjie")) in g
    assert (post, KG.postTitle, Literal("Party Secretary of the Tibet Autonomous Region")) in g
    assert (post, ORG.organization, ACTOR.china) in g  # the Position's country
    assert (post, KG.fromYear, Literal("2016", datatype=XSD.gYear)) in g
    assert (post, KG.untilYear, Literal("2021", datatype=XSD.gYear)) in g


def test_every_fact_points_to_its_record(imported):
    _, _, g, _ = imported
    facts = {s for cls in (KG.Person, KG.Organisation, KG.Company, KG.Sanction, KG.Post) for s in g.subjects(RDF.type, cls)}
    assert facts
    for fact in facts:
        evidence = list(g.objects(fact, KG.evidence))
        assert evidence, fact
        assert all((ev, RDF.type, KG.RecordEvidence) in g for ev in evidence)
    record = URIRef(f"{RECORD}sample/NK-zhu-hailun")
    assert {str(d) for d in g.objects(record, KG.inDataset)} == {
        "https://w3id.org/sanctions-kg/id/dataset/gb_hmt_sanctions", "https://w3id.org/sanctions-kg/id/dataset/eu_fsf"}
    assert (record, KG.recordId, Literal("NK-zhu-hailun")) in g
    assert (record, KG.firstSeen, Literal("2021-03-23T08:00:00", datatype=XSD.dateTime)) in g


def test_what_is_not_imported_is_counted(imported):
    _, result, _, _ = imported
    t = result.tally
    assert dict(t.unmapped_schemata) == {"Address": 1, "Vessel": 1, "Family": 1}
    assert t.unread_properties["Person:gender"] == 1
    assert t.unread_properties["Company:jurisdiction"] == 2


def test_import_report_names_what_was_skipped(imported):
    from kg.commands.common import EXIT_OK  # noqa: F401 - the command module's shared names load
    from importlib import import_module

    text = import_module("kg.commands.import").format_result(imported[1])
    assert "schemata kg does not map (skipped):" in text and "Vessel: 1" in text
    assert "21 added, 0 changed, 0 removed" in text  # 25 lines less the 3 unmapped and 1 Position


def test_links_to_the_article_actors_it_should(imported):
    _, result, _, links = imported
    asserted = {
        (str(links.value(l, RDF.subject)).rsplit("/", 1)[1], str(links.value(l, RDF.object)).rsplit("/", 1)[1])
        for l in links.subjects(RDF.type, KG.Link) if (l, KG.unconfirmed, Literal(True)) not in links
    }
    assert asserted == {
        ("chen-quanguo", "NK-chen-quanguo"),
        ("zhu-hailun", "NK-zhu-hailun"),
        ("wang-junzheng", "gb-hmt-14060"),
        ("wang-junzheng", "eu-fsf-wang-junzheng"),
        ("wu-yingjie", "ca-sema-wu-yingjie"),
        ("adrian-zenz", "cn-mfa-adrian-zenz"),
        ("mercator-institute-for-china-studies", "cn-mfa-merics"),
    }
    assert result.links["asserted"] == 7


def test_decoys_are_never_asserted(imported):
    """Same name other nationality, swapped syllables, a one-letter change, an organisation named after a person."""
    _, _, _, links = imported
    decoys = {e(i) for i in ("NK-chen-quanguo-tw", "NK-chen-guoquan", "NK-zhu-hailong", "NK-wang-junzhen",
                             "NK-mercator-bank", "NK-zenz-trading")}
    for link in links.subjects(RDF.object, None):
        if links.value(link, RDF.object) in decoys:
            assert (link, KG.unconfirmed, Literal(True)) in links, links.value(link, RDF.object)


def test_near_misses_are_candidates_for_review_with_score_and_reasons(imported):
    _, _, _, links = imported
    candidates = {links.value(l, RDF.object) for l in links.subjects(KG.unconfirmed, Literal(True))}
    # "Zhu Hailong" (one syllable off) and "Wang Junzhen" (one letter off): close enough to ask a curator
    assert candidates == {e("NK-zhu-hailong"), e("NK-wang-junzhen")}
    for link in links.subjects(KG.unconfirmed, Literal(True)):
        assert 0.75 <= float(links.value(link, KG.matchScore)) < 1
        assert list(links.objects(link, KG.matchReason))
        assert links.value(link, KG.draftRule) is not None


def test_build_includes_the_import_and_it_conforms(imported):
    from kg.build import build
    from kg.validate import check

    data = imported[0]
    ds = build(data)
    conforms, report = check(ds)
    assert conforms, report
    graphs = {str(g.identifier) for g in ds.graphs()}
    assert "https://w3id.org/sanctions-kg/graph/dataset/sample" in graphs
    assert "https://w3id.org/sanctions-kg/graph/links/sample" in graphs


def test_queries_see_through_a_confirmed_link(imported):
    """The OFAC designation answers a question asked about the article's Chen Quanguo."""
    from kg.build import build
    from kg.query import load_catalogue, run_query

    ds = build(imported[0])
    rows = list(run_query(ds, load_catalogue()["sanctions-against"], target="Chen Quanguo"))
    sanctions = {str(r.sanction) for r in rows}
    assert str(e("ofac-sanction-28966")) in sanctions  # from the list
    assert "https://w3id.org/sanctions-kg/id/act/ca-2024-12-sanction" in sanctions  # from the article
    assert {str(r.target) for r in rows} == {str(ACTOR["chen-quanguo"])}


def test_network_folds_a_linked_record_onto_its_actor(imported):
    from kg.analysis.networks import actor_network
    from kg.build import build

    G = actor_network(build(imported[0]))
    assert str(e("NK-chen-quanguo")) not in G
    assert G.has_edge(str(ACTOR["us-treasury-department"]), str(ACTOR["chen-quanguo"]))
    # the decoy is a sanction target nowhere, and its candidate link is unconfirmed: never folded
    assert not any("chen-quanguo-tw" in n for n in G)


# --------------------------------------------------------------------- bad input


def _write(path: Path, lines: list) -> Path:
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines), encoding="utf-8")
    return path


PERSON = {"id": "p1", "schema": "Person", "properties": {"name": ["Anna Alpha"]}, "datasets": ["x"]}


def test_malformed_line_refuses_the_file_and_writes_nothing(tmp_path):
    data = _data_dir(tmp_path)
    bad = _write(tmp_path / "bad.ftm.json", [PERSON, "{not json", PERSON])
    with pytest.raises(KgInputError, match=r"bad.ftm.json:2: not a FollowTheMoney entity"):
        import_ftm(bad, "bad", data_dir=data, link=False)
    assert not (data / "imports" / "bad.ttl").exists()


def test_skip_bad_skips_and_reports_the_line(tmp_path):
    data = _data_dir(tmp_path)
    bad = _write(tmp_path / "bad.ftm.json", [PERSON, '["a list"]', {"schema": "Person"}])
    result = import_ftm(bad, "bad", data_dir=data, link=False, skip_bad=True)
    assert [n for n, _ in result.tally.bad_lines] == [2, 3]
    assert (data / "imports" / "bad.ttl").exists()


def test_unknown_schema_and_property_are_counted_not_dropped_silently(tmp_path):
    data = _data_dir(tmp_path)
    odd = _write(tmp_path / "odd.ftm.json", [
        {**PERSON, "properties": {"name": ["Anna Alpha"], "favouriteColour": ["blue"]}},
        {"id": "s1", "schema": "Spaceship", "properties": {"name": ["Enterprise"]}},
    ])
    result = import_ftm(odd, "odd", data_dir=data, link=False)
    assert result.tally.unknown_schemata == {"Spaceship": 1}
    assert result.tally.unknown_properties == {"Person:favouriteColour": 1}


def test_reimport_reports_added_changed_removed_and_replaces_the_graph(tmp_path):
    data = _data_dir(tmp_path)
    first = _write(tmp_path / "v1.ftm.json", [PERSON, {**PERSON, "id": "p2", "properties": {"name": ["Boris Beta"]}}])
    import_ftm(first, "lst", data_dir=data, link=False)
    second = _write(tmp_path / "v2.ftm.json", [
        {**PERSON, "properties": {"name": ["Anna Alpha"], "alias": ["A. Alpha"]}},  # p1 changed
        {**PERSON, "id": "p3", "properties": {"name": ["Carl Gamma"]}},  # p3 added, p2 removed
    ])
    result = import_ftm(second, "lst", data_dir=data, link=False)
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    g = Graph().parse(data / "imports" / "lst.ttl")
    assert (e("p2"), RDF.type, KG.Person) not in g
    assert (e("p3"), RDF.type, KG.Person) in g


def test_a_file_with_nothing_to_map_writes_nothing(tmp_path):
    data = _data_dir(tmp_path)
    odd = _write(tmp_path / "v.ftm.json", [{"id": "v1", "schema": "Vessel", "properties": {"name": ["Ocean Pearl"]}}])
    with pytest.raises(KgInputError, match="no entity that kg maps"):
        import_ftm(odd, "v", data_dir=data, link=False)
    assert not (data / "imports" / "v.ttl").exists()


def test_confirmed_link_survives_a_reimport(tmp_path):
    """A curator confirmed the Zhu Hailong candidate (removed the flag): the next import keeps it confirmed."""
    data = _data_dir(tmp_path)
    import_ftm(FIXTURE, "sample", data_dir=data)
    path = data / "links" / "sample.ttl"
    g = Graph().parse(path)
    link = next(l for l in g.subjects(RDF.object, e("NK-zhu-hailong")))
    g.remove((link, KG.unconfirmed, None))
    g.serialize(path, format="turtle")
    result = import_ftm(FIXTURE, "sample", data_dir=data)
    assert result.links["kept as confirmed"] == 1
    assert (link, KG.unconfirmed, None) not in Graph().parse(path)


def test_rules_dir_mapping_replaces_the_shipped_one(tmp_path):
    """An authority the shipped rules/ftm-mapping.yaml does not know is reported and the
    sanction skipped; `kg import --rules DIR` with a curator's ftm-mapping.yaml that names it resolves it."""
    import yaml

    from kg.cli import main

    data = _data_dir(tmp_path)
    source = _write(tmp_path / "r.ftm.json", [
        PERSON,
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "authority": ["Ruritanian Sanctions Office"],
                                                         "startDate": ["2024-05-01"]}},
    ])
    shipped = import_ftm(source, "r", data_dir=data, link=False)
    assert shipped.tally.mapped["Sanction"] == 0
    assert any("Ruritanian Sanctions Office" in k for k in shipped.tally.problems)
    rules = tmp_path / "myrules"
    rules.mkdir()
    (rules / "ftm-mapping.yaml").write_text(yaml.safe_dump({"authorities": [
        {"actor": "ruritania-sanctions-office", "label": "Ruritanian Sanctions Office", "kind": "GovernmentBody",
         "names": ["Ruritanian Sanctions Office"]}]}), encoding="utf-8")
    assert main(["-q", "import", str(source), "--dataset", "r", "--data", str(data), "--no-link",
                 "--rules", str(rules)]) == 0
    g = Graph().parse(data / "imports" / "r.ttl")
    assert (e("s1"), KG.imposedBy, ACTOR["ruritania-sanctions-office"]) in g


# --------------------------------------------------------------------- the Oxigraph store


def test_import_into_an_oxigraph_store_and_replace_all_or_nothing(tmp_path):
    import pyoxigraph as ox

    data = _data_dir(tmp_path)
    store = tmp_path / "store"
    import_ftm(FIXTURE, "sample", store=f"oxigraph:{store}", data_dir=data, link=False)
    graph = ox.NamedNode("https://w3id.org/sanctions-kg/graph/dataset/sample")
    count = len(list(ox.Store.read_only(str(store.resolve())).quads_for_pattern(None, None, None, graph)))
    assert count > 0
    bad = _write(tmp_path / "bad.ftm.json", [PERSON, "{broken"])
    with pytest.raises(KgInputError, match=":2:"):
        import_ftm(bad, "sample", store=f"oxigraph:{store}", data_dir=data, link=False)
    after = len(list(ox.Store.read_only(str(store.resolve())).quads_for_pattern(None, None, None, graph)))
    assert after == count  # the failed import left the store as it was


def test_reimport_into_an_oxigraph_store_replaces_the_dataset_and_keeps_the_rest(tmp_path):
    """A re-import builds the new version from the rest of the store plus the new import (deleting the old
    dataset quad by quad took 108 s and 2.2 GB at 1.5 million quads): the articles' graphs, the default
    graph, another dataset and its links come through quad for quad, the dataset's graph is the new
    export's, its links are rewritten, and the report counts the records added, changed and removed."""
    import pyoxigraph as ox

    from kg.build import build
    from kg.io import trig_bytes
    from kg.store import save_dataset

    data = _data_dir(tmp_path)
    store = tmp_path / "store"
    ds = build(data)
    save_dataset(ds, f"oxigraph:{store}", trig_bytes(ds))
    import_ftm(FIXTURE, "sample", store=f"oxigraph:{store}", data_dir=data)  # linked to the articles' actors
    first = _write(tmp_path / "v1.ftm.json", [PERSON, {**PERSON, "id": "p2", "properties": {"name": ["Boris Beta"]}}])
    import_ftm(first, "lst", store=f"oxigraph:{store}", data_dir=data)
    graphs = {name: ox.NamedNode(f"https://w3id.org/sanctions-kg/graph/{name}")
              for name in ("dataset/lst", "dataset/sample", "links/sample", "links/lst")}

    def contents():
        st = ox.Store.read_only(str(store.resolve()))
        return ({q for q in st.quads_for_pattern(None, None, None, None) if q.graph_name not in
                 (graphs["dataset/lst"], graphs["links/lst"])},
                {(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, None, None, graphs["dataset/lst"])})

    rest, _ = contents()
    assert any(q.graph_name == graphs["links/sample"] for q in rest)  # the other dataset's links
    assert any(isinstance(q.subject, ox.BlankNode) for q in rest)  # the ontology's: kept with their names
    second = _write(tmp_path / "v2.ftm.json", [
        {**PERSON, "properties": {"name": ["Anna Alpha"], "alias": ["A. Alpha"]}},  # p1 changed
        {**PERSON, "id": "p3", "properties": {"name": ["Carl Gamma"]}},  # p3 added, p2 removed
    ])
    result = import_ftm(second, "lst", store=f"oxigraph:{store}", data_dir=data)
    assert (result.added, result.changed, result.removed) == (1, 1, 1)
    after, dataset = contents()
    assert after == rest  # everything but this dataset's two graphs, unchanged
    subjects = {s for s, _, _ in dataset}
    assert ox.NamedNode(str(e("p3"))) in subjects and ox.NamedNode(str(e("p2"))) not in subjects
    alias = ox.Literal("A. Alpha")
    assert any(o == alias for _, _, o in dataset)


# --------------------------------------------------------------------- catalogue queries on the combined graph


def _rows(dataset, name, **params):
    from kg.query import load_catalogue, run_query

    result = run_query(dataset, load_catalogue()[name], **params)
    names = [str(v) for v in result.vars]
    return [{k: (None if v is None else str(v)) for k, v in zip(names, r)} for r in result]


@pytest.fixture(scope="module")
def combined(imported):
    from kg.build import build

    return build(imported[0])


def test_matches_query_lists_links_with_status(combined):
    rows = _rows(combined, "matches")
    assert len(rows) == 9  # the 7 asserted links and 2 candidates of test_links_* above
    assert {r["linkStatus"] for r in rows if "hailong" in r["record"]} == {"unconfirmed"}
    zhu = next(r for r in rows if r["record"].endswith("/NK-zhu-hailun"))
    assert zhu["linkStatus"] == "asserted" and set(zhu["datasets"].split(", ")) == {"gb_hmt_sanctions", "eu_fsf"}
    assert "name: 'Zhu Hailun'" in zhu["reasons"]
    assert {r["record"] for r in rows if r["linkStatus"] == "unconfirmed"} == {
        str(e("NK-zhu-hailong")), str(e("NK-wang-junzhen"))}


def test_listed_actors_joins_designations_and_articles(combined):
    """What neither source answers alone: Chen Quanguo, designated by OFAC in July 2020 under GLOMAG,
    is also the target of Canada's December 2024 sanction that the 2024 article reports."""
    rows = _rows(combined, "listed-actors")
    chen = [r for r in rows if r["actorLabel"] == "Chen Quanguo"]
    assert len(chen) == 1
    assert chen[0]["program"] == "GLOMAG" and chen[0]["date"] == "2020-07-09" and chen[0]["lists"] == "us_ofac_sdn"
    assert chen[0]["imposerLabel"] == "Treasury Department"
    assert int(chen[0]["articleActs"]) >= 1
    # Zhu Hailun: two designations (UK, EU) from one record listed on both lists
    assert {r["imposerLabel"] for r in rows if r["actorLabel"] == "Zhu Hailun"} == {"HM Treasury", "European Union"}
    # decoys are on no answer
    assert not any("Guoquan" in (r["actorLabel"] or "") for r in rows)


def test_kg_review_confirms_a_candidate_link_and_build_asserts_it(tmp_path):
    """The links file is laid out so that kg review can remove a candidate's flag; build then sees through it."""
    from kg.build import build
    from kg.review import confirm, find_drafts

    data = _data_dir(tmp_path)
    import_ftm(FIXTURE, "sample", data_dir=data)
    drafts = find_drafts(data)
    hailong = [d for d in drafts if "Hailong" in str(d.label)]
    assert len(hailong) == 1 and len(drafts) == 2  # the two candidates, nothing else is a draft
    confirm(data, [hailong[0].id])
    ds = build(data)
    from rdflib.namespace import SKOS

    assert (ACTOR["zhu-hailun"], SKOS.exactMatch, e("NK-zhu-hailong")) in ds


def test_build_into_the_store_keeps_a_dataset_imported_there(tmp_path):
    """kg import --store oxigraph:PATH, then kg build --store oxigraph:PATH: the imported graphs stay,
    and build leaves out the links file whose dataset lives only in the store."""
    import pyoxigraph as ox

    from kg.build import build
    from kg.io import trig_bytes
    from kg.store import save_dataset

    data = _data_dir(tmp_path)
    store = tmp_path / "store"
    import_ftm(FIXTURE, "sample", store=f"oxigraph:{store}", data_dir=data)
    assert (data / "links" / "sample.ttl").exists() and not (data / "imports" / "sample.ttl").exists()
    ds = build(data)
    assert "https://w3id.org/sanctions-kg/graph/links/sample" not in {str(g.identifier) for g in ds.graphs()}
    save_dataset(ds, f"oxigraph:{store}", trig_bytes(ds))
    graphs = {g.value for g in ox.Store.read_only(str(store.resolve())).named_graphs()}
    assert "https://w3id.org/sanctions-kg/graph/dataset/sample" in graphs
    assert "https://w3id.org/sanctions-kg/graph/links/sample" in graphs
    assert any(g.endswith("article/xinjiang-round-2021") for g in graphs)


@pytest.mark.parametrize("line, why", [
    ('{"id": "a", "schema": "Person", "properties": {"name": [123]}}', "list of strings"),
    ('{"id": "a", "schema": "Person", "properties": {"name": "Anna"}}', "list of strings"),
    ('{"id": "a", "schema": "Person", "properties": {}, "datasets": "us"}', "list of dataset names"),
    ('{"schema": "Person", "properties": {}}', "string 'id'"),
    ('["not", "an", "object"]', "not a JSON object"),
])
def test_each_malformed_shape_is_named_with_its_line(tmp_path, line, why):
    data = _data_dir(tmp_path)
    bad = _write(tmp_path / "bad.ftm.json", [PERSON, line])
    with pytest.raises(KgInputError, match=rf"bad.ftm.json:2: .*{why}"):
        import_ftm(bad, "bad", data_dir=data, link=False)


def _record_matching_children(monkeypatch) -> list:
    """The matching children the import starts (None where it matches in-process), in a list filled as it runs."""
    from kg.ftm import importer

    started = []
    real_start = importer._BackgroundMatch.start.__func__

    def start(cls, path, matcher):
        started.append(real_start(cls, path, matcher))
        return started[-1]

    monkeypatch.setattr(importer._BackgroundMatch, "start", classmethod(start))
    return started


def test_links_are_the_same_matched_in_a_second_process_or_in_this_one(tmp_path, monkeypatch):
    """On Linux the import matches in a forked child while it maps; the links file is the same as when it
    matches in-process (the child's results are the matcher's own), and the child does not depend on this
    process's standard streams (a caller that replaced sys.stdin with an object without close(), as a test
    harness does, made a multiprocessing child die before matching)."""
    import io
    import sys

    from kg.ftm import importer

    class NoClose:
        buffer = io.BytesIO()

    monkeypatch.setattr(sys, "stdin", NoClose())
    started = _record_matching_children(monkeypatch)
    forked = _data_dir(tmp_path / "forked")
    result = import_ftm(FIXTURE, "sample", data_dir=forked)
    assert started and (started[0] is not None) == sys.platform.startswith("linux")
    monkeypatch.setattr(importer._BackgroundMatch, "start", classmethod(lambda cls, path, matcher: None))
    inline = _data_dir(tmp_path / "inline")
    same = import_ftm(FIXTURE, "sample", data_dir=inline)
    assert result.links == same.links and result.links["asserted"] > 0
    assert (forked / "links" / "sample.ttl").read_bytes() == (inline / "links" / "sample.ttl").read_bytes()


def test_a_bad_line_ends_the_matching_child_too(tmp_path, monkeypatch):
    """A malformed line refuses the file while the child is still matching: the import reports the line
    and leaves no child process behind, running or unreaped."""
    import os
    import sys

    children = _record_matching_children(monkeypatch)
    data = _data_dir(tmp_path)
    bad = tmp_path / "bad.ftm.json"
    bad.write_text(FIXTURE.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(KgInputError, match=r"bad\.ftm\.json:26"):
        import_ftm(bad, "sample", data_dir=data)
    if sys.platform.startswith("linux"):
        (child,) = children
        assert child.collected
        with pytest.raises(ChildProcessError):  # already collected by the import
            os.waitpid(child.pid, os.WNOHANG)
