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

__all__ = ["BREAKERS", "break_rule", "candidates", "inject", "rule_shapes"]

PREFIXES = """PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _delete(pattern: str, where: str = "") -> str:
    """An update removing ``pattern`` (about ?node) from whichever graph holds it."""
    return f"DELETE {{ GRAPH ?g {{ {pattern} }} }} WHERE {{ {where} GRAPH ?g {{ {pattern} }} }}"


def _insert(triples: str, where: str = "") -> str:
    """An update adding ``triples`` to a graph that describes ?node."""
    return f"INSERT {{ GRAPH ?g {{ {triples} }} }} WHERE {{ {_HOME} {where} }}"


def _replace(old: str, new: str, where: str = "") -> str:
    return f"DELETE {{ GRAPH ?g {{ {old} }} }} INSERT {{ GRAPH ?g {{ {new} }} }} WHERE {{ GRAPH ?g {{ {old} }} {where} }}"


def _a(cls: str) -> str:
    return f"?node a/rdfs:subClassOf* {cls} ."


_RECORD = "?node a kg:RecordEvidence ."
_LINK = "?node a kg:Link ."
_UNCOUNTED = ("FILTER NOT EXISTS { ?node kg:targetCount|kg:personTargetCount|kg:organisationTargetCount [] } "
              "FILTER NOT EXISTS { ?node kg:targetsUnspecified true }")
_UNDATED_BOUNDS = "FILTER NOT EXISTS { ?node kg:earliestDate|kg:latestDate [] }"
_NOT_NOTE = " FILTER NOT EXISTS { ?node a/rdfs:subClassOf* kg:CurationNote }"
# ?g: the first named graph (by IRI) that types ?node. (MIN() would do, but rdflib's MIN turns IRIs into strings.)
_HOME = ("GRAPH ?g { ?node a [] } FILTER NOT EXISTS { GRAPH ?earlier { ?node a [] } "
         "FILTER (STR(?earlier) < STR(?g)) }")


# A second operation for the breakers that take an event's dates away or move them: its label
# loses the "(3 January 2013)" it carries, or kgsh:Event_labelDate would report the node too.
_PLAIN_LABEL = (' ; DELETE { GRAPH ?lg { ?node rdfs:label ?l } } INSERT { GRAPH ?lg { ?node rdfs:label ?m } } '
                'WHERE { GRAPH ?lg { ?node rdfs:label ?l } FILTER (REGEX(STR(?l), "[(][^)]*[0-9]{4}[)]")) '
                'BIND (REPLACE(STR(?l), " *[(][^)]*[0-9]{4}[)]", "") AS ?plain) '
                'BIND (IF(LANG(?l) = "", ?plain, STRLANG(?plain, LANG(?l))) AS ?m) }')


def _count(predicate: str) -> str:
    """A target count that is not a number (in place of the one there is, if any)."""
    return (f"DELETE {{ GRAPH ?h {{ ?node {predicate} ?x }} }} INSERT {{ GRAPH ?g {{ ?node {predicate} \"several\" }} }} "
            f"WHERE {{ {_HOME} OPTIONAL {{ GRAPH ?h {{ ?node {predicate} ?x }} }} }}")

#: rule -> (candidates: WHERE clause binding ?node, update breaking the rule on ?node)
BREAKERS: dict[str, tuple[str, str]] = {
    "Actor_label": (_a("kg:Actor") + " ?node rdfs:label [] .", _delete("?node rdfs:label ?x")),
    "Event_date": (_a("kg:Event") + " ?node kg:date [] .", _replace("?node kg:date ?x", "?node kg:date ?s",
                                                                   "BIND (STR(?x) AS ?s)")),
    "Event_earliestDate": (_a("kg:Event") + " ?node kg:date ?d . " + _UNDATED_BOUNDS,
                           _insert('?node kg:earliestDate "early 2021"')),
    "Event_latestDate": (_a("kg:Event") + " ?node kg:date ?d . " + _UNDATED_BOUNDS,
                         _insert('?node kg:latestDate "late 2021"')),
    # the case: an undated event whose earliest date is after its latest (one that answers
    # nothing and that nothing answers, so no retaliation's order changes; its day, if any, is dropped)
    "Event_bounds": (_a("kg:Event") + " FILTER NOT EXISTS { ?node kg:respondsTo [] } "
                     "FILTER NOT EXISTS { [] kg:respondsTo ?node } " + _UNDATED_BOUNDS,
                     "DELETE { GRAPH ?h { ?node kg:date ?x } } INSERT { GRAPH ?g { ?node kg:earliestDate "
                     '"2021-06-01"^^xsd:date ; kg:latestDate "2021-03-01"^^xsd:date } } '
                     "WHERE { " + _HOME + " OPTIONAL { GRAPH ?h { ?node kg:date ?x } } }" + _PLAIN_LABEL),
    "Sanction_imposedBy": (_a("kg:Sanction") + " ?node kg:imposedBy [] .", _delete("?node kg:imposedBy ?x")),
    "Sanction_measure": (_a("kg:Sanction") + " ?node kg:measure [] .", _delete("?node kg:measure ?x")),
    # one of its targets (an actor) named as an imposer too: the counts of named targets do not change
    "Sanction_notOwnTarget": (_a("kg:Sanction") + " ?node kg:target ?t . ?t a/rdfs:subClassOf* kg:Actor .",
                              _insert("?node kg:imposedBy ?t", "?node kg:target ?t . ?t a/rdfs:subClassOf* kg:Actor . "
                                      "FILTER NOT EXISTS { ?node kg:target ?u . ?u a/rdfs:subClassOf* kg:Actor "
                                      "FILTER (STR(?u) < STR(?t)) }")),
    "Sanction_date": (_a("kg:Sanction"), _delete("?node ?p ?x", "VALUES ?p { kg:date kg:earliestDate kg:latestDate }")
                      + _PLAIN_LABEL),
    # the case: a sanction stripped of its kg:target
    # the case: a sanction stripped of its kg:target (and of any count, or it would still say how many)
    "Sanction_targets": (_a("kg:Sanction") + " ?node kg:target [] .",
                         _delete("?node ?p ?x", "VALUES ?p { kg:target kg:targetCount kg:personTargetCount "
                                 "kg:organisationTargetCount kg:targetsUnspecified }")),
    "Act_groundInScheme": (_a("kg:Act"), _insert("?node kg:ground <https://w3id.org/sanctions-kg/measure/AssetFreeze>")),
    "TargetCount_organisations": (_a("kg:Sanction"), _count("kg:organisationTargetCount")),
    "TargetCount_persons": (_a("kg:Sanction"), _count("kg:personTargetCount")),
    "TargetCount_total": (_a("kg:Sanction"), _count("kg:targetCount")),
    "TargetCount_notBelowNamed": (_a("kg:Sanction") + " ?node kg:target [] . FILTER NOT EXISTS { ?node kg:targetCount [] }",
                                  _insert("?node kg:targetCount 0")),
    "Retaliation_respondsTo": (_a("kg:Retaliation") + " ?node kg:respondsTo [] .",
                               _delete("?node kg:respondsTo ?x")),
    "Retaliation_notSelf": (_a("kg:Act"), _insert("?node kg:respondsTo ?node")),
    "Retaliation_order": ("?node kg:respondsTo ?a ; kg:date ?d . ?a kg:date ?e . " + _UNDATED_BOUNDS
                          + " FILTER NOT EXISTS { [] kg:respondsTo ?node }",
                          _replace("?node kg:date ?x", '?node kg:date "1900-01-01"^^xsd:date') + _PLAIN_LABEL),
    "Statement_speakerIsActor": (_a("kg:Statement"), _insert("?node kg:speaker <https://w3id.org/sanctions-kg/id/nobody>")),
    "Statement_stance": (_a("kg:Statement") + " ?node kg:stance [] .", _delete("?node kg:stance ?x")),
    # the case: a statement stripped of its speaker
    "Statement_speaker": (_a("kg:Statement") + " ?node kg:speaker [] . FILTER NOT EXISTS { ?node kg:speakerUnstated true }",
                          _delete("?node kg:speaker ?x")),
    # a statement spoken "on behalf of" its own article: not a state or bloc
    "Statement_onBehalfOf": (_a("kg:Statement") + " ?node kg:onBehalfOf [] ; kg:evidence/kg:inArticle [] .",
                             _replace("?node kg:onBehalfOf ?x", "?node kg:onBehalfOf ?a", "?node kg:evidence/kg:inArticle ?a .")),
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
    # a record's evidence typed only kg:Evidence: of no kind, so neither kind's rules apply to it
    "Evidence_kind": (_RECORD, _replace("?node a kg:RecordEvidence", "?node a kg:Evidence")),
    # record evidence (kg import): a date as plain text is no xsd:dateTime (and so no longer ordered)
    "RecordEvidence_firstSeen": (_RECORD + " ?node kg:firstSeen [] .",
                                 _replace("?node kg:firstSeen ?x", "?node kg:firstSeen ?s", "BIND (STR(?x) AS ?s)")),
    "RecordEvidence_lastSeen": (_RECORD + " ?node kg:lastSeen [] .",
                                _replace("?node kg:lastSeen ?x", "?node kg:lastSeen ?s", "BIND (STR(?x) AS ?s)")),
    "RecordEvidence_inDataset": (_RECORD + " ?node kg:inDataset [] .", _delete("?node kg:inDataset ?x")),
    "RecordEvidence_recordId": (_RECORD + " ?node kg:recordId [] .", _delete("?node kg:recordId ?x")),
    "RecordEvidence_recordProperty": (_RECORD + " ?node kg:recordProperty [] .", _delete("?node kg:recordProperty ?x")),
    # a source URL as a plain string (a record may have none: one is added)
    "RecordEvidence_sourceUrl": (_RECORD, _insert('?node kg:sourceUrl "https://example.org/record"')),
    # last seen a century before it was first seen
    "RecordEvidence_seenOrder": (_RECORD + " ?node kg:firstSeen ?f ; kg:lastSeen ?l . "
                                 "FILTER (datatype(?f) = xsd:dateTime && datatype(?l) = xsd:dateTime)",
                                 _replace("?node kg:lastSeen ?x", '?node kg:lastSeen "1900-01-01T00:00:00"^^xsd:dateTime')),
    # links (kg import's matcher): each part of the link's statement, its score and reasons
    "Link_subject": (_LINK + " ?node rdf:subject [] .", _delete("?node rdf:subject ?x")),
    "Link_object": (_LINK + " ?node rdf:object [] .", _delete("?node rdf:object ?x")),
    "Link_predicate": (_LINK + " ?node rdf:predicate [] .",
                       _replace("?node rdf:predicate ?x", "?node rdf:predicate skos:closeMatch")),
    "Link_reason": (_LINK + " ?node kg:matchReason [] .", _delete("?node kg:matchReason ?x")),
    "Link_score": (_LINK + " ?node kg:matchScore [] .", _replace("?node kg:matchScore ?x", "?node kg:matchScore 1.5")),
    "NewsArticle_date": (_a("kg:NewsArticle") + " ?node schema:datePublished [] .",
                         _replace("?node schema:datePublished ?x", "?node schema:datePublished ?s", "BIND (STR(?x) AS ?s)")),
    "NewsArticle_headline": (_a("kg:NewsArticle"), _insert('?node schema:headline "Another headline"')),
    "NewsArticle_label": (_a("kg:NewsArticle") + " ?node rdfs:label [] .", _delete("?node rdfs:label ?x")),
    # a second text that still holds every quote
    "NewsArticle_text": (_a("kg:NewsArticle") + " ?node schema:text [] .",
                         _insert("?node schema:text ?more", '?node schema:text ?t . BIND (CONCAT(?t, " ") AS ?more)')),
    # the curation rules, on an actor made into a note (synthetic graphs have no curation of their own)
    "CurationNote_reason": (_a("kg:Actor") + _NOT_NOTE, _insert("?node a kg:CurationNote")),
    "CuratedStatement_object": (_a("kg:Actor") + _NOT_NOTE,
                                _insert('?node a kg:CuratedStatement ; kg:reason "a test"@en ; rdf:subject ?node ; '
                                        'rdf:predicate rdfs:label')),
    "CuratedStatement_predicate": (_a("kg:Actor") + _NOT_NOTE,
                                   _insert('?node a kg:CuratedStatement ; kg:reason "a test"@en ; rdf:subject ?node ; '
                                           'rdf:predicate "label" ; rdf:object "x"')),
    "CuratedStatement_subject": (_a("kg:Actor") + _NOT_NOTE,
                                 _insert('?node a kg:CuratedStatement ; kg:reason "a test"@en ; rdf:subject "me" ; '
                                         'rdf:predicate rdfs:label ; rdf:object "x"')),
    "Interpretation_concerns": (_a("kg:Actor") + _NOT_NOTE, _insert('?node a kg:Interpretation ; kg:reason "a test"@en')),
    # a label that dates the event to a year none of its dates lies in (its language kept)
    "Event_labelDate": (_a("kg:Event") + ' ?node rdfs:label ?l . FILTER (LANG(?l) != "")',
                        _replace("?node rdfs:label ?x", "?node rdfs:label ?y",
                                 'BIND (STRLANG(CONCAT(STR(?x), " (1900)"), LANG(?x)) AS ?y)')),
    "Interpretation_concernsProperty": (_a("kg:Actor") + _NOT_NOTE,
                                        _insert('?node a kg:Interpretation ; kg:reason "a test"@en ; kg:concerns ?node ; '
                                                'kg:concernsProperty "label"')),
    # the mention rules, on an actor made into a mention (synthetic graphs have no mentions of their own)
    "Mention_mentionedActor": (_a("kg:Actor") + _NOT_NOTE, _insert("?node a kg:Mention")),
    "Mention_refersTo": (_a("kg:Actor") + _NOT_NOTE,
                         _insert("?node a kg:Mention ; kg:mentionedActor ?node ; kg:refersTo ?node")),
    # a statement made into a sanction mention of its speaker that refers to itself: an event, not a sanction
    "SanctionMention_refersTo": (_a("kg:Statement") + " ?node kg:speaker [] .",
                                 _insert("?node a kg:SanctionMention ; kg:mentionedActor ?sp ; kg:refersTo ?node",
                                         "?node kg:speaker ?sp .")),
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


#: Predicates through which one node's rule reads another node that a breaker may change: a
#: retaliation's order reads the dates of the act it answers (kg:respondsTo).
ENTANGLING = (URIRef("https://w3id.org/sanctions-kg/ontology#respondsTo"),)


def _entangled(dataset: Dataset, nodes) -> set:
    """``nodes`` and the nodes one of :data:`ENTANGLING` joins them to, either way."""
    out = set(nodes)
    for node in nodes:
        for p in ENTANGLING:
            out.update(dataset.objects(node, p))
            out.update(dataset.subjects(p, node))
    return out


def inject(dataset: Dataset, per_rule: int, rng: random.Random, skip=(), avoid=frozenset()) -> dict[str, set[str]]:
    """Break every rule (but those in ``skip``) on ``per_rule`` nodes drawn by ``rng``; return rule -> IRIs.

    Nodes are drawn apart (and from ``avoid``): a node broken for one rule is not used for
    another, nor is a node it is entangled with (:data:`ENTANGLING`: breaking the dates of a
    sanction would hide a broken retaliation order answering it), so each rule reports its own
    nodes only."""
    used: set = _entangled(dataset, avoid)
    truth: dict[str, set[str]] = {}
    for rule in sorted(BREAKERS):
        if rule in skip:
            continue
        pool = [n for n in candidates(dataset, rule) if n not in used]
        chosen = rng.sample(pool, k=min(per_rule, len(pool)))
        for node in chosen:
            used |= _entangled(dataset, [node])
            break_rule(dataset, rule, node)
        truth[rule] = {str(n) for n in chosen}
    return truth


def rule_shapes(shapes) -> set:
    """The shapes that report under their own name: property shapes and node shapes with a join
    (sh:sparql) or an alternative (sh:or), minus those used only inside sh:or or sh:node (they
    report through the rule that uses them). BREAKERS holds one entry per such shape."""
    from rdflib.collection import Collection  # noqa: PLC0415
    from rdflib.namespace import RDF, SH  # noqa: PLC0415

    candidates = set(shapes.subjects(RDF.type, SH.PropertyShape))
    candidates |= set(shapes.subjects(SH.sparql, None)) | set(shapes.subjects(SH["or"], None))
    helpers = set()
    for lst in shapes.objects(None, SH["or"]):
        helpers |= set(Collection(shapes, lst))
    for node_shape in shapes.objects(None, SH.node):
        helpers |= {node_shape} | set(shapes.objects(node_shape, SH.property))
    return candidates - helpers
