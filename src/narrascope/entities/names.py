"""Grouping the mentions of one entity under a canonical name.

"US", "the United States", "Washington" and "American officials" are one actor in a news article. Mentions are
grouped by, in order: the alias table (`data/entity_aliases.json`), the normalised string (case, a leading
"the", a trailing possessive), an acronym of a longer name in the article ("CIS" for "Commonwealth of
Independent States"), and a person's surname ("Naryshkin" after "Sergey Naryshkin").
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def normalise(name: str) -> str:
    """Case-folded, without a leading "the", a trailing possessive or surrounding punctuation."""
    text = " ".join(name.split())
    text = _LEADING_THE.sub("", text)
    text = _POSSESSIVE.sub("", text).strip(" .,;:\"'“”‘’()[]")
    return text.casefold()


@cache
def alias_table() -> dict[str, str]:
    """Normalised alias (and canonical name) -> canonical name."""
    data = json.loads(resources.files("narrascope.data").joinpath("entity_aliases.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for canonical, aliases in data["aliases"].items():
        for alias in [canonical, *aliases]:
            table[normalise(alias)] = canonical
    return table


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    return "".join(w[0] for w in words)


@dataclass
class EntityGroup:
    canonical: str
    label: str
    members: list[int] = field(default_factory=list)  # indexes of the mentions


def group_mentions(names: Sequence[str], labels: Sequence[str]) -> list[EntityGroup]:
    """Group mentions (their surface text and NER label) of one article; groups in order of first mention."""
    table = alias_table()
    groups: dict[str, EntityGroup] = {}
    order: list[str] = []

    def add(key: str, canonical: str, label: str, index: int) -> None:
        if key not in groups:
            groups[key] = EntityGroup(canonical, label)
            order.append(key)
        groups[key].members.append(index)

    pending: list[int] = []
    for i, (name, label) in enumerate(zip(names, labels, strict=True)):
        key = normalise(name)
        if key in table:
            canonical = table[key]
            add(normalise(canonical), canonical, label, i)
        else:
            pending.append(i)
    pending.sort(key=lambda i: -len(names[i]))  # full names first, so that a surname finds its person
    for i in pending:
        name, label, key = names[i], labels[i], normalise(names[i])
        target = key if key in groups else _match_existing(name, label, groups)
        if target is None:
            add(key, " ".join(_POSSESSIVE.sub("", _LEADING_THE.sub("", name.strip())).split()), label, i)
        else:
            groups[target].members.append(i)
    for group in groups.values():
        group.members.sort()
    return sorted((groups[k] for k in order), key=lambda g: g.members[0])


def _match_existing(name: str, label: str, groups: dict[str, EntityGroup]) -> str | None:
    clean = " ".join(_POSSESSIVE.sub("", name.strip()).split())
    for key, group in groups.items():
        if clean.isupper() and len(clean) >= 2 and _acronym(group.canonical) == clean:
            return key
        same_person = label == "PERSON" and group.label == "PERSON" and " " not in clean
        if same_person and group.canonical.split()[-1].casefold() == clean.casefold():
            return key
    return None
