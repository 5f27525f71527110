"""What the ``kg`` commands share: exit codes, the help layout, and the options
several commands take, each declared once here.

Exit codes (all commands):
  0  success; the graph conforms
  1  the graph does not conform (SHACL violations or failed quality queries)
  2  unreadable input: a file that cannot be parsed (file and line are named),
     a missing file, a bad query or parameter, a bad command line, an output
     that cannot be written, a store another process is writing
  3  a bug in kg (an internal error, reported in one line)
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_BUG = 0, 1, 2, 3

EXIT_CODES = """exit codes:
  0  success (the graph conforms, or has only SHACL warnings and infos: printed, not failed)
  1  the graph does not conform: SHACL violations or quality queries with rows
  2  unreadable or empty input (file and line named), bad query or parameter,
     bad usage, an output that cannot be written, a store busy with another writer
  3  a bug in kg (reported in one line)"""

log = logging.getLogger("kg")


class Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs keep their line breaks."""


def command(subparsers, name: str, summary: str, description: str, example: str) -> argparse.ArgumentParser:
    """A command's parser: the summary heads its help, the example and the exit codes end it.

    Every command takes ``-q`` (see :func:`add_quiet`).
    """
    parser = subparsers.add_parser(
        name,
        help=summary,
        description=f"{summary}\n\n{description}".strip(),
        epilog=f"example:\n  {example}\n\n{EXIT_CODES}",
        formatter_class=Formatter,
    )
    add_quiet(parser, default=argparse.SUPPRESS)
    return parser


def add_quiet(parser: argparse.ArgumentParser, default: Any = False) -> None:
    """``-q/--quiet``. Before the command (``kg -q build``) or after it (``kg build -q``):
    on a command the default is SUPPRESS, so it does not undo a ``-q`` given before."""
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no progress messages on stderr")


def add_store(
    parser: argparse.ArgumentParser,
    help: str = "where the built graph is read from: memory (default: parse --dataset), oxigraph:PATH, sparql:URL",
    *,
    required: bool = False,
    metavar: str = "STORE",
) -> None:
    """``--store``: where a graph is read from or written to (memory, oxigraph:PATH, sparql:URL)."""
    parser.add_argument("--store", default=None if required else "memory", required=required, metavar=metavar, help=help)


class _DeprecatedSpelling(argparse.Action):
    """An old spelling of an option: stores into the new one's ``dest`` and says so on stderr."""

    def __init__(self, option_strings, dest, new: str, **kwargs):
        self.new = new
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"kg: warning: {option_string} FILE is deprecated, use {self.new} FILE "
              "(--graph names a named graph, as in kg validate --graph IRI)", file=sys.stderr)
        setattr(namespace, self.dest, values)


def add_read_store(parser: argparse.ArgumentParser) -> None:
    """``--store`` and, for the memory store, ``--dataset FILE``: the options of every command that reads the built graph.

    ``--dataset`` was ``--graph`` before ``--graph`` came to mean a named graph's IRI
    (``kg validate --graph IRI``); the old spelling still works, with a warning.
    :func:`open_store` opens what they name.
    """
    add_store(parser)
    parser.add_argument(
        "--dataset", type=Path, default=None, metavar="FILE",
        help="the built dataset (TriG) for the memory store (default: out/kg.trig; - reads standard input)",
    )
    parser.add_argument("--graph", type=Path, dest="dataset", action=_DeprecatedSpelling, new="--dataset",
                        help=argparse.SUPPRESS)
    add_drafts(parser)


def add_drafts(parser: argparse.ArgumentParser) -> None:
    """``--drafts``: what a reading command does with unconfirmed drafts (:mod:`kg.drafts`)."""
    from kg.drafts import DEFAULT, MODES, help_text  # noqa: PLC0415

    parser.add_argument("--drafts", choices=MODES, default=DEFAULT, help=help_text())


def open_store(args):
    """The dataset that ``--store`` (and ``--dataset``) of :func:`add_read_store` name."""
    from kg.store import open_dataset  # noqa: PLC0415

    log.info("loading the graph (%s)", args.store)
    return open_dataset(args.store, args.dataset, getattr(args, "drafts", "exclude"))


def add_format(parser: argparse.ArgumentParser, choices: Sequence[str], default: str | None, help: str | None = None) -> None:
    """``--format``: how a command prints or writes its result, one of ``choices`` (argparse refuses others, exit 2)."""
    parser.add_argument(
        "--format", choices=tuple(choices), default=default,
        help=help or f"output format (default: {default})",
    )


def print_json(data: Any) -> None:
    """A command's result as JSON on stdout (``--format json``): one document, indented, dates and paths as text."""
    import json  # noqa: PLC0415

    print(json.dumps(data, indent=2, default=str, ensure_ascii=False))


def add_out(parser: argparse.ArgumentParser, default: Path | None, help: str, *, required: bool = False,
            metavar: str | None = None) -> None:
    """``--out``: the file or folder a command writes (atomically), as a :class:`~pathlib.Path`."""
    parser.add_argument("--out", type=Path, default=default, required=required, metavar=metavar, help=help)


def add_allow_empty(parser: argparse.ArgumentParser, what: str) -> None:
    """``--allow-empty``: accept a dataset without facts (an empty file, an ontology alone), which is refused otherwise."""
    parser.add_argument(
        "--allow-empty", action="store_true",
        help=f"accept {what} that holds no facts (refused otherwise: no triple outside the ontology graph but "
             "articles' own description and source records)",
    )


def add_wait(parser: argparse.ArgumentParser) -> None:
    """``--wait``: how long a writer of an ``oxigraph:PATH`` store waits for another writer (see :mod:`kg.store`)."""
    parser.add_argument(
        "--wait", type=float, default=None, metavar="SECONDS",
        help="how long to wait for another kg process writing the same oxigraph:PATH store before giving up "
             "(default: a minute)",
    )


def add_data(parser: argparse.ArgumentParser) -> None:
    """``--data``: the folder of articles, facts and curation the graph is built from."""
    parser.add_argument("--data", type=Path, default=None, metavar="DIR",
                        help="a data folder laid out as data/ is: articles/, facts/, curation.ttl "
                             "(default: the seed data installed with kg)")


def add_engine(parser: argparse.ArgumentParser) -> None:
    """``--engine``: the SHACL engine (see :mod:`kg.validate`)."""
    parser.add_argument("--engine", default="auto", choices=("auto", "oxigraph", "pyshacl"),
                        help="SHACL engine: shapes compiled to SPARQL in Oxigraph (auto, oxigraph) or pySHACL")


def _whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}" if least
                                         else f"must be 0 or more, not {value}")
    return value


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _whole_number(text, 1)


def non_negative(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return _whole_number(text, 0)
