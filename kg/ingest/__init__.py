"""``kg add``: draft an article's facts from its text, each node anchored to its quote.

The steps, one module each: :mod:`~kg.ingest.source` reads the file (text or
saved page), :mod:`~kg.ingest.text` splits it into sentences,
:mod:`~kg.ingest.actors` finds and resolves the actors against the graph,
:mod:`~kg.ingest.dates` reads dates, :mod:`~kg.ingest.acts` finds the acts,
their targets, measures, grounds and the acts they answer, and
:mod:`~kg.ingest.write` writes the Turtle. What the steps know is in
``rules/*.yaml``. Every node drafted is ``kg:unconfirmed true`` with the
``kg:draftRule`` that produced it; dates worked out from the article's date
are unconfirmed curated statements with their reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from kg.io import KgInputError, new_file_mode

__all__ = ["Draft", "add_article", "draft_article"]

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CLASS = {"sanction": "kg:Sanction", "counter-sanction": "kg:CounterSanction", "detention": "kg:Detention",
          "expulsion": "kg:Expulsion", "threat": "kg:Threat", "statement": "kg:Statement"}
_VERB = {"sanction": "sanctions", "counter-sanction": "counter-sanctions", "detention": "detains",
         "expulsion": "expels", "threat": "threatens", "statement": "states"}


@dataclass
class Draft:
    """What ``kg add`` drafted for one article."""

    slug: str
    text: str
    published: dt.date | None
    published_how: str
    facts: str = ""
    curation: str = ""
    acts: list = field(default_factory=list)
    actors: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)


def _slug_of(name: str) -> str:
    from kg.ingest.actors import slugify  # noqa: PLC0415

    return slugify(name)[:80].strip("-")


def _is_mention(act, answered_here: set[int]) -> bool:
    """A sanction by a state or bloc that the article names with neither date nor target (named or counted),
    and that nothing answers."""
    return (act.kind == "sanction" and act.actor is not None and act.actor.kind in ("State", "Bloc")
            and not act.referenced and not act.targets
            and not act.counts and act.from_state is None and act.date is None and not act.responds
            and id(act) not in answered_here)


def draft_article(text: str, slug: str, *, published: dt.date | None = None, published_how: str = "",
                  index=None, data_dir: Path | str | None = None, rules=None, headline: str | None = None) -> Draft:
    """Draft the facts of ``text`` as the article ``slug``; nothing is written.

    ``index`` is the :class:`~kg.ingest.actors.GraphIndex` of the graph (read from
    ``data_dir`` when not given); ``published`` the article's date if known from
    outside the text (``--published``, the page's metadata).
    """
    from kg import paths  # noqa: PLC0415
    from kg.ingest.acts import read_acts  # noqa: PLC0415
    from kg.ingest.actors import GraphIndex, Resolver  # noqa: PLC0415
    from kg.ingest.dates import published_in  # noqa: PLC0415
    from kg.ingest.rules import load_rules  # noqa: PLC0415
    from kg.ingest.text import read_text  # noqa: PLC0415

    rules = rules or load_rules()
    if index is None:
        index = GraphIndex.from_data(Path(data_dir) if data_dir else paths.data_dir(), frozenset({slug}), rules)
    stated = published_in(text, rules)
    draft = Draft(slug, text, published, published_how)
    if stated is not None:
        draft.published, draft.published_how = stated[0], f"dateline: \"{stated[1]}\""
    parsed = read_text(text)
    resolver = Resolver(parsed, index, rules)
    dateline_end = text.find(stated[1]) + len(stated[1]) if stated is not None and stated[1] in text else 0
    acts, notes = read_acts(parsed, resolver, rules, draft.published, index.acts, dateline_end)
    draft.acts, draft.notes = acts, notes
    draft.actors = [a for a in resolver.drafted.values() if a.quotes]
    _assemble(draft, parsed, stated, headline)
    return draft


def _assemble(draft: Draft, parsed, stated, headline: str | None) -> None:
    from kg.ingest.write import Block, literal, term  # noqa: PLC0415
    from kg.namespace import ACT, ARTICLE, CUR, POST  # noqa: PLC0415

    slug = draft.slug
    article = ARTICLE[slug]
    first = parsed.sentences[0].text if parsed.sentences else draft.text.strip()[:200]
    art = Block(article, ["kg:NewsArticle"], draft=False)
    title = headline or first
    art.add("rdfs:label", literal(title[:200], "en"))
    if headline:
        art.add("schema:headline", literal(headline))
    art.add("kg:sha256", literal(hashlib.sha256(draft.text.encode("utf-8")).hexdigest(), datatype="xsd:hexBinary"))
    curated: list[Block] = []
    if stated is not None:
        art.add("schema:datePublished", literal(stated[0].isoformat(), datatype="xsd:date"))
        art.quotes.append(stated[1] if stated[1] in draft.text else first)
    else:
        art.quotes.append(first)
        if draft.published is not None:
            curated.append(_curated(slug, len(curated), article, "schema:datePublished", draft.published,
                                    f"The text states no date; {draft.published_how} gives {draft.published.isoformat()}.",
                                    first, "kg add --published" if "published" in draft.published_how else "source.py#page-date"))
    draft.quotes.extend(art.quotes)

    actor_blocks, post_blocks, place_blocks, act_blocks = [], [], [], []
    used_iris: dict[str, int] = {}
    for act in draft.acts:
        actor = act.actor
        base = f"{slug}-{_slug_of(actor.label) if actor else 'unstated'}-{act.kind}"
        n = used_iris.get(base, 0)
        used_iris[base] = n + 1
        act.iri = ACT[base if n == 0 else f"{base}-{n + 1}"]
    kinds = {"State": "kg:State", "Bloc": "kg:Bloc", "GovernmentBody": "kg:GovernmentBody", "Legislature": "kg:Legislature",
             "Organisation": "kg:Organisation", "Company": "kg:Company", "NonGovernmentalOrganisation": "kg:NonGovernmentalOrganisation",
             "ThinkTank": "kg:ThinkTank", "PoliticalParty": "kg:PoliticalParty", "Person": "kg:Person"}
    for actor in sorted(draft.actors, key=lambda a: str(a.iri)):
        block = Block(actor.iri, [kinds[actor.kind]], rule=actor.rule)
        block.add("rdfs:label", literal(actor.label, "en"))
        if not actor.existing:
            if actor.unnamed:
                block.add("kg:unnamed", "true")
            if actor.state is not None:
                rel = actor.state_rel
                if rel == "nationality" and (actor.kind != "Person" or actor.state.kind != "State"):
                    rel = "affiliatedWith"
                if rel == "basedIn" and (actor.kind not in ("Company", "NonGovernmentalOrganisation", "ThinkTank", "PoliticalParty", "Organisation") or actor.state.kind != "State"):
                    rel = "affiliatedWith"
                block.add("org:subOrganizationOf" if rel == "subOrganizationOf" else f"kg:{rel}", term(actor.state.iri))
        block.quotes = actor.quotes[:3]
        actor_blocks.append(block)
        for title, body, quote in actor.posts:
            post = Block(POST[f"{_slug_of(actor.label)}-{_slug_of(title)}"], ["kg:Post"], rule=f"titles.yaml: \"{title}\"")
            post.add("rdfs:label", literal(f"{actor.label}, {title}", "en"))
            post.add("kg:postTitle", literal(title))
            post.add("org:member", term(actor.iri))
            post.add("org:organization", term(body.iri))
            post.quotes = [quote]
            post_blocks.append(post)
    places: dict[URIRef, Block] = {}
    for act in draft.acts:
        for iri, label, existing in act.regions:
            block = places.get(iri)
            if block is None:
                block = Block(iri, ["kg:Region"], rule="regions.yaml" if not existing else "regions.yaml (in the graph)")
                block.add("rdfs:label", literal(label.split(" (")[0] if not existing else label, "en"))
                places[iri] = block
            block.quotes.append(act.quotes[0])
    place_blocks = list(places.values())

    answered_here = {id(a) for other in draft.acts for a in other.responds}
    for act in draft.acts:
        if _is_mention(act, answered_here):
            # "The United States, UK and the European Union have also imposed sanctions": no date, no target,
            # so nothing tells the act apart from one the graph may already hold. A mention, never an act
            # dated by the article (data/README.md, "Vague mentions of acts").
            act.kind = "mention"
            block = Block(act.iri, ["kg:SanctionMention"],
                          rule="; ".join(act.rules) + "; a sanction with neither date nor target is a mention")
            block.add("rdfs:label", literal(f"Mention: sanctions by {act.actor.label}, with neither date nor target", "en"))
            block.add("kg:mentionedActor", term(act.actor.iri))
            draft.notes.append(f"{term(act.iri)}: sanctions by {act.actor.label} with neither date nor target are drafted "
                               "as a mention, not an act; if they mean an act of the graph, add a curated kg:refersTo")
            block.quotes = act.quotes
            act_blocks.append(block)
            draft.quotes.extend(act.quotes)
            continue
        block = Block(act.iri, [_CLASS[act.kind]], rule="; ".join(act.rules))
        who = act.actor.label if act.actor else "Unstated"
        what = ", ".join(t.label for t in act.targets[:3]) or "; ".join(act.descriptions[:1]) or "unspecified targets"
        label = f"{who} {_VERB[act.kind]} {what}" if act.family not in ("statement", "threat") else \
            f"{(act.speaker or act.actor).label if (act.speaker or act.actor) else 'Unstated'}: {act.stance.lower() or 'statement'}"
        if act.referenced:
            label += " (named by a response)"
        block.add("rdfs:label", literal(label[:150], "en"))
        if act.family == "sanction":
            block.add("kg:imposedBy", term(act.actor.iri))
            if act.via is not None:
                block.add("kg:announcedBy", term(act.via.iri))
        elif act.family in ("detention", "expulsion") and act.actor is not None and act.actor_reason:
            # "was detained in Canada": who detained is inferred from where, so it is curation with its reason
            curated.append(_curated(slug, len(curated), act.iri, "kg:actor", act.actor.iri, act.actor_reason,
                                    act.quotes[0], "acts.yaml (the state a detention happens in)"))
        elif act.family in ("detention", "expulsion") and act.actor is not None:
            block.add("kg:actor", term(act.actor.iri))
        if act.family in ("statement", "threat"):
            speaker = act.speaker or act.actor
            if speaker is not None:
                block.add("kg:speaker", term(speaker.iri))
                behalf = act.via or (act.actor if act.actor is not speaker else None)
                if behalf is None and speaker.kind == "Person" and speaker.posts:
                    behalf = speaker.posts[0][1]
                if behalf is not None and behalf is not speaker:
                    block.add("kg:onBehalfOf", term(behalf.iri))
            else:
                block.add("kg:speakerUnstated", "true")
            block.add("kg:stance", f"stance:{act.stance or 'Claim'}")
            if act.about is not None and act.about.iri is not None:
                block.add("kg:about", term(act.about.iri))
            if act.addressee is not None:
                block.add("kg:addressee", term(act.addressee.iri))
        if act.family not in ("statement", "threat"):
            block.add("kg:target", *[term(t.iri) for t in act.targets])
            persons = act.counts.get("person")
            orgs = act.counts.get("organisation")
            named_persons = sum(1 for t in act.targets if t.kind == "Person")
            if persons is not None and persons >= named_persons:
                block.add("kg:personTargetCount", str(persons))
            if orgs is not None and orgs >= len(act.targets) - named_persons:
                block.add("kg:organisationTargetCount", str(orgs))
            total = act.counts.get("total") or (persons or 0) + (orgs or 0)
            if act.counts and total >= len(act.targets):
                block.add("kg:targetCount", str(total))
            if act.descriptions:
                block.add("kg:targetDescription", literal("; ".join(dict.fromkeys(act.descriptions))))
            if act.from_state is not None and act.counts:
                block.add("kg:unnamedTargetsFrom", term(act.from_state.iri))
            if act.family == "sanction" and not act.targets and not act.counts:
                block.add("kg:targetsUnspecified", "true")
        if act.family == "sanction":
            block.add("kg:measure", *(sorted(f"measure:{m}" for m in act.measures) or ["measure:Unspecified"]))
        if act.grounds:
            block.add("kg:ground", *sorted(f"ground:{g}" for g in act.grounds))
            block.add("kg:groundText", literal(act.ground_text))
        if act.regions:
            block.add("kg:concernsRegion", *[term(r[0]) for r in act.regions])
        answered = [a.iri for a in act.responds if getattr(a, "iri", None) is not None]
        if answered:
            block.add("kg:respondsTo", *[term(i) for i in answered])
        date = act.date
        if act.referenced:
            date = None
        if date is not None and not date.curated:
            if date.date:
                block.add("kg:date", literal(date.date.isoformat(), datatype="xsd:date"))
            else:
                block.add("kg:earliestDate", literal(date.earliest.isoformat(), datatype="xsd:date"))
                block.add("kg:latestDate", literal(date.latest.isoformat(), datatype="xsd:date"))
        elif date is not None:
            quote = next((q for q in act.quotes if date.words in q), act.quotes[0])
            if date.date:
                curated.append(_curated(slug, len(curated), act.iri, "kg:date", date.date, date.reason, quote, date.rule))
            else:
                curated.append(_curated(slug, len(curated), act.iri, "kg:earliestDate", date.earliest, date.reason, quote, date.rule))
                curated.append(_curated(slug, len(curated), act.iri, "kg:latestDate", date.latest, date.reason, quote, date.rule))
        elif act.family == "sanction" and draft.published is not None:
            reason = (f"The article, dated {draft.published.isoformat()}, reports the sanction without a date: "
                      "it came on or before that day.")
            curated.append(_curated(slug, len(curated), act.iri, "kg:latestDate", draft.published, reason, act.quotes[0],
                                    "dates.yaml#reported-by"))
        elif act.family == "sanction":
            draft.notes.append(f"{term(act.iri)} has no date and the article none either: give --published, or add its date")
        block.quotes = act.quotes
        act_blocks.append(block)
        draft.quotes.extend(act.quotes)
    for b in actor_blocks + post_blocks + place_blocks:
        draft.quotes.extend(b.quotes)
    from kg.ingest.write import facts_turtle  # noqa: PLC0415

    comment = [
        f"Facts drafted by `kg add` from data/articles/{slug}.txt; every node is unconfirmed until a curator",
        f"confirms it (`kg review {slug}`, then `kg review --confirm ID...`, or delete its kg:unconfirmed line).",
        "Correct or delete what is wrong first. kg:draftRule names the rule (rules/*.yaml) behind each node.",
    ]
    if draft.published is not None:
        comment.append(f"Article date: {draft.published.isoformat()} ({draft.published_how}).")
    if not draft.acts:
        comment.append("The rules recognised no act in this article: only the article and its actors are drafted.")
    draft.facts = facts_turtle(slug, comment, [
        ("The article", [art]), ("Actors", actor_blocks), ("Posts", post_blocks), ("Regions", place_blocks),
        ("Acts", act_blocks),
    ])
    draft._curated_blocks = curated  # type: ignore[attr-defined]
    draft.quotes.extend(q for b in curated for q in b.quotes)
    _ = CUR


def _curated(slug: str, n: int, subject, predicate: str, value: "dt.date | URIRef", reason: str, quote: str, rule: str):
    from kg.ingest.write import Block, literal  # noqa: PLC0415
    from kg.namespace import CUR  # noqa: PLC0415

    block = Block(CUR[f"draft-{slug}-{n + 1}"], ["kg:CuratedStatement"], rule=rule)
    block.add("rdf:subject", f"<{subject}>")
    block.add("rdf:predicate", predicate)
    block.add("rdf:object", literal(value.isoformat(), datatype="xsd:date") if isinstance(value, dt.date) else f"<{value}>")
    block.add("kg:reason", literal(reason, "en"))
    block.add("kg:basedOnEvidence", f"[ kg:quote {literal(quote)} ; kg:inArticle <{URIRef('https://w3id.org/sanctions-kg/id/article/' + slug)}> ]")
    return block


def check_draft(draft: Draft, curation_prefixes: dict[str, str]) -> str:
    """Parse the facts (and the curation block) again and check every quote; returns the curation block."""
    from rdflib import Graph  # noqa: PLC0415

    from kg.ingest.write import curation_block, header  # noqa: PLC0415
    from kg.namespace import KG  # noqa: PLC0415

    block = curation_block(draft.slug, getattr(draft, "_curated_blocks", []), curation_prefixes)
    graph = Graph()
    try:
        graph.parse(data=draft.facts, format="turtle")
        if block:
            used = {p for p in ("act", "article", "cur", "kg", "rdf", "xsd", "schema") if p in curation_prefixes}
            Graph().parse(data="".join(f"@prefix {p}: <{curation_prefixes[p]}> .\n" for p in used) + block, format="turtle")
    except Exception as exc:  # noqa: BLE001 - our own output: a bug, reported as such
        raise KgInputError(f"kg add wrote Turtle that does not parse (a bug; nothing was written): {exc}") from exc
    missing = [str(q) for q in graph.objects(None, KG.quote) if str(q) not in draft.text]
    missing += [q for q in draft.quotes if q not in draft.text]
    if missing:
        raise KgInputError(f"kg add drafted a quote that is not in the text (a bug; nothing was written): {missing[0][:80]!r}")
    _ = header
    return block


def add_article(path: Path | str, *, slug: str | None = None, published: dt.date | None = None, replace: bool = False,
                data_dir: Path | str | None = None, rules_dir: Path | str | None = None) -> tuple[Draft, list[Path]]:
    """Read ``path``, draft its facts and write the article, its facts and curated dates, all or nothing.

    ``rules_dir`` is a folder of rules files to use instead of the shipped ones (those it lacks are the shipped ones).
    """
    from kg.ingest.rules import load_rules  # noqa: PLC0415

    from kg import paths  # noqa: PLC0415
    from kg.ingest.source import read_source  # noqa: PLC0415
    from kg.ingest.write import declared_prefixes, remove_curation_block  # noqa: PLC0415

    from kg.io import is_stdin  # noqa: PLC0415

    if is_stdin(path) and not slug:
        raise KgInputError("- reads the article from standard input: name it with --slug")
    data_dir = Path(data_dir) if data_dir else paths.writable_data_dir()
    source = read_source(path)
    slug = slug or _slug_of(Path(path).stem)
    if not _SLUG.fullmatch(slug):
        raise KgInputError(f"--slug {slug!r}: a slug holds only letters, digits, '.', '_' and '-' (it becomes an IRI)")
    text_file = data_dir / "articles" / f"{slug}.txt"
    facts_file = data_dir / "facts" / f"{slug}.ttl"
    if (text_file.exists() or facts_file.exists()) and not replace:
        raise KgInputError(f"{facts_file if facts_file.exists() else text_file}: the article {slug!r} exists already; "
                           "give another --slug, or --replace to draft it again (its facts file is rewritten)")
    how = ""
    if published is not None:
        how = "given with kg add --published"
    elif source.page_date is not None:
        published, how = source.page_date, "the saved page's metadata (htmldate)"
    draft = draft_article(source.text, slug, published=published, published_how=how, data_dir=data_dir,
                          headline=source.page_title, rules=load_rules(rules_dir) if rules_dir else None)
    curation_file = data_dir / "curation.ttl"
    curation_text = curation_file.read_text(encoding="utf-8") if curation_file.exists() else ""
    if replace:
        curation_text = remove_curation_block(curation_text, slug)
    prefixes = declared_prefixes(curation_text)
    if not curation_text:
        from kg.ingest.write import header  # noqa: PLC0415

        curation_text = header(["act", "article", "cur", "kg", "rdf", "rdfs", "schema", "xsd"])
        prefixes = declared_prefixes(curation_text)
    block = check_draft(draft, prefixes)
    draft.curation = block
    outputs: list[tuple[Path, bytes]] = [(text_file, source.text.encode("utf-8")), (facts_file, draft.facts.encode("utf-8"))]
    if source.original is not None:
        outputs.append((data_dir / "articles" / f"{slug}{source.original_suffix}", source.original))
    if block or replace:
        outputs.append((curation_file, (curation_text.rstrip("\n") + "\n" + block).encode("utf-8")))
    return draft, _write_all(outputs)


def _write_all(outputs: list[tuple[Path, bytes]]) -> list[Path]:
    """Write every file to a temporary file first; rename them into place only when all are written."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in outputs:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), new_file_mode())  # mkstemp's 0600 would hide the data from colleagues
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise KgInputError(f"cannot write the draft: {exc}; nothing was written") from exc
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    return [path for _, path in staged]
