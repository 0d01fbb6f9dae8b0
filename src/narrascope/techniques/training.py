"""Fitting the span models: the sentence model, the token model and the span scorer, stacked without leakage.

The token model reads the sentence model's probability, and the span scorer reads the token model's, so
each is trained on predictions made without the article at hand (out-of-fold, `scoring.out_of_fold`):
otherwise it would learn from probabilities far more confident than the ones it gets at inference. The
decode threshold is chosen on the same out-of-fold token probabilities, on all training articles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from narrascope.datasets.ptc import PtcArticle, PtcSpan
from narrascope.techniques.evaluate import precision_credit, span_identification_scores
from narrascope.techniques.scoring import (
    SPAN_FEATURES,
    SpanScorer,
    fit_logistic,
    out_of_fold,
    sentence_labels,
    sentence_matrix,
    sigmoid,
    span_features,
)
from narrascope.techniques.spans import DecodeConfig, decode, featurize, token_labels, token_probabilities
from narrascope.techniques.text import Token, is_noise_span, merge_spans, tokenize

THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35)
SMOOTHING = (0.0, 0.3)


@dataclass(frozen=True)
class SpanTrainConfig:
    token_c: float = 0.3
    sentence_c: float = 0.1
    scorer_c: float = 0.1
    tune: bool = True  # choose the decode threshold on out-of-fold predictions (else DecodeConfig defaults)
    folds: int = 3
    seed: int = 0


@dataclass(frozen=True)
class SpanModels:
    token_weights: np.ndarray
    token_bias: float
    sentence_weights: np.ndarray
    sentence_bias: float
    decode_config: DecodeConfig
    scorer: SpanScorer
    tuning: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Cut:
    """One training article cut into tokens and sentences once, with its gold labels."""

    article: PtcArticle
    tokens: list[Token]
    bounds: list[tuple[int, int]]
    labels: np.ndarray
    sentences: sp.csr_matrix
    sentence_labels: np.ndarray


def _cut(article: PtcArticle) -> _Cut:
    tokens, bounds = tokenize(article.text)
    labels = token_labels(tokens, [(s.start, s.end) for s in article.spans])
    return _Cut(
        article, tokens, bounds, labels, sentence_matrix(tokens, len(bounds)),
        sentence_labels(tokens, labels, len(bounds)),
    )  # fmt: skip


def fit_span_models(articles: Sequence[PtcArticle], config: SpanTrainConfig, say: Callable[[str], None]) -> SpanModels:
    cuts = [_cut(a) for a in articles if a.text.strip()]

    def fit_sentences(train: list[_Cut]) -> tuple[np.ndarray, float]:
        return fit_logistic([c.sentences for c in train], [c.sentence_labels for c in train], c=config.sentence_c)

    def sentence_oof(train: list[_Cut], held: list[_Cut]) -> list[np.ndarray]:
        weights, bias = fit_sentences(train)
        return [sigmoid(c.sentences @ weights + bias) for c in held]

    say(f"sentence model: fitting on {len(cuts)} articles ({config.folds} folds, then all)")
    sentence_p = out_of_fold(cuts, config.folds, config.seed, sentence_oof)
    sentence_weights, sentence_bias = fit_sentences(cuts)
    matrices = [featurize(c.article.text, c.tokens, c.bounds, p) for c, p in zip(cuts, sentence_p, strict=True)]

    def token_oof(train: list[int], held: list[int]) -> list[np.ndarray]:
        weights, bias = fit_logistic([matrices[i] for i in train], [cuts[i].labels for i in train], c=config.token_c)
        return [token_probabilities(matrices[i], weights, bias) for i in held]

    say(f"span model: out-of-fold token probabilities ({config.folds} folds)")
    token_p = out_of_fold(list(range(len(cuts))), config.folds, config.seed + 1, token_oof)
    decode_config, trace = DecodeConfig(), list[dict[str, float]]()
    if config.tune:
        decode_config, trace = _tune_decode(cuts, token_p)
        say(f"span model: threshold {decode_config.threshold}, smoothing {decode_config.smooth}")
    features, credits = _scorer_rows(cuts, token_p, sentence_p, decode_config)
    say(f"span scorer: fitting on {len(credits)} out-of-fold spans")
    scorer = SpanScorer.fit(features, credits, c=config.scorer_c)
    say(f"span model: fitting on {len(cuts)} articles")
    token_weights, token_bias = fit_logistic(matrices, [c.labels for c in cuts], c=config.token_c)
    return SpanModels(token_weights, token_bias, sentence_weights, sentence_bias, decode_config, scorer, trace)


def _tune_decode(cuts: Sequence[_Cut], token_p: Sequence[np.ndarray]) -> tuple[DecodeConfig, list[dict[str, float]]]:
    """The decode threshold and smoothing with the best SI F1 of all spans."""
    gold = [s for c in cuts for s in c.article.spans]
    best, best_f1, trace = DecodeConfig(), -1.0, []
    for threshold in THRESHOLDS:
        for smooth in SMOOTHING:
            config = DecodeConfig(threshold, smooth)
            predicted = [
                PtcSpan(c.article.id, s, e)
                for c, p in zip(cuts, token_p, strict=True)
                for s, e, _ in decode(c.tokens, p, config)
            ]
            f1 = span_identification_scores(gold, predicted).f1
            trace.append({"threshold": threshold, "smooth": smooth, "f1": round(f1, 4)})
            if f1 > best_f1:
                best, best_f1 = config, f1
    return best, trace


def _scorer_rows(
    cuts: Sequence[_Cut], token_p: Sequence[np.ndarray], sentence_p: Sequence[np.ndarray], config: DecodeConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Features and precision credit of every span (noise spans left out, as at inference) decoded from
    out-of-fold probabilities."""
    features, credits = [], []
    for cut, tokens_p, sentences_p in zip(cuts, token_p, sentence_p, strict=True):
        text = cut.article.text
        spans = [(s, e) for s, e, _ in decode(cut.tokens, tokens_p, config) if not is_noise_span(text[s:e])]
        gold = merge_spans([(s.start, s.end) for s in cut.article.spans])
        features.append(span_features(text, cut.tokens, tokens_p, sentences_p, spans))
        credits += [precision_credit(s, e, gold) for s, e in spans]
    return np.vstack(features) if features else np.zeros((0, len(SPAN_FEATURES))), np.asarray(credits)
