"""Link imported FollowTheMoney entities to the articles' actors, with a score and its reasons.

Blocking, never all pairs: the article actors are indexed by the normalised
parts of every name they go by (label and aliases); an entity is compared only
with the actors that share a name part with one of its names. Parts shared by
more than :data:`BLOCK_LIMIT` actors (a very common surname) are used only when
the entity has no rarer part.

Scoring, each feature a reason written on the link:

- **name**: the best pair of names (any label or alias on either side), compared
  part by part with ``rigour``'s name comparison (the OpenSanctions matcher's),
  person names aligned for order first ("CHEN Quanguo" = "Quanguo Chen"), accents
  and scripts folded to ASCII; a score from 0 to 1;
- **kind**: a person is never linked to an organisation (no score at all);
- **nationality**: agreeing adds :data:`AGREE`, disagreeing takes :data:`DISAGREE`;
- **position**: words shared by the article's post titles and the entity's
  ``position`` (beyond common words) add :data:`AGREE`;
- **birth date**: different years on both sides take :data:`DISAGREE`;
- **ambiguity**: an entity that scores above the threshold with two actors links
  to neither without a curator.

A link is asserted when every part of the best pair of names agrees (each
aligned part scores :data:`EXACT_PART` or more: case, order, accents, script
and spacing aside), the whole score is at or above :data:`THRESHOLD` and the
entity scores that high with no other actor; agreeing nationality or position
never lifts a near-miss name over it. From :data:`CANDIDATE` up a link is
written ``kg:unconfirmed true`` for ``kg review``, at most
:data:`CANDIDATES_PER_ACTOR` for one actor (the best; the import reports how
many more it left out).
"""

from __future__ import annotations

import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.ftm.rules import normalise

__all__ = ["ArticleActor", "Candidate", "Matcher", "actors_of", "article_actors", "write_links", "THRESHOLD", "CANDIDATE"]

THRESHOLD = 0.95
CANDIDATE = 0.75
#: Candidates kept for review per article actor (the best scores): a common name would otherwise bring
#: thousands, and a curator reads the few closest.
CANDIDATES_PER_ACTOR = 5
#: A name part agrees when rigour scores it at least this ("quanguo" ~ "quan guo" is 0.97; a one-letter typo is under 0.9).
EXACT_PART = 0.95
AGREE = 0.05
DISAGREE = 0.3
BLOCK_LIMIT = 200
RULE = ("kg import matcher: rigour name parts, kind, nationality, position, birth year; asserted when every name "
        "part agrees and the score is 0.95 or more, a candidate from 0.75")

_COMMON = frozenset(
    "of the and for in on to a an de la du der des del party committee secretary member deputy former head "
    "chief vice director minister ministry office council state national people s peoples government".split()
)


@dataclass
class ArticleActor:
    """An actor of the articles, as the matcher sees it."""

    iri: str
    label: str
    person: bool
    names: list[str]
    nationalities: set[str] = field(default_factory=set)  # actor IRIs of states
    positions: set[str] = field(default_factory=set)      # words of post titles and jurisdictions
    birth_years: set[str] = field(default_factory=set)


@dataclass
class Candidate:
    actor: str
    actor_label: str
    record: str
    record_id: str
    record_label: str
    score: float
    reasons: list[str]
    name_score: float = 0.0
    exact: bool = False
    ambiguous: bool = False

    @property
    def asserted(self) -> bool:
        """Every name part agrees, the score is at the threshold, and no other actor scores as high."""
        return self.exact and self.score >= THRESHOLD and not self.ambiguous


_ACTORS = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?actor ?person ?label ?alt ?nationality ?title ?birth WHERE {
  {
    SELECT DISTINCT ?actor ?person ?label WHERE {
      VALUES ?cls { kg:Person kg:Organisation kg:Company kg:ThinkTank kg:NonGovernmentalOrganisation
                    kg:PoliticalParty kg:GovernmentBody kg:Legislature }
      ?actor a ?cls ; rdfs:label ?label ; kg:evidence ?ev .
      ?ev a kg:QuoteEvidence .
      FILTER NOT EXISTS { ?actor kg:unnamed true }
      BIND (?cls = kg:Person AS ?person)
    }
  }
  # one row a value, not one a combination of values and evidence (an actor quoted in many articles,
  # with several posts and names): at 10^6 triples 3 s instead of 10
  OPTIONAL {
    { ?actor skos:altLabel ?alt }
    UNION { ?actor kg:nationality|kg:affiliatedWith|kg:basedIn ?nationality }
    UNION { ?actor kg:birthDate ?birth }
    UNION { ?post org:member ?actor ; kg:postTitle ?title }
  }
}
"""


def article_actors(store: str = "memory", data_dir: Path | None = None) -> list[ArticleActor]:
    """The named people and organisations the articles state (quote evidence): those of an
    ``oxigraph:PATH`` store when it holds articles, else those of the data folder."""
    from kg.store import store_kind  # noqa: PLC0415

    kind, location = store_kind(store)
    rows: Iterable[tuple] = []
    if kind == "oxigraph" and Path(location).exists():
        import pyoxigraph as ox  # noqa: PLC0415

        result = ox.Store.read_only(str(Path(location).resolve())).query(_ACTORS, use_default_graph_as_union=True)
        rows = [tuple(None if t is None else t.value for t in row) for row in result]
    if not rows:
        from kg.build import build  # noqa: PLC0415

        return actors_of(build(data_dir, include_imports=False))
    return _actors(rows)


def actors_of(dataset) -> list[ArticleActor]:
    """The named people and organisations an rdflib dataset's articles state (quote evidence)."""
    return _actors([tuple(None if t is None else str(t) for t in row) for row in dataset.query(_ACTORS)])


def _actors(rows: Iterable[tuple]) -> list[ArticleActor]:
    """The actors of the query's rows, whatever their order: the label first in sorting order when
    an actor has several, then its other names sorted."""
    actors: dict[str, ArticleActor] = {}
    labels: dict[str, set[str]] = defaultdict(set)
    for iri, person, label, alt, nationality, title, birth in rows:
        actor = actors.get(iri)
        if actor is None:
            actor = actors[iri] = ArticleActor(iri, label, person in ("true", "1"), [])
        labels[iri].add(label)
        if alt:
            actor.names.append(alt)
        if nationality:
            actor.nationalities.add(nationality)
        if title:
            actor.positions |= set(normalise(title).split()) - _COMMON
        if birth:
            actor.birth_years.add(birth[:4])
    for iri, actor in actors.items():
        actor.label = min(labels[iri])
        actor.names = [actor.label, *sorted(set(actor.names) | labels[iri] - {actor.label})]
    return sorted(actors.values(), key=lambda a: a.iri)


class Matcher:
    """Scores entities against the article actors as they stream past (:meth:`consider`)."""

    def __init__(self, actors: list[ArticleActor], rules=None) -> None:
        from rigour.names import NameTypeTag  # noqa: PLC0415

        self.actors = actors
        self.rules = rules
        self.comparisons = 0
        self.asserted: list[Candidate] = []
        self._review: dict[str, list] = {}  # actor -> heap of its best unasserted candidates
        self.dropped = 0  # candidates beyond CANDIDATES_PER_ACTOR
        self.blocks: dict[str, list[int]] = defaultdict(list)
        self._parts: list[list] = []
        self._pairable: dict[str, dict[str, bool]] = {}  # actor's part -> entity's part -> could pair
        self._forms: list[frozenset[str]] = []  # each actor's parts, of all its names
        self._considered = 0
        # the pre-filter holds for rigour's default clustering; a rigour that changes it is compared in full
        from rigour.names.compare import CompareConfig  # noqa: PLC0415

        self._prefilter = CompareConfig().cluster_overlap_min == _CLUSTER_OVERLAP_MIN
        for index, actor in enumerate(actors):
            tag = NameTypeTag.PER if actor.person else NameTypeTag.ORG
            self._parts.append(_name_parts(tag, actor.names))
            self._forms.append(frozenset(q for _, _, forms in self._parts[-1] for q in forms))
            for part in {p for name in actor.names for p in normalise(name).split() if len(p) > 1}:
                self.blocks[part].append(index)

    def _block(self, names: list[str]) -> set[int]:
        parts = {p for name in names for p in normalise(name).split() if len(p) > 1}
        rare = [p for p in parts if 0 < len(self.blocks.get(p, ())) <= BLOCK_LIMIT]
        chosen = rare or [p for p in parts if p in self.blocks]
        return {i for p in chosen for i in self.blocks[p]}

    def consider(self, proxy) -> None:
        """Score one entity (a LegalEntity of any kind) against the actors of its blocks."""
        if not self.actors or not proxy.schema.is_a("LegalEntity"):
            return
        from followthemoney import registry  # noqa: PLC0415
        from rigour.names import NameTypeTag  # noqa: PLC0415

        names = sorted(n for n in proxy.get_type_values(registry.name) if n)  # a set: its order changes run to run
        if not names:
            return
        block = self._block(names)
        if not block:
            return
        person = proxy.schema.is_a("Person")
        either = proxy.schema.name == "LegalEntity"
        tag = NameTypeTag.PER if person else NameTypeTag.ORG
        parts = _name_parts(tag, names)
        forms = frozenset(q for _, _, fs in parts for q in fs)
        self._considered += 1
        if self._considered % 10_000 == 0 and sum(map(len, self._pairable.values())) > 3_000_000:
            self._pairable.clear()  # pairs of parts met so far (~100 bytes each): bounded, whatever the input
        # the pre-filter's test is consider's own `score + 2 * AGREE < CANDIDATE`, on the bound
        floor, lift = (CANDIDATE, 2 * AGREE) if self._prefilter else (None, 0.0)
        nationalities = None
        words = None
        found: list[Candidate] = []
        for index in sorted(block):
            actor = self.actors[index]
            if not either and actor.person != person:
                continue  # a person is never an organisation
            self.comparisons += 1
            name_score, pair, weakest = _name_score(self._parts[index], parts, actor.person and person, floor, lift,
                                                    self._pairable, self._forms[index], forms)
            score = name_score
            if score + 2 * AGREE < CANDIDATE:
                continue
            exact = weakest >= EXACT_PART
            reasons = [f"name: {pair[0]!r} ~ {pair[1]!r} ({score:.2f}; "
                       + ("every part agrees)" if exact else f"a part differs, weakest {weakest:.2f})")]
            if actor.nationalities:
                if nationalities is None:
                    nationalities = self._nationalities(proxy)
                if nationalities:
                    if actor.nationalities & nationalities:
                        score += AGREE
                        reasons.append("nationality: the same state on both sides")
                    else:
                        score -= DISAGREE
                        reasons.append("nationality: different states")
            if words is None:
                words = {w for text in proxy.get("position", quiet=True) for w in normalise(text).split()} - _COMMON
            shared = sorted(actor.positions & words)
            if shared:
                score += AGREE
                reasons.append(f"position: {', '.join(shared)} on both sides")
            years = {d[:4] for d in proxy.get("birthDate", quiet=True)}
            if actor.birth_years and years and not actor.birth_years & years:
                score -= DISAGREE
                reasons.append("birth date: different years")
            score = max(0.0, min(1.0, score))
            if score >= CANDIDATE:
                found.append(Candidate(actor.iri, actor.label, _record_iri(proxy.id), proxy.id, proxy.caption,
                                       round(score, 3), reasons, round(name_score, 3), exact))
        strong = [c for c in found if c.exact and c.score >= THRESHOLD]
        if len(strong) > 1:
            for c in strong:
                c.ambiguous = True
                others = ", ".join(o.actor_label for o in strong if o is not c)
                c.reasons.append(f"ambiguous: the entity also scores {THRESHOLD} or more with {others}")
        import heapq  # noqa: PLC0415

        for c in found:
            if c.asserted:
                self.asserted.append(c)
                continue
            heap = self._review.setdefault(c.actor, [])
            item = (c.score, c.record, c)
            if len(heap) < CANDIDATES_PER_ACTOR:
                heapq.heappush(heap, item)
            else:
                self.dropped += 1
                heapq.heappushpop(heap, item)

    @property
    def candidates(self) -> list[Candidate]:
        """The asserted links, and for each actor its best :data:`CANDIDATES_PER_ACTOR` candidates."""
        return self.asserted + [c for heap in self._review.values() for _, _, c in heap]

    def _nationalities(self, proxy) -> set[str]:
        from kg.ftm.rules import Rules  # noqa: PLC0415
        from kg.namespace import ACTOR  # noqa: PLC0415

        if self.rules is None:
            self.rules = Rules.load()
        codes = {c for prop in ("nationality", "citizenship", "country", "jurisdiction")
                 for c in proxy.get(prop, quiet=True)}
        return {str(ACTOR[self.rules.country(code).actor]) for code in codes}


def _record_iri(entity_id: str) -> str:
    from kg.ftm.mapper import entity_iri  # noqa: PLC0415

    return entity_iri(entity_id)


def _name_parts(tag, names: list[str]) -> list[tuple[str, list, tuple[str, ...]]]:
    """Each name as (the name, its rigour parts, their comparable forms). A name whose parts are the
    same as an earlier name's (what rigour reads of them: comparable form, form length, tag) is left
    out: it would score the same with every name, and the earlier one is kept on a tie anyway."""
    from normality import ascii_text  # noqa: PLC0415
    from rigour.names import analyze_names  # noqa: PLC0415

    out, seen = [], set()
    for raw in names:
        folded = ascii_text(raw) or raw
        for name in analyze_names(tag, [folded], symbols=False, phonetics=False, consolidate=False):
            parts = list(name.parts)
            key = tuple((p.comparable, len(p.form), str(p.tag)) for p in parts)
            if key not in seen:
                seen.add(key)
                out.append((raw, parts, tuple(p.comparable for p in parts)))
    return out


def _overlap_possible(left: str, right: str) -> bool:
    """Whether rigour's ``compare_parts`` could put these two parts in one cluster.

    It pairs two parts when its alignment of the two names (one monotone path through both) matches
    more than ``cluster_overlap_min`` (0.51) of the shorter part's characters between them; those
    matched characters are a common subsequence of the two parts, so never more than their longest
    one (rapidfuzz's ``LCSseq``). A part with a space in it (rigour's parts have none) is let through.
    """
    from rapidfuzz.distance import LCSseq  # noqa: PLC0415

    shorter = min(len(left), len(right))
    if not shorter:
        return False
    if left == right or " " in left or " " in right:
        return True
    return LCSseq.similarity(left, right) / shorter > _CLUSTER_OVERLAP_MIN


#: rigour's ``CompareConfig().cluster_overlap_min`` (checked when the matcher starts).
_CLUSTER_OVERLAP_MIN = 0.51


def _name_score(left: list, right: list, persons: bool, floor: float | None = None, lift: float = 0.0,
                pairable: dict | None = None, lall: frozenset | None = None,
                rall: frozenset | None = None) -> tuple[float, tuple[str, str], float]:
    """The best aligned-parts similarity over all pairs of names, that pair, and its weakest part's score.

    With ``floor``, a pair of names whose score plus ``lift`` cannot reach it is not given to rigour:
    its score is a mean over the parts of both names, weighted by parts, in which a part left alone
    scores 0 and a cluster of paired parts at most 1, so it is at most the share of parts that could
    pair at all (:func:`_overlap_possible`). Only pairs whose score plus ``lift`` is under ``floor``
    are skipped, so whenever the best pair's does reach it, the best pair, its score and its weakest
    part are rigour's own; otherwise the result is some score that does not reach it either.
    ``pairable`` caches :func:`_overlap_possible` by part of ``left``, then part of ``right``;
    ``lall`` and ``rall`` are the parts of all names of each side, when the caller has them."""
    align_person_name_order, compare_parts = _rigour()
    best, pair, weakest = 0.0, ("", ""), 0.0
    if pairable is None:
        pairable = {}
    if floor is not None:
        # First the parts of all names on each side: a name's parts that pair with no part of any name
        # on the other side cannot pair within any pair of names either; counted once a name, this
        # bound (no tighter than the one a pair of names gets below) rules out most pairs of names.
        lpaired, rpaired = set(), set()
        if rall is None:
            rall = frozenset(r for _, _, forms in right for r in forms)
        if lall is None:
            lall = frozenset(q for _, _, forms in left for q in forms)
        for q in lall:
            row = pairable.get(q)
            if row is None:
                row = pairable[q] = {}
            for r in rall:
                ok = row.get(r)
                if ok is None:
                    ok = row[r] = _overlap_possible(q, r)
                if ok:
                    lpaired.add(q)
                    rpaired.add(r)
        if not lpaired:
            return best, pair, weakest
        lcount = [sum(1 for q in forms if q in lpaired) for _, _, forms in left]
        rcount = [sum(1 for r in forms if r in rpaired) for _, _, forms in right]
    for li, (lname, lparts, lforms) in enumerate(left):
        for ri, (rname, rparts, rforms) in enumerate(right):
            if floor is not None:
                if (lcount[li] + rcount[ri]) / (len(lforms) + len(rforms)) + lift < floor:
                    continue
                could = 0  # every (q, r) of these two names is in pairable now
                for q in lforms:
                    row = pairable[q]
                    if any(row[r] for r in rforms):
                        could += 1
                for r in rforms:
                    if any(pairable[q][r] for q in lforms):
                        could += 1
                if could / (len(lforms) + len(rforms)) + lift < floor:
                    continue
            if persons:
                lp, rp = align_person_name_order(lparts, rparts)
            else:
                lp, rp = lparts, rparts
            weight = total = 0.0
            low = 1.0
            for alignment in compare_parts(lp, rp):
                n = len(alignment.qps) + len(alignment.rps)
                weight += n
                total += alignment.score * n
                low = min(low, alignment.score)
            score = total / weight if weight else 0.0
            if score > best or (score == best and low > weakest):
                best, pair, weakest = score, (lname, rname), low
    return best, pair, weakest


@functools.lru_cache(maxsize=1)
def _rigour() -> tuple:
    """rigour's person-name ordering and part comparison, imported once (not on every call)."""
    from rigour._core import align_person_name_order  # noqa: PLC0415
    from rigour.names.compare import compare_parts  # noqa: PLC0415

    return align_person_name_order, compare_parts


def link_iri(actor: str, record: str) -> str:
    from kg.namespace import LINK  # noqa: PLC0415

    return f"{LINK}{hashlib.sha1(f'{actor} {record}'.encode('utf-8')).hexdigest()[:16]}"


def write_links(path: Path, dataset: str, matcher: Matcher) -> dict[str, int]:
    """Write the links file of a dataset (``data/links/<name>.ttl``), keeping a curator's confirmations.

    A link above the threshold (and not ambiguous) is asserted; the others are
    ``kg:unconfirmed true``. A link the file already holds without the flag stays
    confirmed (the curator's word outlives the score), even when this import no
    longer proposes it. Returns counts by outcome.
    """
    import pyoxigraph as ox  # noqa: PLC0415

    from kg.io import KgInputError, atomic_write  # noqa: PLC0415
    from kg.namespace import KG, PREFIXES  # noqa: PLC0415

    kg = str(KG._NS)
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    confirmed: dict[str, list[ox.Triple]] = {}
    if path.exists():
        old = ox.Store()
        try:
            old.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except (SyntaxError, ValueError, OSError) as exc:
            raise KgInputError(f"{path}: cannot read the links: {exc}") from exc
        flagged = {q.subject.value for q in old.quads_for_pattern(None, ox.NamedNode(kg + "unconfirmed"), None)}
        for q in old.quads_for_pattern(None, ox.NamedNode(rdf + "type"), ox.NamedNode(kg + "Link")):
            if q.subject.value not in flagged:
                confirmed[q.subject.value] = [
                    ox.Triple(t.subject, t.predicate, t.object) for t in old.quads_for_pattern(q.subject, None, None)
                ]
    n = ox.NamedNode
    counts = {"asserted": 0, "candidates": 0, "kept as confirmed": 0, "weaker candidates left out": matcher.dropped}
    triples: list[ox.Triple] = []
    written = set()
    for c in sorted(matcher.candidates, key=lambda c: (c.actor, c.record)):
        iri = link_iri(c.actor, c.record)
        if iri in written:
            continue
        written.add(iri)
        node = n(iri)
        kept = confirmed.pop(iri, None)
        if kept is not None and not c.asserted:  # a curator confirmed what the matcher only proposes
            counts["kept as confirmed"] += 1
            triples += kept
            continue
        triples += [
            ox.Triple(node, n(rdf + "type"), n(kg + "Link")),
            ox.Triple(node, n("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal(f"{c.actor_label} = {c.record_label} ({dataset} {c.record_id})")),
            ox.Triple(node, n(rdf + "subject"), n(c.actor)),
            ox.Triple(node, n(rdf + "predicate"), n("http://www.w3.org/2004/02/skos/core#exactMatch")),
            ox.Triple(node, n(rdf + "object"), n(c.record)),
            ox.Triple(node, n(kg + "matchScore"),
                      ox.Literal(f"{c.score:.3f}", datatype=n("http://www.w3.org/2001/XMLSchema#decimal"))),
            ox.Triple(node, n(kg + "draftRule"), ox.Literal(RULE)),
        ]
        triples += [ox.Triple(node, n(kg + "matchReason"), ox.Literal(r)) for r in c.reasons]
        if c.asserted:
            counts["asserted"] += 1
        else:
            counts["candidates"] += 1
            triples.append(ox.Triple(node, n(kg + "unconfirmed"), ox.Literal(True)))
    for iri, kept in confirmed.items():  # confirmed by a curator, not proposed this time
        counts["kept as confirmed"] += 1
        triples += kept
    header = (
        f"# Links between the articles' actors and the entities of the dataset {dataset!r}, written by kg import.\n"
        "# A link with kg:unconfirmed true is a candidate: `kg review` lists it; confirming removes the flag,\n"
        "# and kg build then asserts rdf:subject skos:exactMatch rdf:object. A re-import keeps confirmed links.\n"
    )
    atomic_write(path, header + _links_turtle(triples, PREFIXES))
    return counts


def _links_turtle(triples: list, prefixes: dict[str, str]) -> str:
    """Turtle laid out for curators and ``kg review``: one block a link, one statement a line,
    ``kg:unconfirmed true ;`` on its own line right under the type (review removes that line)."""
    import re  # noqa: PLC0415

    import pyoxigraph as ox  # noqa: PLC0415

    safe = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
    by_length = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def term(t) -> str:
        if isinstance(t, ox.NamedNode):
            if t.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
                return "a"
            for prefix, ns in by_length:
                if t.value.startswith(ns) and safe.fullmatch(t.value[len(ns):]):
                    return f"{prefix}:{t.value[len(ns):]}"
            return str(t)
        if isinstance(t, ox.Literal) and t.datatype.value.endswith("#boolean"):
            return t.value
        if isinstance(t, ox.Literal) and t.datatype.value.endswith("#decimal") and "." in t.value:
            return t.value
        return str(t)

    order = {"a": 0, "kg:unconfirmed": 1, "rdfs:label": 2, "rdf:subject": 3, "rdf:predicate": 4, "rdf:object": 5}
    nodes: dict[str, list[tuple[str, str]]] = {}
    for t in triples:
        nodes.setdefault(term(t.subject), []).append((term(t.predicate), term(t.object)))
    used = sorted({p for p, ns in prefixes.items() if any(f"{p}:" in line for line in
                   [s + " " + " ".join(f"{a} {b}" for a, b in po) for s, po in nodes.items()])})
    out = [f"@prefix {p}: <{prefixes[p]}> ." for p in used]
    for subject in sorted(nodes):
        pairs = sorted(set(nodes[subject]), key=lambda po: (order.get(po[0], 9), po))
        out.append("")
        out.append(f"{subject} {pairs[0][0]} {pairs[0][1]} ;")
        for i, (p, o) in enumerate(pairs[1:], start=1):
            out.append(f"    {p} {o} {'.' if i == len(pairs) - 1 else ';'}")
    return "\n".join(out) + "\n"
