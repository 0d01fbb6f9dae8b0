"""Calibrate the technique span scores on k-fold CV predictions and choose the default threshold.

    python benchmarks/techniques_calibrate.py --data ../shared/data/ptc-2020/train [--folds 3] \
        [--save src/narrascope/techniques/artifacts/spans]

Each predicted span (noise spans left out) of a held-out article gets its partial-overlap credit (the share
of its characters inside gold spans, as the SI precision counts it). An isotonic curve maps the raw span
score to that credit; the default threshold is the lowest calibrated score at which the spans shown reach
SI precision 0.40. Prints the reliability table (out-of-fold calibration) and SI P/R/F1 of all spans and of
the spans shown by default. With --save, writes the curve and the threshold into that model's model.json.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.datasets.ptc import PtcSpan, load_ptc
from narrascope.learn.calibration import (
    Calibrator,
    cross_calibrated,
    format_reliability,
    reliability,
    threshold_for_precision,
)
from narrascope.techniques.evaluate import precision_credit, span_identification_scores
from narrascope.techniques.model import TrainConfig, train_technique_model
from narrascope.techniques.text import merge_spans, span_words

TARGET_PRECISION = 0.40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data/ptc-2020/train")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--save", help="model folder whose model.json gets the calibration and threshold")
    parser.add_argument("--cache", help="JSON file of the CV predictions: written once, read on later runs")
    args = parser.parse_args()
    if args.cache and Path(args.cache).is_file():
        cached = json.loads(Path(args.cache).read_text("utf-8"))
        found = [tuple(f) for f in cached["found"]]
        gold = [PtcSpan(*g) for g in cached["gold"]]
    else:
        found, gold = cv_predictions(args.data, args.folds)
        if args.cache:
            spans = [[g.article_id, g.start, g.end] for g in gold]
            Path(args.cache).write_text(json.dumps({"found": found, "gold": spans}), "utf-8")
    report(found, gold, args.save)


def cv_predictions(data: str, folds: int) -> tuple[list[Any], list[PtcSpan]]:
    """(article, start, end, raw score, credit, words) of every span predicted on held-out articles; gold spans."""
    articles = load_ptc(data)
    fold_of = np.random.default_rng(0).permutation(len(articles)) % folds
    found: list[tuple[str, int, int, float, float]] = []  # article, start, end, raw score, credit
    gold: list[PtcSpan] = []
    for fold in range(folds):
        train = [a for a, f in zip(articles, fold_of, strict=True) if f != fold]
        model = train_technique_model(train, config=TrainConfig(tune=True))
        print(f"fold {fold + 1}/{folds}: decode threshold {model.decode_config.threshold}", flush=True)
        for article, f in zip(articles, fold_of, strict=True):
            if f != fold:
                continue
            spans = merge_spans([(s.start, s.end) for s in article.spans])
            gold += article.spans
            found += [(article.id, t.start, t.end, t.score, precision_credit(t.start, t.end, spans),
                       span_words(article.text[t.start : t.end])) for t in model.predict(article.text)]  # fmt: skip
    return found, gold


def report(found: list[Any], gold: list[PtcSpan], save: str | None) -> None:
    raw = np.array([f[3] for f in found])
    single = np.array([f[5] == 1 for f in found])
    credits = np.array([f[4] for f in found])
    # one curve for one-word spans, one for longer ones: at the same raw score a lone word is right less often
    calibrated = np.zeros(len(raw))
    for mask in (single, ~single):
        calibrated[mask] = cross_calibrated(raw[mask], credits[mask])
    print(f"\n{len(found)} predicted spans; reliability of the calibrated span score (out-of-fold curves)")
    print(format_reliability(reliability(calibrated, credits)))
    # the SI scorer merges overlapping spans, so the credit-based choice is checked against the scorer itself
    threshold = threshold_for_precision(calibrated, credits, precision=TARGET_PRECISION, min_support=50)
    for candidate in np.arange(round(threshold, 3), 1.0, 0.0025):
        kept = [PtcSpan(a, s, e) for (a, s, e, *_), p in zip(found, calibrated, strict=True) if p >= candidate]
        if span_identification_scores(gold, kept).precision >= TARGET_PRECISION:
            threshold = round(float(candidate), 4)
            break
    for name, keep in (("all spans", calibrated >= 0), (f"shown (score >= {threshold})", calibrated >= threshold)):
        predicted = [PtcSpan(a, s, e) for (a, s, e, *_), k in zip(found, keep, strict=True) if k]
        si = span_identification_scores(gold, predicted)
        print(f"{name:<28} spans {len(predicted):>6}  SI P {si.precision:.4f}  R {si.recall:.4f}  F1 {si.f1:.4f}")
    curve = Calibrator.fit(raw[~single], credits[~single])
    single_curve = Calibrator.fit(raw[single], credits[single])
    if save:
        path = Path(save) / "model.json"
        meta = json.loads(path.read_text("utf-8"))
        meta |= {"calibration": curve.to_dict(), "calibration_single": single_curve.to_dict(), "threshold": threshold}
        path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(f"wrote the calibration and threshold {threshold} to {path}")


if __name__ == "__main__":
    main()
