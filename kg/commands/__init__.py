"""The ``kg`` commands, one module per command (followthemoney's ``cli/`` habit).

Each module reads as a page: ``register(subparsers)`` declares the command's
options beside ``run(args)``, which parses nothing more and calls the
pipeline. Options several commands share are declared once in
:mod:`kg.commands.common`. A new command is a new module plus its name in
:data:`COMMANDS` (the order ``kg --help`` lists them in). Heavy libraries are
imported inside ``run``, so that ``kg --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

COMMANDS = ("build", "validate", "query", "load", "import", "synth", "serve", "chains", "dossier", "report", "export", "run",
            "add", "review")


def modules() -> list[ModuleType]:
    """The command modules, in the order of :data:`COMMANDS`."""
    return [import_module(f"{__name__}.{name}") for name in COMMANDS]
