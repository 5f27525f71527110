"""The article as tokens and sentences, with offsets into the text as received.

Matching ignores case and accents: the text is folded character by
character (``é`` → ``e``), so the folded text has the same length and every
offset found in it is an offset in the original; quotes are always slices of
the original, so they occur in it verbatim. Tokens and sentences come from
spaCy's rule-based tokenizer and sentencizer (``spacy.blank("en")``: no model
is loaded); a blank line also ends a sentence (a headline, a caption).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Sentence", "Text", "fold", "nlp", "read_text"]


def fold(text: str) -> str:
    """``text`` without accents, one character for one (so offsets stay valid).

    Examples
    --------
    >>> fold("Bütikofer, Jerdén")
    'Butikofer, Jerden'
    """
    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch)[:1]
        out.append(base if base and ord(base) < 128 and base.isalpha() == ch.isalpha() else ch)
    return "".join(out)


@lru_cache(maxsize=1)
def nlp():
    """spaCy's English tokenizer and sentencizer, rules only.

    spaCy's import makes a few hundred thousand objects that live as long as the
    process: the cyclic garbage collector is paused while they are made and they
    are then frozen (:func:`gc.freeze`), so that later collections (unpickling the
    cached rules, drafting) do not go through them again and again. Objects made
    before are frozen too: a leak of at most what is garbage at that moment.
    """
    import gc  # noqa: PLC0415

    enabled = gc.isenabled()
    gc.disable()
    try:
        import spacy  # noqa: PLC0415 - over half a second of CPU to import; only kg add needs it

        pipeline = spacy.blank("en")
        pipeline.add_pipe("sentencizer")
        gc.freeze()
    finally:
        if enabled:
            gc.enable()
    return pipeline


@dataclass
class Sentence:
    """One sentence: its token range in the document and its character span in the text."""

    index: int
    start: int  # first token
    end: int  # one past the last token
    start_char: int
    end_char: int
    text: str  # verbatim


@dataclass
class Text:
    """An article's text, folded for matching, tokenized, split into sentences."""

    original: str
    folded: str
    doc: object  # a spaCy Doc over ``folded``
    sentences: list[Sentence]

    def lower(self, i: int) -> str:
        return self.doc[i].lower_

    def words(self, start: int, end: int) -> str:
        """The original text of tokens ``start`` to ``end``."""
        if start >= end:
            return ""
        return self.original[self.doc[start].idx:self.doc[end - 1].idx + len(self.doc[end - 1])]

    def sentence_of(self, token: int) -> Sentence:
        for sentence in self.sentences:
            if sentence.start <= token < sentence.end:
                return sentence
        return self.sentences[-1]


_PARAGRAPH = re.compile(r"\n\s*\n")


def read_text(original: str) -> Text:
    folded = fold(original)
    doc = nlp()(folded)
    breaks = {m.start() for m in _PARAGRAPH.finditer(folded)}
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start = sent.start
        for i in range(sent.start, sent.end):
            token = doc[i]
            if token.is_space and "\n" in token.text and (i > start) and any(
                b >= token.idx and b < token.idx + len(token.text) for b in breaks
            ):
                spans.append((start, i))
                start = i + 1
        spans.append((start, sent.end))
    sentences = []
    for start, end in spans:
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if start >= end:
            continue
        first, last = doc[start], doc[end - 1]
        start_char, end_char = first.idx, last.idx + len(last.text)
        sentences.append(Sentence(len(sentences), start, end, start_char, end_char, original[start_char:end_char]))
    return Text(original, folded, doc, sentences)
