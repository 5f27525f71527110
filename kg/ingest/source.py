"""Reading an article to add: plain text or a saved web page, with clear refusals.

A saved page (HTML) gives its main text through trafilatura and its
publication date through htmldate, both from the file alone (nothing is
fetched); the page itself is kept byte for byte beside the text. Refused,
with the file named: a missing or unreadable file, an empty one, a binary
one, one that is not UTF-8, a page with no main text, and a text that is not
English (py3langid, confirmed by the share of English function words).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kg.io import KgInputError

__all__ = ["Source", "read_source"]


@dataclass
class Source:
    path: Path
    text: str
    original: bytes | None  # the page, for an HTML source
    original_suffix: str
    page_date: dt.date | None
    page_title: str | None


def _is_html(path: Path, head: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return True
    start = head.lstrip()[:200].lower()
    return start.startswith("<!doctype html") or start.startswith("<html") or ("<head" in start and "<body" in head.lower())


def read_source(path: Path | str) -> Source:
    from kg.io import is_stdin, read_input  # noqa: PLC0415

    raw = read_input(path)
    path = Path("<stdin>") if is_stdin(path) else Path(path)
    if not raw.strip():
        raise KgInputError(f"{path}: the file is empty; save the article's text (or the web page) into it")
    if b"\x00" in raw[:8192]:
        raise KgInputError(f"{path}: a binary file, not an article (give the text as .txt, or the saved page as .html)")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KgInputError(f"{path}: not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8") from exc
    if decoded.startswith("\ufeff"):
        raise KgInputError(f"{path}: starts with a byte-order mark; save it as UTF-8 without BOM")
    if _is_html(path, decoded[:4096]):
        import trafilatura  # noqa: PLC0415
        from htmldate import find_date  # noqa: PLC0415

        text = trafilatura.extract(decoded, include_comments=False, include_tables=False, favor_precision=True) or ""
        if not text.strip():
            raise KgInputError(f"{path}: a web page without a main text that trafilatura can find")
        meta = trafilatura.extract_metadata(decoded)
        found = find_date(decoded, original_date=True, extensive_search=False)
        page_date = dt.date.fromisoformat(found) if found else None
        title = getattr(meta, "title", None) if meta else None
        source = Source(path, text.strip() + "\n", raw, path.suffix.lower() if path.suffix else ".html", page_date, title)
    else:
        source = Source(path, decoded, None, "", None, None)
    _check_english(source.text, path)
    return source


def _check_english(text: str, path: Path) -> None:
    from kg.ingest.text import nlp  # noqa: PLC0415 - spaCy is loaded for drafting anyway

    stop_words = nlp().Defaults.stop_words  # spaCy's English function words

    sample = text[:4000]
    words = [w.strip(".,;:\"'()").lower() for w in sample.split()]
    words = [w for w in words if w.isalpha()]
    if len(words) < 3:
        raise KgInputError(f"{path}: too short to be an article ({len(words)} words)")
    share = sum(w in stop_words for w in words) / len(words)
    if share >= 0.2:
        return  # English enough whatever the classifier says: its model (a second to load) is not needed
    import py3langid  # noqa: PLC0415 - with numpy, about 0.1 s of CPU: only for a text that may not be English
    language, _ = py3langid.classify(sample)
    if language != "en":
        raise KgInputError(f"{path}: the text looks like {language!r}, not English; kg add reads English articles only")
    if share < 0.08:
        raise KgInputError(f"{path}: the text has almost no English words ({share:.0%}); kg add reads English articles only")
