"""Technique classification of a given span: TF-IDF of the span and its sentence, plus shape features.

The span's words (1-2-grams) and characters (2-5-grams) say most (`Loaded_Language` is one or two
charged words, `Slogans` are short imperatives, `Doubt` questions); the sentence around it adds the context
(`Appeal_to_Authority` near "said"); hand features catch what n-grams cannot: length, a whole sentence,
punctuation, and how often the same words occur in the article and among its given spans
(`Repetition`). Multinomial logistic regression; a span given twice gets its best two distinct labels.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from narrascope.learn.linear import FeatureConfig, TextFeaturizer

SPAN_FEATURES = FeatureConfig(
    word_ngram=(1, 2), char_ngram=(2, 5), min_df=2, word_max_features=20_000, char_max_features=30_000,
    title_repeat=0,
)  # fmt: skip
CONTEXT_FEATURES = FeatureConfig(
    word_ngram=(1, 1), min_df=2, word_max_features=10_000, char_weight=0.0, word_weight=0.5, title_repeat=0
)
N_DENSE = 12
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SpanInput:
    """A span to classify: its article's text and its offsets (and how often its text is given as a span)."""

    text: str
    start: int
    end: int
    given_same: int = 1  # spans of the article with the same lowercased text


def context_of(text: str, start: int, end: int) -> str:
    """The line(s) the span sits in, without the span itself."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    return text[left:start] + " " + text[end:right]


def dense_features(span: SpanInput, article_counts: Counter[str] | None = None) -> list[float]:
    words = span.text[span.start : span.end]
    lowered = words.lower().strip()
    tokens = WORD.findall(lowered)
    occurrences = span.text.lower().count(lowered) if lowered else 0
    left = span.text.rfind("\n", 0, span.start) + 1
    right = span.text.find("\n", span.end)
    right = len(span.text) if right < 0 else right
    line = span.text[left:right].strip()
    letters = [c for c in words if c.isalpha()]
    return [
        math.log1p(len(words)) / 6,
        math.log1p(len(tokens)) / 4,
        min(occurrences - 1, 5) / 5 if occurrences > 0 else 0.0,
        min(span.given_same - 1, 5) / 5,
        1.0 if line and len(words.strip()) >= 0.9 * len(line) else 0.0,
        1.0 if "!" in words else 0.0,
        1.0 if "?" in words else 0.0,
        1.0 if any(q in words for q in '"“”') else 0.0,
        sum(c.isupper() for c in letters) / len(letters) if letters else 0.0,
        1.0 if words[:1].isupper() else 0.0,
        1.0 if len(tokens) <= 2 else 0.0,
        1.0 if "?" in line else 0.0,
    ]


class SpanFeaturizer:
    """Span TF-IDF + context TF-IDF + dense features."""

    def __init__(self, span_block: TextFeaturizer | None = None, context_block: TextFeaturizer | None = None) -> None:
        self.span_block = span_block or TextFeaturizer(SPAN_FEATURES)
        self.context_block = context_block or TextFeaturizer(CONTEXT_FEATURES)

    def _parts(self, spans: Sequence[SpanInput]) -> tuple[list[str], list[str], np.ndarray]:
        texts = [s.text[s.start : s.end] for s in spans]
        contexts = [context_of(s.text, s.start, s.end) for s in spans]
        dense = np.array([dense_features(s) for s in spans], dtype=np.float32).reshape(len(spans), N_DENSE)
        return texts, contexts, dense

    def fit_transform(self, spans: Sequence[SpanInput]) -> sp.csr_matrix:
        texts, contexts, dense = self._parts(spans)
        return sp.hstack(
            [self.span_block.fit_transform(texts), self.context_block.fit_transform(contexts), sp.csr_matrix(dense)],
            format="csr",
        )

    def transform(self, spans: Sequence[SpanInput]) -> sp.csr_matrix:
        texts, contexts, dense = self._parts(spans)
        return sp.hstack(
            [self.span_block.transform(texts), self.context_block.transform(contexts), sp.csr_matrix(dense)],
            format="csr",
        )


def with_given_counts(text: str, offsets: Sequence[tuple[int, int]]) -> list[SpanInput]:
    """SpanInputs for the given spans of one article, counting spans with the same lowercased text."""
    keys = [text[s:e].lower().strip() for s, e in offsets]
    counts = Counter(keys)
    return [SpanInput(text, s, e, counts[k]) for (s, e), k in zip(offsets, keys, strict=True)]


def assign_labels(
    probabilities: np.ndarray, keys: Sequence[tuple[int, int]], labels: Sequence[str]
) -> list[tuple[str, float]]:
    """The best label per span; the k-th copy of the same (start, end) gets the k-th best distinct label."""
    seen: Counter[tuple[int, int]] = Counter()
    out = []
    for row, key in zip(probabilities, keys, strict=True):
        rank = seen[key]
        seen[key] += 1
        order = np.argsort(-row)
        index = int(order[min(rank, len(order) - 1)])
        out.append((labels[index], float(row[index])))
    return out


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return result
