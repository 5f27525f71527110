"""Score ``kg add``'s drafts against the facts a curator wrote for the same article.

Both sides are reduced to the same small form, :class:`ArticleFacts`: the acts
(kind, imposer or speaker, targets, counts, measures, date, the acts they
answer) and the names of the actors they involve. Expected facts come from a
YAML file of the evaluation set (:func:`expected_from_yaml`) or from a curated
facts file (:func:`facts_from_graph`); drafted facts from the draft's Turtle
through the same :func:`facts_from_graph`.

Drafted acts are paired one to one with expected acts (:func:`align`), and each
kind of fact is counted as true positives, drafted and expected
(:class:`Tally`), per article; the figures are micro-averaged over articles.

Actors match when they have the same IRI, or share a name once case, accents,
"the", possessives and punctuation are set aside (:func:`name_key`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Act", "ArticleFacts", "Score", "Tally", "align", "evaluate_seeds", "evaluate_set", "expected_from_yaml",
           "facts_from_graph", "name_key", "score_article"]

ACTING = ("sanction", "counter-sanction", "detention", "expulsion")
SPEAKING = ("statement", "threat")
KINDS = ACTING + SPEAKING
METRICS = ("links", "kinds", "dates", "counts", "measures", "responses", "speakers", "reuse")


def name_key(name: str) -> str:
    """A name with case, accents, a leading "the", possessives and punctuation set aside.

    Examples
    --------
    >>> name_key("The U.S. Treasury's")
    'us treasury'
    >>> name_key("Jerdén") == name_key("JERDEN")
    True
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = re.sub(r"[\u2019']s\b", "", text)
    text = re.sub(r"(?<=\b\w)\.", "", text)  # U.S. -> US
    text = re.sub(r"[^\w&]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


@dataclass
class Act:
    """One act in the compact form both sides share."""

    kind: str
    by: str | None = None  # an actor key (see ArticleFacts.actors)
    targets: frozenset[str] = frozenset()
    counts: dict[str, int] = field(default_factory=dict)  # person | organisation | total
    measures: frozenset[str] = frozenset()
    dates: tuple[dt.date, dt.date] | None = None  # (earliest, latest); one day: both the same
    responds_to: frozenset[str] = frozenset()  # act ids in the article, or IRIs of acts outside it
    id: str = ""

    def count_facts(self) -> set[tuple[str, int]]:
        """The counts, with the total worked out from persons and organisations when not given."""
        counts = dict(self.counts)
        if "total" not in counts and counts:
            counts["total"] = counts.get("person", 0) + counts.get("organisation", 0)
        return set(counts.items())


@dataclass
class ArticleFacts:
    """An article's acts, and for each actor key its IRI (if any) and name keys."""

    acts: list[Act]
    actors: dict[str, tuple[str | None, frozenset[str]]]


@dataclass
class Tally:
    """True positives, drafted and expected facts of one kind."""

    tp: int = 0
    drafted: int = 0
    expected: int = 0

    def __iadd__(self, other: "Tally") -> "Tally":
        self.tp += other.tp
        self.drafted += other.drafted
        self.expected += other.expected
        return self

    @property
    def precision(self) -> float | None:
        return self.tp / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.expected if self.expected else None

    @staticmethod
    def of(drafted: set, expected: set) -> "Tally":
        return Tally(len(drafted & expected), len(drafted), len(expected))


@dataclass
class Score:
    """One article's (or a set's) tallies, its quotes, its duplicates, and what was missed or wrong."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in METRICS})
    quotes: int = 0
    verbatim: int = 0
    duplicates: list[str] = field(default_factory=list)
    misses: dict[str, list] = field(default_factory=dict)  # metric -> expected facts not drafted
    wrong: dict[str, list] = field(default_factory=dict)  # metric -> drafted facts not expected

    def __iadd__(self, other: "Score") -> "Score":
        for m in METRICS:
            self.tallies[m] += other.tallies[m]
        self.quotes += other.quotes
        self.verbatim += other.verbatim
        self.duplicates += other.duplicates
        for side in ("misses", "wrong"):
            for m, items in getattr(other, side).items():
                getattr(self, side).setdefault(m, []).extend(items)
        return self


# --- matching ---------------------------------------------------------------

def actor_map(drafted: ArticleFacts, expected: ArticleFacts) -> dict[str, str]:
    """Each drafted actor key to the expected key it stands for (``drafted:KEY`` when none).

    Examples
    --------
    >>> d = ArticleFacts([], {"x:1": ("x:1", frozenset({"zhao"})), "x:2": ("x:2", frozenset({"wang yi"}))})
    >>> e = ArticleFacts([], {"name:zhao lijian": (None, frozenset({"zhao lijian", "zhao"}))})
    >>> actor_map(d, e)
    {'x:1': 'name:zhao lijian', 'x:2': 'drafted:x:2'}
    """
    by_iri = {iri: key for key, (iri, _) in expected.actors.items() if iri}
    by_name: dict[str, str] = {}
    for key, (_, names) in sorted(expected.actors.items()):
        for name in names:
            by_name.setdefault(name, key)
    out = {}
    for key, (iri, names) in drafted.actors.items():
        match = by_iri.get(iri) if iri else None
        if match is None:
            match = next((by_name[n] for n in sorted(names) if n in by_name), None)
        out[key] = match if match is not None else f"drafted:{key}"
    return out


def _pair_score(d: Act, e: Act) -> float:
    same_by = d.by is not None and d.by == e.by
    shared = d.targets & e.targets
    if not same_by and not shared:
        return 0.0
    if (d.kind in SPEAKING) != (e.kind in SPEAKING) and not same_by:
        return 0.0
    overlap = len(shared) / len(d.targets | e.targets) if shared else 0.0
    score = 2.0 * same_by + 2.0 * overlap + 1.0 * (d.kind == e.kind)
    score += 0.5 * (d.dates is not None and d.dates == e.dates)
    score += 0.5 * bool(d.count_facts() & e.count_facts())
    return score


def align(drafted: list[Act], expected: list[Act]) -> dict[int, int]:
    """Pair drafted acts (their actors already in expected keys) with expected acts, one to one.

    Two acts can pair when they have the same imposer or speaker, or share a target;
    the pairs are taken best first (same actor, target overlap, kind, date, counts).

    Examples
    --------
    >>> e = [Act("sanction", "us", frozenset({"lam"})), Act("counter-sanction", "cn", frozenset({"rubio"}))]
    >>> d = [Act("sanction", "cn", frozenset({"rubio"})), Act("statement", "zhao")]
    >>> align(d, e)
    {0: 1}
    """
    pairs = sorted(((_pair_score(d, e), i, j) for i, d in enumerate(drafted) for j, e in enumerate(expected)),
                   key=lambda p: (-p[0], p[1], p[2]))
    out: dict[int, int] = {}
    used: set[int] = set()
    for score, i, j in pairs:
        if score <= 0 or i in out or j in used:
            continue
        out[i] = j
        used.add(j)
    return out


def _translate(facts: ArticleFacts, mapping: dict[str, str]) -> list[Act]:
    return [Act(a.kind, mapping.get(a.by, a.by) if a.by else None, frozenset(mapping.get(t, t) for t in a.targets),
                a.counts, a.measures, a.dates, a.responds_to, a.id) for a in facts.acts]


def _participants(facts: ArticleFacts) -> set[str]:
    return {k for a in facts.acts for k in ({a.by} if a.by else set()) | set(a.targets)}


def score_article(drafted: ArticleFacts, expected: ArticleFacts, *, existing: dict[str, frozenset[str]] | None = None,
                  quotes: list[str] = (), text: str = "") -> Score:
    """Score one article's draft against its expected facts.

    ``existing`` maps the IRIs of the actors the graph had before the draft to
    their name keys: a drafted actor with another IRI that shares a name with
    one of them is a duplicate. ``quotes`` are the draft's quotes, checked
    against ``text``.
    """
    existing = existing or {}
    mapping = actor_map(drafted, expected)
    d_acts = _translate(drafted, mapping)
    e_acts = expected.acts
    pairs = align(d_acts, e_acts)
    score = Score()

    def tally(metric: str, d: set, e: set) -> None:
        score.tallies[metric] += Tally.of(d, e)
        if e - d:
            score.misses.setdefault(metric, []).extend(sorted(e - d, key=str))
        if d - e:
            score.wrong.setdefault(metric, []).extend(sorted(d - e, key=str))

    def links(acts: list[Act]) -> set:
        return {(a.by, x) for a in acts if a.kind in ACTING and a.by for x in a.targets}

    tally("links", links(d_acts), links(e_acts))
    # an act's other facts are named by the expected act it is paired with, or, unpaired,
    # by its own position (so that they never count as hits)
    name = {i: f"e{pairs[i]}" if i in pairs else f"d{i}" for i in range(len(d_acts))}
    e_name = {j: f"e{j}" for j in range(len(e_acts))}
    tally("kinds", {(name[i], a.kind) for i, a in enumerate(d_acts)},
          {(e_name[j], a.kind) for j, a in enumerate(e_acts)})
    tally("dates", {(name[i], a.dates) for i, a in enumerate(d_acts) if a.dates},
          {(e_name[j], a.dates) for j, a in enumerate(e_acts) if a.dates})
    tally("counts", {(name[i], *c) for i, a in enumerate(d_acts) for c in a.count_facts()},
          {(e_name[j], *c) for j, a in enumerate(e_acts) for c in a.count_facts()})
    tally("measures", {(name[i], m) for i, a in enumerate(d_acts) for m in a.measures},
          {(e_name[j], m) for j, a in enumerate(e_acts) for m in a.measures})
    d_ids = {a.id: name[i] for i, a in enumerate(d_acts) if a.id}
    e_ids = {a.id: e_name[j] for j, a in enumerate(e_acts) if a.id}
    tally("responses", {(name[i], d_ids.get(r, r)) for i, a in enumerate(d_acts) for r in a.responds_to},
          {(e_name[j], e_ids.get(r, r)) for j, a in enumerate(e_acts) for r in a.responds_to})
    tally("speakers", {a.by for a in d_acts if a.kind in SPEAKING and a.by},
          {a.by for a in e_acts if a.kind in SPEAKING and a.by})
    tally("reuse", {drafted.actors[k][0] for k in _participants(drafted) if k in drafted.actors} & set(existing),
          {expected.actors[k][0] for k in _participants(expected) if k in expected.actors} & set(existing))
    for iri, names in sorted(drafted.actors.values(), key=lambda v: str(v[0])):
        if iri in existing:
            continue
        clash = sorted(e for e, e_names in existing.items() if names & e_names)
        if clash:
            score.duplicates.append(f"{iri} duplicates {clash[0]}")
    score.quotes = len(quotes)
    score.verbatim = sum(1 for q in quotes if q in text)
    return score


# --- reading the two sides ----------------------------------------------------

def expected_from_yaml(data: dict, known: dict[str, frozenset[str]]) -> ArticleFacts:
    """An evaluation file's expected facts (tests/ingest/eval/README.md); ``known`` gives the graph's actors."""
    from kg.namespace import PREFIXES  # noqa: PLC0415

    aliases = {name_key(k): {name_key(a) for a in v} for k, v in (data.get("aliases") or {}).items()}
    actors: dict[str, tuple[str | None, frozenset[str]]] = {}

    def ref(r) -> str:
        r = str(r)
        if r.startswith("actor:"):
            key = PREFIXES["actor"] + r[len("actor:"):]
            if key not in known:
                raise ValueError(f"{r}: not an actor of the graph")
            actors[key] = (key, known[key])
            return key
        n = name_key(r)
        key = f"name:{n}"
        actors[key] = (None, frozenset({n} | aliases.get(n, set())))
        return key

    acts = []
    for a in data["acts"]:
        if a["kind"] not in KINDS:
            raise ValueError(f"{a['kind']}: not a kind of act")
        dates = (a["date"], a["date"]) if a.get("date") else tuple(a["between"]) if a.get("between") else None
        acts.append(Act(a["kind"], ref(a["by"]) if a.get("by") else None, frozenset(ref(x) for x in a.get("targets") or ()),
                        dict(a.get("counts") or {}), frozenset(a.get("measures") or ()), dates,
                        frozenset(a.get("responds_to") or ()), a.get("id", "")))
    return ArticleFacts(acts, actors)


def facts_from_graph(graph) -> ArticleFacts:
    """The acts of a facts graph (curated or drafted), with its curated dates already asserted in it.

    A date is one day (``kg:date``) or a stated span (``kg:earliestDate`` and
    ``kg:latestDate``); a lone ``kg:latestDate`` (reported on or before the
    article's day) is no date. ``measure:Unspecified`` is no measure.
    """
    from rdflib import RDF, RDFS, SKOS, URIRef  # noqa: PLC0415

    from kg.namespace import KG, MEASURE  # noqa: PLC0415

    names = {KG.CounterSanction: "counter-sanction", KG.Threat: "threat", KG.Sanction: "sanction",
             KG.Detention: "detention", KG.Expulsion: "expulsion", KG.Statement: "statement"}
    order = list(names.values())
    acts = []
    for act in sorted(set(graph.subjects(RDF.type, None)), key=str):
        kinds = [names[t] for t in graph.objects(act, RDF.type) if t in names]
        if not kinds:
            continue
        by = next((o for p in (KG.imposedBy, KG.actor, KG.speaker) for o in graph.objects(act, p)), None)
        counts = {}
        for p, k in ((KG.personTargetCount, "person"), (KG.organisationTargetCount, "organisation"), (KG.targetCount, "total")):
            v = graph.value(act, p)
            if v is not None:
                counts[k] = int(v)
        date, earliest, latest = (graph.value(act, p) for p in (KG.date, KG.earliestDate, KG.latestDate))
        dates = None
        if date is not None:
            dates = (date.toPython(), date.toPython())
        elif earliest is not None and latest is not None:
            dates = (earliest.toPython(), latest.toPython())
        measures = frozenset(str(m)[len(str(MEASURE._NS)):] for m in graph.objects(act, KG.measure)
                             if m != MEASURE.Unspecified)
        acts.append(Act(min(kinds, key=order.index), str(by) if by is not None else None,
                        frozenset(str(o) for o in graph.objects(act, KG.target)), counts, measures, dates,
                        frozenset(str(o) for o in graph.objects(act, KG.respondsTo)), str(act)))
    actors = {}
    for k in {k for a in acts for k in ({a.by} if a.by else set()) | a.targets}:
        labels = set(graph.objects(URIRef(k), RDFS.label)) | set(graph.objects(URIRef(k), SKOS.altLabel))
        actors[k] = (k, frozenset(name_key(str(x)) for x in labels))
    return ArticleFacts(acts, actors)


def actor_names(graph) -> dict[str, frozenset[str]]:
    """Every actor (an ``actor:`` IRI with a label) of ``graph`` with its name keys."""
    from rdflib import RDFS, SKOS  # noqa: PLC0415

    from kg.namespace import PREFIXES  # noqa: PLC0415

    out: dict[str, frozenset[str]] = {}
    for s in set(graph.subjects(RDFS.label, None)):
        if str(s).startswith(PREFIXES["actor"]):
            out[str(s)] = frozenset(name_key(str(x)) for p in (RDFS.label, SKOS.altLabel) for x in graph.objects(s, p))
    return out


def facts_graph(facts_ttl: str | Path, curation_ttl: str | Path | None = None):
    """A facts file parsed, with the curated triples about its nodes asserted (as ``kg build`` does)."""
    from rdflib import RDF, Graph, URIRef  # noqa: PLC0415

    from kg.namespace import KG  # noqa: PLC0415

    def parse(source) -> Graph:
        g = Graph()
        if isinstance(source, Path):
            g.parse(source, format="turtle")
        else:
            g.parse(data=source, format="turtle")
        return g

    graph = parse(facts_ttl)
    if curation_ttl:
        cur = parse(curation_ttl)
        subjects = set(graph.subjects())
        for note in cur.subjects(RDF.type, KG.CuratedStatement):
            s, p, o = cur.value(note, RDF.subject), cur.value(note, RDF.predicate), cur.value(note, RDF.object)
            if s in subjects and isinstance(p, URIRef) and o is not None:
                graph.add((s, p, o))
    return graph


# --- drafting and scoring a whole set -------------------------------------------

def draft_graph(draft):
    """The draft's facts with its curated dates asserted, as ``kg build`` would read them."""
    from kg.ingest.write import curation_block, header  # noqa: PLC0415
    from kg.namespace import PREFIXES  # noqa: PLC0415

    used = ["act", "article", "cur", "kg", "rdf", "rdfs", "schema", "xsd"]
    block = curation_block(draft.slug, getattr(draft, "_curated_blocks", []), {p: PREFIXES[p] for p in used})
    return facts_graph(draft.facts, header(used) + block if block else None)


def draft_quotes(draft, graph) -> list[str]:
    """Every quote of the draft: the ``kg:quote`` literals of its Turtle and those of its curated dates."""
    from kg.namespace import KG  # noqa: PLC0415

    return [str(q) for q in graph.objects(None, KG.quote)] + list(draft.quotes)


def _graph_of(files: list[Path]):
    from rdflib import Graph  # noqa: PLC0415

    graph = Graph()
    for f in files:
        graph.parse(f, format="turtle")
    return graph


def evaluate_set(folder: Path | str, data_dir: Path | str, rules=None) -> list[tuple[str, Score]]:
    """Draft every article of an evaluation folder (``*.yaml``) against ``data_dir``'s actors, and score it."""
    import yaml  # noqa: PLC0415

    from kg.ingest import draft_article  # noqa: PLC0415
    from kg.ingest.actors import GraphIndex  # noqa: PLC0415
    from kg.ingest.rules import load_rules  # noqa: PLC0415

    data_dir = Path(data_dir)
    rules = rules or load_rules()
    index = GraphIndex.from_data(data_dir, frozenset(), rules)
    known = actor_names(_graph_of(sorted((data_dir / "facts").glob("*.ttl"))))
    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        draft = draft_article(data["text"], path.stem, published=data.get("published"), index=index, rules=rules)
        graph = draft_graph(draft)
        score = score_article(facts_from_graph(graph), expected_from_yaml(data, known), existing=known,
                              quotes=draft_quotes(draft, graph), text=data["text"])
        out.append((path.stem, score))
    return out


def evaluate_seeds(data_dir: Path | str, rules=None) -> list[tuple[str, Score]]:
    """Draft each curated article of ``data_dir`` again and score it against the facts curated by hand.

    The article's own facts are left out of the actor index (as if it were new),
    and an actor counts as existing only if another facts file has it.
    """
    from rdflib import URIRef  # noqa: PLC0415

    from kg.ingest import draft_article  # noqa: PLC0415
    from kg.ingest.actors import GraphIndex  # noqa: PLC0415
    from kg.ingest.rules import load_rules  # noqa: PLC0415
    from kg.namespace import ARTICLE, PREFIXES  # noqa: PLC0415

    data_dir = Path(data_dir)
    rules = rules or load_rules()
    files = sorted((data_dir / "facts").glob("*.ttl"))
    curation = data_dir / "curation.ttl"
    out = []
    for path in files:
        slug = path.stem
        text = (data_dir / "articles" / f"{slug}.txt").read_text(encoding="utf-8")
        curated = facts_graph(path, curation if curation.exists() else None)
        published = curated.value(URIRef(ARTICLE[slug]), URIRef(PREFIXES["schema"] + "datePublished"))
        index = GraphIndex.from_data(data_dir, frozenset({slug}), rules)
        draft = draft_article(text, slug, published=published.toPython() if published is not None else None,
                              published_how="the article's curated date", index=index, rules=rules)
        graph = draft_graph(draft)
        known = actor_names(_graph_of([f for f in files if f != path]))
        score = score_article(facts_from_graph(graph), facts_from_graph(curated), existing=known,
                              quotes=draft_quotes(draft, graph), text=text)
        out.append((slug, score))
    return out
