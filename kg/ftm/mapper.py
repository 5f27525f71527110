"""FollowTheMoney entities as triples of our ontology, each traceable to its record.

One :class:`Mapper` per import: :meth:`Mapper.entity` turns one entity proxy
(read through ``followthemoney``'s own model) into triples, and
:meth:`Mapper.finish` adds what needs the whole file (a sanction's label names
its target, a post's title is its Position's name). Every fact node points with
``kg:evidence`` to the record evidence of the entity it came from
(``record:<dataset>/<id>``: ``kg:recordId``, ``kg:inDataset``, the
``kg:recordProperty`` list of ``Schema:property`` it read, ``kg:sourceUrl``,
``kg:firstSeen``/``kg:lastSeen``, ``kg:recordDigest``).

What maps to what (the schema names are followthemoney's):

=====================================  ==============================================
Person                                  kg:Person (name, aliases, nationality, birth date)
PublicBody                              kg:GovernmentBody
Company                                 kg:Company
Organization                            kg:Organisation
LegalEntity (and other LegalEntities)   kg:Actor
Sanction                                kg:Sanction: target (entity), imposer (authority
                                        or country, through rules/ftm-mapping.yaml),
                                        measures (provisions), kg:program, grounds and
                                        kg:groundText (reason), dates, kg:endDate
Occupancy (+ its Position)              kg:Post: org:member, org:organization (the
                                        Position's organization, else its country's
                                        state), kg:postTitle, kg:fromYear/kg:untilYear
=====================================  ==============================================

Everything else is counted in :class:`Tally` and reported, never dropped
without a word.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator
from urllib.parse import quote

import pyoxigraph as ox

from kg.ftm.rules import ActorRule, Rules
from kg.namespace import ACTOR, CUR, DATASET, ENTITY, KG, MEASURE, GROUND, POST, RECORD

__all__ = ["ACTOR_CLASSES", "Mapper", "RULE_RECORD", "Tally", "entity_iri"]

#: The kg:recordId of an actor a mapping rule made ("rules/ftm-mapping.yaml#us-treasury-department").
RULE_RECORD = "rules/ftm-mapping.yaml#"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


TYPE = _n(_RDF + "type")
LABEL = _n("http://www.w3.org/2000/01/rdf-schema#label")
ALT = _n("http://www.w3.org/2004/02/skos/core#altLabel")
ORG_MEMBER = _n("http://www.w3.org/ns/org#member")
ORG_ORG = _n("http://www.w3.org/ns/org#organization")
SUB_ORG = _n("http://www.w3.org/ns/org#subOrganizationOf")
DCAT_DATASET = _n("http://www.w3.org/ns/dcat#Dataset")
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = (_n(_RDF + n) for n in ("subject", "predicate", "object"))
P = {name: _n(KG[name]) for name in (
    "evidence", "recordId", "inDataset", "recordProperty", "sourceUrl", "firstSeen", "lastSeen", "recordDigest",
    "nationality", "birthDate", "target", "imposedBy", "measure", "measureText", "program", "ground", "groundText",
    "date", "earliestDate", "latestDate", "endDate", "postTitle", "fromYear", "untilYear", "reason",
)}
C = {name: _n(KG[name]) for name in (
    "Person", "GovernmentBody", "Company", "Organisation", "Actor", "Sanction", "Post", "Evidence",
    "RecordEvidence", "State", "Bloc", "Legislature", "CuratedStatement",
)}
T = {name: _n(_XSD + name) for name in ("date", "gYearMonth", "gYear", "dateTime", "anyURI")}

#: FollowTheMoney schema -> our actor class, most specific first (a schema maps to the first it is_a).
ACTOR_CLASSES: tuple[tuple[str, str], ...] = (
    ("Person", "Person"),
    ("PublicBody", "GovernmentBody"),
    ("Company", "Company"),
    ("Organization", "Organisation"),
    ("LegalEntity", "Actor"),
)

#: The properties each mapped schema reads; the rest of a mapped entity is counted as not imported.
_READ = {
    "actor": {"name", "alias", "weakAlias", "previousName", "nationality", "citizenship", "birthDate",
              "sourceUrl", "position", "country"},
    "Sanction": {"entity", "authority", "country", "provisions", "program", "reason", "startDate", "listingDate",
                 "date", "endDate", "sourceUrl"},
    "Occupancy": {"holder", "post", "startDate", "endDate", "sourceUrl"},
    "Position": {"name", "organization", "country", "sourceUrl"},
}
_NAME_PROPS = ("alias", "weakAlias", "previousName")


def entity_iri(entity_id: str) -> str:
    """The IRI of an imported entity (``ftm:<id>``)."""
    return f"{ENTITY}{quote(entity_id, safe='')}"


@dataclass
class Tally:
    """What an import read, mapped, skipped and could not use: the import report's counts."""

    lines: int = 0
    mapped: Counter = field(default_factory=Counter)          # schema -> entities mapped
    unmapped_schemata: Counter = field(default_factory=Counter)  # known to followthemoney, not mapped by us
    unknown_schemata: Counter = field(default_factory=Counter)   # not in followthemoney's model
    unknown_properties: Counter = field(default_factory=Counter)  # Schema:prop not in the model
    unread_properties: Counter = field(default_factory=Counter)   # Schema:prop of a mapped entity we do not import
    invalid_values: Counter = field(default_factory=Counter)      # Schema:prop values the model's type refused
    unmatched_provisions: Counter = field(default_factory=Counter)  # kept as kg:measureText
    problems: Counter = field(default_factory=Counter)            # e.g. a sanction without an imposer, skipped
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def _literal(value: str, kind: str | None = None) -> ox.Literal:
    return ox.Literal(value) if kind is None else ox.Literal(value, datatype=T[kind])


def _dated(value: str) -> tuple[str, str] | None:
    """An ISO prefix date as (lexical form, xsd type): a day, a month or a year."""
    if len(value) >= 10:
        return value[:10], "date"
    if len(value) == 7:
        return value, "gYearMonth"
    if len(value) == 4:
        return value, "gYear"
    return None


def _bounds(value: str) -> tuple[str, str]:
    """The first and last day of a year or month ("2021-02" -> 2021-02-01, 2021-02-28)."""
    import calendar  # noqa: PLC0415

    year = int(value[:4])
    if len(value) == 4:
        return f"{year}-01-01", f"{year}-12-31"
    month = int(value[5:7])
    return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"


class Mapper:
    """Map the entities of one dataset import; see the module docstring."""

    def __init__(self, dataset: str, rules: Rules, tally: Tally | None = None) -> None:
        from followthemoney import model, registry  # noqa: PLC0415

        self.model, self.registry = model, registry
        self.dataset = dataset
        self.rules = rules
        self.tally = tally or Tally()
        self._actor_schema: dict[str, str | None] = {}
        self.captions: dict[str, str] = {}           # actor entity id -> its caption (for sanction labels)
        self.positions: dict[str, tuple[str, str | None, list[str]]] = {}  # Position id -> name, org id, countries
        self._sanctions: list[tuple[ox.NamedNode, str, str, str, ox.NamedNode]] = []  # deferred labels
        self._posts: list[tuple[ox.NamedNode, str, ox.NamedNode, str]] = []   # deferred titles and organisations
        self._datasets: set[str] = set()
        self._made: dict[str, ActorRule] = {}        # actors minted from rules, by local name
        self._made_evidence: dict[str, ox.NamedNode] = {}
        #: each record's kg:recordDigest as written, by entity id: what the import compares with the
        #: previous import's (without reading the new graph back from the store)
        self.digests: dict[str, str] = {}
        self._cleaned: dict[tuple[str, str], str | None] = {}  # (type, value) -> the type's clean value

    # ------------------------------------------------------------------ records

    def _evidence(self, data: dict[str, Any], proxy, props: set[str]) -> tuple[ox.NamedNode, list[tuple]]:
        entity_id = proxy.id
        ev = _n(f"{RECORD}{quote(self.dataset, safe='')}/{quote(entity_id, safe='')}")
        schema = proxy.schema.name
        digest = self.digests[entity_id] = _digest(data)
        out = [  # typed RecordEvidence only (a kg:Evidence by subclass): one triple a record less at 10^6 records
            (ev, TYPE, C["RecordEvidence"]),
            (ev, P["recordId"], ox.Literal(entity_id)),
            (ev, P["recordDigest"], ox.Literal(digest)),
            (ev, P["recordProperty"], ox.Literal(" ".join(f"{schema}:{prop}" for prop in sorted(props)))),
        ]
        for name in data.get("datasets") or [self.dataset]:
            self._datasets.add(str(name))
            out.append((ev, P["inDataset"], _n(f"{DATASET}{quote(str(name), safe='')}")))
        for url in proxy.get("sourceUrl", quiet=True):
            out.append((ev, P["sourceUrl"], _literal(url, "anyURI")))
        for key, pred in (("first_seen", "firstSeen"), ("last_seen", "lastSeen")):
            seen = _timestamp(data.get(key))
            if seen:
                out.append((ev, P[pred], _literal(seen, "dateTime")))
        return ev, out

    def _clean(self, proxy, prop: str, type_) -> list[str]:
        """A property's values that the model's type accepts; the others are counted as invalid."""
        good = []
        cache = self._cleaned
        for value in proxy.get(prop, quiet=True):
            key = (type_.name, value)
            cleaned = cache.get(key, cache)
            if cleaned is cache:  # dates and country codes repeat across a list: each is cleaned once
                if len(cache) > 200_000:
                    cache.clear()
                cleaned = cache[key] = type_.clean(value)
            if cleaned is None:
                self.tally.invalid_values[f"{proxy.schema.name}:{prop}"] += 1
            else:
                good.append(cleaned)
        return good

    # ------------------------------------------------------------------ entities

    def actor_class(self, schema) -> str | None:
        found = self._actor_schema.get(schema.name, "")
        if found == "":
            found = next((cls for name, cls in ACTOR_CLASSES if schema.is_a(name)), None)
            self._actor_schema[schema.name] = found
        return found

    def entity(self, data: dict[str, Any], proxy) -> list[tuple]:
        """The triples of one entity (empty for a schema we do not map, which is counted)."""
        schema = proxy.schema
        cls = self.actor_class(schema)
        if cls is not None:
            kind = "actor"
        elif schema.name in ("Sanction", "Occupancy", "Position"):
            kind = schema.name
        else:
            self.tally.unmapped_schemata[schema.name] += 1
            return []
        read = _READ[kind]
        for prop in data.get("properties") or {}:
            if prop not in read:
                self.tally.unread_properties[f"{schema.name}:{prop}"] += 1
        if kind == "actor":
            out = self._actor(data, proxy, cls)
        elif kind == "Sanction":
            out = self._sanction(data, proxy)
        elif kind == "Occupancy":
            out = self._occupancy(data, proxy)
        else:
            out = self._position(proxy)
        if out or kind == "Position":
            self.tally.mapped[schema.name] += 1
        return out

    def _actor(self, data, proxy, cls: str) -> list[tuple]:
        names = proxy.get("name", quiet=True)
        caption = proxy.caption if names else None
        if not caption:
            self.tally.problems[f"{proxy.schema.name} without a name: skipped"] += 1
            return []
        node = _n(entity_iri(proxy.id))
        self.captions[proxy.id] = caption
        used = {"name"}
        out = [(node, TYPE, C[cls]), (node, LABEL, ox.Literal(caption))]
        others = [n for n in names if n != caption]
        for prop in _NAME_PROPS:
            values = proxy.get(prop, quiet=True)
            if values:
                used.add(prop)
                others += values
        for name in sorted(set(others) - {caption}):
            out.append((node, ALT, ox.Literal(name)))
        if cls == "Person":
            for prop in ("nationality", "citizenship"):
                codes = self._clean(proxy, prop, self.registry.country)
                if codes:
                    used.add(prop)
                for code in codes:
                    out.append((node, P["nationality"], self._rule_actor(self.rules.country(code))))
            for value in self._clean(proxy, "birthDate", self.registry.date):
                dated = _dated(value)
                if dated:
                    used.add("birthDate")
                    out.append((node, P["birthDate"], _literal(*dated)))
        ev, evidence = self._evidence(data, proxy, used)
        out.append((node, P["evidence"], ev))
        return out + evidence

    def _rule_actor(self, rule: ActorRule) -> ox.NamedNode:
        """An actor of the mapping rules; its type and label are written once, at :meth:`finish`."""
        self._made.setdefault(rule.actor, rule)
        if rule.part_of and rule.part_of not in self._made:
            # the state it is part of, as the countries table describes it
            parent = next((r for r in self.rules.countries.values() if r.actor == rule.part_of), None)
            self._made[rule.part_of] = parent or ActorRule(rule.part_of, rule.part_of, "State")
        return _n(ACTOR[rule.actor])

    def _sanction(self, data, proxy) -> list[tuple]:
        node = _n(entity_iri(proxy.id))
        used = set()
        targets = proxy.get("entity", quiet=True)
        if not targets:
            self.tally.problems["Sanction without an entity: skipped"] += 1
            return []
        used.add("entity")
        imposer, imposer_label = None, None
        for text in proxy.get("authority", quiet=True):
            rule = self.rules.authority(text)
            if rule is not None:
                imposer, imposer_label = self._rule_actor(rule), rule.label
                used.add("authority")
                break
        if imposer is None:
            for code in self._clean(proxy, "country", self.registry.country):
                rule = self.rules.country(code)
                imposer, imposer_label = self._rule_actor(rule), rule.label
                used.add("country")
                break
        if imposer is None:
            authority = "; ".join(proxy.get("authority", quiet=True)) or "none given"
            self.tally.problems[f"Sanction whose authority matches no rule and has no country ({authority}): skipped"] += 1
            return []
        out = [(node, TYPE, C["Sanction"]), (node, P["imposedBy"], imposer)]
        for target in targets:
            out.append((node, P["target"], _n(entity_iri(target))))
        day = None
        for prop in ("startDate", "listingDate", "date"):
            values = self._clean(proxy, prop, self.registry.date)
            if values:
                used.add(prop)
                day = min(values)
                break
        if day is None:
            seen = _timestamp(data.get("first_seen"))
            if not seen:
                self.tally.problems["Sanction without any date or first_seen: skipped"] += 1
                return []
            out.append((node, P["latestDate"], _literal(seen[:10], "date")))  # listed no later than first seen
            used.add("first_seen")
            when = f"by {seen[:10]}"
        else:
            dated = _dated(day)
            if dated is None:
                self.tally.invalid_values["Sanction:startDate"] += 1
                return []
            if dated[1] == "date":
                out.append((node, P["date"], _literal(dated[0], "date")))
            else:
                first, last = _bounds(dated[0])
                out += [(node, P["earliestDate"], _literal(first, "date")), (node, P["latestDate"], _literal(last, "date"))]
            when = dated[0]
        for value in self._clean(proxy, "endDate", self.registry.date):
            dated = _dated(value)
            if dated:
                used.add("endDate")
                out.append((node, P["endDate"], _literal(*dated)))
        measures = set()
        for text in proxy.get("provisions", quiet=True):
            used.add("provisions")
            concept = self.rules.measure(text)
            if concept is None:
                self.tally.unmatched_provisions[text] += 1
                out.append((node, P["measureText"], ox.Literal(text)))
            else:
                measures.add(concept)
        for concept in sorted(measures or {"Unspecified"}):
            out.append((node, P["measure"], _n(f"{MEASURE._NS}{concept}")))
        for text in proxy.get("program", quiet=True):
            used.add("program")
            out.append((node, P["program"], ox.Literal(text)))
        grounds = set()
        for text in proxy.get("reason", quiet=True):
            used.add("reason")
            out.append((node, P["groundText"], ox.Literal(text)))
            concept = self.rules.ground(text)
            if concept:
                grounds.add(concept)
        for concept in sorted(grounds):
            out.append((node, P["ground"], _n(f"{GROUND._NS}{concept}")))
        ev, evidence = self._evidence(data, proxy, used)
        out.append((node, P["evidence"], ev))
        self._sanctions.append((node, imposer_label, targets[0], when, ev))
        return out + evidence

    def _position(self, proxy) -> list[tuple]:
        names = proxy.get("name", quiet=True)
        orgs = proxy.get("organization", quiet=True)
        countries = self._clean(proxy, "country", self.registry.country)
        self.positions[proxy.id] = (names[0] if names else proxy.id, orgs[0] if orgs else None, countries)
        return []  # a Position is written through the posts (Occupancies) that hold it

    def _occupancy(self, data, proxy) -> list[tuple]:
        holders, posts = proxy.get("holder", quiet=True), proxy.get("post", quiet=True)
        if not holders or not posts:
            self.tally.problems["Occupancy without holder or post: skipped"] += 1
            return []
        node = _n(f"{POST}ftm-{quote(proxy.id, safe='')}")
        out = [(node, TYPE, C["Post"]), (node, ORG_MEMBER, _n(entity_iri(holders[0])))]
        used = {"holder", "post"}
        for prop, pred in (("startDate", "fromYear"), ("endDate", "untilYear")):
            values = self._clean(proxy, prop, self.registry.date)
            if values:
                used.add(prop)
                out.append((node, P[pred], _literal(values[0][:4], "gYear")))
        ev, evidence = self._evidence(data, proxy, used)
        out.append((node, P["evidence"], ev))
        self._posts.append((node, posts[0], ev, proxy.id))
        return out + evidence

    # ------------------------------------------------------------------ the end

    def finish(self) -> Iterator[tuple]:
        """What needs the whole file: sanction labels, post titles and organisations, rule actors, datasets."""
        for node, imposer, target, when, _ev in self._sanctions:
            target_name = self.captions.get(target)
            if target_name is None:
                self.tally.problems["Sanction whose entity is not in the file (label names its id)"] += 1
            yield node, LABEL, ox.Literal(f"{imposer} sanction on {target_name or target} ({when})")
        self._sanctions.clear()
        for node, position, ev, occupancy in self._posts:
            found = self.positions.get(position)
            if found is None:
                self.tally.problems["Occupancy whose Position is not in the file: post titled by its id"] += 1
                name, org, countries = position, None, []
            else:
                name, org, countries = found
            yield node, P["postTitle"], ox.Literal(name)
            if org is not None and org in self.captions:
                yield node, ORG_ORG, _n(entity_iri(org))
            elif countries:
                yield node, ORG_ORG, self._rule_actor(self.rules.country(countries[0]))
            else:
                self.tally.problems["Post whose Position has no organisation or country: organisation unknown"] += 1
            if found is not None:
                pos_ev = _n(f"{RECORD}{quote(self.dataset, safe='')}/{quote(position, safe='')}")
                yield node, P["evidence"], pos_ev
                yield pos_ev, TYPE, C["RecordEvidence"]
                yield pos_ev, P["recordId"], ox.Literal(position)
                yield pos_ev, P["inDataset"], _n(f"{DATASET}{quote(self.dataset, safe='')}")
                yield pos_ev, P["recordProperty"], ox.Literal(f"Position:name Position:{'organization' if org else 'country'}")
        self._posts.clear()
        first_record = _n(f"{DATASET}{quote(self.dataset, safe='')}")
        for name in sorted(self._datasets | {self.dataset}):
            ds = _n(f"{DATASET}{quote(name, safe='')}")
            yield ds, TYPE, DCAT_DATASET
            yield ds, LABEL, ox.Literal(name)
        for local, rule in sorted(self._made.items()):
            node = _n(ACTOR[local])
            yield node, TYPE, C[rule.kind]
            yield node, LABEL, ox.Literal(rule.label, language="en")
            # The rule's actor is named by the dataset's records; its evidence is the dataset itself
            # as a record: the mapping rule that resolved it is named in recordProperty.
            ev = _n(f"{RECORD}{quote(self.dataset, safe='')}/rule/{local}")
            yield node, P["evidence"], ev
            yield ev, TYPE, C["RecordEvidence"]
            yield ev, P["recordId"], ox.Literal(f"{RULE_RECORD}{local}")
            yield ev, P["inDataset"], first_record
            yield ev, P["recordProperty"], ox.Literal("Sanction:authority" if rule.kind != "State" else "country")
            if rule.part_of:
                note = _n(f"{CUR}ftm-{local}-part-of-{rule.part_of}")
                parent = _n(ACTOR[rule.part_of])
                yield node, SUB_ORG, parent
                yield note, TYPE, C["CuratedStatement"]
                yield note, RDF_SUBJECT, node
                yield note, RDF_PREDICATE, SUB_ORG
                yield note, RDF_OBJECT, parent
                yield note, P["reason"], ox.Literal(rule.reason, language="en")


def _digest(data: dict[str, Any]) -> str:
    """The record's content, whatever the key order; first_seen/last_seen left out (they move every export)."""
    content = {"schema": data.get("schema"), "properties": data.get("properties"), "datasets": data.get("datasets")}
    return hashlib.sha1(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _timestamp(value: Any) -> str | None:
    """An FtM first_seen/last_seen as an xsd:dateTime lexical form, or None."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    return _instant(value)


@functools.lru_cache(maxsize=65536)  # an export's records share a few thousand instants
def _instant(value: str) -> str | None:
    from datetime import datetime  # noqa: PLC0415

    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None
