"""What two claims must agree on to be one claim, in any of the five languages: figures, named actors, negation.

A paraphrase may drop a figure or a name, so a side with nothing the other lacks agrees; two sides that each
hold a figure (or actor) the other lacks assert different things: "60 terrorists" and "600 terrorists",
"the US recruits" and "Russia recruits". Figures are compared as values ("5,762" = "5762", "1,5 mil milhões"
= "1.5 billion", "23 लाख" = "2.3 million", "quatro mil" = "4000": a number spelt out counts before a scale word);
actors by a canonical name over their forms in each language (`narrascope/data/claims_agreement.json`). Figures 0
and 1 are left out ("one of them"). Dates (a month name with its day and/or year) are found here too, so that
matching does not read a shared date as shared wording (`without_dates`). Two claims that are one edited copy
of the other must also agree where the copy differs (`edited`): "the Russian pilot" is not "the Ukrainian pilot"
even when both sentences name both countries.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache
from importlib import resources
from itertools import takewhile

# a figure is not glued to a letter before it: "CO2", "G7" and "Su25" name things, they do not count them
_NUMBER = re.compile(r"(?<!\w)(?:(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.]\d)|\d[\d.,]*\d|\d)")
_MODEL = re.compile(r"(?<![\w-])[^\W\d_]{1,5}-(\d{1,4})(?![\d.,]?\d)")  # "F-16", "Су-34", "MiG-29"
_WORD = re.compile(r"[\w\u0900-\u097f'’.-]+", re.UNICODE)
_TOKEN = re.compile(rf"{_NUMBER.pattern}|{_WORD.pattern}", re.UNICODE)
_AFTER = re.compile(r"\s*([^\s\d.,;:!?()\"“”«»„]+)", re.UNICODE)
SMALL = 1.0  # figures up to this are not compared ("one of them")
NEAR_COPY = 0.7  # share of the shorter claim's words found, in order, in the other: an edited copy of it ...
COVERED = 0.35  # ... whose substituted phrases are compared when the shared words are also this share of the longer
PREDICATE = "predicate"
STEM = 4  # letters two forms of one word share at least ("plans" / "planned")
MAX_SWAPS = 2  # an edited copy changes a phrase or two; more substituted phrases are a rewording


@dataclass(frozen=True)
class ClaimFacts:
    """What a claim's wording commits to."""

    numbers: frozenset[float]
    actors: Counter[str]
    negated: bool
    text: str = ""  # the claim as written (the edited-copy check reads its words when it needs them)
    models: frozenset[float] = frozenset()  # figures that name a model ("F-16", "Су-34"): compared, but not evidence


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
    models = frozenset(float(m.group(1)) for m in _MODEL.finditer(text))
    return ClaimFacts(numbers_of(text), actors_of(text), negated, text, models)


_CONTENT_WORD = re.compile(r"[^\W\d_][\w\u0900-\u097f’'-]{3,}")  # four letters or more: a word with content
WORD_STEM = 5  # letters compared: "objetivo" / "objetivos", "смъртните" / "смъртни"


@lru_cache(maxsize=65536)
def content_stems(text: str) -> tuple[str, ...]:
    """The starts of `text`'s words of four letters or more, in order, negation words (of any of the languages)
    left out ("nunca", "няма"): what two claims must share some of to say the same thing in one language."""
    negations = _tables().negations.values()
    return tuple(w.lower()[:WORD_STEM] for w in _CONTENT_WORD.findall(text) if not any(n.search(w) for n in negations))


def shared_words(a: str, b: str) -> int:
    """How many content words (`content_stems`) `a` and `b` share."""
    return len(set(content_stems(a)) & set(content_stems(b)))


@lru_cache(maxsize=4096)  # a claim is aligned with its few near neighbours: a small cache, not a copy of each claim
def words_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """The words and figures of `text` in order (as written, lower case) and the set of the lower-case ones."""
    words = tuple(w.strip("'’.-\u0964\u0965") or w for w in _TOKEN.findall(text))  # "हैं।": the danda ends a sentence
    lower = tuple(w.lower() for w in words)
    return words, lower, frozenset(lower)


def disagree(a: ClaimFacts, b: ClaimFacts) -> str | None:
    """Why two claims cannot be one ("numbers", "actors", "negation", "predicate"), or None when nothing
    contradicts.

    Negation alone is weaker evidence (a paraphrase says "no longer" as "stopped"): the matcher weighs it. In an
    edited copy it is not (`edited`).
    """
    if (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return "numbers"
    if (a.actors - b.actors) and (b.actors - a.actors):
        return "actors"
    return edited(a, b)


def edited(a: ClaimFacts, b: ClaimFacts) -> str | None:
    """What an edited copy changed, or None: two claims that keep most of one's words in order and differ where
    it matters. "Russian pilot" / "Ukrainian pilot" ("actors": one actor in another's place), "10 to Russia,
    13 to Germany" / "13 to Russia, 10 to Germany" ("numbers"), "is no longer a precondition" / "remains a
    precondition" ("negation"), "approve plans" / "reject plans", "lose land" / "gain land" ("predicate": a
    phrase or two put in another's place, not dropped — a shortened copy says less, not something else).

    Which substituted words are synonyms is not known here: two wordings that swap one or two phrases for
    others in an otherwise identical sentence are taken for different claims.
    """
    (words_a, wa, set_a), (words_b, wb, set_b) = words_of(a.text), words_of(b.text)
    if not wa or not wb:
        return None
    short, other = (wa, set_b) if len(wa) <= len(wb) else (wb, set_a)
    shorter = len(short)
    if sum(w in other for w in short) < NEAR_COPY * shorter:
        return None  # cannot be an edited copy: too few of its words are in the other at all
    matcher = SequenceMatcher(None, wa, wb, autojunk=False)
    shared = sum(block.size for block in matcher.get_matching_blocks())
    if shared < NEAR_COPY * shorter:
        return None
    if a.negated != b.negated:
        return "negation"
    if shared < COVERED * max(len(wa), len(wb)):
        return None
    swaps, said_else = 0, False
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "replace":
            continue
        side_a, side_b = " ".join(words_a[i1:i2]), " ".join(words_b[j1:j2])
        actors_a, actors_b = set(actors_of(side_a)), set(actors_of(side_b))
        if actors_a and actors_b and actors_a != actors_b:
            return "actors"
        numbers_a, numbers_b = numbers_of(side_a), numbers_of(side_b)
        if numbers_a and numbers_b and numbers_a != numbers_b:
            return "numbers"
        content_a, content_b = _content(wa[i1:i2]), _content(wb[j1:j2])
        if (numbers_a and content_b <= 1) or (numbers_b and content_a <= 1):
            continue  # a figure written in words ("10" / "ten", "1,5" / "полтора")
        if _same_stem(wa[i1:i2], wb[j1:j2]):
            continue  # a word inflected or derived ("надценяване" / "надцени"): a rewording
        swaps += 1
        if content_a and content_b:
            said_else |= not i1 == j1 == 0  # the start of both is who speaks ("PM said" / "He said")
    return PREDICATE if said_else and swaps <= MAX_SWAPS else None


def _same_stem(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether a word of `a` and a word of `b` are one word in two forms: they start alike, STEM letters or
    more and most of the shorter ("plans" / "planned", "надценяване" / "надцени")."""
    for x in a:
        for y in b:
            common = sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(x, y, strict=False)))
            if common >= STEM and common >= 0.6 * min(len(x), len(y)):
                return True
    return False


def _content(words: Sequence[str]) -> int:
    """How many of `words` carry meaning: four letters or more, not a figure."""
    return sum(len(w) >= 4 and not w[0].isdigit() for w in words)
