"""Review drafts: list the unconfirmed nodes of the data files, and confirm them.

A node a tool proposed (``kg add``'s article drafts, ``kg import``'s link
candidates) carries ``kg:unconfirmed true`` and ``kg:draftRule`` in the file
that proposes it (data/README.md, "Drafts and review"). :func:`find_drafts`
reads every Turtle file under ``data/`` and returns those nodes, each with
what its file says about it, its evidence (the quote, or the dataset record)
and its rule; :func:`confirm` removes the flag of the nodes a curator names.

Confirming is a line edit: the draft writers put ``kg:unconfirmed true ;``
on a line of its own in the node's block. The edit is checked by parsing the
file again: the result must be the old graph less exactly that one triple.
A file edited by hand so that this does not hold is left untouched, with a
message that says to remove the flag by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef

from kg.io import KgInputError, atomic_write, parse_into
from kg.namespace import KG, PREFIXES, article_iri

__all__ = ["Draft", "confirm", "find_drafts", "format_drafts", "short"]

#: What the listing does not repeat in a node's summary (it has lines of its own).
_OWN_LINES = {RDF.type, RDFS.label, KG.evidence, KG.basedOnEvidence, KG.unconfirmed, KG.draftRule, KG.reason,
              RDF.subject, RDF.predicate, RDF.object}

_FLAG_LINE = re.compile(r"^\s*kg:unconfirmed\s+true\s*;\s*(#.*)?$")


@dataclass
class Draft:
    """One unconfirmed node of one file."""

    node: URIRef
    file: Path
    id: str
    label: str = ""
    types: list[str] = field(default_factory=list)
    says: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    asserts: str = ""
    reason: str = ""
    refers_to: set[URIRef] = field(default_factory=set)


def short(term) -> str:
    """A term as the data files write it: ``act:foo``, ``"text"``, ``2024-12-10``.

    Examples
    --------
    >>> short(URIRef("https://w3id.org/sanctions-kg/id/act/cn-2021-03-counter-sanction"))
    'act:cn-2021-03-counter-sanction'
    >>> short(Literal("China"))
    '"China"'
    """
    if isinstance(term, Literal):
        if term.datatype is None or str(term.datatype).endswith("#string"):
            text = str(term)
            return '"' + (text if len(text) <= 90 else text[:87] + "...") + '"'
        return str(term)
    text = str(term)
    best = ""
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and len(ns) > len(best):
            best = ns
            found = f"{prefix}:{text[len(ns):]}"
    return found if best else f"<{text}>"


def _node_of(text: str) -> URIRef:
    """An ID as a curator types it (``act:foo``, ``<IRI>`` or an IRI) as an IRI."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    return URIRef(text)


def _data_files(data_dir: Path, narrow: str | None) -> list[Path]:
    """The Turtle files to read: all of data/, or the one a SLUG or FILE names (and the curation)."""
    every = sorted(p for p in data_dir.rglob("*.ttl") if not p.name.startswith("."))
    if narrow is None:
        return every
    as_path = Path(narrow)
    if as_path.suffix == ".ttl" or "/" in narrow:
        if not as_path.is_file():
            raise KgInputError(f"{narrow}: no such file")
        return [as_path]
    facts = data_dir / "facts" / f"{narrow}.ttl"
    if not facts.is_file():
        raise KgInputError(f"{narrow}: no article with this slug ({facts} does not exist)")
    curation = data_dir / "curation.ttl"
    return [facts] + ([curation] if curation.is_file() else [])


def _evidence_text(graph: Graph, ev) -> str:
    quote = graph.value(ev, KG.quote)
    if quote is not None:
        article = graph.value(ev, KG.inArticle)
        return f'quote: "{quote}"' + (f" ({short(article)})" if article is not None else "")
    record = graph.value(ev, KG.recordId)
    if record is not None:
        dataset = graph.value(ev, KG.inDataset)
        props = ", ".join(sorted(str(p) for p in graph.objects(ev, KG.recordProperty)))
        return f"record: {short(dataset) if dataset is not None else '(no dataset)'} {record}" + (f" [{props}]" if props else "")
    return f"evidence: {short(ev)}"


def _drafts_in(path: Path, narrow_article: URIRef | None) -> list[Draft]:
    graph = parse_into(Graph(), path)
    found = []
    for node in sorted(set(graph.subjects(KG.unconfirmed, None)), key=str):
        if not isinstance(node, URIRef):
            continue
        evidence_nodes = list(graph.objects(node, KG.evidence)) + list(graph.objects(node, KG.basedOnEvidence))
        if narrow_article is not None and path.name == "curation.ttl":
            if not any(graph.value(ev, KG.inArticle) == narrow_article for ev in evidence_nodes):
                continue
        draft = Draft(node=node, file=path, id=short(node))
        label = graph.value(node, RDFS.label)
        draft.label = str(label) if label is not None else ""
        draft.types = sorted(short(t) for t in graph.objects(node, RDF.type))
        draft.rules = sorted(str(r) for r in graph.objects(node, KG.draftRule))
        reason = graph.value(node, KG.reason)
        draft.reason = str(reason) if reason is not None else ""
        parts = [graph.value(node, p) for p in (RDF.subject, RDF.predicate, RDF.object)]
        if all(part is not None for part in parts):
            draft.asserts = " ".join(short(part) for part in parts)
            draft.refers_to.update(part for part in parts if isinstance(part, URIRef))
        for p, o in sorted(graph.predicate_objects(node)):
            if p in _OWN_LINES or isinstance(o, BNode):
                continue
            draft.says.append((short(p), short(o)))
            if isinstance(o, URIRef):
                draft.refers_to.add(o)
        draft.evidence = sorted(_evidence_text(graph, ev) for ev in evidence_nodes)
        found.append(draft)
    return found


def find_drafts(data_dir: Path | str, narrow: str | None = None) -> list[Draft]:
    """Every unconfirmed node of the Turtle files under ``data_dir``, by file and IRI.

    ``narrow`` is an article's slug (its facts file, and the curation notes that quote it)
    or a file. Raises :class:`KgInputError` for a file that does not parse.
    """
    data_dir = Path(data_dir)
    files = _data_files(data_dir, narrow)
    is_slug = narrow is not None and not (Path(narrow).suffix == ".ttl" or "/" in narrow)
    narrow_article = article_iri(narrow) if is_slug else None
    found: list[Draft] = []
    for path in files:
        found.extend(_drafts_in(path, narrow_article))
    return found


def format_drafts(drafts: list[Draft], base: Path | None = None, width: int = 100) -> str:
    """The listing: one block per file, one entry per node, for a terminal of ``width`` columns."""
    import textwrap  # noqa: PLC0415

    if not drafts:
        return "Nothing to review: no unconfirmed node.\n"
    lines: list[str] = []
    by_file: dict[Path, list[Draft]] = {}
    for draft in drafts:
        by_file.setdefault(draft.file, []).append(draft)

    def wrap(text: str, indent: str) -> list[str]:
        return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ",
                             break_long_words=False, break_on_hyphens=False) or [indent]

    for path, items in by_file.items():
        shown = path.relative_to(base) if base and path.is_relative_to(base) else path
        lines.append(f"{shown}: {len(items)} unconfirmed")
        for draft in items:
            head = f"  {draft.id}  {', '.join(draft.types) or '(no type)'}"
            if draft.label:
                head += f'  "{draft.label}"'
            lines.extend(wrap(head, ""))
            if draft.asserts:
                lines.extend(wrap(f"asserts: {draft.asserts}", "      "))
            if draft.reason:
                lines.extend(wrap(f"reason: {draft.reason}", "      "))
            if draft.says:
                grouped: dict[str, list[str]] = {}
                for p, o in draft.says:
                    grouped.setdefault(p, []).append(o)
                lines.extend(wrap(" ; ".join(f"{p} {', '.join(os)}" for p, os in grouped.items()), "      "))
            for ev in draft.evidence:
                lines.extend(wrap(ev, "      "))
            lines.extend(wrap(f"rule: {'; '.join(draft.rules) or '(none given)'}", "      "))
        lines.append("")
    files = len(by_file)
    lines.append(
        f"{len(drafts)} unconfirmed node{'s' if len(drafts) != 1 else ''} in {files} file{'s' if files != 1 else ''}. "
        "Confirm with `kg review --confirm ID...` (or delete the kg:unconfirmed line); correct or delete "
        "what is wrong in the file first."
    )
    return "\n".join(lines) + "\n"


def _remove_flag(text: str, node: URIRef, graph: Graph, path: Path) -> str:
    """The file's text less the flag line of ``node``; refused unless that is exactly the change."""
    lines = text.splitlines(keepends=True)
    names = {short(node), f"<{node}>"}
    start = next((i for i, line in enumerate(lines) if line.split(maxsplit=1)[:1] and line.split(maxsplit=1)[0] in names
                  and not line[:1].isspace()), None)
    problem = f"{path}: cannot remove the kg:unconfirmed flag of {short(node)} cleanly"
    if start is None:
        raise KgInputError(f"{problem}: no block starts with {short(node)} at the beginning of a line; "
                           "delete its `kg:unconfirmed true` by hand")
    flag = None
    for i in range(start, len(lines)):
        line = lines[i]
        if i > start and line.strip() and not line[:1].isspace() and not line.lstrip().startswith("#"):
            break  # the next block
        if _FLAG_LINE.match(line):
            flag = i
            break
    if flag is None:
        raise KgInputError(f"{problem}: its block has no line that is only `kg:unconfirmed true ;`; "
                           "delete the flag by hand")
    edited = "".join(lines[:flag] + lines[flag + 1:])
    after = Graph()
    try:
        after.parse(data=edited, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # noqa: BLE001 - any parser error means the edit is not clean
        raise KgInputError(f"{problem}: the file would not parse without line {flag + 1} ({exc}); delete the flag by hand") from exc
    from rdflib.compare import isomorphic  # noqa: PLC0415

    expected = Graph()
    for triple in graph:
        if triple[0] != node or triple[1] != KG.unconfirmed:
            expected.add(triple)
    if not isomorphic(after, expected):
        raise KgInputError(f"{problem}: removing line {flag + 1} would change more than the flag; delete it by hand")
    return edited


def confirm(data_dir: Path | str, ids: list[str], narrow: str | None = None) -> list[tuple[Draft, list[URIRef]]]:
    """Remove the ``kg:unconfirmed`` flag of each node in ``ids``, all or nothing.

    Returns each confirmed draft with the nodes it refers to that are still
    unconfirmed everywhere (a confirmed act whose new target is still a draft).
    Raises :class:`KgInputError` (nothing written) for an ID that is not an
    unconfirmed node, one flagged in several files (give a SLUG or FILE), or a
    flag that cannot be removed cleanly.
    """
    data_dir = Path(data_dir)
    drafts = find_drafts(data_dir, narrow)
    by_node: dict[URIRef, list[Draft]] = {}
    for draft in drafts:
        by_node.setdefault(draft.node, []).append(draft)
    chosen: list[Draft] = []
    for text in dict.fromkeys(ids):
        node = _node_of(text)
        where = by_node.get(node, [])
        if not where:
            scope = f" in {narrow}" if narrow else ""
            raise KgInputError(f"{text}: not an unconfirmed node{scope}; `kg review` lists them with their IDs")
        if len(where) > 1:
            files = ", ".join(str(d.file) for d in where)
            raise KgInputError(f"{text}: unconfirmed in several files ({files}); name one: kg review SLUG|FILE --confirm {text}")
        chosen.append(where[0])
    edits: dict[Path, tuple[str, Graph]] = {}
    for draft in chosen:
        if draft.file not in edits:
            edits[draft.file] = (draft.file.read_text(encoding="utf-8"), parse_into(Graph(), draft.file))
        text, graph = edits[draft.file]
        text = _remove_flag(text, draft.node, graph, draft.file)
        graph.remove((draft.node, KG.unconfirmed, None))
        edits[draft.file] = (text, graph)
    for path, (text, _) in edits.items():
        atomic_write(path, text)
    confirmed = {d.node for d in chosen}
    still = {d.node for d in find_drafts(data_dir)} - confirmed
    confirmed_elsewhere = _described_unflagged(data_dir)
    out = []
    for draft in chosen:
        pending = sorted(n for n in draft.refers_to if n in still and n not in confirmed_elsewhere)
        out.append((draft, pending))
    return out


def _described_unflagged(data_dir: Path) -> set[URIRef]:
    """Nodes that some file describes without flagging them (confirmed somewhere)."""
    out: set[URIRef] = set()
    for path in sorted(data_dir.rglob("*.ttl")):
        graph = parse_into(Graph(), path)
        flagged = set(graph.subjects(KG.unconfirmed, None))
        out.update(s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s not in flagged)
    return out
