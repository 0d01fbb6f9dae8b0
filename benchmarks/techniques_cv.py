"""K-fold cross-validation of the persuasion technique model on a PTC folder (folds by article).

Prints span identification P/R/F1 (partial-overlap credit, the SemEval-2020 Task 11 SI scorer), technique
classification micro-F1 given the gold spans, per-technique scores, and the inference time per article.
Run with one thread: `OMP_NUM_THREADS=1 python benchmarks/techniques_cv.py --data DIR [--folds 5]`.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from narrascope.datasets.ptc import PtcSpan, load_ptc
from narrascope.taxonomy import load_techniques
from narrascope.techniques.evaluate import span_identification_scores, technique_scores
from narrascope.techniques.model import TrainConfig, train_technique_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="../shared/data/ptc-2020/train")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-tune", action="store_true", help="fixed span threshold instead of held-out tuning")
    args = parser.parse_args()
    articles = load_ptc(args.data)
    fold_of = np.random.default_rng(args.seed).permutation(len(articles)) % args.folds
    gold_si: list[PtcSpan] = []
    pred_si: list[PtcSpan] = []
    gold_tc: list[PtcSpan] = []
    pred_tc: list[PtcSpan] = []
    seconds = 0.0
    chars = 0
    for fold in range(args.folds):
        train = [a for a, f in zip(articles, fold_of, strict=True) if f != fold]
        test = [a for a, f in zip(articles, fold_of, strict=True) if f == fold]
        started = time.perf_counter()
        model = train_technique_model(train, config=TrainConfig(tune=not args.no_tune))
        fit_seconds = time.perf_counter() - started
        fold_gold: list[PtcSpan] = []
        fold_pred: list[PtcSpan] = []
        for article in test:
            started = time.perf_counter()
            found = model.predict(article.text)
            seconds += time.perf_counter() - started
            chars += len(article.text)
            fold_pred += [PtcSpan(article.id, f.start, f.end) for f in found]
            fold_gold += article.spans
            offsets = [(s.start, s.end) for s in article.spans]
            labels = model.classify(article.text, offsets)
            pred_tc += [PtcSpan(article.id, s, e, label) for (s, e), (label, _) in zip(offsets, labels, strict=True)]
            gold_tc += article.spans
        si = span_identification_scores(fold_gold, fold_pred)
        print(
            f"fold {fold + 1}: SI P {si.precision:.3f} R {si.recall:.3f} F1 {si.f1:.3f}  "
            f"(threshold {model.decode_config.threshold}, smoothing {model.decode_config.smooth}; "
            f"fit {fit_seconds:.0f} s)",
            flush=True,
        )
        gold_si += fold_gold
        pred_si += fold_pred
    si = span_identification_scores(gold_si, pred_si)
    tc, per_label = technique_scores(gold_tc, pred_tc, load_techniques())
    print(f"\n{args.folds}-fold CV on {len(articles)} articles (folds by article)")
    print(f"span identification: P {si.precision:.4f}  R {si.recall:.4f}  F1 {si.f1:.4f}")
    print(f"technique classification (gold spans): micro-F1 {tc.f1:.4f}")
    print(f"\n{'technique':40s} {'support':>7s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    for score in per_label:
        print(f"{score.label:40s} {score.support:7d} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f}")
    average = seconds / len(articles) * 1000
    print(f"\nspeed: {average:.1f} ms per article (SI + TC, average {chars // len(articles)} chars), one thread")


if __name__ == "__main__":
    main()
