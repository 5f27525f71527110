"""A synthetic sanctions graph of a chosen size, shaped like a built dataset.

States and blocs, their ministries, officials, legislators and think tanks;
sanctions with a realistic skew (a few imposers and targets account for most
acts: Zipf-like choices), coordinated rounds, counter-sanctions that answer
earlier sanctions, condemnations, posts, and evidence quotes that occur in
their synthetic articles. It conforms to the shapes; ``violations=K``
injects exactly K violations of each kind in :data:`INJECTED`, and
:func:`synthesize` returns which focus nodes they are on.

Quads are made with pyoxigraph and written as TriG by Oxigraph, so a million
triples take seconds, not minutes. A seed makes the output repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

__all__ = ["INJECTED", "Synth", "synthesize", "write_synth"]

ONT = "https://w3id.org/sanctions-kg/ontology#"
ID = "https://w3id.org/sanctions-kg/id/"
GRAPH = "https://w3id.org/sanctions-kg/graph/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MEASURES = ("AssetFreeze", "TravelBan", "FinancialServicesBan", "PropertyDealingsBan", "ArmsEmbargo")
GROUNDS = ("HumanRightsViolations", "Repression", "ArbitraryDetention", "CrackdownOnDemocracy", "Disinformation")

#: The violations ``violations=K`` injects, by the shape that must report them.
INJECTED = (
    "kgsh:Evidence_quoteInText",
    "kgsh:Retaliation_order",
    "kgsh:TargetCount_notBelowNamed",
    "kgsh:Sanction_imposedBy",
)


@dataclass
class Synth:
    """The quads (as pyoxigraph Quads) and the injected violations (shape -> focus IRIs)."""

    quads: list
    truth: dict[str, set[str]] = field(default_factory=dict)


def _zipf(rng: random.Random, items: list, s: float = 1.8):
    weights = [1 / (i + 1) ** s for i in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


class _Writer:
    def __init__(self):
        import pyoxigraph as ox  # noqa: PLC0415

        self.ox = ox
        self.quads: list = []
        self.graph = None
        self.text: list[str] = []
        self.article = None
        self.n = 0
        self._nodes: dict[str, object] = {}

    def node(self, iri: str):
        found = self._nodes.get(iri)
        if found is None:
            found = self._nodes[iri] = self.ox.NamedNode(iri)
        return found

    def add(self, s: str, p: str, o) -> None:
        obj = o if not isinstance(o, str) else self.node(o)
        self.quads.append(self.ox.Quad(self.node(s), self.node(p), obj, self.graph))

    def lit(self, value, datatype: str | None = None, lang: str | None = None):
        if lang:
            return self.ox.Literal(str(value), language=lang)
        return self.ox.Literal(str(value), datatype=self.node(XSD + datatype)) if datatype else self.ox.Literal(str(value))

    def start_article(self, number: int) -> None:
        self.article = f"{ID}article/synth-{number}"
        self.graph = self.node(f"{GRAPH}article/synth-{number}")
        self.text = []

    def evidence(self, subject: str, sentence: str, in_text: bool = True) -> str:
        """Attach a quote; it goes into the article text unless ``in_text`` is False (an injected error)."""
        self.n += 1
        ev = f"{self.article}/quote/{self.n}"
        if in_text:
            self.text.append(sentence)
        self.add(ev, RDF_TYPE, ONT + "Evidence")
        self.add(ev, ONT + "quote", self.lit(sentence))
        self.add(ev, ONT + "inArticle", self.article)
        self.add(subject, ONT + "evidence", ev)
        return ev

    def end_article(self, number: int) -> None:
        a = self.article
        self.add(a, RDF_TYPE, ONT + "NewsArticle")
        self.add(a, LABEL, self.lit(f"Synthetic report {number}", lang="en"))
        self.add(a, SCHEMA + "headline", self.lit(f"Synthetic report {number}"))
        self.add(a, SCHEMA + "text", self.lit(" ".join(self.text)))


def synthesize(triples: int, seed: int = 0, violations: int = 0) -> Synth:
    """Generate a dataset of about ``triples`` triples (ontology included)."""
    import pyoxigraph as ox  # noqa: PLC0415

    from kg import paths  # noqa: PLC0415

    rng = random.Random(seed)
    w = _Writer()
    w.graph = w.node(GRAPH + "ontology")
    blanks: dict = {}  # the parser's blank node labels are random; name them in parse order

    def stable(term):
        if isinstance(term, ox.BlankNode):
            return blanks.setdefault(term, ox.BlankNode(f"o{len(blanks)}"))
        return term

    for path in sorted(paths.ontology_dir().glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            w.quads.append(ox.Quad(stable(triple.subject), triple.predicate, stable(triple.object), w.graph))

    n_sides = max(8, min(60, triples // 15_000))
    sides = [f"{ID}actor/state-{i}" for i in range(n_sides)]
    blocs = [f"{ID}actor/bloc-{i}" for i in range(max(1, n_sides // 8))]
    people: dict[str, list[str]] = {s: [] for s in sides + blocs}
    per_side = max(6, triples // (n_sides * 120))

    article = 0
    w.start_article(article)
    for i, side in enumerate(sides + blocs):
        is_bloc = side in blocs
        w.add(side, RDF_TYPE, ONT + ("Bloc" if is_bloc else "State"))
        w.add(side, LABEL, w.lit(f"{'Bloc' if is_bloc else 'State'} {i}", lang="en"))
        w.evidence(side, f"{'Bloc' if is_bloc else 'State'} {i} is an actor.")
        if not is_bloc and blocs and rng.random() < 0.5:
            w.add(side, ORG + "memberOf", blocs[i % len(blocs)])
        body = f"{side}-ministry"
        w.add(body, RDF_TYPE, ONT + "GovernmentBody")
        w.add(body, LABEL, w.lit(f"Ministry of {i}", lang="en"))
        w.add(body, ORG + "subOrganizationOf", side)
        w.evidence(body, f"The ministry of {i} speaks for it.")
        for j in range(per_side):
            person = f"{side}-official-{j}"
            post = f"{ID}post/{side.rsplit('/', 1)[1]}-official-{j}"
            w.add(person, RDF_TYPE, ONT + "Person")
            w.add(person, LABEL, w.lit(f"Official {j} of {i}", lang="en"))
            w.evidence(person, f"Official {j} of {i} serves the ministry of {i}.")
            w.add(post, RDF_TYPE, ONT + "Post")
            w.add(post, ORG + "member", person)
            w.add(post, ORG + "organization", body)
            w.add(post, ONT + "postTitle", w.lit("official"))
            w.evidence(post, f"Official {j} of {i} serves the ministry of {i}.")
            people[side].append(person)
        if len(w.quads) > 20_000:
            w.end_article(article)
            article += 1
            w.start_article(article)

    injected = {name: set() for name in INJECTED}
    budget = {name: violations for name in INJECTED}
    sanctions: list[tuple[str, str, date, list[str]]] = []
    start = date(2015, 1, 1)
    act = 0
    ordered_sides = sides + blocs
    rng.shuffle(ordered_sides)
    while len(w.quads) < triples:
        imposer = _zipf(rng, ordered_sides)
        target_side = _zipf(rng, [s for s in ordered_sides if s != imposer])
        when = start + timedelta(days=rng.randrange(3650))
        round_members = [imposer]
        if rng.random() < 0.1:
            round_members += rng.sample([s for s in ordered_sides if s not in (imposer, target_side)], k=2)
        named = sorted({_zipf(rng, people[target_side], 1.05) for _ in range(rng.randint(1, 4))})
        round_iri = f"{ID}round/{act}" if len(round_members) > 1 else None
        if round_iri:
            w.add(round_iri, RDF_TYPE, ONT + "SanctionRound")
            w.add(round_iri, LABEL, w.lit(f"Round {act}", lang="en"))
        for imp in round_members:
            act += 1
            iri = f"{ID}act/sanction-{act}"
            inject = None
            open_kinds = [k for k in INJECTED if budget[k] and k != "kgsh:Retaliation_order"]
            if open_kinds and rng.random() < 0.05:
                inject = rng.choice(open_kinds)
                budget[inject] -= 1
            focus = _sanction(w, rng, iri, imp, named, when, round_iri, inject=inject)
            if inject:
                injected[inject].add(focus)
            sanctions.append((iri, imp, when, named))
            if rng.random() < 0.35:  # the target side answers
                act += 1
                counter = f"{ID}act/counter-{act}"
                answer_named = sorted({_zipf(rng, people[imp], 1.05) for _ in range(rng.randint(1, 3))})
                delay = rng.randint(0, 14)
                late = budget["kgsh:Retaliation_order"] > 0 and rng.random() < 0.5
                if late:
                    budget["kgsh:Retaliation_order"] -= 1
                    injected["kgsh:Retaliation_order"].add(counter)
                    delay = -rng.randint(1, 30)
                _sanction(w, rng, counter, target_side, answer_named, when + timedelta(days=delay), answers=iri)
            if rng.random() < 0.3:
                act += 1
                st = f"{ID}act/statement-{act}"
                w.add(st, RDF_TYPE, ONT + "Statement")
                w.add(st, LABEL, w.lit(f"Condemnation {act}", lang="en"))
                w.add(st, ONT + "speaker", f"{target_side}-ministry")
                w.add(st, ONT + "onBehalfOf", target_side)
                w.add(st, ONT + "stance", "https://w3id.org/sanctions-kg/stance/Condemnation")
                w.add(st, ONT + "about", iri)
                w.add(st, ONT + "date", w.lit((when + timedelta(days=1)).isoformat(), "date"))
                w.evidence(st, f"The ministry condemned act {act - 1}.")
        if len(w.quads) - 20_000 * (article + 1) > 0:
            w.end_article(article)
            article += 1
            w.start_article(article)
    # Whatever the random draws left over is injected now, so the counts are exact.
    for name, left in budget.items():
        for _ in range(left):
            act += 1
            if name == "kgsh:Retaliation_order":
                base, imp, when, _ = sanctions[0]
                iri = f"{ID}act/counter-{act}"
                focus = _sanction(w, rng, iri, ordered_sides[1], [people[imp][0]], when - timedelta(days=3), answers=base)
            else:
                iri = f"{ID}act/sanction-{act}"
                focus = _sanction(w, rng, iri, ordered_sides[0], [people[ordered_sides[1]][0]], start, inject=name)
            injected[name].add(focus)
    w.end_article(article)
    w.graph = None
    for g in range(article + 1):
        w.add(f"{GRAPH}article/synth-{g}", ONT + "sourceFile", w.lit("synth"))
    return Synth(quads=w.quads, truth=injected)


def _sanction(w, rng, iri, imposer, named, when, round_iri=None, answers=None, inject=None) -> str:
    """One sanction (or counter-sanction); ``inject`` names the one violation to build into it.

    Returns the node the injected violation is reported on (the evidence, for a bad quote).
    """
    w.add(iri, RDF_TYPE, ONT + ("CounterSanction" if answers else "Sanction"))
    w.add(iri, LABEL, w.lit(f"Sanction {iri.rsplit('-', 1)[1]}", lang="en"))
    if inject != "kgsh:Sanction_imposedBy":
        w.add(iri, ONT + "imposedBy", imposer)
    for person in named:
        w.add(iri, ONT + "target", person)
    count = len(named) - 1 if inject == "kgsh:TargetCount_notBelowNamed" else len(named) + rng.randint(0, 6)
    w.add(iri, ONT + "targetCount", w.lit(count, "integer"))
    w.add(iri, ONT + "date", w.lit(when.isoformat(), "date"))
    for m in sorted(set(rng.sample(MEASURES, k=rng.randint(1, 3)))):
        w.add(iri, ONT + "measure", "https://w3id.org/sanctions-kg/measure/" + m)
    w.add(iri, ONT + "ground", "https://w3id.org/sanctions-kg/ground/" + rng.choice(GROUNDS))
    if answers:
        w.add(iri, ONT + "respondsTo", answers)
    if round_iri:
        w.add(iri, ONT + "partOfRound", round_iri)
    sentence = f"Act {iri.rsplit('-', 1)[1]}: sanctions on {len(named)} named people, {count} in all, on {when.isoformat()}."
    ev = w.evidence(iri, sentence, in_text=inject != "kgsh:Evidence_quoteInText")
    return ev if inject == "kgsh:Evidence_quoteInText" else iri


def write_synth(path: Path | str, triples: int, seed: int = 0, violations: int = 0) -> tuple[int, dict[str, set[str]]]:
    """Write a synthetic dataset as TriG (atomically); return its size and the injected violations."""
    import pyoxigraph as ox  # noqa: PLC0415

    from kg.io import atomic_write  # noqa: PLC0415

    synth = synthesize(triples, seed, violations)
    data = ox.serialize(synth.quads, format=ox.RdfFormat.TRIG)
    atomic_write(path, data)
    return len(synth.quads), synth.truth
