"""The persuasion technique model: span identification, then technique classification of each span.

`TechniqueModel` owns inference and save/load (a model folder of JSON + npz, no pickles; weights int8);
`train_technique_model` owns the data checks and the fitting (the span models: `training.py`). A span is
found by the token model and scored by the span scorer (`scoring.py`); the score is then calibrated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from narrascope.datasets.ptc import PtcArticle
from narrascope.errors import ModelError
from narrascope.learn.calibration import Calibrator
from narrascope.learn.linear import dequantize, quantize, restore_vectorizers
from narrascope.learn.storage import load_model_files, save_model_files, shipped_model_path
from narrascope.techniques.labels import (
    SpanFeaturizer,
    assign_labels,
    softmax,
    with_given_counts,
)
from narrascope.techniques.scoring import SENTENCE_HASH_BITS, SPAN_FEATURES, SpanScorer, sentence_matrix, sigmoid
from narrascope.techniques.scoring import span_features as span_feature_rows
from narrascope.techniques.spans import HASH_BITS, DecodeConfig, decode, featurize, token_probabilities
from narrascope.techniques.text import is_noise_span, span_words, tokenize
from narrascope.techniques.training import SpanTrainConfig, fit_span_models

KIND = "techniques"
STORED_META = {"trained_on", "articles", "config", "tuning", "calibration", "calibration_single", "threshold"}
FORMAT_VERSION = 2  # 2: sentence model and span scorer
DEFAULT_MODEL = "spans"


@dataclass(frozen=True)
class FoundTechnique:
    start: int
    end: int
    technique: str
    score: float  # calibrated probability that the span is a technique span (partial-overlap credit)


@dataclass(frozen=True)
class TrainConfig:
    span_c: float = 0.3  # the token model
    label_c: float = 10.0
    tune: bool = True  # choose the span threshold on out-of-fold predictions (else DecodeConfig defaults)
    seed: int = 0
    sentence_c: float = 0.1
    scorer_c: float = 0.1


class TechniqueModel:
    def __init__(
        self,
        *,
        span_weights: np.ndarray,
        span_bias: float,
        sentence_weights: np.ndarray,
        sentence_bias: float,
        scorer: SpanScorer,
        decode_config: DecodeConfig,
        featurizer: SpanFeaturizer,
        label_weights: np.ndarray,
        label_bias: np.ndarray,
        labels: Sequence[str],
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.span_weights = span_weights.astype(np.float32)
        self.span_bias = span_bias
        self.sentence_weights = sentence_weights.astype(np.float32)
        self.sentence_bias = sentence_bias
        self.scorer = scorer
        self.decode_config = decode_config
        self.featurizer = featurizer
        self.label_weights = label_weights.astype(np.float32)
        self.label_bias = label_bias.astype(np.float32)
        self.labels = list(labels)
        self.meta = dict(meta or {})
        # raw span score -> probability the span is right (CV, `benchmarks/techniques_cv.py --calibrate`), and
        # the default score below which a span is not shown
        self.calibrator = Calibrator.from_dict(self.meta["calibration"]) if "calibration" in self.meta else None
        single = self.meta.get("calibration_single")
        self.single_calibrator = Calibrator.from_dict(single) if single else self.calibrator
        self.threshold = float(self.meta.get("threshold", 0.0))

    # inference -----------------------------------------------------------------------------------------
    def predict_spans(self, text: str) -> list[tuple[int, int, float]]:
        """Span identification: (start, end, raw score) of the spans found in `text`, the score the span scorer's."""
        tokens, bounds = tokenize(text)
        if not tokens:
            return []
        sentence_p = sigmoid(sentence_matrix(tokens, len(bounds)) @ self.sentence_weights + self.sentence_bias)
        token_p = token_probabilities(featurize(text, tokens, bounds, sentence_p), self.span_weights, self.span_bias)
        spans = [(s, e) for s, e, _ in decode(tokens, token_p, self.decode_config)]
        scores = self.scorer.score(span_feature_rows(text, tokens, token_p, sentence_p, spans))
        return [(s, e, float(score)) for (s, e), score in zip(spans, scores, strict=True)]

    def classify(self, text: str, offsets: Sequence[tuple[int, int]]) -> list[tuple[str, float]]:
        """Technique classification of given spans of one article: (technique, probability) for each."""
        if not offsets:
            return []
        matrix = self.featurizer.transform(with_given_counts(text, offsets))
        probabilities = softmax(np.asarray(matrix @ self.label_weights) + self.label_bias)
        return assign_labels(probabilities, list(offsets), self.labels)

    def predict(self, text: str) -> list[FoundTechnique]:
        """Spans found in `text` (noise spans left out), each with its technique and its calibrated score (the
        raw span score when the model carries no calibration)."""
        spans = [(s, e, p) for s, e, p in self.predict_spans(text) if not is_noise_span(text[s:e])]
        labelled = self.classify(text, [(s, e) for s, e, _ in spans])
        scores = [p for _, _, p in spans]
        if self.calibrator is not None and self.single_calibrator is not None:
            # one-word spans have their own curve: at the same raw score a lone word is right less often
            scores = [(self.single_calibrator if span_words(text[s:e]) == 1 else self.calibrator).one(p)
                      for s, e, p in spans]  # fmt: skip
        return [
            FoundTechnique(s, e, label, round(score, 4))
            for (s, e, _), (label, _), score in zip(spans, labelled, scores, strict=True)
        ]

    # storage -------------------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        span_q, span_scale = quantize(self.span_weights.reshape(-1, 1))
        sentence_q, sentence_scale = quantize(self.sentence_weights.reshape(-1, 1))
        label_q, label_scale = quantize(self.label_weights)
        span_terms, span_arrays = self.featurizer.span_block.state()
        context_terms, context_arrays = self.featurizer.context_block.state()
        terms = {f"span_{k}": v for k, v in span_terms.items()} | {f"context_{k}": v for k, v in context_terms.items()}
        arrays = {f"span_{k}": v for k, v in span_arrays.items()} | {
            f"context_{k}": v for k, v in context_arrays.items()
        }
        arrays |= {
            "token_weights": span_q,
            "token_scale": span_scale,
            "sentence_weights": sentence_q,
            "sentence_scale": sentence_scale,
            **self.scorer.arrays(),
            "label_weights": label_q,
            "label_scale": label_scale,
            "label_bias": self.label_bias,
        }
        meta = {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "labels": self.labels,
            "hash_bits": HASH_BITS,
            "sentence_hash_bits": SENTENCE_HASH_BITS,
            "span_bias": self.span_bias,
            "sentence_bias": self.sentence_bias,
            "span_features": list(SPAN_FEATURES),
            "decode": self.decode_config.to_dict(),
            **{k: v for k, v in self.meta.items() if k not in {"kind", "format_version"}},
        }
        save_model_files(directory, meta, terms, arrays)

    @classmethod
    def load(cls, directory: str | Path) -> TechniqueModel:
        meta, terms, arrays = load_model_files(directory, kind=KIND, format_version=FORMAT_VERSION)
        try:
            if meta["hash_bits"] != HASH_BITS:
                raise ModelError(f"{directory}: model hashes to 2^{meta['hash_bits']} features, expected 2^{HASH_BITS}")
            if meta["sentence_hash_bits"] != SENTENCE_HASH_BITS or meta["span_features"] != list(SPAN_FEATURES):
                raise ModelError(f"{directory}: the sentence model or span scorer was stored by another version")
            featurizer = SpanFeaturizer()
            restore_vectorizers(
                featurizer.span_block.blocks,
                {k[5:]: v for k, v in terms.items() if k.startswith("span_")},
                {k[5:]: v for k, v in arrays.items() if k.startswith("span_")},
            )
            restore_vectorizers(
                featurizer.context_block.blocks,
                {k[8:]: v for k, v in terms.items() if k.startswith("context_")},
                {k[8:]: v for k, v in arrays.items() if k.startswith("context_")},
            )
            return cls(
                span_weights=dequantize(arrays["token_weights"], arrays["token_scale"]).reshape(-1),
                span_bias=float(meta["span_bias"]),
                sentence_weights=dequantize(arrays["sentence_weights"], arrays["sentence_scale"]).reshape(-1),
                sentence_bias=float(meta["sentence_bias"]),
                scorer=SpanScorer.from_arrays(arrays),
                decode_config=DecodeConfig(**meta["decode"]),
                featurizer=featurizer,
                label_weights=dequantize(arrays["label_weights"], arrays["label_scale"]),
                label_bias=arrays["label_bias"],
                labels=meta["labels"],
                meta={k: v for k, v in meta.items() if k in STORED_META},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"{directory}: corrupt {KIND} model (missing or malformed {exc})") from None


@cache
def load_default_model() -> TechniqueModel:
    """The shipped model, loaded once."""
    return TechniqueModel.load(shipped_model_path("techniques", DEFAULT_MODEL))


# training --------------------------------------------------------------------------------------------------
def fit_labels(articles: Sequence[PtcArticle], c: float) -> tuple[SpanFeaturizer, np.ndarray, np.ndarray, list[str]]:
    inputs, targets = [], []
    for article in articles:
        labelled = [s for s in article.spans if s.technique and s.technique != "?"]
        inputs += with_given_counts(article.text, [(s.start, s.end) for s in labelled])
        targets += [str(s.technique) for s in labelled]
    if len(set(targets)) < 2:
        raise ModelError("technique training needs spans of at least two techniques (labels-techniques/ files)")
    featurizer = SpanFeaturizer()
    matrix = featurizer.fit_transform(inputs)
    classifier = LogisticRegression(C=c, max_iter=1000)
    classifier.fit(matrix, targets)
    labels = [str(label) for label in classifier.classes_]
    coef = classifier.coef_.T.astype(np.float32)
    bias = classifier.intercept_.astype(np.float32)
    if len(labels) == 2:  # binary: p(second) = sigmoid(z) = softmax([0, z])
        coef = np.hstack([np.zeros_like(coef), coef])
        bias = np.array([0.0, bias[0]], dtype=np.float32)
    return featurizer, coef, bias, labels


def train_technique_model(
    articles: Sequence[PtcArticle],
    *,
    config: TrainConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> TechniqueModel:
    cfg = config or TrainConfig()
    say = progress or (lambda _message: None)
    if not articles:
        raise ModelError("no articles to train on")
    span_config = SpanTrainConfig(
        token_c=cfg.span_c, sentence_c=cfg.sentence_c, scorer_c=cfg.scorer_c, tune=cfg.tune and len(articles) >= 10,
        seed=cfg.seed,
    )  # fmt: skip
    spans = fit_span_models(articles, span_config, say)
    say("technique model: fitting")
    featurizer, label_weights, label_bias, labels = fit_labels(articles, cfg.label_c)
    return TechniqueModel(
        span_weights=spans.token_weights,
        span_bias=spans.token_bias,
        sentence_weights=spans.sentence_weights,
        sentence_bias=spans.sentence_bias,
        scorer=spans.scorer,
        decode_config=spans.decode_config,
        featurizer=featurizer,
        label_weights=label_weights,
        label_bias=label_bias,
        labels=labels,
        meta={"articles": len(articles), "config": dict(cfg.__dict__), "tuning": spans.tuning},
    )
