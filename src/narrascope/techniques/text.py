"""Tokens and sentences of an article for the technique models, with character offsets.

Both models cut the text themselves, the same way in training and at inference, so that a model's
features never depend on which pipeline components ran before it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“(]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    sentence: int  # index of its sentence
    position: int  # index within its sentence


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Sentences as (start, end) offsets, cut at line breaks and at end punctuation before a capital."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        if text[start : match.start()].strip():
            bounds.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def tokenize(text: str) -> tuple[list[Token], list[tuple[int, int]]]:
    """Tokens (with their sentence) and the sentence bounds."""
    bounds = sentence_bounds(text)
    starts = [s for s, _ in bounds]
    tokens: list[Token] = []
    previous = -1
    position = 0
    for match in TOKEN.finditer(text):
        sentence = max(bisect_right(starts, match.start()) - 1, 0)
        position = position + 1 if sentence == previous else 0
        previous = sentence
        tokens.append(Token(match.start(), match.end(), match.group(), sentence, position))
    return tokens, bounds


@lru_cache(maxsize=65536)
def shape(word: str) -> str:
    """`Xxxx`, `xx`, `XX`, `dd` ... with runs collapsed."""
    out: list[str] = []
    for char in word:
        kind = "X" if char.isupper() else "x" if char.islower() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:6]


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping spans merged into one, sorted (as the task scorer does before scoring)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


QUOTES = frozenset('"“”«»')  # quote marks: quoted words and sentences are features of both span models


# Words that never make a technique span on their own (with punctuation and one short token).
STOP_WORDS = frozenset(
    "a an the to of in on at by for from with and or but nor so as is are was were be been being it its this that "
    "these those he she they we you i me him her them us his their our your my not no do does did has have had "
    "will would can could should may might must shall than then there here which who whom whose what when where "
    "why how all any some such also just only very".split()
)
MIN_SINGLE_TOKEN = 4


WORD = re.compile(r"\w+(?:['’]\w+)*")


def span_words(text: str) -> int:
    return len(WORD.findall(text))


def is_noise_span(text: str) -> bool:
    """A span made only of stop-words and punctuation, or of one short token: never shown."""
    words = WORD.findall(text.lower())
    if not words or all(w in STOP_WORDS for w in words):
        return True
    return len(words) == 1 and len(words[0]) < MIN_SINGLE_TOKEN
