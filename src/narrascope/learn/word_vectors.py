"""A cheap multilingual meaning: e5 distilled into static word vectors (`learn/artifacts/words/`).

The 35,840 most frequent words of the SemEval-2025 Task 10 train and unlabeled articles (five languages) were
each embedded on their own by multilingual e5, centred per language and reduced by PCA
(`benchmarks/build_word_vectors.py`, the model2vec recipe over our own 4-bit e5). A text is the normalised mean
of its words' vectors, each weighted by its smooth inverse frequency in its language: a dictionary look-up per
word instead of a transformer run. A word the vocabulary lacks takes the vector of the most frequent known word
sharing its longest prefix (at least 4 letters and 60 % of its length: "террористов" -> "террористы"), else it
is left out. The narrative evidence scorer reads them (`narratives/evidence.py`). Claim grouping was measured
with them and does not use them: it chained unrelated claims across the corpus (docs/claims.md).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

WORD = re.compile(r"[\w\u0900-\u097f]+")
_MIN_PREFIX = 4
_PREFIX_CANDIDATES = 8  # known words sharing a prefix, of which the most frequent stands for an unknown word


@dataclass(frozen=True)
class WordVectors:
    index: dict[str, int]
    vectors: np.ndarray  # one unit row per word (float32)
    weight: np.ndarray  # SIF weight per word
    ordered: list[str]  # the words, sorted: what shares a prefix is found by bisection

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    def lookup(self, word: str) -> int | None:
        """The row of `word` (lower-case); else of the most frequent known word sharing its longest prefix (of at
        least 4 letters and 60 % of the word: "террористов" -> "террористы"); None when unknown."""
        row = self.index.get(word)
        if row is not None or len(word) <= _MIN_PREFIX:
            return row
        shortest = max(_MIN_PREFIX, -(-len(word) * 6 // 10))
        for end in range(len(word) - 1, shortest - 1, -1):
            prefix = word[:end]
            at = bisect.bisect_left(self.ordered, prefix)
            found = [w for w in self.ordered[at : at + _PREFIX_CANDIDATES] if w.startswith(prefix)]
            if found:
                return min((self.index[w] for w in found), key=lambda r: (self.weight[r], r))
        return None

    def rows(self, text: str) -> list[int]:
        """The vocabulary rows of the words of `text`, in order (unknown words and digits left out)."""
        found = []
        for word in WORD.findall(text.lower()):
            if word.isdigit():
                continue
            row = self.lookup(word)
            if row is not None:
                found.append(row)
        return found


@cache
def word_vectors() -> WordVectors:
    folder = resources.files("narrascope.learn").joinpath("artifacts/words")
    with folder.joinpath("vectors.npz").open("rb") as handle:
        data = np.load(handle)
        quantised, scale, weight = data["vectors"], data["scale"], data["weight"]
    vectors = quantised.astype(np.float32) * scale.astype(np.float32)[:, None]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    words = folder.joinpath("vocabulary.txt").read_text("utf-8").split("\n")[: len(vectors)]
    return WordVectors({w: i for i, w in enumerate(words)}, vectors, weight.astype(np.float32), sorted(words))


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised row per text (a text with no known word is a zero row)."""
    table = word_vectors()
    out = np.zeros((len(texts), table.dims), np.float32)
    for n, text in enumerate(texts):
        rows = table.rows(text)
        if not rows:
            continue
        vector = table.weight[rows] @ table.vectors[rows]
        norm = float(np.linalg.norm(vector))
        if norm > 0:
            out[n] = vector / norm
    return out
