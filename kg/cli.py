"""The ``kg`` command: assembles the parser from the command modules of
:mod:`kg.commands` and runs the one asked for.

Exit codes (all commands):
  0  success; the graph conforms
  1  the graph does not conform (SHACL violations or failed quality queries)
  2  unreadable input: a file that cannot be parsed (file and line are named),
     a missing file, a bad query or parameter, a bad command line
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from kg import commands
from kg.commands.common import EXIT_CODES, EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS, Formatter, add_quiet

__all__ = ["EXIT_INPUT", "EXIT_OK", "EXIT_VIOLATIONS", "main", "parser"]


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="kg",
        description=(
            "sanctions-kg: a knowledge graph of international sanctions and the retaliations\n"
            "they provoke, built from news articles with a verbatim quote behind every fact."
        ),
        epilog="examples:\n  kg build\n  kg query --list\n  kg query sanctions-against --param target=\"Adrian Zenz\"\n\n" + EXIT_CODES,
        formatter_class=Formatter,
    )
    add_quiet(top)
    from kg import __version__  # noqa: PLC0415

    top.add_argument("--version", action="version", version=f"kg (sanctions-kg) {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    for module in commands.modules():
        module.register(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not getattr(args, "func", None):
        parser().print_help()
        return EXIT_INPUT
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="kg: %(message)s",
        stream=sys.stderr,
    )
    from kg.io import ExportError, KgInputError  # noqa: PLC0415
    from kg.query import ParamError, QueryError  # noqa: PLC0415
    from kg.store import StoreError  # noqa: PLC0415
    from kg.validate import ShapesError  # noqa: PLC0415

    from kg.progress import logging_above_bars  # noqa: PLC0415

    try:
        with logging_above_bars():
            return args.func(args)
    except (KgInputError, QueryError, ParamError, StoreError, ShapesError, ExportError) as exc:
        print(f"kg {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
