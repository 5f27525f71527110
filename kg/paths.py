"""Where the project's folders are: ontology/, data/, queries/, out/.

The package is installed editable from the repository, so the folders sit
beside ``kg/``. ``KG_HOME`` points elsewhere (a copy of the repository's
folders); ``--data`` and ``--out`` options override single folders.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "home", "ontology_dir", "out_dir", "queries_dir", "rules_dir", "shapes_dir"]


def rules_dir() -> Path:
    """The extraction rules of `kg add` (rules/*.yaml)."""
    return home() / "rules"


def home() -> Path:
    """The project root: ``$KG_HOME`` if set, else the folder that holds ``kg/``."""
    env = os.environ.get("KG_HOME")
    return Path(env) if env else Path(__file__).resolve().parent.parent


def ontology_dir() -> Path:
    return home() / "ontology"


def shapes_dir() -> Path:
    return home() / "ontology" / "shapes"


def data_dir() -> Path:
    return home() / "data"


def queries_dir() -> Path:
    return home() / "queries"


def out_dir() -> Path:
    """The default output folder: ``out/`` under the current directory."""
    return Path("out")
