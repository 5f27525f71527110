"""A synthetic sanctions graph of a chosen size, shaped like a built dataset.

:func:`synthesize` returns an rdflib Dataset laid out as :func:`kg.build.build`
lays out the real one: the ontology graph, one named graph per (synthetic)
article, and a default graph naming the source of each graph with
``kg:sourceFile``. Each article graph holds one ``kg:NewsArticle`` with its
label, headline and full text, and the facts the article states; every fact
cites ``kg:evidence`` nodes ``<article>/quote/<n>`` whose ``kg:quote`` occurs
verbatim in that text (the text is the sentences quoted, in order).

The world: states and blocs (``org:memberOf``), their government bodies and
legislatures (``org:subOrganizationOf``), officials, legislators and scholars
holding posts (``kg:Post``), companies, think tanks and NGOs. The acts: sanctions
with a realistic skew (Zipf-like choices: a few imposers and targets account
for most acts), coordinated rounds (``kg:SanctionRound``), counter-sanctions
that answer an earlier sanction of the other side, on the same day or later,
and target people affiliated with its imposer, and statements about the acts.
An actor is described (type, label, post...) in the first article that
mentions it; later articles add evidence only, so no triple is repeated.

``violations=K`` injects exactly K violations of each named rule (the shape
that must report them): those of :data:`INJECTED` while the graph is made,
every other rule afterwards by :mod:`kg.breakage`, on nodes drawn with the
same seed (the rules with too few nodes to break get fewer). With violations the
dataset also holds an import of synthetic FollowTheMoney records (``graph/dataset/synth``,
``graph/links/synth``, as ``kg build`` reads ``kg import``'s files), so that the rules
of record evidence and links have nodes to break;
:func:`synthesize_with_truth` also returns the focus nodes they are on.
Only ``random.Random(seed)`` draws are used, and the dataset lists its graphs
in IRI order, so the same seed gives the same bytes through
:func:`kg.io.trig_bytes` in any process.
"""

from __future__ import annotations

import hashlib
import random
import re
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import ORG, XSD

from kg.io import default_graph
from kg.namespace import (
    ACT,
    ACTOR,
    GROUND,
    ID,
    KG,
    MEASURE,
    ONTOLOGY_GRAPH,
    PLACE,
    POST,
    PREFIXES,
    STANCE,
    article_graph,
    article_iri,
)

__all__ = ["INJECTED", "synthesize", "synthesize_with_truth", "write_synth"]

#: The violations ``violations=K`` injects, by the local name of the shape that reports them:
#: a quote not in its article, a counter-sanction dated before the sanction it answers,
#: a target count below the named targets, a sanction without an imposer.
INJECTED = (
    "Evidence_quoteInText",
    "Retaliation_order",
    "TargetCount_notBelowNamed",
    "Sanction_imposedBy",
)

# Terms, looked up once (DefinedNamespace attribute access is slow in a hot loop).
TYPE, LABEL = RDF.type, RDFS.label
HEADLINE, TEXT, PUBLISHED = (URIRef("https://schema.org/" + n) for n in ("headline", "text", "datePublished"))
MEMBER_OF, SUB_ORG_OF, ORG_MEMBER, ORG_ORG = ORG.memberOf, ORG.subOrganizationOf, ORG.member, ORG.organization
C_STATE, C_BLOC, C_BODY, C_LEGISLATURE, C_PERSON, C_POST, C_REGION = (
    KG.State, KG.Bloc, KG.GovernmentBody, KG.Legislature, KG.Person, KG.Post, KG.Region
)
C_COMPANY, C_THINK_TANK, C_NGO, C_PARTY = KG.Company, KG.ThinkTank, KG.NonGovernmentalOrganisation, KG.PoliticalParty
C_SANCTION, C_COUNTER, C_ROUND, C_STATEMENT, C_THREAT = (
    KG.Sanction, KG.CounterSanction, KG.SanctionRound, KG.Statement, KG.Threat
)
C_EVIDENCE, C_QUOTE_EVIDENCE, C_ARTICLE = KG.Evidence, KG.QuoteEvidence, KG.NewsArticle
P_EVIDENCE, P_QUOTE, P_IN_ARTICLE, P_SOURCE, P_SHA = KG.evidence, KG.quote, KG.inArticle, KG.sourceFile, KG.sha256
P_AFFILIATED, P_NATIONALITY, P_BASED_IN, P_JURISDICTION = KG.affiliatedWith, KG.nationality, KG.basedIn, KG.jurisdiction
P_TITLE, P_FROM, P_UNTIL, P_FORMER = KG.postTitle, KG.fromYear, KG.untilYear, KG.isFormer
P_IMPOSED, P_TARGET, P_COUNT, P_PERSONS, P_ORGS = (
    KG.imposedBy, KG.target, KG.targetCount, KG.personTargetCount, KG.organisationTargetCount
)
P_DATE, P_EARLIEST, P_LATEST = KG.date, KG.earliestDate, KG.latestDate
P_MEASURE, P_GROUND, P_GROUND_TEXT, P_TARGET_DESC = KG.measure, KG.ground, KG.groundText, KG.targetDescription
P_ROUND, P_RESPONDS, P_ANNOUNCED, P_REGION = KG.partOfRound, KG.respondsTo, KG.announcedBy, KG.concernsRegion
P_SPEAKER, P_BEHALF, P_STANCE, P_ABOUT, P_UNSTATED = KG.speaker, KG.onBehalfOf, KG.stance, KG.about, KG.speakerUnstated
ROUND = ID + "round/"
TRUE = Literal(True)

MEASURES = [
    (MEASURE.AssetFreeze, "asset freezes"),
    (MEASURE.TravelBan, "travel bans"),
    (MEASURE.FinancialServicesBan, "a ban on financial services"),
    (MEASURE.PropertyDealingsBan, "a ban on property dealings"),
    (MEASURE.ArmsEmbargo, "an arms embargo"),
]
GROUNDS = [
    (GROUND.HumanRightsViolations, "serious human-rights violations"),
    (GROUND.Repression, "the repression of minorities"),
    (GROUND.ArbitraryDetention, "the arbitrary detention of activists"),
    (GROUND.CrackdownOnDemocracy, "the crackdown on democracy"),
    (GROUND.Torture, "the torture of detainees"),
    (GROUND.ForcedSterilisation, "forced sterilisation"),
    (GROUND.Indoctrination, "political indoctrination in camps"),
    (GROUND.CrimesAgainstHumanity, "crimes against humanity"),
    (GROUND.SexualAbuse, "sexual abuse in detention"),
]
COUNTER_GROUNDS = [
    (GROUND.HarmToSovereignty, "harm to its sovereignty and interests"),
    (GROUND.Disinformation, "spreading lies and disinformation"),
    (GROUND.InterferenceInInternalAffairs, "interference in its internal affairs"),
    (GROUND.PoliticalInterference, "political interference"),
]
MONTHS = ("January February March April May June July August September October November December").split()

_CONS = "b d f g h k l m n p r s t v z ch sh th kh zh".split()
_VOWELS = "a e i o u a e o ai ei ou ia".split()
_STATE_ENDINGS = ("ia", "ara", "on", "istan", "land", "ovia", "esh", "ar", "eni", "ora")
_BLOC_ADJ = ("Northern", "Southern", "Eastern", "Western", "Atlantic", "Pacific", "Continental", "Central",
             "Coastal", "Highland", "Polar", "Equatorial", "Maritime", "Steppe", "Desert", "Island")
_BLOC_NOUN = ("Union", "Alliance", "Council", "Community", "Partnership", "Compact", "League", "Forum")
_MINISTRIES = ("Ministry of Public Security", "State Security Bureau", "Ministry of Justice",
               "Ministry of Defence", "Prison Administration", "Internet Information Office")
_REGION_WORDS = ("North", "South", "East", "West", "Upper", "Lower", "Great", "New")
_OFFICIAL_ROLES = ("head", "deputy head", "director", "deputy director", "secretary", "senior official",
                   "political commissar", "chief of staff")
_LEGISLATOR_ROLES = ("member", "member", "member", "vice-chair", "chair of the human-rights committee")
_SCHOLAR_ROLES = ("senior fellow", "researcher", "director", "visiting scholar")
_COMPANY_WORDS = ("Telecom Group", "Textile Company", "Surveillance Technologies", "Mining Corporation",
                  "Construction Corps", "Cotton Holdings", "Security Systems", "Shipping Line")
_NGO_WORDS = ("Democracy Foundation", "Human Rights Watchers", "Free Press Alliance", "Minority Rights Group")
_TANK_WORDS = ("Institute for Strategic Studies", "Centre for Policy Research", "Institute of Regional Studies")
_STANCE_VERBS = {
    STANCE.Condemnation: "condemned",
    STANCE.Denial: "rejected the accusations behind",
    STANCE.Threat: "threatened firm countermeasures against",
    STANCE.Justification: "defended",
    STANCE.Praise: "welcomed",
    STANCE.Concern: "expressed concern about",
    STANCE.Call: "called on partners to follow",
    STANCE.Announcement: "announced",
    STANCE.Accusation: "dismissed as disinformation",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _day(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _join(items: list[str], sep: str = ", ") -> str:
    if len(items) <= 1:
        return "".join(items)
    return sep.join(items[:-1]) + (f"{sep}and " if sep == "; " or len(items) > 2 else " and ") + items[-1]


class _Zipf:
    """Draws from a ranked list: item ``r`` (from 0) has weight ``1 / (r + 1) ** s``."""

    def __init__(self, items: list, s: float):
        self.items = items
        self.cum = list(accumulate(1 / (r + 1) ** s for r in range(len(items))))

    def draw(self, rng: random.Random, k: int = 1) -> list:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def distinct(self, rng: random.Random, k: int, exclude=()) -> list:
        """Up to ``k`` distinct items (in draw order), none of ``exclude``."""
        out: list = []
        for _ in range(8):
            for item in self.draw(rng, 2 * k):
                if item not in out and item not in exclude:
                    out.append(item)
                    if len(out) == k:
                        return out
        return out


class _Node:
    """An actor, post, region or round: its IRI, label, class and defining facts, emitted at first mention."""

    __slots__ = ("iri", "label", "cls", "facts", "deps", "phrase", "defined", "later")

    def __init__(self, iri: URIRef, label: str, cls: URIRef):
        self.iri = iri
        self.label = label
        self.cls = cls
        self.facts: list[tuple[URIRef, object]] = []  # (predicate, object term or _Node)
        self.deps: list[_Node] = []  # nodes to describe along with this one
        self.phrase = label  # how a sentence names it
        self.defined = False
        self.later: list = []  # background sentences once described: (sentence, predicate, _Node)


class _World:
    """States, blocs and their people, built lazily (per side, from a seed of its own)."""

    def __init__(self, rng: random.Random, seed: int, budget: int):
        self.seed = seed
        self.slugs: dict[str, int] = {}
        names: list[str] = []
        n_states = max(8, min(160, int(8 + budget**0.5 / 5)))
        n_blocs = max(2, n_states // 10)
        self.people_per_side = max(6, min(400, budget // (n_states * 25)))
        while len(names) < n_states:
            name = self._word(rng, 2).capitalize() + rng.choice(_STATE_ENDINGS)
            if name not in names:
                names.append(name)
        self.states = [self._node(ACTOR, name, C_STATE) for name in names]
        bloc_names: list[str] = []
        while len(bloc_names) < n_blocs:
            name = f"{rng.choice(_BLOC_ADJ)} {rng.choice(_BLOC_NOUN)}"
            if name not in bloc_names:
                bloc_names.append(name)
        self.blocs = []
        for name in bloc_names:
            bloc = self._node(ACTOR, name, C_BLOC)
            bloc.phrase = "the " + name
            self.blocs.append(bloc)
        self.members: dict[URIRef, list[_Node]] = {b.iri: [] for b in self.blocs}
        self.blocs_of: dict[URIRef, list[_Node]] = {s.iri: [] for s in self.states}
        for state in self.states:
            draw = rng.random()
            for bloc in rng.sample(self.blocs, k=0 if draw < 0.35 else 1 if draw < 0.85 else 2):
                self.members[bloc.iri].append(state)
                self.blocs_of[state.iri].append(bloc)
                state.later.append((f"{state.label} is a member of {bloc.phrase}.", MEMBER_OF, bloc))
        sides = self.states + self.blocs
        rng.shuffle(sides)
        self.imposers = _Zipf(sides, 1.5)  # who sanctions: a few sides make most of the acts
        ranked = list(self.states)
        rng.shuffle(ranked)
        self.targets = _Zipf(ranked, 1.4)  # whose people are sanctioned
        self._sides: dict[URIRef, dict] = {}

    def _word(self, rng: random.Random, syllables: int) -> str:
        return "".join(rng.choice(_CONS) + rng.choice(_VOWELS) for _ in range(syllables))

    def _node(self, ns, label: str, cls: URIRef, slug: str | None = None) -> _Node:
        """A node with an IRI not used before (``-2``, ``-3``... after a repeated name)."""
        base = slug or _slug(label)
        n = self.slugs.get(base, 0) + 1
        self.slugs[base] = n
        return _Node(ns[base if n == 1 else f"{base}-{n}"], label, cls)

    def allied(self, a: _Node, b: _Node) -> bool:
        """Same side, a bloc and one of its members, or two members of one bloc."""
        if a is b:
            return True
        blocs_a = {x.iri for x in self.blocs_of.get(a.iri, [])} | ({a.iri} if a.cls == C_BLOC else set())
        blocs_b = {x.iri for x in self.blocs_of.get(b.iri, [])} | ({b.iri} if b.cls == C_BLOC else set())
        return bool(blocs_a & blocs_b)

    def side(self, side: _Node) -> dict:
        """The bodies, people and organisations of a state or bloc (made on first use)."""
        found = self._sides.get(side.iri)
        if found is None:
            found = self._sides[side.iri] = self._make_side(side)
        return found

    def _body(self, side: _Node, label: str, cls: URIRef = C_BODY) -> _Node:
        body = self._node(ACTOR, label, cls)
        body.phrase = "the " + label
        body.facts.append((SUB_ORG_OF, side))
        body.deps.append(side)
        return body

    def _person(self, rng: random.Random, side: _Node, org: _Node, role: str, of: str = "of") -> _Node:
        name = f"{self._word(rng, 2).capitalize()} {self._word(rng, rng.randint(1, 2)).capitalize()}"
        person = self._node(ACTOR, name, C_PERSON)
        title = f"{role} {of} {org.phrase}"
        post = self._node(POST, f"{name}, {title}", C_POST, slug=f"{person.iri.rsplit('/', 1)[1]}-{_slug(role)}")
        post.facts += [(P_TITLE, Literal(title)), (ORG_MEMBER, person), (ORG_ORG, org)]
        post.deps.append(org)
        former = rng.random() < 0.2
        if rng.random() < 0.4:
            start = rng.randint(1995, 2020)
            post.facts.append((P_FROM, Literal(str(start), datatype=XSD.gYear)))
            if former:
                post.facts.append((P_UNTIL, Literal(str(start + rng.randint(0, 8)), datatype=XSD.gYear)))
        if former:
            post.facts.append((P_FORMER, TRUE))
        person.phrase = f"{name}, {'the former ' if former else ''}{title}"
        person.facts.append((P_AFFILIATED, side))
        if side.cls == C_STATE:
            person.facts.append((P_NATIONALITY, side))
        person.deps += [post, side]
        return person

    def _make_side(self, side: _Node) -> dict:
        rng = random.Random(f"{self.seed}/{side.iri}")
        name = side.label
        of = f"of {side.phrase}"
        if side.cls == C_BLOC:
            foreign = self._body(side, f"External Action Service {of}")
            council = self._body(side, f"Council {of}")
            legislature = self._body(side, f"Parliament {of}", C_LEGISLATURE)
            bodies, regions = [council], []
            leader = self._person(rng, side, council, "President")
        else:
            foreign = self._body(side, f"Ministry of Foreign Affairs {of}")
            legislature = self._body(side, f"National Assembly {of}", C_LEGISLATURE)
            bodies = [self._body(side, f"{m} {of}") for m in rng.sample(_MINISTRIES, k=3)]
            regions = []
            for word in rng.sample(_REGION_WORDS, k=2):
                region = self._node(PLACE, f"{word} {name}", C_REGION)
                regions.append(region)
                bodies.append(self._body(side, f"Party Committee of {region.label}"))
            leader = self._person(rng, side, side, rng.choice(("Prime Minister", "President")))
        spokesperson = self._person(rng, side, foreign, "spokesperson")
        orgs: list[_Node] = []
        home = side if side.cls == C_STATE else None
        for i in range(max(2, self.people_per_side // 5)):
            kind = rng.random()
            if kind < 0.4 and home is not None:
                label, cls = f"{self._word(rng, 2).capitalize()} {rng.choice(_COMPANY_WORDS)}", C_COMPANY
            elif kind < 0.7:
                label, cls = f"{self._word(rng, 2).capitalize()} {rng.choice(_TANK_WORDS)}", C_THINK_TANK
            elif kind < 0.95 or home is None:
                label, cls = f"{self._word(rng, 2).capitalize()} {rng.choice(_NGO_WORDS)}", C_NGO
            else:
                label, cls = f"{name} People's Party" if i else f"{name} Liberty Party", C_PARTY
            org = self._node(ACTOR, label, cls)
            org.phrase = "the " + label
            based = home or (rng.choice(self.members[side.iri]) if self.members[side.iri] else None)
            if based is not None:
                org.facts.append((P_BASED_IN, based))
                org.deps.append(based)
            if home is None:
                org.facts.append((P_AFFILIATED, side))
                org.deps.append(side)
            orgs.append(org)
        officials, legislators, scholars = [], [], []
        tanks = [o for o in orgs if o.cls == C_THINK_TANK]
        for _ in range(self.people_per_side):
            kind = rng.random()
            if kind < 0.55:
                officials.append(self._person(rng, side, rng.choice(bodies + [foreign]), rng.choice(_OFFICIAL_ROLES)))
            elif kind < 0.85 or not tanks:
                legislators.append(self._person(rng, side, legislature, rng.choice(_LEGISLATOR_ROLES)))
            else:
                scholars.append(self._person(rng, side, rng.choice(tanks), rng.choice(_SCHOLAR_ROLES), "at"))
        for region, body in zip(regions, bodies[-len(regions):] if regions else []):
            for person in officials:
                post = person.deps[0]
                if any(obj is body for _, obj in post.facts):
                    post.facts.append((P_JURISDICTION, region))
                    post.deps.append(region)
        # Whom others sanction (officials, security bodies, companies), and whom this side's
        # enemies answer (its legislators, scholars, NGOs, think tanks, officials).
        sanctionable = officials + bodies + [o for o in orgs if o.cls == C_COMPANY] + legislators[:2]
        rng.shuffle(sanctionable)
        answerable = legislators + scholars + [o for o in orgs if o.cls != C_COMPANY] + officials[:3]
        rng.shuffle(answerable)
        return {
            "foreign": foreign,
            "leader": leader,
            "spokesperson": spokesperson,
            "regions": regions,
            "sanctionable": _Zipf(sanctionable or [spokesperson], 1.0),
            "answerable": _Zipf(answerable or [spokesperson], 1.0),
        }


def _ontology(ontology_dir: str) -> tuple[tuple, str]:
    """The ontology's triples (blank nodes canonically named, as build names them) and its source files."""
    from rdflib import Graph  # noqa: PLC0415
    from rdflib.compare import to_canonical_graph  # noqa: PLC0415

    from kg.io import parse_into  # noqa: PLC0415

    files = sorted(Path(ontology_dir).glob("*.ttl"))
    parsed = Graph()
    for path in files:
        parse_into(parsed, path)
    return tuple(sorted(to_canonical_graph(parsed))), ", ".join(f"ontology/{p.name}" for p in files)


class _Generator:
    def __init__(self, triples: int, seed: int, violations: int):
        from kg import paths  # noqa: PLC0415

        self.rng = rng = random.Random(seed)
        self.ontology, self.ontology_source = _ontology(str(paths.ontology_dir()))
        self.goal = triples
        budget = max(0, triples - len(self.ontology))
        self.world = _World(rng, seed, budget)
        self.quads: list[tuple] = []
        self.graphs: list[URIRef] = []
        self.acts: dict[str, int] = {}
        self.history: list[dict] = []  # the sanctions so far, for late answers
        self.truth: dict[str, set[str]] = {name: set() for name in INJECTED}
        # Where to inject: K stories for each kind among the first three quarters or so of the stories
        # (about 80 triples each); what a run does not reach is injected in the stories after the last.
        expected = max(1, budget // 110)
        self.plan: dict[int, list[str]] = {}
        for name in INJECTED:
            for story in sorted(rng.sample(range(expected), k=min(violations, expected))):
                self.plan.setdefault(story, []).append(name)
        self.left = {name: violations - min(violations, expected) for name in INJECTED}
        self.stories = 0

    # ----------------------------------------------------------------- output

    def count(self) -> int:
        return len(self.ontology) + len(self.quads) + len(self.graphs) + 1

    def add(self, s, p, o) -> None:
        self.quads.append((s, p, o, self.graph))

    def begin_article(self, number: int) -> None:
        slug = f"synth-{number}"
        self.article = article_iri(slug)
        self.graph = article_graph(slug)
        self.graphs.append(self.graph)
        self.sentences: list[str] = []
        self.bad: list[str] = []
        self.quote_no = 0
        self.latest = date(2000, 1, 1)

    def end_article(self, headline: str) -> None:
        a, rng = self.article, self.rng
        body = " ".join(self.sentences)
        self.say(headline, [a])
        text = headline + "\n\n" + body
        for quote in self.bad:
            if quote in text:  # cannot happen with the sentences made here; a bad injection would be silent
                raise RuntimeError(f"injected quote occurs in the text: {quote!r}")
        published = self.latest + timedelta(days=rng.randint(0, 2))
        self.add(a, TYPE, C_ARTICLE)
        self.add(a, LABEL, Literal(headline, lang="en"))
        self.add(a, HEADLINE, Literal(headline))
        self.add(a, TEXT, Literal(text))
        self.add(a, P_SHA, Literal(hashlib.sha256(text.encode("utf-8")).hexdigest(), datatype=XSD.hexBinary))
        self.add(a, PUBLISHED, Literal(published.isoformat(), datatype=XSD.date))
        self.add(a, P_SOURCE, Literal("synth"))

    def say(self, sentence: str, about: list, bad: bool = False) -> URIRef:
        """A sentence of the article, quoted as evidence of ``about`` (nodes or IRIs)."""
        self.quote_no += 1
        ev = URIRef(f"{self.article}/quote/{self.quote_no}")
        self.sentences.append(sentence)
        quote = sentence
        if bad:  # a quote the text does not contain: what a careless curator might paste
            quote = "Reportedly, " + sentence[0].lower() + sentence[1:]
            self.bad.append(quote)
            self.truth["Evidence_quoteInText"].add(str(ev))
        self.add(ev, TYPE, C_EVIDENCE)
        self.add(ev, TYPE, C_QUOTE_EVIDENCE)
        self.add(ev, P_QUOTE, Literal(quote))
        self.add(ev, P_IN_ARTICLE, self.article)
        pending: list = []
        seen: set = set()
        for item in about:
            self.mention(item, ev, seen, pending)
        for text, owner, predicate, other in pending:  # background the first mentions called for
            self.say(text, [owner, other])
            self.add(owner.iri, predicate, other.iri)
        return ev

    def mention(self, item, ev: URIRef, seen: set, pending: list) -> None:
        """Cite ``ev`` for a node; describe it (and what it depends on) the first time it is named."""
        if isinstance(item, URIRef):
            if item not in seen:
                seen.add(item)
                self.add(item, P_EVIDENCE, ev)
            return
        if item.iri in seen:
            return
        seen.add(item.iri)
        if not item.defined:
            item.defined = True
            s = item.iri
            self.add(s, TYPE, item.cls)
            self.add(s, LABEL, Literal(item.label, lang="en"))
            for p, o in item.facts:
                self.add(s, p, o.iri if isinstance(o, _Node) else o)
            for dep in item.deps:
                self.mention(dep, ev, seen, pending)
            for text, predicate, other in item.later:
                pending.append((text, item, predicate, other))
        self.add(item.iri, P_EVIDENCE, ev)

    def act_iri(self, base: str) -> URIRef:
        n = self.acts.get(base, 0) + 1
        self.acts[base] = n
        return ACT[base if n == 1 else f"{base}-{n}"]

    # ----------------------------------------------------------------- stories

    def story(self, inject: list[str]) -> str:
        """One news story (a sanction, a round, or a late counter-sanction); returns a headline."""
        rng, world = self.rng, self.world
        kind = rng.random()
        if not inject and self.history and kind < 0.08:
            return self.late_counter()
        lead = world.imposers.draw(rng)[0]
        target = None
        for candidate in world.targets.distinct(rng, 6, exclude=[lead]):
            if not world.allied(lead, candidate):
                target = candidate
                break
        target = target or next(s for s in world.targets.items if s is not lead)
        imposers = [lead]
        if kind < 0.2:  # a coordinated round: allies sanction together
            for other in world.imposers.distinct(rng, rng.randint(1, 3), exclude=[lead, target]):
                if not world.allied(other, target) and len(imposers) < 4:
                    imposers.append(other)
        day = date(2008, 1, 1) + timedelta(days=rng.randrange(6400))
        by_day = len(imposers) > 1 or "Retaliation_order" in inject or rng.random() < 0.93
        pool = world.side(target)["sanctionable"]
        listed = pool.distinct(rng, rng.randint(2, 8) if len(imposers) > 1 else rng.randint(1, 5))
        if "TargetCount_notBelowNamed" in inject and len(listed) < 2:
            listed = pool.distinct(rng, 2) if len(pool.items) > 1 else listed
        round_node = None
        if len(imposers) > 1:
            labels = _join([i.label for i in imposers])
            round_node = _Node(URIRef(f"{ROUND}{_slug(target.label)}-{day.isoformat()}"), "", C_ROUND)
            while round_node.iri in self.acts:  # the same target and day twice
                round_node.iri = URIRef(round_node.iri + "-b")
            self.acts[round_node.iri] = 1
            round_node.label = f"Coordinated sanctions on {target.label} by {labels} ({_day(day)})"
            self.say(f"On {_day(day)} {labels} announced coordinated sanctions against officials of {target.label}.",
                     [round_node, *imposers])
        made = []
        for n, imposer in enumerate(imposers):
            named = listed if n == 0 else [t for t in listed if rng.random() < 0.7] or listed[:1]
            faults = [k for k in inject if k != "Retaliation_order"] if n == 0 else []
            made.append(self.sanction(imposer, target, named, day, by_day, round_node, faults))
        answered = [made[0]] if "Retaliation_order" in inject else [m for m in made if rng.random() < 0.35]
        for original in answered[:2]:
            late = "Retaliation_order" in inject and original is made[0]
            self.counter(original, early=late)
        for m in made:
            self.reactions(m)
        first = made[0]
        return (f"{lead.label} sanctions {len(listed)} from {target.label} over "
                f"{first['ground_phrase'].removeprefix('the ')}")

    def late_counter(self) -> str:
        original = self.history[self.rng.randrange(len(self.history))]
        counter = self.counter(original, delay=self.rng.randint(15, 400))
        self.reactions(counter)
        return f"{original['target'].label} answers {original['imposer'].label}'s sanctions"

    def _date_facts(self, iri: URIRef, day: date, by_day: bool) -> tuple[str, date, date]:
        """Add the act's date (a day, or a month as bounds); return its phrase and earliest and latest days."""
        if by_day:
            self.add(iri, P_DATE, Literal(day.isoformat(), datatype=XSD.date))
            return f"On {_day(day)}", day, day
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        self.add(iri, P_EARLIEST, Literal(first.isoformat(), datatype=XSD.date))
        self.add(iri, P_LATEST, Literal(last.isoformat(), datatype=XSD.date))
        return f"In {MONTHS[day.month - 1]} {day.year}", first, last

    def _targets(self, iri: URIRef, named: list[_Node], person_word: str, faulty: bool) -> tuple[str, int]:
        """Add the named targets and the counts; return the article's description of them and their total."""
        rng = self.rng
        persons = sum(1 for t in named if t.cls == C_PERSON)
        others = len(named) - persons
        extra_p = rng.choice((0, 0, 1, 2, 4, 8)) if persons else rng.choice((0, 0, 2))
        extra_o = rng.choice((0, 0, 0, 1, 3))
        p_total, o_total = persons + extra_p, others + extra_o
        total = p_total + o_total
        for t in named:
            self.add(iri, P_TARGET, t.iri)
        self.add(iri, P_COUNT, Literal(len(named) - 1 if faulty else total))
        if faulty:
            self.truth["TargetCount_notBelowNamed"].add(str(iri))
        if p_total:
            self.add(iri, P_PERSONS, Literal(p_total))
        if o_total:
            self.add(iri, P_ORGS, Literal(o_total))
        parts = ([f"{p_total} {person_word}"] if p_total else []) + ([f"{o_total} entities"] if o_total else [])
        description = " and ".join(parts)
        self.add(iri, P_TARGET_DESC, Literal(description))
        return description, total

    def _measures(self, iri: URIRef) -> str:
        rng = self.rng
        if rng.random() < 0.08:
            self.add(iri, P_MEASURE, MEASURE.Unspecified)
            return "sanctions"
        chosen = sorted(rng.sample(range(len(MEASURES)), k=rng.choice((1, 2, 2, 3))))
        for i in chosen:
            self.add(iri, P_MEASURE, MEASURES[i][0])
        return _join([MEASURES[i][1] for i in chosen])

    def _grounds(self, iri: URIRef, grounds: list) -> str:
        chosen = sorted(self.rng.sample(range(len(grounds)), k=self.rng.choice((1, 1, 2))))
        for i in chosen:
            self.add(iri, P_GROUND, grounds[i][0])
        phrase = _join([grounds[i][1] for i in chosen])
        self.add(iri, P_GROUND_TEXT, Literal(phrase))
        return phrase

    def sanction(self, imposer, target, named, day, by_day, round_node, faults) -> dict:
        rng = self.rng
        iri = self.act_iri(f"{_slug(imposer.label)}-{day.isoformat()}-sanction")
        self.add(iri, TYPE, C_SANCTION)
        if "Sanction_imposedBy" in faults:
            self.truth["Sanction_imposedBy"].add(str(iri))
        else:
            self.add(iri, P_IMPOSED, imposer.iri)
        when, earliest, latest = self._date_facts(iri, day, by_day)
        description, total = self._targets(iri, named, "officials", "TargetCount_notBelowNamed" in faults)
        measures = self._measures(iri)
        grounds = self._grounds(iri, GROUNDS)
        if round_node is not None:
            self.add(iri, P_ROUND, round_node.iri)
        self.add(iri, LABEL, Literal(f"{imposer.label} sanctions {description} of {target.label} ({when[3:]})",
                                     lang="en"))
        about: list = [iri, imposer, *named]
        side = self.world.side(target)
        if side["regions"] and rng.random() < 0.5:
            region = rng.choice(side["regions"])
            self.add(iri, P_REGION, region.iri)
            about.append(region)
            grounds += f" in {region.label}"
        names = _join([t.phrase for t in named], "; ")
        listed = f"{description}, including {names}" if len(named) < total else names
        sentence = f"{when} {imposer.label} imposed {measures} on {listed}, citing {grounds}."
        self.say(sentence, about, bad="Evidence_quoteInText" in faults)
        if rng.random() < 0.3:
            foreign = self.world.side(imposer)["foreign"]
            self.add(iri, P_ANNOUNCED, foreign.iri)
            self.say(f"The measures were announced by {foreign.phrase}.", [iri, foreign])
        self.latest = max(self.latest, latest)
        record = {"iri": iri, "imposer": imposer, "target": target, "earliest": earliest, "latest": latest,
                  "by_day": by_day, "when": when, "ground_phrase": grounds}
        self.history.append(record)
        return record

    def counter(self, original: dict, early: bool = False, delay: int | None = None) -> dict:
        """``original``'s target answers with a counter-sanction on people affiliated with its imposer."""
        rng, world = self.rng, self.world
        imposer, answered_side = original["target"], original["imposer"]
        if early:  # an injected violation: dated before the sanction it answers
            day = original["earliest"] - timedelta(days=rng.randint(1, 30))
        else:
            if delay is None:
                delay = rng.choice((0, 0, 0, 1, 2, 3, 5, 7, 14, 30))
            day = original["latest"] + timedelta(days=delay)
        iri = self.act_iri(f"{_slug(imposer.label)}-{day.isoformat()}-counter-sanction")
        if early:
            self.truth["Retaliation_order"].add(str(iri))
        named = world.side(answered_side)["answerable"].distinct(rng, rng.randint(1, 6))
        self.add(iri, TYPE, C_COUNTER)
        self.add(iri, P_IMPOSED, imposer.iri)
        self.add(iri, P_RESPONDS, original["iri"])
        self.add(iri, P_DATE, Literal(day.isoformat(), datatype=XSD.date))
        description, _ = self._targets(iri, named, "people", False)
        measures = self._measures(iri)
        grounds = self._grounds(iri, COUNTER_GROUNDS)
        self.add(iri, LABEL, Literal(
            f"{imposer.label} counter-sanctions {description} of {answered_side.label} ({_day(day)})", lang="en"))
        names = _join([t.phrase for t in named], "; ")
        sentence = (f"On {_day(day)} {imposer.label} answered the sanctions {answered_side.label} imposed "
                    f"{original['when'][0].lower()}{original['when'][1:]} with {measures} on {names}, citing "
                    f"{grounds}.")
        self.say(sentence, [iri, imposer, answered_side, *named, original["iri"]])
        self.latest = max(self.latest, day)
        return {"iri": iri, "imposer": imposer, "target": answered_side, "earliest": day, "latest": day,
                "by_day": True, "when": f"On {_day(day)}", "counter": True}

    def reactions(self, act: dict) -> None:
        """Statements about an act: the target condemns or threatens, the imposer justifies, others praise."""
        rng, world = self.rng, self.world
        options = [
            (0.45, act["target"], (STANCE.Condemnation, STANCE.Denial, STANCE.Threat, STANCE.Accusation)),
            (0.2, act["imposer"], (STANCE.Justification, STANCE.Announcement, STANCE.Call)),
            (0.12, None, (STANCE.Praise, STANCE.Concern)),
        ]
        for p, side, stances in options:
            if rng.random() >= p:
                continue
            stance = rng.choice(stances)
            if side is None:
                side = world.imposers.draw(rng)[0]
                if side is act["imposer"] or side is act["target"]:
                    continue
            day = act["latest"] + timedelta(days=rng.choice((0, 0, 1, 2)))
            parts = world.side(side)
            unstated = rng.random() < 0.05
            speaker = rng.choice((parts["spokesperson"], parts["spokesperson"], parts["foreign"], parts["leader"]))
            kind = "counter-sanctions" if act.get("counter") else "sanctions"
            iri = self.act_iri(f"{_slug(side.label)}-{_slug(stance.rsplit('/', 1)[1])}-{day.isoformat()}")
            self.add(iri, TYPE, C_THREAT if stance == STANCE.Threat else C_STATEMENT)
            self.add(iri, P_STANCE, stance)
            self.add(iri, P_ABOUT, act["iri"])
            self.add(iri, P_DATE, Literal(day.isoformat(), datatype=XSD.date))
            verb = _STANCE_VERBS[stance]
            what = f"the {kind} {act['imposer'].label} announced {act['when'][0].lower()}{act['when'][1:]}"
            if unstated:
                self.add(iri, P_UNSTATED, TRUE)
                self.add(iri, LABEL, Literal(f"Unattributed statement on {what}", lang="en"))
                self.say(f"A statement quoted by the press {verb} {what}.", [iri, act["iri"]])
            else:
                self.add(iri, P_SPEAKER, speaker.iri)
                self.add(iri, P_BEHALF, side.iri)
                self.add(iri, LABEL, Literal(f"{speaker.label} {verb} {what}", lang="en"))
                self.say(f"{speaker.phrase[0].upper()}{speaker.phrase[1:]} {verb} {what}.",
                         [iri, speaker, side, act["iri"]])
            self.latest = max(self.latest, day)

    # ----------------------------------------------------------------- run

    def run(self) -> None:
        from kg.progress import bar  # noqa: PLC0415

        rng = self.rng
        article = 0
        with bar(desc="generating", total=self.goal, unit="triple", unit_scale=True) as progress:
            while not self.finished():
                self.begin_article(article)
                headline = None
                for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 6))):  # a report, or a round-up of several stories
                    line = self.story(self.next_injections())
                    headline = headline or line
                    self.stories += 1
                    if self.finished():
                        break
                self.end_article(headline)
                article += 1
                progress.update(min(self.count(), self.goal) - progress.n)

    def finished(self) -> bool:
        if self.count() < self.goal:
            return False
        for story in [s for s in self.plan if s >= self.stories]:  # planned stories that will not come
            for name in self.plan.pop(story):
                self.left[name] += 1
        return not any(self.left.values())

    def next_injections(self) -> list[str]:
        """The violations the next story carries: as planned, or once the size is reached, one of each left."""
        inject = self.plan.pop(self.stories, [])
        if self.count() >= self.goal:
            inject = [name for name in INJECTED if self.left[name]]
            for name in inject:
                self.left[name] -= 1
        return inject

    def dataset(self) -> Dataset:
        ds = Dataset(default_union=True)
        for prefix, ns in PREFIXES.items():
            ds.bind(prefix, ns, override=True, replace=True)
        ontology = ds.graph(ONTOLOGY_GRAPH)
        ds.addN((s, p, o, ontology) for s, p, o in self.ontology)
        graphs = {iri: ds.graph(iri) for iri in self.graphs}
        ds.addN((s, p, o, graphs[g]) for s, p, o, g in self.quads)
        default = default_graph(ds)
        default.add((ONTOLOGY_GRAPH, P_SOURCE, Literal(self.ontology_source, datatype=XSD.string)))
        synth = Literal("synth", datatype=XSD.string)
        default.addN((g, P_SOURCE, synth, default) for g in self.graphs)
        return ds


def _run(triples: int, seed: int, violations: int) -> _Generator:
    if triples < 0 or violations < 0:
        raise ValueError("triples and violations must not be negative")
    gen = _Generator(triples, seed, violations)
    gen.run()
    return gen


def _import_records(ds: Dataset, seed: int, entities: int) -> None:
    """A FollowTheMoney export of about ``entities`` entities (:func:`kg.ftm.synth.synth_ftm`, a share of its
    people the graph's article actors under a list's spelling), imported by ``kg import`` with its links
    and read as ``kg build`` reads an import: the graphs ``graph/dataset/synth`` (record evidence) and
    ``graph/links/synth`` (asserted links and candidates)."""
    import tempfile  # noqa: PLC0415

    from kg.build import _read_imports  # noqa: PLC0415
    from kg.ftm.importer import import_ftm  # noqa: PLC0415
    from kg.ftm.matcher import actors_of  # noqa: PLC0415
    from kg.ftm.synth import write_ftm_synth  # noqa: PLC0415

    actors = actors_of(ds)
    with tempfile.TemporaryDirectory(prefix="kg-synth-") as tmp:
        source, data = Path(tmp) / "synth.ftm.json", Path(tmp) / "data"
        write_ftm_synth(source, entities, seed, actors, plant_share=0.5)
        import_ftm(source, "synth", data_dir=data, actors=actors)
        _read_imports(ds, data)


def _with_breakage(gen: _Generator, seed: int, violations: int) -> tuple[Dataset, dict[str, set[str]]]:
    """The generated dataset, with every other rule than :data:`INJECTED` broken ``violations`` times.

    With violations, the graph also holds an import (:func:`_import_records`), so that the rules of
    record evidence and links have nodes to be broken on (and nodes that still satisfy them)."""
    ds = gen.dataset()
    truth = {name: set(nodes) for name, nodes in gen.truth.items()}
    if violations:
        from kg.breakage import inject  # noqa: PLC0415

        # a link rule needs K links: half the targets are the graph's actors (or decoys of them) while any
        # are left, and about three in five of those become links (asserted or candidates); 25 entities per
        # K and some to spare, or one per 200 triples of the graph on large graphs
        _import_records(ds, seed, max(20 + 25 * violations, gen.goal // 200))
        avoid = {URIRef(n) for nodes in truth.values() for n in nodes}
        truth.update(inject(ds, violations, random.Random(f"{seed}-breakage"), skip=INJECTED, avoid=avoid))
    return ds, truth


def synthesize_with_truth(triples: int, seed: int = 0, violations: int = 0) -> tuple[Dataset, dict[str, set[str]]]:
    """A synthetic dataset of about ``triples`` triples (ontology included), and its injected violations.

    The dict maps the local name of each rule that reports violations to the IRIs of the
    focus nodes it must report (``violations`` of each; no entry but :data:`INJECTED`'s when 0).
    """
    return _with_breakage(_run(triples, seed, violations), seed, violations)


def synthesize(triples: int, seed: int = 0, violations: int = 0) -> Dataset:
    """A synthetic dataset of about ``triples`` triples, shaped like :func:`kg.build.build`'s."""
    return synthesize_with_truth(triples, seed, violations)[0]


def write_synth(path: Path | str, triples: int, seed: int = 0, violations: int = 0) -> tuple[int, dict[str, set[str]]]:
    """Write a synthetic dataset as TriG, atomically; return its number of triples and the injected violations."""
    from kg.io import atomic_write, trig_bytes  # noqa: PLC0415

    gen = _run(triples, seed, violations)
    ds, truth = _with_breakage(gen, seed, violations)
    atomic_write(path, trig_bytes(ds, PREFIXES))
    return (gen.count() if not violations else len(ds)), truth
