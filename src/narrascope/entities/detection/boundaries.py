"""Mention boundaries every detector's spans are cut to, in every language.

- A mention never crosses a line break or a conjunction ("North Caucasus and" -> "North Caucasus"; "Putin and
  Biden" are two mentions), and never starts or ends on a conjunction or a name particle ("Ursula von der" +
  "Leyen", the NER's two pieces, are one mention again).
- A headline (a line most of whose words are capitalised) capitalises every word: there a span keeps only the
  runs of words the article's body also writes capitalised ("Zelensky Emerges" -> "Zelensky"; "Biden Macron
  Meet" -> "Biden", "Macron"). When the body names none of its words the span is kept as it is.
- Two persons of the alias table side by side, a comma missing, are two mentions ("Since Biden Macron and Leyen
  have ..." -> "Biden", "Macron"): a span that is no actor of the table as a whole, each of whose words is a
  person of the table, a different one each.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from narrascope.entities.detection.words import WORD

CONJUNCTIONS = frozenset("and or & и или й e ou और या तथा एवं".split())
PARTICLES = frozenset("de da do dos das von der van den del la di bin al ibn фон дер ван де ди аль бен".split())
HEADLINE_SHARE = 0.6  # share of capitalised words above which a line is a headline
Mention = tuple[int, int, str]
_LINE = re.compile(r"[^\n]+")


def _headline_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines written in title case (three words or more, not sentences: no full stop)."""
    lines = []
    for m in _LINE.finditer(text):
        if ". " in m.group() or m.group().rstrip().endswith("."):
            continue
        words = [w for w in WORD.findall(m.group()) if w[:1].isalpha()]
        if len(words) >= 3 and sum(w[:1].isupper() for w in words) / len(words) >= HEADLINE_SHARE:
            lines.append((m.start(), m.end()))
    return lines


def _body(text: str, headlines: Sequence[tuple[int, int]]) -> tuple[str, set[str]]:
    """The text outside its headlines, and the words it writes capitalised not first in their sentence."""
    parts, cursor = [], 0
    for start, end in [*headlines, (len(text), len(text))]:
        parts.append(text[cursor:start])
        cursor = end
    body = "\n".join(parts)
    words = set()
    for m in WORD.finditer(body):
        before = body[max(0, m.start() - 3) : m.start()].strip()
        if m.group()[:1].isupper() and before and before[-1] not in ".!?:\"«“'":
            words.add(m.group())
    return body, words


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span cut at line breaks and conjunctions, each piece without leading or trailing name particles; a
    span that needs no cut is returned as it is."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    pieces: list[list[tuple[int, int]]] = [[]]
    for s, e in words:
        if text[s:e].casefold() in CONJUNCTIONS:
            pieces.append([])
            continue
        if pieces[-1] and "\n" in text[pieces[-1][-1][1] : s]:
            pieces.append([])
        pieces[-1].append((s, e))
    if len(pieces) == 1 and words and not {text[s:e].casefold() for s, e in (words[0], words[-1])} & PARTICLES:
        return [(start, end)]
    out = []
    for piece in pieces:
        while piece and text[piece[-1][0] : piece[-1][1]].casefold() in PARTICLES:
            piece.pop()
        while len(piece) > 1 and text[piece[0][0] : piece[0][1]].casefold() in PARTICLES:
            piece.pop(0)
        if piece:
            out.append((piece[0][0], piece[-1][1]))
    return out


def _headline_cut(text: str, start: int, end: int, body: str, capitalised: set[str]) -> list[tuple[int, int]]:
    """The runs of the span's words that the body writes capitalised; two such words stay one name only when
    the body writes them side by side. The whole span when the body names none of its words."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    if len(words) < 2 or text[start:end] in body or not any(text[s:e] in capitalised for s, e in words):
        return [(start, end)]
    runs: list[tuple[int, int]] = []
    previous = -1
    for i, (s, e) in enumerate(words):
        if text[s:e] not in capitalised:
            continue
        if runs and previous == i - 1 and text[runs[-1][0] : e] in body:
            runs[-1] = (runs[-1][0], e)
        else:
            runs.append((s, e))
        previous = i
    return runs


def tidy(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions cut to the boundaries above (offsets into `text`), in order, without duplicates."""
    headlines = _headline_lines(text)
    body, capitalised = _body(text, headlines) if headlines else (text, set())
    merged = _rejoin_particles(text, sorted(mentions))
    out: dict[tuple[int, int], str] = {}
    for start, end, label in merged:
        for s, e in _pieces(text, start, end):
            in_headline = any(a <= s and e <= b for a, b in headlines)
            for s2, e2 in _headline_cut(text, s, e, body, capitalised) if in_headline else [(s, e)]:
                for s3, e3 in _actors_side_by_side(text, s2, e2):
                    out.setdefault((s3, e3), label)
    return [(s, e, label) for (s, e), label in sorted(out.items())]


def _actors_side_by_side(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span's words, when each is a different person of the alias table and the whole span is no actor; else
    the span (pairs of countries or organisations are left to the detectors)."""
    words = [(m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    if len(words) < 2:
        return [(start, end)]
    from narrascope.entities.actors import (
        latin_table_actor,
        table_type,
    )  # actors reads the table through names: no cycle here

    actors = [latin_table_actor(text[s:e]) for s, e in words]
    if None in actors or len(set(actors)) < len(actors) or latin_table_actor(text[start:end]) is not None:
        return [(start, end)]
    return words if all(table_type(a) == "PERSON" for a in actors if a is not None) else [(start, end)]


def _rejoin_particles(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """ "Ursula von der" + "Leyen" -> one mention: a span ending on a name particle, the next one a space on."""
    out: list[Mention] = []
    for start, end, label in mentions:
        if out:
            s0, e0, l0 = out[-1]
            last = WORD.findall(text[s0:e0])
            if last and last[-1].casefold() in PARTICLES and text[e0:start] == " ":
                out[-1] = (s0, end, l0)
                continue
        out.append((start, end, label))
    return out
