"""sanctions-kg: a knowledge graph of international sanctions and the retaliations they provoke.

The pipeline, one module per step::

    FtM entities --import (kg.ftm)--> data/imports + data/links (or a store)
    data/ + ontology/ --build--> Dataset --validate--> Report
                                     |--query (queries/*.rq)
                                     `--analysis (networkx) --> export (GEXF, GraphML, FtM) / report

The public API is re-exported here and imported lazily, so ``import kg``
stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "build": "kg.build",
    "summary": "kg.build",
    "validate": "kg.validate",
    "Report": "kg.validate",
    "open_dataset": "kg.store",
    "KgInputError": "kg.io",
    "run_query": "kg.query",
    "load_catalogue": "kg.query",
    "actor_network": "kg.analysis.networks",
    "side_network": "kg.analysis.networks",
    "act_network": "kg.analysis.networks",
    "Networks": "kg.analysis.networks",
    "read_networks": "kg.analysis.networks",
    "sides": "kg.analysis.networks",
    "chain_analysis": "kg.analysis",
    "centrality_table": "kg.analysis.centrality",
    "import_ftm": "kg.ftm.importer",
    "export_graph": "kg.export",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
