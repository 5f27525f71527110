"""A synthetic FollowTheMoney export shaped like OpenSanctions' default collection.

For scale tests of ``kg import`` and of the matcher, at any size up to millions
of entities, streamed to disk line by line (memory stays flat). The shape:

- a few authorities and many targets: sanctions lists chosen with a Zipf skew
  (OFAC's list the largest), most targets on one list, some on five or more
  ("several datasets naming the same people"): one deduplicated entity lists
  every dataset, with one Sanction per list;
- people (with aliases: "SURNAME, Given", upper case, hyphenated transliteration,
  weak aliases; nationality, birth date, position text), organisations and
  companies, public bodies; Positions and Occupancies for politically exposed
  people; a few entities kg does not map (addresses, identifications), so the
  import's counters have work;
- with ``actors`` (the articles' actors, e.g. read from a ``kg synth`` graph by
  :func:`kg.ftm.matcher.article_actors`), a share of the people are those
  actors under a list's spelling (the true pairs, returned as ``truth``; one in
  ten misspelt by the list) and some are decoys: the same surname with another
  given name, or one letter off.

Only ``random.Random(seed)`` draws are used: the same arguments give the same bytes.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

__all__ = ["LISTS", "synth_ftm", "write_ftm_synth"]

#: (dataset, authority, country, program, provisions): the sanctions lists, largest first.
LISTS = (
    ("us_ofac_sdn", "US Treasury OFAC", "us", "SDGT", ["Block"]),
    ("eu_fsf", "Council of the European Union", "eu", "EU-HR", ["Asset freeze", "Entry ban"]),
    ("gb_hmt_sanctions", "HM Treasury", "gb", "Global Human Rights", ["Asset freeze", "Travel Ban"]),
    ("ca_dfatd_sema_sanctions", "Global Affairs Canada", "ca", "SEMA", ["Asset freeze", "Dealings prohibition"]),
    ("ch_seco_sanctions", "Swiss SECO", "ch", "CH-HR", ["Asset freeze"]),
    ("au_dfat_sanctions", "Australia DFAT", "au", "AU-Autonomous", ["Travel ban", "Targeted financial sanction"]),
    ("jp_mof_sanctions", "Japan Ministry of Finance", "jp", "JP-FEFTA", ["Asset freeze"]),
    ("un_sc_sanctions", "United Nations Security Council", None, "UNSC 1267", ["Asset freeze", "Travel ban", "Arms embargo"]),
    ("cn_mfa_countersanctions", "Ministry of Foreign Affairs of the People's Republic of China", "cn",
     "Anti-Foreign Sanctions Law", ["Entry ban", "Prohibition on doing business with China"]),
    ("ru_mfa_stoplist", "Ministry of Foreign Affairs of Russia", "ru", "Stop list", ["Entry ban"]),
)
_REASONS = (
    "Serious human rights abuse", "Involvement in arbitrary detention", "Undermining democracy",
    "Spreading disinformation", "Financing terrorism", "Corruption", "Support for the military",
)
_COUNTRIES = ("ru", "cn", "ir", "kp", "sy", "by", "ve", "mm", "af", "iq", "ly", "sd", "cu", "ni", "ua", "tr",
              "ae", "hk", "lb", "ye", "so", "ml", "cd", "zw", "pk", "in", "kz", "uz", "ge", "am", "az", "rs",
              "us", "gb", "de", "fr", "ca", "au", "jp", "ch")
_CONS = "b c d f g h j k l m n p r s t v w x y z zh ch sh".split()
_VOWELS = "a e i o u ai ao ei ou ia ui an en in un ang eng ing ong".split()
_POSTS = ("Minister of Defence", "Minister of the Interior", "Governor of the Central Bank", "Party Secretary",
          "Deputy Prime Minister", "Head of the Security Service", "Member of Parliament", "Prosecutor General",
          "Commander of the Ground Forces", "Mayor of the Capital")
_ORG_WORDS = ("Trading", "Holdings", "Industries", "Shipping", "Bank", "Group", "Energy", "Logistics", "Defence")
_UNMAPPED = ("Address", "Identification")


@dataclass
class Truth:
    """The true pairs (article actor IRI, entity id) and the decoys planted (entity ids)."""

    pairs: list[tuple[str, str]]
    decoys: list[str]


class _Zipf:
    def __init__(self, n: int, s: float):
        import itertools  # noqa: PLC0415

        self.weights = list(itertools.accumulate(1 / (i + 1) ** s for i in range(n)))

    def draw(self, rng: random.Random) -> int:
        import bisect  # noqa: PLC0415

        return bisect.bisect(self.weights, rng.random() * self.weights[-1])


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONS) + rng.choice(_VOWELS) for _ in range(syllables)).capitalize()


def _date(rng: random.Random, lo: int, hi: int) -> str:
    year = rng.randint(lo, hi)
    r = rng.random()
    if r < 0.2:
        return str(year)
    if r < 0.35:
        return f"{year}-{rng.randint(1, 12):02d}"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _variants(rng: random.Random, given: str, family: str) -> list[str]:
    """How lists spell one person: reordered, upper case, hyphenated syllables."""
    out = [f"{family.upper()}, {given}", f"{given} {family.upper()}"]
    if rng.random() < 0.3 and len(given) > 4:
        out.append(f"{family} {given[:len(given) // 2]}-{given[len(given) // 2:].lower()}")
    return out


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 2:
        return word + rng.choice("aeiou")
    i = rng.randrange(1, len(word))
    letter = rng.choice("aeioubdgklmnrstz".replace(word[i].lower(), ""))
    return word[:i] + letter + word[i + 1:]


def synth_ftm(entities: int, seed: int = 0, actors: list | None = None,
              truth_share: float = 0.5, decoy_share: float = 0.3, plant_share: float = 0.2) -> tuple[Iterator[dict], Truth]:
    """About ``entities`` FtM entity dicts (a generator) and the truth it plants.

    ``actors`` are :class:`kg.ftm.matcher.ArticleActor`; ``truth_share`` of the
    people and organisations among them appear on some list (a true pair),
    ``decoy_share`` get a decoy. While some are left to plant, ``plant_share`` of
    the targets are planted ones.
    """
    rng = random.Random(seed)
    truth = Truth([], [])
    lists = _Zipf(len(LISTS), 1.1)
    spread = _Zipf(6, 1.6)  # how many lists name one target: mostly 1, sometimes 6
    nationality = _Zipf(len(_COUNTRIES), 1.0)
    planted: list[tuple[object, str]] = []  # (actor, "true" | "decoy")
    for actor in actors or ():
        r = rng.random()
        if r < truth_share:
            planted.append((actor, "true"))
        elif r < truth_share + decoy_share:
            planted.append((actor, "decoy"))
    rng.shuffle(planted)

    def generate() -> Iterator[dict]:
        made = 0
        serial = 0
        positions: list[str] = []
        while made < entities:
            serial += 1
            nid = f"NK-{seed}-{serial}"
            when = f"{rng.randint(2017, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00"
            seen = {"first_seen": when, "last_seen": "2026-11-01T00:00:00"}
            names: list[str]
            plant = planted.pop() if planted and rng.random() < plant_share else None
            kind = rng.random()
            props: dict[str, list[str]]
            if plant is not None:
                actor, how = plant
                parts = actor.label.split()
                given, family = (parts[0], " ".join(parts[1:]) or parts[0]) if actor.person else ("", actor.label)
                if how == "true":
                    names = [actor.label] if rng.random() < 0.5 else [rng.choice(_variants(rng, given, family))
                                                                       if actor.person else actor.label.upper()]
                    if rng.random() < 0.1:  # the list misspells the name: a true pair only a curator can confirm
                        words = names[0].split()
                        longest = max(range(len(words)), key=lambda i: len(words[i]))
                        names = [" ".join(_typo(rng, w) if i == longest else w for i, w in enumerate(words))]
                    truth.pairs.append((actor.iri, nid))
                else:
                    if actor.person and rng.random() < 0.5:
                        names = [f"{_word(rng, 2)} {family}"]  # same surname, another person
                    else:  # one letter off in its longest word
                        longest = max(range(len(parts)), key=lambda i: len(parts[i]))
                        names = [" ".join(_typo(rng, w) if i == longest else w for i, w in enumerate(parts))]
                    truth.decoys.append(nid)
                schema = "Person" if actor.person else "Organization"
                props = {"name": names}
                if actor.person and how == "true" and rng.random() < 0.5:
                    props["alias"] = _variants(rng, given, family)[:1]
            elif kind < 0.62:
                schema = "Person"
                given, family = _word(rng, rng.randint(1, 2)), _word(rng, rng.randint(1, 2))
                props = {"name": [f"{given} {family}"], "alias": _variants(rng, given, family)[: rng.randint(0, 3)],
                         "nationality": [_COUNTRIES[nationality.draw(rng)]], "birthDate": [_date(rng, 1940, 1995)]}
                if rng.random() < 0.2:
                    props["weakAlias"] = [given]
                if rng.random() < 0.25:
                    props["position"] = [f"{rng.choice(_POSTS)} of {props['nationality'][0].upper()}"]
            elif kind < 0.9:
                schema = rng.choice(("Company", "Company", "Organization", "PublicBody"))
                props = {"name": [f"{_word(rng, 2)} {rng.choice(_ORG_WORDS)}"],
                         "country": [_COUNTRIES[nationality.draw(rng)]]}
                if rng.random() < 0.3:
                    props["alias"] = [props["name"][0].upper()]
            elif kind < 0.93:
                pid = f"POS-{seed}-{serial}"
                positions.append(pid)
                yield {"id": pid, "schema": "Position", "datasets": ["wd_peps"],
                       "properties": {"name": [f"{rng.choice(_POSTS)} of {rng.choice(_COUNTRIES).upper()}"],
                                      "country": [rng.choice(_COUNTRIES)]}, **seen}
                made += 1
                continue
            else:
                schema = rng.choice(_UNMAPPED)
                key = "full" if schema == "Address" else "number"
                yield {"id": nid, "schema": schema, "datasets": ["us_ofac_sdn"],
                       "properties": {key: [f"{rng.randint(1, 999999)}"]}, **seen}
                made += 1
                continue
            # a target: its lists, its record, a sanction per list, maybe a post
            chosen = sorted({lists.draw(rng) for _ in range(spread.draw(rng) + 1)})
            datasets = [LISTS[i][0] for i in chosen]
            props = {k: v for k, v in props.items() if v}
            yield {"id": nid, "schema": schema, "datasets": datasets, "properties": props, **seen}
            made += 1
            for i in chosen:
                name, authority, country, program, provisions = LISTS[i]
                sanction = {"entity": [nid], "authority": [authority], "program": [program],
                            "provisions": provisions, "reason": [rng.choice(_REASONS)],
                            "startDate": [_date(rng, 2010, 2025)]}
                if country:
                    sanction["country"] = [country]
                yield {"id": f"{nid}-{name}", "schema": "Sanction", "datasets": [name], "properties": sanction, **seen}
                made += 1
            if schema == "Person" and positions and rng.random() < 0.3:
                yield {"id": f"OCC-{seed}-{serial}", "schema": "Occupancy", "datasets": ["wd_peps"],
                       "properties": {"holder": [nid], "post": [rng.choice(positions[-50:])],
                                      "startDate": [str(rng.randint(2000, 2020))]}, **seen}
                made += 1

    return generate(), truth


def write_ftm_synth(path: Path | str, entities: int, seed: int = 0, actors: list | None = None,
                    truth_path: Path | str | None = None, plant_share: float = 0.2) -> tuple[int, Truth]:
    """Write :func:`synth_ftm` as JSON lines (and the true pairs as CSV); return the lines written."""
    import csv  # noqa: PLC0415
    import os  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    path = Path(path)
    stream, truth = synth_ftm(entities, seed, actors, plant_share=plant_share)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    lines = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            from kg.io import new_file_mode  # noqa: PLC0415

            os.fchmod(handle.fileno(), new_file_mode())  # mkstemp's 0600 would hide the file from colleagues
            for entity in stream:
                handle.write(json.dumps(entity, ensure_ascii=False) + "\n")
                lines += 1
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if truth_path:
        with open(truth_path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["actor", "entity", "kind"])
            writer.writerows([(a, e, "true") for a, e in truth.pairs])
            writer.writerows([("", e, "decoy") for e in truth.decoys])
    return lines, truth
