"""Calibration curves, reliability tables and precision thresholds (narrascope.learn.calibration)."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.learn.calibration import (
    Calibrator,
    cross_calibrated,
    reliability,
    threshold_for_precision,
)


def _miscalibrated(n: int = 6000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw scores that overstate confidence: the true probability is raw**2."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0, 1, n)
    truth = raw**2
    outcomes = (rng.uniform(0, 1, n) < truth).astype(float)
    return raw, truth, outcomes


def test_out_of_fold_calibration_is_reliable_within_a_tenth_per_bin() -> None:
    raw, _, outcomes = _miscalibrated()
    before = reliability(raw, outcomes)
    assert max(b.gap for b in before) > 0.15  # the raw score is not a probability
    after = reliability(cross_calibrated(raw, outcomes), outcomes)
    assert all(b.gap <= 0.1 for b in after if b.count >= 30), after


def test_curve_recovers_the_true_probability_and_round_trips() -> None:
    raw, truth, outcomes = _miscalibrated()
    curve = Calibrator.fit(raw, outcomes)
    assert float(np.abs(curve(raw) - truth).mean()) < 0.05
    assert np.all(np.diff(curve(np.linspace(0, 1, 50))) >= 0)  # monotone
    again = Calibrator.from_dict(curve.to_dict())
    assert np.allclose(again(raw), curve(raw))


def test_bad_stored_curve_is_rejected() -> None:
    with pytest.raises(ValueError):
        Calibrator.from_dict({"xs": [0.5, 0.1], "ys": [0.0, 1.0]})
    with pytest.raises(ValueError):
        Calibrator.from_dict({"xs": [0.1], "ys": [0.0]})


def test_threshold_for_precision_is_the_lowest_score_reaching_the_target() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    right = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0], dtype=float)
    assert threshold_for_precision(scores, right, precision=0.8, min_support=1) == 0.5  # 4 of 5 right
    assert threshold_for_precision(scores, right, precision=1.0, min_support=1) == 0.7
    assert threshold_for_precision(scores, right, precision=1.0, min_support=5) == 1.0  # never: assert nothing


def test_centred_curve_keeps_the_order_a_plateau_would_flatten() -> None:
    # outcomes that violate monotony inside [0.3, 0.5]: plain isotonic regression pools them into one plateau
    raw = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.8, 0.9])
    outcomes = np.array([0, 0, 1, 0, 1, 0, 0, 1, 1], dtype=float)
    plain, centred = Calibrator.fit(raw, outcomes), Calibrator.fit(raw, outcomes, centred=True)
    assert plain.one(0.36) == plain.one(0.44)  # one plateau: the model's order is lost
    assert centred.one(0.36) < centred.one(0.44)  # joined between block centres: kept
    grid = np.linspace(0, 1, 101)
    assert np.all(np.diff(centred(grid)) >= 0)  # still monotone, within [0, 1]
    assert centred(grid).min() >= 0.0 and centred(grid).max() <= 1.0
    # each block keeps its mean outcome at its centre: the pooled block [0.3, 0.5] is right 2 times in 5
    assert centred.one(float(raw[2:7].mean())) == pytest.approx(0.4)
    assert Calibrator.from_dict(centred.to_dict()) == centred


def test_a_rounded_threshold_never_admits_a_score_below_the_chosen_one() -> None:
    # the chosen lowest score is 0.350613; 0.3506 would also assert the wrong judgment at 0.35061
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.38, 0.36, 0.350613, 0.35061, 0.2])
    outcomes = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0], dtype=float)
    t = threshold_for_precision(scores, outcomes, precision=0.6, min_support=3)
    assert t == 0.350613  # 6 right of 10
    assert float(outcomes[scores >= t].mean()) >= 0.6
    # where rounding selects the same judgments, the threshold keeps four digits
    scores[7] = 0.38123
    assert threshold_for_precision(scores[:-3], outcomes[:-3], precision=0.6, min_support=3) == 0.3812
