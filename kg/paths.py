"""Where the project's folders are: ontology/, data/, queries/, rules/, out/.

``ontology/`` (with ``shapes/``), ``queries/``, the seed ``data/`` and the
extraction ``rules/`` of ``kg add`` are top-level folders of the repository and
ship inside the package as ``kg.ontology``, ``kg.queries``, ``kg.data`` and
``kg.rules`` (pyproject.toml maps them), so
they are found through :mod:`importlib.resources` however kg is installed: from a wheel (pip, pipx) they are the installed copies; from an editable install they
are the working tree's folders, so edits show at once.

``KG_HOME`` points at another copy of the four folders (a checkout, say);
``--data`` and ``--out`` options override single folders. A folder that is
missing is a :class:`~kg.io.KgInputError`, never an empty result.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["data_dir", "ontology_dir", "out_dir", "queries_dir", "rules_dir", "shapes_dir", "writable_data_dir"]

_PACKAGES = {"ontology": "kg.ontology", "queries": "kg.queries", "data": "kg.data", "rules": "kg.rules"}


def _folder(name: str) -> Path:
    """The folder ``name`` (ontology, queries, data, rules): under ``$KG_HOME``, else the package's."""
    from kg.io import KgInputError  # noqa: PLC0415

    env = os.environ.get("KG_HOME")
    if env:
        folder = Path(env) / name
        if not folder.is_dir():
            raise KgInputError(f"{folder}: no such folder (KG_HOME={env} must hold ontology/, queries/, data/ and rules/)")
        return folder
    try:
        folder = resources.files(_PACKAGES[name])
    except ModuleNotFoundError:
        folder = None
    # pip installs a wheel unpacked, so the resource is a folder on disk; a zipped install is not supported.
    if not isinstance(folder, Path) or not folder.is_dir():
        raise KgInputError(
            f"the package's {name}/ folder ({_PACKAGES[name]}) is not installed: reinstall sanctions-kg "
            f"from a wheel or a checkout, or set KG_HOME to a folder that holds {name}/"
        )
    return folder


def ontology_dir() -> Path:
    """The ontology and concept schemes (``*.ttl``)."""
    return _folder("ontology")


def shapes_dir() -> Path:
    """The SHACL shapes (``*.ttl``)."""
    return _folder("ontology") / "shapes"


def data_dir() -> Path:
    """The seed data: ``articles/``, ``facts/``, ``curation.ttl`` (the default of ``--data``)."""
    return _folder("data")


def writable_data_dir() -> Path:
    """The default data folder of the commands that write into it (``kg add``, ``kg review``).

    That is :func:`data_dir` in a checkout (an editable install, or ``KG_HOME``);
    the seed data inside an installed wheel is not for writing, and asking to
    is a :class:`~kg.io.KgInputError` that says how to start a folder of one's own.
    """
    import site  # noqa: PLC0415
    import sysconfig  # noqa: PLC0415

    from kg.io import KgInputError  # noqa: PLC0415

    folder = data_dir()
    installed = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")} | set(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        installed.add(site.getusersitepackages())
    if any(folder.resolve().is_relative_to(Path(place).resolve()) for place in installed):
        raise KgInputError(
            f"{folder}: the seed data installed with kg is not for editing; copy it to a folder of your own "
            f"(cp -r {folder} mydata) and give --data mydata"
        )
    return folder


def queries_dir() -> Path:
    """The SPARQL catalogue (``*.rq``)."""
    return _folder("queries")


def rules_dir() -> Path:
    """The extraction rules of ``kg add`` (``*.yaml``)."""
    return _folder("rules")


def out_dir() -> Path:
    """The default output folder: ``out/`` under the current directory."""
    return Path("out")
