"""Where the built graph lives: the stores behind ``--store``.

Every command that reads the graph calls :func:`open_dataset`, and ``kg
build`` calls :func:`save_dataset`; both take a store spec:

``memory`` (default)
    The dataset is the TriG file ``out/kg.trig``, parsed into an in-memory
    rdflib Dataset. Right for a few articles.
``oxigraph:PATH``
    A persistent Oxigraph store on disk, used through rdflib's API (oxrdflib),
    so SPARQL runs in Oxigraph. ``PATH`` is a symbolic link to a versioned
    folder; a load fills a new version and swaps the link in one rename, so a
    failed or killed load leaves the previous store as it was.
``sparql:URL``
    A remote SPARQL 1.1 server (Oxigraph server, Virtuoso, Fuseki, GraphDB):
    ``URL`` is its query endpoint. A load replaces the server's graphs that the
    data holds through the server's bulk path (:func:`_load_remote`: Oxigraph's
    ``POST /store``, Virtuoso's Graph Store protocol), or one SPARQL Update
    request for other servers. The server must give the union of the named
    graphs as default graph (Oxigraph: ``--union-default-graph``; Virtuoso
    does by default).

All three give an rdflib ``Dataset``, so queries, analyses and exports run
unchanged on any of them.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from rdflib import Dataset

from kg.io import KgInputError, new_file_mode, read_dataset
from kg.progress import reading

__all__ = [
    "DEFAULT_STORE", "DEFAULT_WAIT", "NO_FACTS", "AnalysisSource", "PinnedVersion", "StoreError", "add_oxigraph",
    "analysis_source", "analysis_store",
    "holds_facts", "load_checked", "load_remote", "open_dataset", "oxigraph_store", "pin_version", "refuse_empty",
    "save_dataset", "scratch_copy", "store_kind",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = "memory"
KINDS = ("memory", "oxigraph", "sparql")
#: Seconds a writer of an ``oxigraph:PATH`` store waits for another one to finish before it gives up.
DEFAULT_WAIT = 60.0
#: The lock file writers take turns on, in ``PATH.versions/``; it holds the writer's process id.
WRITER_LOCK = ".kg-writer.lock"


class StoreError(Exception):
    """A store that cannot be opened, written or is not known."""


def store_kind(spec: str) -> tuple[str, str]:
    """Split ``kind:location``; ``memory`` has no location.

    Examples
    --------
    >>> store_kind("oxigraph:/tmp/kg")
    ('oxigraph', '/tmp/kg')
    >>> store_kind("sparql:http://127.0.0.1:7878/query")
    ('sparql', 'http://127.0.0.1:7878/query')
    """
    kind, _, location = spec.partition(":")
    if kind not in KINDS:
        raise StoreError(f"unknown store {spec!r}; use memory, oxigraph:PATH or sparql:URL")
    if kind != "memory" and not location:
        raise StoreError(f"the store {kind} needs a location: {kind}:{'PATH' if kind == 'oxigraph' else 'URL'}")
    return kind, location


def open_dataset(spec: str = DEFAULT_STORE, path: Path | str | None = None, drafts: str = "exclude") -> Dataset:
    """Open the built dataset from a store (``path`` is the TriG file of the memory store).

    ``drafts`` says what to do with unconfirmed drafts (:mod:`kg.drafts`): leave them out
    (``exclude``, the default), keep them (``include``, as ``kg validate`` reads) or ``mark`` them.
    """
    from kg.drafts import apply  # noqa: PLC0415

    return apply(_open(spec, path), drafts, spec)


def _open(spec: str, path: Path | str | None) -> Dataset:
    kind, location = store_kind(spec)
    if kind == "memory":
        from kg import paths  # noqa: PLC0415

        from kg.io import is_stdin  # noqa: PLC0415

        path = Path(path) if path else paths.out_dir() / "kg.trig"
        if not is_stdin(path) and not path.exists():
            raise KgInputError(f"{path}: no built graph here; run `kg build` first")
        return read_dataset(path)
    if kind == "oxigraph":
        if not Path(location).exists():
            raise KgInputError(f"{location}: no Oxigraph store here; run `kg build --store oxigraph:{location}`")
        import pyoxigraph  # noqa: PLC0415
        from oxrdflib import OxigraphStore  # noqa: PLC0415

        # Read-only: many readers may open the store at once, and a reader cannot change it.
        # Pinned: a load that replaces the store meanwhile leaves this version until we exit.
        pin = pin_version(location)
        store = OxigraphStore(store=pyoxigraph.Store.read_only(str(pin.path)))
        _PINS[store] = pin
        return Dataset(store=store, default_union=True)
    _probe(location)
    return Dataset(store=_remote_store(location), default_union=True)


def _probe(query_url: str) -> None:
    """Ask the server ``ASK {}``: an unreachable or wrong URL is a :class:`StoreError` now, with the reason."""
    import urllib.parse  # noqa: PLC0415

    if urllib.parse.urlsplit(query_url).scheme not in ("http", "https"):
        raise StoreError(f"sparql:{query_url}: not an http(s) URL of a SPARQL query endpoint")
    request = urllib.request.Request(f"{query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}",
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read(1 << 16)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise StoreError(f"sparql:{query_url}: the SPARQL endpoint does not answer: {getattr(exc, 'reason', exc)}") from None


def _remote_store(query_url: str):
    """rdflib's SPARQLStore, with its one catch-all error (a ValueError) said as a :class:`StoreError`."""
    from rdflib.plugins.stores.sparqlstore import SPARQLStore  # noqa: PLC0415

    class RemoteStore(SPARQLStore):
        def query(self, *args, **kwargs):
            try:
                result = super().query(*args, **kwargs)
            except ValueError as exc:
                raise StoreError(f"sparql:{query_url}: the query failed on the server ({exc})") from None
            # rdflib's connector answers an HTTP error with the tuple (status, message, None) instead of
            # raising: read as rows, it gave ints where terms were expected (a crash far from the cause)
            if isinstance(result, tuple):
                raise StoreError(f"sparql:{query_url}: the server refused the query ({result[1]})")
            return result

    # POST (an HTML form, which every SPARQL 1.1 server takes): a GET puts the query in the URL, and
    # servers cap a request's headers (Oxigraph at 8 KB), which rdflib's prefixes and a long query exceed.
    return RemoteStore(query_url, returnFormat="json", method="POST_FORM")


#: The largest ``oxigraph:PATH`` store (in quads) that :func:`analysis_store` copies into
#: memory: about 1 GB of memory per million quads.
SNAPSHOT_LIMIT = 3_000_000

#: The version each store :func:`open_dataset` opened on disk is pinned by, for as long as the store lives
#: (so the stores in it are exactly those on disk).
_PINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


#: The most quads :func:`analysis_source` copies into memory as a projection of a store larger than
#: :data:`SNAPSHOT_LIMIT` (the quads of the predicates the analyses read): about 0.55 GB a million.
PROJECTION_LIMIT = 12_000_000


@dataclass(frozen=True)
class AnalysisSource:
    """Where the analyses' queries run (:func:`analysis_source`).

    ``store`` is a pyoxigraph Store. ``predicates`` is None when it holds every quad of the
    dataset; else it is a projection holding only those predicates' quads, and a query that
    reads any other predicate must run on ``full``, the dataset's own store."""

    store: Any
    predicates: frozenset[str] | None = None
    full: Any = None


def analysis_source(dataset, queries: Iterable[str] = ()) -> AnalysisSource | None:
    """The store the analyses query for an ``oxigraph:PATH`` dataset, None for other stores.

    The network analyses read most of the graph through a few dozen lookups
    per act; on disk each lookup is a RocksDB read (~10 µs), in memory it is
    ~2 µs. So a store of up to :data:`SNAPSHOT_LIMIT` quads is copied into an
    in-memory Oxigraph store (10^6 quads: ~7 s and ~0.7 GB), and the catalogue
    queries run there: the same engine and the same queries, so the same
    answers, in a sixth of the time (BENCHMARKS.md). Of a larger store only
    the quads of the predicates that the catalogue ``queries`` read are copied
    (a projection: at 16 million quads, with an OpenSanctions-sized import,
    about half, since the records' bookkeeping is no analysis's), if they are
    at most :data:`PROJECTION_LIMIT`; else the queries run on disk. Each call
    makes a new copy: call it once per analysis (:func:`kg.analysis.networks.read`
    does) and keep what it returns.
    """
    store = oxigraph_store(dataset)
    if store is None:
        return None
    if dataset.store not in _PINS:  # not opened on disk: an in-memory Oxigraph store already
        return AnalysisSource(store)
    size = len(store)
    if size <= SNAPSHOT_LIMIT:
        import pyoxigraph  # noqa: PLC0415

        log.info("copying the store into memory for the analyses (%d quads)", size)
        copy = pyoxigraph.Store()
        copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
        return AnalysisSource(copy)
    predicates = _predicates_read(queries)
    if predicates is None:
        log.info("querying the store on disk (%d quads, more than %d to copy into memory)", size, SNAPSHOT_LIMIT)
        return AnalysisSource(store)
    copy = _project(store, sorted(predicates), size)
    if copy is None:
        log.info("querying the store on disk (%d quads; the quads the analyses read are more than %d to copy "
                 "into memory)", size, PROJECTION_LIMIT)
        return AnalysisSource(store)
    return AnalysisSource(copy, predicates, store)


def analysis_store(dataset):
    """The pyoxigraph Store the analyses query for an ``oxigraph:PATH`` dataset (the whole store: copied into
    memory up to :data:`SNAPSHOT_LIMIT` quads, else on disk), None for other stores."""
    found = analysis_source(dataset)
    return None if found is None else found.store


def _predicates_read(queries: Iterable[str]) -> frozenset[str] | None:
    """Every predicate the catalogue queries of those names read; None if one may read any (or none is named)."""
    from kg.analysis.networks import _query_text  # noqa: PLC0415
    from kg.query import predicates_read  # noqa: PLC0415

    found: set[str] = set()
    for name in queries:
        read = predicates_read(_query_text(name))
        if read is None:
            return None
        found |= read
    return frozenset(found) if found else None


def _project(store, predicates: list[str], size: int):
    """The quads of ``predicates``, graphs kept, copied into an in-memory store; None (and the copy let go) as soon
    as they are more than :data:`PROJECTION_LIMIT`."""
    import pyoxigraph  # noqa: PLC0415

    from kg.progress import bar  # noqa: PLC0415

    log.info("copying the quads of the %d predicates the analyses read into memory (of the store's %d quads)",
             len(predicates), size)
    copy, total = pyoxigraph.Store(), 0
    for predicate in bar(predicates, desc="copying for the analyses", total=len(predicates), unit="predicate"):
        quads = store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None, None)
        while True:  # in slices, so that a projection over the limit stops near it
            part = list(itertools.islice(quads, 100_000))
            if not part:
                break
            total += len(part)
            if total > PROJECTION_LIMIT:
                return None
            copy.bulk_extend(part)
    log.info("copied %d quads for the analyses", total)
    return copy


#: The removal of each scratch copy made (:func:`scratch_copy`): done when the copy is collected, at exit, or
#: when the command that made it ends (:func:`released_pins`).
_SCRATCHES: list = []

#: The lock a scratch copy's owner holds (:func:`scratch_copy`); a copy whose lock is free was left by a killed run.
SCRATCH_LOCK = ".kg-scratch.lock"


def scratch_copy(dataset) -> Dataset:
    """A writable copy of an ``oxigraph:PATH`` dataset's pinned version, for a change only this command sees.

    The copy is a RocksDB checkpoint (hard links: instant and no extra space, whatever the
    store's size) in a folder beside the store (``.NAME.scratch-*``), or in the temporary
    folder if that one cannot be written (then RocksDB copies the files). It is removed when
    the returned dataset is collected or the process exits; a copy left by a killed process
    (its lock free) is removed by the next one made beside the same store.
    """
    import fcntl  # noqa: PLC0415

    import pyoxigraph  # noqa: PLC0415
    from oxrdflib import OxigraphStore  # noqa: PLC0415

    pin = _PINS.get(getattr(dataset, "store", None))
    store = oxigraph_store(dataset)
    if pin is None or store is None:
        raise StoreError("a scratch copy is made of an oxigraph:PATH store opened by open_dataset")
    location = pin.location
    prefix = f".{location.name}.scratch-"
    for old in location.parent.glob(f"{prefix}*"):
        _remove_if_unlocked(old)
    try:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=location.parent))
    except OSError:
        folder = Path(tempfile.mkdtemp(prefix=prefix.lstrip(".")))
    fd = os.open(folder / SCRATCH_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    copy = folder / "store"
    try:
        store.backup(str(copy))
        writable = OxigraphStore(store=pyoxigraph.Store(str(copy)))
    except BaseException:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _SCRATCHES.append(weakref.finalize(writable, _remove_scratch, folder, fd))
    log.info("working on a scratch copy of oxigraph:%s (%s)", location, folder)
    return Dataset(store=writable, default_union=True)


def _remove_scratch(folder: Path, fd: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    os.close(fd)


def _remove_if_unlocked(folder: Path) -> None:
    """Remove a scratch copy whose owner is gone (its lock can be taken)."""
    import fcntl  # noqa: PLC0415

    try:
        fd = os.open(folder / SCRATCH_LOCK, os.O_RDWR)
    except OSError:
        return  # being made (no lock yet), or not ours
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return
    shutil.rmtree(folder, ignore_errors=True)
    os.close(fd)


def oxigraph_store(dataset):
    """The pyoxigraph Store under an ``oxigraph:PATH`` dataset, or None for other stores."""
    inner = getattr(dataset, "store", None)
    if type(inner).__name__ == "OxigraphStore":
        return getattr(inner, "_store", None)  # oxrdflib keeps it there; it has no public accessor
    return None


def save_dataset(dataset: Dataset, spec: str, trig: bytes, *, wait: float | None = None) -> str:
    """Write a validated dataset into a store, all or nothing; return where it went.

    An Oxigraph store keeps the datasets ``kg import`` put there (``graph/dataset/NAME`` and
    ``graph/links/NAME``) that the build itself does not hold: they live only in the store.
    """
    kind, location = store_kind(spec)
    if kind == "oxigraph":
        return _load_oxigraph(trig, Path(location), source="the built graph", allow_empty=True, wait=wait,
                              keep_imports=True)
    if kind == "sparql":
        return _load_remote(trig, location)
    raise StoreError("the memory store is written by `kg build --out DIR`")


def load_oxigraph(trig_path: Path | str, location: Path | str, *, allow_empty: bool = False,
                  wait: float | None = None) -> str:
    """Bulk-load a TriG file into an Oxigraph store, all or nothing.

    A file that holds no facts (:data:`NO_FACTS`) is refused unless ``allow_empty``: it
    would replace the whole store.
    """
    return _load_oxigraph(_read_bytes(trig_path), Path(location), source=_name(trig_path), allow_empty=allow_empty,
                          wait=wait)


def _read_bytes(trig_path: Path | str) -> bytes:
    from kg.io import read_input  # noqa: PLC0415

    return read_input(trig_path)


def _name(trig_path: Path | str) -> str:
    """How an error names the file: ``<stdin>`` for ``-``."""
    from kg.io import is_stdin  # noqa: PLC0415

    return "<stdin>" if is_stdin(trig_path) else str(trig_path)


def _load_oxigraph(trig: bytes, location: Path, *, source: str, allow_empty: bool, wait: float | None,
                   keep_imports: bool = False) -> str:
    import pyoxigraph  # noqa: PLC0415

    def fill(version: Path) -> bool:
        store = pyoxigraph.Store(str(version))
        try:
            with reading(trig, "loading") as stream:
                store.bulk_load(stream, format=pyoxigraph.RdfFormat.TRIG)
        except (SyntaxError, ValueError) as exc:
            raise KgInputError(_parse_error(source, exc)) from None
        if not allow_empty:
            refuse_empty(store, source)
        if keep_imports:
            _carry_over_imports(location, store)
        store.flush()
        return True

    _swap_in(location, fill, wait)
    return f"oxigraph:{location}"


def _parse_error(source: str, exc: Exception) -> str:
    """Oxigraph's parse error as ``file:line:column: reason``."""
    message = re.sub(r"^Parser error (at|between) [^:]*: ", "", getattr(exc, "msg", None) or str(exc))
    line = getattr(exc, "lineno", None)
    where = f"{source}:{line}:{getattr(exc, 'offset', None)}" if line else source
    return f"{where}: cannot parse trig: {message}"


def _carry_over_imports(location: Path, store) -> None:
    """Copy the imported datasets and their links that the current store at ``location`` holds and
    ``store`` (a new version being filled) does not."""
    import pyoxigraph  # noqa: PLC0415

    from kg.namespace import GRAPH  # noqa: PLC0415

    if not location.is_symlink():
        return
    old = pyoxigraph.Store.read_only(str(location.resolve()))
    have = {g.value for g in store.named_graphs()}
    for graph in old.named_graphs():
        name = graph.value
        if name.startswith((f"{GRAPH}dataset/", f"{GRAPH}links/")) and name not in have:
            log.info("keeping %s from the store (imported there)", name)
            store.bulk_extend(old.quads_for_pattern(None, None, None, graph))


def _in_memory(trig_path: Path | str):
    """A TriG file's bytes, and the file parsed into an in-memory Oxigraph store (errors name the file and line)."""
    import pyoxigraph  # noqa: PLC0415

    data = _read_bytes(trig_path)
    memory = pyoxigraph.Store()
    try:
        with reading(data, f"reading {_name(trig_path)}") as stream:
            memory.bulk_load(stream, format=pyoxigraph.RdfFormat.TRIG)
    except (SyntaxError, ValueError) as exc:
        raise KgInputError(_parse_error(_name(trig_path), exc)) from None
    return data, memory


def load_checked(trig_path: Path | str, location: Path | str, check, then=None, *, allow_empty: bool = False,
                 wait: float | None = None) -> tuple[Dataset, bool]:
    """Load a TriG file into an Oxigraph store if ``check(dataset)`` accepts it, all or nothing.

    The file is read into an in-memory Oxigraph store (10^6 quads: 2.5 s)
    and ``check(dataset)`` runs on it with every core. Only if it returns
    True is the file bulk-loaded into a new version of the store on disk,
    in a second thread while ``then(dataset)`` (the analyses) runs in this
    one: Oxigraph loads without the GIL, so the load takes the core the
    analyses leave idle. The new version is swapped in when it is complete;
    if the check fails, the store on disk is not touched at all. Returns the
    in-memory dataset and whether it was accepted. A file without facts is
    refused (:data:`NO_FACTS`) unless ``allow_empty``.
    """
    import threading  # noqa: PLC0415

    from oxrdflib import OxigraphStore  # noqa: PLC0415

    trig_path, location = Path(trig_path), Path(location)
    if location.exists() and not location.is_symlink():
        raise StoreError(f"{location} exists and is not a store made by kg (a link to {location.name}.versions/)")
    data, memory = _in_memory(trig_path)
    if not allow_empty:
        refuse_empty(memory, _name(trig_path))
    dataset = Dataset(store=OxigraphStore(store=memory), default_union=True)
    if not check(dataset):
        return dataset, False
    failure: list[BaseException] = []

    def load() -> None:
        try:
            # parsed and checked already: it cannot fail to parse, nor be empty
            _load_oxigraph(data, location, source=_name(trig_path), allow_empty=True, wait=wait)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)

    loader = threading.Thread(target=load, name="oxigraph-load")
    loader.start()
    try:
        if then is not None:
            then(dataset)
    finally:
        log.info("waiting for the store on disk")
        loader.join()
    if failure:
        raise StoreError(f"cannot load {trig_path} into oxigraph:{location}: {failure[0]}") from failure[0]
    return dataset, True


def add_oxigraph(trig_path: Path | str, location: Path | str, check, *, allow_empty: bool = False,
                 wait: float | None = None) -> tuple[list[str], bool]:
    """Add (or replace) the named graphs of a TriG file in an Oxigraph store, if ``check`` accepts them.

    The current store is copied as a RocksDB checkpoint (hard links: instant
    whatever its size), the file's graphs replace theirs in the copy, and
    ``check(dataset, graph_iris)`` decides; only then is the copy swapped in.
    Returns the graph IRIs and whether they went in. Writers take turns
    (:func:`_swap_in`), and the copy is taken once this one's turn has come,
    so two additions at once both end up in the store. Graphs without facts
    (:data:`NO_FACTS`) are refused unless ``allow_empty``: they would empty
    the graphs they replace.
    """
    import pyoxigraph  # noqa: PLC0415
    from oxrdflib import OxigraphStore  # noqa: PLC0415

    location = Path(location)
    if not location.is_symlink():
        raise KgInputError(f"{location}: no Oxigraph store made by kg here; run `kg load FILE --store oxigraph:{location}`")
    _, incoming = _in_memory(trig_path)
    graphs = sorted(g.value for g in incoming.named_graphs())
    if not graphs:
        raise KgInputError(f"{_name(trig_path)}: no named graph to add (an article's triples go in a graph of their own)")
    if not allow_empty:
        refuse_empty(incoming, _name(trig_path))
    outcome = {}

    def fill(version: Path) -> bool:
        version.rmdir()  # a checkpoint is made into a folder that does not exist yet
        pyoxigraph.Store.read_only(str(location.resolve())).backup(str(version))
        store = pyoxigraph.Store(str(version))
        for iri in graphs:
            store.remove_graph(pyoxigraph.NamedNode(iri))
        store.bulk_extend(incoming.quads_for_pattern(None, None, None, None))
        store.flush()
        outcome["accepted"] = bool(check(Dataset(store=OxigraphStore(store=store), default_union=True), graphs))
        return outcome["accepted"]

    _swap_in(location, fill, wait)
    return graphs, outcome["accepted"]


def _swap_in(location: Path, fill, wait: float | None = None) -> None:
    """Fill a new version folder with ``fill(folder)``; if it returns True, make it the store in one rename.

    One writer at a time (:func:`_writer_turn`): it first reclaims what earlier
    writers left (:func:`_reclaim`), then fills its version, swaps it in and
    removes the version it replaced.
    """
    if location.exists() and not location.is_symlink():
        raise StoreError(f"{location} exists and is not a store made by kg (a link to {location.name}.versions/)")
    versions = location.parent / f"{location.name}.versions"
    try:
        versions.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store {location}: {exc.strerror or exc}") from None
    with _writer_turn(location, versions, wait):
        _reclaim(location, versions)
        version = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-"), dir=versions))
        try:
            if not fill(version):
                shutil.rmtree(version, ignore_errors=True)
                return
            os.chmod(version, new_file_mode(directory=True))  # mkdtemp's 0700 would lock out every other reader
            link = location.parent / f".{location.name}.link-{os.getpid()}"
            link.unlink(missing_ok=True)
            link.symlink_to(version.relative_to(location.parent))
            old = os.readlink(location) if location.is_symlink() else None
            os.replace(link, location)  # the one atomic step: readers see the old or the new store
        except BaseException:
            shutil.rmtree(version, ignore_errors=True)
            raise
        if old:
            _collect(location.parent / old)


@contextmanager
def _writer_turn(location: Path, versions: Path, wait: float | None):
    """Hold the store's writer lock (an ``flock`` on :data:`WRITER_LOCK`) while the block runs.

    Another writer holding it is waited for up to ``wait`` seconds, then this one
    refuses with :class:`StoreError`: two writers at once would each copy or
    replace the same version, and one's work would be lost without a word. The
    kernel drops the lock when its holder exits, however it exits, so a killed
    writer never blocks the next.
    """
    import fcntl  # noqa: PLC0415 - POSIX only, like the symlink swap

    wait = DEFAULT_WAIT if wait is None else wait
    path = versions / WRITER_LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise StoreError(f"cannot lock the store {location} for writing: {path}: {exc.strerror or exc}") from None
    try:
        deadline, told = time.monotonic() + max(wait, 0.0), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _lock_holder(fd)
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"oxigraph:{location} is being written by another kg process{holder}; gave up after "
                        f"{wait:g} s: try again when it has finished, or wait longer (--wait SECONDS)"
                    ) from None
                if not told:
                    log.info("waiting up to %g s for another kg process%s writing oxigraph:%s", wait, holder, location)
                    told = True
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


def _reclaim(location: Path, versions: Path) -> None:
    """Remove what killed writers left: versions that are not the store's, and half-made links.

    Called by the writer holding the lock, so nothing else is filling a version. A
    version that is not the store's is a killed load's, or a superseded one: either is
    removed unless a reader still holds it (:func:`_collect`; a serving process does, until
    it moves to the new version). ``.removed-*`` folders are collections that were killed
    half-way.
    """
    # both sides absolute: with a relative store path (`oxigraph:out/store`) the folder's entries are
    # relative, and the store's own version, never equal to its resolved path, was removed as left over
    current = location.resolve() if location.is_symlink() else None
    versions = versions.resolve()
    for link in location.parent.glob(f".{location.name}.link-*"):
        if link.is_symlink():
            link.unlink(missing_ok=True)
    freed, count = 0, 0
    for entry in versions.iterdir():
        if entry.name == WRITER_LOCK or entry == current or not entry.is_dir() or entry.is_symlink():
            continue
        size = sum(f.stat().st_size for f in entry.rglob("*") if f.is_file() and not f.is_symlink())
        if entry.name.startswith(".removed-"):
            shutil.rmtree(entry, ignore_errors=True)
        elif not _collect(entry):
            continue
        freed, count = freed + size, count + 1
    if count:
        log.info("reclaimed %d version(s) of oxigraph:%s left by interrupted or superseded loads (%.1f MB)",
                 count, location, freed / 1e6)


#: What a dataset without facts is: said by the refusals and the README.
NO_FACTS = ("it holds no facts: no triple outside the ontology graph but articles' own description, quotes, "
            "and the records of which file each graph came from")


def holds_facts(data) -> bool:
    """Whether a dataset (rdflib, or a pyoxigraph Store) holds a fact: a triple outside the ontology graph
    whose subject is not an article nor a quote (``kg:Evidence``), and that is not a graph's ``kg:sourceFile``
    record (:data:`NO_FACTS`).

    Stops at the first fact, so a full store answers at once.

    Examples
    --------
    >>> from rdflib import Dataset, URIRef
    >>> ds = Dataset()
    >>> holds_facts(ds)
    False
    >>> _ = ds.graph(URIRef("urn:g")).add((URIRef("urn:a"), URIRef("urn:p"), URIRef("urn:b")))
    >>> holds_facts(ds)
    True
    """
    from rdflib import RDF  # noqa: PLC0415

    from kg.namespace import KG, ONTOLOGY_GRAPH  # noqa: PLC0415

    store = data if type(data).__name__ == "Store" else oxigraph_store(data)
    if store is not None:
        import pyoxigraph  # noqa: PLC0415

        ontology, source = pyoxigraph.NamedNode(str(ONTOLOGY_GRAPH)), pyoxigraph.NamedNode(str(KG.sourceFile))
        a = pyoxigraph.NamedNode(str(RDF.type))
        kinds = [pyoxigraph.NamedNode(str(kind)) for kind in (KG.NewsArticle, KG.Evidence)]
        for quad in store.quads_for_pattern(None, None, None, None):
            if quad.graph_name == ontology or quad.predicate == source:
                continue
            if not any(next(iter(store.quads_for_pattern(quad.subject, a, kind, None)), None) for kind in kinds):
                return True
        return False
    if any(c.__name__ == "SPARQLStore" for c in type(getattr(data, "store", None)).__mro__):
        from rdflib import Variable  # noqa: PLC0415

        from kg.query import with_values  # noqa: PLC0415 - a server joins trailing VALUES after the FILTERs

        # SELECT … LIMIT 1, not ASK: Virtuoso answers ASK as a one-column SELECT (__ASK_RETVAL)
        ask = with_values(
            "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != ?ontology && ?p != ?source) "
            "FILTER NOT EXISTS { ?s a ?article } FILTER NOT EXISTS { ?s a ?evidence } } LIMIT 1",
            {Variable("ontology"): ONTOLOGY_GRAPH, Variable("source"): KG.sourceFile,
             Variable("article"): KG.NewsArticle, Variable("evidence"): KG.Evidence},
        )
        return any(True for _ in data.query(ask))
    articles = set(data.subjects(RDF.type, KG.NewsArticle)) | set(data.subjects(RDF.type, KG.Evidence))
    for s, p, _, graph in data.quads((None, None, None, None)):
        name = getattr(graph, "identifier", graph)
        if name != ONTOLOGY_GRAPH and p != KG.sourceFile and s not in articles:
            return True
    return False


def refuse_empty(data, source: str) -> None:
    """A :class:`~kg.io.KgInputError` naming ``source`` if ``data`` holds no facts (see :func:`holds_facts`)."""
    if not holds_facts(data):
        raise KgInputError(f"{source}: {NO_FACTS}; give --allow-empty if that is what you mean")


#: The file in each store version that its readers hold a shared lock on (:func:`pin_version`).
READERS_LOCK = ".kg-readers.lock"


class PinnedVersion:
    """A store version that a reader holds: no load removes it until :meth:`release`.

    The pin is a shared ``flock`` on the version's :data:`READERS_LOCK`; the
    collector removes a superseded version only if it can take that lock
    exclusively without waiting. The kernel drops the lock when the reader
    exits, however it exits, so a killed reader pins nothing.
    """

    def __init__(self, location: Path, path: Path, fd: int):
        self.location, self.path, self._fd = location, path, fd
        self._finalizer = weakref.finalize(self, os.close, fd)

    def current(self) -> bool:
        """Whether the store's link still points to this version."""
        try:
            return self.location.resolve(strict=True) == self.path
        except OSError:
            return False

    def release(self) -> None:
        """Let go of the version, and remove it if it was superseded and nobody else holds it."""
        if self._finalizer.alive:
            self._finalizer()
            if not self.current():
                _collect(self.path)


@contextlib.contextmanager
def released_pins():
    """Release, on leaving, the versions pinned by the stores opened inside.

    A command's stores die with it, but an object can outlive its last use until the garbage
    collector finds it, and its pin with it: a ``kg load`` run in the same process right after a
    ``kg validate`` (the library's callers, the tests) then found the old version still read and
    left it on disk. Pins held before entering (a caller's own open stores) are left alone. Scratch
    copies made inside (:func:`scratch_copy`) are removed too."""
    before = {id(pin) for pin in list(_PINS.values())}
    scratches = len(_SCRATCHES)
    try:
        yield
    finally:
        for pin in list(_PINS.values()):
            if id(pin) not in before:
                pin.release()
        for remove in _SCRATCHES[scratches:]:
            remove()
        del _SCRATCHES[scratches:]


def pin_version(location: Path | str) -> PinnedVersion:
    """Resolve the store's link and hold that version (see :class:`PinnedVersion`)."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the symlink swap

    location = Path(location)
    for _ in range(20):  # a load swapped the link between our resolve and our lock: resolve again
        try:
            path = location.resolve(strict=True)
            fd = os.open(path / READERS_LOCK, os.O_RDONLY | os.O_CREAT, 0o644)
        except OSError as exc:
            if location.is_symlink():
                continue
            raise StoreError(f"{location}: cannot open the store: {exc.strerror}") from exc
        fcntl.flock(fd, fcntl.LOCK_SH)
        try:
            same = os.stat(path / READERS_LOCK).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            return PinnedVersion(location, path, fd)
        os.close(fd)  # the version was collected while we waited for the lock
    raise StoreError(f"{location}: the store kept changing while it was being opened")


def _collect(version: Path) -> bool:
    """Remove a superseded version unless a reader holds it; True if it was removed."""
    import fcntl  # noqa: PLC0415

    try:
        fd = os.open(version / READERS_LOCK, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s is still read by another process; it is removed when released", version)
            return False
        # Moved aside under the lock, so a reader that opened the lock file meanwhile finds it gone.
        doomed = version.parent / f".removed-{version.name}"
        try:
            os.replace(version, doomed)
        except OSError:
            return False
    finally:
        os.close(fd)
    shutil.rmtree(doomed, ignore_errors=True)
    return True


def _update_url(query_url: str) -> str:
    explicit = os.environ.get("KG_SPARQL_UPDATE")
    if explicit:
        return explicit
    updated = re.sub(r"/(query|sparql)/?$", "/update", query_url)
    if updated == query_url:
        raise StoreError(f"cannot guess the update endpoint of {query_url}; set KG_SPARQL_UPDATE")
    return updated


def load_remote(trig_path: Path | str, query_url: str, *, allow_empty: bool = False, bulk: bool = True) -> str:
    """Load a TriG file into a remote SPARQL server: each of its named graphs replaces the server's graph of
    that name (the server's other graphs are left). See :func:`_load_remote`; ``bulk=False`` is the plain path,
    one SPARQL Update request, which the benchmarks measure beside it."""
    trig, memory = _in_memory(trig_path)  # read once: trig_path may be standard input
    if not allow_empty:
        refuse_empty(memory, _name(trig_path))
    return _load_remote(trig, query_url, memory=memory, bulk=bulk)


def _server(query_url: str) -> str:
    """Which server answers at ``query_url``: ``oxigraph``, ``virtuoso`` or ``""`` (another), by its Server header."""
    import urllib.parse  # noqa: PLC0415

    request = urllib.request.Request(f"{query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}",
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read(1 << 16)
            server = response.headers.get("Server", "").lower()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise StoreError(f"sparql:{query_url}: the SPARQL endpoint does not answer: {getattr(exc, 'reason', exc)}") from None
    return next((name for name in ("oxigraph", "virtuoso") if name in server), "")


def _send(url: str, body: bytes, content_type: str, method: str = "POST") -> None:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=3600) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read(500).decode("utf-8", "replace").strip().splitlines()
        raise StoreError(f"{url}: the server refused the load: {exc.code} {exc.reason}"
                         + (f": {detail[0]}" if detail else "")) from None
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"{url}: the load failed: {getattr(exc, 'reason', exc)}") from None


def _load_remote(trig: bytes, query_url: str, *, memory=None, bulk: bool = True) -> str:
    """Replace the server's named graphs that the TriG holds by the TriG's, through the server's bulk path.

    Oxigraph server
        the graphs dropped in one SPARQL Update, then the whole TriG in one ``POST /store``
        (Oxigraph's own loader), or the Graph Store URL in ``KG_SPARQL_GRAPH_STORE``.
    Virtuoso
        one ``PUT /sparql-graph-crud?graph=G`` per graph (the SPARQL 1.1 Graph Store HTTP Protocol,
        which Virtuoso parses in bulk). Virtuoso has no default graph to write to (its default graph is
        the union of all graphs), so the default graph's triples (which file each graph came from) go
        into the named graph ``…/graph/sources``.
        Writing needs the SPARQL_UPDATE role for the endpoint's user.
    Others (and ``bulk=False``, the plain path the benchmarks measure)
        one SPARQL Update request: each graph dropped and inserted again, to ``…/update`` or
        ``KG_SPARQL_UPDATE``.
    """
    import pyoxigraph  # noqa: PLC0415

    if memory is None:
        memory = pyoxigraph.Store()
        memory.bulk_load(trig, format=pyoxigraph.RdfFormat.TRIG)
    graphs = sorted(g.value for g in memory.named_graphs())
    server = _server(query_url)
    if not bulk:
        _send(_update_url(query_url), _update_text(memory, graphs, server), "application/sparql-update")
    elif server == "oxigraph":
        store_url = os.environ.get("KG_SPARQL_GRAPH_STORE") or re.sub(r"/query/?$", "/store", query_url)
        if graphs:
            _send(_update_url(query_url), " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs).encode("utf-8"),
                  "application/sparql-update")
        _send(store_url, trig, "application/trig")
    elif server == "virtuoso":
        import urllib.parse  # noqa: PLC0415

        store_url = os.environ.get("KG_SPARQL_GRAPH_STORE") or re.sub(r"/sparql/?$", "/sparql-graph-crud", query_url)
        from kg.namespace import GRAPH  # noqa: PLC0415

        parts = [(g, memory.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(g)))
                 for g in graphs]
        default = memory.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph())
        if default:
            parts.append((str(GRAPH.sources), default))
        for g, body in parts:
            _send(f"{store_url}?{urllib.parse.urlencode({'graph': g})}", body or b"", "application/n-triples", "PUT")
    else:
        _send(_update_url(query_url), _update_text(memory, graphs, server), "application/sparql-update")
    return f"sparql:{query_url}"


def _update_text(memory, graphs: list[str], server: str = "") -> bytes:
    """One SPARQL Update: each named graph dropped and inserted again, the default graph's triples inserted
    (on Virtuoso, which has no default graph to write to, into ``…/graph/sources``)."""
    import pyoxigraph  # noqa: PLC0415

    from kg.namespace import GRAPH  # noqa: PLC0415

    def triples(graph) -> str:
        return (memory.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=graph) or b"").decode("utf-8")

    default = triples(pyoxigraph.DefaultGraph())
    operations = [f"DROP SILENT GRAPH <{GRAPH.sources}> ;\nINSERT DATA {{ GRAPH <{GRAPH.sources}> {{ {default} }} }}"
                  if server == "virtuoso" else f"INSERT DATA {{ {default} }}"]
    operations += [f"DROP SILENT GRAPH <{g}> ;\nINSERT DATA {{ GRAPH <{g}> {{ {triples(pyoxigraph.NamedNode(g))} }} }}"
                   for g in graphs]
    return " ;\n".join(operations).encode("utf-8")
