"""The central document object.

An `Article` keeps the raw text exactly as stored (the SemEval formats count offsets into it), a cleaned text
without scraping boilerplate, and an `OffsetMap` from clean offsets back to raw ones. Every span that
narrascope reports is a `Span` into `raw_text`, so it can be highlighted in the original.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """A half-open character range `[start, end)` into an article's raw text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span ({self.start}, {self.end}): need 0 <= start <= end")

    def text_in(self, raw_text: str) -> str:
        return raw_text[self.start : self.end]


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in the clean text back to the raw text.

    The clean text is a concatenation of verbatim slices of the raw text; `blocks` holds one
    `(clean_start, raw_start, length)` triple per slice, sorted by `clean_start`.
    """

    blocks: tuple[tuple[int, int, int], ...] = ()

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls(((0, 0, length),) if length else ())

    @classmethod
    def from_slices(cls, slices: list[tuple[int, int]]) -> OffsetMap:
        """Build the map from the raw `(start, end)` slices that make up the clean text, in order."""
        blocks: list[tuple[int, int, int]] = []
        clean = 0
        for start, end in slices:
            length = end - start
            if length <= 0:
                continue
            if blocks and blocks[-1][1] + blocks[-1][2] == start:  # contiguous: merge
                c0, r0, n0 = blocks[-1]
                blocks[-1] = (c0, r0, n0 + length)
            else:
                blocks.append((clean, start, length))
            clean += length
        return cls(tuple(blocks))

    @property
    def clean_length(self) -> int:
        if not self.blocks:
            return 0
        c0, _, n0 = self.blocks[-1]
        return c0 + n0

    def to_raw(self, clean_offset: int) -> int:
        """Raw offset of the character at `clean_offset` (the clean end maps past the last block)."""
        if not self.blocks:
            if clean_offset == 0:
                return 0
            raise IndexError(f"offset {clean_offset} outside an empty clean text")
        if clean_offset < 0 or clean_offset > self.clean_length:
            raise IndexError(f"offset {clean_offset} outside the clean text (length {self.clean_length})")
        index = bisect.bisect_right(self._starts, clean_offset) - 1
        c0, r0, n0 = self.blocks[index]
        if clean_offset == c0 + n0:  # only possible for the very end
            return r0 + n0
        return r0 + (clean_offset - c0)

    def span_to_raw(self, start: int, end: int) -> Span:
        """Raw span of the clean range `[start, end)`; the end maps from its last character, so a range never
        swallows a removed block that follows it."""
        if end <= start:
            raw = self.to_raw(start)
            return Span(raw, raw)
        return Span(self.to_raw(start), self.to_raw(end - 1) + 1)

    @functools.cached_property
    def _starts(self) -> list[int]:
        # Built once per map, not once per lookup: an article with many removed lines has many blocks.
        return [b[0] for b in self.blocks]

    def prefix(self, length: int) -> OffsetMap:
        """The map of the first `length` characters of the clean text (for a truncated article)."""
        kept = []
        for c0, r0, n0 in self.blocks:
            if c0 >= length:
                break
            kept.append((c0, r0, min(n0, length - c0)))
        return OffsetMap(tuple(kept))

    def to_list(self) -> list[list[int]]:
        return [list(block) for block in self.blocks]

    @classmethod
    def from_list(cls, data: list[list[int]]) -> OffsetMap:
        return cls(tuple((int(c), int(r), int(n)) for c, r, n in data))


def content_id(raw_text: str) -> str:
    """A stable id for an article with none given: the first 16 hex digits of the SHA-256 of its raw text."""
    return hashlib.sha256(raw_text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Article:
    """One news article: raw text as stored, clean text, offset map and metadata.

    `text` and `offsets` start as a copy of the raw text; the cleaning component replaces them.
    """

    raw_text: str
    id: str = ""
    title: str | None = None
    text: str | None = None
    offsets: OffsetMap | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    cited_sources: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            self.id = content_id(self.raw_text)
        if self.text is None:
            self.text = self.raw_text
            self.offsets = OffsetMap.identity(len(self.raw_text))
        elif self.offsets is None:
            raise ValueError("an Article given a clean text needs its offset map too")

    @property
    def clean_text(self) -> str:
        return self.text if self.text is not None else self.raw_text

    @property
    def offset_map(self) -> OffsetMap:
        return self.offsets if self.offsets is not None else OffsetMap.identity(len(self.raw_text))

    def raw_span(self, clean_start: int, clean_end: int) -> Span:
        """The raw span of a range of the clean text."""
        return self.offset_map.span_to_raw(clean_start, clean_end)
