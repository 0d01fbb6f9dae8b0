"""Boosted trees stored as plain arrays (learn/trees.py): the numpy walk equals scikit-learn's own scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.errors import ModelError
from narrascope.learn.trees import TreeEnsemble


def _data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    X[:, 3] = rng.integers(0, 3, n)  # a few distinct values, as the gate's flags and counts have
    y = (X[:, 0] + X[:, 1] * (X[:, 3] > 1) + 0.3 * rng.normal(size=n) > 0.2).astype(int)
    return X, y


def test_tree_walk_gives_scikit_learns_scores() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = _data()
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=40, early_stopping=False, random_state=0)
    model.fit(X.astype(np.float64), y)
    trees = TreeEnsemble.from_sklearn(model)
    test, _ = _data(200, seed=1)
    assert np.allclose(trees.decision(test), model.decision_function(test.astype(np.float64)), atol=1e-9)
    assert np.allclose(trees.probabilities(test), model.predict_proba(test.astype(np.float64))[:, 1], atol=1e-9)
    # the interaction a linear model cannot learn: feature 1 matters only where feature 3 is 2
    row = np.zeros((1, 6), np.float32)
    row[0, 1], row[0, 3] = 2.0, 2.0
    other = row.copy()
    other[0, 3] = 0.0
    assert trees.probabilities(row)[0] > 0.5 > trees.probabilities(other)[0]


def test_trees_round_trip_through_arrays_and_reject_broken_ones(tmp_path: Path) -> None:
    X, y = _data()
    trees = TreeEnsemble.fit(X, y, max_iter=30)
    np.savez_compressed(tmp_path / "t.npz", allow_pickle=False, **trees.arrays("gate_"))
    with np.load(tmp_path / "t.npz", allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files}
    again = TreeEnsemble.from_arrays(arrays, "gate_")
    assert np.array_equal(again.decision(X), trees.decision(X))
    inner = int(np.flatnonzero(arrays["gate_feature"] >= 0)[0])
    looping = dict(arrays, gate_left=arrays["gate_left"].copy())
    looping["gate_left"][inner] = inner  # a walk that would never end
    with pytest.raises(ValueError, match="comes before it"):
        TreeEnsemble.from_arrays(looping, "gate_")
    with pytest.raises(ValueError, match="missing"):
        TreeEnsemble.from_arrays({k: v for k, v in arrays.items() if k != "gate_value"}, "gate_")
    outside = dict(arrays, gate_right=arrays["gate_right"] + 10**6)
    with pytest.raises(ValueError, match="outside"):
        TreeEnsemble.from_arrays(outside, "gate_")


def test_a_gate_folder_with_broken_trees_is_a_clear_model_error(tmp_path: Path) -> None:
    from narrascope.entities.framing import FEATURES, FramingGate

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, len(FEATURES))).astype(np.float32)
    y = (X[:, 1] > 0).astype(int)
    FramingGate.fit(X, y).save(str(tmp_path / "gate"))
    with np.load(tmp_path / "gate" / "weights.npz", allow_pickle=False) as stored:
        arrays = {k: stored[k] for k in stored.files if k != "roots"}
    np.savez_compressed(tmp_path / "gate" / "weights.npz", allow_pickle=False, **arrays)
    with pytest.raises(ModelError, match="corrupt entity-gate model"):
        FramingGate.load(str(tmp_path / "gate"))
