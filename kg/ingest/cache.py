"""A cache of what ``kg add`` compiles before it drafts: the rules and the graph's actor index.

Each entry is named by the SHA-256 of everything it is made from (the bytes
of the rules files, of the facts files, and the source of the code that
compiles them), so an entry is never stale: a changed rule, a new article or
an upgraded drafter gives another name, and the old entry is simply not read
again (entries of a kind beyond the newest few are removed). The cache only
saves time: if its folder cannot be written, or an entry cannot be read, the
value is compiled as without it.

The folder is ``$KG_CACHE`` if set (``KG_CACHE=off`` turns the cache off),
else ``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_dir", "cached", "digest"]

T = TypeVar("T")
KEEP = 8  # entries kept per kind: a few rules folders and data folders in use at once
_CODE = ("actors.py", "rules.py", "text.py", "cache.py")  # the modules whose code shapes a cached value


def cache_dir() -> Path | None:
    """The cache folder, or None when ``KG_CACHE=off``."""
    env = os.environ.get("KG_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("off", "0", "no", "") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


@functools.lru_cache(maxsize=1)
def _code_version() -> bytes:
    """Python's version, the tokenizer's (spaCy: rules are compiled to its tokens) and the drafter's source."""
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415

    here = Path(__file__).resolve().parent
    h = hashlib.sha256(sys.version.encode())
    try:
        h.update(version("spacy").encode())
    except PackageNotFoundError:
        pass
    for name in _CODE:
        h.update(name.encode() + b"\0" + (here / name).read_bytes())
    return h.digest()


def digest(parts: Iterable[bytes]) -> str:
    """The SHA-256 of ``parts`` (each length-prefixed, so no two lists share a digest) and of the drafter's code."""
    h = hashlib.sha256(_code_version())
    for part in parts:
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


def cached(kind: str, key: str, build: Callable[[], T]) -> T:
    """The value of ``kind`` named ``key`` from the cache, or ``build()`` (then stored)."""
    folder = cache_dir()
    if folder is None:
        return build()
    path = folder / f"{kind}-{key}.pickle"
    try:
        value = _loads(path.read_bytes())
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is compiled again and replaced
        pass
    else:
        try:
            os.utime(path)  # recently used: kept by _prune
        except OSError:
            pass
        return value
    value = build()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(folder, kind)
    except (OSError, pickle.PicklingError):
        pass  # the cache saves time only; nothing depends on it being written
    return value


def _loads(data: bytes):
    """Unpickle with the cyclic garbage collector paused: the many new objects would otherwise set off
    full collections over everything imported before (spaCy's), which cost more than the unpickling."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def _prune(folder: Path, kind: str) -> None:
    entries = sorted(folder.glob(f"{kind}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        old.unlink(missing_ok=True)
