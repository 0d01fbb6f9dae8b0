"""Grouping the mentions of one entity under a canonical name.

"US", "the United States", "Washington" and "American officials" are one actor in a news article. Mentions are
grouped by, in order: the alias table (`data/entity_aliases.json`), the normalised string (case, a leading
"the", a trailing possessive), an acronym of a longer name in the article ("CIS" for "Commonwealth of
Independent States"), and a person's surname ("Naryshkin" after "Sergey Naryshkin").

Outside English the string compared is the stems of the words (`detection.words.stem_key`), so the inflected
forms of a name are one entity (Россия / России / Россией; Запада / Западът), a surname finds its person in any
case (Путина after Владимир Путин), and one-word names whose stems differ by an ending of at most two letters
are one entity (Rússia / russos). The alias table holds the common names in the five languages (США, САЩ, EUA,
अमेरिका -> United States), so an entity has one name across languages; otherwise the entity is named by its most
frequent form in the article (on a tie, the one of most words, then the shortest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from narrascope.entities.detection.words import same_word, stem_key

_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


def normalise(name: str) -> str:
    """Case-folded, without a leading "the", a trailing possessive or surrounding punctuation."""
    text = " ".join(name.split())
    text = _LEADING_THE.sub("", text)
    text = _POSSESSIVE.sub("", text).strip(" .,;:\"'“”‘’()[]")
    return text.casefold()


# Titles before a name ("राष्ट्रपति पुतिन", "президент Путин", "presidente Lula"): not part of it
_TITLES = re.compile(
    r"^(?:राष्ट्रपति|प्रधानमंत्री|पीएम|प्रधान मंत्री|विदेश मंत्री|президент|премьер|премиер|премиерът|президентът|"
    r"министр|министър|presidente|primeiro-ministro|ministro)\s+(?=\S)",
    re.IGNORECASE,
)


def name_key(name: str, language: str = "en") -> str:
    """What two mentions of one entity share: the normalised name (English) or the stems of its words, without a
    leading title."""
    key = normalise(name)
    return key if language == "en" else stem_key(_TITLES.sub("", key), language)


@cache
def alias_table(language: str = "en") -> dict[str, str]:
    """Alias key (`name_key`, also of the canonical name) -> canonical name."""
    data = json.loads(resources.files("narrascope.data").joinpath("entity_aliases.json").read_text("utf-8"))
    table: dict[str, str] = {}
    for canonical, aliases in data["aliases"].items():
        for alias in [canonical, *aliases]:
            table.setdefault(name_key(alias, language), canonical)
    return table


def _acronym(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w[0].isupper()]
    return "".join(w[0] for w in words)


@dataclass
class EntityGroup:
    canonical: str
    label: str
    members: list[int] = field(default_factory=list)  # indexes of the mentions
    aliased: bool = False  # named by the alias table


def group_mentions(names: Sequence[str], labels: Sequence[str], language: str = "en") -> list[EntityGroup]:
    """Group mentions (their surface text and NER label) of one article; groups in order of first mention."""
    table = alias_table(language)
    groups: dict[str, EntityGroup] = {}
    order: list[str] = []

    def add(key: str, canonical: str, label: str, index: int) -> None:
        if key not in groups:
            groups[key] = EntityGroup(canonical, label)
            order.append(key)
        groups[key].members.append(index)

    pending: list[int] = []
    for i, (name, label) in enumerate(zip(names, labels, strict=True)):
        key = name_key(name, language)
        if key in table:
            canonical = table[key]
            add(name_key(canonical, language), canonical, label, i)
            groups[name_key(canonical, language)].aliased = True
        else:
            pending.append(i)
    pending.sort(key=lambda i: -len(names[i]))  # full names first, so that a surname finds its person
    for i in pending:
        name, label, key = names[i], labels[i], name_key(names[i], language)
        target = key if key in groups else _match_existing(name, label, groups, language)
        if target is None:
            add(key, " ".join(_POSSESSIVE.sub("", _LEADING_THE.sub("", name.strip())).split()), label, i)
        else:
            groups[target].members.append(i)
    for group in groups.values():
        group.members.sort()
        if language != "en" and not group.aliased:
            forms = [" ".join(names[i].split()) for i in group.members]
            group.canonical = min(forms, key=lambda f: (-forms.count(f), -len(f.split()), len(f), forms.index(f)))
    return sorted((groups[k] for k in order), key=lambda g: g.members[0])


def _match_existing(name: str, label: str, groups: dict[str, EntityGroup], language: str = "en") -> str | None:
    clean = " ".join(_POSSESSIVE.sub("", name.strip()).split())
    one_word = " " not in clean
    for key, group in groups.items():
        if clean.isupper() and len(clean) >= 2 and _acronym(group.canonical) == clean:
            return key
        if language == "en":
            same_person = label == "PERSON" and group.label == "PERSON" and one_word
            if same_person and group.canonical.split()[-1].casefold() == clean.casefold():
                return key
        # a surname finds its person, a form its one-word name, in any inflection (Путина / Владимир Путин)
        elif (
            one_word
            and group.canonical
            and (group.label == "PERSON" or " " not in group.canonical or language == "hi")  # no capitals: no PERSON
            and same_word(clean, group.canonical.split()[-1], language)
        ):
            return key
    return None
