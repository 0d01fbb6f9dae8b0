"""Which of the task decoding's labels an analyst is shown: a score calibrated per language, and a threshold.

The task's decoding (`thresholds.decode`) picks the labels that maximise SemEval's F1 — a forced pick on every
article, right about half of the time. Analysts' surfaces show a label only when it is *asserted*: its
calibrated score, for the article's language and the label's level, reaches the threshold at which the
cross-validated picks of that language were right at least `PRECISION_TARGET` of the time. The score is an
isotonic curve from the model's probability to the observed rate of right picks, fitted per language and level
on out-of-fold predictions inside the training data (`NarrativeModel.fit`), so that a 0.8 in Portuguese means
what a 0.8 in English does. A language with too few picks to fit its own curve uses the pooled one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.learn.calibration import Calibrator, cross_calibrated, threshold_for_precision
from narrascope.taxonomy import OTHER

PRECISION_TARGET = 0.75
POOLED = "*"  # the key of the curves and thresholds fitted on every language together
MIN_PICKS = 40  # fewer picks of a language and level than this: the pooled curve and threshold
LEVELS = ("narrative", "subnarrative")


@dataclass(frozen=True)
class Pick:
    """One label the task's decoding picked on a training document, and whether the gold has it."""

    language: str
    level: str
    probability: float
    right: bool


def _key(language: str, level: str) -> str:
    return f"{language}/{level}"


@dataclass(frozen=True)
class AssertionRule:
    """Per language and level: the calibration curve and the threshold on it (calibrated scores >= it are shown)."""

    curves: dict[str, Calibrator]
    thresholds: dict[str, float]
    precision: float = PRECISION_TARGET

    @classmethod
    def fit(cls, picks: Sequence[Pick], *, precision: float = PRECISION_TARGET) -> AssertionRule:
        curves: dict[str, Calibrator] = {}
        thresholds: dict[str, float] = {}
        languages = sorted({p.language for p in picks})
        for level in LEVELS:
            for language in (POOLED, *languages):
                chosen = [p for p in picks if p.level == level and language in (POOLED, p.language)]
                if len(chosen) < MIN_PICKS:
                    continue
                x = np.array([p.probability for p in chosen])
                y = np.array([float(p.right) for p in chosen])
                curves[_key(language, level)] = Calibrator.fit(x, y)
                thresholds[_key(language, level)] = threshold_for_precision(
                    cross_calibrated(x, y), y, precision=precision
                )
        return cls(curves, thresholds, precision)

    def _which(self, language: str | None, level: str) -> str:
        key = _key((language or POOLED).lower(), level)
        return key if key in self.curves else _key(POOLED, level)

    def score(self, language: str | None, level: str, probability: float) -> float:
        key = self._which(language, level)
        return self.curves[key].one(probability) if key in self.curves else probability

    def threshold(self, language: str | None, level: str) -> float:
        return self.thresholds.get(self._which(language, level), 1.0)

    def judge(
        self, language: str | None, narratives: Sequence[tuple[str, float]], subnarratives: Sequence[tuple[str, float]]
    ) -> dict[str, tuple[float, bool]]:
        """Each picked label's calibrated score and whether it is asserted. `Other` is never asserted (it is the
        absence of a narrative); a subnarrative only with its narrative."""
        judged: dict[str, tuple[float, bool]] = {}
        for level, hits in (("narrative", narratives), ("subnarrative", subnarratives)):
            for label, probability in hits:
                score = round(self.score(language, level, probability), 4)
                asserted = label != OTHER and score >= self.threshold(language, level)
                if level == "subnarrative":
                    parent = label.rsplit(": ", 1)[0]
                    asserted = asserted and judged.get(parent, (0.0, False))[1]
                judged[label] = (score, asserted)
        return judged

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "thresholds": dict(sorted(self.thresholds.items())),
            "curves": {key: curve.to_dict() for key, curve in sorted(self.curves.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssertionRule:
        curves = {str(key): Calibrator.from_dict(value) for key, value in data["curves"].items()}
        thresholds = {str(key): float(value) for key, value in data["thresholds"].items()}
        return cls(curves, thresholds, float(data.get("precision", PRECISION_TARGET)))

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
    decoded: Sequence[tuple[Sequence[tuple[str, float]], Sequence[tuple[str, float]]]],
    gold: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> list[Pick]:
    """The decoding's picks on documents (their languages, (narratives, subnarratives) with probabilities, and
    gold label sets), `Other` left out, as `AssertionRule.fit` reads them."""
    picks = []
    for language, (narratives, subnarratives), (gold_n, gold_s) in zip(languages, decoded, gold, strict=True):
        for level, hits, truth in (
            ("narrative", narratives, set(gold_n)),
            ("subnarrative", subnarratives, set(gold_s)),
        ):
            picks += [Pick(language.lower(), level, p, label in truth) for label, p in hits if label != OTHER]
    return picks
