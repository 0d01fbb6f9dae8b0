"""Scores with the shared tasks' official definitions, so our numbers compare with published ones.

SemEval-2025 Task 10 subtask 2 ranks systems by F1-samples: the F1 between the predicted and the gold label
set of each document, averaged over documents, computed separately on narrative labels (coarse) and on
subnarrative labels (fine), with `Other` an ordinary label string. Predictions are paired with gold by
document id, never by line order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from narrascope.errors import FormatError


def set_f1(gold: set[str], predicted: set[str]) -> float:
    """F1 of one document's label sets (1.0 when both are empty, as nothing was missed or invented)."""
    if not gold and not predicted:
        return 1.0
    overlap = len(gold & predicted)
    return 2 * overlap / (len(gold) + len(predicted))


def f1_samples(gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]]) -> float:
    """Mean per-document F1 over the gold documents; a document with no prediction scores 0."""
    if not gold:
        raise FormatError("no gold documents to score")
    return sum(set_f1(labels, predicted.get(doc, set())) for doc, labels in gold.items()) / len(gold)


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def per_label_scores(gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]]) -> list[LabelScore]:
    """Precision, recall and F1 of each label over the gold documents, sorted by support."""
    labels = {label for labels in gold.values() for label in labels} | {
        label for doc in gold for label in predicted.get(doc, set())
    }
    scores = []
    for label in labels:
        tp = sum(1 for doc, g in gold.items() if label in g and label in predicted.get(doc, set()))
        fp = sum(1 for doc, g in gold.items() if label not in g and label in predicted.get(doc, set()))
        fn = sum(1 for doc, g in gold.items() if label in g and label not in predicted.get(doc, set()))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        scores.append(LabelScore(label, p, r, f, tp + fn))
    return sorted(scores, key=lambda s: (-s.support, s.label))


def missing_predictions(gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]]) -> list[str]:
    return sorted(doc for doc in gold if doc not in predicted)
