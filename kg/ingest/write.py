"""The draft as Turtle: ``data/facts/<slug>.ttl`` and a block of ``data/curation.ttl``.

Written by hand rather than by rdflib's serializer so that a curator can read
and edit it: one block per node, the node at the start of its line, and
``kg:unconfirmed true ;`` on a line of its own right after it, so that
confirming (``kg review --confirm``) is a line edit. The text is parsed again
before anything is written, and every quote is checked against the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from kg.namespace import PREFIXES

__all__ = ["Block", "curation_block", "declared_prefixes", "facts_turtle", "literal", "remove_curation_block", "term"]

_USED = ("act", "actor", "article", "cur", "dcterms", "ground", "group", "kg", "measure", "org", "place", "post",
         "rdf", "rdfs", "schema", "skos", "stance", "xsd")
BEGIN = "# --- kg add: drafted for article:{slug} (kg review {slug}) ---"
END = "# --- end of kg add drafts for article:{slug} ---"


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle string literal (escaped as N-Triples escapes it).

    Examples
    --------
    >>> literal('He said "no"', "en")
    '"He said \\\\"no\\\\""@en'
    """
    body = Literal(text).n3()
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^{datatype}"
    return body


def term(iri, prefixes: dict[str, str] | None = None) -> str:
    """An IRI as a prefixed name where one of ``prefixes`` covers it and the rest is a plain name."""
    text = str(iri)
    for prefix, ns in sorted((prefixes or {p: PREFIXES[p] for p in _USED}).items(), key=lambda kv: -len(kv[1])):
        local = text[len(ns):]
        if text.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_\-.]*(?<!\.)", local or "-"):
            return f"{prefix}:{local}"
    return f"<{text}>"


@dataclass
class Block:
    """One node's block: subject, its types, then predicate/object lines, then its quotes."""

    subject: URIRef
    types: list[str]
    rule: str = ""
    draft: bool = True
    lines: list[tuple[str, list[str]]] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    comment: str = ""

    def add(self, predicate: str, *objects: str) -> None:
        objects = tuple(o for o in objects if o)
        if objects:
            self.lines.append((predicate, list(dict.fromkeys(objects))))

    def text(self, prefixes: dict[str, str] | None = None) -> str:
        out = []
        if self.comment:
            out.append(f"# {self.comment}")
        head = term(self.subject, prefixes)
        out.append(f"{head} a {', '.join(self.types)} ;" if self.types else f"{head}")
        body: list[str] = []
        if self.draft:
            body.append("kg:unconfirmed true")
            body.append(f"kg:draftRule {literal(self.rule or 'kg add')}")
        for predicate, objects in self.lines:
            body.append(f"{predicate} {', '.join(objects)}")
        quotes = list(dict.fromkeys(q for q in self.quotes if q))
        if quotes:
            body.append("kg:evidence " + " ,\n        ".join(f"[ kg:quote {literal(q)} ]" for q in quotes))
        for k, line in enumerate(body):
            out.append(f"    {line} {'.' if k == len(body) - 1 else ';'}")
        return "\n".join(out) + "\n"


def header(prefixes: list[str]) -> str:
    return "".join(f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(prefixes))


def facts_turtle(slug: str, comment: list[str], blocks: list[tuple[str, list[Block]]]) -> str:
    """The facts file: prefixes, a comment, then sections of blocks."""
    parts = [header(list(_USED)), ""]
    parts += [f"# {line}" if line else "#" for line in comment]
    for title, items in blocks:
        if not items:
            continue
        parts += ["", "#" * 65, f"# {title}", "#" * 65, ""]
        parts += [b.text() for b in items]
    return "\n".join(parts).rstrip("\n") + "\n"


def curation_block(slug: str, blocks: list[Block], declared: dict[str, str]) -> str:
    """A block of curated statements to append to ``data/curation.ttl`` (its prefixes, where declared)."""
    if not blocks:
        return ""
    body = "\n".join(b.text(declared) for b in blocks)
    return f"\n{BEGIN.format(slug=slug)}\n\n{body}\n{END.format(slug=slug)}\n"


def remove_curation_block(text: str, slug: str) -> str:
    """``data/curation.ttl`` without the block an earlier ``kg add`` drafted for ``slug``."""
    begin, end = BEGIN.format(slug=slug), END.format(slug=slug)
    start = text.find("\n" + begin)
    if start < 0:
        return text
    stop = text.find(end, start)
    if stop < 0:
        return text
    return text[:start] + text[stop + len(end) + 1:]


def declared_prefixes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"@prefix\s+([A-Za-z][\w-]*):\s*<([^>]*)>\s*\.", text)}

