"""Names of graph nodes: the short IRIs kg prints, read back, and names matched forgivingly.

Short IRIs
----------
Tables print an IRI in the prefixed form of :data:`kg.namespace.PREFIXES`
(``act:ca-2021-03-sanction``); CSV, JSON and the report write it in full.
:func:`expand` reads back any of these forms (``act:x``, ``https://…``,
``<https://…>``), so whatever kg prints can be given back as a parameter.

Matching a name
---------------
:func:`resolve` finds the one node a person means by a name, among a set of
nodes (every actor, the concepts of a scheme, the instances of a class). The
names of a node are its ``rdfs:label`` and its aliases: ``skos:altLabel``,
``skos:notation`` and, for an organisation, the title of a membership post
in it ("member of the European Parliament" names the European Parliament).
The steps run in this order and the first that finds anything decides:

1. **IRI** - ``actor:china``, ``<https://…/actor/china>`` or the full IRI.
2. **label** - a label exactly as written ("Chen Quanguo").
3. **alias** - an alias exactly as written ("EU", "Beijing").
4. **normalised** - labels and aliases compared after folding case and
   accents, dropping possessives ("Canada's"), punctuation and a leading
   article ("the", "a": "Danish democracy organization").
5. **acronym or words** - the initials of a name's significant words, a word
   giving one letter or more ("XPCC", "MERICS" for MERcator Institute for
   China Studies, "MEP" for member of the European Parliament; a plural
   ``s`` is allowed), or words that all occur in a name ("Mercator",
   "foreign ministry China", "call" for the stance "call to act").
6. **fuzzy** - rapidfuzz's ``token_sort_ratio`` of the normalised text
   against every normalised name and significant word, at least
   :data:`FUZZY_ACCEPT` (a typo: "Zhu Hailan").

When the deciding step finds several nodes the name is ambiguous
(:class:`Ambiguous` lists them, short IRI and label); when no step finds
any, :class:`NoMatch` offers the names that come closest (fuzzy score of at
least :data:`FUZZY_SUGGEST`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from rdflib import URIRef, Variable

__all__ = [
    "Ambiguous",
    "Candidate",
    "FUZZY_ACCEPT",
    "FUZZY_SUGGEST",
    "Match",
    "NameIndex",
    "NoMatch",
    "UnknownPrefix",
    "close_names",
    "expand",
    "name_index",
    "names_of",
    "normalise",
    "resolve",
    "short",
]

#: The fuzzy score (0-100, rapidfuzz ``token_sort_ratio``) from which a name is taken as meant.
FUZZY_ACCEPT = 85
#: The fuzzy score from which a name is offered as "did you mean".
FUZZY_SUGGEST = 70

#: Words that carry no name of their own: left out of acronyms and of word matching.
STOP_WORDS = frozenset(
    "a an and at by de for from in of on the to with".split()
)

_IRI_SCHEME = re.compile(r"^(?:https?|urn|mailto|tag|file):", re.IGNORECASE)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\S*)$")
_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|\\^`]')


class UnknownPrefix(ValueError):
    """A ``prefix:local`` value whose prefix kg does not know."""


def short(term) -> str:
    """The text kg prints for a term: ``prefix:local`` for IRIs under a known prefix.

    Examples
    --------
    >>> short(URIRef("https://w3id.org/sanctions-kg/id/act/ca-2021-03-sanction"))
    'act:ca-2021-03-sanction'
    >>> short(URIRef("urn:x"))
    'urn:x'
    """
    from kg.namespace import PREFIXES  # noqa: PLC0415

    text = str(term)
    if isinstance(term, URIRef):
        best = ""
        for prefix, ns in PREFIXES.items():
            if text.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
                best = prefix
        if best:
            return f"{best}:{text[len(PREFIXES[best]):]}"
    return text


def expand(text: str) -> URIRef | None:
    """The IRI a value names, if it is written as one: ``act:x``, ``<https://…>``, ``https://…``.

    Returns ``None`` for text that is not written as an IRI (a name); raises
    :class:`UnknownPrefix` for ``prefix:local`` with a prefix kg does not know
    and :class:`ValueError` for an IRI with characters an IRI cannot hold.

    Examples
    --------
    >>> expand("actor:china")
    rdflib.term.URIRef('https://w3id.org/sanctions-kg/id/actor/china')
    >>> expand("<https://w3id.org/sanctions-kg/id/actor/china>") == expand("actor:china")
    True
    >>> expand("China") is None
    True
    """
    from kg.namespace import PREFIXES  # noqa: PLC0415

    value = text.strip()
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
    elif _IRI_SCHEME.match(value):
        iri = value
    else:
        m = _CURIE.match(value)
        if not m:
            return None
        prefix, local = m.groups()
        if prefix not in PREFIXES:
            raise UnknownPrefix(
                f"unknown prefix {prefix!r} in {value!r} (kg knows {', '.join(sorted(PREFIXES))})"
            )
        iri = PREFIXES[prefix] + local
    if not iri or _BAD_IRI_CHARS.search(iri):
        raise ValueError(f"{value!r} is not a valid IRI")
    return URIRef(iri)


def normalise(text: str) -> str:
    """A name folded for comparison: case, accents, possessives, punctuation, a leading article.

    Examples
    --------
    >>> normalise("Reinhard Bütikofer")
    'reinhard butikofer'
    >>> normalise("Canada's ambassador to Beijing")
    'canada ambassador to beijing'
    >>> normalise("a Danish democracy organization")
    'danish democracy organization'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"(?<=\w)'s\b", "", text)  # Canada's -> Canada
    text = re.sub(r"(?<=s)'(?=\s|$)", "", text)  # ministers' -> ministers
    text = re.sub(r"[\W_]+", " ", text).strip()
    return re.sub(r"^(?:a|an|the) (?=\S)", "", text)


def _words(normalised: str) -> tuple[str, ...]:
    return tuple(w for w in normalised.split() if w not in STOP_WORDS)


def _is_acronym(letters: str, words: Sequence[str]) -> bool:
    """Whether ``letters`` is ``words`` abbreviated: each word, in order, gives a non-empty prefix.

    >>> _is_acronym("merics", ("mercator", "institute", "china", "studies"))
    True
    >>> _is_acronym("mics", ("mercator", "institute", "china", "studies"))
    True
    >>> _is_acronym("mis", ("mercator", "institute", "china", "studies"))
    False
    """
    if len(words) < 2 or len(letters) < len(words):
        return False

    def fits(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(letters)
        word, rest = words[j], len(words) - j - 1
        for k in range(1, min(len(word), len(letters) - i - rest) + 1):
            if letters[i + k - 1] != word[k - 1]:
                break
            if fits(i + k, j + 1):
                return True
        return False

    return fits(0, 0)


def _acronym_forms(text: str) -> tuple[str, ...]:
    """The letters a value gives as an acronym ("MEPs" -> meps, mep; "U.N." -> un), or none."""
    norm = normalise(text)
    tokens = norm.split()
    if len(tokens) == 1:
        letters = tokens[0]
    elif tokens and all(len(t) == 1 for t in tokens):  # U.N., E.U
        letters = "".join(tokens)
    else:
        return ()
    if not letters.isalpha() or not 2 <= len(letters) <= 12:
        return ()
    forms = [letters]
    if letters.endswith("s") and len(letters) > 2:
        forms.append(letters[:-1])
    return tuple(forms)


@dataclass(frozen=True, order=True)
class Candidate:
    """A node that a name may mean: its IRI and label."""

    node: URIRef
    label: str

    def __str__(self) -> str:
        return f"{short(self.node)} ({self.label})"


@dataclass(frozen=True)
class Match:
    """The node a name was taken to mean, and by which step and name."""

    node: URIRef
    label: str
    step: str
    name: str
    score: float | None = None

    def __str__(self) -> str:
        how = f"{self.step} match on {self.name!r}"
        if self.score is not None:
            how += f", score {self.score:.0f}"
        return f"{short(self.node)} ({self.label}; {how})"


class Ambiguous(LookupError):
    """A name that fits several nodes at the step that decides."""

    def __init__(self, text: str, step: str, candidates: Sequence[Candidate]):
        self.text, self.step, self.candidates = text, step, list(candidates)
        super().__init__(f"{text!r} fits {len(self.candidates)} ({step}): "
                         + "; ".join(map(str, self.candidates)))


class NoMatch(LookupError):
    """A name that fits no node; ``suggestions`` are the closest names."""

    def __init__(self, text: str, suggestions: Sequence[Candidate]):
        self.text, self.suggestions = text, list(suggestions)
        hint = f"; did you mean {'; '.join(map(str, self.suggestions))}?" if self.suggestions else ""
        super().__init__(f"nothing is called {text!r}{hint}")


@dataclass
class NameIndex:
    """The names of a set of nodes, indexed for each matching step."""

    labels: dict[URIRef, str] = field(default_factory=dict)
    exact_label: dict[str, set[URIRef]] = field(default_factory=dict)
    exact_alias: dict[str, set[URIRef]] = field(default_factory=dict)
    normal: dict[str, set[URIRef]] = field(default_factory=dict)
    word_sets: list[tuple[frozenset[str], tuple[str, ...], URIRef]] = field(default_factory=list)
    fuzzy: dict[str, set[URIRef]] = field(default_factory=dict)

    @classmethod
    def of(cls, names: Iterable[tuple[URIRef, str, str]]) -> "NameIndex":
        """An index of ``(node, name, kind)`` rows, kind ``label`` or ``alias``."""
        index = cls()
        seen: set[tuple[URIRef, str]] = set()
        for node, name, kind in sorted(names, key=lambda r: (str(r[0]), r[2] != "label", r[1])):
            name = str(name)
            if kind == "label":
                index.labels.setdefault(node, name)
                index.exact_label.setdefault(name, set()).add(node)
            else:
                index.exact_alias.setdefault(name, set()).add(node)
            norm = normalise(name)
            if not norm or (node, norm) in seen:
                continue
            seen.add((node, norm))
            index.normal.setdefault(norm, set()).add(node)
            words = _words(norm)
            index.word_sets.append((frozenset(words), words, node))
            index.fuzzy.setdefault(norm, set()).add(node)
            for word in words:
                if len(word) >= 4:
                    index.fuzzy.setdefault(word, set()).add(node)
        for node in list(index.labels) + [n for nodes in index.exact_alias.values() for n in nodes]:
            index.labels.setdefault(node, short(node))
        return index

    def __contains__(self, node) -> bool:
        return node in self.labels

    def candidates(self, nodes: Iterable[URIRef]) -> list[Candidate]:
        return sorted(Candidate(n, self.labels.get(n, short(n))) for n in set(nodes))

    def scores(self, text: str) -> dict[URIRef, float]:
        """Every node's best fuzzy score against ``text`` (at least :data:`FUZZY_SUGGEST`)."""
        from rapidfuzz import fuzz, process  # noqa: PLC0415

        best: dict[URIRef, float] = {}
        query = normalise(text)
        if not query:
            return best
        for choice, score, _ in process.extract(
            query, list(self.fuzzy), scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_SUGGEST, limit=None
        ):
            for node in self.fuzzy[choice]:
                best[node] = max(best.get(node, 0.0), score)
        return best

    def suggestions(self, text: str, limit: int = 5) -> list[Candidate]:
        scores = self.scores(text)
        ranked = sorted(scores, key=lambda n: (-scores[n], self.labels.get(n, ""), str(n)))
        return [Candidate(n, self.labels.get(n, short(n))) for n in ranked[:limit]]


def resolve(index: NameIndex, text: str) -> Match:
    """The one node of ``index`` that ``text`` names, by the steps of this module's docstring.

    Raises :class:`Ambiguous` or :class:`NoMatch` (and, for an IRI written
    with an unknown prefix, :class:`UnknownPrefix`).

    Examples
    --------
    >>> a, b = URIRef("urn:a"), URIRef("urn:b")
    >>> index = NameIndex.of([(a, "Mercator Institute for China Studies", "label"),
    ...                       (b, "Foreign ministry of China", "label")])
    >>> resolve(index, "MERICS").node == a
    True
    >>> resolve(index, "china's foreign ministry").step
    'acronym or words'
    """
    value = text.strip()
    iri = expand(value)
    if iri is not None:
        if iri in index:
            return Match(iri, index.labels[iri], "IRI", value)
        raise NoMatch(short(iri), _iri_suggestions(index, iri))
    for step, table, key in (("label", index.exact_label, value), ("alias", index.exact_alias, value),
                             ("normalised", index.normal, normalise(value))):
        found = table.get(key)
        if found:
            return _one(index, value, step, found, key)
    forms = _acronym_forms(value)
    query_words = frozenset(_words(normalise(value)))
    found = {
        node for words, ordered, node in index.word_sets
        if (query_words and query_words <= words) or any(_is_acronym(f, ordered) for f in forms)
    }
    if found:
        return _one(index, value, "acronym or words", found, value)
    scores = index.scores(value)
    accepted = {n for n, s in scores.items() if s >= FUZZY_ACCEPT}
    if accepted:
        match = _one(index, value, "fuzzy", accepted, value)
        return Match(match.node, match.label, "fuzzy", value, scores[match.node])
    raise NoMatch(value, index.suggestions(value))


def _one(index: NameIndex, text: str, step: str, nodes: set[URIRef], name: str) -> Match:
    if len(nodes) > 1:
        raise Ambiguous(text, step, index.candidates(nodes))
    (node,) = nodes
    return Match(node, index.labels.get(node, short(node)), step, name)


def _iri_suggestions(index: NameIndex, iri: URIRef, limit: int = 3) -> list[Candidate]:
    """Nodes of the index whose short IRI is close to a mistyped one."""
    from rapidfuzz import fuzz, process  # noqa: PLC0415

    ns = str(iri)[: len(str(iri)) - len(_local(iri))]
    locals_ = {_local(n): n for n in index.labels if str(n).startswith(ns)}
    found = process.extract(_local(iri), list(locals_), scorer=fuzz.ratio, score_cutoff=FUZZY_SUGGEST, limit=limit)
    return [Candidate(locals_[s], index.labels[locals_[s]]) for s, _, _ in found]


def _local(iri: URIRef) -> str:
    """The last segment of an IRI (after the last '/', '#' or ':')."""
    return re.split(r"[/#:]", str(iri))[-1]


# The names of the nodes a parameter may name. ?top / ?scheme are bound by the engine.
_NAMES_OF_CLASS = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?top ?node ?name ?kind WHERE {
  ?node a/rdfs:subClassOf* ?top .
  { ?node rdfs:label ?name . BIND("label" AS ?kind) }
  UNION { ?node skos:altLabel|skos:notation ?name . BIND("alias" AS ?kind) }
  UNION { ?post org:organization ?node ; kg:postTitle ?name .
          FILTER(REGEX(STR(?name), "^members? of ", "i")) BIND("alias" AS ?kind) }
}
"""

_NAMES_IN_SCHEME = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?scheme ?node ?name ?kind WHERE {
  ?node skos:inScheme ?scheme .
  { ?node rdfs:label|skos:prefLabel ?name . BIND("label" AS ?kind) }
  UNION { ?node skos:altLabel|skos:notation ?name . BIND("alias" AS ?kind) }
}
"""

_NAMES_OF_ANY = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?node ?name ?kind WHERE {
  { ?node rdfs:label ?name . BIND("label" AS ?kind) }
  UNION { ?node skos:altLabel|skos:notation ?name . BIND("alias" AS ?kind) }
  UNION { ?post org:organization ?node ; kg:postTitle ?name .
          FILTER(REGEX(STR(?name), "^members? of ", "i")) BIND("alias" AS ?kind) }
  FILTER(isIRI(?node))
}
"""


def names_of(graph, node: URIRef, classes: Sequence[URIRef] = (), scheme: URIRef | None = None) -> list[str]:
    """The names :func:`name_index` would index for ``node`` alone (none if it is not an instance of
    ``classes`` or a concept of ``scheme``): the same queries with the node bound."""
    names: list[str] = []
    if scheme is not None:
        result = graph.query(_NAMES_IN_SCHEME, initBindings={Variable("scheme"): scheme, Variable("node"): node})
        names += [str(r.name) for r in result]
    for top in classes:
        result = graph.query(_NAMES_OF_CLASS, initBindings={Variable("top"): top, Variable("node"): node})
        names += [str(r.name) for r in result]
    return names


def name_index(graph, classes: Sequence[URIRef] = (), scheme: URIRef | None = None) -> NameIndex:
    """The names of the instances of ``classes``, of the concepts of ``scheme``, or of every labelled node."""
    rows: list[tuple[URIRef, str, str]] = []
    if scheme is not None:
        result = graph.query(_NAMES_IN_SCHEME, initBindings={Variable("scheme"): scheme})
        rows += [(r.node, str(r.name), str(r.kind)) for r in result]
    for top in classes:
        result = graph.query(_NAMES_OF_CLASS, initBindings={Variable("top"): top})
        rows += [(r.node, str(r.name), str(r.kind)) for r in result]
    if scheme is None and not classes:
        rows += [(r.node, str(r.name), str(r.kind)) for r in graph.query(_NAMES_OF_ANY)]
    return NameIndex.of(r for r in rows if isinstance(r[0], URIRef))


def close_names(text: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """The few ``names`` closest to a mistyped one (a query or parameter name), best first.

    >>> close_names("sanction-against", ["sanctions-against", "sanctions-by", "timeline"])
    ['sanctions-against']
    """
    from rapidfuzz import fuzz, process  # noqa: PLC0415

    found = process.extract(text, list(names), scorer=fuzz.ratio, score_cutoff=FUZZY_SUGGEST, limit=limit)
    return [name for name, _, _ in found]
