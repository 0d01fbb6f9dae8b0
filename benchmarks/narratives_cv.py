"""k-fold cross-validation of the narrative classifier on SemEval-2025 Task 10 training folders.

    python benchmarks/narratives_cv.py ../shared/data/semeval2025-task10/train
    python benchmarks/narratives_cv.py ../shared/data/semeval2025-task10/train --word-max 200000

Folds are stratified by language; all languages train together; thresholds are tuned inside each training
fold (nested), so the printed F1-samples are honest estimates. Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from narrascope.datasets.examples import load_narrative_examples
from narrascope.narratives.evaluate import cross_validate
from narrascope.narratives.model import PROFILES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--profile", default="accurate", choices=sorted(PROFILES))
    parser.add_argument("--word-max", type=int, help="override the word feature budget")
    parser.add_argument("--char-max", type=int, help="override the character n-gram budget")
    parser.add_argument("--alpha", type=float, help="override the ridge regularisation")
    parser.add_argument("--labels", action="store_true", help="also print per-label scores")
    args = parser.parse_args()

    config = PROFILES[args.profile]
    features = config.features
    if args.word_max:
        features = dataclasses.replace(features, word_max_features=args.word_max)
    if args.char_max:
        features = dataclasses.replace(features, char_max_features=args.char_max)
    config = dataclasses.replace(config, features=features, alpha=args.alpha or config.alpha)

    examples = load_narrative_examples(args.data)
    started = time.perf_counter()
    report = cross_validate(examples, config, folds=args.folds, progress=lambda m: print(m, flush=True))
    print(
        f"\n{args.folds}-fold cross-validation, profile {args.profile}, {len(examples)} documents, "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(f"{'data':<20} {'docs':>5} {'coarse F1':>10} {'fine F1':>10}")
    for row in report.rows:
        print(f"{row.name:<20} {row.documents:>5} {row.coarse:>10.4f} {row.fine:>10.4f}")
    if args.labels:
        for score in report.label_scores:
            print(
                f"  {score.label:<100} {score.support:>4} P {score.precision:.3f} R {score.recall:.3f} "
                f"F1 {score.f1:.3f}"
            )


if __name__ == "__main__":
    main()
