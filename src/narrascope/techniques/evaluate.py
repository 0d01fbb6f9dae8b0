"""The SemEval-2020 Task 11 measures, as its official scorers define them.

Span identification (Da San Martino et al. 2020): overlapping spans of an article are merged first; with
C(s, t, h) = |s ∩ t| / h, precision = Σ C(s, t, |s|) / |S| and recall = Σ C(s, t, |t|) / |T|, summed over all
pairs of a predicted span s and a gold span t of the same article, S and T all predicted and gold spans.
Technique classification given the gold spans: micro-averaged F1 over (article, start, end, technique),
a span labelled twice matching any order of its labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from narrascope.datasets.ptc import PtcSpan
from narrascope.techniques.text import merge_spans


@dataclass(frozen=True)
class Prf:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class LabelScore:
    label: str
    support: int
    precision: float
    recall: float
    f1: float


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def _by_article(spans: Iterable[PtcSpan]) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = {}
    for span in spans:
        if span.end > span.start:
            grouped.setdefault(span.article_id, []).append((span.start, span.end))
    return {article: merge_spans(found) for article, found in grouped.items()}


def span_identification_scores(gold: Iterable[PtcSpan], predicted: Iterable[PtcSpan]) -> Prf:
    """Precision, recall and F1 with partial-overlap credit (the task's SI scorer)."""
    gold_by = _by_article(gold)
    pred_by = _by_article(predicted)
    n_gold = sum(len(v) for v in gold_by.values())
    n_pred = sum(len(v) for v in pred_by.values())
    precision_sum = recall_sum = 0.0
    for article, predictions in pred_by.items():
        truths = gold_by.get(article, [])
        for s_start, s_end in predictions:
            for t_start, t_end in truths:
                overlap = min(s_end, t_end) - max(s_start, t_start)
                if overlap > 0:
                    precision_sum += overlap / (s_end - s_start)
                    recall_sum += overlap / (t_end - t_start)
    precision = precision_sum / n_pred if n_pred else 0.0
    recall = recall_sum / n_gold if n_gold else 0.0
    return Prf(precision, recall, _f1(precision, recall))


def precision_credit(start: int, end: int, gold: Sequence[tuple[int, int]]) -> float:
    """The share of a predicted span's characters inside the (merged) gold spans: its SI precision credit."""
    inside = sum(max(0, min(end, e) - max(start, s)) for s, e in gold)
    return min(1.0, inside / max(end - start, 1))


def technique_scores(
    gold: Sequence[PtcSpan], predicted: Sequence[PtcSpan], techniques: Sequence[str]
) -> tuple[Prf, list[LabelScore]]:
    """Micro P/R/F1 of technique labels on spans (gold spans given), and per-technique scores."""
    gold_at: dict[tuple[str, int, int], Counter[str]] = {}
    pred_at: dict[tuple[str, int, int], Counter[str]] = {}
    for table, spans in ((gold_at, gold), (pred_at, predicted)):
        for span in spans:
            table.setdefault((span.article_id, span.start, span.end), Counter())[span.technique or "?"] += 1
    correct: Counter[str] = Counter()
    for key, labels in pred_at.items():
        correct.update(labels & gold_at.get(key, Counter()))
    gold_count = Counter(s.technique or "?" for s in gold)
    pred_count = Counter(s.technique or "?" for s in predicted)
    total = sum(correct.values())
    micro_p = total / len(predicted) if predicted else 0.0
    micro_r = total / len(gold) if gold else 0.0
    per_label = []
    for label in techniques:
        p = correct[label] / pred_count[label] if pred_count[label] else 0.0
        r = correct[label] / gold_count[label] if gold_count[label] else 0.0
        per_label.append(LabelScore(label, gold_count[label], p, r, _f1(p, r)))
    return Prf(micro_p, micro_r, _f1(micro_p, micro_r)), per_label


def spans_of(predictions: Mapping[str, Sequence[tuple[int, int]]]) -> list[PtcSpan]:
    return [PtcSpan(article, start, end) for article, found in predictions.items() for start, end in found]
