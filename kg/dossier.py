"""Everything the graph holds about one actor: the catalogue query ``dossier`` in words, with its chains.

:func:`dossier` resolves a name as ``kg query``'s actor parameters do
(:mod:`kg.names`: case, accents, initials, a significant word, a typo; several
fits are an error that lists them), runs ``queries/dossier.rq`` for the actor
and adds the chains (:func:`kg.analysis.chain_analysis`, numbered as
``kg chains`` numbers them) that one of its lines' acts is part of. Each line
keeps its evidence: the quote and its article for a stated line, the
curator's reason (and the passage it reasons from) for a curated one, the
dataset for a line only an imported record supports.
"""

from __future__ import annotations

import textwrap
from typing import Any, Iterable, Mapping

__all__ = ["BASIS_WORDS", "WITH_WORDS", "dossier", "dossier_lines", "dossier_text", "resolve_actor", "tie_text"]

#: The query's ?basis in words, for readers.
BASIS_WORDS = {"stated": "stated in the article", "curated": "curated", "record": "from an imported record"}

_FIELDS = ("part", "section", "role", "fact", "factLabel", "when", "with", "basis", "quote", "source", "reason")


def resolve_actor(graph, name: str) -> str:
    """The IRI of the actor ``name`` names, as ``kg query dossier --param actor=NAME`` resolves it.

    Raises :class:`kg.query.ParamError` (no such actor, or several: the message lists them).
    """
    from rdflib import Variable  # noqa: PLC0415

    from kg.query import ParamError, find_query, load_catalogue, resolve_params  # noqa: PLC0415

    query = find_query(load_catalogue(), "dossier")
    try:
        return str(resolve_params(graph, query, {"actor": name})[Variable("actor")])
    except ParamError as exc:
        raise ParamError(str(exc).replace("parameter actor: ", "", 1).replace("--param actor=", "kg dossier ")) from None


def dossier_lines(source, actors: Iterable[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``dossier.rq``, by actor IRI: for each of ``actors`` (bound one at a time), or for all.

    ``source`` is a knowledge graph or the value :func:`kg.analysis.networks._source` makes of it
    (the in-memory Oxigraph copy the analyses read): the query runs there, with the actor bound
    by the engine.
    """
    from kg.analysis import networks  # noqa: PLC0415

    source = _fast(networks._source(source))
    found: dict[str, list[dict[str, Any]]] = {}
    for actor in ([None] if actors is None else actors):
        for row in networks._rows(source, "dossier", {"actor": actor} if actor else {}):
            line = {k: row.get(k) or "" for k in _FIELDS}
            line["part"] = int(line["part"] or 0)
            line["with"] = "; ".join(sorted(set(filter(None, line["with"].split("; ")))))  # GROUP_CONCAT's order is the engine's
            found.setdefault(str(row["actor"]), []).append(line)
        if actor is not None:
            found.setdefault(actor, [])
    for lines in found.values():
        lines.sort(key=lambda r: (r["part"], r["when"] == "", r["when"], r["factLabel"], r["role"]))
    return found


def _fast(source):
    """An Oxigraph copy of an in-memory rdflib graph to run the dossier query on.

    rdflib evaluates the query's unions and optionals in Python: 8 s for every actor of the seed
    graph, and 4 s for each one bound; Oxigraph answers all of them in a tenth of a second,
    copy included. A remote store (sparql:URL) and Oxigraph stores are queried where they are.
    """
    from kg.analysis import networks  # noqa: PLC0415

    if source.store is not None or type(getattr(source.graph, "store", None)).__name__ != "Memory":
        return source
    import pyoxigraph  # noqa: PLC0415

    store = pyoxigraph.Store()
    store.bulk_load(source.graph.serialize(format="nquads", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
    return networks._Source(source.graph, store, True)


def _chains_of(chains: list[Mapping[str, Any]], lines: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The chains (numbered as ``kg chains`` numbers them) an act of ``lines`` is part of, with those acts."""
    roles: dict[str, list[str]] = {}
    for line in lines:
        roles.setdefault(line["fact"], []).append(line["role"])
    found = []
    for number, chain in enumerate(chains, 1):
        mine = [{"act": s["act"], "label": s["label"], "when": s["when"], "level": s["level"],
                 "roles": sorted(set(roles[s["act"]]))}
                for s in chain["steps"] if s["act"] in roles]
        if mine:
            found.append({"chain": number, "first": chain["first"], "label": chain["label"], "when": chain["when"],
                          "acts": len(chain["steps"]), "its_acts": mine})
    return found


def dossier(graph, name: str, *, nets=None, chains: list | None = None) -> dict[str, Any]:
    """The dossier of the actor ``name`` names: its label, kind, side, lines and chains.

    ``nets`` (:func:`kg.analysis.networks.read`) and ``chains``
    (``chain_analysis(nets)["chains"]``) are read here unless the caller has them.
    """
    from kg.analysis import chain_analysis, networks  # noqa: PLC0415

    actor = resolve_actor(graph, name)
    if nets is None:
        nets = networks.read(graph)
    if chains is None:
        chains = chain_analysis(nets)["chains"]
    lines = dossier_lines(nets_source(nets, graph), [actor])[actor]
    side = nets.side_of.get(actor)
    return {
        "actor": actor,
        "label": nets.label(actor),
        "kind": nets.kinds.get(actor, ""),
        "side": nets.label(side) if side else "",
        "lines": lines,
        "chains": _chains_of(chains, lines),
    }


def nets_source(nets, graph):
    """Where ``nets`` was read from when it kept it, else ``graph``."""
    return getattr(nets, "source", None) or graph


def _short(iri: str) -> str:
    from rdflib import URIRef  # noqa: PLC0415

    from kg.names import short  # noqa: PLC0415

    return short(URIRef(iri)) if iri else ""


#: For each part of the dossier, the word that joins a line's role to its other parties (?with).
WITH_WORDS = {1: "against", 2: "by", 3: "against", 4: "by", 5: "about or to", 6: "by", 7: "with", 8: "in",
              9: "held by", 10: "", 11: "to"}


def _title(section: str) -> str:
    return section[:1].upper() + section[1:]


def tie_text(line: Mapping[str, Any]) -> str:
    """A tie in words: "affiliated with China", or, for another actor's tie to this one, "part of it: X"."""
    if line["role"].endswith(("it", "its national", "its member")):
        return f"{line['role']}: {line['with']}"
    return f"{line['role']} {line['with']}".strip()


def dossier_text(found: Mapping[str, Any], width: int | None = None) -> str:
    """A dossier as ``kg dossier`` prints it: a heading, then each section's lines with their evidence.

    Lines longer than ``width`` wrap under themselves (None: whole lines, for a file or a pipe).
    """

    def wrap(text: str, indent: str) -> list[str]:
        if width is None:
            return [indent + text]
        return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                             break_on_hyphens=False, break_long_words=False) or [indent]

    kind = f"{found['kind']}, " if found["kind"] else ""
    side = f"side: {found['side']}" if found["side"] else "on no side"
    out = wrap(f"{found['label']} ({kind}{side}) {_short(found['actor'])}", "")
    lines = found["lines"]
    counts = {b: sum(1 for r in lines if r["basis"] == b) for b in BASIS_WORDS}
    out += wrap(f"{len(lines)} lines: " + ", ".join(f"{n} {BASIS_WORDS[b]}" for b, n in counts.items() if n)
                if lines else "The graph holds nothing about it beyond its name.", "")
    section = None
    for row in lines:
        if row["section"] != section:
            section = row["section"]
            out += ["", _title(section) + ":"]
        if row["part"] == 10:  # a tie: the line is the tie itself
            out += wrap(tie_text(row), "  ")
        else:
            out += wrap(f"{row['when'] or 'undated'}  {row['factLabel'] or _short(row['fact'])}", "  ")
            word = WITH_WORDS.get(row["part"], "with")
            out += wrap(row["role"] + (f"; {word} {row['with']}" if row["with"] else ""), "      ")
        if row["basis"] == "curated":
            out += wrap(f"curated: {row['reason']}", "      ")
            if row["quote"]:
                out += wrap(f"from “{row['quote']}” ({_short(row['source'])})", "      ")
        elif row["basis"] == "record":
            out += wrap(f"from an imported record: {row['quote'].removeprefix('record ')} ({_short(row['source'])})", "      ")
        else:
            out += wrap(f"“{row['quote']}” ({_short(row['source'])})", "      ")
    out += ["", "Chains its acts are part of (numbered as kg chains numbers them):"]
    if not found["chains"]:
        out += wrap("none", "  ")
    for chain in found["chains"]:
        out += wrap(f"Chain {chain['chain']}: {chain['label']} [{chain['when'] or 'undated'}], {chain['acts']} acts", "  ")
        for act in chain["its_acts"]:
            where = "first act" if act["level"] == 0 else f"answer at level {act['level']}"
            out += wrap(f"{act['label']} ({where}; {', '.join(act['roles'])})", "      ")
    return "\n".join(out) + "\n"
