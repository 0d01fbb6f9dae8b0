"""What ranks the technique spans: a sentence model and a span scorer.

The token model decides where spans are, but the mean probability of a span's tokens ranks spans badly
(a lone "distant" scored like a loaded phrase), so the spans shown by default were few. Two small linear
models fix the ranking:

- the sentence model: P(this sentence holds a technique span), a logistic regression over the sentence's
  hashed words and bigrams. Its probability is a feature of every token of the sentence and of every span.
- the span scorer: P(a character of this span is inside a gold span), the SI precision credit, from
  features of the decoded span (its token probabilities, length, stop-words, its sentence and article,
  quotes, capitals, repetition). A logistic regression over standardized features, fitted with the credit
  as a soft label on spans decoded from out-of-fold token probabilities of the training articles.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

from narrascope.errors import ModelError
from narrascope.techniques.text import QUOTES, STOP_WORDS, WORD, Token

SENTENCE_HASH_BITS = 18
_SENTENCE_HASHER = FeatureHasher(n_features=2**SENTENCE_HASH_BITS, input_type="string", alternate_sign=False)

# the span scorer's inputs, in order (stored with the model and checked on load)
SPAN_FEATURES = (
    "mean_p", "max_p", "min_p", "first_p", "last_p", "left_p", "right_p",
    "log_tokens", "one_word", "words", "stop_share", "sentence_p", "sentence_max_p", "headline",
    "position", "article_mean_p", "article_high_share", "quote", "exclamation", "capital_share",
    "log_chars", "longest_word", "repetition",
    "mean_p^2", "max_p^2", "min_p^2", "first_p^2", "last_p^2", "left_p^2", "right_p^2",
    "mean_p*sentence_p", "mean_p*one_word", "max_p*one_word",
)  # fmt: skip
T = TypeVar("T")


# the sentence model ------------------------------------------------------------------------------------------
def sentence_matrix(tokens: Sequence[Token], sentences: int) -> sp.csr_matrix:
    """One row per sentence: its lower-cased words and bigrams, its length, whether it is the headline."""
    words: list[list[str]] = [[] for _ in range(sentences)]
    for token in tokens:
        words[token.sentence].append(token.text.lower())
    features = [
        ["b", f"len={min(len(w) // 5, 8)}", *(["head"] if i == 0 else [])]
        + ["u=" + x for x in w]
        + ["bi=" + x + "|" + y for x, y in pairwise(w)]
        for i, w in enumerate(words)
    ]
    if not features:
        return sp.csr_matrix((0, 2**SENTENCE_HASH_BITS), dtype=np.float32)
    return sp.csr_matrix(_SENTENCE_HASHER.transform(features), dtype=np.float32)


def sentence_labels(tokens: Sequence[Token], token_labels: np.ndarray, sentences: int) -> np.ndarray:
    """1 for a sentence with at least one token inside a gold span."""
    labels = np.zeros(sentences, dtype=np.int8)
    for token, label in zip(tokens, token_labels, strict=True):
        labels[token.sentence] |= int(label)
    return labels


def fit_logistic(
    matrices: Sequence[sp.csr_matrix], labels: Sequence[np.ndarray], *, c: float
) -> tuple[np.ndarray, float]:
    """L2 logistic regression over stacked sparse rows: (weights, bias)."""
    y = np.concatenate(list(labels))
    if len(set(y.tolist())) < 2:
        raise ModelError("span training needs tokens both inside and outside technique spans")
    model = LogisticRegression(C=c, solver="liblinear", max_iter=200)
    model.fit(sp.vstack(list(matrices), format="csr"), y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def sigmoid(scores: np.ndarray) -> np.ndarray:
    probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-np.asarray(scores, dtype=np.float64)))
    return probabilities


def out_of_fold(
    items: Sequence[T], folds: int, seed: int, fit_and_predict: Callable[[list[T], list[T]], list[np.ndarray]]
) -> list[np.ndarray]:
    """Predictions for every item by a model fitted without its fold (in-sample when there are too few items
    for `folds` folds of two), so that stacked features look at training time as they will at inference."""
    if len(items) < 2 * folds:
        return fit_and_predict(list(items), list(items))
    fold_of = np.random.default_rng(seed).permutation(len(items)) % folds
    out: list[np.ndarray] = [np.zeros(0)] * len(items)
    for fold in range(folds):
        held = [i for i in range(len(items)) if fold_of[i] == fold]
        train = [items[i] for i in range(len(items)) if fold_of[i] != fold]
        for i, predicted in zip(held, fit_and_predict(train, [items[i] for i in held]), strict=True):
            out[i] = predicted
    return out


# the span scorer ---------------------------------------------------------------------------------------------
def span_features(
    text: str,
    tokens: Sequence[Token],
    token_probabilities: np.ndarray,
    sentence_probabilities: np.ndarray,
    spans: Sequence[tuple[int, int]],
) -> np.ndarray:
    """One row of SPAN_FEATURES per span (start, end): each span must start and end on token bounds."""
    p = token_probabilities
    n = len(tokens)
    sentences = len(sentence_probabilities)
    sentence_max = np.zeros(max(sentences, 1))
    np.maximum.at(sentence_max, [t.sentence for t in tokens], p)
    article_mean = float(p.mean()) if n else 0.0
    article_high = float((p >= 0.3).mean()) if n else 0.0
    counts = Counter(w.lower() for w in WORD.findall(text))
    index_of = {t.start: i for i, t in enumerate(tokens)}
    rows = []
    for start, end in spans:
        i = j = index_of[start]
        while tokens[j].end < end:
            j += 1
        run, q = tokens[i : j + 1], p[i : j + 1]
        sentence = run[0].sentence
        words = [t.text.lower() for t in run if t.text[0].isalnum()]
        n_words = max(len(words), 1)
        left = p[i - 1] if i > 0 and tokens[i - 1].sentence == sentence else 0.0
        right = p[j + 1] if j + 1 < n and tokens[j + 1].sentence == sentence else 0.0
        repeats = max((counts[w] for w in WORD.findall(text[start:end].lower()) if len(w) > 3), default=1)
        row = [
            q.mean(), q.max(), q.min(), q[0], q[-1], left, right,
            math.log(len(run)), float(n_words == 1), len(words), sum(w in STOP_WORDS for w in words) / n_words,
            sentence_probabilities[sentence], sentence_max[sentence], float(sentence == 0),
            sentence / max(sentences, 1), article_mean, article_high,
            float(any(t.text in QUOTES for t in run)), float(any(t.text == "!" for t in run)),
            sum(t.text[0].isupper() for t in run if t.text[0].isalpha()) / n_words,
            math.log(max(end - start, 1)), max((len(w) for w in words), default=0), math.log1p(repeats - 1),
        ]  # fmt: skip
        row += [v * v for v in row[:7]] + [row[0] * row[11], row[0] * row[8], row[1] * row[8]]
        rows.append(row)
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(SPAN_FEATURES))


@dataclass(frozen=True)
class SpanScorer:
    """Logistic regression over standardized span features: P(a character of the span is in a gold span)."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def mean_probability(cls) -> SpanScorer:
        """A scorer that ranks spans by the mean probability of their tokens (too few spans to fit one)."""
        size = len(SPAN_FEATURES)
        weights = np.zeros(size)
        weights[0] = 1.0
        return cls(np.zeros(size), np.ones(size), weights, 0.0)

    @classmethod
    def fit(cls, features: np.ndarray, credits: np.ndarray, *, c: float) -> SpanScorer:
        """Soft labels: each span counts as right with weight `credit` and as wrong with weight 1 - credit."""
        if len(features) < 2 or credits.min() == credits.max():
            return cls.mean_probability()
        mean, scale = features.mean(axis=0), features.std(axis=0)
        scale[scale == 0] = 1.0
        standard = (features - mean) / scale
        model = LogisticRegression(C=c, max_iter=2000)
        doubled = np.vstack([standard, standard])
        targets = np.r_[np.ones(len(credits)), np.zeros(len(credits))]
        model.fit(doubled, targets, sample_weight=np.r_[credits, 1.0 - credits])
        return cls(mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def score(self, features: np.ndarray) -> np.ndarray:
        return sigmoid(((features - self.mean) / self.scale) @ self.weights + self.bias)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"scorer_mean": self.mean, "scorer_scale": self.scale, "scorer_weights": self.weights,
                "scorer_bias": np.array([self.bias])}  # fmt: skip

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> SpanScorer:
        mean, scale, weights = (
            np.asarray(arrays[k], dtype=np.float64) for k in ("scorer_mean", "scorer_scale", "scorer_weights")
        )
        if any(part.shape != (len(SPAN_FEATURES),) for part in (mean, scale, weights)):
            raise ValueError(f"span scorer arrays of shape {weights.shape}, expected ({len(SPAN_FEATURES)},)")
        return cls(mean, scale, weights, float(arrays["scorer_bias"][0]))
