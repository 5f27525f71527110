"""Acts in an article: who did what to whom, when, how, why, and what it answers.

Each sentence is read once, in order. The phrases of ``rules/acts.yaml``
find the acts; the rule's voice says where actor and targets are:

* active: the actor is the nearest actor named before the phrase that is
  not the object of a preposition ("In retaliation for Washington's
  sanctions, China imposed ...": China), with the actors coordinated with
  it ("The United States, UK and the European Union have imposed"); the
  targets follow, up to the clause that gives grounds or a response;
* passive: the targets come before the phrase, the actor after "by", or is
  the body that "announced" it, or the act of the sentence before;
* around: the targets sit inside the phrase ("put ... on its unreliable
  entity list", "barred ... from entering");
* include: more targets of the act the sentence before reported
  ("Canada's targets include ...", "... were also targeted").

Targets are read segment by segment (between commas, "and", "including"):
a segment with a person gives the person, one with a count gives the count,
one that starts with an organisation or state gives it; a segment that only
describes the target before it ("former Communist Party chief in the
Xinjiang region") gives nothing. An act of the same actor and kind that the
article reports again (the headline and the first paragraph) is merged
unless its date, region or counts differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kg.ingest.actors import Actor, ExistingAct, Mention, Resolver
from kg.ingest.dates import DateFound, dates_in
from kg.ingest.rules import ActRule, Rules, matcher
from kg.ingest.text import Sentence, Text

__all__ = ["Act", "read_acts"]

SANCTIONS = ("sanction", "counter-sanction")
_REPORTING = {"said", "says", "say", "told", "tells", "added", "adding", "stated", "announced", "announces", "announcing",
              "according", "declared", "wrote", "posted", "warned", "explained", "noted", "insisted"}
_BOUNDARY = {";", "saying", "adding", "citing", "accusing", "alleging", "because", "after", "following", "who", "which",
             "that", "it", "as", "while", "whereas", "but", "when", "since", "over", "for", "amid", "linked", "to"}
_SEPARATORS = {",", "and", "including", "include", "includes", "included", ":", "as well as", "plus", "namely", "among",
               "them", "also", "such", "like", "both", "well"}
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "of", "'s", "’s"}
_NOUN_GAP = {"in", "on", "at", "last", "earlier", "this", "from", "during"}  # what may stand between an act's noun and "of"
_AUTHORED = {"report", "statement", "study", "letter", "assessment", "review", "investigation"}
_HELD = {"held", "detained", "jailed", "imprisoned", "arrested", "jailing", "detention", "arrest", "imprisonment"}


@dataclass(eq=False)
class Act:
    kind: str
    actor: Actor | None
    rule: ActRule
    sentence: int
    quotes: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    via: Actor | None = None
    targets: list[Actor] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    descriptions: list[str] = field(default_factory=list)
    from_state: Actor | None = None
    measures: set[str] = field(default_factory=set)
    grounds: set[str] = field(default_factory=set)
    ground_text: str = ""
    regions: list[tuple] = field(default_factory=list)
    date: DateFound | None = None
    responds: list = field(default_factory=list)  # Act or ExistingAct
    cue: str = ""
    cue_actor: Actor | None = None
    cue_words: str = ""
    stance: str = ""
    speaker: Actor | None = None
    about: "Act | None" = None
    addressee: Actor | None = None
    referenced: bool = False  # drafted only because a response names it
    actor_reason: str = ""  # the actor is curation (inferred, not stated): why
    iri: object = None

    def cite(self, quote: str, rule: str) -> None:
        if quote not in self.quotes:
            self.quotes.append(quote)
        if rule not in self.rules:
            self.rules.append(rule)

    @property
    def family(self) -> str:
        return "sanction" if self.kind in SANCTIONS else self.kind


class _Reader:
    def __init__(self, text: Text, resolver: Resolver, rules: Rules, published: dt.date | None,
                 existing_acts: list[ExistingAct]) -> None:
        self.text = text
        self.doc = text.doc
        self.res = resolver
        self.rules = rules
        self.published = published
        self.existing = existing_acts
        self.acts: list[Act] = []
        self.by_id = {r.id: r for r in rules.acts}
        self.matcher = matcher(rules, "acts", [(r.id, r.pattern) for r in rules.acts])
        self.cue_matcher = matcher(rules, "cues", rules.cues)
        self.measure_matcher = matcher(rules, "measures", [(f"{c}|{i}", p) for i, (c, p) in enumerate(rules.measures)])
        self.notes: list[str] = []
        self.dateline_end = 0
        self._named: set[int] = set()
        self._by_noun: set[int] = set()  # acts of the sentence that a noun only names: they set no context
        self._held_words = (0, 0)

    # -------------------------------------------------------------- triggers

    def _triggers(self, sent: Sentence) -> list[tuple[ActRule, int, int, int, int]]:
        """(rule, start, end, inner_start, inner_end) per phrase; inner is the place of ... for voice around."""
        span = self.doc[sent.start:sent.end]
        heads, tails = [], []
        for match_id, s, e in self.matcher(span):
            key = self.doc.vocab.strings[match_id]
            (tails if key.endswith("#tail") else heads).append((key.removesuffix("#tail"), sent.start + s, sent.start + e))
        found = []
        for key, s, e in heads:
            rule = self.by_id[key]
            if rule.kind not in ("statement", "threat") and self._in_quotes(s, sent):
                continue  # what a speaker says happened is part of the statement, not a reported act
            if rule.voice == "around":
                tail = min(((ts, te) for k, ts, te in tails if k == key and ts > e and ts - e <= 30), default=None)
                if tail is None:
                    continue
                found.append((rule, s, tail[1], e, tail[0]))
            elif rule.voice == "noun" and rule.pattern.tail:
                # "the arrest in Vancouver on Dec. 1 of Meng": the words between are a place or a time, never a verb
                tail = min(((ts, te) for k, ts, te in tails if k == key and ts >= e and ts - e <= 8), default=None)
                if tail is None or (tail[0] > e and self.doc[e].lower_ not in _NOUN_GAP):
                    continue
                found.append((rule, s, tail[1], e, tail[0]))
            else:
                if rule.id == "sanction.verb" and self._noun_use(s):
                    continue
                if rule.id == "sanction.verb" and self.doc[s].lower_.endswith("ing") and s > sent.start and self.doc[s - 1].text == "," \
                        and any(h[1] < s for h in heads if self.by_id[h[0]].kind in SANCTIONS):
                    continue  # ", blacklisting the Chinese telecoms giant": the same act, said again
                found.append((rule, s, e, e, e))
        # the longest phrase wins where phrases overlap
        found.sort(key=lambda f: (-(f[2] - f[1]), f[1]))
        kept: list = []
        for item in found:
            if all(item[2] <= k[1] or item[1] >= k[2] or (k[0].voice == "around" and (item[1] >= k[3] and item[2] <= k[4]))
                   for k in kept):
                kept.append(item)
        return sorted(kept, key=lambda f: f[1])

    def _in_quotes(self, i: int, sent: Sentence) -> bool:
        before = self.text.original[sent.start_char:self.doc[i].idx]
        return (before.count('"') + before.count("\u201c") + before.count("\u201d")) % 2 == 1

    def _noun_use(self, i: int) -> bool:
        """"sanctions" as a noun ("Washington's sanctions", "the sanctions", "sanctions on") rather than a verb."""
        word = self.doc[i].lower_
        before = self.doc[i - 1].lower_ if i > 0 else ""
        after = self.doc[i + 1].lower_ if i + 1 < len(self.doc) else ""
        if word.endswith("ed") or word.endswith("ing"):
            return before in ("the", "a")
        return before in _DETERMINERS | {"new", "of", "with", "on", "and", "impose", "imposed", "these", "those", "more",
                                          "further", "such", "any", "economic", "financial", "western", "u.s.", "eu", "the"} \
            or after in ("on", "against", "over", "were", "was", "are", "is", "have", "has", "list", "law", "regime", "and", ",", ".")

    # -------------------------------------------------------------- sentences

    def read(self, sent: Sentence, mentions: list[Mention]) -> None:
        self._named = {k for m in mentions for k in range(m.start + 1, m.end)}
        triggers = self._triggers(sent)
        self._posts(mentions, sent)
        # a rule marked `alone` (a plain "X said") holds only in a sentence that states nothing else:
        # "..., the ministry said" after a sanction reports it, and so does a sentence about its measures
        # an act only named by a noun ("Truss said the sanctions on Russia would stay") is not what the sentence states
        nouns = [t for t in triggers if t[0].voice == "noun"]
        triggers = [t for t in triggers if t[0].voice != "noun"]
        main = [t for t in triggers if not t[0].alone]
        if main:
            triggers = main
        elif triggers and self._about_previous(sent):
            triggers = []
        elif self._measures_for_previous(sent):
            triggers = []
        triggers = sorted(triggers + nouns, key=lambda t: t[1])
        made: list[Act] = []
        self._by_noun = set()
        for rule, s, e, inner_s, inner_e in triggers:
            made.extend(self._act(rule, s, e, inner_s, inner_e, sent, mentions, triggers))
        self._responses(sent, mentions, made)
        for act in made:
            if act.actor is not None and act.family in ("sanction", "detention", "expulsion") and id(act) not in self._by_noun:
                self.res.context_state = act.actor.side if act.actor.side.kind in ("State", "Bloc") else self.res.context_state

    def _act(self, rule: ActRule, s: int, e: int, inner_s: int, inner_e: int, sent: Sentence,
             mentions: list[Mention], triggers) -> list[Act]:
        quote = sent.text
        rule_id = f"acts.yaml#{rule.id}"
        end_of_clause = self._clause_end(e, sent, triggers)
        context = self._context_act(sent, ("sanction",) if rule.kind in SANCTIONS else (rule.kind,),
                                    window=1 if rule.voice == "passive" else 2)
        if rule.voice in ("passive", "include") and rule.kind in SANCTIONS:
            context = self._open_list(sent) or context
        actors: list[Actor] = []
        actor_reason = ""
        target_span: tuple[int, int] | None = None
        owner = self._nominal_owner(s, mentions)
        if owner is not None and rule.voice in ("active", "around"):
            actors = [owner]
            target_span = (e, end_of_clause) if rule.voice == "active" and rule.targets else (inner_s, inner_e) if rule.voice == "around" else None
        elif rule.voice == "active":
            actors = self._subjects(s, sent, mentions)
            target_span = (e, end_of_clause) if rule.targets else None
        elif rule.voice == "around":
            actors = self._subjects(s, sent, mentions)
            target_span = (inner_s, inner_e)
        elif rule.voice == "passive":
            target_span = (self._clause_start(s, sent), s)
            agent = self._agent(e, end_of_clause, mentions)
            if agent is None and context is None:
                # "..., the Treasury Department announced": the body that reports it; with an act just
                # reported, "..., the foreign ministry said" only reports more about that act
                agent = self._announcer(sent, mentions, s)
            if agent is not None:
                actors = [agent]
            elif rule.kind == "detention":
                held = self._held_in(s, sent.end, mentions, sent)
                if held is not None:
                    actors = [held]
                    actor_reason = self._held_reason(held, "says who was detained, not by whom")
        elif rule.voice == "include":
            owner = next((m for m in mentions if m.end == s - 1 and m.possessive and m.actor is not None), None)
            if owner is not None:
                actors = [owner.actor]
            target_span = (e, end_of_clause)
        elif rule.voice == "noun":
            return self._noun_act(rule, s, e, inner_s, inner_e, sent, mentions, triggers)
        extra = self._continuation(e, sent, triggers) if rule.voice in ("passive", "around") else None
        if not actors and rule.voice in ("passive", "include") and context is not None:
            act = context
            act.cite(quote, rule_id + " (the act of the sentence before)")
            if target_span:
                self._targets(act, *target_span, mentions, quote, counting=False)
            if extra:
                self._targets(act, *extra, mentions, quote, counting=False)
            self._details(act, sent, e, mentions)
            return []
        if not actors and rule.kind in SANCTIONS and (rule.voice != "passive" or context is None):
            # "They also ban them from travelling to Canada": an entry ban is imposed by the state entered
            destination = self._destination(s, e, sent, mentions)
            if destination is not None:
                actors = [destination]
                rule_id += f" (the state entered: {destination.label})"
        if not actors:
            pronoun = self._pronoun_subject(s, sent)
            last = self._context_act(sent, SANCTIONS + ("threat", "statement"), window=5, latest_first=False) if pronoun else None
            if last is not None:
                if last.actor is not None:
                    actors = [last.actor]
                    rule_id += f" (\"{pronoun}\": the actor of the sentence before)"
        if rule.kind in ("statement", "threat"):
            speaker = self._speaker(sent, mentions) or (actors[0] if actors else None)
            if speaker is None:
                return []
            act = Act(rule.kind, speaker, rule, sent.index, stance=rule.stance, speaker=speaker)
            act.via = actors[0] if actors and actors[0] is not speaker else None
            act.cite(quote, rule_id)
            self._statement(act, sent, mentions, s, e)
            self._details(act, sent, e, mentions)
            self.acts.append(act)
            return [act]
        if not actors:
            return []
        made = []
        for actor in actors or [None]:
            via = None
            if actor is not None and actor.acts_for_state and actor.state is not None and rule.kind in SANCTIONS + ("detention", "expulsion"):
                via, actor = actor, actor.state
            act = Act(rule.kind, actor, rule, sent.index, via=via, stance=rule.stance, actor_reason=actor_reason)
            act.cite(quote, rule_id + (" (the state it happens in: curation)" if actor_reason else ""))
            act.measures.update(rule.measures)
            if target_span and rule.kind not in ("statement", "threat"):
                self._targets(act, *target_span, mentions, quote, counting=True)
                if extra:
                    self._targets(act, *extra, mentions, quote, counting=True)
                if not act.targets and not act.counts and not act.descriptions:
                    if rule.voice in ("passive", "include") or rule.kind not in SANCTIONS:
                        if rule.kind in SANCTIONS:
                            continue
                    act.descriptions = []
            self._details(act, sent, e, mentions)
            made.append(self._merge(act))
        return [m for m in made if m is not None]

    def _noun_act(self, rule: ActRule, s: int, e: int, inner_s: int, inner_e: int, sent: Sentence,
                  mentions: list[Mention], triggers) -> list[Act]:
        """An act named by a noun ("U.S. sanctions on Iran", "the detention of ... Andrew Brunson"): what the phrase
        states and nothing more. Its actor is named with the noun, or follows "by"; a detention's is else the state it
        happens in ("who has been held in Turkey"), drafted as curation. Its date is one inside the phrase, if any."""
        quote = sent.text
        rule_id = f"acts.yaml#{rule.id}"
        start = e  # where the targets begin: after "of" / after "sanctions on"
        end = self._clause_end(start, sent, triggers)
        actor = self._named_with(s, mentions)
        curated = ""
        if actor is None:
            actor = self._agent(end, end, mentions)
        if actor is None and rule.kind == "detention":
            actor = self._held_in(inner_s, sent.end, mentions, sent)
            if actor is not None:
                curated = self._held_reason(actor, "names the detention without saying who made it")
        if actor is None and rule.kind in SANCTIONS:
            return []  # "sanctions on Russia" with no one named imposing them: nothing the curator could confirm
        act = Act(rule.kind, actor, rule, sent.index)
        act.cite(quote, rule_id + (" (the state it happens in: curation)" if curated else ""))
        act.actor_reason = curated
        act.measures.update(rule.measures)
        self._targets(act, start, end, mentions, quote, counting=True)
        if not act.targets and not act.counts:
            return []
        dates = [d for d in dates_in(sent.text, sent.start_char, self.rules, self.published)
                 if d.start >= self.dateline_end and self.doc[s].idx <= d.start < self.doc[start].idx]
        act.date = dates[0] if dates else None  # "the jailing of Navalny": none, and none is made up
        merged = self._merge(act)
        if merged is not None:
            self._by_noun.add(id(merged))
        return [merged] if merged is not None else []

    def _named_with(self, s: int, mentions: list[Mention]) -> Actor | None:
        """The actor named with a noun: "Washington's sanctions", "U.S. sanctions", "Chinese detention of", "the EU's"."""
        for m in mentions:
            if m.actor is None or m.what not in ("actor", "demonym"):
                continue
            if m.end == s or (m.possessive and m.end + 1 == s):
                return m.actor
        return None

    def _held_in(self, start: int, end: int, mentions: list[Mention], sent: Sentence) -> Actor | None:
        """A state after "in", close after a word of detention ("was detained in Canada", "who has been held in Turkey")."""
        doc = self.doc
        for m in mentions:
            if m.start <= start or m.start >= end or m.actor is None or m.what != "actor" or m.actor.kind != "State" \
                    or m.role not in ("name", "capital") or m.possessive or doc[m.start - 1].lower_ != "in":
                continue
            held = [t.i for t in doc[max(sent.start, m.start - 5):m.start - 1] if t.lower_ in _HELD]
            if held or m.start - 1 == start:
                self._held_words = (held[-1] if held else m.start - 1, m.end)  # "held in Turkey", "in Vancouver"
                return m.actor
        return None

    def _held_reason(self, state: Actor, what: str) -> str:
        return (f"The article {what}, and places it in {state.label} (\"{self.text.words(*self._held_words)}\"); "
                f"a detention on {state.label}'s soil is made by its authorities.")

    def _acting_state(self, m: Mention) -> bool:
        """"Canadian authorities", "Turkish police": a demonym that stands for its state acting (states.yaml#authorities)."""
        if m.what != "demonym" or m.actor is None:
            return False
        doc = self.doc
        for words in self.rules.authorities:
            if tuple(t.lower_ for t in doc[m.end:m.end + len(words)]) == words:
                return True
        return False

    # -------------------------------------------------------------- structure

    def _continuation(self, e: int, sent: Sentence, triggers) -> tuple[int, int] | None:
        """More targets after the phrase: "..., among them X", "..., including X", "..., along with X", "..., as was X".

        A short object may stand between ("barred 313 Canadians from entering the country, among them ...").
        """
        doc = self.doc
        for i in range(e, min(sent.end, e + 5)):
            word = doc[i].lower_
            if word in (";", ".") or any(t[1] == i for t in triggers):
                return None
            if word == "," or (word == "along" and i == e):
                k = i + 1 if word == "," else i
                two = " ".join(t.lower_ for t in doc[k:k + 2])
                if doc[k:k + 1].text.lower() == "including" or two in ("such as",):
                    start = k + (1 if doc[k].lower_ == "including" else 2)
                elif two in ("among them", "among whom", "along with", "as was", "as were", "as well"):
                    start = k + 2 + (1 if two == "as well" else 0)
                else:
                    return None
                return (start, self._clause_end(start, sent, triggers))
        return None

    def _open_list(self, sent: Sentence) -> "Act | None":
        """The act a later "were also targeted", "the list also names" adds to: the latest sanction (within three
        sentences) whose count leaves room for more named targets, if any."""
        for act in sorted(self.acts, key=lambda a: -a.sentence):
            if act.referenced:
                continue
            if sent.index - act.sentence > 3:
                break
            total = sum(act.counts.values())
            if act.family == "sanction" and total > len(act.targets):
                return act
        return None

    def _clause_end(self, e: int, sent: Sentence, triggers) -> int:
        doc = self.doc
        cues = {s for _, s, _ in self._cue_spans(sent)}
        i = e
        in_list = False
        while i < sent.end:
            word = doc[i].lower_
            if i in self._named:  # inside a name ("Mercator Institute for China Studies")
                i += 1
                continue
            if i in cues:
                return i
            if any(t[1] == i and t[1] > e for t in triggers):
                return i
            if word in ("including", "include", "among", ":"):
                in_list = True
            if word in (";",) or (word == "." and i == sent.end - 1):
                return i
            if word == "as" and doc[i + 1:i + 3].text.lower() == "well as":
                i += 3
                in_list = True
                continue
            if word == "," and i > e and self._appositive(i, sent):
                i = self._appositive(i, sent)
                continue
            if word in _BOUNDARY and not (word == "for" and doc[i + 1:i + 2].text.lower() == "sanctions") and not (
                word == "to" and in_list
            ) and i > e:
                if word in ("who", "which", "that") and in_list:
                    i += 1
                    continue
                return i
            if word == "," and i > e and self._reporting_clause(i + 1, sent):
                return i
            if word == "," and i + 1 < sent.end and doc[i + 1].lower_ in ("saying", "adding", "citing", "accusing", "in",
                                                                         "a", "which", "who", "the", "said", "according"):
                if doc[i + 1].lower_ in ("the", "a") and in_list:
                    i += 1
                    continue
                return i
            if word == "on" and i + 1 < sent.end and (doc[i + 1].lower_ in self.rules.weekdays or doc[i + 1].lower_ in self.rules.months):
                i += 2
                continue
            i += 1
        return sent.end

    def _appositive(self, i: int, sent: Sentence) -> int:
        """After a name, ", a former chairman of X, and Y": where the list goes on (the comma that closes the
        aside), or 0 when the comma at ``i`` opens no aside within a list."""
        doc = self.doc
        if i < 1 or not doc[i - 1].text[:1].isupper() or i + 1 >= sent.end:
            return 0
        if doc[i + 1].lower_ not in ("a", "an", "the", "head", "president", "chairman", "chair", "director", "leader",
                                     "former", "chief", "founder", "secretary", "editor"):
            return 0
        for k in range(i + 1, min(sent.end, i + 16)):
            if doc[k].text in (";", ".") or doc[k].lower_ in _REPORTING:
                return 0
            if doc[k].text == ",":
                nxt = doc[k + 1] if k + 1 < sent.end else None
                if nxt is not None and (nxt.lower_ == "and" or nxt.text[:1].isupper()):
                    return k
                return 0
        return 0

    def _reporting_clause(self, i: int, sent: Sentence) -> bool:
        """Tokens from ``i`` are a reporting clause: a few words, then "said"/"told"/... ("President X said on Monday")."""
        doc = self.doc
        for k in range(i, min(sent.end, i + 8)):
            word = doc[k].lower_
            if word in (",", ";", "and", "including"):
                return False
            if word in _REPORTING and k > i:
                return True
        return False

    def _clause_start(self, s: int, sent: Sentence) -> int:
        doc = self.doc
        for i in range(s - 1, sent.start - 1, -1):
            if doc[i].lower_ in (";", "--", "—") or (doc[i].lower_ == "," and i + 1 < s and doc[i + 1].lower_ in ("but", "while", "and")
                                                      and self._has_verb(sent.start, i)):
                return i + 1
        return sent.start

    def _destination(self, s: int, e: int, sent: Sentence, mentions: list[Mention]) -> Actor | None:
        """The state after "from entering|travelling to|visiting" in the phrase or just after it."""
        doc = self.doc
        words = {"entering", "enter", "visiting", "visit", "travelling", "traveling", "travel", "to", "into"}
        if not any(t.lower_ in ("entering", "enter", "visiting", "travelling", "traveling", "travel") for t in doc[s:min(sent.end, e + 2)]):
            return None
        for m in mentions:
            if m.what == "actor" and m.actor is not None and m.actor.kind == "State" and s < m.start <= e + 4 \
                    and doc[m.start - 1].lower_ in words and not m.possessive:
                return m.actor
        return None

    def _has_verb(self, start: int, end: int) -> bool:
        """Tokens ``start``..``end`` hold a clause of their own (a verb), not just names and their descriptions."""
        verbs = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "said", "says", "did", "does"}
        return any(t.lower_ in verbs or (t.lower_.endswith("ed") and t.text[:1].islower()) for t in self.doc[start:end])

    def _inside_aside(self, i: int, sent: Sentence) -> bool:
        """Token ``i`` is inside parentheses or a ", which/who ...," aside."""
        doc = self.doc
        depth = 0
        for k in range(sent.start, i):
            if doc[k].text == "(":
                depth += 1
            elif doc[k].text == ")":
                depth = max(0, depth - 1)
        if depth:
            return True
        for k in range(i - 1, sent.start, -1):
            if doc[k].text == ",":
                return doc[k + 1].lower_ in ("which", "who", "whose", "where") if k + 1 < i else False
        return False

    def _subjects(self, s: int, sent: Sentence, mentions: list[Mention]) -> list[Actor]:
        """The actor(s) before the phrase at ``s``: the nearest that is no preposition's object, and its coordinates."""
        doc = self.doc
        candidates = [m for m in mentions if (m.what == "actor" or self._acting_state(m)) and m.end <= s and m.actor is not None]
        for m in reversed(candidates):
            if self._inside_aside(m.start, sent):
                continue
            if m.possessive and any(o.start in (m.end + 1, m.end + 2) and o.what in ("actor", "title") for o in mentions):
                continue  # "China's foreign ministry": the ministry is the subject
            if m.possessive:
                continue
            if any(t.lower_ in _REPORTING for t in doc[m.end:s]) and s - m.end > 1:
                # "Beijing said it will sanction": the reporting clause's subject speaks for the actor
                if not any(doc[k].lower_ in ("it", "the", "they") for k in range(m.end, s)):
                    continue
            if self._object_of_preposition(m):
                continue
            subjects = [m.actor]
            k = candidates.index(m) - 1
            left = m.start
            while k >= 0:
                prev = candidates[k]
                between = [t.lower_ for t in doc[prev.end:left]]
                if between and all(w in (",", "and", "the", "along", "with", "together", "as", "well") for w in between) \
                        and not prev.possessive and not self._object_of_preposition(prev):
                    subjects.insert(0, prev.actor)
                    left = prev.start
                    k -= 1
                    continue
                break
            return list(dict.fromkeys(subjects))
        return []

    def _nominal_owner(self, s: int, mentions: list[Mention]) -> Actor | None:
        """"the E.U's decision to impose sanctions": the possessor of the noun before "to"."""
        doc = self.doc
        if s < 3 or doc[s - 1].lower_ != "to" or doc[s - 2].lower_ not in ("decision", "move", "plan", "vote", "bid", "agreement"):
            return None
        owner = next((m for m in mentions if m.possessive and m.end + 1 == s - 2 and m.actor is not None), None)
        return owner.actor if owner else None

    def _object_of_preposition(self, m: Mention) -> bool:
        doc = self.doc
        j = m.start - 1
        while j >= 0 and (doc[j].lower_ in ("the", "a", "an") or (doc[j].text[:1].isupper() and doc[j].lower_ not in ("the",) and j >= m.start - 3 and any(t.lower_ == "'s" for t in doc[j:m.start]) is False and False)):
            j -= 1
        return j >= 0 and doc[j].lower_ in {"for", "to", "against", "on", "of", "by", "with", "from", "at", "in", "over",
                                             "into", "about", "than", "between", "among", "including", "upon", "toward",
                                             "towards", "after", "before", "since"}

    def _pronoun_subject(self, s: int, sent: Sentence) -> str:
        for i in range(s - 1, max(sent.start, s - 6) - 1, -1):
            word = self.doc[i].lower_
            if word in ("it", "beijing", "the ministry", "the government", "the country"):
                return word
            if word in ("ministry", "government", "country") and i > sent.start and self.doc[i - 1].lower_ == "the":
                return f"the {word}"
        return ""

    def _agent(self, e: int, end: int, mentions: list[Mention]) -> Actor | None:
        doc = self.doc
        for i in range(e, min(end + 3, e + 4)):
            if i < len(doc) and doc[i].lower_ == "by":
                m = next((m for m in mentions if (m.what == "actor" or self._acting_state(m)) and i < m.start <= i + 3), None)
                if m is not None:
                    return m.actor
        return None

    def _announcer(self, sent: Sentence, mentions: list[Mention], s: int) -> Actor | None:
        """"..., the Treasury Department announced": the body or state that reports the act."""
        doc = self.doc
        for m in mentions:
            if m.what != "actor" or m.actor is None or m.start < s:
                continue
            if m.actor.kind in ("GovernmentBody", "State", "Bloc") and m.end < sent.end and doc[m.end].lower_ in ("announced", "said", "says", "announces"):
                return m.actor
        return None

    def _context_act(self, sent: Sentence, kinds: tuple, window: int = 2, latest_first: bool = True) -> Act | None:
        """The act a sentence goes on about: the latest reported (an act merged with a later sentence counts
        from there), or with ``latest_first`` false the latest drafted (what "it" names)."""
        for act in sorted(self.acts, key=lambda a: -a.sentence) if latest_first else reversed(self.acts):
            if act.referenced:
                continue
            if sent.index - act.sentence > window:
                return None
            if act.kind in kinds or act.family in kinds:
                return act
        return None

    def _targets(self, act: Act, start: int, end: int, mentions: list[Mention], quote: str, counting: bool) -> None:
        """Targets from tokens ``start``..``end``, segment by segment."""
        doc = self.doc
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        segments: list[tuple[int, int]] = []
        seg = start
        i = start
        inside_tokens = {k for m in inside for k in range(m.start + 1, m.end)}
        while i < end:
            word = doc[i].lower_
            sep = (word in (",", ":", "including", "and", "plus") or (word == "as" and doc[i + 1:i + 3].text.lower() == "well as")) \
                and i not in inside_tokens
            if sep:
                if seg < i:
                    segments.append((seg, i))
                i += 3 if word == "as" else 1
                seg = i
                continue
            i += 1
        if seg < end:
            segments.append((seg, end))
        previous_kind = ""
        for s, e in segments:
            items = [m for m in inside if s <= m.start and m.end <= e]
            person = next((m for m in items if m.actor is not None and m.actor.kind == "Person" and m.role != "demonym"), None)
            count = next((m for m in items if m.what == "count"), None)
            first_word = doc[s]
            while first_word.i < e and first_word.lower_ in ("the", "its", "their"):
                first_word = doc[first_word.i + 1]
            lead = next((m for m in items if m.start == first_word.i), None)
            if person is not None:
                self._add_target(act, person.actor, quote)
                demonym = next((m for m in items if m.what == "demonym" and m.end <= person.start), None)
                if demonym is not None and person.actor.state is None and not person.actor.existing:
                    person.actor.state, person.actor.state_rel = demonym.actor, "nationality"
                previous_kind = "Person"
                continue
            if count is not None:
                if counting:
                    n = count.count
                    key = count.counts
                    nxt = doc[count.end:count.end + 2]
                    if len(nxt) == 2 and nxt[0].lower_ in ("and", "or") and self.rules.nouns.get(nxt[1].lower_, (key,))[0] != key:
                        key = "total"  # "32 individuals and entities"
                    if any(t.lower_ in ("other", "others", "more") for t in doc[count.start:count.end]):
                        # "Carrie Lam and 10 other officials": eleven in all
                        n += sum(1 for t in act.targets if (t.kind == "Person") == (count.counts == "person"))
                    act.counts[key] = act.counts.get(key, 0) + n
                    act.descriptions.append(self.text.words(count.start, self._description_end(count.end, e)))
                if count.from_state is not None:
                    act.from_state = count.from_state
                self._regions_in(act, count.start, e, mentions)
                previous_kind = count.noun_kind
                continue
            if lead is not None and lead.what == "actor" and lead.actor is not None:
                rest = [t for t in doc[lead.end:e] if not t.is_punct]
                noun = self.res._noun_at(lead.end) if lead.end < e else None
                if noun is not None:  # "European Union entities", "Hong Kong officials"
                    act.descriptions.append(self.text.words(s, e))
                    if lead.actor.kind in ("State", "Bloc"):
                        act.from_state = lead.actor
                    continue
                if lead.possessive:  # "Germany's Mercator Institute"
                    owned = next((m for m in items if m.start > lead.end and m.actor is not None and m.what == "actor"), None)
                    if owned is not None and lead.actor.kind in ("State", "Bloc"):
                        if owned.actor.state is None and not owned.actor.existing:
                            owned.actor.state, owned.actor.state_rel = lead.actor, "basedIn"
                        self._add_target(act, owned.actor, quote)
                    continue
                if lead.role == "demonym":
                    continue
                if not rest or rest[0].text == "(" or all(t.text[:1].isupper() for t in rest[:2]):
                    self._add_target(act, lead.actor, quote)
                    previous_kind = lead.actor.kind
                continue
            if lead is not None and lead.what == "region":
                noun = self.res._noun_at(lead.end) if lead.end < e else None
                if noun is not None:
                    act.descriptions.append(self.text.words(s, e))
                    self._regions_in(act, s, e, mentions)
                continue
            unnamed = next((m for m in items if m.role == "unnamed"), None)
            if unnamed is not None:
                self._add_target(act, unnamed.actor, quote)
                continue
            # a bare capitalised name in a list of companies or people ("Lockheed Martin and Raytheon")
            words = [t for t in doc[s:e] if not t.is_punct]
            if previous_kind and words and all(t.text[:1].isupper() for t in words) and len(words) <= 4 and \
                    not any(t.text in self.rules.not_names for t in words):
                label = self.text.words(words[0].i, words[-1].i + 1)
                actor = self.res.new_actor(label, previous_kind, f"acts.yaml: listed with the targets before it: \"{label}\"", quote)
                self._add_target(act, actor, quote)

    def _description_end(self, i: int, e: int) -> int:
        doc = self.doc
        while i < e and (doc[i].lower_ in ("in", "from", "of") or doc[i].text[:1].isupper() or doc[i].lower_ in ("the",)):
            i += 1
        while i > 0 and doc[i - 1].lower_ in ("in", "from", "of", "the"):
            i -= 1
        return i

    def _add_target(self, act: Act, actor: Actor, quote: str) -> None:
        if actor is act.actor or (act.actor is not None and actor.iri == act.actor.iri):
            return
        if actor not in act.targets:
            act.targets.append(actor)
        actor.cite(quote)

    def _regions_in(self, act: Act, s: int, e: int, mentions: list[Mention]) -> None:
        for m in mentions:
            if m.what == "region" and s <= m.start and m.end <= e and m.region not in act.regions:
                act.regions.append(m.region)

    # -------------------------------------------------------------- details

    def _details(self, act: Act, sent: Sentence, e: int, mentions: list[Mention]) -> None:
        """Date, measures, grounds and regions of the sentence."""
        if act.date is None:
            lo, hi = self._clause_chars(e, sent)
            found = [d for d in dates_in(sent.text, sent.start_char, self.rules, self.published)
                     if d.start >= self.dateline_end and lo <= d.start < hi]
            trigger_char = self.doc[min(e, len(self.doc) - 1)].idx
            after = [d for d in found if d.start >= trigger_char]
            if after or found:
                act.date = after[0] if after else found[-1]
        self._measures(act, sent)
        if act.family in ("sanction", "statement", "threat"):
            self._grounds(act, sent, e, mentions)

    def _clause_chars(self, e: int, sent: Sentence) -> tuple[int, int]:
        """The characters of the clause around token ``e``: between the colons and semicolons of the sentence."""
        doc = self.doc
        lo, hi = sent.start_char, sent.end_char
        for t in doc[sent.start:sent.end]:
            if t.text in (":", ";"):
                if t.i < e:
                    lo = t.idx
                elif t.idx < hi:
                    hi = t.idx
        return lo, hi

    def _measures(self, act: Act, sent: Sentence) -> None:
        if act.family != "sanction":
            return
        span = self.doc[sent.start:sent.end]
        for match_id, _, _ in self.measure_matcher(span):
            key = self.doc.vocab.strings[match_id]
            if not key.endswith("#tail"):
                act.measures.add(key.split("|")[0])

    def _about_previous(self, sent: Sentence) -> bool:
        """"The ministry said the bans were a response to ...": a sentence about what the act before answers."""
        cues = self._cue_spans(sent)
        if not cues:
            return False
        words = {t.lower_ for t in self.doc[sent.start:cues[0][1]]}
        return bool(words & {"move", "decision", "ban", "bans", "measure", "measures", "step", "sanctions", "listing", "action"}) \
            and self._context_act(sent, ("sanction", "expulsion", "detention"), window=2) is not None

    def _measures_for_previous(self, sent: Sentence) -> bool:
        """"The action imposes an asset freeze ...": measures of the act just reported (True when the sentence names any)."""
        act = self._context_act(sent, ("sanction",), window=2)
        if act is None:
            return False
        before = set(act.measures)
        self._measures(act, sent)
        if act.measures != before:
            act.cite(sent.text, "measures.yaml (a sentence about the act before)")
        span = self.doc[sent.start:sent.end]
        return any(not self.doc.vocab.strings[k].endswith("#tail") for k, _, _ in self.measure_matcher(span))

    def _grounds(self, act: Act, sent: Sentence, e: int, mentions: list[Mention]) -> None:
        doc = self.doc
        openers = self.rules.ground_openers
        start = None
        for i in range(e, sent.end):
            word = doc[i].lower_
            if word in openers or (word == "," and i + 1 < sent.end and doc[i + 1].lower_ in ("saying", "citing")):
                start = i + 1 if word != "," else i + 2
                break
        if start is None or start >= sent.end:
            return
        stop = sent.end
        cues = [s for _, s, _ in self._cue_spans(sent) if s > start]
        if cues:
            stop = min(cues)
        report = next((t.i for t in doc[start:stop] if t.lower_ in _REPORTING), None)
        if report is not None:
            comma = max((t.i for t in doc[start:report] if t.text == ","), default=None)
            if comma is not None:
                stop = comma
        while stop > start and doc[stop - 1].is_punct and doc[stop - 1].text not in ('"', "'", ")"):
            stop -= 1
        words = self.text.words(start, stop)
        folded = self.text.folded[doc[start].idx:doc[stop - 1].idx + len(doc[stop - 1])].lower() if stop > start else ""
        found = {concept for concept, phrase in self.rules.grounds if phrase in folded}
        if not found:
            return
        act.grounds.update(found)
        if not act.ground_text:
            act.ground_text = words.strip(" ,")
        self._regions_in(act, start, stop, mentions)

    def _statement(self, act: Act, sent: Sentence, mentions: list[Mention], s: int, e: int) -> None:
        doc = self.doc
        after = [m for m in mentions if m.start >= e and m.what == "actor" and m.actor is not None and not m.possessive
                 and m.actor is not act.speaker]
        if act.stance == "Call" and after:
            act.addressee = after[0].actor
        words = {t.lower_ for t in doc[e:min(sent.end, e + 6)]}
        if words & {"move", "decision", "sanctions", "measures", "action", "step", "listing", "ban", "designation"}:
            act.about = next((a for a in reversed(self.acts) if a.family == "sanction" and a.actor is not None and act.actor is not None
                              and a.actor.side is not act.actor.side), None)

    def _speaker(self, sent: Sentence, mentions: list[Mention]) -> Actor | None:
        """Who speaks in the sentence: "X said", "said X", "X told", "according to X"; a person before a body."""
        doc = self.doc
        found: list[Actor] = []
        for m in mentions:
            if m.what != "actor" or m.actor is None or m.possessive:
                continue
            after = doc[m.end].lower_ if m.end < sent.end else ""
            before = doc[m.start - 1].lower_ if m.start > sent.start else ""
            before2 = doc[m.start - 2].lower_ if m.start - 1 > sent.start else ""
            # "a 2022 report by the then UN human rights chief said": the author of what is said speaks
            authored = before == "by" and any(t.lower_ in _AUTHORED for t in doc[max(sent.start, m.start - 4):m.start - 1])
            if self._object_of_preposition(m) and not (before == "to" and before2 == "according") and not authored:
                continue  # "China's embassy in Ottawa said": Ottawa does not speak
            inverted = before in ("said", "says", "told") and before2 in (",", '"', "”", "'") and \
                (m.end >= sent.end or doc[m.end].is_punct or doc[m.end].lower_ in ("in", "on", "at", "who"))
            if after in _REPORTING or inverted or (before == "to" and before2 == "according"):
                found.append(m.actor)
            elif after == "," and m.actor.kind == "Person":
                nxt = next((t for t in doc[m.end:sent.end] if t.lower_ in _REPORTING), None)
                if nxt is not None and nxt.i - m.end <= 12 and not any(o.what == "actor" and m.end < o.start < nxt.i for o in mentions):
                    found.append(m.actor)
        persons = [a for a in found if a.kind == "Person"]
        return (persons or found or [None])[0]

    def _posts(self, mentions: list[Mention], sent: Sentence) -> None:
        """"foreign ministry spokesperson Zhao Lijian": a post, when the title implies a body."""
        for k, m in enumerate(mentions):
            if m.what != "title" or k + 1 >= len(mentions):
                continue
            nxt = mentions[k + 1]
            if nxt.start != m.end or nxt.actor is None or nxt.actor.kind != "Person":
                continue
            body_id = m.title.get("body")
            if not body_id:
                continue
            state = None
            prev = mentions[k - 1] if k else None
            if prev is not None and prev.end in (m.start, m.start - 1) and prev.actor is not None and prev.actor.kind in ("State", "Bloc"):
                state = prev.actor
            body_rule = next(b for b in self.rules.bodies if b["id"] == body_id)
            if state is None and body_rule["state"] != "context":
                state = self.res.state(body_rule["state"], f"bodies.yaml#{body_id}", sent.text)
            if state is None:
                state = self.res.context_state
            if state is None:
                continue
            body = self.res._body_actor(body_rule, state, f"titles.yaml: \"{self.text.words(m.start, m.end)}\"", sent.text)
            title = self.text.words(m.start, m.end)
            if not any(p[0] == title for p in nxt.actor.posts):
                nxt.actor.posts.append((title, body, self.text.words(prev.start if prev is not None and prev.actor is state else m.start, nxt.end)))

    # -------------------------------------------------------------- responses

    def _cue_spans(self, sent: Sentence) -> list[tuple[str, int, int]]:
        span = self.doc[sent.start:sent.end]
        out = []
        for match_id, s, e in self.cue_matcher(span):
            out.append((self.doc.vocab.strings[match_id], sent.start + s, sent.start + e))
        return out

    def _responses(self, sent: Sentence, mentions: list[Mention], made: list[Act]) -> None:
        cues = self._cue_spans(sent)
        if cues and not made:
            # "Moscow said the move was a response to Tokyo's ... campaign": the act just reported
            words = {t.lower_ for t in self.doc[sent.start:cues[0][1]]}
            if words & {"move", "decision", "ban", "bans", "measure", "measures", "step", "sanctions", "listing", "action"}:
                last = self._context_act(sent, ("sanction", "expulsion", "detention"), window=2)
                if last is not None:
                    made = [last]
                    last.cite(sent.text, "responses.yaml (a sentence about the act before)")
        if not cues or not made:
            return
        for cue, s, e in cues:
            act = next((a for a in made if a.actor is not None and a.rule.voice != "noun"), None)
            if act is None:
                continue
            stop = next((t.i for t in self.doc[e:sent.end] if t.text in (",", ";", ".")), sent.end)
            named = next((m.actor for m in mentions if m.what == "actor" and e <= m.start < stop and m.actor is not None
                          and m.actor.side is not act.actor.side), None)
            if act.cue:
                continue  # the first cue that names the answered act stands ("in retaliation for EU sanctions ...")
            act.cue = cue
            act.cue_words = self.text.words(s, stop)
            act.cue_actor = named
            act.rules.append(f"responses.yaml#{cue}")

    def _merge(self, act: Act) -> Act | None:
        for other in reversed(self.acts):
            if other.referenced or other.family != act.family or act.family in ("statement", "threat"):
                continue
            if (other.actor is None) != (act.actor is None):
                # "the arrest ... of Meng", then "Canadian authorities arrested Meng": one detention
                if act.family != "detention" or not set(act.targets) & set(other.targets):
                    continue
            elif act.actor is not None and other.actor.iri != act.actor.iri:
                continue
            if act.date and other.date and (act.date.date, act.date.earliest) != (other.date.date, other.date.earliest):
                continue
            if act.regions and other.regions and not set(r[0] for r in act.regions) & set(r[0] for r in other.regions):
                continue
            if any(k in other.counts and other.counts[k] != v for k, v in act.counts.items()):
                continue
            if other.actor is None or (other.actor_reason and act.actor is not None and not act.actor_reason):
                other.actor, other.actor_reason = act.actor, act.actor_reason
            other.sentence = max(other.sentence, act.sentence)  # windows count from the latest report
            other.quotes.extend(q for q in act.quotes if q not in other.quotes)
            other.rules.extend(r for r in act.rules if r not in other.rules)
            for t in act.targets:
                if t not in other.targets:
                    other.targets.append(t)
            for k, v in act.counts.items():
                other.counts.setdefault(k, v)
            other.descriptions.extend(d for d in act.descriptions if d not in other.descriptions)
            other.from_state = other.from_state or act.from_state
            other.measures |= act.measures
            other.grounds |= act.grounds
            other.ground_text = other.ground_text or act.ground_text
            other.regions.extend(r for r in act.regions if r not in other.regions)
            other.date = other.date or act.date
            other.via = other.via or act.via
            if act.kind == "counter-sanction":
                other.kind = "counter-sanction"
            if act.cue and not other.cue:
                other.cue, other.cue_words, other.cue_actor = act.cue, act.cue_words, act.cue_actor
            return other
        self.acts.append(act)
        return act

    # -------------------------------------------------------------- links

    def link_responses(self) -> None:
        """Each act with a response cue (or of a counter kind) answers the act the cue names, or the latest against its side."""
        for act in list(self.acts):
            if act.referenced or not (act.cue or act.kind == "counter-sanction") or act.actor is None:
                continue
            answered = self._answered(act)
            if answered is not None:
                act.responds.append(answered)
                if act.family == "sanction":
                    act.kind = "counter-sanction"
            elif act.kind == "counter-sanction":
                act.kind = "sanction"
                self.notes.append(f"{act.quotes[0][:70]}...: a counter-sanction, but no act it answers was found; drafted as a sanction")

    def link_threats(self) -> None:
        """A threat the text does not tie to an act ("the country will take necessary measures") answers the latest act
        reported before it against its speaker's side (kg:respondsTo, as the curated facts link them; a statement is
        only kg:about the act it names)."""
        for act in self.acts:
            if act.kind != "threat" or act.cue or act.responds or act.actor is None:
                continue
            side = self._side_of(act.via or act.actor)
            if side is None:
                continue
            for other in sorted((a for a in self.acts if a.sentence <= act.sentence and not a.referenced), key=lambda a: -a.sentence):
                if other.family not in ("sanction", "detention", "expulsion") or other.actor is None or other.actor.side is side:
                    continue
                if any(t.side is side for t in other.targets) or (other.from_state is not None and other.from_state.side is side):
                    # with the other acts its actor took in that sentence ("imposed sanctions ... and expelled ...")
                    act.responds.extend(a for a in self.acts if a.sentence == other.sentence and not a.referenced
                                        and a.actor is other.actor and a.family in ("sanction", "detention", "expulsion"))
                    act.rules.append("acts.yaml (a threat answers the acts against its side reported before it)")
                    break

    @staticmethod
    def _side_of(actor: Actor) -> Actor | None:
        """The state a speaker speaks for: its own, its post's body's, or (for a person) the state it belongs to."""
        if actor.kind in ("State", "Bloc"):
            return actor.side
        if actor.kind == "Person" and actor.posts:
            return actor.posts[0][1].side
        if actor.state is not None:
            return actor.state.side
        return None

    def _answered(self, act: Act):
        side = act.actor.side
        target_sides = {t.side.iri for t in act.targets if t.side is not t} | ({act.from_state.side.iri} if act.from_state else set())
        if act.cue_actor is not None:
            target_sides = {act.cue_actor.side.iri}
        order = self.acts.index(act)
        best, best_score = None, 0
        for k, other in enumerate(self.acts):
            if other is act or other.actor is None or other.actor.side is side or other.family not in ("sanction", "detention", "expulsion"):
                continue
            score = 1
            if other.actor.side.iri in target_sides:
                score += 4
            if any(t.side is side for t in other.targets) or (other.from_state is not None and other.from_state.side is side):
                score += 2
            if k < order:
                score += 1
            if act.cue_actor is not None and other.actor.side.iri not in target_sides:
                continue
            if score > best_score or (score == best_score and k < order):
                best, best_score = other, score
        if best is not None:
            return best
        if act.cue_actor is not None:
            for existing in self.existing:
                if self.published is not None and existing.earliest is not None \
                        and existing.earliest > self.published.isoformat():
                    continue  # it came after the article: it cannot be what the article's act answers
                # an act of the graph, by the actor the cue names, against the responder's side
                if act.cue_actor.iri in existing.actors and existing.kinds & {"sanction", "counter-sanction"} \
                        and side.iri in existing.target_states:
                    return existing
            referenced = Act("sanction", act.cue_actor, act.rule, act.sentence, stance="", referenced=True)
            referenced.cite(act.quotes[0] if act.quotes else "", f"responses.yaml#{act.cue} (the act a response names)")
            referenced.descriptions.append(act.cue_words)
            self.acts.append(referenced)
            return referenced
        return None


def read_acts(text: Text, resolver: Resolver, rules: Rules, published: dt.date | None,
              existing_acts: list[ExistingAct], dateline_end: int = 0) -> tuple[list[Act], list[str]]:
    """Every act the rules find in the article, merged and linked; and notes for the curator.

    ``dateline_end`` is where the dateline ends: its date is the article's, not an act's.
    """
    reader = _Reader(text, resolver, rules, published, existing_acts)
    reader.dateline_end = dateline_end
    for sent in text.sentences:
        mentions = resolver.mentions(sent.start, sent.end, sent.text)
        reader.read(sent, mentions)
    reader.link_responses()
    reader.link_threats()
    return reader.acts, reader.notes
