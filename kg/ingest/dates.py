"""Dates in a sentence: stated ones, and the ones worked out from the article's date.

A day, month and year written out is stated (``kg:date``); a year or a month
and year is a stated range (``kg:earliestDate``/``kg:latestDate``). A date
worked out from the article's own date ("on Monday", "Tuesday (Dec 10)",
"yesterday", "on July 13" without a year) is curation: :class:`DateFound`
then carries the reason a curator reads in ``kg review``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kg.ingest.rules import Rules

__all__ = ["DateFound", "dates_in", "published_in"]


@dataclass
class DateFound:
    start: int  # character offsets in the text
    end: int
    words: str
    date: dt.date | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    curated: bool = False
    reason: str = ""
    rule: str = ""


def _months(rules: Rules) -> str:
    return "|".join(sorted(rules.months, key=len, reverse=True))


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def dates_in(text: str, offset: int, rules: Rules, published: dt.date | None) -> list[DateFound]:
    """The date expressions of ``text`` (a sentence starting at ``offset`` in the article)."""
    months = _months(rules)
    out: list[DateFound] = []
    taken: list[tuple[int, int]] = []

    def add(found: DateFound) -> None:
        if any(s < found.end and found.start < e for s, e in taken):
            return
        taken.append((found.start, found.end))
        out.append(found)

    def month_of(word: str) -> int:
        return rules.months[word.lower().rstrip(".")]

    # 13 July 2020, July 13, 2020, 2020-07-13
    for m in re.finditer(rf"\b(\d{{1,2}}) ({months})\.? (\d{{4}})\b", text, re.I):
        day = _safe(int(m.group(3)), month_of(m.group(2)), int(m.group(1)))
        if day:
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, rule="dates.yaml#day-month-year"))
    for m in re.finditer(rf"\b({months})\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", text, re.I):
        day = _safe(int(m.group(3)), month_of(m.group(1)), int(m.group(2)))
        if day:
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, rule="dates.yaml#month-day-year"))
    for m in re.finditer(r"\b(\d{4})-(\d{2})-(\d{2})\b", text):
        day = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day:
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, rule="dates.yaml#iso"))
    # in March 2021; in 1989
    for m in re.finditer(rf"\b(?:in|since|of) ({months}) (\d{{4}})\b", text, re.I):
        year, month = int(m.group(2)), month_of(m.group(1))
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
        add(DateFound(offset + m.start(1), offset + m.end(), m.group(0), earliest=dt.date(year, month, 1), latest=last,
                      rule="dates.yaml#month-year"))
    for m in re.finditer(r"\b(?:in|since) (1[89]\d\d|20\d\d)\b", text):
        year = int(m.group(1))
        add(DateFound(offset + m.start(1), offset + m.end(), m.group(0), earliest=dt.date(year, 1, 1),
                      latest=dt.date(year, 12, 31), rule="dates.yaml#year"))
    if published is None:
        return sorted(out, key=lambda d: d.start)
    # Tuesday (Dec 10), on July 13, 13 July: the year is the article's
    for m in re.finditer(rf"\b({months})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b(?!,? \d{{4}})", text, re.I):
        day = _nearest_year(published, month_of(m.group(1)), int(m.group(2)))
        if day:
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, curated=True,
                          reason=f"'{m.group(0)}' in an article dated {published.isoformat()}: the year is the article's "
                                 f"(the {m.group(0)} closest to that date), {day.isoformat()}.",
                          rule="dates.yaml#month-day"))
    for m in re.finditer(rf"\b(\d{{1,2}}) ({months})\b(?!\.? \d{{4}})", text, re.I):
        day = _nearest_year(published, month_of(m.group(2)), int(m.group(1)))
        if day:
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, curated=True,
                          reason=f"'{m.group(0)}' in an article dated {published.isoformat()}: the year is the article's, "
                                 f"{day.isoformat()}.", rule="dates.yaml#day-month"))
    weekdays = "|".join(rules.weekdays)
    for m in re.finditer(rf"\b(?:(last|next|this|on|late|early) )?({weekdays})\b", text, re.I):
        before = text[max(0, m.start() - 40):m.start()].lower().split()
        future = (m.group(1) or "").lower() == "next" or any(w in rules.future for w in before[-4:])
        target = rules.weekdays.index(m.group(2).lower())
        if future:
            delta = (target - published.weekday()) % 7 or 7
            day = published + dt.timedelta(days=delta)
            how = f"the next {m.group(2)} after it"
        else:
            delta = (published.weekday() - target) % 7
            if (m.group(1) or "").lower() == "last" and delta == 0:
                delta = 7
            day = published - dt.timedelta(days=delta)
            how = "the same day" if delta == 0 else f"the {m.group(2)} before it"
        add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, curated=True,
                      reason=f"'{m.group(0)}' in an article dated {published.isoformat()} (a {published.strftime('%A')}): "
                             f"{how}, {day.isoformat()}.", rule="dates.yaml#weekday"))
    for word, days in rules.relative.items():
        for m in re.finditer(rf"\b{re.escape(word)}\b", text, re.I):
            day = published + dt.timedelta(days=days)
            add(DateFound(offset + m.start(), offset + m.end(), m.group(0), date=day, curated=True,
                          reason=f"'{m.group(0)}' in an article dated {published.isoformat()}: {day.isoformat()}.",
                          rule="dates.yaml#relative"))
    for m in re.finditer(r"\bearlier this year\b", text, re.I):
        add(DateFound(offset + m.start(), offset + m.end(), m.group(0), earliest=dt.date(published.year, 1, 1),
                      latest=published, curated=True,
                      reason=f"'{m.group(0)}' in an article dated {published.isoformat()}.", rule="dates.yaml#this-year"))
    return sorted(out, key=lambda d: d.start)


def _nearest_year(published: dt.date, month: int, day: int) -> dt.date | None:
    options = [d for d in (_safe(published.year + k, month, day) for k in (-1, 0, 1)) if d]
    return min(options, key=lambda d: abs((d - published).days)) if options else None


def published_in(text: str, rules: Rules) -> tuple[dt.date, str] | None:
    """The article's date from its first lines (a dateline), with the words it was read from."""
    head = text[:400]
    for found in dates_in(head.split("\n\n")[0][:300], 0, rules, None):
        if found.date is not None:
            return found.date, found.words
    return None
