"""One way to break each named rule of the shapes, on one node of a real or synthetic graph.

``BREAKERS`` maps a rule (the local name of the shape that reports it) to a
pair of SPARQL texts: a query whose ``?node`` are the nodes the rule can be
broken on (without breaking another rule), and an update that breaks it on
one ``?node``, bound by the engine. The node is the focus node the rule must
then report. ``kg synth --violations K`` and the tests use them, so every
rule is exercised on graphs where other nodes still satisfy it.
"""

from __future__ import annotations

import random

from rdflib import Dataset, URIRef

__all__ = ["BREAKERS", "break_rule", "candidates", "inject"]

PREFIXES = """PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _delete(pattern: str, where: str = "") -> str:
    """An update removing ``pattern`` (about ?node) from whichever graph holds it."""
    return f"DELETE {{ GRAPH ?g {{ {pattern} }} }} WHERE {{ {where} GRAPH ?g {{ {pattern} }} }}"


def _insert(triples: str, where: str = "") -> str:
    """An update adding ``triples`` to a graph that describes ?node."""
    return (f"INSERT {{ GRAPH ?g {{ {triples} }} }} WHERE {{ {{ SELECT ?node (MIN(?h) AS ?g) WHERE "
            f"{{ GRAPH ?h {{ ?node a ?type }} }} GROUP BY ?node }} {where} }}")


def _replace(old: str, new: str, where: str = "") -> str:
    return f"DELETE {{ GRAPH ?g {{ {old} }} }} INSERT {{ GRAPH ?g {{ {new} }} }} WHERE {{ GRAPH ?g {{ {old} }} {where} }}"


def _a(cls: str) -> str:
    return f"?node a/rdfs:subClassOf* {cls} ."


_UNCOUNTED = ("FILTER NOT EXISTS { ?node kg:targetCount|kg:personTargetCount|kg:organisationTargetCount [] } "
              "FILTER NOT EXISTS { ?node kg:targetsUnspecified true }")
_UNDATED_BOUNDS = "FILTER NOT EXISTS { ?node kg:earliestDate|kg:latestDate [] }"

#: rule -> (candidates: WHERE clause binding ?node, update breaking the rule on ?node)
BREAKERS: dict[str, tuple[str, str]] = {
    "Actor_label": (_a("kg:Actor") + " ?node rdfs:label [] .", _delete("?node rdfs:label ?x")),
    "Event_date": (_a("kg:Event") + " ?node kg:date [] .", _replace("?node kg:date ?x", "?node kg:date ?s",
                                                                   "BIND (STR(?x) AS ?s)")),
    "Event_earliestDate": (_a("kg:Event") + " ?node kg:date ?d . " + _UNDATED_BOUNDS,
                           _insert('?node kg:earliestDate "early 2021"')),
    "Event_latestDate": (_a("kg:Event") + " ?node kg:date ?d . " + _UNDATED_BOUNDS,
                         _insert('?node kg:latestDate "late 2021"')),
    # the issue's case: an undated event whose earliest date is after its latest (one that answers
    # nothing and that nothing answers, so no retaliation's order changes)
    "Event_bounds": (_a("kg:Event") + " ?node kg:date [] . FILTER NOT EXISTS { ?node kg:respondsTo [] } "
                     "FILTER NOT EXISTS { [] kg:respondsTo ?node } " + _UNDATED_BOUNDS,
                     _replace("?node kg:date ?x",
                              '?node kg:earliestDate "2021-06-01"^^xsd:date ; kg:latestDate "2021-03-01"^^xsd:date')),
    "Sanction_imposedBy": (_a("kg:Sanction") + " ?node kg:imposedBy [] .", _delete("?node kg:imposedBy ?x")),
    "Sanction_measure": (_a("kg:Sanction") + " ?node kg:measure [] .", _delete("?node kg:measure ?x")),
    "Sanction_notOwnTarget": (_a("kg:Sanction") + " ?node kg:imposedBy ?i . " + _UNCOUNTED,
                              _insert("?node kg:target ?i", "?node kg:imposedBy ?i .")),
    "Sanction_date": (_a("kg:Sanction"), _delete("?node ?p ?x", "VALUES ?p { kg:date kg:earliestDate kg:latestDate }")),
    # the issue's case: a sanction stripped of its kg:target
    "Sanction_targets": (_a("kg:Sanction") + " ?node kg:target [] . " + _UNCOUNTED, _delete("?node kg:target ?x")),
    "Act_groundInScheme": (_a("kg:Act"), _insert("?node kg:ground <https://w3id.org/sanctions-kg/measure/AssetFreeze>")),
    "TargetCount_organisations": (_a("kg:Sanction") + " FILTER NOT EXISTS { ?node kg:organisationTargetCount [] }",
                                  _insert('?node kg:organisationTargetCount "several"')),
    "TargetCount_persons": (_a("kg:Sanction") + " FILTER NOT EXISTS { ?node kg:personTargetCount [] }",
                            _insert('?node kg:personTargetCount "several"')),
    "TargetCount_total": (_a("kg:Sanction") + " FILTER NOT EXISTS { ?node kg:targetCount [] }",
                          _insert('?node kg:targetCount "several"')),
    "TargetCount_notBelowNamed": (_a("kg:Sanction") + " ?node kg:target [] . FILTER NOT EXISTS { ?node kg:targetCount [] }",
                                  _insert("?node kg:targetCount 0")),
    "Retaliation_respondsTo": (_a("kg:Retaliation") + " ?node kg:respondsTo [] .",
                               _delete("?node kg:respondsTo ?x")),
    "Retaliation_notSelf": (_a("kg:Act"), _insert("?node kg:respondsTo ?node")),
    "Retaliation_order": ("?node kg:respondsTo ?a ; kg:date ?d . ?a kg:date ?e . " + _UNDATED_BOUNDS
                          + " FILTER NOT EXISTS { [] kg:respondsTo ?node }",
                          _replace("?node kg:date ?x", '?node kg:date "1900-01-01"^^xsd:date')),
    "Statement_speakerIsActor": (_a("kg:Statement"), _insert("?node kg:speaker <https://w3id.org/sanctions-kg/id/nobody>")),
    "Statement_stance": (_a("kg:Statement") + " ?node kg:stance [] .", _delete("?node kg:stance ?x")),
    # the issue's case: a statement stripped of its speaker
    "Statement_speaker": (_a("kg:Statement") + " ?node kg:speaker [] . FILTER NOT EXISTS { ?node kg:speakerUnstated true }",
                          _delete("?node kg:speaker ?x")),
    "Post_fromYear": (_a("kg:Post") + " FILTER NOT EXISTS { ?node kg:fromYear [] }", _insert('?node kg:fromYear "2019"')),
    "Post_untilYear": (_a("kg:Post") + " FILTER NOT EXISTS { ?node kg:untilYear [] }", _insert('?node kg:untilYear "2019"')),
    "Post_member": (_a("kg:Post") + " ?node org:member [] .", _delete("?node org:member ?x")),
    "Post_organization": (_a("kg:Post") + " ?node org:organization [] .", _delete("?node org:organization ?x")),
    "Post_title": (_a("kg:Post") + " ?node kg:postTitle [] .", _delete("?node kg:postTitle ?x")),
    "Post_years": (_a("kg:Post") + " FILTER NOT EXISTS { ?node kg:fromYear|kg:untilYear [] }",
                   _insert('?node kg:fromYear "2020"^^xsd:gYear ; kg:untilYear "2019"^^xsd:gYear')),
    "Fact_evidence": (_a("kg:Actor") + " ?node kg:evidence [] .", _delete("?node kg:evidence ?x")),
    "Evidence_inArticle": (_a("kg:Evidence") + " ?node kg:inArticle [] .", _delete("?node kg:inArticle ?x")),
    "Evidence_quote": (_a("kg:Evidence") + " ?node kg:quote [] .", _delete("?node kg:quote ?x")),
    # the quote in other letters' case: a case-blind comparison would let it through
    "Evidence_quoteInText": (_a("kg:Evidence") + " ?node kg:quote ?q . FILTER (UCASE(?q) != ?q)",
                             _replace("?node kg:quote ?x", "?node kg:quote ?u", "BIND (UCASE(?x) AS ?u)")),
    "NewsArticle_date": (_a("kg:NewsArticle") + " ?node schema:datePublished [] .",
                         _replace("?node schema:datePublished ?x", "?node schema:datePublished ?s", "BIND (STR(?x) AS ?s)")),
    "NewsArticle_headline": (_a("kg:NewsArticle"), _insert('?node schema:headline "Another headline"')),
    "NewsArticle_label": (_a("kg:NewsArticle") + " ?node rdfs:label [] .", _delete("?node rdfs:label ?x")),
    # a second text that still holds every quote
    "NewsArticle_text": (_a("kg:NewsArticle") + " ?node schema:text [] .",
                         _insert("?node schema:text ?more", '?node schema:text ?t . BIND (CONCAT(?t, " ") AS ?more)')),
    "CurationNote_reason": (_a("kg:CurationNote") + " ?node kg:reason [] .", _delete("?node kg:reason ?x")),
    "CuratedStatement_object": (_a("kg:CuratedStatement") + " ?node rdf:object [] .", _delete("?node rdf:object ?x")),
    "CuratedStatement_predicate": (_a("kg:CuratedStatement") + " ?node rdf:predicate [] .",
                                   _replace("?node rdf:predicate ?x", "?node rdf:predicate ?s", "BIND (STR(?x) AS ?s)")),
    "CuratedStatement_subject": (_a("kg:CuratedStatement") + " ?node rdf:subject [] .",
                                 _replace("?node rdf:subject ?x", "?node rdf:subject ?s", "BIND (STR(?x) AS ?s)")),
    "Interpretation_concerns": (_a("kg:Interpretation") + " ?node kg:concerns [] .", _delete("?node kg:concerns ?x")),
    "Draft_rule": (_a("kg:Actor") + " FILTER NOT EXISTS { ?node kg:unconfirmed [] }", _insert("?node kg:unconfirmed true")),
    "Draft_unconfirmed": (_a("kg:Actor") + " FILTER NOT EXISTS { ?node kg:unconfirmed [] }",
                          _insert('?node kg:unconfirmed false ; kg:draftRule "a test"')),
}


def candidates(dataset: Dataset, rule: str) -> list[URIRef]:
    """The nodes ``rule`` can be broken on, in IRI order."""
    where, _ = BREAKERS[rule]
    rows = dataset.query(PREFIXES + f"SELECT DISTINCT ?node WHERE {{ {where} FILTER (isIRI(?node)) }}")
    return sorted((row[0] for row in rows), key=str)


def break_rule(dataset: Dataset, rule: str, node: URIRef) -> None:
    """Break ``rule`` on ``node`` in place (in the named graph that holds the triples)."""
    _, update = BREAKERS[rule]
    dataset.update(PREFIXES + update, initBindings={"node": node})


def inject(dataset: Dataset, per_rule: int, rng: random.Random, skip=()) -> dict[str, set[str]]:
    """Break every rule (but those in ``skip``) on ``per_rule`` nodes drawn by ``rng``; return rule -> IRIs.

    Nodes are drawn apart: a node broken for one rule is not used for another, so each rule
    reports its own nodes only."""
    used: set = set()
    truth: dict[str, set[str]] = {}
    for rule in sorted(BREAKERS):
        if rule in skip:
            continue
        pool = [n for n in candidates(dataset, rule) if n not in used]
        chosen = rng.sample(pool, k=min(per_rule, len(pool)))
        for node in chosen:
            break_rule(dataset, rule, node)
            used.add(node)
        truth[rule] = {str(n) for n in chosen}
    return truth
