"""Sentence segmentation with raw offsets.

Rules rather than a model: news paragraphs are one line each, so sentences never cross a line break, and
within a line the usual end marks (. ! ? … and the Devanagari danda) end a sentence unless they close an
abbreviation, an initial or a number. Every sentence maps to one verbatim raw slice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_BOUNDARY = re.compile(
    r"""(?<![.!?\u2026\u0964\u0965])           # a run of end marks is tried once, from its start (linear time)
        (?P<end>[.!?\u2026\u0964\u0965]+)       # end marks
        (?P<close>["'\u201d\u2019\u00bb)\]]*)   # closing quotes or brackets
        (?=\s+["'\u201c\u2018\u00ab(\[]?[^\s\w]*[\w\u0900-\u097f])  # then space and the next sentence
    """,
    re.VERBOSE,
)
_LINE = re.compile(r"[^\r\n]+")
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr adm gov sen rep pres amb rev hon
    inc ltd co corp plc llc dept univ no nos vol fig art sec ch pp approx est vs etc al e.g i.e cf
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u u.s.a d.c a.m p.m
    г гг т.е т.д т.п др им ул стр руб млн млрд тыс проф акад ген напр sra dra av nº""".split()
)


def _ends_abbreviation(text: str, dot_index: int) -> bool:
    """Whether the period at `dot_index` closes an abbreviation, an initial or a number."""
    start = dot_index
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"'\u201c":
        start -= 1
    token = text[start:dot_index].lower()
    if not token:
        return False
    if token in ABBREVIATIONS or token.rstrip(".") in ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isalpha():  # an initial: "J. Smith"
        return True
    return bool(re.fullmatch(r"(?:[a-zа-я]\.)+[a-zа-я]", token))  # "e.g", "u.s.a"


def split_sentences(text: str) -> Iterator[tuple[int, int]]:
    """`(start, end)` of each sentence in `text`, stripped of surrounding whitespace."""
    for line in _LINE.finditer(text):
        line_text, base = line.group(), line.start()
        start = 0
        for m in _BOUNDARY.finditer(line_text):
            if m.group("end") == "." and _ends_abbreviation(line_text, m.start("end")):
                continue
            yield from _stripped(line_text, base, start, m.end())
            start = m.end()
        yield from _stripped(line_text, base, start, len(line_text))


def _stripped(line_text: str, base: int, start: int, end: int) -> Iterator[tuple[int, int]]:
    piece = line_text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    if right > left:
        yield base + start + left, base + start + right
