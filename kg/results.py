"""SPARQL results in the W3C formats, for `kg query` and the endpoint alike.

rdflib serializes JSON, CSV and XML results, but has no TSV serializer and
its XML serializer fails on unbound variables, so results are first rebuilt
without unbound values and TSV is written here (terms in N-Triples syntax,
as the W3C TSV format prescribes).
"""

from __future__ import annotations

import json
from typing import Iterable

__all__ = ["RESULT_FORMATS", "serialize_rows"]

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
