"""Russian named entities from `natasha` (MIT): its news NER model (slovnet, navec embeddings) ships inside the
wheel, so nothing is downloaded. ~25 ms an article on one core; loading takes ~2 s once per process. Without
`natasha` the Russian detector falls back to capitalised spans and the gazetteer."""

from __future__ import annotations

from functools import cache
from typing import Any

from narrascope.learn.blas import one_blas_thread

NATASHA_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
MAX_CHARS = 100_000  # characters given to the tagger at once (longer texts are read in pieces)


@cache
def _natasha() -> tuple[Any, Any] | None:
    try:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter
    except ImportError:
        return None
    return Segmenter(), NewsNERTagger(NewsEmbedding())


def natasha_available() -> bool:
    return _natasha() is not None


def russian_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of natasha's people, organisations and places; [] without natasha."""
    loaded = _natasha()
    if loaded is None:
        return []
    _, tagger = loaded
    found = []
    for offset in range(0, len(text), MAX_CHARS):
        piece = text[offset : offset + MAX_CHARS]
        if not piece.strip():  # what natasha's `Doc.tag_ner` does with an empty text
            continue
        # the tagger alone, as `Doc.tag_ner` calls it: the `Doc`'s own tokens and sentences (`Doc.segment`, a
        # sixth of the time) are not read
        with one_blas_thread():
            spans = tagger(piece).spans
        found += [
            (offset + s.start, offset + s.stop, NATASHA_TYPES[s.type])
            for s in spans
            if s.type in NATASHA_TYPES and "\n" not in piece[s.start : s.stop]
        ]
    return found
