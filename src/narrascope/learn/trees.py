"""Gradient-boosted trees kept as plain arrays: fitted by scikit-learn, predicted with numpy.

A model folder stores JSON and npz only (`learn/storage.py`: a model file can never run code), so the trees of a
fitted `HistGradientBoostingClassifier` (binary) are exported as flat node arrays — split feature, threshold,
children, leaf value — and `TreeEnsemble.decision` walks every tree at once, level by level: a few numpy
operations per level, whatever the number of trees. The result equals scikit-learn's own `decision_function`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# the arrays one ensemble stores (`arrays()` / `from_arrays`), each name after the caller's prefix
ARRAYS = ("feature", "threshold", "left", "right", "value", "missing_left", "roots", "baseline")


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary boosted trees: raw score = baseline + the leaf value each tree sends a row to."""

    feature: np.ndarray  # int32, per node; -1 at a leaf
    threshold: np.ndarray  # float64: a row goes left when its feature value <= threshold
    left: np.ndarray  # int32 node index (a leaf points to itself)
    right: np.ndarray
    value: np.ndarray  # float64 leaf value (0 at inner nodes)
    missing_left: np.ndarray  # bool: where a missing (NaN) value goes
    roots: np.ndarray  # int32 root node of each tree
    baseline: float

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        y: np.ndarray,
        *,
        max_depth: int = 4,
        max_iter: int = 300,
        learning_rate: float = 0.05,
        l2_regularization: float = 1.0,
        seed: int = 0,
    ) -> TreeEnsemble:
        """Fit a binary `HistGradientBoostingClassifier` (no early stopping: every fit grows `max_iter` trees) on
        one OpenMP thread: the same trees on every machine, and no threads spinning against each other's cores on
        a busy one (a fit of the entity gate took 332 s of wall time with scikit-learn's threads on a loaded
        2-core machine, 31 s with one)."""
        from sklearn.ensemble import HistGradientBoostingClassifier
        from threadpoolctl import threadpool_limits

        model = HistGradientBoostingClassifier(
            max_depth=max_depth,
            max_iter=max_iter,
            learning_rate=learning_rate,
            l2_regularization=l2_regularization,
            early_stopping=False,
            random_state=seed,
        )
        with threadpool_limits(limits=1, user_api="openmp"):
            model.fit(np.asarray(X, np.float64), np.asarray(y))
        return cls.from_sklearn(model)

    @classmethod
    def from_sklearn(cls, model: object) -> TreeEnsemble:
        """The trees of a fitted binary HistGradientBoostingClassifier (classes 0 and 1)."""
        predictors = model._predictors  # type: ignore[attr-defined]
        if any(len(per_iteration) != 1 for per_iteration in predictors):
            raise ValueError("only binary classifiers are exported (one tree per iteration)")
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "left", "right", "value", "miss")}
        roots, offset = [], 0
        for (predictor,) in predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not exported")
            leaf = nodes["is_leaf"].astype(bool)
            own = np.arange(len(nodes), dtype=np.int64) + offset
            parts["feature"].append(np.where(leaf, -1, nodes["feature_idx"]))
            parts["threshold"].append(np.where(leaf, 0.0, nodes["num_threshold"]))
            parts["left"].append(np.where(leaf, own, nodes["left"].astype(np.int64) + offset))
            parts["right"].append(np.where(leaf, own, nodes["right"].astype(np.int64) + offset))
            parts["value"].append(np.where(leaf, nodes["value"], 0.0))
            parts["miss"].append(nodes["missing_go_to_left"].astype(bool))
            roots.append(offset)
            offset += len(nodes)
        baseline = float(np.ravel(model._baseline_prediction)[0])  # type: ignore[attr-defined]
        return cls(
            np.concatenate(parts["feature"]).astype(np.int32),
            np.concatenate(parts["threshold"]).astype(np.float64),
            np.concatenate(parts["left"]).astype(np.int32),
            np.concatenate(parts["right"]).astype(np.int32),
            np.concatenate(parts["value"]).astype(np.float64),
            np.concatenate(parts["miss"]),
            np.asarray(roots, np.int32),
            baseline,
        )

    def decision(self, X: np.ndarray) -> np.ndarray:
        """Raw scores (log-odds) of the rows of X."""
        X = np.asarray(X, np.float64)
        if not len(self.roots):
            return np.full(len(X), self.baseline)
        rows = np.arange(len(X))[:, None]
        node = np.broadcast_to(self.roots, (len(X), len(self.roots))).copy()
        while True:
            feature = self.feature[node]
            inner = feature >= 0
            if not inner.any():
                break
            x = X[rows, np.maximum(feature, 0)]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        scores: np.ndarray = self.baseline + self.value[node].sum(axis=1)
        return scores

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """P(class 1) of the rows of X."""
        z = self.decision(X)
        p: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        return p

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The npz arrays that store the ensemble (names `prefix` + ARRAYS)."""
        values = (self.feature, self.threshold, self.left, self.right, self.value, self.missing_left, self.roots)
        out = {prefix + name: array for name, array in zip(ARRAYS, values, strict=False)}
        out[prefix + "baseline"] = np.asarray([self.baseline], np.float64)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str = "") -> TreeEnsemble:
        """The ensemble `arrays(prefix)` stored; a ValueError when an array is missing or the nodes disagree."""
        try:
            a = {name: arrays[prefix + name] for name in ARRAYS}
        except KeyError as exc:
            raise ValueError(f"tree array {exc} missing") from None
        n = len(a["feature"])
        if any(len(a[k]) != n for k in ("threshold", "left", "right", "value", "missing_left")):
            raise ValueError("tree arrays of different lengths")
        for k in ("left", "right", "roots"):
            if len(a[k]) and (a[k].min() < 0 or a[k].max() >= n):
                raise ValueError(f"tree array {k!r} points outside the nodes")
        inner = np.flatnonzero(a["feature"] >= 0)
        if (a["left"][inner] <= inner).any() or (a["right"][inner] <= inner).any():
            raise ValueError("a tree node's child comes before it (the walk would not end)")
        return cls(
            a["feature"].astype(np.int32), a["threshold"].astype(np.float64), a["left"].astype(np.int32),
            a["right"].astype(np.int32), a["value"].astype(np.float64), a["missing_left"].astype(bool),
            a["roots"].astype(np.int32), float(a["baseline"].ravel()[0]),
        )  # fmt: skip
