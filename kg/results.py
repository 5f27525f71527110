"""SPARQL results in the W3C formats, for `kg query` and the endpoint alike,
and as the aligned table `kg query` prints by default.

rdflib serializes JSON, CSV and XML results, but has no TSV serializer and
its XML serializer fails on unbound variables, so results are first rebuilt
without unbound values and TSV is written here (terms in N-Triples syntax,
as the W3C TSV format prescribes).
"""

from __future__ import annotations

import json
from typing import Iterable

__all__ = ["RESULT_FORMATS", "format_result", "serialize_rows"]

RESULT_FORMATS = ("json", "csv", "tsv", "xml")


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


def format_result(result, fmt: str | None) -> str:
    """A query result as text: an aligned table, a W3C results format, or RDF."""
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format=fmt if fmt in ("turtle", "json-ld") else "turtle")
    if result.type == "ASK":
        if fmt in ("json", "xml"):
            return result.serialize(format=fmt).decode("utf-8")
        return f"{str(bool(result.askAnswer)).lower()}\n"
    if fmt in RESULT_FORMATS:
        return serialize_rows(result.vars, result, fmt).decode("utf-8")
    from tabulate import tabulate  # noqa: PLC0415

    names = [str(v) for v in result.vars]
    rows = [["" if value is None else _short(value) for value in row] for row in result]
    return tabulate(rows, headers=names, tablefmt="simple", disable_numparse=True) + f"\n({len(rows)} rows)\n"


def _short(term) -> str:
    from kg.names import short  # noqa: PLC0415 - kg.names.expand reads it back

    return short(term)
