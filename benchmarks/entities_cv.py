"""k-fold cross-validation of the entity role model on SemEval-2025 Task 10 subtask-1 training folders.

    python benchmarks/entities_cv.py ../shared/data/semeval2025-task10/train

Mentions of one article stay in one fold; folds are stratified by language; all languages train together.
Prints the official subtask-1 measures per language; not a test.
"""

from __future__ import annotations

import argparse
import time

from narrascope.entities.evaluate import cross_validate_entities, load_entity_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    examples = load_entity_examples(args.data)
    started = time.perf_counter()
    rows = cross_validate_entities(examples, folds=args.folds, progress=lambda m: print(m, flush=True))
    print(f"\n{args.folds}-fold cross-validation, {len(examples)} mentions, {time.perf_counter() - started:.0f} s")
    print(f"{'data':<20} {'mentions':>8} {'EMR':>7} {'P':>7} {'R':>7} {'F1':>7} {'main acc':>9}")
    for r in rows:
        print(
            f"{r.name:<20} {r.mentions:>8} {r.exact_match_ratio:>7.4f} {r.precision:>7.4f} {r.recall:>7.4f} "
            f"{r.f1:>7.4f} {r.main_accuracy:>9.4f}"
        )


if __name__ == "__main__":
    main()
