"""kg add: a threat answers the acts against its speaker's side reported before it (kg:respondsTo, as the curated
2024 seed links Mao Ning's 'necessary measures' to Canada's sanctions); a statement does not respond."""

from __future__ import annotations

from kg.ingest import draft_article

TEXT = ("WASHINGTON, April 15, 2021 — The United States on Thursday imposed sanctions on 32 individuals and entities "
        "and expelled 10 Russian diplomats.\n\n"
        "Russian foreign ministry spokeswoman Maria Zakharova said Moscow would respond soon.\n\n"
        "Russian foreign ministry spokeswoman Maria Zakharova condemned the decision.\n")


def test_threat_answers_the_acts_against_its_side_and_a_statement_does_not():
    draft = draft_article(TEXT, "t")
    (threat,) = [a for a in draft.acts if a.kind == "threat"]
    # both acts of the US sentence are against Russia's side (the expulsion names Russian diplomats)
    assert sorted(a.kind for a in threat.responds) == ["expulsion", "sanction"]
    assert "kg:respondsTo" in next(b for b in draft.facts.split("\n\n") if "a kg:Threat" in b)
    statements = [a for a in draft.acts if a.kind == "statement"]
    assert statements and all(not a.responds for a in statements)


def test_threat_with_no_act_against_its_side_answers_nothing():
    draft = draft_article("MOSCOW, April 15, 2021 — Russian foreign ministry spokeswoman Maria Zakharova said Moscow "
                          "would respond soon.\n", "t")
    (threat,) = [a for a in draft.acts if a.kind == "threat"]
    assert threat.responds == []
