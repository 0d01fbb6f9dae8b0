"""Span identification: is this token inside a propaganda span? A linear model over hashed token features.

Each token is described by its word, shape and affixes, its neighbours (three on each side, and the
bigrams around it), where it sits in its sentence and what kind of sentence that is (quote, question,
exclamation, length, and the sentence model's probability that it holds a technique span), how often
its word recurs in the article (Repetition) and whether it is shouted in capitals. Logistic regression
gives each token a probability; tokens above a threshold, after smoothing with their neighbours, form
runs within a sentence, and each run is one span. The threshold and smoothing are chosen on
out-of-fold predictions when training. Feature hashing keeps the model
one weight vector (no vocabulary to store); murmurhash is stable across scikit-learn versions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

from narrascope.techniques.scoring import sigmoid
from narrascope.techniques.text import QUOTES, Token, merge_spans, shape

HASH_BITS = 20


@dataclass(frozen=True)
class DecodeConfig:
    threshold: float = 0.4
    smooth: float = 0.0  # weight of the neighbours' mean probability
    min_tokens: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _sentence_features(text: str, bounds: list[tuple[int, int]]) -> list[list[str]]:
    out = []
    for start, end in bounds:
        sentence = text[start:end]
        words = len(sentence.split())
        feats = [f"slen={min(words // 5, 8)}"]
        if "!" in sentence:
            feats.append("s!")
        if sentence.rstrip().endswith("?"):
            feats.append("s?")
        if any(q in sentence for q in QUOTES):
            feats.append("squote")
        out.append(feats)
    return out


def token_features(
    text: str, tokens: Sequence[Token], bounds: list[tuple[int, int]], sentence_probabilities: np.ndarray
) -> list[list[str]]:
    """The hashed-feature names of each token; `sentence_probabilities` come from the sentence model (out of fold
    when training), one per sentence of `bounds`."""
    per_sentence = _sentence_features(text, bounds)
    lower = [t.text.lower() for t in tokens]
    counts = Counter(lower)
    seen: Counter[str] = Counter()
    n = len(tokens)
    sentence = [t.sentence for t in tokens]
    # the word `offset` tokens away in the same sentence, else the sentence's edge: for every token at once
    near = {
        offset: [
            lower[i + offset] if 0 <= i + offset < n and sentence[i + offset] == sentence[i] else edge for i in range(n)
        ]
        for offset, edge in ((-3, "<s>"), (-2, "<s>"), (-1, "<s>"), (1, "</s>"), (2, "</s>"), (3, "</s>"))
    }
    before, after = near[-1], near[1]
    quote_depth = 0
    features: list[list[str]] = []
    for i, token in enumerate(tokens):
        word = lower[i]
        if token.text in QUOTES:
            quote_depth ^= 1
        if i > 0 and tokens[i - 1].sentence != token.sentence:
            quote_depth = 0
        feats = [
            "b",
            "w=" + word,
            "sh=" + shape(token.text),
            "p3=" + word[:3],
            "s3=" + word[-3:],
            "s2=" + word[-2:],
            "w-1=" + before[i],
            "w+1=" + after[i],
            "w-2=" + near[-2][i],
            "w+2=" + near[2][i],
            "w-3=" + near[-3][i],
            "w+3=" + near[3][i],
            "b-=" + before[i] + "|" + word,
            "b+=" + word + "|" + after[i],
            "t=" + before[i] + "|" + word + "|" + after[i],
            f"pos={min(token.position, 6)}",
            f"q={quote_depth}",
        ]
        if len(word) > 6:
            feats.append("s4=" + word[-4:])
        if len(word) > 3 and word.isalpha():  # a content word said again and again (Repetition)
            feats += [f"rep={min(counts[word], 5)}", f"seen={min(seen[word], 3)}"]
            seen[word] += 1
        if len(word) > 2 and token.text.isupper() and word.isalpha():
            feats.append("allcaps")
        if token.sentence < len(per_sentence):
            feats.extend(per_sentence[token.sentence])
            feats.append(f"sp={min(int(sentence_probabilities[token.sentence] * 10), 9)}")
        features.append(feats)
    return features


_HASHER = FeatureHasher(n_features=2**HASH_BITS, input_type="string", alternate_sign=False)


def featurize(
    text: str, tokens: Sequence[Token], bounds: list[tuple[int, int]], sentence_probabilities: np.ndarray
) -> sp.csr_matrix:
    """The token feature matrix (one row per token) of an article already cut by `tokenize`."""
    features = token_features(text, tokens, bounds, sentence_probabilities)
    matrix = _HASHER.transform(features) if features else sp.csr_matrix((0, 2**HASH_BITS))
    return sp.csr_matrix(matrix, dtype=np.float32)


def token_labels(tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """1 for a token whose characters are at least half inside a gold span."""
    labels = np.zeros(len(tokens), dtype=np.int8)
    merged = merge_spans(list(spans))
    j = 0
    for i, token in enumerate(tokens):
        while j < len(merged) and merged[j][1] <= token.start:
            j += 1
        k = j
        covered = 0
        while k < len(merged) and merged[k][0] < token.end:
            covered += min(token.end, merged[k][1]) - max(token.start, merged[k][0])
            k += 1
        labels[i] = 1 if 2 * covered >= token.end - token.start else 0
    return labels


def token_probabilities(matrix: sp.csr_matrix, weights: np.ndarray, bias: float) -> np.ndarray:
    return sigmoid(matrix @ weights + bias)


def decode(tokens: Sequence[Token], probabilities: np.ndarray, config: DecodeConfig) -> list[tuple[int, int, float]]:
    """Runs of tokens above the threshold, within one sentence: (start, end, mean probability)."""
    p = probabilities
    if config.smooth > 0 and len(p) > 2:
        neighbours = np.empty_like(p)
        neighbours[1:-1] = (p[:-2] + p[2:]) / 2
        neighbours[0], neighbours[-1] = p[1], p[-2]
        p = (1 - config.smooth) * p + config.smooth * neighbours
    inside = p >= config.threshold
    spans: list[tuple[int, int, float]] = []
    i = 0
    n = len(tokens)
    while i < n:
        if not inside[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and inside[j + 1] and tokens[j + 1].sentence == tokens[i].sentence:
            j += 1
        run = tokens[i : j + 1]
        if len(run) >= config.min_tokens and any(t.text[0].isalnum() for t in run):
            spans.append((run[0].start, run[-1].end, float(probabilities[i : j + 1].mean())))
        i = j + 1
    return spans
