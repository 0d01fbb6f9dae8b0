"""Russian named entities from `natasha` (MIT): its news NER model (slovnet, navec embeddings) ships inside the
wheel, so nothing is downloaded. ~25 ms an article on one core; loading takes ~0.3 s once per process. Without
`natasha` the Russian detector falls back to capitalised spans and the gazetteer."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from narrascope.learn.blas import one_blas_thread

NATASHA_TYPES = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
NATASHA_EMBEDDING = "navec_news_v1_1B_250K_300d_100q.tar"  # natasha's `NEWS_EMBEDDING` and `NEWS_NER`
NATASHA_NER = "slovnet_ner_news_v1.tar"
MAX_CHARS = 100_000  # characters given to the tagger at once (longer texts are read in pieces)


@cache
def _natasha() -> Any | None:
    """natasha's news NER tagger (slovnet's NER with the navec news embedding), loaded lean: `NewsNERTagger` as
    natasha builds it, without importing natasha itself (its morphology, syntax and extractors), and with only
    the two arrays of the embedding the tagger reads (its product-quantised codes and each word's code indexes):
    navec's word list and its similarity tables (a third and a half of natasha's ~1 s load) are left out."""
    try:
        import importlib.util

        from navec.meta import Meta
        from navec.tar import Tar
        from slovnet import NER
    except ImportError:
        return None
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(next(iter(spec.submodule_search_locations)), "data")
    with Tar(str(data / "emb" / NATASHA_EMBEDDING)) as tar:
        meta = Meta.from_file(tar.load("meta.json"))
        Meta.check_protocol(meta.protocol)
        file = tar.load("pq.bin")  # read as `PQ.from_file` reads it, without `PQ.precompute`'s tables
        vectors, _, qdim, centroids = (int(n) for n in np.frombuffer(file.read(16), np.uint32))
        indexes = np.frombuffer(file.read(vectors * qdim), np.uint8).reshape(vectors, qdim)
        codes = np.frombuffer(file.read(), np.float32).reshape(qdim, centroids, -1)
    embedding = SimpleNamespace(meta=meta, pq=SimpleNamespace(indexes=indexes, codes=codes))
    tagger = NER.load(str(data / "model" / NATASHA_NER)).navec(embedding)
    crf = tagger.infer.model.head.crf
    crf.decode = partial(viterbi, crf.transitions.array)  # slovnet's decoding, the same tags in less time
    return tagger


def viterbi(transitions: np.ndarray, emissions: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
    """slovnet's `CRF.decode`, the same arithmetic in the same order: each step's best scores read with `max`
    instead of gathered at the `argmax` (the same values), and the path followed back over Python ints."""
    batch_size, seq_len, _ = emissions.shape
    emissions = emissions.swapaxes(1, 0)
    mask = mask.swapaxes(1, 0)
    history = []
    score = emissions[0]  # batch x tags
    for index in range(1, seq_len):
        step = score[:, :, None] + transitions + emissions[index][:, None, :]  # batch x tags x tags
        history.append(step.argmax(-2))
        score = np.where(mask[index][:, None], step.max(-2), score)
    sizes = (mask.sum(0) - 1).tolist()
    back = np.stack(history).swapaxes(0, 1).tolist() if history else [[] for _ in range(batch_size)]
    batch = []
    for row in range(batch_size):
        best = int(score[row].argmax())
        tags = [best]
        for indexes in reversed(back[row][: sizes[row]]):
            best = indexes[best]
            tags.append(best)
        tags.reverse()
        batch.append(np.array(tags))
    return batch


def natasha_available() -> bool:
    return _natasha() is not None


def russian_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of natasha's people, organisations and places; [] without natasha."""
    tagger = _natasha()
    if tagger is None:
        return []
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
