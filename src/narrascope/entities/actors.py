"""One actor across articles and languages: the canonical actor an entity of an article stands for.

`names.group_mentions` groups the mentions of one article (inflections, surnames, aliases); `actor_of` names the
actor that group is across a corpus, whatever the language or script: Лавров, Лаврова, Sergei Lavrov, Sergey
Lavrov and लावरोव are all "Sergey Lavrov". Two steps:

1. The shipped alias table (`data/entity_aliases.json`: countries, leaders, organisations that recur in the
   SemEval training articles, with their forms in the five languages). An entry matches by its alias key in the
   article's language (`names.name_key`: stems, titles off), or by its Latin key below.
2. The Latin key (`latin_key`): the name transliterated to ASCII (`anyascii`: Cyrillic and Devanagari to Latin),
   titles dropped ("President", "президент", "राष्ट्रपति"), the spellings transliteration varies on made one
   (y/i, kh/h, w/v, doubled letters), and the case endings of Slavic names cut off the end of each word (Лаврова,
   Лавровым -> lavr), so "Sergey Lavrov" in the table finds "Сергею Лаврову". A name outside the table is its own
   actor, keyed by its Latin key: its inflected forms across articles are one actor, in any script.

The actor's display name is the table's canonical name, else the entity's canonical name in the article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from narrascope.entities.names import alias_table, name_key
from narrascope.learn.transliteration import to_ascii

# Titles and honorifics before a name, after transliteration (Latin, Cyrillic and Devanagari ones)
_TITLES = frozenset(
    "the president presidente prezident prezidentut prezidentat premier premer premierut premera prime minister "
    "ministr ministur ministro primeiro pm mr mrs ms dr general gen sen senator chancellor kantsler chanceler "
    "secretary sekretar rashtrapati rashtrpati pradhanmantri pradhan mantri videsh sri shri srimati "
    "gospodin g-n g-zha".split()
)
# Case endings of Slavic names and their transliterations, cut repeatedly off the end of a word (longest first)
_ENDINGS = ("ogo", "omu", "ymi", "imi", "oi", "ei", "ym", "im", "om", "em", "ov", "ev", "ia", "iu", "a", "u", "e",
            "i", "o")  # fmt: skip
MIN_STEM = 3
_RESPELL = (("kh", "h"), ("zh", "j"), ("ks", "x"), ("w", "v"), ("y", "i"), ("ee", "i"), ("oo", "u"), ("ph", "f"))
_DOUBLE = re.compile(r"([a-z])\1+")
_NASAL = re.compile(r"m(?=[sktdcjgz])")
_POSSESSIVE = re.compile(r"'s\b")


def _word_key(word: str) -> str:
    for old, new in _RESPELL:
        word = word.replace(old, new)
    word = _DOUBLE.sub(r"\1", word)
    changed = True
    while changed:
        changed = False
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
                word, changed = word[: -len(ending)], True
                break
    return word


@cache
def latin_key(name: str) -> str:
    """The name in Latin letters, without titles, spelling variants and case endings: what the forms of one
    actor share in every script ("Сергея Лаврова" and "Sergey Lavrov" -> "serg lavr")."""
    latin = _POSSESSIVE.sub("", to_ascii(name).casefold()).replace("j'", "z").replace("'", "")
    latin = _NASAL.sub("n", latin)  # the Devanagari anusvara before a consonant: ज़ेलेंस्की -> zelenski
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", latin)
    while len(words) > 1 and words[0] in _TITLES:
        words = words[1:]
    return " ".join(_word_key(w) for w in words)


@dataclass(frozen=True)
class Actor:
    name: str  # display name: the table's canonical name, else the entity's own
    key: str  # what groups the actor across articles and languages


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("narrascope.data").joinpath("entity_aliases.json").read_text("utf-8")
    )
    return data


def _table() -> dict[str, list[str]]:
    aliases: dict[str, list[str]] = _data()["aliases"]
    return aliases


@cache
def _types() -> dict[str, str]:
    """Canonical name of the table -> its type (PERSON, ORG; GPE for the table's other actors)."""
    types = {canonical: "GPE" for canonical in _table()}
    for label, names in _data().get("types", {}).items():
        types |= dict.fromkeys(names, label)
    return types


# A name directly followed by one of these nouns is a place, whatever the NER said ("Syria's Al-Tanf base")
_PLACE_NOUNS = re.compile(
    r"\s+(?:base|airbase|air base|region|province|oblast|city|town|village|district|border|crossing|airport|port|"
    r"valley|river|camp|area)\b",
    re.IGNORECASE,
)


def entity_label(text: str, mentions: Sequence[tuple[int, int, str]], actor: Actor) -> str:
    """The type an entity is listed with: the alias table's for one of its actors ("Leyen" tagged GPE is Ursula von
    der Leyen, a PERSON); else its mentions' most frequent label, the first on a tie; a PERSON every mention of
    which is followed by a place noun ("Al-Tanf base") is a GPE."""
    if actor.key.startswith("="):
        return table_type(actor.name)
    labels = [label for _, _, label in mentions]
    label = max(labels, key=lambda x: (labels.count(x), -labels.index(x)))
    if label == "PERSON" and all(_PLACE_NOUNS.match(text, end) for _, end, _ in mentions):
        return "GPE"
    return label


@cache
def _latin_index() -> dict[str, str]:
    """Latin key of each canonical name and alias -> canonical name (the first entry wins a shared key)."""
    index: dict[str, str] = {}
    for canonical, aliases in _table().items():
        for alias in (canonical, *aliases):
            key = latin_key(alias)
            if key:
                index.setdefault(key, canonical)
    return index


def table_type(canonical: str) -> str:
    """The type of an actor of the alias table (PERSON, ORG, GPE)."""
    return _types().get(canonical, "GPE")


def latin_table_actor(name: str) -> str | None:
    """The alias table's canonical name for `name` by its Latin key alone (any language, any script), or None."""
    return _latin_index().get(latin_key(name))


def table_actor(forms: list[str], language: str) -> str | None:
    """The alias table's canonical name for one of `forms` (an entity's canonical name first, then its mention
    texts), or None."""
    table = alias_table(language)
    index = _latin_index()
    for form in forms:
        found = table.get(name_key(form, language)) or index.get(latin_key(form))
        if found:
            return found
    return None


def actor_of(canonical: str, forms: list[str], language: str) -> Actor:
    """The actor an entity (its canonical name in the article and its mention texts) stands for."""
    found = table_actor([canonical, *forms], language)
    if found is not None:
        return Actor(found, "=" + latin_key(found))
    return Actor(canonical, latin_key(canonical) or canonical.casefold())
