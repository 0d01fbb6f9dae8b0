"""Calibrated scores: a monotone map from a model's raw score to the probability of being right.

Fitted on cross-validation predictions (raw score, was it right) with isotonic regression, stored as the
points of a piecewise-linear curve (JSON, no pickles). A calibrated score of 0.7 means: of the judgments
that scored about 0.7 in cross-validation, about 70 % were right. `reliability` gives the per-bin table
that checks it; `threshold_for_precision` picks the lowest score at which the asserted judgments reach a
precision target. `centred=True` fits centred isotonic regression: one point per block of equal fitted value, at
the block's mean score, joined linearly, so that scores a plain isotonic curve flattens onto one plateau keep the
model's order (a product of two calibrated scores, or a threshold, can still tell them apart).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

MAX_POINTS = 64


@dataclass(frozen=True)
class Calibrator:
    """Piecewise-linear map raw score -> probability (monotone non-decreasing)."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    @classmethod
    def identity(cls) -> Calibrator:
        return cls((0.0, 1.0), (0.0, 1.0))

    @classmethod
    def fit(
        cls, scores: Sequence[float] | np.ndarray, outcomes: Sequence[float] | np.ndarray, *, centred: bool = False
    ) -> Calibrator:
        """Isotonic fit of outcomes (1 right, 0 wrong, or a partial credit in [0, 1]) on raw scores; `centred`:
        centred isotonic regression (one knot per block of the fit, at its mean score: strictly increasing
        between blocks, the same block means)."""
        from sklearn.isotonic import IsotonicRegression

        x = np.asarray(scores, dtype=np.float64)
        y = np.asarray(outcomes, dtype=np.float64)
        if len(x) < 2 or np.ptp(x) == 0:
            return cls((0.0, 1.0), (float(y.mean()) if len(y) else 0.0,) * 2)
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
        xs, ys = np.asarray(iso.X_thresholds_), np.asarray(iso.y_thresholds_)
        if centred:
            xs, ys = _block_centres(iso, x)
        if len(xs) > MAX_POINTS:  # keep the stored curve small: sample it at quantiles of the knots
            keep = np.unique(np.linspace(0, len(xs) - 1, MAX_POINTS).round().astype(int))
            xs, ys = xs[keep], ys[keep]
        return cls(tuple(round(float(v), 6) for v in xs), tuple(round(float(v), 6) for v in ys))

    def __call__(self, scores: Sequence[float] | np.ndarray | float) -> np.ndarray:
        return np.interp(np.asarray(scores, dtype=np.float64), self.xs, self.ys)

    def one(self, score: float) -> float:
        return float(self(np.array([score]))[0])

    def to_dict(self) -> dict[str, Any]:
        return {"xs": list(self.xs), "ys": list(self.ys)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        xs, ys = tuple(float(v) for v in data["xs"]), tuple(float(v) for v in data["ys"])
        if len(xs) != len(ys) or len(xs) < 2 or any(b < a for a, b in pairwise(xs)):
            raise ValueError("calibration curve needs two or more increasing points")
        return cls(xs, ys)


def _block_centres(iso: Any, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knots of centred isotonic regression from a fitted IsotonicRegression: each block of equal fitted value
    becomes one point at the mean of its scores, and the lowest and highest scores keep the end blocks' values."""
    xs = np.sort(x)
    fitted = iso.predict(xs)
    cut = np.flatnonzero(np.diff(fitted) > 1e-12) + 1
    starts, ends = np.r_[0, cut], np.r_[cut, len(xs)]
    centres = np.array([xs[a:b].mean() for a, b in zip(starts, ends, strict=True)])
    px = np.r_[xs[0], centres, xs[-1]]
    py = np.r_[fitted[0], fitted[starts], fitted[-1]]
    px, first = np.unique(px, return_index=True)  # a one-score end block's centre is that score
    return px, py[first]


def cross_calibrated(
    scores: Sequence[float] | np.ndarray,
    outcomes: Sequence[float] | np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
    centred: bool = False,
) -> np.ndarray:
    """Out-of-fold calibrated probabilities: each score mapped by a curve fitted without it. Reliability tables
    and thresholds read these, so that the curve is not judged on the points it was fitted to."""
    x = np.asarray(scores, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    fold = np.random.default_rng(seed).permutation(len(x)) % folds
    out = np.zeros(len(x))
    for k in range(folds):
        test = fold == k
        if test.any():
            out[test] = Calibrator.fit(x[~test], y[~test], centred=centred)(x[test])
    return out


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_score: float
    observed: float  # fraction right (mean outcome) in the bin

    @property
    def gap(self) -> float:
        return abs(self.observed - self.mean_score)


def reliability(
    probabilities: Sequence[float] | np.ndarray, outcomes: Sequence[float] | np.ndarray, *, bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width bins of predicted probability: how many, mean prediction, observed rate (empty bins left out)."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            table.append(
                ReliabilityBin(float(edges[b]), float(edges[b + 1]), int(mask.sum()), float(p[mask].mean()),
                               float(y[mask].mean()))
            )  # fmt: skip
    return table


def format_reliability(table: Sequence[ReliabilityBin]) -> str:
    lines = [f"{'bin':<11} {'n':>6} {'mean p':>7} {'observed':>8} {'gap':>6}"]
    for b in table:
        lines.append(f"{b.low:.1f}-{b.high:.1f}    {b.count:>6} {b.mean_score:>7.3f} {b.observed:>8.3f} {b.gap:>6.3f}")
    return "\n".join(lines)


def threshold_for_precision(
    probabilities: Sequence[float] | np.ndarray,
    outcomes: Sequence[float] | np.ndarray,
    *,
    precision: float,
    min_support: int = 10,
) -> float:
    """The lowest threshold t such that the judgments scoring >= t are right at least `precision` of the time
    (over at least `min_support` of them); 1.0 (assert nothing) when no threshold reaches it."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    order = np.argsort(-p, kind="stable")
    cumulative = np.cumsum(y[order]) / np.arange(1, len(p) + 1)
    best, below = 1.0, -np.inf
    for k in range(len(p) - 1, min_support - 2, -1):
        if cumulative[k] >= precision and (k + 1 == len(p) or p[order[k + 1]] < p[order[k]]):
            best = float(p[order[k]])
            below = float(p[order[k + 1]]) if k + 1 < len(p) else -np.inf
            break
    # four digits, unless rounding would admit a lower score or leave out the chosen one (smooth curves give
    # scores that close): the stored threshold asserts exactly the judgments it was chosen for
    rounded = round(best, 4)
    return rounded if below < rounded <= best else best
