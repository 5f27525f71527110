"""Actors in an article: found by name, resolved against the graph, drafted when new.

:class:`GraphIndex` holds what the graph already knows (``data/facts``):
every actor's labels and ``skos:altLabel``s, its class, its state (for a
body, ``org:subOrganizationOf``), places and acts. :class:`Resolver` finds
the mentions of one sentence:

* names the graph already has (case and accents ignored; possessives are
  separate tokens, so "China's" is "China");
* states by name, demonym and capital (``rules/states.yaml``; other country
  names through the countrynames library), always reused by ISO code;
* government bodies (``rules/bodies.yaml``), whose state is the one named
  with them ("China's foreign ministry") or, for "the foreign ministry", the
  state whose act the article reported last;
* people after a title ("Senator Marco Rubio") or as capitalised names,
  organisations by their words ("Institute", "Foundation") or by the noun
  before them ("firms Lockheed Martin and Raytheon"), unnamed organisations
  ("a Danish democracy organization");
* counted groups ("11 U.S. citizens", "313 Canadians", "four entities").

A person the graph has is also found by surname alone, and by a spelling
within a small edit distance (rapidfuzz); every actor the graph already has
keeps its IRI, so a draft never duplicates one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from kg.ingest.rules import Rules
from kg.ingest.text import Text, fold
from kg.namespace import ACTOR, KG, PLACE

__all__ = ["Actor", "GraphIndex", "Mention", "Resolver", "slugify"]

ORG = "http://www.w3.org/ns/org#"
ACTOR_CLASSES = ("State", "Bloc", "GovernmentBody", "Legislature", "Organisation", "Company", "NonGovernmentalOrganisation",
                 "ThinkTank", "PoliticalParty", "Person")
_PREPOSITIONS = {"for", "to", "against", "on", "of", "by", "with", "from", "at", "in", "over", "into", "about", "toward",
                 "towards", "than", "like", "between", "among", "across", "upon", "under", "including"}


def slugify(text: str) -> str:
    """An IRI-safe slug of a label.

    Examples
    --------
    >>> slugify("Foreign ministry of China")
    'foreign-ministry-of-china'
    >>> slugify("Reinhard Bütikofer")
    'reinhard-butikofer'
    """
    text = fold(text).lower().replace("'s ", "s ").replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "x"


def norm(text: str) -> str:
    """A name as compared: folded, lower case, single spaces, no leading "the"."""
    text = re.sub(r"\s+", " ", fold(text).lower().replace("’", "'")).strip(" .,")
    return text[4:] if text.startswith("the ") else text


@dataclass(eq=False)
class Actor:
    """An actor of the draft: one the graph has (``existing``) or a new one."""

    iri: URIRef
    label: str
    kind: str
    existing: bool
    rule: str
    quotes: list[str] = field(default_factory=list)
    code: str | None = None
    state: "Actor | None" = None
    state_rel: str = ""  # subOrganizationOf | nationality | basedIn | affiliatedWith
    unnamed: bool = False
    posts: list[tuple[str, "Actor", str]] = field(default_factory=list)  # (title, organisation, quote)
    acts_for_state: bool = False

    def cite(self, quote: str) -> None:
        if quote and quote not in self.quotes:
            self.quotes.append(quote)

    @property
    def side(self) -> "Actor":
        """The state or bloc this actor acts for (itself for a state)."""
        if self.kind in ("State", "Bloc"):
            return self
        return self.state.side if self.state is not None and self.state is not self else self


@dataclass
class Mention:
    """A stretch of tokens that names an actor, a counted group, a region or a title."""

    start: int
    end: int
    what: str  # actor | count | region | title | demonym
    actor: Actor | None = None
    role: str = ""  # name | capital | demonym | body | person | org | unnamed
    count: int | None = None
    counts: str = ""  # person | organisation
    noun_kind: str = ""
    from_state: Actor | None = None
    region: tuple[URIRef, str, bool] | None = None  # (iri, label, existing)
    title: dict | None = None
    possessive: bool = False


@dataclass
class ExistingAct:
    iri: URIRef
    kinds: set[str]
    actors: set[URIRef]
    targets: set[URIRef]
    label: str
    target_states: set[URIRef] = field(default_factory=set)  # the states its targets belong to (or are)
    #: the first day the act can have happened (its day, else its earliest date; stated or curated), if known
    earliest: str | None = None


class GraphIndex:
    """What the graph (the facts files of ``data/``) already knows about actors, places and acts."""

    def __init__(self) -> None:
        self.actors: dict[URIRef, dict] = {}
        self.names: dict[str, list[URIRef]] = {}
        self.places: dict[str, tuple[URIRef, str]] = {}
        self.acts: list[ExistingAct] = []
        self.codes: dict[str, URIRef] = {}

    @classmethod
    def from_data(cls, data_dir: Path | str, exclude: set[str] | frozenset = frozenset(), rules: Rules | None = None) -> "GraphIndex":
        """Read ``data_dir/facts/*.ttl`` (less the slugs in ``exclude``).

        The index is cached (:mod:`kg.ingest.cache`) under the digest of the files' bytes
        and of the rules it was made with, so it is read from Turtle only when they change.
        """
        from kg.ingest.cache import cached, digest  # noqa: PLC0415

        paths = [p for p in sorted(Path(data_dir).glob("facts/*.ttl")) if p.stem not in exclude]
        curation = Path(data_dir) / "curation.ttl"
        curation = curation if curation.is_file() else None
        try:
            parts = [b"\0".join(str(p.name).encode() + b"\0" + p.read_bytes() for p in paths)]
            parts.append(curation.read_bytes() if curation is not None else b"")
        except OSError:
            return cls._read(paths, rules, curation)  # which names the file it cannot read
        from kg.ingest.rules import rules_digest  # noqa: PLC0415

        parts.append(rules_digest(rules).encode() if rules is not None else b"")
        return cached("index", digest(parts), lambda: cls._read(paths, rules, curation))

    @classmethod
    def _read(cls, paths: list[Path], rules: Rules | None, curation: Path | None = None) -> "GraphIndex":
        from kg.io import parse_into  # noqa: PLC0415

        graph = Graph()
        for path in paths:
            parse_into(graph, path)
        # Most days are worked out, so curated: an act's curated day or earliest date says what it cannot answer.
        if curation is not None:
            curated = Graph()
            parse_into(curated, curation)
            for note in curated.subjects(RDF.type, KG.CuratedStatement):
                predicate = curated.value(note, RDF.predicate)
                if predicate in (KG.date, KG.earliestDate):
                    graph.add((curated.value(note, RDF.subject), predicate, curated.value(note, RDF.object)))
        return cls.from_graph(graph, rules)

    @classmethod
    def from_graph(cls, graph: Graph, rules: Rules | None = None) -> "GraphIndex":
        index = cls()
        classes = {KG[name]: name for name in ACTOR_CLASSES}
        order = {name: i for i, name in enumerate(("Person", "Company", "NonGovernmentalOrganisation", "ThinkTank",
                                                    "PoliticalParty", "Legislature", "GovernmentBody", "Organisation",
                                                    "Bloc", "State"))}
        for s, cls_ in graph.subject_objects(RDF.type):
            if cls_ in classes and isinstance(s, URIRef):
                entry = index.actors.setdefault(s, {"kinds": set(), "labels": [], "alts": [], "parent": None})
                entry["kinds"].add(classes[cls_])
        for iri, entry in index.actors.items():
            entry["kind"] = min(entry["kinds"], key=lambda k: order.get(k, 99))
            entry["labels"] = sorted({str(l) for l in graph.objects(iri, RDFS.label)})
            entry["alts"] = sorted({str(l) for l in graph.objects(iri, SKOS.altLabel)})
            parent = graph.value(iri, URIRef(ORG + "subOrganizationOf"))
            entry["parent"] = parent
            for name in entry["labels"] + entry["alts"]:
                index.names.setdefault(norm(name), [])
                if iri not in index.names[norm(name)]:
                    index.names[norm(name)].append(iri)
        if rules is not None:
            index.codes = index._state_codes(rules)
        for cls_ in (KG.Region, KG.Place):
            for s in graph.subjects(RDF.type, cls_):
                for name in list(graph.objects(s, RDFS.label)) + list(graph.objects(s, SKOS.altLabel)):
                    index.places.setdefault(norm(str(name).split(" (")[0]), (s, str(name)))
        act_kinds = {KG.Sanction: "sanction", KG.CounterSanction: "counter-sanction", KG.Detention: "detention",
                     KG.Expulsion: "expulsion", KG.Statement: "statement", KG.Threat: "threat"}
        for cls_, kind in act_kinds.items():
            for s in graph.subjects(RDF.type, cls_):
                found = next((a for a in index.acts if a.iri == s), None)
                if found is None:
                    actors = set()
                    for p in (KG.imposedBy, KG.speaker, KG.actor):
                        actors.update(o for o in graph.objects(s, p) if isinstance(o, URIRef))
                    targets = {o for o in graph.objects(s, KG.target) if isinstance(o, URIRef)}
                    states = set(graph.objects(s, KG.unnamedTargetsFrom))
                    for t in targets:
                        states.add(t)
                        for p in (KG.nationality, KG.basedIn, KG.affiliatedWith, URIRef(ORG + "subOrganizationOf")):
                            states.update(graph.objects(t, p))
                    days = [str(d) for p in (KG.date, KG.earliestDate) for d in graph.objects(s, p)]
                    found = ExistingAct(s, set(), actors, targets, str(graph.value(s, RDFS.label) or s), states,
                                        min(days) if days else None)
                    index.acts.append(found)
                found.kinds.add(kind)
        return index

    def _state_codes(self, rules: Rules) -> dict[str, URIRef]:
        """ISO code of each state and bloc of the graph, from its labels (rules first, then countrynames)."""
        by_name: dict[str, str] = {}
        for state in rules.states:
            for name in [state["label"], *state.get("names", [])]:
                by_name[norm(name)] = state["code"]
        codes: dict[str, URIRef] = {}
        for iri, entry in sorted(self.actors.items()):
            if entry["kind"] not in ("State", "Bloc"):
                continue
            for name in entry["labels"] + entry["alts"]:
                code = by_name.get(norm(name)) or _country_code(name, rules)
                if code:
                    codes.setdefault(code, iri)
                    break
        return codes

    def label(self, iri: URIRef) -> str:
        entry = self.actors.get(iri)
        return entry["labels"][0] if entry and entry["labels"] else str(iri).rsplit("/", 1)[-1]

    def persons_by_surname(self) -> dict[str, list[URIRef]]:
        out: dict[str, list[URIRef]] = {}
        for iri, entry in self.actors.items():
            if entry["kind"] != "Person":
                continue
            for name in entry["labels"] + entry["alts"]:
                parts = norm(name).split()
                if len(parts) >= 2 and parts[-1] not in out.get(parts[-1], []):
                    out.setdefault(parts[-1], []).append(iri)
        return out


def _country_code(name: str, rules: Rules) -> str | None:
    """The ISO alpha-2 code countrynames gives an exact country name, None for anything else."""
    if name in rules.not_states or not name[:1].isupper():
        return None
    import countrynames  # noqa: PLC0415

    code = countrynames.to_code(name, fuzzy=False)
    return code if code and len(code) == 2 and code.isalpha() else None


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return letters.isupper() and len(letters) <= 5


class Resolver:
    """Finds and resolves the mentions of one article, drafting each new actor once."""

    def __init__(self, text: Text, index: GraphIndex, rules: Rules) -> None:
        self.text = text
        self.index = index
        self.rules = rules
        self.drafted: dict[URIRef, Actor] = {}
        self.context_state: Actor | None = None
        self.surnames = index.persons_by_surname()
        self.article_persons: dict[str, Actor] = {}
        self._states = {s["code"]: s for s in rules.states}
        self._titles = rules.titles
        self._build_matchers()

    # ------------------------------------------------------------ matching

    def _build_matchers(self) -> None:
        from spacy.matcher import PhraseMatcher  # noqa: PLC0415

        from kg.ingest.text import nlp  # noqa: PLC0415

        vocab = nlp().vocab
        tokenizer = nlp().tokenizer
        lower, orth = PhraseMatcher(vocab, attr="LOWER"), PhraseMatcher(vocab, attr="ORTH")

        def add(key: str, name: str) -> None:
            name = fold(str(name)).strip()
            if not name:
                return
            (orth if _is_acronym(name) else lower).add(key, [tokenizer(name)])

        for iri, entry in self.index.actors.items():
            for name in entry["labels"] + entry["alts"]:
                if entry["kind"] == "Person" or len(name) > 1:
                    add(f"actor|{iri}", name)
        for state in self.rules.states:
            for name in [state["label"], *state.get("names", [])]:
                add(f"state|{state['code']}|name", name)
            for name in state.get("demonyms", []):
                add(f"state|{state['code']}|demonym", name)
            for name in state.get("capitals", []):
                add(f"state|{state['code']}|capital", name)
        for body in self.rules.bodies:
            for name in body["names"]:
                add(f"body|{body['id']}", name)
        for i, region in enumerate(self.rules.regions):
            for name in region["names"]:
                add(f"region|{i}", name)
        for name, (iri, label) in self.index.places.items():
            add(f"place|{iri}", label.split(" (")[0])
        for i, title in enumerate(self._titles):
            add(f"title|{i}", title["title"])
        self._lower, self._orth = lower, orth

    def mentions(self, start: int, end: int, quote: str) -> list[Mention]:
        """The mentions of tokens ``start``..``end`` (one sentence), in order, resolved."""
        from spacy.util import filter_spans  # noqa: PLC0415

        doc = self.text.doc
        span = doc[start:end]
        raw = []
        for matcher_ in (self._lower, self._orth):
            for match_id, s, e in matcher_(span):  # a PhraseMatcher gives offsets in the doc
                if start <= s and e <= end:
                    raw.append((doc.vocab.strings[match_id], s, e))
        keyed: dict[tuple[int, int], str] = {}
        for key, s, e in raw:
            # an actor the graph has wins over the rules' name for the same words
            if (s, e) not in keyed or key.startswith("actor|"):
                keyed[(s, e)] = key
        kept = filter_spans([doc[s:e] for (s, e) in keyed])
        found: list[Mention] = []
        covered: set[int] = set()
        for sp in kept:
            key = keyed[(sp.start, sp.end)]
            if not self._valid_match(key, sp.start, sp.end):
                continue
            mention = self._from_key(key, sp.start, sp.end, quote)
            if mention is not None:
                found.append(mention)
                covered.update(range(sp.start, sp.end))
        for m in found:
            if m.what == "actor" and m.actor is not None and m.actor.kind == "Person":
                k = m.start
                while k - 1 >= start and k - 1 not in covered and m.start - k < 2 and self._is_name_token(k - 1):
                    k -= 1
                if k < m.start:
                    covered.update(range(k, m.start))
                    m.start = k
        names = self._names(start, end, covered, found, quote)
        for name in names:
            found = [m for m in found if not (name.start <= m.start and m.end <= name.end)]
        found.extend(names)
        found.sort(key=lambda m: m.start)
        found = self._counts(start, end, found, quote)
        found = self._unnamed_holders(start, end, found, quote)
        for m in found:
            m.possessive = m.end < len(doc) and doc[m.end].lower_ in ("'s", "’s", "'")
        return found

    def _unnamed_holders(self, start: int, end: int, found: list[Mention], quote: str) -> list[Mention]:
        """"the then UN human rights chief", "the United Kingdom foreign secretary": a person named only by a post
        (a title after "the"/"a" with no name after it) is an unnamed person, labelled with those words and
        affiliated with the state or body named in them; not the state or body itself. A spokesperson is left to
        the body it speaks for ("a spokesman for China's foreign ministry": the ministry speaks)."""
        doc = self.text.doc
        out = list(found)
        for k, m in enumerate(found):
            if m.what != "title" or "spokes" in m.title["title"].lower():
                continue
            nxt = found[k + 1] if k + 1 < len(found) else None
            if nxt is not None and nxt.start == m.end and nxt.actor is not None and nxt.actor.kind == "Person":
                continue  # "Foreign Secretary Liz Truss": a named person's title
            if m.end < end and self._is_name_token(m.end):
                continue  # a name the rules did not resolve follows: not unnamed
            i = m.start
            owner: Actor | None = None
            while i > start:
                before = next((o for o in found if o.end == i and o.actor is not None and o.what in ("actor", "demonym")
                               and o.actor.kind in ("State", "Bloc", "GovernmentBody", "Organisation")), None)
                if before is not None and owner is None:
                    owner, i = before.actor, before.start
                elif doc[i - 1].lower_ in ("then", "former", "top", "acting", "new"):
                    i -= 1
                else:
                    break
            if i <= start or doc[i - 1].lower_ not in ("the", "a", "an"):
                continue
            i -= 1
            label = self.text.words(i, m.end)
            actor = self.new_actor(label, "Person", f"titles.yaml: an unnamed holder, \"{label}\"", quote, unnamed=True)
            if owner is not None and actor.state is None:
                actor.state, actor.state_rel = owner, "affiliatedWith"
            out = [o for o in out if not (i <= o.start and o.end <= m.end)]
            out.append(Mention(i, m.end, "actor", actor, "unnamed"))
        out.sort(key=lambda o: o.start)
        return out

    def _valid_match(self, key: str, s: int, e: int) -> bool:
        doc = self.text.doc
        words = doc[s:e].text
        if key.startswith(("state|", "actor|", "place|", "region|")) and not any(t.text[:1].isupper() for t in doc[s:e]):
            return False  # "china" in lower case is not China; "us" is not the US
        if key.startswith("title|") and doc[s:e].text[:1].islower() and self._titles[int(key.split("|")[1])]["title"][:1].isupper():
            return False
        return bool(words)

    def _from_key(self, key: str, s: int, e: int, quote: str) -> Mention | None:
        kind, _, rest = key.partition("|")
        if kind == "actor":
            actor = self._existing(URIRef(rest), f"actor.existing: \"{self.text.words(s, e)}\"", quote)
            role = "name"
            if actor.kind in ("State", "Bloc"):
                for state in self.rules.states:
                    if norm(self.text.words(s, e)) in {norm(c) for c in state.get("capitals", [])}:
                        role = "capital"
                    if norm(self.text.words(s, e)) in {norm(d) for d in state.get("demonyms", [])}:
                        role = "demonym"
            elif actor.kind in ("GovernmentBody", "Legislature"):
                role = "body"
            elif actor.kind == "Person":
                role = "person"
                self._remember(actor)
            else:
                role = "org"
            return Mention(s, e, "actor", actor, role)
        if kind == "state":
            code, role = rest.split("|")
            actor = self.state(code, f"actor.state-{role}: \"{self.text.words(s, e)}\"", quote)
            return Mention(s, e, "demonym" if role == "demonym" else "actor", actor, role)
        if kind == "body":
            return self._body(rest, s, e, quote)
        if kind == "region":
            region = self.rules.regions[int(rest)]
            return Mention(s, e, "region", region=self.region(region["label"], region["names"]))
        if kind == "place":
            label = self.index.places.get(norm(self.text.words(s, e)), (URIRef(rest), rest))[1]
            return Mention(s, e, "region", region=(URIRef(rest), label, True))
        if kind == "title":
            return Mention(s, e, "title", title=self._titles[int(rest)])
        return None

    # ------------------------------------------------------------ resolution

    def _existing(self, iri: URIRef, rule: str, quote: str) -> Actor:
        actor = self.drafted.get(iri)
        if actor is None:
            entry = self.index.actors[iri]
            code = next((c for c, i in self.index.codes.items() if i == iri), None)
            actor = Actor(iri, self.index.label(iri), entry["kind"], True, rule, code=code)
            parent = entry.get("parent")
            if parent is not None and parent in self.index.actors:
                actor.state = self._existing(parent, f"actor.existing: parent of {self.index.label(iri)}", "")
                actor.state_rel = "subOrganizationOf"
                actor.acts_for_state = True
            self.drafted[iri] = actor
        actor.cite(quote)
        return actor

    def state(self, code: str, rule: str, quote: str) -> Actor:
        """The state of ISO ``code``: the graph's, or a new one."""
        iri = self.index.codes.get(code)
        if iri is not None:
            return self._existing(iri, rule, quote)
        entry = self._states.get(code)
        if entry is not None:
            label, kind = entry["label"], entry.get("kind", "State")
        else:
            import pycountry  # noqa: PLC0415

            country = pycountry.countries.get(alpha_2=code)
            label = getattr(country, "common_name", None) or getattr(country, "name", code)
            kind = "State"
        iri = ACTOR[slugify(label)]
        actor = self.drafted.get(iri)
        if actor is None:
            actor = Actor(iri, label, kind, False, rule, code=code)
            self.drafted[iri] = actor
        actor.cite(quote)
        return actor

    def new_actor(self, label: str, kind: str, rule: str, quote: str, unnamed: bool = False) -> Actor:
        """An actor by name: the graph's if it has the name (or a close spelling), else drafted once."""
        key = norm(label)
        iris = self.index.names.get(key)
        if iris:
            return self._existing(iris[0], rule.split(":")[0] + f": \"{label}\" (in the graph)", quote)
        if kind == "Person" and not unnamed:
            surname = key.split()[-1]
            known = self.article_persons.get(surname)
            if known is not None and (len(key.split()) == 1 or norm(known.label) == key):
                known.cite(quote)
                return known
            candidates = self.surnames.get(surname, [])
            if len(key.split()) == 1 and len(candidates) == 1:
                return self._existing(candidates[0], f"actor.existing-surname: \"{label}\"", quote)
            close = self._close_spelling(key)
            if close is not None:
                return self._existing(close[0], f"actor.existing-fuzzy: \"{label}\" ~ \"{self.index.label(close[0])}\" ({close[1]:.0f})", quote)
        iri = ACTOR[slugify(label)]
        if iri in self.index.actors and norm(self.index.label(iri)) != key:
            iri = ACTOR[slugify(label) + "-2"]
        actor = self.drafted.get(iri)
        if actor is None:
            actor = Actor(iri, label, kind, False, rule, unnamed=unnamed)
            self.drafted[iri] = actor
        if kind == "Person" and not unnamed:
            self._remember(actor)
        actor.cite(quote)
        return actor

    def _remember(self, actor: Actor) -> None:
        """A person of the article, found again by family name ("Zenz") or, for two-word names, the first word ("Mao")."""
        parts = norm(actor.label).split()
        self.article_persons[parts[-1]] = actor
        if len(parts) == 2:
            self.article_persons.setdefault(parts[0], actor)

    def _close_spelling(self, key: str) -> tuple[URIRef, float] | None:
        """A person of the graph whose full name is within a small edit distance (Uighur/Uyghur, Butikofer/Buetikofer)."""
        from rapidfuzz import fuzz, process  # noqa: PLC0415

        names = {n: iris for n, iris in self.index.names.items()
                 if len(n.split()) >= 2 and any(self.index.actors[i]["kind"] == "Person" for i in iris)}
        if len(key.split()) < 2 or not names:
            return None
        best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=90)
        if best is None or best[0].split()[-1][:1] != key.split()[-1][:1]:
            return None
        return names[best[0]][0], best[1]

    def region(self, label: str, names: list[str]) -> tuple[URIRef, str, bool]:
        for name in [label, *names]:
            found = self.index.places.get(norm(name))
            if found is not None:
                return found[0], found[1], True
        return PLACE[slugify(label)], label, False

    def _body(self, body_id: str, s: int, e: int, quote: str) -> Mention:
        body = next(b for b in self.rules.bodies if b["id"] == body_id)
        doc = self.text.doc
        state: Actor | None = None
        rule = f"bodies.yaml#{body_id}"
        if body["state"] != "context":
            state = self.state(body["state"], rule, quote)
        else:
            # "China's foreign ministry", "the Chinese foreign ministry", "Russia's Foreign Ministry"
            j = s - 1
            if j >= 0 and doc[j].lower_ in ("'s", "’s"):
                j -= 1
            before = self._state_ending_at(j + 1, quote)
            if before is not None:
                state, rule = before, rule + " (state named with it)"
                self.context_state = state
            elif e + 1 < len(doc) and doc[e].lower_ == "of":
                after = self._state_starting_at(e + 1, quote)
                if after is not None:
                    state, rule = after, rule + " (state named with it)"
            if state is None and self.context_state is not None:
                state, rule = self.context_state, rule + f" (state from context: {self.context_state.label})"
                state.cite(quote)
        if state is None:
            return Mention(s, e, "body")
        actor = self._body_actor(body, state, rule, quote)
        return Mention(s, e, "actor", actor, "body")

    def _body_actor(self, body: dict, state: Actor, rule: str, quote: str) -> Actor:
        names = {norm(n) for n in body["names"]} | {norm(body["label"].format(state=state.label))}
        for iri, entry in self.index.actors.items():
            if entry["kind"] not in ("GovernmentBody", "Legislature"):
                continue
            labels = {norm(n) for n in entry["labels"] + entry["alts"]}
            same_state = entry.get("parent") == state.iri or body["state"] != "context"
            if same_state and (labels & names or any(any(n in label for n in names) for label in labels)):
                actor = self._existing(iri, rule + " (in the graph)", quote)
                actor.acts_for_state = body.get("acts_for_state", False)
                if actor.state is None:
                    actor.state, actor.state_rel = state, "subOrganizationOf"
                return actor
        slug = body["slug"].format(state=slugify(state.label))
        iri = ACTOR[slug]
        actor = self.drafted.get(iri)
        if actor is None:
            actor = Actor(iri, body["label"].format(state=state.label), body.get("kind", "GovernmentBody"), False, rule)
            actor.state, actor.state_rel = state, "subOrganizationOf"
            actor.acts_for_state = body.get("acts_for_state", False)
            self.drafted[iri] = actor
        actor.cite(quote)
        return actor

    def _state_ending_at(self, end: int, quote: str) -> Actor | None:
        """A state named by the tokens just before ``end`` ("China", "Chinese", "the U.S.")."""
        doc = self.text.doc
        for length in (3, 2, 1):
            s = end - length
            if s < 0:
                continue
            code = self._state_code(doc[s:end].text)
            if code:
                return self.state(code, f"actor.state: \"{doc[s:end].text}\"", quote)
        return None

    def _state_starting_at(self, start: int, quote: str) -> Actor | None:
        doc = self.text.doc
        if start < len(doc) and doc[start].lower_ == "the":
            start += 1
        for length in (3, 2, 1):
            if start + length <= len(doc):
                code = self._state_code(doc[start:start + length].text)
                if code:
                    return self.state(code, f"actor.state: \"{doc[start:start + length].text}\"", quote)
        return None

    def _state_code(self, words: str) -> str | None:
        key = norm(words)
        for state in self.rules.states:
            if key in {norm(n) for n in [state["label"], *state.get("names", []), *state.get("demonyms", []), *state.get("capitals", [])]}:
                if not words[:1].isupper():
                    return None
                return state["code"]
        for code, iri in self.index.codes.items():
            entry = self.index.actors[iri]
            if key in {norm(n) for n in entry["labels"] + entry["alts"]} and words[:1].isupper():
                return code
        return None

    # ------------------------------------------------------------ names

    def _is_name_token(self, i: int) -> bool:
        token = self.text.doc[i]
        word = token.text
        if not word[:1].isupper() or token.is_punct:
            return False
        if word in self.rules.not_names and not self.rules.org_words.get(word):
            return False
        return bool(re.fullmatch(r"[A-Z][A-Za-z'\-\.]*", word)) or bool(re.fullmatch(r"[A-Z]\.", word))

    def _names(self, start: int, end: int, covered: set[int], found: list[Mention], quote: str) -> list[Mention]:
        """Capitalised names no other rule claimed: people, organisations, unnamed organisations."""
        doc = self.text.doc
        out: list[Mention] = []
        i = start
        while i < end:
            if i in covered or not (self._is_name_token(i) or self.rules.org_words.get(doc[i].text)):
                i += 1
                continue
            j = i
            while j < end and (j not in covered or self._inner_name(j, end, covered)) and not self._org_ended(i, j, end, covered) and (
                self._is_name_token(j) or self.rules.org_words.get(doc[j].text)
                or (doc[j].lower_ in ("for", "of", "and", "on", "&") and j + 1 < end
                    and (j + 1 not in covered or self._inner_name(j + 1, end, covered))
                    # "President David Sassoli and European Commission ...": a titled person, then another name
                    and (doc[j].lower_ != "and" or self._org_so_far(i, j) or not any(m.what == "title" and m.end == i for m in found))
                    and (self.rules.org_words.get(doc[j + 1].text) or self._run_has_org(j + 1, end, covered)
                         or ((doc[j].lower_ == "&" or self._org_so_far(i, j)) and self._capitalised_word(j + 1))))
                or (j > i and doc[j].text.lower() in self.rules.months and self._is_name_token(j - 1)
                    and not (j + 1 < end and doc[j + 1].like_num))  # "Theresa May"
                or (j > i and doc[j - 1].text == "&" and self._capitalised_word(j))
                or (self._capitalised_word(j) and (self._org_so_far(i, j) or self._run_has_org(j, end, covered)))
            ):
                j += 1
            while j > i and doc[j - 1].lower_ in ("for", "of", "and", "on", "&"):
                j -= 1
            words = [t.text for t in doc[i:j]]
            org_kind = next((self.rules.org_words[w] for w in words if w in self.rules.org_words), None)
            label = self.text.words(i, j)
            if org_kind and not all(w in self.rules.org_words for w in words):
                actor = self.new_actor(label, org_kind, f"targets.yaml#organisation_words: \"{label}\"", quote)
                out.append(Mention(i, j, "actor", actor, "org"))
            elif not org_kind and all(w not in self.rules.not_names or (k and (w.lower() in self.rules.months or words[k - 1] == "&"))
                                      for k, w in enumerate(words)):
                mention = self._person_or_listed(i, j, label, found, quote)
                if mention is not None:
                    out.append(mention)
            i = max(j, i + 1)
        demonyms = {k for m in found if m.what == "demonym" for k in range(m.start, m.end)}
        out.extend(self._unnamed(start, end, (covered - demonyms) | {k for m in out for k in range(m.start, m.end)}, quote))
        return out

    def _inner_name(self, j: int, end: int, covered: set[int]) -> bool:
        """A covered word (a state, a place) inside an organisation's name: capitalised words go on after it."""
        doc = self.text.doc
        k = j
        while k < end and k in covered:
            k += 1
        return k < end and k not in covered and doc[k].text[:1].isupper() and self.rules.org_words.get(doc[k].text) is not None \
            or (k < end and doc[j - 1].lower_ in ("for", "of", "on") and doc[k].text[:1].isupper() and k not in covered
                and doc[k].text in self.rules.org_words)

    def _org_ended(self, i: int, j: int, end: int, covered: set[int]) -> bool:
        """An organisation's name ends at its organisation word when the capitalised words after it hold none
        ("the Xinjiang Public Security Bureau Wang Mingshan": the bureau, then a person)."""
        doc = self.text.doc
        org = self.rules.org_words
        return j > i and bool(org.get(doc[j - 1].text)) and not org.get(doc[j].text) and doc[j].text[:1].isupper() \
            and not self._run_has_org(j, end, covered)

    def _org_so_far(self, i: int, j: int) -> bool:
        """An organisation word among tokens ``i``..``j``: capitalised words after it go on naming the organisation
        ("Commission on International Religious Freedom", "Raytheon Missiles & Defense")."""
        return any(self.rules.org_words.get(t.text) for t in self.text.doc[i:j])

    def _capitalised_word(self, j: int) -> bool:
        token = self.text.doc[j]
        word = token.text
        return bool(re.fullmatch(r"[A-Z][A-Za-z'\-]*", word)) and word.lower() not in self.rules.weekdays \
            and word.lower() not in self.rules.months

    def _run_has_org(self, i: int, end: int, covered: set[int]) -> bool:
        doc = self.text.doc
        j = i
        while j < end and j not in covered and (doc[j].text[:1].isupper() or doc[j].lower_ in ("for", "of", "and")):
            if self.rules.org_words.get(doc[j].text):
                return True
            j += 1
        return False

    def _person_or_listed(self, i: int, j: int, label: str, found: list[Mention], quote: str) -> Mention | None:
        doc = self.text.doc
        tokens = j - i
        kind = "Person"
        # "firms Lockheed Martin and Raytheon": the noun before a list gives its kind
        k = i - 1
        while k >= 0 and (doc[k].lower_ in (",", "and", "the") or doc[k].text[:1].isupper()) and i - k < 12:
            k -= 1
        if k >= 0:
            noun = self.rules.nouns.get(doc[k].lower_) or (self.rules.nouns.get(f"{doc[k - 1].lower_} {doc[k].lower_}") if k else None)
            if noun and noun[1] != "Person":
                kind = noun[1]
        titled = any(m.what == "title" and m.end == i for m in found)
        if kind == "Person" and tokens == 1 and not titled:
            key = norm(label)
            if key in self.article_persons or len(self.surnames.get(key, [])) == 1:
                actor = self.new_actor(label, "Person", f"actor.surname: \"{label}\"", quote)
                return Mention(i, j, "actor", actor, "person")
            return None
        if kind == "Person" and tokens > 4:
            return None
        if kind == "Person" and i == self.text.sentence_of(i).start and tokens == 1:
            return None
        rule = "titles.yaml" if titled else ("targets.yaml#nouns" if kind != "Person" else "actor.capitalised-name")
        actor = self.new_actor(label, kind, f"{rule}: \"{label}\"", quote)
        return Mention(i, j, "actor", actor, "person" if kind == "Person" else "org")

    _UNNAMED = re.compile(r"\b(an?) ((?:[A-Za-z\-]+ ){0,4}?)(organi[sz]ation|group|institute|think tank|foundation|company|firm|charity|ngo)\b")

    def _unnamed(self, start: int, end: int, covered: set[int], quote: str) -> list[Mention]:
        """"a Danish democracy organization": one specific actor named by a description."""
        doc = self.text.doc
        out = []
        sent_start = doc[start].idx
        text = self.text.folded[sent_start:doc[end - 1].idx + len(doc[end - 1])]
        for m in self._UNNAMED.finditer(text):
            words = m.group(2).split()
            if not words or not any(w[:1].isupper() for w in words):
                continue  # "a group" alone is no actor; a demonym or name in it makes it one
            char_s, char_e = sent_start + m.start(), sent_start + m.end()
            toks = [t.i for t in doc[start:end] if t.idx >= char_s and t.idx + len(t) <= char_e]
            if not toks or any(t in covered for t in toks):
                continue
            label = self.text.original[char_s:char_e]
            noun = m.group(3).lower()
            kind = {"company": "Company", "firm": "Company", "institute": "ThinkTank", "think tank": "ThinkTank"}.get(noun, "NonGovernmentalOrganisation")
            actor = self.new_actor(label, kind, f"actor.unnamed: \"{label}\"", quote, unnamed=True)
            for w in words:
                code = self._state_code(w)
                if code and actor.state is None:
                    actor.state, actor.state_rel = self.state(code, f"actor.state-demonym: \"{w}\"", quote), "basedIn"
            out.append(Mention(toks[0], toks[-1] + 1, "actor", actor, "unnamed"))
        return out

    # ------------------------------------------------------------ counts

    def _number(self, i: int) -> int | None:
        doc = self.text.doc
        word = doc[i].lower_.replace(",", "")
        if word.isdigit():
            return int(word)
        if word in self.rules.numbers:
            return self.rules.numbers[word]
        return None

    def _counts(self, start: int, end: int, found: list[Mention], quote: str) -> list[Mention]:
        """Counted groups: a number, modifiers, a counting noun ("eight ... Chinese officials", "313 Canadians")."""
        doc = self.text.doc
        by_start = {m.start: m for m in found}
        out = list(found)
        for i in range(start, end):
            number = self._number(i)
            if number is None or (i + 1 < end and doc[i + 1].lower_ in ("%", "percent", "years", "year", "days", "million", "billion")):
                continue
            if i > start and doc[i - 1].lower_ in self.rules.months:
                continue  # "March 22"
            j = i + 1
            from_state: Actor | None = None
            noun = None
            while j < end and j - i <= 8:
                mention = by_start.get(j)
                if mention is not None and mention.actor is not None and mention.actor.kind in ("State", "Bloc"):
                    if mention.role == "demonym" and mention.end < end and self._noun_at(mention.end) is None and \
                            mention.actor.code and doc[mention.end - 1].lower_.endswith("s"):
                        from_state, noun = mention.actor, ("person", "Person", mention.end)
                        j = mention.end
                        break
                    from_state = mention.actor
                    j = mention.end
                    continue
                found_noun = self._noun_at(j)
                if found_noun is not None:
                    noun = found_noun
                    break
                if doc[j].lower_ in self.rules.modifiers or (doc[j].text[:1].isupper() and j not in by_start):
                    j += 1
                    continue
                break
            if noun is None:
                continue
            counts, kind, noun_end = noun
            if from_state is None and noun_end + 1 < end and doc[noun_end].lower_ in ("from", "of", "in"):
                maybe = by_start.get(noun_end + 1) or by_start.get(noun_end + 2)
                if maybe is not None and maybe.actor is not None and maybe.actor.kind in ("State", "Bloc") and maybe.role != "demonym":
                    from_state = maybe.actor
            out = [m for m in out if not (i <= m.start and m.end <= noun_end)]
            out.append(Mention(i, noun_end, "count", count=number, counts=counts, noun_kind=kind, from_state=from_state))
        out.sort(key=lambda m: m.start)
        return out

    def _noun_at(self, j: int) -> tuple[str, str, int] | None:
        doc = self.text.doc
        if j + 1 < len(doc):
            two = self.rules.nouns.get(f"{doc[j].lower_} {doc[j + 1].lower_}")
            if two:
                return two[0], two[1], j + 2
        one = self.rules.nouns.get(doc[j].lower_)
        if one:
            return one[0], one[1], j + 1
        return None
