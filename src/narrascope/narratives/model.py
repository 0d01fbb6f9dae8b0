"""The narrative model: scores, hierarchy-consistent decoding, thresholds from cross-validation, storage.

One linear scorer per label over the whole article (never truncated): the three domains (Other, CC, URW),
every narrative and every subnarrative seen in training. Decoding, measured rule by rule in
`benchmarks/narratives_cv.py`:
1. the domain is the best-scoring of Other / CC / URW, with no threshold, so the decision does not copy the
   training data's share of `Other` documents;
2. `Other` -> `Other` at both levels;
3. subnarratives of that domain above their thresholds are taken, and their narratives with them;
   if none, the narrative with the highest margin over its threshold is taken;
4. a chosen narrative with no chosen subnarrative gets `<narrative>: Other`.
Thresholds are chosen on out-of-fold scores of an inner cross-validation inside the training data and
stored with the model; scores are calibrated to probabilities by a sigmoid fitted on the same scores.
That decoding is the SemEval task's decision (`predict`/`evaluate narratives`). Analysts' surfaces take a second
decision from the same scores: which picks are *asserted* (`assertion.AssertionRule`, fitted on the same
out-of-fold picks per language and level, for precision >= 0.75).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.learn.linear import FeatureConfig, TextFeaturizer, dequantize, fit_dual_ridge, quantize
from narrascope.learn.storage import load_model_files, save_model_files, shipped_model_path
from narrascope.narratives.assertion import AssertionRule, pick_features, picks_of
from narrascope.narratives.thresholds import (
    DOMAIN_SUFFIX,
    LabelSpace,
    calibrate,
    decode,
    fit_calibration,
    tune_thresholds,
)
from narrascope.taxonomy import OTHER, domain_of

FORMAT_VERSION = 1
DOMAINS = (OTHER, "CC", "URW")


@dataclass(frozen=True)
class NarrativeConfig:
    features: FeatureConfig = field(default_factory=FeatureConfig)
    alpha: float = 1.0
    inner_folds: int = 3
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"features": self.features.to_dict(), "alpha": self.alpha, "inner_folds": self.inner_folds,
                "seed": self.seed}  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NarrativeConfig:
        return cls(FeatureConfig.from_dict(data["features"]), data["alpha"], data["inner_folds"], data["seed"])


# alpha 0.3 rather than 1: as accurate in cross-validation, and more robust when the share of `Other`
# documents differs from training (English re-weighted to 25% Other: 0.44 against 0.41 coarse F1).
# Transliterated n-grams: one model over five languages in three scripts shares names and loanwords across them
# (out-of-fold coarse precision at recall 0.40: BG 0.61 -> 0.64, HI 0.54 -> 0.58, RU 0.75 -> 0.76, EN and PT
# unchanged; docs/narratives.md).
PROFILES = {"accurate": NarrativeConfig(FeatureConfig(transliterate=True), alpha=0.3)}


@dataclass(frozen=True)
class DocumentPrediction:
    """Labels of one document with calibrated scores, as SemEval label strings."""

    domain: str
    narratives: list[tuple[str, float]]
    subnarratives: list[tuple[str, float]]
    # label -> (score calibrated for the document's language, asserted): the analysts' decision
    judged: dict[str, tuple[float, bool]] = field(default_factory=dict)


class NarrativeModel:
    """Owns inference and storage; `fit` trains it from (text, narratives, subnarratives) triples."""

    def __init__(
        self,
        config: NarrativeConfig,
        labels: LabelSpace,
        featurizer: TextFeaturizer,
        weights: np.ndarray,
        bias: np.ndarray,
        thresholds: np.ndarray,
        calibration: dict[str, tuple[float, float]],
        assertion: AssertionRule | None = None,
    ) -> None:
        self.config, self.labels, self.featurizer = config, labels, featurizer
        self.weights, self.bias, self.thresholds, self.calibration = weights, bias, thresholds, calibration
        # None (a model saved before assertion rules): every pick but `Other` is asserted, at its probability
        self.assertion = assertion
        self._column = {label: i for i, label in enumerate(labels.columns)}
        # "LANG/file" of the documents it was fitted on: `evaluate` says when its scores are in-sample
        self.trained_on: frozenset[str] = frozenset()

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        narratives: Sequence[Sequence[str]],
        subnarratives: Sequence[Sequence[str]],
        *,
        config: NarrativeConfig | None = None,
        progress: Callable[[str], None] | None = None,
        domains: Sequence[str] = DOMAINS,
        languages: Sequence[str] | None = None,
    ) -> NarrativeModel:
        """`domains`: `Other` and the label prefixes (a team's own taxonomy has its own, see `domains_of`);
        `languages`: each text's language, for the assertion rule (None: one pooled rule)."""
        config = config or NarrativeConfig()
        say = progress or (lambda _message: None)
        labels = LabelSpace.build(narratives, subnarratives, domains=domains)
        Y = labels.targets(narratives, subnarratives)
        featurizer = TextFeaturizer(config.features)
        say(f"features for {len(texts)} documents")
        X = featurizer.fit_transform(texts)
        folds = np.random.RandomState(config.seed).permutation(len(texts)) % config.inner_folds
        out_of_fold = np.zeros(Y.shape, np.float32)
        for k in range(config.inner_folds):
            say(f"inner fold {k + 1}/{config.inner_folds}")
            train, test = folds != k, folds == k
            W, b = fit_dual_ridge(X[train], Y[train], alpha=config.alpha)
            out_of_fold[test] = X[test] @ W + b
        say("thresholds and calibration")
        thresholds = tune_thresholds(out_of_fold, narratives, subnarratives, labels)
        calibration = fit_calibration(out_of_fold - thresholds, Y, labels)
        picked = _picks(out_of_fold, thresholds, calibration, labels)
        assertion = AssertionRule.fit(
            picks_of(
                languages or ["*"] * len(texts),
                [p.features for p in picked],
                list(zip(narratives, subnarratives, strict=True)),
            )
        )
        say("final fit on all documents")
        W, b = fit_dual_ridge(X, Y, alpha=config.alpha)
        # The model in memory is the one that will be stored, so save -> load changes no prediction.
        return cls(config, labels, featurizer, dequantize(*quantize(W)), b, thresholds, calibration, assertion)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Raw label scores (documents x label columns)."""
        scores: np.ndarray = np.asarray(self.featurizer.transform(texts) @ self.weights) + self.bias
        return scores

    def predict(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> list[DocumentPrediction]:
        """The task's decoding of each text, with each pick's analysts' judgment for the text's language."""
        scores = self.scores(texts)
        predictions = []
        for row, picked in enumerate(_picks(scores, self.thresholds, self.calibration, self.labels)):
            narr, subs = picked.narratives, picked.subnarratives
            domain = OTHER if narr[0][0] == OTHER else narr[0][0].split(": ", 1)[0]
            language = languages[row] if languages is not None else None
            judged = (
                self.assertion.judge(language, narr, subs, picked.features)
                if self.assertion is not None
                else {label: (p, label != OTHER) for label, p in narr + subs}
            )
            predictions.append(DocumentPrediction(domain, narr, subs, judged))
        return predictions

    def can_score(self, label: str) -> bool:
        """Whether the label has its own scorer (its sentences can be ranked as evidence)."""
        return label in self._column and label != OTHER

    def sentence_scores(self, sentences: Sequence[str], labels: Sequence[str]) -> np.ndarray:
        """Each sentence's support for each label: the label's linear score of the sentence alone."""
        columns = [self._column[label] for label in labels]
        X = self.featurizer.transform(sentences, title_repeat=0)
        # every column, then the wanted ones: the same numbers (each column is summed alone) without copying the
        # weights' columns out of the whole (features x labels) matrix for every article
        return np.asarray(X @ self.weights)[:, columns]

    def save(self, directory: str | Path) -> None:
        """JSON for configuration, labels and term lists; npz (no pickles) for the arrays."""
        terms, arrays = self.featurizer.state()
        quantized, scale = quantize(self.weights)
        arrays |= {
            "weights": quantized,
            "weight_scale": scale,
            "bias": self.bias,
            "thresholds": self.thresholds,
        }
        meta = {
            "format_version": FORMAT_VERSION,
            "kind": "narratives",
            "config": self.config.to_dict(),
            "labels": self.labels.to_dict(),
            "calibration": {level: list(ab) for level, ab in self.calibration.items()},
        }
        if self.assertion is not None:
            meta["assertion"] = self.assertion.to_dict()
        if self.trained_on:
            meta["trained_on"] = sorted(self.trained_on)
        save_model_files(directory, meta, terms, arrays)

    @classmethod
    def load(cls, directory: str | Path) -> NarrativeModel:
        meta, terms, arrays = load_model_files(directory, kind="narratives", format_version=FORMAT_VERSION)
        config = NarrativeConfig.from_dict(meta["config"])
        weights = dequantize(arrays.pop("weights"), arrays.pop("weight_scale"))
        bias, thresholds = arrays.pop("bias"), arrays.pop("thresholds")
        featurizer = TextFeaturizer.from_state(config.features, terms, arrays)
        calibration = {level: (float(a), float(b)) for level, (a, b) in meta["calibration"].items()}
        assertion = AssertionRule.from_dict(meta["assertion"]) if "assertion" in meta else None
        labels = LabelSpace.from_dict(meta["labels"])
        model = cls(config, labels, featurizer, weights, bias, thresholds, calibration, assertion)
        model.trained_on = frozenset(str(key) for key in meta.get("trained_on", []))
        return model


@dataclass(frozen=True)
class Picked:
    """The task's decoding of one document: its picks with their probabilities (`Other` takes the probability of
    the Other domain), and each non-`Other` pick's features for the assertion rule."""

    narratives: list[tuple[str, float]]
    subnarratives: list[tuple[str, float]]
    features: dict[str, tuple[float, ...]]


def _picks(
    scores: np.ndarray, thresholds: np.ndarray, calibration: dict[str, tuple[float, float]], labels: LabelSpace
) -> list[Picked]:
    probabilities = calibrate(scores - thresholds, calibration, labels)
    margins = scores - thresholds
    column = {label: i for i, label in enumerate(labels.columns)} | {OTHER: labels.columns.index(OTHER + DOMAIN_SUFFIX)}
    nd = len(labels.domains)
    found = []
    for row, (narr, subs) in enumerate(decode(scores, thresholds, labels)):
        narratives = [(n, float(probabilities[row, column[n]])) for n in narr]
        subnarratives = [(s, float(probabilities[row, column[s]])) for s in subs]
        domains = np.sort(scores[row, :nd])[::-1]
        lead = float(domains[0] - domains[1]) if nd > 1 else 0.0
        picked = {label: float(margins[row, column[label]]) for label in narr + subs if label != OTHER}
        found.append(Picked(narratives, subnarratives, pick_features(narratives, subnarratives, picked, lead)))
    return found


def domains_of(narratives: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """`Other` and the domain of every narrative label (SemEval's give `DOMAINS`, in that order)."""
    found = {domain_of(n) for doc in narratives for n in doc if n != OTHER}
    return DOMAINS if found <= set(DOMAINS) else (OTHER, *sorted(found))


@cache
def load_default_model(profile: str = "accurate") -> NarrativeModel:
    """The shipped model, loaded once per process."""
    return NarrativeModel.load(shipped_model_path("narratives", profile))
