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
    A remote SPARQL 1.1 server (Oxigraph server, Fuseki, GraphDB, Virtuoso):
    ``URL`` is its query endpoint. Loading sends one SPARQL Update request
    (``DROP SILENT GRAPH`` and ``INSERT DATA`` per named graph) to the update
    endpoint (``URL`` with ``/query`` or ``/sparql`` replaced by ``/update``, or
    ``KG_SPARQL_UPDATE``). The server must give the union of the named graphs
    as default graph (Oxigraph: ``--union-default-graph``).

All three give an rdflib ``Dataset``, so queries, analyses and exports run
unchanged on any of them.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import weakref
from pathlib import Path

from rdflib import Dataset

from kg.io import KgInputError, read_dataset
from kg.progress import reading

__all__ = [
    "DEFAULT_STORE", "PinnedVersion", "StoreError", "add_oxigraph", "analysis_store", "load_checked", "open_dataset",
    "oxigraph_store", "pin_version", "save_dataset", "store_kind",
]

log = logging.getLogger(__name__)

DEFAULT_STORE = "memory"
KINDS = ("memory", "oxigraph", "sparql")


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
    from rdflib.plugins.stores.sparqlstore import SPARQLStore  # noqa: PLC0415

    # POST (an HTML form, which every SPARQL 1.1 server takes): a GET puts the query in the URL, and
    # servers cap a request's headers (Oxigraph at 8 KB), which rdflib's prefixes and a long query exceed.
    return Dataset(store=SPARQLStore(location, returnFormat="json", method="POST_FORM"), default_union=True)


#: The largest ``oxigraph:PATH`` store (in quads) that :func:`analysis_store` copies into
#: memory: about 1 GB of memory per million quads.
SNAPSHOT_LIMIT = 3_000_000

#: The version each store :func:`open_dataset` opened on disk is pinned by, for as long as the store lives
#: (so the stores in it are exactly those on disk).
_PINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def analysis_store(dataset):
    """The pyoxigraph Store the analyses query for an ``oxigraph:PATH`` dataset, None for other stores.

    The network analyses read most of the graph through a few dozen lookups
    per act; on disk each lookup is a RocksDB read (~10 µs), in memory it is
    ~2 µs. So a store of up to :data:`SNAPSHOT_LIMIT` quads is copied into an
    in-memory Oxigraph store (10^6 quads: ~7 s and ~0.7 GB), and the catalogue
    queries run there: the same engine and the same queries, so the same
    answers, in a sixth of the time (BENCHMARKS.md). Larger stores are queried
    on disk. Each call makes a new copy: call it once per analysis
    (:func:`kg.analysis.networks.read` does) and keep what it returns.
    """
    store = oxigraph_store(dataset)
    if store is None:
        return None
    if dataset.store not in _PINS:  # not opened on disk: an in-memory Oxigraph store already
        return store
    size = len(store)
    if size > SNAPSHOT_LIMIT:
        log.info("querying the store on disk (%d quads, more than %d to copy into memory)", size, SNAPSHOT_LIMIT)
        return store
    import pyoxigraph  # noqa: PLC0415

    log.info("copying the store into memory for the analyses (%d quads)", size)
    copy = pyoxigraph.Store()
    copy.bulk_extend(store.quads_for_pattern(None, None, None, None))
    return copy


def oxigraph_store(dataset):
    """The pyoxigraph Store under an ``oxigraph:PATH`` dataset, or None for other stores."""
    inner = getattr(dataset, "store", None)
    if type(inner).__name__ == "OxigraphStore":
        return getattr(inner, "_store", None)  # oxrdflib keeps it there; it has no public accessor
    return None


def save_dataset(dataset: Dataset, spec: str, trig: bytes) -> str:
    """Write a validated dataset into a store, all or nothing; return where it went.

    An Oxigraph store keeps the datasets ``kg import`` put there (``graph/dataset/NAME`` and
    ``graph/links/NAME``) that the build itself does not hold: they live only in the store.
    """
    kind, location = store_kind(spec)
    if kind == "oxigraph":
        return _load_oxigraph(trig, Path(location), keep_imports=True)
    if kind == "sparql":
        return _load_remote(dataset, location)
    raise StoreError("the memory store is written by `kg build --out DIR`")


def load_oxigraph(trig_path: Path | str, location: Path | str) -> str:
    """Bulk-load a TriG file into an Oxigraph store, all or nothing."""
    return _load_oxigraph(_read_bytes(trig_path), Path(location))


def _read_bytes(trig_path: Path | str) -> bytes:
    from kg.io import read_input  # noqa: PLC0415

    return read_input(trig_path)


def _load_oxigraph(trig: bytes, location: Path, keep_imports: bool = False) -> str:
    import pyoxigraph  # noqa: PLC0415

    def fill(version: Path) -> bool:
        store = pyoxigraph.Store(str(version))
        try:
            with reading(trig, "loading") as source:
                store.bulk_load(source, format=pyoxigraph.RdfFormat.TRIG)
        except (SyntaxError, ValueError) as exc:
            raise KgInputError(f"cannot load into Oxigraph: {exc}") from exc
        if keep_imports:
            _carry_over_imports(location, store)
        store.flush()
        return True

    _swap_in(location, fill)
    return f"oxigraph:{location}"


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
        with reading(data, f"reading {trig_path}") as source:
            memory.bulk_load(source, format=pyoxigraph.RdfFormat.TRIG)
    except (SyntaxError, ValueError) as exc:
        raise KgInputError(f"{trig_path}: {exc}") from exc
    return data, memory


def load_checked(trig_path: Path | str, location: Path | str, check, then=None) -> tuple[Dataset, bool]:
    """Load a TriG file into an Oxigraph store if ``check(dataset)`` accepts it, all or nothing.

    The file is read into an in-memory Oxigraph store (10^6 quads: 2.5 s)
    and ``check(dataset)`` runs on it with every core. Only if it returns
    True is the file bulk-loaded into a new version of the store on disk,
    in a second thread while ``then(dataset)`` (the analyses) runs in this
    one: Oxigraph loads without the GIL, so the load takes the core the
    analyses leave idle. The new version is swapped in when it is complete;
    if the check fails, the store on disk is not touched at all. Returns the
    in-memory dataset and whether it was accepted.
    """
    import threading  # noqa: PLC0415

    from oxrdflib import OxigraphStore  # noqa: PLC0415

    trig_path, location = Path(trig_path), Path(location)
    if location.exists() and not location.is_symlink():
        raise StoreError(f"{location} exists and is not a store made by kg (a link to {location.name}.versions/)")
    data, memory = _in_memory(trig_path)
    dataset = Dataset(store=OxigraphStore(store=memory), default_union=True)
    if not check(dataset):
        return dataset, False
    failure: list[BaseException] = []

    def load() -> None:
        try:
            _load_oxigraph(data, location)  # parsed once already: it cannot fail to parse
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


def add_oxigraph(trig_path: Path | str, location: Path | str, check) -> tuple[list[str], bool]:
    """Add (or replace) the named graphs of a TriG file in an Oxigraph store, if ``check`` accepts them.

    The current store is copied as a RocksDB checkpoint (hard links: instant
    whatever its size), the file's graphs replace theirs in the copy, and
    ``check(dataset, graph_iris)`` decides; only then is the copy swapped in.
    Returns the graph IRIs and whether they went in.
    """
    import pyoxigraph  # noqa: PLC0415
    from oxrdflib import OxigraphStore  # noqa: PLC0415

    location = Path(location)
    if not location.is_symlink():
        raise KgInputError(f"{location}: no Oxigraph store made by kg here; run `kg load FILE --store oxigraph:{location}`")
    _, incoming = _in_memory(trig_path)
    graphs = sorted(g.value for g in incoming.named_graphs())
    if not graphs:
        raise KgInputError(f"{trig_path}: no named graph to add (an article's triples go in a graph of their own)")
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

    _swap_in(location, fill)
    return graphs, outcome["accepted"]


def _swap_in(location: Path, fill) -> None:
    """Fill a new version folder with ``fill(folder)``; if it returns True, make it the store in one rename."""
    if location.exists() and not location.is_symlink():
        raise StoreError(f"{location} exists and is not a store made by kg (a link to {location.name}.versions/)")
    versions = location.parent / f"{location.name}.versions"
    versions.mkdir(parents=True, exist_ok=True)
    version = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-"), dir=versions))
    try:
        if not fill(version):
            shutil.rmtree(version, ignore_errors=True)
            return
        (version / READERS_LOCK).touch()
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


def _load_remote(dataset: Dataset, query_url: str) -> str:
    """One SPARQL Update request: each named graph dropped and inserted again."""
    operations = []
    for graph in sorted(dataset.graphs(), key=lambda g: str(g.identifier)):
        triples = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
        name = graph.identifier
        if str(name).startswith("urn:x-rdflib:"):
            operations.append(f"INSERT DATA {{ {triples} }}")
        else:
            operations.append(f"DROP SILENT GRAPH <{name}> ;\nINSERT DATA {{ GRAPH <{name}> {{ {triples} }} }}")
    body = " ;\n".join(operations).encode("utf-8")
    url = _update_url(query_url)
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/sparql-update"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise StoreError(f"{url}: the update failed: {exc}") from exc
    return f"sparql:{query_url}"
