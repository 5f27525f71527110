"""The ``kg`` command: assembles the parser from the command modules of
:mod:`kg.commands` and runs the one asked for.

Exit codes (all commands):
  0  success; the graph conforms
  1  the graph does not conform (SHACL violations or failed quality queries)
  2  unreadable input: a file that cannot be parsed (file and line are named),
     a missing file, a bad query or parameter, a bad command line, an output
     that cannot be written, a store another process is writing
  3  a bug in kg (an internal error, reported in one line; KG_DEBUG=1 shows the traceback)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Sequence

from kg import commands
from kg.commands.common import EXIT_BUG, EXIT_CODES, EXIT_INPUT, EXIT_OK, EXIT_VIOLATIONS, Formatter, add_quiet

__all__ = ["EXIT_BUG", "EXIT_INPUT", "EXIT_OK", "EXIT_VIOLATIONS", "configure_logging", "main", "parser"]


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


class _Stderr(logging.StreamHandler):
    """A handler that writes to whatever ``sys.stderr`` is when it writes (tests swap it)."""

    def __init__(self, formatter: logging.Formatter):
        super().__init__()
        self.setFormatter(formatter)
        self._kg = True

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ sets it; the property always answers sys.stderr
        pass


class _OneLine(logging.Formatter):
    """Another library's log record as one line under its own name: no traceback, no ``kg:``."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage().strip().splitlines()
        return f"{record.name}: {record.levelname.lower()}: {message[0] if message else ''}"

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return ""


def configure_logging(quiet: bool) -> None:
    """Progress from the ``kg`` logger as ``kg: …`` lines; other libraries' warnings as one line under
    their own name, and nothing of theirs (nor Python warnings) under ``-q``.

    The handlers are set on the ``kg`` logger and the root logger once per call, replacing those of
    an earlier call (tests call :func:`main` many times in one process).
    """
    import warnings  # noqa: PLC0415

    kg_log, root = logging.getLogger("kg"), logging.getLogger()
    for logger in (kg_log, root):
        for handler in [h for h in logger.handlers if getattr(h, "_kg", False)]:
            logger.removeHandler(handler)
    kg_log.addHandler(_Stderr(logging.Formatter("kg: %(message)s")))
    kg_log.setLevel(logging.WARNING if quiet else logging.INFO)
    kg_log.propagate = False
    root.addHandler(_Stderr(_OneLine()))
    root.setLevel(logging.CRITICAL + 1 if quiet else logging.WARNING)
    logging.captureWarnings(True)  # Python warnings (rdflib's, pySHACL's) go the same way
    if quiet:
        warnings.simplefilter("ignore")


def _os_message(exc: OSError) -> str:
    what = exc.filename if exc.filename is not None else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{what}: {reason}" if what else reason


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``kg``; returns the exit code (see the module's docstring). No input or output prints a traceback:
    the errors of the pipeline are mapped here, once, to exit 2 and a message naming file and line."""
    args = parser().parse_args(argv)
    if not getattr(args, "func", None):
        parser().print_help()
        return EXIT_INPUT
    configure_logging(args.quiet)
    from kg.io import KgInputError, OutputError  # noqa: PLC0415
    from kg.query import ParamError, QueryError  # noqa: PLC0415
    from kg.store import StoreError  # noqa: PLC0415
    from kg.validate import ShapesError  # noqa: PLC0415

    from kg.progress import logging_above_bars  # noqa: PLC0415
    from kg.store import released_pins  # noqa: PLC0415

    def error(message: str) -> None:
        print(f"kg {args.command}: error: {message}", file=sys.stderr)

    try:
        with logging_above_bars(), released_pins():
            return args.func(args)
    except (KgInputError, QueryError, ParamError, StoreError, ShapesError, OutputError) as exc:  # ExportError is an OutputError
        error(str(exc))
        return EXIT_INPUT
    except BrokenPipeError:  # `kg query … | head`: the reader has what it wanted
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush is quiet
        except OSError:
            pass
        return EXIT_OK
    except OSError as exc:  # a path the command reads or writes that the system refuses
        error(_os_message(exc))
        return EXIT_INPUT
    except MemoryError:
        error("out of memory")
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("KG_DEBUG"):
            raise
        error(f"internal error (a bug in kg, please report it with the command line): {type(exc).__name__}: {exc}; "
              "KG_DEBUG=1 shows the traceback")
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
