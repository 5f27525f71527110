"""What reading commands do with drafts: the nodes a tool proposed and no curator has confirmed.

A drafted node carries ``kg:unconfirmed true`` in the graph (file) that
proposes it, and everything that graph says about it is a draft
(data/README.md, "Drafts and review"). ``kg build`` keeps and validates
drafts like everything else; the commands that read the built graph
(query, chains, report, export, serve, run) choose with ``--drafts``:

``exclude`` (the default)
    In each named graph, every triple whose subject that graph flags as
    unconfirmed is left out, and so is the triple a flagged reified statement
    (a curated date, a link candidate: ``rdf:subject``/``rdf:predicate``/
    ``rdf:object``) asserts in that graph. What other graphs say about the
    same node stays: an existing actor that a draft mentions keeps its
    confirmed facts. Nothing unconfirmed reads as a stated fact.
``include``
    The graph as built, drafts and their flags included.
``mark``
    Drafts included, and the label of every node that only drafts describe
    starts with ``[draft] `` so tables, reports and exports show which rows
    are not confirmed yet.

The filter is SPARQL Update, so one text serves every store: the in-memory
rdflib dataset is changed in place (it was parsed for this command alone);
an ``oxigraph:PATH`` store is opened read-only, so when it holds drafts it is
copied into an in-memory Oxigraph store first (as the analyses do), or, above
:data:`kg.store.SNAPSHOT_LIMIT` quads, into a scratch copy on disk
(:func:`kg.store.scratch_copy`: hard links, instant); a ``sparql:URL`` server cannot
be changed, so ``exclude`` and ``mark`` refuse a server that holds drafts.
"""

from __future__ import annotations

import logging

from rdflib import Dataset

__all__ = ["DEFAULT", "MODES", "apply", "count_unconfirmed", "help_text"]

log = logging.getLogger(__name__)

MODES = ("exclude", "include", "mark")
DEFAULT = "exclude"
MARK = "[draft] "

_PREFIXES = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

_COUNT = _PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?node kg:unconfirmed ?flag } }"

# The asserted triple of a flagged reified statement goes first: the second step removes the
# rdf:subject/predicate/object that locate it.
_EXCLUDE = _PREFIXES + """
DELETE { GRAPH ?g { ?s ?p ?o } }
WHERE { GRAPH ?g { ?node kg:unconfirmed ?flag ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o } } ;
DELETE { GRAPH ?g { ?node ?p ?o } }
WHERE { GRAPH ?g { ?node kg:unconfirmed ?flag ; ?p ?o } }
"""

# A node is wholly a draft when no graph types it without flagging it.
_MARK = _PREFIXES + """
DELETE { GRAPH ?g { ?node rdfs:label ?label } }
INSERT { GRAPH ?g { ?node rdfs:label ?marked } }
WHERE {
  GRAPH ?g { ?node kg:unconfirmed ?flag ; rdfs:label ?label }
  FILTER NOT EXISTS {
    GRAPH ?h { ?node a ?anyType }
    FILTER NOT EXISTS { GRAPH ?h { ?node kg:unconfirmed ?other } }
  }
  FILTER(!STRSTARTS(STR(?label), "%s"))
  BIND(IF(LANG(?label) = "", CONCAT("%s", STR(?label)), STRLANG(CONCAT("%s", STR(?label)), LANG(?label))) AS ?marked)
}
""" % (MARK, MARK, MARK)


def help_text() -> str:
    """The ``--drafts`` help, one place for every command that reads the graph."""
    return (
        "unconfirmed drafts (kg add, kg import): exclude (default: left out, so nothing unconfirmed "
        "reads as a stated fact), include (as built), mark (included, labels start with '[draft] ')"
    )


def count_unconfirmed(dataset: Dataset) -> int:
    """How many (node, graph) pairs carry ``kg:unconfirmed``."""
    from kg.store import oxigraph_store  # noqa: PLC0415

    store = oxigraph_store(dataset)
    if store is not None:  # an index lookup, not a query: instant on any size
        import pyoxigraph  # noqa: PLC0415

        from kg.namespace import KG  # noqa: PLC0415

        return sum(1 for _ in store.quads_for_pattern(None, pyoxigraph.NamedNode(str(KG.unconfirmed)), None, None))
    return int(next(iter(dataset.query(_COUNT)))[0])


def apply(dataset: Dataset, mode: str = DEFAULT, spec: str = "memory") -> Dataset:
    """The dataset as ``mode`` shows it; ``spec`` is the store it came from (see the module docstring)."""
    if mode not in MODES:
        from kg.store import StoreError  # noqa: PLC0415

        raise StoreError(f"--drafts {mode!r}: use one of {', '.join(MODES)}")
    if mode == "include":
        return dataset
    drafts = count_unconfirmed(dataset)
    if not drafts:
        return dataset
    kind = spec.partition(":")[0]
    if kind == "sparql":
        from kg.store import StoreError  # noqa: PLC0415

        raise StoreError(
            f"{spec} holds {drafts} unconfirmed drafts and a remote store cannot leave them out or mark them; "
            "pass --drafts include, or confirm them (kg review) and load the graph again"
        )
    if kind == "oxigraph":
        dataset = _in_memory_copy(dataset, spec)
    log.info("%s %d unconfirmed drafts (--drafts %s)", "leaving out" if mode == "exclude" else "marking", drafts, mode)
    dataset.update(_EXCLUDE if mode == "exclude" else _MARK)
    return dataset


def _in_memory_copy(dataset: Dataset, spec: str) -> Dataset:
    """An ``oxigraph:PATH`` store (opened read-only) copied into an in-memory Oxigraph store, or a scratch
    copy on disk for a store of more than :data:`kg.store.SNAPSHOT_LIMIT` quads."""
    import pyoxigraph  # noqa: PLC0415
    from oxrdflib import OxigraphStore  # noqa: PLC0415

    from kg.store import SNAPSHOT_LIMIT, oxigraph_store, scratch_copy  # noqa: PLC0415

    store = oxigraph_store(dataset)
    size = len(store)
    if size > SNAPSHOT_LIMIT:
        log.info("%s holds %d quads, more than %d to copy into memory: leaving out its drafts in a scratch copy",
                 spec, size, SNAPSHOT_LIMIT)
        return scratch_copy(dataset)
    log.info("copying %s into memory to leave out its drafts (%d quads)", spec, size)
    memory = pyoxigraph.Store()
    memory.bulk_extend(store.quads_for_pattern(None, None, None, None))
    return Dataset(store=OxigraphStore(store=memory), default_union=True)
