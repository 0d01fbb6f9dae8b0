"""How much text a narrative judgment needs: the numbers behind `analysis.MIN_WORDS`.

    python benchmarks/min_text.py ../shared/data/semeval2025-task10/train

Prints (1) the distribution of clean-text lengths (words, sentences) of the SemEval-2025 training articles,
all languages: the models never saw an article shorter than its minimum; (2) what a narrative model trained on
one half does on the first N words of the other half's articles: how many narratives it asserts, their
precision against the article's gold narratives, and how often it asserts a narrative for an article whose gold
is `Other`; (3) the smallest N from which both come close to the full-text numbers. Prints numbers; not a test.
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from narrascope.datasets.examples import load_narrative_examples
from narrascope.ingest.sentences import split_sentences
from narrascope.narratives.evaluate import fit_examples, model_text
from narrascope.narratives.model import PROFILES
from narrascope.taxonomy import OTHER

PREFIXES = (1, 2, 3, 5, 8, 12, 20, 25, 30, 35, 40, 45, 50, 60, 80, 120)
PRECISION_SLACK, OTHER_SLACK = 0.02, 0.05  # how close to the full-text numbers a prefix must come


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    args = parser.parse_args()
    examples = load_narrative_examples(args.data)
    texts = [model_text(e.raw_text) for e in examples]
    words = np.array([len(t.split()) for t in texts])
    sentences = np.array([len(list(split_sentences(t))) for t in texts])
    print(f"{len(examples)} training articles (clean text, title included)")
    for name, values in (("words", words), ("sentences", sentences)):
        points = ", ".join(f"p{p}={np.percentile(values, p):.0f}" for p in (1, 5, 25, 50))
        print(f"  {name}: min={values.min()}, {points}")

    order = list(range(len(examples)))
    random.Random(0).shuffle(order)
    train, test = order[: len(order) // 2], order[len(order) // 2 :]
    model = fit_examples([examples[i] for i in train], PROFILES["accurate"])
    print(f"\nnarrative model trained on {len(train)} articles; first N words of the {len(test)} others")
    print(f"{'N words':>8} {'asserted/doc':>13} {'precision':>10} {'on Other':>9}")
    rows: dict[int | None, tuple[float, float]] = {}
    for n in (None, *PREFIXES):
        prefixes = [" ".join(texts[i].split()[:n]) if n else texts[i] for i in test]
        predictions = model.predict(prefixes)
        asserted = correct = other_docs = other_hits = 0
        for i, prediction in zip(test, predictions, strict=True):
            found = {label for label, _ in prediction.narratives if label != OTHER}
            gold = set(examples[i].narratives)
            asserted += len(found)
            correct += len(found & gold)
            if gold <= {OTHER}:
                other_docs += 1
                other_hits += bool(found)
        precision = correct / asserted if asserted else float("nan")
        label = "full" if n is None else str(n)
        rows[n] = (precision, other_hits / max(other_docs, 1))
        print(f"{label:>8} {asserted / len(test):13.2f} {precision:10.2f} {rows[n][1]:9.2f}")
    full_precision, full_other = rows[None]
    chosen = min(
        n
        for n in PREFIXES
        if all(rows[m][0] >= full_precision - PRECISION_SLACK and rows[m][1] <= full_other + OTHER_SLACK
               for m in PREFIXES if m >= n)
    )  # fmt: skip
    print(
        f"\nsmallest N from which every prefix is within {PRECISION_SLACK} of the full-text precision and "
        f"{OTHER_SLACK} of its rate on Other articles: {chosen} words"
    )


if __name__ == "__main__":
    main()
