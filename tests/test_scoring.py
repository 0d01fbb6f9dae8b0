from __future__ import annotations

import pytest

from narrascope.errors import FormatError
from narrascope.learn.scoring import f1_samples, per_label_scores, set_f1


def test_f1_samples_averages_per_document_f1() -> None:
    gold = {"a": {"X", "Y"}, "b": {"Other"}}
    predicted = {"b": {"Other"}, "a": {"X"}}  # order differs from gold: pairing is by id
    assert f1_samples(gold, predicted) == pytest.approx((2 * 1 / 3 + 1.0) / 2)


def test_missing_prediction_scores_zero_and_extra_ones_are_ignored() -> None:
    assert f1_samples({"a": {"X"}, "b": {"Y"}}, {"a": {"X"}, "zzz": {"Y"}}) == 0.5


def test_set_f1_edge_cases() -> None:
    assert set_f1(set(), set()) == 1.0
    assert set_f1({"X"}, set()) == 0.0


def test_per_label_scores() -> None:
    scores = {s.label: s for s in per_label_scores({"a": {"X"}, "b": {"X", "Y"}}, {"a": {"X", "Y"}, "b": {"X"}})}
    assert scores["X"].f1 == 1.0 and scores["X"].support == 2
    assert scores["Y"].precision == 0.0 and scores["Y"].recall == 0.0


def test_no_gold_is_an_error() -> None:
    with pytest.raises(FormatError):
        f1_samples({}, {})
