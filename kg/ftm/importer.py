"""``kg import``: a FollowTheMoney export into one named graph per dataset, all or nothing.

:func:`import_ftm` reads a JSON-lines file of FtM entities (an OpenSanctions
``entities.ftm.json``) through ``followthemoney``'s model, maps it with
:class:`kg.ftm.mapper.Mapper`, links the entities to the articles' actors
(:mod:`kg.ftm.matcher`) and writes:

- the dataset's graph ``graph/dataset/<name>``: for the memory store the file
  ``data/imports/<name>.ttl`` (``kg build`` reads it), for ``oxigraph:PATH``
  the graph in the store, replaced in a new store version swapped in only
  when complete;
- the links ``data/links/<name>.ttl`` (``kg review`` lists the unconfirmed ones;
  build asserts the confirmed ones), and for a store also its ``graph/links/<name>``.

A malformed line refuses the whole file (nothing is written) unless
``skip_bad``; either way its line number is reported. Re-importing replaces
the graph and reports the records added, changed (a different
``kg:recordDigest``) and removed.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from kg.ftm.mapper import Mapper, Tally
from kg.ftm.rules import Rules, default_rules_path
from kg.io import KgInputError, atomic_write
from kg.namespace import KG, PREFIXES, dataset_graph, links_graph

__all__ = ["ImportResult", "import_ftm", "read_entities", "dataset_name"]

log = logging.getLogger(__name__)

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass
class ImportResult:
    """What one import did: counts (:class:`Tally`), triples, record changes, links, where it went."""

    dataset: str
    source: str
    target: str = ""
    tally: Tally = field(default_factory=Tally)
    triples: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    links: dict[str, int] = field(default_factory=dict)
    links_file: str = ""
    seconds: float = 0.0


def dataset_name(name: str | None, path: Path) -> str:
    """The dataset's name: given, else the file name before its first dot (``us_ofac_sdn.ftm.json``)."""
    name = name or path.name.split(".", 1)[0]
    if not _NAME.fullmatch(name):
        raise KgInputError(f"dataset name {name!r}: use letters, digits, '.', '_' and '-' (it becomes an IRI)")
    return name


def read_entities(path: Path, tally: Tally, skip_bad: bool = False,
                  want: Callable[[object], bool] | None = None) -> Iterator[tuple[dict, object]]:
    """Each line's JSON object and its followthemoney proxy.

    A line that is not a JSON object with ``id`` and ``schema`` raises
    :class:`KgInputError` naming the file and line, or with ``skip_bad`` is
    counted in ``tally.bad_lines``. A schema the model does not know is counted
    and skipped; properties the schema does not have are counted and removed
    before the proxy is made (followthemoney would refuse the entity). With ``want``, only the
    entities whose schema it accepts are made into proxies (the others are read and passed over).
    """
    from followthemoney import model  # noqa: PLC0415
    from followthemoney.exc import InvalidData  # noqa: PLC0415

    try:
        handle = path.open("rb")
    except OSError as exc:
        raise KgInputError(f"{path}: cannot read: {exc.strerror}") from exc
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            tally.lines += 1
            try:
                data = json.loads(raw)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                if not isinstance(data.get("id"), str) or not data["id"] or not isinstance(data.get("schema"), str):
                    raise ValueError("an entity needs a string 'id' and 'schema'")
                properties = data.get("properties") or {}
                if not isinstance(properties, dict) or not all(
                    isinstance(v, list) and all(isinstance(x, str) for x in v) for v in properties.values()
                ):
                    raise ValueError("'properties' must map each property to a list of strings")
                datasets = data.get("datasets")
                if datasets is not None and not (isinstance(datasets, list) and all(isinstance(d, str) for d in datasets)):
                    raise ValueError("'datasets' must be a list of dataset names")
            except RecursionError:  # JSON nested deeper than Python's parser goes: no entity either
                exc = ValueError("JSON nested too deep")
                message = f"{path}:{number}: not a FollowTheMoney entity: {exc}"
                if not skip_bad:
                    raise KgInputError(message + " (nothing was written; --skip-bad skips such lines)") from None
                tally.bad_lines.append((number, str(exc)))
                continue
            except (ValueError, UnicodeDecodeError) as exc:
                message = f"{path}:{number}: not a FollowTheMoney entity: {exc}"
                if not skip_bad:
                    raise KgInputError(message + " (nothing was written; --skip-bad skips such lines)") from exc
                tally.bad_lines.append((number, str(exc)))
                continue
            schema = model.get(data["schema"])
            if schema is None:
                tally.unknown_schemata[data["schema"]] += 1
                continue
            if want is not None and not want(schema):
                continue
            unknown = [p for p in properties if p not in schema.properties]
            for prop in unknown:
                tally.unknown_properties[f"{schema.name}:{prop}"] += 1
            if unknown:
                data = {**data, "properties": {k: v for k, v in properties.items() if k not in unknown}}
            try:
                proxy = model.get_proxy(data, cleaned=True)
            except InvalidData as exc:
                message = f"{path}:{number}: followthemoney refuses the entity: {exc}"
                if not skip_bad:
                    raise KgInputError(message + " (nothing was written; --skip-bad skips such lines)") from exc
                tally.bad_lines.append((number, str(exc)))
                continue
            yield data, proxy


def _quads(path: Path, mapper: Mapper, graph: ox.NamedNode, skip_bad: bool, on_entity: Callable | None,
           counter: list[int], progress: Callable[[int], None] | None) -> Iterator[ox.Quad]:
    for data, proxy in read_entities(path, mapper.tally, skip_bad):
        if on_entity is not None:
            on_entity(proxy)
        for s, p, o in mapper.entity(data, proxy):
            counter[0] += 1
            yield ox.Quad(s, p, o, graph)
        if progress is not None and mapper.tally.lines % 100_000 == 0:
            progress(mapper.tally.lines)
    for s, p, o in mapper.finish():
        counter[0] += 1
        yield ox.Quad(s, p, o, graph)


_DIGESTS = """
PREFIX kg: <https://w3id.org/sanctions-kg/ontology#>
SELECT ?g ?id ?digest WHERE { GRAPH ?g { ?ev kg:recordId ?id ; kg:recordDigest ?digest } }
"""


def _digests(store: ox.Store, graph: ox.NamedNode) -> dict[str, str]:
    result = store.query(_DIGESTS, substitutions={ox.Variable("g"): graph})
    return {row[1].value: row[2].value for row in result}


def _diff(old: dict[str, str], new: dict[str, str], result: ImportResult) -> None:
    result.added = sum(1 for k in new if k not in old)
    result.removed = sum(1 for k in old if k not in new)
    result.changed = sum(1 for k, v in new.items() if k in old and old[k] != v)


def import_ftm(
    path: Path | str,
    dataset: str | None = None,
    store: str = "memory",
    data_dir: Path | str | None = None,
    skip_bad: bool = False,
    link: bool = True,
    rules: Rules | None = None,
    rules_dir: Path | str | None = None,
    progress: Callable[[int], None] | None = None,
    wait: float | None = None,
    actors: list | None = None,
) -> ImportResult:
    """Import a FollowTheMoney JSON-lines file; see the module docstring.

    ``actors`` (:class:`kg.ftm.matcher.ArticleActor`) are the actors to link to, when the
    caller has them (:mod:`kg.synth`); by default those of the store or of ``data_dir``.

    Raises :class:`KgInputError` (nothing written) for an unreadable file, a
    malformed line without ``skip_bad``, or a file with no entity we map.
    """
    from kg import paths  # noqa: PLC0415
    from kg.store import StoreError, store_kind  # noqa: PLC0415

    started = time.monotonic()
    path = Path(path)
    name = dataset_name(dataset, path)
    data_dir = Path(data_dir) if data_dir else paths.data_dir()
    rules = rules or Rules.load(default_rules_path(rules_dir))
    result = ImportResult(dataset=name, source=str(path))
    mapper = Mapper(name, rules, result.tally)
    graph = ox.NamedNode(str(dataset_graph(name)))
    kind, location = store_kind(store)
    if kind == "sparql":
        raise StoreError("kg import writes the memory store (data/imports/) or an oxigraph:PATH store")

    matcher = None
    if link:
        from kg.ftm.matcher import Matcher, article_actors  # noqa: PLC0415

        if actors is None:
            actors = article_actors(store, data_dir)
        log.info("linking against %d article actors", len(actors))
        matcher = Matcher(actors, rules)
    background = _BackgroundMatch.start(path, matcher) if matcher is not None and actors else None
    on_entity = matcher.consider if matcher is not None and background is None else None
    counter = [0]

    def quads() -> Iterator[ox.Quad]:
        return _quads(path, mapper, graph, skip_bad, on_entity, counter, progress)

    try:
        if kind == "oxigraph":
            result.target = _into_oxigraph(Path(location), graph, quads, result, name, matcher, data_dir, wait,
                                           mapper, background)
        else:
            result.target = _into_file(data_dir, graph, quads, result, name, matcher, mapper, background)
    finally:
        if background is not None:
            background.stop()
    result.triples = counter[0]
    result.seconds = time.monotonic() - started
    return result


def _check_mapped(result: ImportResult) -> None:
    if not sum(result.tally.mapped.values()):
        raise KgInputError(
            f"{result.source}: no entity that kg maps (people, organisations, sanctions, posts) "
            f"in {result.tally.lines} line(s); nothing was written"
        )


def _into_file(data_dir: Path, graph: ox.NamedNode, quads, result: ImportResult, name: str, matcher,
               mapper: Mapper, background: _BackgroundMatch | None = None) -> str:
    """The memory store: the dataset's graph as ``data/imports/<name>.ttl``, written only when complete."""
    target = data_dir / "imports" / f"{name}.ttl"
    memory = ox.Store()
    memory.bulk_extend(quads())
    _check_mapped(result)
    old = ox.Store()
    if target.exists():
        try:
            old.bulk_load(path=str(target), format=ox.RdfFormat.TURTLE, to_graph=graph)
        except (SyntaxError, ValueError, OSError) as exc:
            raise KgInputError(f"{target}: the previous import cannot be read: {exc}") from exc
    _diff(_digests(old, graph), mapper.digests, result)
    body = _turtle(memory.quads_for_pattern(None, None, None, graph), name, result.source)
    if background is not None:
        background.into(matcher)
    if matcher is not None:
        _write_links(data_dir, name, matcher, result)
    atomic_write(target, body)
    return str(target)


def _turtle(quads: Iterable[ox.Quad], name: str, source: str) -> bytes:
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in quads), key=str)
    header = (
        f"# The dataset {name!r} as kg import read it from {Path(source).name}; replaced by every re-import.\n"
        "# Do not edit: change rules/ftm-mapping.yaml (or --rules DIR) or the source and import again.\n"
    )
    return header.encode("utf-8") + ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _into_oxigraph(location: Path, graph: ox.NamedNode, quads, result: ImportResult, name: str, matcher,
                   data_dir: Path, wait: float | None, mapper: Mapper,
                   background: _BackgroundMatch | None = None) -> str:
    """A new store version with the dataset's graphs replaced, swapped in only when complete.

    A first import starts from a checkpoint of the current version (hard links, nothing copied) and
    bulk-loads the dataset into it. A re-import does not delete the old dataset's quads from such a
    copy: Oxigraph deletes a graph quad by quad in one transaction held in memory (1.5 million quads:
    108 s of CPU and 2.2 GB; ten times that at 10^6 records). It bulk-loads into an empty version
    everything of the current one but the dataset's two graphs, then the new import: its cost is that
    of the rest of the store, read once (blank nodes keep their names: the quads are copied as terms).
    """
    from kg.store import _swap_in  # noqa: PLC0415

    links = ox.NamedNode(str(links_graph(name)))

    def fill(version: Path) -> bool:
        current = ox.Store.read_only(str(location.resolve())) if location.is_symlink() else None
        old = _digests(current, graph) if current is not None else {}
        replacing = current is not None and (bool(old) or _has_quads(current, graph))
        if current is not None and not replacing:
            version.rmdir()  # a checkpoint is made into a folder that does not exist yet
            current.backup(str(version))
            store = ox.Store(str(version))
            store.remove_graph(links)  # the links of an import that mapped nothing: a few quads if any
            _stream_into(store, quads())
        else:
            store = ox.Store(str(version))
            if current is not None:
                # the links graph is written again below when linking; with --no-link the old one stays.
                # As quads, not through N-Quads text: a parser names blank nodes afresh (the ontology's)
                store.bulk_extend(_other_graphs(current, {graph, links} if matcher is not None else {graph}))
            _stream_into(store, quads())
        del current
        _check_mapped(result)
        _diff(old, mapper.digests, result)
        if background is not None:
            background.into(matcher)
        if matcher is not None:
            link_file = _write_links(data_dir, name, matcher, result)
            store.bulk_load(path=str(link_file), format=ox.RdfFormat.TURTLE, to_graph=links)
            for s, p, o in see_through(store, graph, links):
                store.add(ox.Quad(s, p, o, links))
        store.flush()
        return True

    _swap_in(location, fill, wait)
    return f"oxigraph:{location}"


def _has_quads(store: ox.Store, graph: ox.NamedNode) -> bool:
    return any(True for _ in store.quads_for_pattern(None, None, None, graph))


def _other_graphs(store: ox.Store, leave: set) -> Iterator[ox.Quad]:
    """Every quad of ``store`` but those of the graphs in ``leave``: the default graph's, then each other
    named graph's."""
    yield from store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    for name in store.named_graphs():
        if name not in leave:
            yield from store.quads_for_pattern(None, None, None, name)


class _BackgroundMatch:
    """The matcher in a second process, reading the file on its own while this one maps and loads it.

    Matching is Python, like the mapping, so in one process the two take turns on one core; forked,
    they run on two (the bulk loader's Rust threads fill what is left). The child reads the lines
    the way :func:`read_entities` does, skipping bad ones (this process reports them and decides),
    makes proxies of LegalEntities only, and sends back, pickled through a pipe, what
    :meth:`Matcher.consider` gathered. A bare ``os.fork``: the child touches none of this process's
    standard streams, exit handlers or stores, and leaves by ``os._exit``. Only on Linux (elsewhere,
    or if the fork fails, the import matches in-process).
    """

    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader, self.collected = pid, reader, False

    @classmethod
    def start(cls, path: Path, matcher) -> _BackgroundMatch | None:
        import os  # noqa: PLC0415
        import sys  # noqa: PLC0415

        if not sys.platform.startswith("linux"):
            return None
        import followthemoney  # noqa: F401, PLC0415 - imported before the fork, not by both after it

        reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return None
        if pid == 0:  # the child
            code = 1
            try:
                os.close(reader)
                code = _match_in_child(path, matcher, writer)
            finally:
                os._exit(code)
        os.close(writer)
        return cls(pid, reader)

    def into(self, matcher) -> None:
        """Wait for the child and take its findings into ``matcher``."""
        import os  # noqa: PLC0415
        import pickle  # noqa: PLC0415

        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        try:
            outcome = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - nothing or half a message: the child died
            _, status = os.waitpid(self.pid, 0)
            self.collected = True
            outcome = ("failed", f"the matcher process ended ({os.waitstatus_to_exitcode(status)}) without its results")
        if outcome[0] != "ok":
            raise RuntimeError(f"linking failed: {outcome[1]}")
        matcher.asserted, matcher._review, matcher.dropped, matcher.comparisons = outcome[1]

    def stop(self) -> None:
        """End the child if it still runs (this import failed), and collect it."""
        import os  # noqa: PLC0415
        import signal  # noqa: PLC0415

        os.close(self.reader)
        if not self.collected:
            try:
                os.kill(self.pid, signal.SIGTERM)  # a child that has finished is a zombie: no error
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.collected = True


def _match_in_child(path: Path, matcher, writer: int) -> int:
    """The child's work: match every LegalEntity of the file, write the pickled outcome; the exit code."""
    import os  # noqa: PLC0415
    import pickle  # noqa: PLC0415

    try:
        for _data, proxy in read_entities(path, Tally(), skip_bad=True, want=lambda s: s.is_a("LegalEntity")):
            matcher.consider(proxy)
        outcome = ("ok", (matcher.asserted, matcher._review, matcher.dropped, matcher.comparisons))
    except KgInputError as exc:  # the file itself unreadable: the parent says so while mapping it
        outcome = ("failed", str(exc))
    except BaseException as exc:  # noqa: BLE001 - reported by the parent, which exits cleanly
        outcome = ("failed", f"{type(exc).__name__}: {exc}")
    try:
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        data = pickle.dumps(("failed", f"the matcher's results could not be sent: {type(exc).__name__}: {exc}"))
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(writer, view):]
    except OSError:  # the parent has given up on the import
        return 1
    finally:
        os.close(writer)
    return 0


def _stream_into(store: ox.Store, quads: Iterator[ox.Quad]) -> None:
    """Bulk-load ``quads`` while they are made: N-Quads through a pipe to Oxigraph's bulk loader in a
    second thread. The mapping is Python (one core); the loader parses and indexes in Rust without the
    GIL, on the other core. Memory stays flat whatever the size. If making the quads fails (a bad line),
    that error is raised; the half-filled store version is then thrown away by the caller's swap.
    """
    import os  # noqa: PLC0415
    import threading  # noqa: PLC0415

    read_end, write_end = os.pipe()
    writer = os.fdopen(write_end, "wb")
    failure: list[BaseException] = []
    # The loader opens the pipe by its path where the system has one: it then reads in Rust, without
    # taking the GIL for each read as it must for a Python file object (the mapping holds it).
    by_path = f"/dev/fd/{read_end}" if os.path.isdir("/dev/fd") else None

    def load() -> None:
        try:
            # lenient: the IRIs are the mapper's own (ids percent-encoded), not the input's, so
            # Oxigraph's IRI validation would check what cannot be wrong
            if by_path is not None:
                store.bulk_load(path=by_path, format=ox.RdfFormat.N_QUADS, lenient=True)
            else:
                with os.fdopen(os.dup(read_end), "rb") as reader:
                    store.bulk_load(input=reader, format=ox.RdfFormat.N_QUADS, lenient=True)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            failure.append(exc)
        finally:
            os.close(read_end)  # with no reader left, the writer gets an error instead of waiting

    loader = threading.Thread(target=load, name="oxigraph-bulk-load")
    loader.start()
    try:
        ox.serialize(quads, output=writer, format=ox.RdfFormat.N_QUADS)
    finally:
        try:
            writer.close()
        except OSError:  # the loader stopped reading (it failed): its error is the one to tell
            pass
        loader.join()
    if failure:
        raise KgInputError(f"Oxigraph refused the import: {failure[0]}") from failure[0]


def _write_links(data_dir: Path, name: str, matcher, result: ImportResult) -> Path:
    from kg.ftm.matcher import write_links  # noqa: PLC0415

    path = data_dir / "links" / f"{name}.ttl"
    result.links = write_links(path, name, matcher)
    result.links_file = str(path)
    return path


def see_through(store: ox.Store, data: ox.NamedNode, links: ox.NamedNode) -> Iterator[tuple]:
    """What a confirmed link asserts, as :func:`kg.build._read_links` does for the memory store: the
    ``skos:exactMatch`` triple, and each triple of the dataset that points at the linked record through
    one of :data:`kg.build.SEE_THROUGH` pointed at the article's actor (index lookups, one per link
    and predicate)."""
    from kg.build import SEE_THROUGH  # noqa: PLC0415

    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    exact = ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch")
    unconfirmed = ox.NamedNode(str(KG.unconfirmed))
    through = [ox.NamedNode(str(p)) for p in SEE_THROUGH]
    for quad in store.quads_for_pattern(None, ox.NamedNode(rdf + "type"), ox.NamedNode(str(KG.Link)), links):
        link = quad.subject
        if any(True for _ in store.quads_for_pattern(link, unconfirmed, ox.Literal(True), links)):
            continue
        actor = next(iter(store.quads_for_pattern(link, ox.NamedNode(rdf + "subject"), None, links))).object
        record = next(iter(store.quads_for_pattern(link, ox.NamedNode(rdf + "object"), None, links))).object
        yield actor, exact, record
        for p in through:
            for q in store.quads_for_pattern(None, p, record, data):
                yield q.subject, p, actor


#: The unconfirmed flag as a term (for readers of a links file).
UNCONFIRMED = str(KG.unconfirmed)
