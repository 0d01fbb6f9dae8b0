"""Capitalised spans: proper names in languages that capitalise them (Bulgarian, Portuguese, Russian).

A name is a run of capitalised words, joined by single spaces or hyphens, possibly through the lower-case
particles of names ("Ursula von der Leyen", "Luiz Inácio Lula da Silva"); an acronym (НАТО, ВСУ, EUA) is a name
on its own. The first word of a sentence is capitalised anyway: it starts a name only when the same word (any
inflection) is capitalised elsewhere in the article inside a sentence, or when it is an acronym.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from narrascope.entities.detection.gazetteer import Token, text_gap
from narrascope.entities.detection.words import is_acronym, stem

PARTICLES = frozenset("de da do dos das e von der van den del la di bin al ibn фон дер ван де ди аль бен".split())
MAX_ACRONYM = 6  # longer upper-case words are shouted headlines, not acronyms
_SENTENCE_BREAK = re.compile(r"[.!?:;…\n\"«»“”„—–-]\s*$")


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (not is_acronym(word) or len(word) <= MAX_ACRONYM)


def _sentence_initial(text: str, tokens: Sequence[Token], i: int) -> bool:
    before = text[max(0, tokens[i][0] - 4) : tokens[i][0]] if i else ""
    return i == 0 or (not before.strip() and "\n" in before) or bool(_SENTENCE_BREAK.search(before))


def capitalised_spans(text: str, tokens: Sequence[Token], language: str) -> list[tuple[int, int]]:
    """(start, end) of capitalised names in `text`, whose `tokens` are given."""
    initial = [_sentence_initial(text, tokens, i) for i in range(len(tokens))]
    inside = {
        stem(w, language) for (_, _, w), first in zip(tokens, initial, strict=True) if not first and w[:1].isupper()
    }
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        word = tokens[i][2]
        if not _capitalised(word) or word.isdigit():
            i += 1
            continue
        if initial[i] and not is_acronym(word) and stem(word, language) not in inside:
            i += 1  # a sentence's first word: capitalised because it comes first
            continue
        j = i
        while j + 1 < len(tokens) and not text_gap(tokens, j):
            nxt = tokens[j + 1][2]
            if _capitalised(nxt) and not nxt.isdigit():
                j += 1
            elif (nxt.casefold() in PARTICLES and j + 2 < len(tokens) and _capitalised(tokens[j + 2][2])
                  and not text_gap(tokens, j + 1)):  # fmt: skip
                j += 2
            else:
                break
        if len(word) > 1 or j > i:
            spans.append((tokens[i][0], tokens[j][1]))
        i = j + 1
    return spans
