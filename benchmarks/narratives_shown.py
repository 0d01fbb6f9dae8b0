"""Precision and recall of the narratives an analyst is shown, per language, by k-fold cross-validation.

    python benchmarks/narratives_shown.py ../shared/data/semeval2025-task10/train
    python benchmarks/narratives_shown.py --corpus ../shared/data/semeval2025-task10/unlabeled

Each fold's model is fitted on the other folds (its decoding thresholds and its per-language assertion rule
fitted inside them, by an inner cross-validation), then predicts the held-out fold. Two decisions from one
model are scored against the gold labels of the held-out documents:
- "every pick": all labels the task's F1-maximising decoding picks (what surfaces showed before assertion
  rules), `Other` left out;
- "asserted": the picks whose calibrated score reaches their language's threshold (precision target 0.75).
Precision = right shown labels / shown labels; recall = right shown labels / gold labels (gold `Other` left
out), over all documents of the language.
"best P at R .40": the highest precision a threshold on the picks' calibrated scores reaches at recall 0.40,
chosen on the held-out picks themselves (an upper bound of any rule over this ranking; "-" when every pick
together stays under recall 0.40). Last, the task decoding's F1-samples of the same picks (as
`narratives_cv.py` prints them), so a ranking change is checked against the SemEval score in the same run.

With --corpus (unlabeled SemEval language folders), no cross-validation: the shipped model (or --model) reads
every article, and the share of each language's articles that get each narrative is printed, every pick
beside asserted ones; a narrative on more than 60 % of a language's articles is flagged. Prints numbers; not a
test.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from narrascope.datasets.examples import NarrativeExample, load_narrative_examples
from narrascope.narratives.evaluate import cross_validated_predictions, report_for
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


def best_precision_at(
    examples: Sequence[NarrativeExample], predictions: dict[str, DocumentPrediction], level: str, recall: float
) -> float | None:
    """The highest precision any threshold on the picks' calibrated scores reaches at `recall` or more, the
    threshold chosen on these very picks (an upper bound of what a rule could do with this ranking); None when
    every pick together does not reach `recall`."""
    scored: list[tuple[float, bool]] = []
    gold_total = 0
    for e in examples:
        gold = {g for g in (e.narratives if level == "narrative" else e.subnarratives) if g != OTHER}
        gold_total += len(gold)
        prediction = predictions[f"{e.language}/{e.id}"]
        for label in shown_labels(prediction, level, asserted=False):
            scored.append((prediction.judged.get(label, (0.0, False))[0], label in gold))
    scored.sort(key=lambda pair: -pair[0])
    best, right = None, 0
    for k, (_, ok) in enumerate(scored, start=1):
        right += ok
        if gold_total and right / gold_total >= recall:
            best = max(best or 0.0, right / k)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--corpus", action="store_true", help="the folders are unlabeled: asserted rates per language")
    parser.add_argument("--model", help="with --corpus: a model folder instead of the shipped one")
    args = parser.parse_args()
    if args.corpus:
        corpus_rates(args.data, args.model)
        return

    examples = load_narrative_examples(args.data)
    started = time.perf_counter()
    predictions = cross_validated_predictions(
        examples, PROFILES["accurate"], folds=args.folds, progress=lambda m: print(m, flush=True)
    )
    print(f"\n{args.folds}-fold cross-validation, {len(examples)} documents, {time.perf_counter() - started:.0f} s")
    languages = sorted({e.language for e in examples})
    print(f"{'level':<13} {'lang':<5} {'docs':>4}  {'every pick P':>12} {'R':>5}  {'asserted P':>10} {'R':>5}"
          f" {'shown':>5} {'gold':>5}  {'none asserted':>13}  {'best P at R .40':>15}")  # fmt: skip
    for level in LEVELS:
        for language in [*languages, "all"]:
            group = [e for e in examples if language in ("all", e.language)]
            keys = {f"{e.language}/{e.id}" for e in group}
            every = {k: shown_labels(p, level, asserted=False) for k, p in predictions.items() if k in keys}
            kept = {k: shown_labels(p, level, asserted=True) for k, p in predictions.items() if k in keys}
            p0, r0, _, _ = precision_recall(group, every, level)
            p1, r1, n1, gold = precision_recall(group, kept, level)
            none = sum(1 for k in keys if not kept[k])
            best = best_precision_at(group, predictions, level, 0.40)
            shown_best = "-" if best is None else f"{best:.3f}"
            print(f"{level:<13} {language.upper():<5} {len(group):>4}  {p0:>12.3f} {r0:>5.3f}  {p1:>10.3f} {r1:>5.3f}"
                  f" {n1:>5} {gold:>5}  {none:>6} ({none / len(group):>3.0%})  {shown_best:>15}")  # fmt: skip
    task_scores(examples, predictions)


def task_scores(examples: Sequence[NarrativeExample], predictions: dict[str, DocumentPrediction]) -> None:
    """The SemEval task's F1-samples of the same cross-validated picks (the task's decoding, every pick)."""
    report = report_for(
        examples, {k: ({n for n, _ in p.narratives}, {s for s, _ in p.subnarratives}) for k, p in predictions.items()}
    )
    print("\nthe task's decoding, F1-samples (as benchmarks/narratives_cv.py)")
    for row in report.rows:
        print(f"{row.name:<20} {row.documents:>4}  coarse {row.coarse:.3f}  fine {row.fine:.3f}")


def corpus_rates(folders: Sequence[str], model_path: str | None) -> None:
    from pathlib import Path

    from narrascope.datasets.examples import document_dir, language_of
    from narrascope.narratives.evaluate import model_text
    from narrascope.narratives.model import NarrativeModel, load_default_model

    model = NarrativeModel.load(model_path) if model_path else load_default_model()
    roots = [Path(f) for f in folders]
    subfolders = [s for r in roots for s in sorted(r.iterdir()) if s.is_dir() and language_of(s) != "und"] or roots
    paths = [(language_of(f), p) for f in subfolders for p in sorted(document_dir(f).glob("*.txt"))]
    languages = [language for language, _ in paths]
    predictions = model.predict([model_text(p.read_text("utf-8")) for _, p in paths], languages)
    print(f"{'lang':<5} {'articles':>8} {'with a pick':>11} {'with one asserted':>17}   narratives on > 30 % of the"
          " language's articles (every pick -> asserted)")  # fmt: skip
    for language in sorted(set(languages)):
        mine = [p for lang, p in zip(languages, predictions, strict=True) if lang == language]
        picks = [shown_labels(p, "narrative", asserted=False) for p in mine]
        kept = [shown_labels(p, "narrative", asserted=True) for p in mine]
        n = len(mine)
        print(f"{language.upper():<5} {n:>8} {sum(1 for s in picks if s):>11} {sum(1 for s in kept if s):>17}")
        for label in sorted({label for s in picks for label in s}):
            before = sum(label in s for s in picks) / n
            after = sum(label in s for s in kept) / n
            if before > 0.3 or after > 0.3:
                flag = "  > 60 % ASSERTED" if after > 0.6 else ""
                print(f"      {label:<70} {before:>4.0%} -> {after:>4.0%}{flag}")


if __name__ == "__main__":
    main()
