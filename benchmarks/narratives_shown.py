"""Precision and recall of the narratives an analyst is shown, per language, by k-fold cross-validation.

    python benchmarks/narratives_shown.py ../shared/data/semeval2025-task10/train

Each fold's model is fitted on the other folds (its decoding thresholds and its per-language assertion rule
fitted inside them, by an inner cross-validation), then predicts the held-out fold. Two decisions from one
model are scored against the gold labels of the held-out documents:
- "every pick": all labels the task's F1-maximising decoding picks (what surfaces showed before assertion
  rules), `Other` left out;
- "asserted": the picks whose calibrated score reaches their language's threshold (precision target 0.75).
Precision = right shown labels / shown labels; recall = right shown labels / gold labels (gold `Other` left
out), over all documents of the language. Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from narrascope.datasets.examples import NarrativeExample, load_narrative_examples
from narrascope.narratives.evaluate import cross_validated_predictions
from narrascope.narratives.model import PROFILES, DocumentPrediction
from narrascope.taxonomy import OTHER

LEVELS = ("narrative", "subnarrative")


def precision_recall(
    examples: Sequence[NarrativeExample], shown: dict[str, set[str]], level: str
) -> tuple[float, float, int, int]:
    """Precision, recall, shown labels, gold labels of one level over `examples`."""
    right = shown_total = gold_total = 0
    for e in examples:
        gold = {g for g in (e.narratives if level == "narrative" else e.subnarratives) if g != OTHER}
        found = shown[f"{e.language}/{e.id}"]
        right += len(found & gold)
        shown_total += len(found)
        gold_total += len(gold)
    return (
        (right / shown_total if shown_total else 0.0),
        (right / gold_total if gold_total else 0.0),
        shown_total,
        gold_total,
    )


def shown_labels(prediction: DocumentPrediction, level: str, *, asserted: bool) -> set[str]:
    picks = prediction.narratives if level == "narrative" else prediction.subnarratives
    return {
        label for label, _ in picks if label != OTHER and (not asserted or prediction.judged.get(label, (0, False))[1])
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    examples = load_narrative_examples(args.data)
    started = time.perf_counter()
    predictions = cross_validated_predictions(
        examples, PROFILES["accurate"], folds=args.folds, progress=lambda m: print(m, flush=True)
    )
    print(f"\n{args.folds}-fold cross-validation, {len(examples)} documents, {time.perf_counter() - started:.0f} s")
    languages = sorted({e.language for e in examples})
    print(f"{'level':<13} {'lang':<5} {'docs':>4}  {'every pick P':>12} {'R':>5}  {'asserted P':>10} {'R':>5}"
          f" {'shown':>5} {'gold':>5}  {'none asserted':>13}")  # fmt: skip
    for level in LEVELS:
        for language in [*languages, "all"]:
            group = [e for e in examples if language in ("all", e.language)]
            keys = {f"{e.language}/{e.id}" for e in group}
            every = {k: shown_labels(p, level, asserted=False) for k, p in predictions.items() if k in keys}
            kept = {k: shown_labels(p, level, asserted=True) for k, p in predictions.items() if k in keys}
            p0, r0, _, _ = precision_recall(group, every, level)
            p1, r1, n1, gold = precision_recall(group, kept, level)
            none = sum(1 for k in keys if not kept[k])
            print(f"{level:<13} {language.upper():<5} {len(group):>4}  {p0:>12.3f} {r0:>5.3f}  {p1:>10.3f} {r1:>5.3f}"
                  f" {n1:>5} {gold:>5}  {none:>6} ({none / len(group):.0%})")  # fmt: skip


if __name__ == "__main__":
    main()
