"""The query catalogue answers the analyst's questions, as the articles tell them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.query import ParamError, QueryError, load_catalogue, parse_query_file, prepare, run_query

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue(ROOT / "queries")
ID = "https://w3id.org/sanctions-kg/id/"


def rows(dataset, name, **params):
    result = run_query(dataset, CATALOGUE[name], **params)
    names = [str(v) for v in result.vars]
    return [{k: (None if v is None else str(v)) for k, v in zip(names, r)} for r in result]


def examples(query) -> dict[str, str]:
    """Every parameter of a query at its header's example."""
    return {name: p.example for name, p in query.params.items()}


def required_examples(query) -> dict[str, str]:
    return {name: p.example for name, p in query.params.items() if p.required}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_query_has_header_and_prefixes_and_runs(name, dataset):
    query = CATALOGUE[name]
    assert query.summary, f"{name}.rq has no '#+ summary:'"
    assert "PREFIX kg:" in query.text or "kg:" not in query.text
    result = run_query(dataset, query, **required_examples(query))
    if query.is_violation_check:
        assert list(result) == [], f"quality check {name} found problems"


@pytest.mark.parametrize("name", sorted(n for n, q in CATALOGUE.items() if q.params))
def test_every_parameter_says_whether_required_and_gives_an_example_that_answers(name, dataset):
    query = CATALOGUE[name]
    header = query.text.split("#+ params:")[1]
    for param in query.params.values():
        line = next(l for l in header.splitlines() if l.lstrip("#+ ").startswith(param.name + ":"))
        assert "required:" in line, f"{name}.rq: say whether {param.name} is required"
        assert param.example, f"{name}.rq: {param.name} has no example"
        assert param.description, f"{name}.rq: {param.name} has no description"
    assert rows(dataset, name, **examples(query)), f"{name} answers nothing for its examples"


@pytest.mark.parametrize("name", sorted(n for n, q in CATALOGUE.items() if q.params))
def test_parameters_are_projected(name):
    # Oxigraph binds only projected variables, and a remote server's trailing VALUES joins on them
    projected = {str(v) for v in prepare(CATALOGUE[name]).algebra["PV"]}
    assert set(CATALOGUE[name].params) <= projected


@pytest.fixture(scope="module")
def synthetic():
    """A synthetic graph with many imposers, rounds, counter-sanctions and statements (kg synth),
    in an in-memory Oxigraph store: the engine of large graphs, where a parameter is substituted."""
    import pyoxigraph
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    from kg.io import trig_bytes
    from kg.synth import synthesize

    store = pyoxigraph.Store()
    store.bulk_load(trig_bytes(synthesize(20_000, seed=11)), format=pyoxigraph.RdfFormat.TRIG)
    return Dataset(store=OxigraphStore(store=store), default_union=True)


OPTIONAL = sorted(n for n, q in CATALOGUE.items() if any(not p.required for p in q.params.values()))


@pytest.mark.parametrize("graph", ["seed", "synthetic"])
@pytest.mark.parametrize("name", OPTIONAL)
def test_an_optional_parameter_narrows_the_answer_for_all_to_its_rows(name, graph, dataset, synthetic):
    """Bound, an optional parameter gives exactly the rows of the unbound answer with that value.

    What guards the rule that a parameter is bound in a triple pattern: bound only in an
    OPTIONAL, it would keep rows of other values; only in a FILTER, a remote server (trailing
    VALUES) would return every row. On the seed graph in rdflib (which pre-binds) and on a
    synthetic graph, with many values of each parameter, in Oxigraph (which substitutes).
    """
    from kg.names import short

    data = dataset if graph == "seed" else synthetic
    query = CATALOGUE[name]
    base = required_examples(query)
    everything = rows(data, name, **base)
    for pname, param in query.params.items():
        if param.required:
            continue
        values = sorted({r[pname] for r in everything})
        assert values, f"{name}: no row to take a value of {pname} from"
        if graph == "synthetic":
            assert len(values) > 1, f"{name}: every row has the same {pname}"
        for value in values[:3]:
            narrowed = rows(data, name, **base, **{pname: short(URIRef(value))})
            assert sorted(map(repr, narrowed)) == sorted(repr(r) for r in everything if r[pname] == value)


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


def test_meps_among_targets_by_initials(dataset):
    # "Others targeted for sanctions include five members of the European Parliament: Reinhard
    # Butikofer, Michael Gahler, Raphael Glucksmann, Ilhan Kyuchyuk and Miriam Lexmann."
    meps = {"Reinhard Butikofer", "Michael Gahler", "Raphael Glucksmann", "Ilhan Kyuchyuk", "Miriam Lexmann"}
    for name in ("MEP", "European Parliament", "actor:european-parliament"):
        found = rows(dataset, "targets-in", organisation=name)
        assert {r["targetLabel"] for r in found} == meps
        assert all(r["sanctionedBy"] == "China" for r in found)


def test_targets_by_kind_lists_every_named_target(dataset):
    # every kg:target of a sanction; the MEPs' posts are shown
    found = {r["targetLabel"]: r for r in rows(dataset, "targets-by-kind")}
    assert "member of the European Parliament (European Parliament)" in found["Michael Gahler"]["posts"]
    assert found["Mercator Institute for China Studies"]["kind"] == "think tank"


def test_grounds_regions_groups(dataset):
    found = {(r["facet"], r["conceptLabel"]): int(r["acts"]) for r in rows(dataset, "grounds")}
    assert found[("region", "Hong Kong")] == 1
    assert found[("group", "Falun Gong followers")] == 1
    assert found[("ground", "lies and disinformation")] == 1  # China's stated ground


def test_statements_by_stance(dataset):
    found = rows(dataset, "statements", stance="condemnation")
    # China's foreign ministry on Canada's move (2024), and through "a spokesman" (unnamed: the ministry
    # speaks) on the EU's move; Borrell, and the UK foreign secretary at the Human Rights Council (2021).
    speakers = {r["speakerLabel"] for r in found}
    assert speakers == {"Foreign ministry of China", "Borrell", "the United Kingdom foreign secretary"}
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


def test_parameter_is_bound_not_pasted(dataset, tmp_path):
    """A value full of SPARQL syntax is a literal that matches nothing; it cannot widen the query."""
    q = tmp_path / "titled.rq"
    q.write_text(
        "#+ summary: t\n#+ params: {title: {type: string, required: true, example: x, description: d}}\n"
        "PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>\n"
        "SELECT ?title ?x WHERE { ?x kg:postTitle ?title }\n"
    )
    query = parse_query_file(q)
    assert [str(r.x) for r in run_query(dataset, query, title="ambassador to Beijing")] == [
        ID + "post/canada-ambassador-to-beijing"
    ]
    hostile = 'ambassador to Beijing" } UNION { ?x ?p ?title } #'
    assert list(run_query(dataset, query, title=hostile)) == []
    # a name is resolved to a node before the query runs: a hostile name is refused, never run
    with pytest.raises(ParamError, match="no actor is called"):
        rows(dataset, "sanctions-against", target='China" } UNION { ?s ?p ?o } #')


def test_unknown_actor_lists_close_matches(dataset):
    with pytest.raises(ParamError, match=r"did you mean actor:zhu-hailun \(Zhu Hailun\)"):
        rows(dataset, "sanctions-against", target="Zhu Hai")


def test_a_typo_in_an_actor_name_is_taken_and_said(dataset, caplog):
    # "Zhu Hailun, the former deputy head of the 13th People's Congress ... were also listed"
    with caplog.at_level("INFO", logger="kg"):
        found = rows(dataset, "sanctions-against", target="Zhu Hailan")
    assert {r["target"] for r in found} == {ID + "actor/zhu-hailun"}
    assert "target='Zhu Hailan' taken as actor:zhu-hailun (Zhu Hailun; fuzzy match" in caplog.text


def test_unknown_and_missing_parameters(dataset, tmp_path):
    with pytest.raises(ParamError, match="query sanctions takes no parameters"):
        rows(dataset, "sanctions", colour="red")
    with pytest.raises(ParamError, match="has no parameter targt\n  targt: did you mean target"):
        rows(dataset, "sanctions-against", targt="China")
    q = tmp_path / "needs.rq"
    q.write_text("#+ summary: t\n#+ params: {who: {type: actor, example: China}}\nSELECT ?who ?x WHERE { ?x ?p ?who }\n")
    with pytest.raises(ParamError, match=r"query needs needs parameter who \(actor, required\)\n"
                                         r"  give it with --param who=VALUE, e.g. kg query needs --param who=China"):
        run_query(dataset, parse_query_file(q))


def test_required_parameter_not_given_is_an_error_not_the_example(dataset):
    # `kg query posts` used to run with its example, Wu Yingjie, and say nothing
    with pytest.raises(ParamError, match="query posts needs parameter person (?s:.)*e.g. kg query posts "
                                         '--param person="Wu Yingjie"'):
        rows(dataset, "posts")


@pytest.mark.parametrize("ptype,value,message", [
    ("date", "2021-13-01", "expected a date as YYYY-MM-DD"),
    ("date", "22 March 2021", "expected a date as YYYY-MM-DD"),
    ("integer", "seven", "expected a whole number"),
    ("integer", "7.5", "expected a whole number"),
    ("boolean", "yes please", "expected true or false"),
    ("iri", "acts:ca-2021-03-sanction", "unknown prefix 'acts'"),
    ("iri", "<https://example.org/a b>", "is not a valid IRI"),
])
def test_a_value_of_the_wrong_type_is_named(dataset, tmp_path, ptype, value, message):
    q = tmp_path / "typed.rq"
    q.write_text(f"#+ summary: t\n#+ params: {{v: {{type: {ptype}, required: true}}}}\nSELECT ?v WHERE {{ }}\n")
    with pytest.raises(ParamError, match=f"parameter v: .*{re.escape(message)}"):
        run_query(dataset, parse_query_file(q), v=value)


@pytest.mark.parametrize("ptype,value,expected", [
    ("date", "2021-03-22", "2021-03-22"),
    ("integer", "+14", "14"),
    ("boolean", "1", "true"),
    ("boolean", "FALSE", "false"),
])
def test_a_value_of_the_right_type_is_bound_typed(dataset, tmp_path, ptype, value, expected):
    q = tmp_path / "typed.rq"
    q.write_text(f"#+ summary: t\n#+ params: {{v: {{type: {ptype}, required: true}}}}\nSELECT ?v WHERE {{ }}\n")
    (row,) = run_query(dataset, parse_query_file(q), v=value)
    assert str(row.v) == expected


def test_a_header_default_is_refused_with_what_to_write(tmp_path):
    q = tmp_path / "old.rq"
    q.write_text("#+ summary: t\n#+ params: {who: {type: actor, default: China}}\nSELECT ?who WHERE { }\n")
    with pytest.raises(QueryError, match="'default', which kg does not read.*'example:'.*'required: false'"):
        parse_query_file(q)


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


def test_round_acts_of_22_march_2021(dataset):
    # The 2021 article reports three listings of its Monday side by side - "Canada sanctions four
    # Chinese officials", "the E.U's decision to impose sanctions", "the Treasury Department
    # announced on Monday" - with the joint call "We are united in calling for China..."; the
    # curation puts them in one coordinated round. The US Hong Kong listing came "shortly before
    # the Alaska meeting", not that day, and is not in the round.
    expected = {
        ID + "act/ca-2021-03-sanction": "Canada",
        ID + "act/eu-2021-03-sanction": "European Union",
        ID + "act/us-2021-03-treasury-sanction": "United States",
    }
    everything = rows(dataset, "round-acts")
    assert {r["act"]: r["imposerLabel"] for r in everything} == expected
    assert {r["round"] for r in everything} == {ID + "round/xinjiang-2021-03-22"}
    for name in ("round:xinjiang-2021-03-22", ID + "round/xinjiang-2021-03-22",
                 "Coordinated Xinjiang sanctions of 22 March 2021", "xinjiang sanctions"):
        assert {r["act"] for r in rows(dataset, "round-acts", round=name)} == set(expected), name
    treasury = next(r for r in everything if r["act"].endswith("us-2021-03-treasury-sanction"))
    # "The officials, Wang Junzheng, ... and Chen Mingguo, ... were sanctioned"
    assert set(treasury["targets"].split("; ")) == {"Wang Junzheng", "Chen Mingguo"}


def test_round_parameter_names_a_round_not_any_node(dataset):
    with pytest.raises(ParamError, match="act:ca-2021-03-sanction is not a kg:SanctionRound"):
        rows(dataset, "round-acts", round="act:ca-2021-03-sanction")


def test_unnamed_remainder_of_each_act(dataset):
    found = {r["act"].rsplit("/", 1)[1]: r for r in rows(dataset, "unnamed-targets")}

    def counts(act):
        r = found[act]
        return tuple(r[k] for k in ("targetCount", "named", "unnamed", "unnamedPeople", "unnamedOrganisations"))

    # "Canada imposed sanctions on eight former and current senior Chinese officials";
    # "Canada's targets include Chen Quanguo ... and Wu Yingjie": 8 targets, 2 named, 6 unnamed
    assert counts("ca-2024-12-sanction") == ("8", "2", "6", "6", None)
    assert found["ca-2024-12-sanction"]["unnamedFrom"] == "China"
    # "sanction 10 people and four entities in Europe": named people Zenz, Jerden and the five MEPs
    # (7 of 10), named entities the Mercator Institute and the Danish organisation (2 of 4)
    assert counts("cn-2021-03-counter-sanction") == ("14", "9", "5", "3", "2")
    # "China subsequently arrested two Canadians in China": none named
    assert counts("china-arrests-two-canadians-2018") == ("2", "0", "2", "2", None)
    assert found["china-arrests-two-canadians-2018"]["unnamedFrom"] == "Canada"
    # "a series of sanctions on 24 officials": none named
    assert counts("us-2021-03-hong-kong-sanction") == ("24", "0", "24", "24", None)
    # the EU's sanctions on China count no targets: no row, rather than a made-up zero
    assert "eu-2021-03-sanction" not in found
    (one,) = rows(dataset, "unnamed-targets", act="act:ca-2024-12-sanction")
    assert one == found["ca-2024-12-sanction"]


def _answers_between(dataset, **sides):
    return {(r["act"].rsplit("/", 1)[1], r["link"], r["stance"], r["answered"].rsplit("/", 1)[1])
            for r in rows(dataset, "answers", **sides)}


def test_what_china_said_and_did_in_answer_to_the_eu(dataset):
    # "It said it would sanction 10 people and four entities in Europe ... in response";
    # "A spokesman for China's foreign ministry said the EU's move was based on 'nothing but lies'"
    assert _answers_between(dataset, side="China", to="EU") == {
        ("cn-2021-03-counter-sanction", "responds to", None, "eu-2021-03-sanction"),
        ("china-condemns-eu-sanctions-2021-03", "reacts to", "condemnation", "eu-2021-03-sanction"),
    }
    # "'... these measures are regrettable and unacceptable,' Borrell said" (of China's measures)
    assert _answers_between(dataset, side="European Union", to="Beijing") == {
        ("borrell-condemns-counter-sanctions-2021-03", "reacts to", "condemnation", "cn-2021-03-counter-sanction"),
    }


def test_what_china_said_and_did_in_answer_to_canada(dataset):
    # "China's foreign ministry on Wednesday condemned the move"; "the country will take necessary
    # measures to safeguard its sovereignty": both answer the sanctions of Tuesday 10 December 2024
    found = _answers_between(dataset, side="China", to="Canada")
    assert {
        ("china-threat-2024-12", "responds to", "threat", "ca-2024-12-sanction"),
        ("china-condemns-canada-sanctions-2024-12", "reacts to", "condemnation", "ca-2024-12-sanction"),
    } <= found
    assert {answered for *_, answered in found} == {"ca-2024-12-sanction"}
    for r in rows(dataset, "answers", side="China", to="Canada"):
        assert r["when"] == "2024-12-11" and r["answeredWhen"] == "2024-12-10" and r["quote"]


def test_answers_are_across_sides_and_rolled_up_as_the_analyses_roll_up(dataset):
    from kg.analysis.networks import sides

    side_of, _ = sides(dataset)
    actor_of = {r["act"]: r["actor"] for r in rows(dataset, "acts")}
    everything = rows(dataset, "answers")
    assert everything
    for r in everything:
        assert r["side"] != r["to"]  # Trudeau on Canada's own sanctions is no answer to another
        assert r["side"] == side_of[actor_of[r["act"]]], r["act"]
        assert r["to"] == side_of[actor_of[r["answered"]]], r["answered"]
    # "Mr. Blinken ... also praised the E.U's decision": support, told apart by its stance
    assert ("blinken-praises-eu-sanctions-2021-03", "reacts to", "praise", "eu-2021-03-sanction") in \
        _answers_between(dataset, side="United States")


def test_a_side_parameter_takes_a_state_or_bloc_only(dataset):
    with pytest.raises(ParamError, match="'Mao Ning' is actor:mao-ning, Mao Ning, which is not a kg:State or kg:Bloc"):
        rows(dataset, "answers", side="Mao Ning")


COLUMN_QUERIES = sorted(n for n, q in CATALOGUE.items() if any(p.column for p in q.params.values()))


def test_some_query_declares_a_column_parameter():
    assert "answers" in COLUMN_QUERIES  # else the next test would check nothing


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", COLUMN_QUERIES)
def test_a_column_parameter_keeps_exactly_the_rows_of_the_whole_answer_that_hold_its_value(name, engine, dataset):
    # What `column: true` claims, and what `kg serve` relies on when it cuts the answer for one value
    # from the whole listing: the bound query's rows are the whole answer's rows with that value in the
    # column of the same name, no more, no fewer, for every value the column takes and for all of the
    # query's column parameters at once.
    from collections import Counter

    graph = dataset
    if engine == "oxigraph":
        import pyoxigraph
        from oxrdflib import OxigraphStore
        from rdflib import Dataset

        graph = Dataset(store=OxigraphStore(store=pyoxigraph.Store()), default_union=True)
        graph.addN(dataset.quads((None, None, None, None)))
    query = CATALOGUE[name]
    columns = [p.name for p in query.params.values() if p.column]
    assert columns and not any(query.params[c].required for c in columns)
    whole = rows(graph, name)
    assert whole and all(c in whole[0] for c in columns), f"{name} does not project {columns}"
    combos = {tuple(r[c] for c in columns) for r in whole}
    checked = 0
    for combo in sorted(combos):
        for chosen in [dict(zip(columns, combo))] + [{c: v} for c, v in zip(columns, combo)]:
            if any(v is None for v in chosen.values()):
                continue
            bound = rows(graph, name, **chosen)
            kept = [r for r in whole if all(r[c] == v for c, v in chosen.items())]
            assert Counter(map(lambda r: tuple(sorted(r.items(), key=str)), bound)) == \
                Counter(map(lambda r: tuple(sorted(r.items(), key=str)), kept)), (name, chosen)
            checked += 1
    assert checked >= 3
