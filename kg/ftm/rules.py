"""The curator's rules for FollowTheMoney values (``rules/ftm-mapping.yaml``, shipped as ``kg.rules``).

Which authority imposes a sanction, which state a country code names, which of
our measures a provision is and which ground a reason cites: data a curator
extends, read here into lookup tables. Matching is on normalised text (case,
accents, punctuation ignored); a rule's name matches a value equal to it or
containing it as whole words, and the longest matching name wins.

Examples
--------
>>> rules = Rules.from_mapping({"authorities": [{"actor": "us-treasury-department",
...     "label": "Treasury Department", "kind": "GovernmentBody", "names": ["OFAC"]}]})
>>> rules.authority("US Treasury OFAC").actor
'us-treasury-department'
>>> rules.authority("Swiss SECO") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from kg.io import KgInputError

__all__ = ["ActorRule", "Rules", "default_rules_path", "normalise"]

#: The kinds an authority or country rule may give, as local names of kg: classes.
KINDS = ("Bloc", "GovernmentBody", "Legislature", "Organisation", "State")


def normalise(text: str) -> str:
    """Lower case, ASCII, words separated by one space (punctuation dropped).

    >>> normalise("U.S. Treasury – OFAC")
    'u s treasury ofac'
    """
    from normality import normalize  # noqa: PLC0415

    return normalize(text, ascii=True, lowercase=True) or ""


@dataclass(frozen=True)
class ActorRule:
    """An actor a rule resolves to: local name of its IRI, label, kind, and what it is part of."""

    actor: str
    label: str
    kind: str = "State"
    part_of: str | None = None
    reason: str | None = None


@dataclass
class _Matcher:
    """Longest whole-word match of normalised names to values."""

    names: dict[str, Any] = field(default_factory=dict)
    #: what find gave each text: a list repeats a few authorities, provisions and reasons a million times
    _found: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def add(self, name: str, value: Any) -> None:
        key = normalise(name)
        if key:
            self.names[key] = value
            self._found.clear()

    def find(self, text: str) -> Any:
        try:
            return self._found[text]
        except KeyError:
            pass
        if len(self._found) > 100_000:  # bounded, whatever the input
            self._found.clear()
        found = self._found[text] = self._find(text)
        return found

    def _find(self, text: str) -> Any:
        value = normalise(text)
        if not value:
            return None
        if value in self.names:
            return self.names[value]
        padded = f" {value} "
        best = max((n for n in self.names if f" {n} " in padded), key=len, default=None)
        return None if best is None else self.names[best]


@dataclass
class Rules:
    """The lookup tables of ``rules/ftm-mapping.yaml``."""

    authorities: _Matcher = field(default_factory=_Matcher)
    countries: dict[str, ActorRule] = field(default_factory=dict)
    measures: _Matcher = field(default_factory=_Matcher)
    grounds: _Matcher = field(default_factory=_Matcher)
    _named: dict[str, ActorRule] = field(default_factory=dict, repr=False, compare=False)  # country() of other codes

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "the mapping") -> "Rules":
        rules = cls()
        try:
            for entry in data.get("authorities") or []:
                rule = _actor_rule(entry, source)
                for name in [rule.label, *(entry.get("names") or [])]:  # its label too: our FtM export writes it
                    rules.authorities.add(str(name), rule)
            for code, entry in (data.get("countries") or {}).items():
                rules.countries[str(code).lower()] = _actor_rule({"kind": "State", **entry}, source)
            for concept, names in (data.get("measures") or {}).items():
                for name in names:
                    rules.measures.add(str(name), str(concept))
            for concept, names in (data.get("grounds") or {}).items():
                for name in names:
                    rules.grounds.add(str(name), str(concept))
        except (AttributeError, TypeError) as exc:
            raise KgInputError(f"{source}: not laid out as rules/ftm-mapping.yaml describes: {exc}") from exc
        return rules

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Rules":
        import yaml  # noqa: PLC0415

        path = Path(path) if path else default_rules_path()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise KgInputError(f"{path}: cannot read: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise KgInputError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise KgInputError(f"{path}: expected a mapping with authorities, countries, measures, grounds")
        return cls.from_mapping(data, str(path))

    def authority(self, text: str) -> ActorRule | None:
        return self.authorities.find(text)

    def country(self, code: str) -> ActorRule:
        """The state (or bloc) of a country code: the rule's, else ``country-CODE`` named by followthemoney."""
        code = code.lower()
        found = self.countries.get(code)
        if found is not None:
            return found
        from followthemoney import registry  # noqa: PLC0415

        found = self._named.get(code)
        if found is None:
            found = ActorRule(f"country-{code}", registry.country.caption(code) or code.upper(), "State")
            if len(self._named) < 10_000:  # the codes followthemoney knows: a few hundred
                self._named[code] = found
        return found

    def measure(self, text: str) -> str | None:
        return self.measures.find(text)

    def ground(self, text: str) -> str | None:
        return self.grounds.find(text)


def _actor_rule(entry: Mapping[str, Any], source: str) -> ActorRule:
    try:
        rule = ActorRule(
            actor=str(entry["actor"]), label=str(entry["label"]), kind=str(entry.get("kind", "GovernmentBody")),
            part_of=entry.get("part_of"), reason=entry.get("reason"),
        )
    except KeyError as exc:
        raise KgInputError(f"{source}: the entry {dict(entry)!r} needs {exc.args[0]!r}") from exc
    if rule.kind not in KINDS:
        raise KgInputError(f"{source}: kind {rule.kind!r} of {rule.actor} is not one of {', '.join(KINDS)}")
    if rule.part_of and not rule.reason:
        raise KgInputError(f"{source}: {rule.actor} is part_of {rule.part_of}: give the reason")
    return rule


#: The file's name, in the shipped rules folder (kg.rules) or a curator's ``--rules DIR``.
FILE = "ftm-mapping.yaml"


def default_rules_path(folder: Path | str | None = None) -> Path:
    """``folder/ftm-mapping.yaml`` when ``folder`` has it (a curator's ``--rules DIR`` may hold only the
    files it changes, as for ``kg add``), else the shipped one."""
    from kg.paths import rules_dir  # noqa: PLC0415

    if folder is not None and (Path(folder) / FILE).is_file():
        return Path(folder) / FILE
    return rules_dir() / FILE
