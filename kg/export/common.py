"""The one small interface every export format implements (followthemoney's ``export/`` habit).

A format is a module of :mod:`kg.export` with a ``FORMAT``: its name (the
``--format`` value), the file suffix, a line for ``--help``, and
``export(graph, path) -> Path``, which reads the knowledge graph and writes the
file atomically. A new format is a new module and its name in
:data:`kg.export.FORMATS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["Format"]


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    description: str
    export: Callable[[object, Path], Path]
