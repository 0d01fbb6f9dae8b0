"""Does reviewing pay? An analyst simulated on held-out SemEval-2025 training data (narratives, subtask 2).

For each language: its annotated documents are split (seeded) into a pool the analyst reviews and a test set
nobody sees. The shipped model was trained on every training document, these included, so its score on the test
set is in-sample; the starting point is instead a base model trained the same way on documents of the other four
languages only (what a team has before it reviews anything of its own): a random 35% of them by default
(`--base-share`), so that the ~30 retrainings of a run take minutes on a shared laptop; its word features barely
transfer across languages, so more of them changes the base score little. The analyst then reviews k articles of
the pool (their gold labels become corrections), chosen by the model's uncertainty (`learn.uncertainty`, the
review queue's order; re-ranked by the retrained model after each step) or at random (several seeds, averaged);
the model is retrained on the base data plus the reviewed articles and scored on the test set with the official
F1-samples, coarse (narratives) and fine (subnarratives).

    python benchmarks/feedback.py --data ../shared/data/semeval2025-task10/train --languages EN PT

k values above the pool's size are capped at it (a language has ~200 documents: the pool is 60%).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence

from narrascope.datasets.examples import NarrativeExample, load_narrative_examples
from narrascope.learn.scoring import f1_samples
from narrascope.learn.uncertainty import uncertainty
from narrascope.narratives.evaluate import fit_examples, model_text
from narrascope.narratives.model import PROFILES, NarrativeModel, load_default_model

STEPS = (25, 50, 100, 200)


def scores(model: NarrativeModel, test: Sequence[NarrativeExample]) -> tuple[float, float]:
    predictions = model.predict([model_text(e.raw_text) for e in test])
    gold_c = {e.id: set(e.narratives) for e in test}
    gold_f = {e.id: set(e.subnarratives) for e in test}
    found_c = {e.id: {n for n, _ in p.narratives} for e, p in zip(test, predictions, strict=True)}
    found_f = {e.id: {s for s, _ in p.subnarratives} for e, p in zip(test, predictions, strict=True)}
    return f1_samples(gold_c, found_c), f1_samples(gold_f, found_f)


def most_uncertain(model: NarrativeModel, pool: Sequence[NarrativeExample], n: int) -> list[NarrativeExample]:
    predictions = model.predict([model_text(e.raw_text) for e in pool])
    ranked = sorted(
        zip(pool, predictions, strict=True),
        key=lambda pair: -uncertainty(s for _, s in pair[1].narratives + pair[1].subnarratives),
    )
    return [e for e, _ in ranked[:n]]


_FULL_POOL: dict[frozenset[str], tuple[float, float]] = {}  # every strategy reviewing the whole pool fits one model


def run_strategy(
    strategy: str, base: list[NarrativeExample], base_model: NarrativeModel, pool: list[NarrativeExample],
    test: list[NarrativeExample], steps: Sequence[int], seed: int, warm_start: int = 0,
) -> list[tuple[int, float, float]]:  # fmt: skip
    """(k, coarse F1, fine F1) after each step; uncertainty re-ranks the unreviewed pool with the latest model."""
    reviewed: list[NarrativeExample] = []
    order = list(pool)
    random.Random(seed).shuffle(order)
    model, curve = base_model, []
    for k in steps:
        k = min(k, len(pool))
        if k <= len(reviewed):
            continue
        rest = [e for e in pool if e not in reviewed]
        if strategy == "uncertainty" and len(reviewed) >= warm_start:
            reviewed += most_uncertain(model, rest, k - len(reviewed))
        else:
            reviewed += [e for e in order if e not in reviewed][: k - len(reviewed)]
        key = frozenset(e.id for e in reviewed)
        if len(reviewed) == len(pool) and key in _FULL_POOL:
            curve.append((k, *_FULL_POOL[key]))
            continue
        model = fit_examples(base + reviewed, PROFILES["accurate"])
        curve.append((k, *scores(model, test)))
        if len(reviewed) == len(pool):
            _FULL_POOL[key] = curve[-1][1:]
    return curve


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="SemEval-2025 Task 10 train folder (all languages)")
    parser.add_argument("--languages", nargs="+", default=["EN", "PT"])
    parser.add_argument("--steps", nargs="+", type=int, default=list(STEPS))
    parser.add_argument("--test-share", type=float, default=0.4)
    parser.add_argument("--random-seeds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--warm-start", type=int, default=0,
        help="uncertainty reviews this many random articles first (a cold-start remedy)",
    )  # fmt: skip
    parser.add_argument(
        "--base-share",
        type=float,
        default=0.35,
        help="share of the other languages' documents the base model trains on (time; 1 = all)",
    )
    args = parser.parse_args(argv)
    examples = load_narrative_examples([args.data])
    shipped = load_default_model()
    print("strategy\tlanguage\tk\tcoarse F1\tfine F1")
    for language in args.languages:
        lang = language.lower()
        own = [e for e in examples if e.language == lang]
        others = [e for e in examples if e.language != lang]
        base = random.Random(args.seed).sample(others, round(len(others) * args.base_share))
        shuffled = list(own)
        random.Random(args.seed).shuffle(shuffled)
        cut = round(len(shuffled) * args.test_share)
        test, pool = shuffled[:cut], shuffled[cut:]
        started = time.monotonic()
        base_model = fit_examples(base, PROFILES["accurate"])
        print(f"# {language}: {len(pool)} pool, {len(test)} test documents; base model on {len(base)} documents "
              "of the other languages", file=sys.stderr)  # fmt: skip
        print("shipped (in-sample)\t{}\t0\t{:.4f}\t{:.4f}".format(language, *scores(shipped, test)))
        print("base\t{}\t0\t{:.4f}\t{:.4f}".format(language, *scores(base_model, test)), flush=True)
        name = f"uncertainty after {args.warm_start} random" if args.warm_start else "uncertainty"
        curve = run_strategy("uncertainty", base, base_model, pool, test, args.steps, args.seed, args.warm_start)
        for k, coarse, fine in curve:
            print(f"{name}\t{language}\t{k}\t{coarse:.4f}\t{fine:.4f}", flush=True)
        runs = [
            run_strategy("random", base, base_model, pool, test, args.steps, args.seed + 1 + r)
            for r in range(args.random_seeds)
        ]
        for step in zip(*runs, strict=True):
            k = step[0][0]
            coarse = sum(s[1] for s in step) / len(step)
            fine = sum(s[2] for s in step) / len(step)
            print(f"random (mean of {len(runs)})\t{language}\t{k}\t{coarse:.4f}\t{fine:.4f}", flush=True)
        print(f"# {language}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
