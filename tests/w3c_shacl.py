"""The W3C SHACL test suite (data-shapes-test-suite, tests/core and tests/sparql): reader and runners.

The suite is not committed here; pySHACL's source distribution on PyPI ships a
copy (``test/resources/sht_tests``), which :func:`fetch_suite` downloads with
pip at test time. A test is a ``sht:Validate`` entry of a manifest: a data
graph, a shapes graph, and either an expected validation report or
``sht:Failure`` (the processor must refuse the shapes).

Reports are compared as the suite says: ``sh:conforms``, and the results as a
multiset of (focus node, result path, value, source shape, severity); result
messages are not compared. Blank nodes are compared by what they say (their
triples, recursively), since the report's and the graphs' blank nodes are
different nodes for the same thing.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: The copy of the suite this project reads: pySHACL's sdist of this version, and its digest.
PYSHACL_SDIST = "pyshacl==0.30.1"
SDIST_NAME = "pyshacl-0.30.1.tar.gz"
SDIST_SHA256 = "df712ac961b1ee7bcf0b27fa71ecab7785a135b2af69783ce30cb05fe41bcaf5"
#: The upstream suite (w3c/data-shapes, data-shapes-test-suite/tests): the test files each folder's
#: manifest includes. pySHACL's copy adds sparql/component/nodeValidator-001 (not run here) and
#: differs from upstream in whitespace and in one ill-typed literal of core/property/or-datatypes-001.
UPSTREAM = {
    "core/complex": "personexample shacl-shacl",
    "core/misc": "deactivated-001 deactivated-002 message-001 severity-001 severity-002",
    "core/node": "and-001 and-002 class-001 class-002 class-003 closed-001 closed-002 datatype-001 datatype-002 "
                 "disjoint-001 equals-001 hasValue-001 in-001 languageIn-001 maxExclusive-001 maxInclusive-001 "
                 "maxLength-001 minExclusive-001 minInclusive-001 minInclusive-002 minInclusive-003 minLength-001 "
                 "node-001 nodeKind-001 not-001 not-002 or-001 pattern-001 pattern-002 qualified-001 xone-001 "
                 "xone-duplicate",
    "core/path": "path-alternative-001 path-complex-001 path-complex-002 path-inverse-001 path-oneOrMore-001 "
                 "path-sequence-001 path-sequence-002 path-sequence-duplicate-001 path-strange-001 path-strange-002 "
                 "path-unused-001 path-zeroOrMore-001 path-zeroOrOne-001",
    "core/property": "and-001 class-001 datatype-001 datatype-002 datatype-003 datatype-ill-formed disjoint-001 "
                     "equals-001 hasValue-001 in-001 languageIn-001 lessThan-001 lessThan-002 lessThanOrEquals-001 "
                     "maxCount-001 maxCount-002 maxExclusive-001 maxInclusive-001 maxLength-001 minCount-001 "
                     "minCount-002 minExclusive-001 minExclusive-002 minLength-001 node-001 node-002 nodeKind-001 "
                     "not-001 or-001 or-datatypes-001 pattern-001 pattern-002 property-001 "
                     "qualifiedMinCountDisjoint-001 qualifiedValueShape-001 qualifiedValueShapesDisjoint-001 "
                     "uniqueLang-001 uniqueLang-002",
    "core/targets": "multipleTargets-001 targetClass-001 targetClassImplicit-001 targetNode-001 targetObjectsOf-001 "
                    "targetSubjectsOf-001 targetSubjectsOf-002",
    "core/validation-reports": "shared",
    "sparql/component": "optional-001 propertyValidator-select-001 validator-001",
    "sparql/node": "prefixes-001 sparql-001 sparql-002 sparql-003",
    "sparql/pre-binding": "pre-binding-001 pre-binding-002 pre-binding-003 pre-binding-004 pre-binding-005 "
                          "pre-binding-006 pre-binding-007 shapesGraph-001 unsupported-sparql-001 "
                          "unsupported-sparql-002 unsupported-sparql-003 unsupported-sparql-004 "
                          "unsupported-sparql-005 unsupported-sparql-006",
    "sparql/property": "sparql-001",
}
UPSTREAM_FILES = sorted(f"{folder}/{name}" for folder, names in UPSTREAM.items() for name in names.split())


class SuiteUnavailable(Exception):
    """The suite could not be downloaded or is not the upstream suite."""


@dataclass
class Case:
    name: str  # e.g. "core/node/and-001"
    label: str
    data: Graph
    shapes: Graph
    failure: bool  # the processor must refuse these shapes
    conforms: bool | None
    expected: Counter  # of result keys, see result_key
    expected_graph: Graph  # the manifest's graph, where the expected report's blank nodes live


def fetch_suite(cache: Path) -> Path:
    """The suite's folder (``sht_tests``), downloaded with pip into ``cache`` if not there yet."""
    root = cache / "pyshacl-sdist" / "pyshacl-0.30.1" / "test" / "resources" / "sht_tests"
    if (root / "manifest.ttl").exists():
        return root
    download = cache / "pyshacl-sdist"
    download.mkdir(parents=True, exist_ok=True)
    archive = download / SDIST_NAME
    if not archive.exists():
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", PYSHACL_SDIST, "--no-binary", ":all:", "--no-deps",
             "-d", str(download)],
            capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0 or not archive.exists():
            raise SuiteUnavailable(
                f"could not download {PYSHACL_SDIST} (the sdist that ships the W3C SHACL test suite) from PyPI "
                f"with pip: {(proc.stderr or proc.stdout).strip()[-800:]}")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != SDIST_SHA256:
        archive.unlink()
        raise SuiteUnavailable(f"{SDIST_NAME}: sha256 {digest}, expected {SDIST_SHA256}")
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if "/test/resources/sht_tests/" in m.name and m.isfile()]
        tar.extractall(download, members=members, filter="data")
    if not (root / "manifest.ttl").exists():
        raise SuiteUnavailable(f"{SDIST_NAME} has no test/resources/sht_tests/manifest.ttl")
    return root


def _parse(path: Path, cache: dict) -> Graph:
    """A file of the suite, its literals as written: rdflib would turn "1"^^xsd:boolean into "true"
    (and "4.0"^^xsd:decimal into "4.0" only by luck), and the suite tests exactly such terms."""
    import rdflib

    if path not in cache:
        g = Graph()
        normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
        try:
            g.parse(path, format="turtle", publicID=path.as_uri())
        finally:
            rdflib.NORMALIZE_LITERALS = normalize
        cache[path] = g
    return cache[path]


def _file(iri, base: Path) -> Path:
    text = str(iri)
    if not text.startswith("file://"):
        raise SuiteUnavailable(f"{iri}: not a file of the suite")
    return Path(text[len("file://"):])


def check_structure(root: Path) -> None:
    """The copy holds the upstream suite: every upstream test file, included by its folder's manifest."""
    graphs: dict = {}
    included = set()
    for folder in sorted({f.split("/")[0] for f in UPSTREAM_FILES}) + sorted(UPSTREAM):
        g = _parse(root / folder / "manifest.ttl", graphs)
        included |= {str(_file(i, root).relative_to(root).with_suffix("")) for i in g.objects(None, MF.include)}
    missing = [f for f in UPSTREAM_FILES if f not in included or not (root / f"{f}.ttl").exists()]
    if missing:
        raise SuiteUnavailable(f"{root} is not the upstream suite: missing {missing[:5]}")


def read_suite(root: Path) -> list[Case]:
    """Every ``sht:Validate`` test reachable from ``root/manifest.ttl``, in a stable order."""
    graphs: dict = {}
    cases: list[Case] = []
    seen: set = set()

    def manifest(path: Path):
        if path in seen:
            return
        seen.add(path)
        g = _parse(path, graphs)
        for m in g.subjects(RDF.type, MF.Manifest):
            for inc in g.objects(m, MF.include):
                manifest(_file(inc, root))
            for entries in g.objects(m, MF.entries):
                from rdflib.collection import Collection

                for entry in Collection(g, entries):
                    upstream = str(path.relative_to(root).with_suffix("")) in UPSTREAM_FILES
                    if (entry, RDF.type, SHT.Validate) in g and upstream:
                        cases.append(_case(g, entry, path, root, graphs))

    manifest(root / "manifest.ttl")
    return sorted(cases, key=lambda c: c.name)


def _case(g: Graph, entry, path: Path, root: Path, graphs: dict) -> Case:
    action = g.value(entry, MF.action)
    data = _parse(_file(g.value(action, SHT.dataGraph), root), graphs)
    shapes = _parse(_file(g.value(action, SHT.shapesGraph), root), graphs)
    result = g.value(entry, MF.result)
    name = str(path.relative_to(root).parent / str(entry).rsplit("/", 1)[-1])
    label = str(g.value(entry, RDFS_LABEL) or name)
    if result == SHT.Failure:
        return Case(name, label, data, shapes, True, None, Counter(), g)
    conforms = g.value(result, SH.conforms)
    expected = Counter(
        result_key(g, g.value(r, SH.focusNode), g.value(r, SH.resultPath), g.value(r, SH.value),
                   g.value(r, SH.sourceShape), g.value(r, SH.resultSeverity))
        for r in g.objects(result, SH.result)
    )
    return Case(name, label, data, shapes, False, bool(conforms.toPython()), expected, g)


RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def describe(graph: Graph, term, depth: int = 0):
    """A term as a comparable value: an IRI as it is, a literal by its parts, a blank node by its triples.

    (Literals as themselves would do for ``==`` but not for hashing: rdflib hashes a literal read
    without normalising unlike the same literal made normally.)"""
    if isinstance(term, Literal):
        return ("literal", str(term), term.datatype, term.language)
    if not isinstance(term, BNode):
        return term
    if depth > 6:
        return ("_", "...")
    return ("_", frozenset((p, describe(graph, o, depth + 1)) for p, o in graph.predicate_objects(term)))


def path_key(graph: Graph, path):
    """A SHACL path as a comparable value: what it means, whatever the nodes that write it."""
    from rdflib.collection import Collection

    if path is None or isinstance(path, URIRef):
        return path
    if (path, RDF.first, None) in graph:
        return ("sequence", tuple(path_key(graph, p) for p in Collection(graph, path)))
    for key in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
        inner = graph.value(path, key)
        if inner is not None:
            return (str(key), path_key(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return ("alternative", tuple(path_key(graph, p) for p in Collection(graph, alternatives)))
    return describe(graph, path)


def result_key(graph: Graph, focus, path, value, shape, severity, data: Graph | None = None,
               shapes: Graph | None = None) -> tuple:
    """What the suite compares of one result: focus node, path, value, source shape, severity.

    Terms are described in the graph they come from (``data`` for focus and value, ``shapes`` for
    path and shape; ``graph`` for both when not given)."""
    data = data if data is not None else graph
    shapes = shapes if shapes is not None else graph
    return (describe(data, focus), path_key(shapes, path), describe(data, value), describe(shapes, shape),
            severity)


# ----------------------------------------------------------------- runners


@dataclass
class Outcome:
    status: str  # "passed", "refused" (expected failure, refused), "unsupported", "failed"
    detail: str = ""


def _store(data: Graph):
    import pyoxigraph as ox

    from kg.validate import _quads

    store = ox.Store()
    store.bulk_extend(_quads(data))
    return store


def run_ours(case: Case) -> Outcome:
    """The compiled engine on one test."""
    from kg.shacl_sparql import Invalid, Unsupported, compile_shapes, run

    try:
        plan = compile_shapes(case.shapes)
    except Invalid as exc:
        if case.failure:
            return Outcome("refused", str(exc))
        return Outcome("failed", f"refused valid shapes as invalid: {exc}")
    except Unsupported as exc:
        return Outcome("unsupported", str(exc))
    if case.failure:
        return Outcome("failed", "accepted shapes the suite says a processor must refuse")
    findings = run(_store(case.data), plan)
    got = Counter(result_key(case.data, f.focus, f.path, f.value, f.shape, f.severity, case.data, case.shapes)
                  for f in findings)
    return _compare(case, not findings, got)


def _compare(case: Case, conforms: bool, got: Counter) -> Outcome:
    if conforms != case.conforms:
        return Outcome("failed", f"conforms {conforms}, expected {case.conforms}")
    if got != case.expected:
        missing, extra = case.expected - got, got - case.expected
        return Outcome("failed", f"missing {sorted(map(str, missing))[:3]}; unexpected {sorted(map(str, extra))[:3]}")
    return Outcome("passed")


def run_pyshacl(case: Case) -> Outcome:
    """pySHACL on one test, read the same way (the reference beside ours in BENCHMARKS.md)."""
    import pyshacl

    try:
        conforms, report, _ = pyshacl.validate(case.data, shacl_graph=case.shapes, advanced=True,
                                               inference="none", allow_warnings=False, debug=False)
    except Exception as exc:  # noqa: BLE001 - pySHACL reports a refused shapes graph by raising
        if case.failure:
            return Outcome("refused", str(exc)[:200])
        return Outcome("failed", f"raised {type(exc).__name__}: {str(exc)[:200]}")
    if case.failure:
        return Outcome("failed", "accepted shapes the suite says a processor must refuse")
    # pySHACL keeps the data's and shapes' nodes, and copies blank-node paths into its report
    union = case.data + case.shapes + report
    got = Counter(
        result_key(union, report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.value),
                   report.value(r, SH.sourceShape), report.value(r, SH.resultSeverity))
        for r in report.objects(None, SH.result)
    )
    return _compare(case, bool(conforms), got)
