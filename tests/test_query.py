"""The query catalogue answers the analyst's questions, as the articles tell them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.query import CatalogueQuery, ParamError, QueryError, load_catalogue, parse_query_file, prepare, run_query

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
ID = "https://w3id.org/sanctions-kg/id/"


def rows(dataset, name, **params):
    result = run_query(dataset, CATALOGUE[name], **params)
    names = [str(v) for v in result.vars]
    return [{k: (None if v is None else str(v)) for k, v in zip(names, r)} for r in result]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_has_header_and_prefixes_and_runs(name, dataset):
    query = CATALOGUE[name]
    assert query.summary, f"{name}.rq has no '#+ summary:'"
    assert "PREFIX kg:" in query.text or "kg:" not in query.text
    result = run_query(dataset, query)
    if query.is_violation_check:
        assert list(result) == [], f"quality check {name} found problems"


def test_sanctions_who_whom_when_how(dataset):
    by_label = {r["label"]: r for r in rows(dataset, "sanctions")}
    # Canada's of December 2024; Canada, the EU (2021 and 1989), the US Treasury, the US over Hong Kong and
    # China's counter-sanctions of the 2021 article. The 2024 article's "have also imposed sanctions" is a mention.
    assert len(by_label) == 7
    assert not any("Xinjiang (before December 2024" in label for label in by_label)
    ca = by_label["Canada sanctions eight Chinese officials (December 2024)"]
    assert ca["imposerLabel"] == "Canada" and ca["date"] == "2024-12-10"
    assert set(ca["targets"].split("; ")) == {"Chen Quanguo", "Wu Yingjie"}
    assert ca["targetCount"] == "8" and ca["namedTargets"] == "2"
    assert set(ca["measures"].split("; ")) == {"asset freeze", "ban on property dealings", "ban on financial services"}
    assert ca["quote"] and ca["article"] == ID + "article/canada-eight-officials-2024"


def test_sanctions_against_actor_by_alias(dataset):
    # "Beijing" is an alternative label of China. The EU's 1989 and 2021 sanctions name China; Canada's
    # sanctions (2021, 2024) count unnamed "Chinese officials" and name some; the US Treasury's name two
    # officials of Xinjiang bodies, which the article places in "China's Xinjiang province".
    found = {r["label"]: r for r in rows(dataset, "sanctions-against", target="Beijing")}
    assert set(found) == {
        "European Union sanctions on China after the Tiananmen Square massacre of 1989",
        "European Union sanctions on China (March 2021), reportedly its first since 1989",
        "Canada sanctions four Chinese officials over Xinjiang (March 2021)",
        "Canada sanctions eight Chinese officials (December 2024)",
        "United States Treasury sanctions Wang Junzheng and Chen Mingguo (March 2021)",
    }
    assert found["European Union sanctions on China (March 2021), reportedly its first since 1989"]["how"] == "named"


def test_sanctions_against_a_state_include_its_unnamed_people(dataset):
    """kg query sanctions-against --param target=China missed Canada's sanctions on "Chinese officials"."""
    found = {r["sanction"].rsplit("/", 1)[1]: r for r in rows(dataset, "sanctions-against", target="China")}
    ca = found["ca-2024-12-sanction"]  # "eight former and current senior Chinese officials", two named
    assert set(ca["how"].split("; ")) == {"named (its people or bodies)", "unnamed (counted)"}
    assert set(ca["namedTargets"].split("; ")) == {"Chen Quanguo", "Wu Yingjie"} and ca["targetCount"] == "8"
    assert found["ca-2021-03-sanction"]["targetCount"] == "4"  # "four Chinese officials"
    assert "unnamed (counted)" in found["ca-2021-03-sanction"]["how"]
    us = found["us-2021-03-treasury-sanction"]
    assert us["how"] == "named (its people or bodies)" and set(us["namedTargets"].split("; ")) == {
        "Wang Junzheng", "Chen Mingguo"}
    # A named person is still found by name alone, and an organisation's state through its base.
    (zhu,) = rows(dataset, "sanctions-against", target="Zhu Hailun")
    assert zhu["how"] == "named" and zhu["namedTargets"] == "Zhu Hailun"
    (germany,) = rows(dataset, "sanctions-against", target="Germany")  # "Germany's Mercator Institute"
    assert germany["namedTargets"] == "Mercator Institute for China Studies"


def test_sanctions_by_united_states(dataset):
    labels = {r["label"] for r in rows(dataset, "sanctions-by", imposer="United States")}
    # Hong Kong (24 officials) and the Treasury's two; the 2024 article only mentions US sanctions.
    assert len(labels) == 2


def test_multiply_sanctioned(dataset):
    found = {r["targetLabel"]: r for r in rows(dataset, "multiply-sanctioned")}
    # Wang Junzheng: listed by the US Treasury and (curated) among Canada's four of 2021.
    # China: named by the EU (1989, 2021), and its unnamed officials counted by Canada (2021, 2024).
    assert set(found) == {"Wang Junzheng", "China"}
    assert set(found["Wang Junzheng"]["imposedBy"].split("; ")) == {"Canada (named)", "United States (named)"}
    assert set(found["China"]["imposedBy"].split("; ")) == {"European Union (named)", "Canada (unnamed, counted)"}


def test_retaliations_with_lag(dataset):
    found = {r["label"]: r for r in rows(dataset, "retaliations")}
    counter = found["China counter-sanctions 10 people and four entities in Europe (March 2021)"]
    assert counter["answeredActorLabel"] == "European Union" and counter["lag"] == "P0D"
    threat = found["China says it will take necessary measures to safeguard its interests (December 2024)"]
    assert threat["responderLabel"] == "China"  # Mao Ning speaks for China
    assert threat["answeredLabel"] == "Canada sanctions eight Chinese officials (December 2024)"
    assert threat["lag"] == "P1D"  # sanctions on Tuesday 10 December, the threat on Wednesday


def test_counter_sanctions_by_china(dataset):
    found = rows(dataset, "counter-sanctions", responder="China")
    targets = {r["targetLabel"] for r in found}
    assert targets == {
        "Adrian Zenz", "Bjorn Jerden", "Reinhard Butikofer", "Michael Gahler", "Raphael Glucksmann",
        "Ilhan Kyuchyuk", "Miriam Lexmann", "Mercator Institute for China Studies", "a Danish democracy organization",
    }
    assert {r["targetCount"] for r in found} == {"14"}  # "10 people and four entities"


def test_meps_among_targets(dataset):
    found = rows(dataset, "targets-by-kind", post="European Parliament")
    assert {r["targetLabel"] for r in found} == {
        "Reinhard Butikofer", "Michael Gahler", "Raphael Glucksmann", "Ilhan Kyuchyuk", "Miriam Lexmann",
    }
    assert all(r["sanctionedBy"] == "China" for r in found)


def test_grounds_regions_groups(dataset):
    found = {(r["facet"], r["conceptLabel"]): int(r["acts"]) for r in rows(dataset, "grounds")}
    assert found[("region", "Hong Kong")] == 1
    assert found[("group", "Falun Gong followers")] == 1
    assert found[("ground", "lies and disinformation")] == 1  # China's stated ground


def test_statements_by_stance(dataset):
    found = rows(dataset, "statements", stance="condemnation")
    # China's foreign ministry on Canada's move (2024); "a spokesman for China's foreign ministry" on the
    # EU's move, Borrell, and the UK foreign secretary at the Human Rights Council (2021).
    speakers = {r["speakerLabel"] for r in found}
    assert speakers == {"Foreign ministry of China", "a spokesman for China's foreign ministry", "Borrell",
                        "the United Kingdom foreign secretary"}
    assert len(found) == 4
    praise = rows(dataset, "statements", stance="praise")
    assert [(r["speakerLabel"], r["onBehalfOfLabel"], r["aboutLabel"]) for r in praise] == [
        ("Blinken", "United States", "European Union sanctions on China (March 2021), reportedly its first since 1989")
    ]


def test_one_speaker_speaks_for_one_side(dataset):
    """Mao Ning's statements were on behalf of China in some places and of the foreign ministry in others."""
    found = [r for r in rows(dataset, "statements") if r["speakerLabel"] == "Mao Ning"]
    # the accusation, "a thief crying 'stop thief'", the call to stop interfering, the threat
    assert len(found) == 4
    assert {r["onBehalfOfLabel"] for r in found} == {"China"}


def test_vague_mentions_are_listed_with_the_act_they_cover(dataset):
    found = {r["actorLabel"]: r for r in rows(dataset, "mentions")}
    assert set(found) == {"United States", "United Kingdom", "European Union"}
    assert found["United States"]["refersTo"] == ID + "act/us-2021-03-treasury-sanction"
    assert found["European Union"]["refersTo"] == ID + "act/eu-2021-03-sanction"
    assert found["United Kingdom"]["refersTo"] is None  # the graph holds no UK sanction
    assert all(r["reason"] for r in found.values() if r["refersTo"])


def test_posts_of_a_person(dataset):
    (row,) = rows(dataset, "posts", person="Wu Yingjie")
    assert row["title"] == "Communist Party head in Tibet"
    assert (row["from"], row["until"]) == ("2016", "2021")


def test_timeline_in_date_order(dataset):
    found = rows(dataset, "timeline")
    dated = [r["when"] for r in found if r["when"]]
    assert dated == sorted(dated)
    assert found[0]["when"].startswith("1989")
    # Every act of both articles is dated or bounded by the text (or by the article's date, as curation).
    assert [r["label"] for r in found if r["precision"] == "unknown"] == []
    release = next(r for r in found if r["event"].endswith("release-of-three-detainees"))
    assert release["dates"] == "2018-01-01 to 2024-12-11"  # "later released", after the arrests of 2018
    visit = next(r for r in found if r["event"].endswith("joly-beijing-visit-2024"))
    assert visit["dates"] == "by 2024-10-10"  # "months" (two at least) before 10 December 2024


def test_evidence_for_a_fact(dataset):
    found = rows(dataset, "evidence", fact=ID + "act/cn-2021-03-counter-sanction")
    quotes = [r["quote"] for r in found if r["source"] == "article"]
    assert len(quotes) == 4
    assert any("10 people and four entities" in q for q in quotes)
    notes = [r for r in found if r["source"] == "curation"]
    assert notes and all(r["reason"] for r in notes)


def test_curation_lists_every_note(dataset):
    found = rows(dataset, "curation")
    text = (ROOT / "data" / "curation.ttl").read_text()
    assert len({r["note"] for r in found}) == text.count("a kg:CuratedStatement") + text.count("a kg:Interpretation")


def test_parameter_is_bound_not_pasted(dataset):
    """A value full of SPARQL syntax is a literal that matches nothing; it cannot widen the query."""
    hostile = 'condemnation" || true || "'
    assert rows(dataset, "statements", stance=hostile) == []
    assert len(rows(dataset, "statements")) > 20  # the empty default lists all, so the filter is live


def test_unknown_actor_lists_close_matches(dataset):
    with pytest.raises(ParamError, match="Close matches: .*zhu hailun"):
        rows(dataset, "sanctions-against", target="Zhu Hailan")


def test_unknown_and_missing_parameters(dataset, tmp_path):
    with pytest.raises(ParamError, match="no parameter colour"):
        rows(dataset, "sanctions", colour="red")
    q = tmp_path / "needs.rq"
    q.write_text("#+ summary: t\n#+ params: {who: actor}\nSELECT ?x WHERE { ?x ?p ?who }\n")
    with pytest.raises(ParamError, match="missing parameter who"):
        run_query(dataset, parse_query_file(q))


def test_syntax_error_names_file_line_column(tmp_path):
    q = tmp_path / "broken.rq"
    q.write_text("#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?p \n}\n")
    with pytest.raises(QueryError, match=r"broken.rq:3:3: SPARQL syntax error"):
        prepare(parse_query_file(q))


def test_syntax_error_on_oxigraph_names_file_line_column(tmp_path):
    """On Oxigraph the text goes to Oxigraph's own parser; an error is still located in the file."""
    import pyoxigraph
    from rdflib import Dataset
    from oxrdflib import OxigraphStore

    store = Dataset(store=OxigraphStore(store=pyoxigraph.Store()), default_union=True)
    q = tmp_path / "broken.rq"
    q.write_text("#+ summary: broken\nSELECT ?x WHERE {\n  ?x ?p \n}\n")
    with pytest.raises(QueryError, match=r"broken.rq:3:3: SPARQL syntax error"):
        run_query(store, parse_query_file(q))
    with pytest.raises(QueryError, match=r"SPARQL syntax error"):  # an update is not a query
        run_query(store, "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert len(store) == 0


def test_raw_text_query(dataset):
    result = run_query(dataset, "ASK { ?s ?p ?o }")
    assert result.askAnswer is True
    assert isinstance(CATALOGUE["sanctions"], CatalogueQuery)
