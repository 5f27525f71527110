"""The extraction rules of ``kg add``, read from ``rules/*.yaml`` (rules/README.md).

Patterns are compiled to spaCy :class:`~spacy.matcher.Matcher` token
patterns (``LOWER`` of the folded text, so case and accents do not matter).
A bad rules file is a :class:`~kg.io.KgInputError` naming the file and the
rule.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io import KgInputError

__all__ = ["Pattern", "Rules", "load_rules"]

KINDS = ("sanction", "counter-sanction", "detention", "expulsion", "threat", "statement")
VOICES = ("active", "passive", "around", "include", "noun")


@dataclass(frozen=True)
class Pattern:
    """A compiled pattern: Matcher token patterns, and for ``...`` those of the part after it."""

    source: str
    head: tuple  # tuple of Matcher patterns (lists of token dicts)
    tail: tuple = ()


@dataclass(frozen=True)
class ActRule:
    id: str
    kind: str
    voice: str
    pattern: Pattern
    cameo: str = ""
    plover: str = ""
    stance: str = ""
    measures: tuple[str, ...] = ()
    targets: bool = True
    alone: bool = False


@dataclass
class Rules:
    folder: Path
    acts: list[ActRule]
    words: dict[str, list[str]]
    states: list[dict]
    not_states: set[str]
    bodies: list[dict]
    titles: list[dict]
    not_names: set[str]
    nouns: dict[str, tuple[str, str]]
    numbers: dict[str, int]
    modifiers: set[str]
    org_words: dict[str, str]
    measures: list[tuple[str, Pattern]]
    grounds: list[tuple[str, str]]
    ground_openers: list[str]
    regions: list[dict]
    cues: list[tuple[str, Pattern]]
    weekdays: list[str]
    months: dict[str, int]
    relative: dict[str, int]
    future: set[str]
    authorities: set[tuple[str, ...]] = field(default_factory=set)
    matchers: dict[str, Any] = field(default_factory=dict)


def _path(folder: Path, name: str) -> Path:
    """The file ``name`` of ``folder``, or the shipped one if the folder lacks it."""
    from kg import paths  # noqa: PLC0415

    path = folder / name
    if not path.exists() and folder != paths.rules_dir():
        path = paths.rules_dir() / name
    return path


def _read(folder: Path, name: str) -> dict:
    """``folder/name``; a file the folder lacks is the shipped one (a curator's folder may hold only what it changes)."""
    import yaml  # noqa: PLC0415

    path = _path(folder, name)
    try:
        # libyaml's loader when PyYAML has it: the pure-Python one took most of the time of reading the rules
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as exc:
        raise KgInputError(f"{path}: cannot read the rules: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise KgInputError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise KgInputError(f"{path}: the rules file must be a mapping")
    return data


def _tokens(text: str) -> tuple[str, ...]:
    from kg.ingest.text import fold, nlp  # noqa: PLC0415

    return tuple(t.lower_ for t in nlp().tokenizer(fold(text)) if not t.is_space)


def compile_pattern(source: str, words: dict[str, list[str]], where: str) -> Pattern:
    """A pattern of rules/README.md as Matcher patterns (head, and tail after ``...``)."""
    parts = source.split("...")
    if len(parts) > 2:
        raise KgInputError(f"{where}: a pattern has at most one '...': {source!r}")
    compiled = [_compile_part(part, words, where, source) for part in parts]
    return Pattern(source, compiled[0], compiled[1] if len(compiled) > 1 else ())


def _compile_part(text: str, words: dict[str, list[str]], where: str, source: str) -> tuple:
    elements = []
    for raw in text.split():
        # a trailing "?" on any choice makes the word optional ("also?|now?" and "also|now?" alike)
        choices = raw.split("|")
        optional = any(c.endswith("?") and len(c) > 1 for c in choices)
        alternatives: list[tuple[str, ...]] = []
        for alt in (c[:-1] if c.endswith("?") and len(c) > 1 else c for c in choices):
            if alt.startswith("@"):
                if alt[1:] not in words:
                    raise KgInputError(f"{where}: the pattern {source!r} uses @{alt[1:]}, which `words:` does not define")
                alternatives.extend(_tokens(w) for w in words[alt[1:]])
            elif alt:
                alternatives.append(_tokens(alt))
        alternatives = [a for a in dict.fromkeys(alternatives) if a]
        if not alternatives:
            raise KgInputError(f"{where}: an empty word in the pattern {source!r}")
        singles = sorted({a[0] for a in alternatives if len(a) == 1})
        variants: list[list[dict]] = []
        if singles:
            spec: dict = {"LOWER": {"IN": singles}}
            if optional:
                spec["OP"] = "?"
            variants.append([spec])
        for multi in (a for a in alternatives if len(a) > 1):
            variants.append([{"LOWER": t} for t in multi])
        if optional and any(len(a) > 1 for a in alternatives):
            variants.append([])
        elements.append(variants)
    if not elements:
        return ()
    patterns = []
    for combo in itertools.product(*elements):
        pattern = [spec for variant in combo for spec in variant]
        if pattern and not all(spec.get("OP") == "?" for spec in pattern):
            patterns.append(pattern)
    return tuple(patterns)


def load_rules(folder: Path | str | None = None) -> Rules:
    """Read and compile every rules file of ``folder`` (default: the shipped ``rules/``).

    ``folder`` may hold only some of the files (an extended ``acts.yaml``, say):
    the others are the shipped ones.
    """
    from kg import paths  # noqa: PLC0415

    folder = Path(folder) if folder else paths.rules_dir()
    if not folder.is_dir():
        raise KgInputError(f"{folder}: no such rules folder")
    folder = folder.resolve()
    try:
        parts = [str(folder).encode()]
        for name in FILES:
            path = _path(folder, name)
            parts += [str(path).encode(), path.read_bytes()]
    except OSError:
        return _load(folder)  # which names the file it cannot read
    from kg.ingest.cache import cached, digest  # noqa: PLC0415

    key = digest(parts)
    if key not in _LOADED:
        _LOADED[key] = cached("rules", key, lambda: _load(folder))
        _DIGESTS[id(_LOADED[key])] = key
    return _LOADED[key]


def rules_digest(rules: Rules) -> str:
    """The digest :func:`load_rules` read ``rules`` under (rules made otherwise: a digest of their fields)."""
    found = _DIGESTS.get(id(rules))
    if found is None:
        import pickle  # noqa: PLC0415

        from kg.ingest.cache import digest  # noqa: PLC0415

        found = digest([pickle.dumps({k: v for k, v in vars(rules).items() if k != "matchers"})])
    return found


FILES = ("acts.yaml", "states.yaml", "bodies.yaml", "titles.yaml", "targets.yaml", "measures.yaml", "grounds.yaml",
         "regions.yaml", "responses.yaml", "dates.yaml")
_LOADED: dict[str, Rules] = {}  # by the digest of the files' bytes: read once per process, and never stale
_DIGESTS: dict[int, str] = {}  # id of a Rules in _LOADED (kept alive there) -> its digest


def _load(folder: Path) -> Rules:
    """The rules of ``folder`` (an absolute path), read and compiled."""
    acts = _read(folder, "acts.yaml")
    words = {k: [str(w) for w in v] for k, v in (acts.get("words") or {}).items()}
    act_rules = []
    for i, item in enumerate(acts.get("rules") or []):
        where = f"{folder / 'acts.yaml'}: rule {item.get('id', i + 1)}"
        for key in ("id", "kind", "voice", "pattern"):
            if key not in item:
                raise KgInputError(f"{where}: needs {key!r}")
        if item["kind"] not in KINDS:
            raise KgInputError(f"{where}: kind {item['kind']!r} is not one of {', '.join(KINDS)}")
        if item["voice"] not in VOICES:
            raise KgInputError(f"{where}: voice {item['voice']!r} is not one of {', '.join(VOICES)}")
        pattern = compile_pattern(str(item["pattern"]), words, where)
        if item["voice"] == "around" and not pattern.tail:
            raise KgInputError(f"{where}: voice around needs '...' where the targets are")
        act_rules.append(ActRule(
            id=str(item["id"]), kind=item["kind"], voice=item["voice"], pattern=pattern,
            cameo=str(item.get("cameo", "")), plover=str(item.get("plover", "")), stance=str(item.get("stance", "")),
            measures=tuple(item.get("measures") or ()), targets=bool(item.get("targets", True)),
            alone=bool(item.get("alone", False)),
        ))
    states = _read(folder, "states.yaml")
    bodies = _read(folder, "bodies.yaml")
    titles = _read(folder, "titles.yaml")
    targets = _read(folder, "targets.yaml")
    nouns: dict[str, tuple[str, str]] = {}
    for entry in targets.get("nouns") or []:
        for word in entry["words"]:
            nouns[" ".join(_tokens(str(word)))] = (entry["counts"], entry["kind"])
    org_words: dict[str, str] = {}
    for entry in targets.get("organisation_words") or []:
        for word in entry["words"]:
            org_words[str(word)] = entry["kind"]
    measures = _read(folder, "measures.yaml")
    grounds = _read(folder, "grounds.yaml")
    regions = _read(folder, "regions.yaml")
    responses = _read(folder, "responses.yaml")
    dates = _read(folder, "dates.yaml")
    measure_patterns = [
        (entry["concept"], compile_pattern(p, words, f"{folder / 'measures.yaml'}: {entry['concept']}"))
        for entry in measures.get("measures") or [] for p in entry["patterns"]
    ]
    cues = [(c["id"], compile_pattern(c["pattern"], words, f"{folder / 'responses.yaml'}: {c['id']}"))
            for c in responses.get("cues") or []]
    return Rules(
        folder=folder,
        acts=act_rules,
        words=words,
        states=list(states.get("states") or []),
        not_states={str(w) for w in states.get("not_states") or []},
        authorities={_tokens(str(w)) for w in states.get("authorities") or []},
        bodies=list(bodies.get("bodies") or []),
        titles=list(titles.get("titles") or []),
        not_names={str(w) for w in titles.get("not_names") or []},
        nouns=nouns,
        numbers={str(k).lower(): int(v) for k, v in (targets.get("numbers") or {}).items()},
        modifiers={str(w).lower() for w in targets.get("modifiers") or []},
        org_words=org_words,
        measures=measure_patterns,
        grounds=[(e["concept"], str(p).lower()) for e in grounds.get("grounds") or [] for p in e["patterns"]],
        ground_openers=[str(w).lower() for w in grounds.get("openers") or []],
        regions=list(regions.get("regions") or []),
        cues=cues,
        weekdays=[str(w).lower() for w in dates.get("weekdays") or []],
        months={str(k).lower(): int(v) for k, v in (dates.get("months") or {}).items()},
        relative={str(k).lower(): int(v) for k, v in (dates.get("relative") or {}).items() if v is not None},
        future={str(w).lower() for w in dates.get("future") or []},
    )


def matcher(rules: Rules, name: str, patterns: list[tuple[str, Pattern]]):
    """A spaCy Matcher over ``patterns`` (key, Pattern), built once per rules and name; keys ``key`` and ``key#tail``."""
    found = rules.matchers.get(name)
    if found is None:
        from spacy.matcher import Matcher  # noqa: PLC0415

        from kg.ingest.text import nlp  # noqa: PLC0415

        found = Matcher(nlp().vocab)
        for key, pattern in patterns:
            if pattern.head:
                found.add(key, list(pattern.head))
            if pattern.tail:
                found.add(f"{key}#tail", list(pattern.tail))
        rules.matchers[name] = found
    return found


def longest_matches(doc, matcher_, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Matches of ``matcher_`` in ``doc[start:end]`` as (key, start, end), overlaps resolved for the longest."""
    from spacy.util import filter_spans  # noqa: PLC0415

    span = doc[start:end if end is not None else len(doc)]
    vocab = doc.vocab
    spans = [span[s:e] for _, s, e in matcher_(span)]
    keys = {}
    for match_id, s, e in matcher_(span):
        keys.setdefault((s, e), vocab.strings[match_id])
    out = []
    for kept in filter_spans(spans):
        s, e = kept.start - span.start, kept.end - span.start
        out.append((keys[(s, e)], kept.start, kept.end))
    return sorted(out, key=lambda m: m[1])
