"""What two claims must agree on to be one claim, in any of the five languages: figures, named actors, negation.

A paraphrase may drop a figure or a name, so a side with nothing the other lacks agrees; two sides that each
hold a figure (or actor) the other lacks assert different things: "60 terrorists" and "600 terrorists",
"the US recruits" and "Russia recruits". Figures are compared as values ("5,762" = "5762", "1,5 mil milhões"
= "1.5 billion", "23 लाख" = "2.3 million", "quatro mil" = "4000": a number spelt out counts before a scale word);
actors by a canonical name over their forms in each language (`narrascope/data/claims_agreement.json`). Figures 0
and 1 are left out ("one of them"). Dates (a month name with its day and/or year) are found here too, so that
matching does not read a shared date as shared wording (`without_dates`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]\d)|\d[\d.,]*\d|\d")
_WORD = re.compile(r"[\w\u0900-\u097f'’.-]+", re.UNICODE)
_AFTER = re.compile(r"\s*([^\s\d.,;:!?()\"“”«»„]+)", re.UNICODE)
SMALL = 1.0  # figures up to this are not compared ("one of them")


@dataclass(frozen=True)
class ClaimFacts:
    """What a claim's wording commits to."""

    numbers: frozenset[float]
    actors: Counter[str]
    negated: bool


@dataclass(frozen=True)
class _Tables:
    exact: dict[str, str]  # case-sensitive whole word or phrase -> actor
    prefixes: list[tuple[str, str]]  # lower-case word start -> actor, longest first
    phrases: re.Pattern[str] | None  # multi-word forms
    scales: dict[str, float]
    negations: dict[str, re.Pattern[str]]
    not_negations: re.Pattern[str]  # "not only": no negation
    dates: re.Pattern[str]  # a month name with its day and/or year
    number_words: dict[str, int]  # "quatro" -> 4 (read only before a scale word)


@cache
def _tables() -> _Tables:
    data = json.loads(resources.files("narrascope.data").joinpath("claims_agreement.json").read_text("utf-8"))
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    phrases: list[str] = []
    for actor, forms in data["actors"].items():
        for form in forms:
            if " " in form:
                phrases.append(form)
                exact[form.lower()] = actor
            elif form != form.lower():
                exact[form] = actor
            else:
                prefixes.append((form, actor))
    prefixes.sort(key=lambda p: -len(p[0]))
    phrase_re = None
    if phrases:
        body = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        phrase_re = re.compile(rf"(?<!\w)(?:{body})", re.IGNORECASE)
    negations = {
        lang: re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)
        for lang, words in data["negations"].items()
    }
    negations["en"] = re.compile(negations["en"].pattern + r"|n't", re.IGNORECASE)
    negations["hi"] = re.compile(r"(?<!\S)(?:" + "|".join(data["negations"]["hi"]) + r")(?!\S)")  # no \b in Devanagari
    not_negations = re.compile("|".join(re.escape(p) for p in data["not_negations"]), re.IGNORECASE)
    scales = {k.lower(): float(v) for k, v in data["scales"].items()}
    months = "|".join(re.escape(m) for forms in data["months"].values() for m in sorted(forms, key=len, reverse=True))
    day, year = r"(?:[12]?\d|3[01])(?:\.|º|st|nd|rd|th)?", r"(?:1[89]|20)\d\d"
    of = r"(?:\s*,?\s+(?:de|of|del)\s+|\s*,?\s+)"
    month = rf"(?<!\w)(?:{months})(?!\w)"
    dates = re.compile(  # "24 de fevereiro de 2022", "24 февраля 2022 года", "February 24, 2022", "julho de 2024"
        rf"(?<!\d){day}{of}{month}(?:{of}{year}(?!\d))?|{month}{of}(?:{day}(?:,?\s*{year})?|{year})(?!\d)",
        re.IGNORECASE,
    )
    number_words = {w.lower(): int(v) for forms in data["number_words"].values() for w, v in forms.items()}
    return _Tables(exact, prefixes, phrase_re, scales, negations, not_negations, dates, number_words)


def script_language(text: str) -> str:
    """A guess at the language of a claim from its script and a few letters (when the article's is unknown)."""
    if re.search(r"[\u0900-\u097f]", text):
        return "hi"
    cyrillic = re.findall(r"[\u0400-\u04ff]", text)
    if cyrillic:
        return "ru" if re.search(r"[ыэё]", text, re.IGNORECASE) or not re.search(r"ъ", text) else "bg"
    if re.search(r"[ãõçâêáéíóú]|\b(?:não|que|de|do|da|os|as|em)\b", text, re.IGNORECASE):
        return "pt"
    return "en"


def _value(token: str) -> float | None:
    digits = re.sub(r"[ \u00a0\u202f]", "", token).rstrip(".,")
    seps = [i for i, ch in enumerate(digits) if ch in ".,"]
    if not seps:
        return float(digits)
    last = seps[-1]
    tail = digits[last + 1 :]
    if len(tail) == 3 and digits[:1] != "0" and (len(seps) == 1 or digits[seps[0]] == digits[last]):
        return float(re.sub(r"[.,]", "", digits))  # 5,762 / 1.500 / 1,000,000: thousands
    head = re.sub(r"[.,]", "", digits[:last])
    try:
        return float(f"{head}.{tail}")  # 1,5 / 11.6 / 1.234,5
    except ValueError:
        return None


def numbers_of(text: str) -> frozenset[float]:
    """The figures of `text` above SMALL, as values (6 significant digits); a number spelt out counts before a
    scale word ("quatro mil civis" = 4000)."""
    tables = _tables()
    scales = tables.scales
    found = set()
    starts: list[tuple[re.Match[str], float | None]] = [(m, _value(m.group())) for m in _NUMBER.finditer(text)]
    for m in _WORD.finditer(text):
        spelt = tables.number_words.get(m.group().lower())
        after = _AFTER.match(text, m.end()) if spelt else None
        if after is not None and after.group(1).lower() in scales:
            starts.append((m, float(spelt or 0)))
    for m, value in starts:
        if value is None:
            continue
        at = m.end()
        for _ in range(2):  # "1,5 mil milhões", "35 billion"
            word = _AFTER.match(text, at)
            if word is None or word.group(1).lower() not in scales:
                break
            value *= scales[word.group(1).lower()]
            at = word.end()
        if value > SMALL:
            found.add(float(f"{value:.6g}"))
    return frozenset(found)


def actors_of(text: str) -> Counter[str]:
    """Canonical actors named in `text`, with how often."""
    tables = _tables()
    found: Counter[str] = Counter()
    rest = text
    if tables.phrases is not None:
        for m in tables.phrases.finditer(text):
            found[tables.exact[m.group().lower()]] += 1
        rest = tables.phrases.sub(" ", text)
    for word in _WORD.findall(rest):
        bare = word.strip("'’.-")
        if bare in tables.exact or word in tables.exact:
            found[tables.exact.get(bare) or tables.exact[word]] += 1
            continue
        actor = _prefixed(bare.lower())
        if actor is None and "-" in bare:  # "Al-Qaeda", "pro-Russian"
            actor = next((a for part in bare.lower().split("-") if (a := _prefixed(part))), None)
        if actor is not None:
            found[actor] += 1
    return found


def without_dates(text: str) -> str:
    """`text` without its dates (a month name with its day and/or year): many claims about one event share the
    date, which says when, not what."""
    return _tables().dates.sub(" ", text)


@lru_cache(maxsize=200_000)  # a scan of every actor prefix: read each word once (12 ms a claim uncached)
def _prefixed(word: str) -> str | None:
    return next((actor for prefix, actor in _tables().prefixes if word.startswith(prefix)), None)


@lru_cache(maxsize=65536)  # a claim is compared with many others: read its facts once (callers never mutate them)
def facts_of(text: str, language: str | None = None) -> ClaimFacts:
    lang = (language or "").lower()[:2] or script_language(text)
    tables = _tables()
    negation = tables.negations.get(lang) or tables.negations["en"]
    negated = bool(negation.search(tables.not_negations.sub(" ", text)))
    return ClaimFacts(numbers_of(text), actors_of(text), negated)


def disagree(a: ClaimFacts, b: ClaimFacts) -> str | None:
    """Why two claims cannot be one ("numbers", "actors"), or None when nothing contradicts.

    Negation is weaker evidence (a paraphrase says "no longer" as "stopped"): the matcher weighs it.
    """
    if (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return "numbers"
    if (a.actors - b.actors) and (b.actors - a.actors):
        return "actors"
    return None
