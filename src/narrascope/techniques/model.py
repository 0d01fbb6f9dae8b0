"""The persuasion technique model: span identification, then technique classification of each span.

`TechniqueModel` owns inference and save/load (a model folder of JSON + npz, no pickles; weights int8);
`train_technique_model` owns the data checks and the fitting. The span threshold and smoothing are chosen
on held-out articles (a fifth of the training articles), then the span model is refitted on all of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from narrascope.datasets.ptc import PtcArticle, PtcSpan
from narrascope.errors import ModelError
from narrascope.learn.calibration import Calibrator
from narrascope.learn.linear import dequantize, quantize, restore_vectorizers
from narrascope.learn.storage import load_model_files, save_model_files, shipped_model_path
from narrascope.techniques.evaluate import span_identification_scores
from narrascope.techniques.labels import (
    SpanFeaturizer,
    assign_labels,
    softmax,
    with_given_counts,
)
from narrascope.techniques.spans import (
    HASH_BITS,
    DecodeConfig,
    decode,
    featurize,
    fit_token_model,
    token_labels,
    token_probabilities,
)

KIND = "techniques"
STORED_META = {"trained_on", "articles", "config", "tuning", "calibration", "calibration_single", "threshold"}
FORMAT_VERSION = 1
DEFAULT_MODEL = "spans"
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35)
SMOOTHING = (0.0, 0.3)


@dataclass(frozen=True)
class FoundTechnique:
    start: int
    end: int
    technique: str
    score: float  # calibrated probability that the span is a technique span (partial-overlap credit)


# Words that never make a technique span on their own (with punctuation and one short token).
STOP_WORDS = frozenset(
    "a an the to of in on at by for from with and or but nor so as is are was were be been being it its this that "
    "these those he she they we you i me him her them us his their our your my not no do does did has have had "
    "will would can could should may might must shall than then there here which who whom whose what when where "
    "why how all any some such also just only very".split()
)
MIN_SINGLE_TOKEN = 4


def span_words(text: str) -> int:
    return len(_WORD.findall(text))


_WORD = re.compile(r"\w+(?:['’]\w+)*")


def is_noise_span(text: str) -> bool:
    """A span made only of stop-words and punctuation, or of one short token: never shown."""
    words = _WORD.findall(text.lower())
    if not words or all(w in STOP_WORDS for w in words):
        return True
    return len(words) == 1 and len(words[0]) < MIN_SINGLE_TOKEN


@dataclass(frozen=True)
class TrainConfig:
    span_c: float = 0.1
    label_c: float = 10.0
    tune: bool = True  # choose the span threshold on held-out articles (else DecodeConfig defaults)
    seed: int = 0


class TechniqueModel:
    def __init__(
        self,
        *,
        span_weights: np.ndarray,
        span_bias: float,
        decode_config: DecodeConfig,
        featurizer: SpanFeaturizer,
        label_weights: np.ndarray,
        label_bias: np.ndarray,
        labels: Sequence[str],
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.span_weights = span_weights.astype(np.float32)
        self.span_bias = span_bias
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
        """Span identification: (start, end, score) of the spans found in `text`."""
        tokens, matrix = featurize(text)
        if not tokens:
            return []
        return decode(tokens, token_probabilities(matrix, self.span_weights, self.span_bias), self.decode_config)

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
            "label_weights": label_q,
            "label_scale": label_scale,
            "label_bias": self.label_bias,
        }
        meta = {
            "kind": KIND,
            "format_version": FORMAT_VERSION,
            "labels": self.labels,
            "hash_bits": HASH_BITS,
            "span_bias": self.span_bias,
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
def _fit_spans(articles: Sequence[PtcArticle], c: float) -> tuple[np.ndarray, float]:
    matrices, labels = [], []
    for article in articles:
        tokens, matrix = featurize(article.text)
        matrices.append(matrix)
        labels.append(token_labels(tokens, [(s.start, s.end) for s in article.spans]))
    if len({int(v) for y in labels for v in y}) < 2:
        raise ModelError("span training needs tokens both inside and outside technique spans")
    return fit_token_model(matrices, labels, c=c)


def _tune_decode(
    held_out: Sequence[PtcArticle], weights: np.ndarray, bias: float
) -> tuple[DecodeConfig, list[dict[str, float]]]:
    gold = [s for a in held_out for s in a.spans]
    featurized = [(a.id, *featurize(a.text)) for a in held_out]
    probabilities = [token_probabilities(m, weights, bias) for _, _, m in featurized]
    best, best_f1, trace = DecodeConfig(), -1.0, []
    for threshold in THRESHOLDS:
        for smooth in SMOOTHING:
            config = DecodeConfig(threshold, smooth)
            predicted = [
                PtcSpan(aid, s, e)
                for (aid, tokens, _), p in zip(featurized, probabilities, strict=True)
                for s, e, _ in decode(tokens, p, config)
            ]
            f1 = span_identification_scores(gold, predicted).f1
            trace.append({"threshold": threshold, "smooth": smooth, "f1": round(f1, 4)})
            if f1 > best_f1:
                best, best_f1 = config, f1
    return best, trace


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
    decode_config, trace = DecodeConfig(), list[dict[str, float]]()
    if cfg.tune and len(articles) >= 10:
        order = np.random.default_rng(cfg.seed).permutation(len(articles))
        held = {int(i) for i in order[: max(len(articles) // 5, 2)]}
        say(f"span model: choosing the threshold on {len(held)} held-out articles")
        weights, bias = _fit_spans([a for i, a in enumerate(articles) if i not in held], cfg.span_c)
        decode_config, trace = _tune_decode([a for i, a in enumerate(articles) if i in held], weights, bias)
        say(f"span model: threshold {decode_config.threshold}, smoothing {decode_config.smooth}")
    say(f"span model: fitting on {len(articles)} articles")
    weights, bias = _fit_spans(articles, cfg.span_c)
    say("technique model: fitting")
    featurizer, label_weights, label_bias, labels = fit_labels(articles, cfg.label_c)
    return TechniqueModel(
        span_weights=weights,
        span_bias=bias,
        decode_config=decode_config,
        featurizer=featurizer,
        label_weights=label_weights,
        label_bias=label_bias,
        labels=labels,
        meta={"articles": len(articles), "config": dict(cfg.__dict__), "tuning": trace},
    )
