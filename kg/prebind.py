"""SHACL-SPARQL constraints with ``$this`` pre-bound, run over many focus nodes in one query.

SHACL evaluates a SPARQL constraint once per focus node with ``$this``
*pre-bound* (SHACL 1.0, section 5.2.1 and appendix "Pre-binding of
Variables"): every basic graph pattern, property path and ``GRAPH`` pattern
``Y`` of the query is replaced by ``Join(Y, {$this -> focus})``. So
``FILTER NOT EXISTS { $this kg:target ?t }`` in a group with no triple of its
own tests the focus node, not "no kg:target anywhere" - which is what the
query means when it runs with ``$this`` free.

One query per focus node is exact but slow (tens of microseconds to parse
and plan each, milliseconds where an OPTIONAL is planned as a hash join), so
:func:`prepare` rewrites the query to run over *all* focus nodes at once,
with a table ``T`` of the focus nodes (a ``SELECT DISTINCT ?this`` over the
shape's targets) put at the start of groups:

- the WHERE group always starts with ``T``;
- a nested group (OPTIONAL, UNION branch, ``{...}``, EXISTS, a sub-select's
  WHERE) starts with ``T`` unless it does not mention ``$this`` at all, or a
  triple pattern of its own binds ``$this`` before its first OPTIONAL or BIND.

Why this is the pre-binding over every focus node: joining ``T`` at the
start of a group is the same as joining it to every basic graph pattern of
the group (``T`` has one column, ``?this``, and no duplicates, so
``Join(P, Join(Y, T)) = Join(P, Y)`` once ``P`` binds ``?this`` to a node of
``T``). A group that binds ``$this`` by its own triple before anything
order-dependent (OPTIONAL, BIND) gives the same solutions restricted to
``T`` as with ``T`` inside, and the WHERE group's ``T`` restricts them; a
group that does not mention ``$this`` gives the same solutions times ``T``.
Running over the set ``T`` at once equals the union of the runs per focus
node when every solution keeps ``?this`` and nothing mixes solutions of two
focus nodes: so every aggregate must group by ``$this``, and LIMIT/OFFSET
are refused (:class:`Unsupported`).

The queries SHACL says a processor must refuse (MINUS, SERVICE, VALUES,
``AS $this``, a sub-select that does not return ``$this``, ``SELECT *``
in a sub-select) raise :class:`Invalid`. Nothing here reaches the network:
SERVICE never runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Invalid", "Prepared", "Unsupported", "prepare", "service_in"]


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not compile."""


class Invalid(Exception):
    """The shapes break a rule of SHACL that requires a processor to fail (a shapes error)."""


#: Pre-bound variables SHACL lets a processor leave out; refused here.
_OPTIONAL_PREBOUND = ("shapesGraph", "currentShape")

# SPARQL 1.1 terminals (section 19.8) that can hold a brace or a '#': strings, IRIs, comments.
_TOKEN = re.compile(
    r"""(?P<skip>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
    |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*"
    |<[^<>"{}|^`\\\x00-\x20]*>
    |\#[^\n\r]*)
    |(?P<open>\{)|(?P<close>\})""",
    re.X,
)
_SELECT_AFTER = re.compile(r"\s*(?:#[^\n\r]*[\n\r]\s*)*SELECT\b", re.I)


@dataclass(frozen=True)
class Prepared:
    """A SPARQL constraint ready to run over a focus table: ``render(T)`` is its text."""

    text: str
    #: (position in text, what to insert there; "T" stands for the focus table)
    inserts: tuple[tuple[int, str], ...]

    def render(self, table: str) -> str:
        out, last = [], 0
        for pos, what in self.inserts:
            out.append(self.text[last:pos])
            out.append(what.replace("T", table))
            last = pos
        out.append(self.text[last:])
        return "".join(out)


def _walk(node):
    """Every value in a parse tree of rdflib's SPARQL parser, depth first, in the order of the text."""
    from pyparsing import ParseResults  # noqa: PLC0415
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            yield from _walk(value)


def _name(node) -> str | None:
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    return node.name if isinstance(node, CompValue) else None


def _mentions(node, var) -> bool:
    return any(v == var for v in _walk(node))


def _groups(node, out: list, root=False):
    """(kind, node) of every brace-delimited group, in the order of the text: 'group' or 'subselect'."""
    from pyparsing import ParseResults  # noqa: PLC0415
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415

    name = _name(node)
    if name == "GroupGraphPatternSub":
        out.append(("group", node))
    elif name == "SubSelect":
        out.append(("subselect", node))
    if isinstance(node, CompValue):
        for value in node.values():
            _groups(value, out)
    elif isinstance(node, (list, tuple, ParseResults)):
        for value in node:
            _groups(value, out)
    return out


def _braces(text: str) -> list[tuple[int, int]]:
    """(position of '{', position of its '}') for every group brace, in text order."""
    pairs, stack = [], []
    for m in _TOKEN.finditer(text):
        if m.group("open"):
            stack.append(len(pairs))
            pairs.append([m.start(), None])
        elif m.group("close"):
            if not stack:
                raise ValueError("unbalanced braces")
            pairs[stack.pop()][1] = m.start()
    if stack:
        raise ValueError("unbalanced braces")
    return [(a, b) for a, b in pairs]


def _check(tree, this, where: str) -> None:
    """Refuse what SHACL forbids (Invalid) and what a run over all focus nodes at once cannot do (Unsupported)."""
    from rdflib import Variable  # noqa: PLC0415

    for node in _walk(tree):
        name = _name(node)
        if isinstance(node, Variable) and str(node) in _OPTIONAL_PREBOUND:
            raise Unsupported(f"{where}: ${node} is not supported")
        if name == "MinusGraphPattern":
            raise Invalid(f"{where}: MINUS is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if name == "ServiceGraphPattern":
            raise Invalid(f"{where}: SERVICE is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if name == "InlineData":
            raise Invalid(f"{where}: VALUES is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if name == "Bind" and node.var == this:
            raise Invalid(f"{where}: BIND (... AS $this) re-binds a pre-bound variable (SHACL 5.2.1)")
        if name in ("SelectQuery", "SubSelect"):
            for item in _field(node, "projection") or []:
                if _field(item, "evar") == this:
                    raise Invalid(f"{where}: (... AS $this) re-binds a pre-bound variable (SHACL 5.2.1)")
            if _field(node, "valuesClause") is not None:
                raise Invalid(f"{where}: VALUES is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
            if _field(node, "limitoffset") is not None:
                raise Unsupported(f"{where}: LIMIT/OFFSET in a SPARQL constraint is not supported")
            aggregated = any((_name(v) or "").startswith("Aggregate_") for v in _walk(
                [_field(node, "projection"), _field(node, "having"), _field(node, "orderby")]))
            group = _field(node, "groupby")
            keys = list(group.condition) if group is not None else None
            if (aggregated or keys is not None) and this not in (keys or []):
                raise Unsupported(f"{where}: an aggregate that does not group by $this is not supported")
        if name == "SubSelect":
            projection = _field(node, "projection")
            if not projection:
                raise Invalid(f"{where}: SELECT * in a sub-select; it must return $this by name (SHACL 5.2.1)")
            if this not in [_field(item, "var") for item in projection]:
                raise Invalid(f"{where}: a sub-select must return $this (SHACL 5.2.1)")
        if name == "GraphGraphPattern":
            raise Unsupported(f"{where}: GRAPH in a SPARQL constraint is not supported")
    projection = _field(tree, "projection")
    if projection and this not in [_field(item, "var") for item in projection]:
        raise Unsupported(f"{where}: a SPARQL constraint must select $this to run here")


def _field(node, key):
    """A field of a parse-tree node, or None (CompValue.get returns the key itself when it is missing)."""
    return node[key] if key in node else None


def _needs_table(group, this) -> bool:
    """Whether a nested group must start with the focus table (see the module docstring)."""
    if not _mentions(group, this):
        return False
    for part in group.part or []:
        if _name(part) == "TriplesBlock" and _mentions(part, this):
            return False
        if _name(part) in ("OptionalGraphPattern", "Bind"):
            return True
    return True


def prepare(text: str, where: str) -> Prepared:
    """Check a SELECT query of a SPARQL constraint and find where the focus table goes.

    ``text`` is the full query (prefixes included); ``where`` names the
    constraint in error messages. Raises :class:`Invalid` or
    :class:`Unsupported`; a query rdflib cannot parse is :class:`Invalid`.
    """
    from rdflib import Variable  # noqa: PLC0415
    from rdflib.plugins.sparql.parser import parseQuery  # noqa: PLC0415

    this = Variable("this")
    try:
        parsed = parseQuery(text)
    except Exception as exc:  # noqa: BLE001 - pyparsing's errors are many; the message names the place
        raise Invalid(f"{where}: the SPARQL query does not parse: {exc}") from exc
    try:
        from rdflib.plugins.sparql.algebra import translateQuery  # noqa: PLC0415

        translateQuery(parseQuery(text))  # unknown prefixes and other semantic errors
    except Exception as exc:  # noqa: BLE001
        raise Invalid(f"{where}: the SPARQL query is not valid: {exc}") from exc
    tree = parsed[1]
    if _name(tree) != "SelectQuery":
        raise Unsupported(f"{where}: only SELECT queries are supported")
    _check(tree, this, where)
    groups = _groups(tree, [])
    try:
        braces = _braces(text)
    except ValueError as exc:
        raise Unsupported(f"{where}: cannot locate the groups of the query ({exc})") from exc
    if len(groups) != len(braces):
        raise Unsupported(f"{where}: cannot locate the groups of the query ({len(groups)} groups, {len(braces)} braces)")
    inserts = []
    root = tree.where
    for (kind, node), (start, end) in zip(groups, braces):
        is_select = bool(_SELECT_AFTER.match(text, start + 1))
        if is_select != (kind == "subselect"):
            raise Unsupported(f"{where}: cannot locate the groups of the query")
        if node is root:
            if kind == "subselect":
                inserts += [(start + 1, " T { "), (end, " } ")]
            else:
                inserts.append((start + 1, " T "))
        elif kind == "group" and _needs_table(node, this):
            inserts.append((start + 1, " T "))
    prepared = Prepared(text, tuple(sorted(inserts)))
    probe = prepared.render("{ SELECT DISTINCT ?this WHERE { ?this ?p ?o } }")
    try:
        parseQuery(probe)
    except Exception as exc:  # noqa: BLE001
        raise Unsupported(f"{where}: the query could not be rewritten for pre-binding: {exc}") from exc
    return prepared


_SERVICE = re.compile(r"\bSERVICE\b", re.I)


def service_in(shapes) -> list:
    """The nodes of a shapes graph whose SPARQL text (select, ask, construct, update) uses SERVICE."""
    from rdflib.namespace import SH  # noqa: PLC0415

    found = []
    for key in (SH.select, SH.ask, SH.construct, SH.update):
        for node, text in shapes.subject_objects(key):
            code = _TOKEN.sub(lambda m: " " if m.group("skip") else m.group(0), str(text))
            if _SERVICE.search(code):
                found.append(node)
    return sorted(found, key=str)
