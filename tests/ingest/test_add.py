"""kg add and kg review end to end on a copy of data/: draft, refuse bad input, confirm, build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (
    "BEIJING, Aug 10, 2020 — China on Monday imposed sanctions on 11 U.S. citizens, including Senator Marco Rubio "
    "and Senator Ted Cruz, in retaliation for Washington's sanctions on Hong Kong officials.\n"
)


@pytest.fixture
def home(tmp_path, monkeypatch):
    for name in ("data", "ontology", "queries", "rules"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_add_drafts_reuses_actors_and_links_the_response(home, capsys):
    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "cn-2020"]) == 0
    facts = (home / "data/facts/cn-2020.ttl").read_text(encoding="utf-8")
    # China and the United States are in the seed graph: reused, never drafted anew
    assert "actor:china a kg:State" in facts and "actor:united-states a kg:State" in facts
    assert "actor:china-2" not in facts and "actor:united-states-2" not in facts
    # 11 named in the text; two named senators; "in retaliation for Washington's sanctions" names the answered act
    assert "kg:personTargetCount 11" in facts
    assert "kg:target actor:marco-rubio, actor:ted-cruz" in facts
    assert "a kg:CounterSanction" in facts and "kg:respondsTo" in facts
    # "on Monday" in an article of Monday 10 August 2020 is curation, not a stated date
    assert "2020-08-10" in (home / "data/curation.ttl").read_text(encoding="utf-8")
    assert (home / "data/articles/cn-2020.txt").read_bytes() == ARTICLE.encode("utf-8")


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"\x00\x01binary\x00", "binary"),
    ("Die Europäische Union hat am Montag Sanktionen gegen vier chinesische Beamte verhängt, "
     "wegen der Menschenrechtsverletzungen in der Region.".encode("utf-8"), "English"),
])
def test_add_refuses_bad_input_and_writes_nothing(home, capsys, content, message):
    (home / "bad.txt").write_bytes(content)
    before = sorted(p.name for p in (home / "data").rglob("*"))
    assert main(["-q", "add", "bad.txt"]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in (home / "data").rglob("*")) == before


def test_add_refuses_an_existing_slug_unless_replace(home, capsys):
    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "xinjiang-round-2021"]) == 2
    assert "exists already" in capsys.readouterr().err


def test_review_confirm_then_build_and_drafts_are_left_out_until_then(home, capsys):
    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "cn-2020"]) == 0
    assert main(["-q", "build", "--out", "out"]) == 0  # drafts validate like everything else
    capsys.readouterr()
    # excluded by default: the drafted actor is not in the graph the query reads
    assert main(["-q", "query", "sanctions-against", "--param", "target=Marco Rubio", "--dataset", "out/kg.trig"]) == 2
    assert "no actor is called 'Marco Rubio'" in capsys.readouterr().err
    assert main(["-q", "query", "sanctions-against", "--param", "target=Marco Rubio", "--dataset", "out/kg.trig",
                 "--drafts", "include"]) == 0
    assert "(1 rows)" in capsys.readouterr().out
    assert main(["-q", "query", "sanctions", "--dataset", "out/kg.trig", "--drafts", "mark"]) == 0
    assert "[draft] China counter-sanctions Marco Rubio" in capsys.readouterr().out
    assert main(["-q", "review", "cn-2020"]) == 0
    listing = capsys.readouterr().out
    assert "act:cn-2020-china-counter-sanction" in listing and "quote:" in listing
    assert main(["-q", "review", "cn-2020", "--confirm", "act:no-such-act"]) == 2
    assert main(["-q", "review", "cn-2020", "--all"]) == 0
    assert "kg:unconfirmed true" not in (home / "data/facts/cn-2020.ttl").read_text(encoding="utf-8")
    assert main(["-q", "build", "--out", "out"]) == 0
    capsys.readouterr()
    assert main(["-q", "query", "sanctions-against", "--param", "target=Marco Rubio", "--dataset", "out/kg.trig"]) == 0
    assert "(1 rows)" in capsys.readouterr().out


def test_review_refuses_a_flag_it_cannot_remove_cleanly(home, capsys):
    facts = home / "data/facts/hand.ttl"
    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "hand"]) == 0
    text = facts.read_text(encoding="utf-8")
    # a hand edit puts the flag on the type line: removing a line would change more than the flag
    edited = text.replace("act:hand-china-counter-sanction a kg:CounterSanction ;\n    kg:unconfirmed true ;",
                          "act:hand-china-counter-sanction a kg:CounterSanction ; kg:unconfirmed true ;")
    assert edited != text
    facts.write_text(edited, encoding="utf-8")
    assert main(["-q", "review", "hand", "--confirm", "act:hand-china-counter-sanction"]) == 2
    assert "cleanly" in capsys.readouterr().err
    assert facts.read_text(encoding="utf-8") == edited


def test_add_writes_its_files_with_the_umask_mode(home):
    """kg add wrote the article, facts and curation 0600 (mkstemp's mode), whatever the umask."""
    import os
    import stat

    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert main(["-q", "add", "a.txt", "--slug", "cn-2020"]) == 0
    finally:
        os.umask(old)
    for name in ("data/articles/cn-2020.txt", "data/facts/cn-2020.ttl", "data/curation.ttl"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o644, name


def test_a_drafted_answer_is_never_an_act_dated_after_the_article(home, capsys):
    """kg add linked a 2020 counter-sanction to the first US sanction in the graph, the Treasury's of 22 March 2021."""
    from kg.build import build
    from kg.namespace import ACT, KG

    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "cn-2020"]) == 0
    ds = build(home / "data")
    (answered,) = set(ds.objects(ACT["cn-2020-china-counter-sanction"], KG.respondsTo))
    first = [str(d) for p in (KG.date, KG.earliestDate) for d in ds.objects(answered, p)]
    assert all(day <= "2020-08-10" for day in first), (answered, first)  # the article is of 10 August 2020


def test_add_with_a_rules_folder_that_extends_the_shipped_verbs(home, capsys):
    # a curator's folder holding only acts.yaml, with one more sanction verb ("ostracised"); the
    # other rules files are the shipped ones
    acts = (ROOT / "rules" / "acts.yaml").read_text(encoding="utf-8")
    acts = acts.replace("  blacklist: [blacklist,", "  blacklist: [ostracise, ostracised, blacklist,")
    (home / "mine").mkdir()
    (home / "mine" / "acts.yaml").write_text(acts, encoding="utf-8")
    article = "MOSCOW, May 5, 2022 — Russia ostracised Senator Jane Doe on Thursday.\n"
    (home / "a.txt").write_text(article, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "shipped"]) == 0
    assert "kg:imposedBy" not in (home / "data/facts/shipped.ttl").read_text(encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "mine", "--rules", "mine"]) == 0
    facts = (home / "data/facts/mine.ttl").read_text(encoding="utf-8")
    assert "kg:target actor:jane-doe" in facts and "acts.yaml#sanction.verb" in facts


def test_add_refuses_a_rules_folder_that_does_not_exist_or_does_not_parse(home, capsys):
    (home / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--rules", "nowhere"]) == 2
    assert "nowhere: no such rules folder" in capsys.readouterr().err
    (home / "bad").mkdir()
    (home / "bad" / "titles.yaml").write_text("titles: [unclosed\n", encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--rules", "bad"]) == 2
    err = capsys.readouterr().err
    assert "titles.yaml:" in err and "not valid YAML" in err


def test_a_sanction_with_neither_date_nor_target_is_drafted_as_a_mention(home, capsys):
    """kg add drafted "have also imposed sanctions" as sanctions dated by the article: acts counted twice."""
    from rdflib import RDF

    from kg.build import build
    from kg.namespace import KG

    article = ("OTTAWA, Dec 11, 2024 — Canada imposed sanctions on eight Chinese officials on Tuesday. "
               "The United States and the European Union have also imposed sanctions over Xinjiang.\n")
    (home / "a.txt").write_text(article, encoding="utf-8")
    assert main(["-q", "add", "a.txt", "--slug", "also"]) == 0
    ds = build(home / "data")
    drafted = {m for m in ds.subjects(KG.mentionedActor, None) if "/act/also-" in str(m)}
    actors = {str(a).rsplit("/", 1)[1] for m in drafted for a in ds.objects(m, KG.mentionedActor)}
    assert actors == {"united-states", "european-union"}
    for m in drafted:  # a mention: not a sanction, and never dated by the article
        assert set(ds.objects(m, RDF.type)) == {KG.SanctionMention}
        assert next(ds.objects(m, KG.latestDate), None) is None
    # Canada's "eight Chinese officials" is counted: a sanction, as before
    assert any("/act/also-" in str(s) for s in ds.subjects(KG.imposedBy, None))
    assert main(["-q", "build", "--out", "out"]) == 0
