"""Which of the task decoding's labels an analyst is shown: a score calibrated per language, and a threshold.

The task's decoding (`thresholds.decode`) picks the labels that maximise SemEval's F1 — a forced pick on every
article, right less than half of the time. Analysts' surfaces show a label only when it is *asserted*: its
calibrated score, for the article's language and the label's level, reaches the threshold at which the
cross-validated picks of that language were right at least `PRECISION_TARGET` of the time.

The score: a logistic regression per level over what the decoding knew of the pick (`FEATURES`: its
probability and margin, its rank among the article's picks and its gap to the best one, how clearly the
domain won, how many picks the article has), then an isotonic curve from that to the observed rate of right
picks, per language and level, so that a 0.8 in Portuguese means what a 0.8 in English does. Both are fitted
on out-of-fold picks inside the training data (`NarrativeModel.fit`); a language with too few picks to fit
its own curve uses the pooled one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.learn.calibration import Calibrator, cross_calibrated, threshold_for_precision
from narrascope.taxonomy import OTHER, other_subnarrative, parent_of

PRECISION_TARGET = 0.75
POOLED = "*"  # the key of the curves and thresholds fitted on every language together
MIN_PICKS = 40  # fewer picks of a language and level than this: the pooled curve and threshold
LEVELS = ("narrative", "subnarrative")


FEATURES = {
    "narrative": ("probability", "margin", "rank", "gap to the best", "domain lead", "picks", "specific subs"),
    "subnarrative": ("probability", "margin", "narrative probability", "narrative margin", "domain lead", "picks",
                     "is <narrative>: Other"),
}  # fmt: skip


@dataclass(frozen=True)
class Pick:
    """One label the task's decoding picked on a document, what the decoding knew of it (`FEATURES` of its
    level), and whether the gold has it."""

    language: str
    level: str
    features: tuple[float, ...]
    right: bool = False


def pick_features(
    narratives: Sequence[tuple[str, float]], subnarratives: Sequence[tuple[str, float]],
    margins: dict[str, float], domain_lead: float,
) -> dict[str, tuple[float, ...]]:  # fmt: skip
    """The `FEATURES` of each non-`Other` pick of one document: `margins` are the labels' raw scores over their
    thresholds, `domain_lead` how far the chosen domain's score is ahead of the next one."""
    probability = dict(narratives) | dict(subnarratives)
    tops = [n for n, _ in narratives if n != OTHER]
    best = max((margins[n] for n in tops), default=0.0)
    ranked = sorted(tops, key=lambda n: -margins[n])
    found: dict[str, tuple[float, ...]] = {}
    for n in tops:
        specific = sum(1 for s, _ in subnarratives if s.startswith(n + ": ") and s != other_subnarrative(n))
        found[n] = (probability[n], margins[n], float(ranked.index(n)), margins[n] - best, domain_lead,
                    float(len(tops)), float(specific))  # fmt: skip
    for s, p in subnarratives:
        if s == OTHER:
            continue
        parent = parent_of(s)
        found[s] = (p, margins[s], probability.get(parent, 0.0), margins.get(parent, 0.0), domain_lead,
                    float(len(subnarratives)), float(s == other_subnarrative(parent)))  # fmt: skip
    return found


@dataclass(frozen=True)
class Weighting:
    """A logistic regression over a level's `FEATURES` (standardised inside)."""

    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray) -> Weighting:
        from sklearn.linear_model import LogisticRegression

        mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
        if len(set(y.tolist())) < 2:  # all right or all wrong: the probability alone ranks them
            return cls((1.0,) + (0.0,) * (X.shape[1] - 1), 0.0, tuple(mean.tolist()), tuple(scale.tolist()))
        model = LogisticRegression(C=1.0, max_iter=2000).fit((X - mean) / scale, y)
        return cls(tuple(float(v) for v in model.coef_[0]), float(model.intercept_[0]), tuple(mean.tolist()),
                   tuple(scale.tolist()))  # fmt: skip

    def __call__(self, X: np.ndarray) -> np.ndarray:
        z = ((X - np.array(self.mean)) / np.array(self.scale)) @ np.array(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "coef": list(self.coef),
            "intercept": self.intercept,
            "mean": list(self.mean),
            "scale": list(self.scale),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Weighting:
        return cls(tuple(data["coef"]), float(data["intercept"]), tuple(data["mean"]), tuple(data["scale"]))


def _key(language: str, level: str) -> str:
    return f"{language}/{level}"


@dataclass(frozen=True)
class AssertionRule:
    """Per level a `Weighting` of the pick's features; per language and level the calibration curve of its
    output and the threshold on the calibrated score (scores >= it are asserted)."""

    weightings: dict[str, Weighting]
    curves: dict[str, Calibrator]
    thresholds: dict[str, float]
    precision: float = PRECISION_TARGET

    @classmethod
    def fit(cls, picks: Sequence[Pick], *, precision: float = PRECISION_TARGET) -> AssertionRule:
        weightings: dict[str, Weighting] = {}
        curves: dict[str, Calibrator] = {}
        thresholds: dict[str, float] = {}
        languages = sorted({p.language for p in picks})
        for level in LEVELS:
            mine = [p for p in picks if p.level == level]
            if len(mine) < MIN_PICKS:
                continue
            weighting = Weighting.fit(np.array([p.features for p in mine]), np.array([p.right for p in mine]))
            weightings[level] = weighting
            for language in (POOLED, *languages):
                chosen = [p for p in mine if language in (POOLED, p.language)]
                if len(chosen) < MIN_PICKS:
                    continue
                x = weighting(np.array([p.features for p in chosen]))
                y = np.array([float(p.right) for p in chosen])
                curves[_key(language, level)] = Calibrator.fit(x, y)
                thresholds[_key(language, level)] = threshold_for_precision(
                    cross_calibrated(x, y), y, precision=precision
                )
        return cls(weightings, curves, thresholds, precision)

    def _which(self, language: str | None, level: str) -> str:
        key = _key((language or POOLED).lower(), level)
        return key if key in self.curves else _key(POOLED, level)

    def score(self, language: str | None, level: str, features: tuple[float, ...]) -> float:
        key = self._which(language, level)
        if key not in self.curves:
            return features[0]
        return self.curves[key].one(float(self.weightings[level](np.array([features]))[0]))

    def threshold(self, language: str | None, level: str) -> float:
        return self.thresholds.get(self._which(language, level), 1.0)

    def judge(
        self, language: str | None, narratives: Sequence[tuple[str, float]], subnarratives: Sequence[tuple[str, float]],
        features: dict[str, tuple[float, ...]],
    ) -> dict[str, tuple[float, bool]]:  # fmt: skip
        """Each picked label's calibrated score and whether it is asserted. `Other` is never asserted (it is the
        absence of a narrative); a subnarrative only with its narrative."""
        judged: dict[str, tuple[float, bool]] = {}
        for level, hits in (("narrative", narratives), ("subnarrative", subnarratives)):
            for label, probability in hits:
                if label == OTHER or label not in features:
                    judged[label] = (round(probability, 4), False)
                    continue
                score = round(self.score(language, level, features[label]), 4)
                asserted = score >= self.threshold(language, level)
                if level == "subnarrative":
                    asserted = asserted and judged.get(parent_of(label), (0.0, False))[1]
                judged[label] = (score, asserted)
        return judged

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "features": FEATURES,
            "weightings": {level: w.to_dict() for level, w in self.weightings.items()},
            "thresholds": dict(sorted(self.thresholds.items())),
            "curves": {key: curve.to_dict() for key, curve in sorted(self.curves.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssertionRule:
        weightings = {str(level): Weighting.from_dict(value) for level, value in data["weightings"].items()}
        curves = {str(key): Calibrator.from_dict(value) for key, value in data["curves"].items()}
        thresholds = {str(key): float(value) for key, value in data["thresholds"].items()}
        return cls(weightings, curves, thresholds, float(data.get("precision", PRECISION_TARGET)))

    def describe(self) -> list[str]:
        """One line per language and level: its threshold, as `evaluate narratives` prints them."""
        lines = []
        for key in sorted(self.thresholds):
            language, level = key.split("/")
            name = "pooled (other languages)" if language == POOLED else language
            value = self.thresholds[key]
            shown = "nothing asserted" if value >= 1.0 else f"asserted from {value:.2f}"
            lines.append(f"{name:<25} {level:<13} {shown}")
        return lines


def picks_of(
    languages: Sequence[str],
    features: Sequence[dict[str, tuple[float, ...]]],
    gold: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> list[Pick]:
    """The decoding's picks on documents (their languages, each pick's features as `pick_features` gives them,
    and the gold label sets), as `AssertionRule.fit` reads them."""
    picks = []
    for language, found, (gold_n, gold_s) in zip(languages, features, gold, strict=True):
        truth = set(gold_n) | set(gold_s)
        for label, values in found.items():
            level = "subnarrative" if _is_sub(label, found) else "narrative"
            picks.append(Pick(language.lower(), level, values, label in truth))
    return picks


def _is_sub(label: str, found: dict[str, tuple[float, ...]]) -> bool:
    return any(label.startswith(other + ": ") for other in found if other != label)
