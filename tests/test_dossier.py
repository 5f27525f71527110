"""kg dossier NAME and the catalogue query `dossier`: everything the graph holds about one actor,
each line with its evidence (quote and article, curated with the reason, or an imported record).

Expected lines are read off the articles (data/articles/*.txt), as the comments say."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
ACT = "https://w3id.org/sanctions-kg/id/act/"
ARTICLE = "https://w3id.org/sanctions-kg/id/article/"
ACTOR = "https://w3id.org/sanctions-kg/id/actor/"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dossier")
    assert main(["-q", "build", "--out", str(out)]) == 0
    return out / "kg.trig"


@pytest.fixture(scope="module")
def wu(dataset):
    from kg.dossier import dossier

    return dossier(dataset, "Wu Yingjie")


@pytest.fixture(scope="module")
def canada(dataset):
    from kg.dossier import dossier

    return dossier(dataset, "Canada")


def _lines(found, section):
    return [line for line in found["lines"] if line["section"] == section]


def test_wu_yingjie_dossier_is_what_the_2024_article_says(wu):
    """canada-eight-officials-2024: "Canada's targets include ... Wu Yingjie, Communist Party head in
    Tibet between 2016 and 2021", among "eight former and current senior Chinese officials". So: one
    sanction against him, by Canada; one post (Communist Party head in Tibet, 2016-2021, of the
    Communist Party); a tie to China; nothing he did or said. The 2021 article does not name him."""
    assert wu["actor"] == ACTOR + "wu-yingjie" and wu["kind"] == "person" and wu["side"] == "China"
    assert {line["section"] for line in wu["lines"]} == {"sanctions against it", "its posts", "ties"}
    (sanction,) = _lines(wu, "sanctions against it")
    assert sanction["fact"] == ACT + "ca-2024-12-sanction"
    assert sanction["role"] == "named target" and sanction["with"] == "Canada"
    assert sanction["when"] == "2024-12-10"  # "on Tuesday (Dec 10)"
    assert sanction["basis"] == "stated" and sanction["source"] == ARTICLE + "canada-eight-officials-2024"
    assert "Wu Yingjie" in sanction["quote"]  # the passage that names him, of the act's several
    (post,) = _lines(wu, "its posts")
    assert post["role"] == "Communist Party head in Tibet" and post["when"] == "2016/2021"
    assert post["with"] == "Communist Party of China" and post["basis"] == "stated"
    (tie,) = _lines(wu, "ties")
    assert (tie["role"], tie["with"]) == ("affiliated with", "China")


def test_the_chains_of_a_dossier_are_kg_chains_own(wu, canada, dataset):
    """Canada's December 2024 sanction drew China's threat and condemnation (the 2024 article): a
    chain that starts with it, under the number kg chains gives it. Canada's part in it: the first act
    (its own), and the two answers addressed to it or about its act."""
    from kg.analysis import chain_analysis

    numbers = {c["first"]: n for n, c in enumerate(chain_analysis(dataset)["chains"], 1)}
    (chain,) = wu["chains"]
    assert chain["first"] == ACT + "ca-2024-12-sanction" and chain["chain"] == numbers[chain["first"]]
    assert [a["act"] for a in chain["its_acts"]] == [ACT + "ca-2024-12-sanction"]
    ours = {c["first"]: c for c in canada["chains"]}
    assert ACT + "ca-2024-12-sanction" in ours
    assert {a["act"] for a in ours[ACT + "ca-2024-12-sanction"]["its_acts"]} >= {
        ACT + "ca-2024-12-sanction", ACT + "china-threat-2024-12", ACT + "china-condemns-canada-sanctions-2024-12"}


def test_canada_dossier_has_every_part_the_articles_give(canada):
    """From the two articles: Canada sanctioned four officials in March 2021 and eight in December 2024;
    Meng Wanzhou "was detained in Canada" (the actor is curation: the passive names none); China
    "arrested two Canadians" (its people, counted, not named); Mao Ning's threat is addressed to it;
    its foreign ministry and Joly speak for it; Mao Ning accuses it; its foreign ministry is part of it."""
    facts = {(line["section"], line["fact"].rsplit("/", 1)[1]) for line in canada["lines"]}
    assert {("sanctions it imposed", "ca-2021-03-sanction"), ("sanctions it imposed", "ca-2024-12-sanction"),
            ("coercive acts by it", "meng-wanzhou-detention-2018"),
            ("coercive acts against it", "china-arrests-two-canadians-2018"),
            ("coercive acts against it", "china-threat-2024-12"),
            ("what it said", "canada-concern-statement-2024-12"), ("what it said", "joly-call-2024-12"),
            ("what was said about or to it", "mao-ning-accuses-canada-2024-12"),
            ("answers, reactions and what followed its acts", "china-condemns-canada-sanctions-2024-12")} <= facts
    arrests = next(line for line in canada["lines"] if line["fact"] == ACT + "china-arrests-two-canadians-2018")
    assert arrests["role"] == "its people, counted, not named" and arrests["with"] == "China"
    assert ("ties", "canada-foreign-ministry") in facts


def test_a_curated_line_says_so_with_the_reason(canada):
    """Meng Wanzhou "was detained in Canada": that Canada is the detaining actor is curation."""
    meng = next(line for line in canada["lines"] if line["fact"] == ACT + "meng-wanzhou-detention-2018")
    assert meng["basis"] == "curated" and meng["reason"].strip()
    assert "was detained in Canada" in meng["quote"]


def test_every_stated_line_quotes_its_article_verbatim(canada, wu, article_texts):
    for found in (canada, wu):
        assert found["lines"]
        for line in found["lines"]:
            assert line["basis"] in ("stated", "curated"), line  # no imported records in the seed data
            assert line["quote"] and line["source"].startswith(ARTICLE), line
            assert line["quote"] in article_texts[line["source"][len(ARTICLE):]], line
            assert bool(line["reason"]) == (line["basis"] == "curated"), line


def test_kg_dossier_and_the_catalogue_query_give_the_same_lines(built, capsys):
    assert main(["-q", "dossier", "Canada", "--dataset", str(built), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert main(["-q", "query", "dossier", "--param", "actor=Canada", "--dataset", str(built), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    key = ("section", "role", "fact", "when", "basis", "quote", "source")

    def others(text):  # GROUP_CONCAT's order is the engine's
        return tuple(sorted(text.split("; ")))

    assert sorted((*(r[k] for k in key), others(r["with"])) for r in rows) == sorted(
        (*(str(l[k]) for k in key), others(l["with"])) for l in found["lines"])
    assert {r["actor"] for r in rows} == {ACTOR + "canada"}


@pytest.mark.parametrize("name", ["wu yingjie", "WU YINGJIE", "Wú Yìngjié", "actor:wu-yingjie", "Wu Yingjei"])
def test_names_match_forgivingly(built, name, capsys):
    assert main(["-q", "dossier", name, "--dataset", str(built), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["actor"] == ACTOR + "wu-yingjie"


def test_a_name_that_fits_several_actors_lists_them(built, capsys):
    """Two Chens are named: Chen Quanguo (2024) and Chen Mingguo (2021)."""
    assert main(["-q", "dossier", "Chen", "--dataset", str(built)]) == 2
    err = capsys.readouterr().err
    assert "actor:chen-quanguo" in err and "actor:chen-mingguo" in err and "kg dossier actor:" in err


def test_an_unknown_name_is_exit_2(built, capsys):
    assert main(["-q", "dossier", "Nobody At All", "--dataset", str(built)]) == 2
    assert "no actor is called 'Nobody At All'" in capsys.readouterr().err


def test_text_names_each_line_basis_and_fits_the_terminal(built, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["-q", "dossier", "Canada", "--dataset", str(built)]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "curated: " in text and "Chain " in text and "article:canada-eight-officials-2024" in text
    assert "None" not in text


def test_a_linked_record_is_the_same_actor_in_its_dossier(tmp_path):
    """The FtM sample lists Wu Yingjie on Canada's SEMA list (record ca-sema-wu-yingjie, confirmed link):
    his dossier shows that designation beside the article's, marked as from a record, with its dataset."""
    from kg.build import build
    from kg.dossier import dossier
    from kg.ftm.importer import import_ftm

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("imports", "links", "__pycache__"))
    import_ftm(ROOT / "tests" / "fixtures" / "ftm" / "opensanctions-sample.ftm.json", "sample", data_dir=data)
    found = dossier(build(data), "Wu Yingjie")
    assert found["actor"] == ACTOR + "wu-yingjie"
    against = _lines(found, "sanctions against it")
    record = [line for line in against if line["basis"] == "record"]
    assert len(record) == 1 and record[0]["when"] == "2024-12-10"  # startDate 2024-12-10 in the fixture
    assert record[0]["source"].endswith("/ca_dfatd_sema_sanctions")
    assert any(line["fact"] == ACT + "ca-2024-12-sanction" and line["basis"] == "stated" for line in against)


def test_every_actor_reads_the_same_bound_or_not_and_on_either_engine(dataset):
    """The report reads every dossier in one unbound run, kg dossier one actor bound: a FILTER on ?actor
    inside a group (out of scope there, SPARQL being bottom-up) once emptied the unbound run's 'with' and
    ties. And the query answers alike in rdflib (a remote store's path) and Oxigraph."""
    from kg.analysis import networks
    from kg.dossier import dossier_lines

    nets = networks.read(dataset)
    unbound = dossier_lines(dataset)
    bound = dossier_lines(dataset, sorted(nets.labels))
    assert {a: unbound.get(a, []) for a in bound} == bound
    assert sum(map(len, bound.values())) > len(bound)  # lines for most actors, not a vacuous equality
    for actor in (ACTOR + "canada", ACTOR + "adrian-zenz"):
        rows = list(networks._rows(networks._Source(dataset), "dossier", {"actor": actor}))  # rdflib itself
        assert sorted((r["fact"], r["role"], "; ".join(sorted((r["with"] or "").split("; "))), r["quote"]) for r in rows) == sorted(
            (l["fact"], l["role"], l["with"], l["quote"]) for l in bound[actor])
