"""Exports of the knowledge graph, one module per format behind :class:`kg.export.common.Format`.

- :mod:`kg.export.gexf`: the actor network for Gephi;
- :mod:`kg.export.graphml`: the actor network for Cytoscape, igraph, yEd;
- :mod:`kg.export.ftm`: actors, posts, sanctions and retaliations as FollowTheMoney
  entities (JSON lines) for Aleph, yente and any FtM tool.

The network formats share :mod:`kg.export.network` (preparing the network, the
palette, writing beside the report).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from kg.export.common import Format
from kg.export.gexf import gexf_bytes
from kg.export.graphml import graphml_bytes
from kg.export.network import (
    NETWORK_FORMATS,
    PALETTE,
    UNPLACED,
    ExportError,
    network_export,
    prepare,
    side_colours,
    start_writing,
    write_network,
)

__all__ = [
    "EXPORT_FORMATS", "FORMATS", "NETWORK_FORMATS", "PALETTE", "UNPLACED", "ExportError", "Format", "export_graph",
    "gexf_bytes", "graphml_bytes", "prepare", "side_colours", "start_writing", "write_network",
]

#: The export formats, by ``--format`` name: each a module of this package with a ``FORMAT``.
FORMATS = ("gexf", "graphml", "ftm")
EXPORT_FORMATS = FORMATS


def get_format(name: str) -> Format:
    if name not in FORMATS:
        raise ValueError(f"unknown export format {name!r}; use one of {', '.join(FORMATS)}")
    return import_module(f"{__name__}.{name}").FORMAT


def export_graph(graph, fmt: str, path: Path | str, layers=None) -> Path:
    """Write the knowledge graph in the format ``fmt`` to ``path`` (atomically)."""
    if fmt in NETWORK_FORMATS:
        return network_export(graph, fmt, path, layers)
    return get_format(fmt).export(graph, Path(path))
