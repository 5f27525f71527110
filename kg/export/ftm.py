"""FollowTheMoney JSON lines: our actors, posts, sanctions and retaliations for Aleph, yente and any FtM tool.

Every entity is built through ``followthemoney``'s model (``make_entity``), so
the file holds only what the model accepts; ``tests/export/test_ftm.py`` loads
it back and validates each entity.

=====================================  =============================================
ours                                    FollowTheMoney
=====================================  =============================================
kg:Person                               Person (name, alias, nationality, birthDate)
kg:Company                              Company
kg:GovernmentBody, kg:Legislature,      PublicBody (a state with its country code)
kg:State
kg:Bloc, other kg:Organisation          Organization (country from kg:basedIn)
kg:Sanction, kg:CounterSanction         Sanction (entity, authority, country, program,
                                        provisions, reason, startDate, endDate)
other retaliations (arrests, threats)   Event (organizer, involved, date)
kg:Post                                 Position (name, organization) + Occupancy
an article                              Article (title, publishedAt)
a quote (kg:QuoteEvidence)              Documentation (document: the Article,
                                        entity: the fact, summary: the quote)
a record (kg:RecordEvidence)            the entity's own id, datasets, first_seen,
                                        last_seen and sourceUrl
=====================================  =============================================

An entity imported from FtM keeps its id, so import, export and import again
give the same graph (see :data:`NOT_EXPRESSED` for what FtM cannot say).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from kg.export.common import Format
from kg.io import atomic_write
from kg.namespace import ACTOR, ENTITY, KG, POST

__all__ = ["FORMAT", "NOT_EXPRESSED", "ftm_entities", "write_ftm"]

#: What our graph says that FtM has no property for, and is left out of the export.
NOT_EXPRESSED = (
    "links (kg:Link, skos:exactMatch): FtM has no identity link; the article's actor and the record are both exported",
    "target counts (kg:targetCount, kg:personTargetCount ...) and unnamed targets",
    "statements that are not retaliations (kg:Statement with a stance), meetings and visits",
    "kg:respondsTo as a link: written as text in the answering act's description",
    "a date known only as 'no later than' (kg:latestDate alone) on an act from an article",
    "curation notes (kg:CuratedStatement, kg:Interpretation) and their reasons",
    "kg:recordDigest and kg:recordProperty (recomputed by every import)",
)

#: The record ids of actors a mapping rule made (before the rules moved to rules/, they said data/).
_RULE_RECORDS = ("rules/ftm-mapping.yaml#", "data/ftm-mapping.yaml#")

_CLASS_SCHEMA = (  # most specific first
    (KG.Person, "Person"),
    (KG.Company, "Company"),
    (KG.Legislature, "PublicBody"),
    (KG.GovernmentBody, "PublicBody"),
    (KG.State, "PublicBody"),
    (KG.Bloc, "Organization"),
    (KG.ThinkTank, "Organization"),
    (KG.NonGovernmentalOrganisation, "Organization"),
    (KG.PoliticalParty, "Organization"),
    (KG.Organisation, "Organization"),
    (KG.Actor, "LegalEntity"),
)

_PREFIXES = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

_ACTORS = _PREFIXES + """
SELECT DISTINCT ?actor ?cls ?label ?alt ?nationality ?birth ?basedIn ?partOf WHERE {
  VALUES ?cls { kg:Person kg:Company kg:Legislature kg:GovernmentBody kg:State kg:Bloc kg:ThinkTank
                kg:NonGovernmentalOrganisation kg:PoliticalParty kg:Organisation kg:Actor }
  ?actor a ?cls ; rdfs:label ?label .
  OPTIONAL { ?actor skos:altLabel ?alt }
  OPTIONAL { ?actor kg:nationality ?nationality }
  OPTIONAL { ?actor kg:birthDate ?birth }
  OPTIONAL { ?actor kg:basedIn ?basedIn }
  OPTIONAL { ?actor org:subOrganizationOf ?partOf }
}
"""

_RECORDS = _PREFIXES + """
SELECT DISTINCT ?node ?id ?dataset ?first ?last ?url ?property WHERE {
  ?node kg:evidence ?ev . ?ev a kg:RecordEvidence ; kg:recordId ?id .
  OPTIONAL { ?ev kg:inDataset/rdfs:label ?dataset }
  OPTIONAL { ?ev kg:firstSeen ?first }
  OPTIONAL { ?ev kg:lastSeen ?last }
  OPTIONAL { ?ev kg:sourceUrl ?url }
  OPTIONAL { ?ev kg:recordProperty ?property }
}
"""

_LINKED = _PREFIXES + """
SELECT DISTINCT ?actor ?record WHERE { ?actor skos:exactMatch ?record }
"""

_ACTS = _PREFIXES + """
SELECT DISTINCT ?act ?sanction ?label ?who ?target ?date ?earliest ?latest ?end ?measure ?measureText ?program
                ?groundText ?answered WHERE {
  { ?act a kg:Sanction BIND(true AS ?sanction) }
  UNION { ?act a kg:CounterSanction BIND(true AS ?sanction) }
  UNION { ?act kg:respondsTo ?any FILTER NOT EXISTS { ?act a kg:Sanction } FILTER NOT EXISTS { ?act a kg:CounterSanction }
          BIND(false AS ?sanction) }
  ?act rdfs:label ?label .
  OPTIONAL { ?act kg:imposedBy|kg:actor|kg:speaker ?who }
  OPTIONAL { ?act kg:target ?target }
  OPTIONAL { ?act kg:date ?date }
  OPTIONAL { ?act kg:earliestDate ?earliest }
  OPTIONAL { ?act kg:latestDate ?latest }
  OPTIONAL { ?act kg:endDate ?end }
  OPTIONAL { ?act kg:measure/rdfs:label ?measure FILTER NOT EXISTS { ?act kg:measure <https://w3id.org/sanctions-kg/measure/Unspecified> } }
  OPTIONAL { ?act kg:measureText ?measureText }
  OPTIONAL { ?act kg:program ?program }
  OPTIONAL { ?act kg:groundText ?groundText }
  OPTIONAL { ?act kg:respondsTo/rdfs:label ?answered }
}
"""

_POSTS = _PREFIXES + """
SELECT DISTINCT ?post ?holder ?org ?title ?from ?until WHERE {
  ?post a kg:Post ; org:member ?holder ; kg:postTitle ?title .
  OPTIONAL { ?post org:organization ?org }
  OPTIONAL { ?post kg:fromYear ?from }
  OPTIONAL { ?post kg:untilYear ?until }
}
"""

_QUOTES = _PREFIXES + """
SELECT DISTINCT ?fact ?quote ?article ?headline ?articleLabel ?published WHERE {
  ?fact kg:evidence ?ev . ?ev a kg:QuoteEvidence ; kg:quote ?quote ; kg:inArticle ?article .
  ?article rdfs:label ?articleLabel .
  OPTIONAL { ?article schema:headline ?headline }
  OPTIONAL { ?article schema:datePublished ?published }
}
"""


def _rows(graph, query: str) -> Iterator[dict[str, str | None]]:
    result = graph.query(query)
    names = [str(v) for v in result.vars]
    for row in result:
        yield {name: None if row[i] is None else str(row[i]) for i, name in enumerate(names)}


def _local_id(iri: str, kind: str) -> str:
    """Our IRI as an FtM id: an imported entity's own id, else ``kg-<kind>-<local name>``."""
    if iri.startswith(str(ENTITY)):
        from urllib.parse import unquote  # noqa: PLC0415

        return unquote(iri[len(str(ENTITY)):])
    tail = iri.rstrip("/").rsplit("/", 1)[-1]
    if len(tail) > 60 or not tail.replace("-", "").replace(".", "").replace("_", "").isalnum():
        tail = hashlib.sha1(iri.encode("utf-8")).hexdigest()[:16]
    return f"kg-{kind}-{tail}"


def _prefix_date(date: str | None, earliest: str | None, latest: str | None) -> str | None:
    """A day, or the year or month that earliest..latest spans exactly (FtM's prefix dates)."""
    if date:
        return date[:10]
    if earliest and latest:
        import calendar  # noqa: PLC0415

        y1, y2 = earliest[:4], latest[:4]
        if earliest[4:10] == "-01-01" and latest[4:10] == "-12-31" and y1 == y2:
            return y1
        if earliest[:7] == latest[:7] and earliest[8:10] == "01":
            days = calendar.monthrange(int(y1), int(earliest[5:7]))[1]
            if int(latest[8:10]) == days:
                return earliest[:7]
        return earliest[:10]
    return None


def ftm_entities(graph) -> list[dict[str, Any]]:
    """The graph as FtM entity dicts, each made and checked by followthemoney's model, sorted by id."""
    from followthemoney import model  # noqa: PLC0415

    from kg.ftm.rules import Rules  # noqa: PLC0415

    rules = Rules.load()
    code_of = {str(ACTOR[r.actor]): code for code, r in rules.countries.items()}

    def country(iri: str | None) -> str | None:
        if not iri:
            return None
        if iri in code_of:
            return code_of[iri]
        tail = iri.rsplit("/", 1)[-1]
        return tail[len("country-"):] if iri.startswith(str(ACTOR)) and tail.startswith("country-") else None

    records: dict[str, dict[str, Any]] = defaultdict(lambda: {"datasets": set(), "urls": set(), "props": set()})
    quoted = {row["fact"] for row in _rows(graph, _QUOTES)}
    for row in _rows(graph, _RECORDS):
        rec = records[row["node"]]
        if row["id"].startswith(_RULE_RECORDS):
            rec["rule_only"] = row["node"] not in quoted and rec.get("rule_only", True)
            continue
        rec["rule_only"] = False
        if any(p and p.startswith("Position:") for p in [row["property"]]):
            rec.setdefault("position_ids", set()).add(row["id"])
            continue
        rec["id"] = row["id"]
        if row["dataset"]:
            rec["datasets"].add(row["dataset"])
        if row["first"]:
            rec["first"] = min(rec.get("first", row["first"]), row["first"])
        if row["last"]:
            rec["last"] = max(rec.get("last", row["last"]), row["last"])
        if row["url"]:
            rec["urls"].add(row["url"])

    entities: dict[str, Any] = {}
    ids: dict[str, str] = {}

    def make(schema: str, entity_id: str, node: str | None = None):
        proxy = entities.get(entity_id)
        if proxy is None:
            proxy = entities[entity_id] = model.make_entity(schema)
            proxy.id = entity_id
            rec = records.get(node) if node else None
            if rec and rec.get("urls"):
                proxy.add("sourceUrl", sorted(rec["urls"]))
        return proxy

    actors: dict[str, dict[str, Any]] = {}
    for row in _rows(graph, _ACTORS):
        a = actors.setdefault(row["actor"], {"classes": set(), "labels": set(), "alts": set(), "nat": set(),
                                               "birth": set(), "based": set(), "part_of": set()})
        a["classes"].add(row["cls"])
        a["labels"].add(row["label"])
        for key, col in (("alts", "alt"), ("nat", "nationality"), ("birth", "birth"), ("based", "basedIn"),
                         ("part_of", "partOf")):
            if row[col]:
                a[key].add(row[col])
    rule_only = {node for node, rec in records.items() if rec.get("rule_only")}
    for iri, a in sorted(actors.items()):
        if iri in rule_only:
            continue  # an imposer or country known only through rules/ftm-mapping.yaml: FtM names it in text
        schema = next(s for cls, s in _CLASS_SCHEMA if str(cls) in a["classes"])
        entity_id = ids[iri] = _local_id(iri, "actor")
        proxy = make(schema, entity_id, iri)
        label = min(a["labels"])
        proxy.add("name", label)
        others = (a["labels"] | a["alts"]) - {label}
        if others:
            proxy.add("alias", sorted(others))
        if schema == "Person":
            proxy.add("nationality", sorted(filter(None, map(country, a["nat"]))), quiet=True)
            proxy.add("birthDate", sorted(a["birth"]), quiet=True)
        own = country(iri)
        places = {own} if own else set(filter(None, map(country, a["based"] | a["part_of"])))
        if schema != "Person" and places:
            proxy.add("country", sorted(places), quiet=True)

    linked = {(row["actor"], row["record"]) for row in _rows(graph, _LINKED)}
    acts: dict[str, dict[str, Any]] = {}
    for row in _rows(graph, _ACTS):
        act = acts.setdefault(row["act"], defaultdict(set))
        for key, value in row.items():
            if value is not None and key != "act":
                act[key].add(value)
    for iri, act in sorted(acts.items()):
        sanction = "true" in act["sanction"] or "1" in act["sanction"]
        entity_id = ids[iri] = _local_id(iri, "act")
        targets = {t for t in act["target"] if not any((t, r) in linked for r in act["target"])}
        target_ids = sorted(ids[t] for t in targets if t in ids)
        label = min(act["label"])
        date = _prefix_date(min(act["date"], default=None), min(act["earliest"], default=None),
                            max(act["latest"], default=None))
        proxy = make("Sanction" if sanction else "Event", entity_id, iri)
        if sanction:
            if not target_ids:
                continue  # FtM requires a sanction's entity; counted-only targets are not expressed
            proxy.add("entity", target_ids)
            for who in sorted(act["who"]):
                if who in actors:
                    proxy.add("authority", min(actors[who]["labels"]))
                    code = country(who) or next(iter(sorted(filter(None, map(country, actors[who]["part_of"])))), None)
                    if code:
                        proxy.add("country", code, quiet=True)
            proxy.add("program", sorted(act["program"]))
            proxy.add("provisions", sorted(act["measure"] | act["measureText"]))
            proxy.add("reason", sorted(act["groundText"]))
            if date:
                proxy.add("startDate", date)
            proxy.add("endDate", sorted(act["end"]), quiet=True)
            if iri.startswith(str(ENTITY)):
                pass  # the record's own caption (program) stands for it
            else:
                proxy.add("summary", label)
        else:
            proxy.add("name", label)
            proxy.add("organizer", sorted(ids[w] for w in act["who"] if w in ids))
            proxy.add("involved", target_ids)
            if date:
                proxy.add("date", date)
        if act["answered"]:
            proxy.add("description", "Responds to: " + "; ".join(sorted(act["answered"])))

    for row in _rows(graph, _POSTS):
        post, holder = row["post"], row["holder"]
        if holder not in ids:
            continue
        rec = records.get(post, {})
        position_id = min(rec.get("position_ids", ()), default=None) or _local_id(
            f"{POST}position-{hashlib.sha1((row['title'] + str(row['org'])).encode('utf-8')).hexdigest()[:16]}",
            "position")
        position = make("Position", position_id)
        position.add("name", row["title"])
        if country(row["org"]):
            position.add("country", country(row["org"]))
        elif row["org"] in ids and entities[ids[row["org"]]].schema.is_a("Organization"):
            position.add("organization", ids[row["org"]])
        occupancy_id = ids[post] = rec.get("id") or _local_id(post, "post")
        occupancy = make("Occupancy", occupancy_id, post)
        occupancy.add("holder", ids[holder])
        occupancy.add("post", position_id)
        if row["from"]:
            occupancy.add("startDate", row["from"][:4])
        if row["until"]:
            occupancy.add("endDate", row["until"][:4])

    for row in _rows(graph, _QUOTES):
        if row["fact"] not in ids:
            continue
        article_id = _local_id(row["article"], "article")
        article = make("Article", article_id)
        article.add("title", row["headline"] or row["articleLabel"])
        if row["published"]:
            article.add("publishedAt", row["published"])
        doc_id = "kg-quote-" + hashlib.sha1(f"{row['fact']} {row['quote']}".encode("utf-8")).hexdigest()[:16]
        doc = make("Documentation", doc_id)
        doc.add("document", article_id)
        doc.add("entity", ids[row["fact"]])
        doc.add("role", "evidence: a verbatim quote")
        doc.add("summary", row["quote"])

    node_of = {entity_id: iri for iri, entity_id in ids.items()}
    out = []
    for entity_id, proxy in sorted(entities.items()):
        data = proxy.to_dict()
        rec = records.get(node_of.get(entity_id, ""))
        if rec and rec.get("datasets"):
            data["datasets"] = sorted(rec["datasets"])
            if rec.get("first"):
                data["first_seen"] = rec["first"]
            if rec.get("last"):
                data["last_seen"] = rec["last"]
        else:
            data["datasets"] = ["sanctions_kg"]
        out.append(data)
    return out


def write_ftm(graph, path: Path | str) -> Path:
    """Write :func:`ftm_entities` as JSON lines, atomically."""
    lines = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in ftm_entities(graph))
    return atomic_write(path, lines)


FORMAT = Format("ftm", "ftm.json", "actors, posts, sanctions and retaliations as FollowTheMoney JSON lines", write_ftm)
