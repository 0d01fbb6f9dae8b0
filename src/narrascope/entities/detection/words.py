"""Words and their stems, per language: what lets "Россия", "России" and "Россией" be one entity.

Names inflect in Russian and Bulgarian (cases, the Bulgarian suffixed article), less in Portuguese (plural,
gender) and Hindi (oblique plural). A word's stem is the word, case-folded and (Portuguese) without accents, with
the longest ending of its language's list removed, as long as at least MIN_STEM letters stay. The endings are the
inflectional endings of names and the nouns and adjectives that stand for actors, read off the forms of the same
entity in the subtask-1 training mentions (Украины / Украине / Украину; Зеленского / Зеленский; Запада /
Западът; Rússia / russos); in Hindi the demonym is the country's name with -ी or -ीय (रूस / रूसी, भारत / भारतीय,
अमेरिका / अमेरिकी), and those are one entity too, as "Rússia / russos" are. Acronyms (НАТО, САЩ, EUA) never
inflect and keep their form.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# letters, digits, Devanagari vowel signs and viramas (not \w: those are combining marks), inner hyphens/apostrophes
WORD = re.compile(r"[\w\u0900-\u0963\u0966-\u097F]+(?:[-'’][\w\u0900-\u0963\u0966-\u097F]+)*")
MIN_STEM = 3
NUKTA = "\u093c"
_ENDINGS = {
    "ru": "ией иям иях ями ами ого его ому ему ыми ими ию ия ии ой ей ий ый "
    "ая яя ое ее ые ие ую юю ом ем ам ям ах ях ью ов ев а я ы и е у ю о ь й",
    "bg": "овете ите ове ът ят та то те а я и е о",
    "pt": "oes aes os as es a o e s",
    "hi": "ियों ाओं ओं ों ें ीय ी ा",
    "en": "'s ’s s",
}
_ENDING_LISTS = {lang: tuple(sorted(set(endings.split()), key=len, reverse=True)) for lang, endings in _ENDINGS.items()}


def fold(word: str) -> str:
    """Case-folded, without the accents of Latin letters (Rússia -> russia) and the Devanagari nukta (ज़ेलेंस्की
    and जेलेंस्की are both written); Cyrillic й, ё and the other Devanagari signs keep their marks."""
    if word.isascii():
        return word.casefold()
    kept: list[str] = []
    for c in unicodedata.normalize("NFD", word.casefold()):
        if c == NUKTA or (unicodedata.combining(c) and kept and kept[-1].isascii()):
            continue
        kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept))


@lru_cache(maxsize=65_536)
def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=65_536)
def stem(word: str, language: str) -> str:
    """The stem of one word in `language` (unknown languages: the case-folded word)."""
    if is_acronym(word):
        return word
    folded = fold(word)
    for ending in _ENDING_LISTS.get(language, ()):
        if folded.endswith(ending) and len(folded) - len(ending) >= MIN_STEM:
            return folded[: -len(ending)]
    return folded


def stem_key(name: str, language: str) -> str:
    """The stems of a name's words, joined: the grouping key of a mention (its inflected forms share it)."""
    return " ".join(stem(w, language) for w in WORD.findall(name))


def same_word(a: str, b: str, language: str) -> bool:
    """Two forms of one word: equal stems, or (Rússia / russos) one stem the start of the other, with at most two
    letters more, and four letters or more in common."""
    sa, sb = stem(a, language), stem(b, language)
    if sa == sb:
        return True
    if is_acronym(a) or is_acronym(b):
        return False
    short, long = sorted((sa, sb), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 2
