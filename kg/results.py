"""SPARQL results in the W3C formats, for `kg query` and the endpoint alike,
and as the aligned table `kg query` prints by default.

rdflib serializes JSON, CSV and XML results, but has no TSV serializer and
its XML serializer fails on unbound variables, so results are first rebuilt
without unbound values and TSV is written here (terms in N-Triples syntax,
as the W3C TSV format prescribes).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import textwrap
from typing import Iterable, Sequence

__all__ = ["FORMATS_BY_FORM", "RESULT_FORMATS", "Page", "fit_table", "format_result", "serialize_rows",
           "terminal_width"]

RESULT_FORMATS = ("json", "csv", "tsv", "xml")

#: The output formats of each query form, the default first. The W3C CSV and TSV results formats have
#: no boolean, so an ASK answers as a word, JSON or XML.
FORMATS_BY_FORM = {
    "SELECT": ("table", *RESULT_FORMATS),
    "ASK": ("table", "json", "xml"),
    "CONSTRUCT": ("turtle", "json-ld"),
    "DESCRIBE": ("turtle", "json-ld"),
}


class Page:
    """A page of a SELECT result: ``limit`` rows from row ``offset`` (0 is the first), as SPARQL's LIMIT and
    OFFSET count them. ``kg query --limit/--offset`` and ``kg serve``'s ``?limit=&offset=`` take pages
    of the query's rows in its own order; the query text is never changed (nothing is pasted into it).

    Examples
    --------
    >>> Page.parse("2", "1").take(iter("abcde"))
    (['b', 'c'], True)
    >>> Page.parse(None, "4").take(iter("abcde"))
    (['e'], False)
    >>> Page.parse("0", None)
    Traceback (most recent call last):
    ...
    ValueError: limit: expected a whole number from 1, got '0'
    """

    def __init__(self, offset: int = 0, limit: int | None = None):
        self.offset, self.limit = offset, limit

    def __repr__(self) -> str:
        return f"Page(offset={self.offset}, limit={self.limit})"

    @classmethod
    def parse(cls, limit: str | None, offset: str | None, max_limit: int | None = None) -> "Page":
        """A page from the text of ``limit`` and ``offset`` (None: not given); a bad value is a
        :class:`ValueError` whose message names the parameter and what it takes."""
        def number(name: str, text: str, least: int, most: int | None = None) -> int:
            value = text.strip()
            if not value.isdigit() or int(value) < least or (most is not None and int(value) > most):
                span = f"from {least}" + (f" to {most}" if most is not None else "")
                raise ValueError(f"{name}: expected a whole number {span}, got {text!r}")
            return int(value)

        return cls(0 if offset is None else number("offset", offset, 0),
                   None if limit is None else number("limit", limit, 1, max_limit))

    def take(self, rows: Iterable) -> tuple[list, bool]:
        """The page's rows of ``rows``, and whether more follow it (one row more is read to know)."""
        from itertools import islice  # noqa: PLC0415

        stop = None if self.limit is None else self.offset + self.limit + 1
        taken = list(islice(rows, self.offset, stop))
        if self.limit is not None and len(taken) > self.limit:
            return taken[: self.limit], True
        return taken, False

    def describe(self, shown: int, more: bool) -> str:
        """What a page holds, for a person: ``rows 101-200 (more from offset 200)``."""
        if not shown:
            return f"no rows from offset {self.offset}: the result has {self.offset} rows or fewer"
        span = f"rows {self.offset + 1}-{self.offset + shown}"
        return f"{span} (more from offset {self.offset + shown})" if more else f"{span}, the last"


def serialize_rows(variables: list, rows: Iterable, fmt: str, truncated: bool = False) -> bytes:
    """Serialize SELECT rows (tuples in the order of ``variables``) as json, csv, tsv or xml."""
    rows = list(rows)
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if value is None else value.n3() for value in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    from rdflib.query import Result  # noqa: PLC0415

    result = Result("SELECT")
    result.vars = list(variables)
    result.bindings = [{v: value for v, value in zip(variables, row) if value is not None} for row in rows]
    body = result.serialize(format=fmt, encoding="utf-8")
    if truncated and fmt == "json":
        data = json.loads(body)
        data["truncated"] = True
        body = json.dumps(data).encode("utf-8")
    return body


def page_result(result, page: Page):
    """The page of a SELECT result as a result of its own, and whether more rows follow it.

    Another form of query is a :class:`~kg.query.QueryError`: only rows are paged.
    """
    if result.type != "SELECT":
        from kg.query import QueryError  # noqa: PLC0415

        article = "an" if result.type == "ASK" else "a"
        raise QueryError(f"--limit and --offset page the rows of a SELECT query; this is {article} {result.type} query")
    from rdflib.query import Result  # noqa: PLC0415

    rows, more = page.take(result)
    paged = Result("SELECT")
    paged.vars = list(result.vars)
    paged.bindings = [{v: value for v, value in zip(paged.vars, row) if value is not None} for row in rows]
    return paged, more


def format_result(result, fmt: str | None) -> str:
    """A query result as text: an aligned table, a W3C results format, or RDF.

    ``fmt`` None is the query form's default; a format that does not apply to
    the form (csv for a CONSTRUCT, turtle for a SELECT) is a :class:`~kg.query.QueryError`.
    """
    allowed = FORMATS_BY_FORM[result.type]
    if fmt is not None and fmt not in allowed:
        from kg.query import QueryError  # noqa: PLC0415

        raise QueryError(f"--format {fmt} does not apply to a {result.type} query; use {', '.join(allowed)}")
    fmt = fmt or allowed[0]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format=fmt)
    if result.type == "ASK":
        if fmt in ("json", "xml"):
            return result.serialize(format=fmt).decode("utf-8")
        return f"{str(bool(result.askAnswer)).lower()}\n"
    if fmt in RESULT_FORMATS:
        return serialize_rows(result.vars, result, fmt).decode("utf-8")
    names = [str(v) for v in result.vars]
    rows = [["" if value is None else _short(value) for value in row] for row in result]
    return fit_table(rows, names, terminal_width()) + f"\n({len(rows)} rows)\n"


#: The narrowest a wrapped column may get before a table is shown as records instead.
MIN_COLUMN = 12
_GAP = 2  # spaces between columns in tabulate's "simple" format


def terminal_width() -> int | None:
    """The width to fit tables to: the terminal's when stdout is one (or ``$COLUMNS`` says), else None
    (output into a file or a pipe keeps whole lines)."""
    if "COLUMNS" in os.environ or sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


def fit_table(rows: Sequence[Sequence], headers: Sequence[str], width: int | None, numbers: bool = False) -> str:
    """An aligned table no wider than ``width``: as it is if it fits; else with long cells wrapped
    between words, the room shared fairly between the columns; else, when a column would have to
    split a word or get under :data:`MIN_COLUMN`, one record per row (``psql``'s expanded
    display). Values are never cut: ``--format csv`` or ``json`` gives each on one line.
    ``numbers`` aligns numeric columns on the right (SPARQL values are shown as they are).

    Examples
    --------
    >>> print(fit_table([["a", "the quick brown fox jumps over"]], ["k", "value"], 24))
    k    value
    ---  -------------------
    a    the quick brown fox
         jumps over
    >>> print(fit_table([["a" * 20, "b" * 20]], ["first", "second"], 20))
    -[ 1 ]--------------
    first   aaaaaaaaaaaa
            aaaaaaaa
    second  bbbbbbbbbbbb
            bbbbbbbb
    """
    from tabulate import tabulate  # noqa: PLC0415

    cells = [["" if v is None else str(v) for v in row] for row in rows]
    headers = [str(h) for h in headers]

    def render(caps=None) -> str:
        wrap = (lambda text, cap: text) if caps is None else _wrap
        return tabulate([[wrap(v, cap) for v, cap in zip(row, caps or row)] for row in cells],
                        headers=[wrap(h, cap) for h, cap in zip(headers, caps or headers)],
                        tablefmt="simple", disable_numparse=not numbers)

    # tabulate pads a header by two (its MIN_PADDING), so a column is at least that wide
    natural = [max([len(h) + 2] + [len(line) for row in cells for line in row[i].splitlines() or [""]])
               for i, h in enumerate(headers)]
    if width is None or not headers or sum(natural) + _GAP * (len(headers) - 1) <= width:
        return render()
    # a wrapped column never splits a word (an IRI, say), and is never narrower than MIN_COLUMN
    least = [min(n, max(MIN_COLUMN, max((len(w) for row in cells for w in row[i].split()), default=0)))
             for i, n in enumerate(natural)]
    caps = _share(natural, least, width - _GAP * (len(headers) - 1))
    if caps is not None:
        text = render(caps)
        if max(map(len, text.splitlines())) <= width:
            return text
    return _records(cells, headers, width)


def _wrap(text: str, width: int) -> str:
    """``text`` wrapped at spaces (never inside a hyphenated word or an IRI unless longer than ``width``)."""
    return "\n".join(part for line in text.splitlines() or [""]
                     for part in textwrap.wrap(line, width, break_on_hyphens=False) or [""])


def _share(natural: list[int], least: list[int], room: int) -> list[int] | None:
    """Column widths that fit ``room``: each column gets ``min(natural, max(least, L))`` for the largest
    level ``L`` that fits (water-filling: narrow columns keep their width, wide ones share the rest);
    None if even ``least`` does not fit."""
    if sum(least) > room:
        return None

    def widths(level: int) -> list[int]:
        return [min(n, max(m, level)) for n, m in zip(natural, least)]

    low, high = 0, max(natural)
    while low < high:  # the largest level whose widths fit
        mid = (low + high + 1) // 2
        low, high = (mid, high) if sum(widths(mid)) <= room else (low, mid - 1)
    return widths(low)


def _records(cells: list[list[str]], headers: list[str], width: int) -> str:
    key = max(len(h) for h in headers) + _GAP
    room = max(width - key, MIN_COLUMN)
    blocks = []
    for n, row in enumerate(cells, 1):
        title = f"-[ {n} ]"
        lines = [title + "-" * max(width - len(title), 0)]
        for name, value in zip(headers, row):
            wrapped = _wrap(value, room).split("\n")
            lines.append(name.ljust(key) + wrapped[0])
            lines += [" " * key + part for part in wrapped[1:]]
        blocks.append("\n".join(line.rstrip() for line in lines))
    return "\n".join(blocks)


def _short(term) -> str:
    from kg.names import short  # noqa: PLC0415 - kg.names.expand reads it back

    return short(term)
