"""Label columns, hierarchy-consistent decoding, threshold search and score calibration for narratives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from narrascope.learn.scoring import f1_samples
from narrascope.taxonomy import OTHER, Taxonomy, domain_of, other_subnarrative

DOMAIN_SUFFIX = "#domain"


@dataclass
class LabelSpace:
    """The model's score columns: domains, then narratives, then subnarratives (as seen in training)."""

    domains: list[str]
    narratives: list[str]
    subnarratives: list[str]
    parent: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        narratives: Sequence[Sequence[str]],
        subnarratives: Sequence[Sequence[str]],
        *,
        domains: Sequence[str],
    ) -> LabelSpace:
        taxonomy = Taxonomy.from_labels(
            sorted({n for doc in narratives for n in doc}), sorted({s for doc in subnarratives for s in doc})
        )
        narr = list(taxonomy.narratives)
        subs = sorted({s for doc in subnarratives for s in doc if s != OTHER} | {other_subnarrative(n) for n in narr})
        return cls(list(domains), narr, subs, {s: taxonomy.narrative_of(s) for s in subs})

    @property
    def columns(self) -> list[str]:
        return [d + DOMAIN_SUFFIX for d in self.domains] + self.narratives + self.subnarratives

    def targets(self, narratives: Sequence[Sequence[str]], subnarratives: Sequence[Sequence[str]]) -> np.ndarray:
        index = {label: i for i, label in enumerate(self.columns)}
        Y = np.zeros((len(narratives), len(index)), np.float32)
        for row, (narr, subs) in enumerate(zip(narratives, subnarratives, strict=True)):
            for label in narr:
                Y[row, index[domain_of(label) + DOMAIN_SUFFIX]] = 1
                if label != OTHER:
                    Y[row, index[label]] = 1
            for label in subs:
                if label != OTHER:
                    Y[row, index[label]] = 1
        return Y

    def to_dict(self) -> dict[str, Any]:
        return {"domains": self.domains, "narratives": self.narratives, "subnarratives": self.subnarratives}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelSpace:
        taxonomy = Taxonomy.from_labels(data["narratives"], data["subnarratives"])
        parent = {s: taxonomy.narrative_of(s) for s in data["subnarratives"]}
        return cls(list(data["domains"]), list(data["narratives"]), list(data["subnarratives"]), parent)


def decode(scores: np.ndarray, thresholds: np.ndarray, labels: LabelSpace) -> list[tuple[list[str], list[str]]]:
    """Label sets per document: one domain, subnarratives first, narratives implied by them."""
    nd, nn = len(labels.domains), len(labels.narratives)
    narr_col = {label: nd + i for i, label in enumerate(labels.narratives)}
    sub_col = {label: nd + nn + i for i, label in enumerate(labels.subnarratives)}
    result: list[tuple[list[str], list[str]]] = []
    for row in range(scores.shape[0]):
        domain = labels.domains[int(np.argmax(scores[row, :nd]))]
        candidates = [n for n in labels.narratives if domain_of(n) == domain]
        if domain == OTHER or not candidates:
            result.append(([OTHER], [OTHER]))
            continue
        margin = scores[row] - thresholds
        subs = [s for s in labels.subnarratives if labels.parent[s] in candidates and margin[sub_col[s]] >= 0]
        narr = sorted({labels.parent[s] for s in subs}, key=lambda n: -margin[narr_col[n]])
        if not narr:
            narr = [max(candidates, key=lambda n: margin[narr_col[n]])]
        for n in narr:
            if not any(labels.parent[s] == n for s in subs):
                subs.append(other_subnarrative(n))
        subs.sort(key=lambda s: -margin[sub_col[s]])
        result.append((narr, subs))
    return result


def tune_thresholds(
    out_of_fold: np.ndarray,
    narratives: Sequence[Sequence[str]],
    subnarratives: Sequence[Sequence[str]],
    labels: LabelSpace,
    grid: Sequence[float] = tuple(np.linspace(-0.8, 0.8, 17)),
) -> np.ndarray:
    """One narrative and one subnarrative threshold maximising coarse + fine F1-samples on out-of-fold scores.

    Two global values rather than one per label: with a few dozen positives per label, per-label
    thresholds chase noise (measured in benchmarks/narratives_cv.py).
    """
    gold_coarse = {str(i): set(doc) for i, doc in enumerate(narratives)}
    gold_fine = {str(i): set(doc) for i, doc in enumerate(subnarratives)}
    nd, nn = len(labels.domains), len(labels.narratives)
    best, best_value = np.zeros(out_of_fold.shape[1], np.float32), -1.0
    for coarse in grid:
        for fine in grid:
            thresholds = np.zeros(out_of_fold.shape[1], np.float32)
            thresholds[nd : nd + nn], thresholds[nd + nn :] = coarse, fine
            decoded = decode(out_of_fold, thresholds, labels)
            value = f1_samples(gold_coarse, {str(i): set(d[0]) for i, d in enumerate(decoded)}) + f1_samples(
                gold_fine, {str(i): set(d[1]) for i, d in enumerate(decoded)}
            )
            if value > best_value + 1e-9:
                best, best_value = thresholds, value
    return best


LEVELS = ("domain", "narrative", "subnarrative")


def level_slices(labels: LabelSpace) -> dict[str, slice]:
    nd, nn = len(labels.domains), len(labels.narratives)
    return {"domain": slice(0, nd), "narrative": slice(nd, nd + nn), "subnarrative": slice(nd + nn, None)}


def fit_calibration(margins: np.ndarray, targets: np.ndarray, labels: LabelSpace) -> dict[str, tuple[float, float]]:
    """Per level, a sigmoid `1 / (1 + exp(-(a * margin + b)))` from margins over thresholds to probabilities,
    fitted on out-of-fold scores (Platt scaling)."""
    calibration = {}
    for level, columns in level_slices(labels).items():
        model = LogisticRegression(C=100.0)
        model.fit(margins[:, columns].reshape(-1, 1), targets[:, columns].reshape(-1).astype(int))
        calibration[level] = (float(model.coef_[0, 0]), float(model.intercept_[0]))
    return calibration


def calibrate(margins: np.ndarray, calibration: dict[str, tuple[float, float]], labels: LabelSpace) -> np.ndarray:
    probabilities = np.empty_like(margins, dtype=np.float64)
    for level, columns in level_slices(labels).items():
        a, b = calibration[level]
        probabilities[:, columns] = 1.0 / (1.0 + np.exp(-(a * margins[:, columns] + b)))
    return probabilities
