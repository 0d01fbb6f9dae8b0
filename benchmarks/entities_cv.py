"""k-fold cross-validation of the entity stack on SemEval-2025 Task 10 subtask-1 training folders.

    python benchmarks/entities_cv.py ../shared/data/semeval2025-task10/train [--save src/narrascope/entities/artifacts]
    python benchmarks/entities_cv.py TRAIN --languages ru,bg --context-weight 0   (faster: two languages, TF-IDF)
    python benchmarks/entities_cv.py TRAIN --context-weight 0 --losses 15   (and who each loss is, per language)

Mentions of one article stay in one fold; folds are stratified by language; all languages train together.
Prints the official subtask-1 measures for given mentions, main-role balanced accuracy, the recall of mention
detection alone (gold mentions of held-out documents that a detected mention overlaps), and precision/recall of
the (entity, main role) pairs the full analyze path shows, per language, with the reliability tables of the
calibrated scores. The gazetteers detection reads are rebuilt in each fold from the other folds' annotations.
The article narratives the role model and the gate read come from the shipped narrative model (trained on these
same documents: optimistic) in the old protocol, whose thresholds are also chosen on the very predictions they
are measured on. The honest protocol, printed beside it, predicts each fold's narratives with a narrative model
trained on the other folds' documents, and fits every calibration curve and per-language threshold of a fold on
the other folds' predictions only: its figures are what an unseen article gets. Not a test. With --save,
refits the role model, the gate and the gazetteers on all the data and writes them with the calibration of the
honest run (out-of-fold narratives, as an unseen article has).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from narrascope.datasets.examples import expand_language_folders, language_of
from narrascope.entities.detection.gazetteer import save_gazetteers
from narrascope.entities.endtoend import LOSSES, DetectedDocument, detect_folders
from narrascope.entities.evaluate import load_entity_examples
from narrascope.entities.training import (
    CONTEXT_WEIGHT,
    SWEEP,
    FramingReport,
    cross_validate_framing,
    entity_folds,
    train_entity_models,
)
from narrascope.learn.calibration import format_reliability
from narrascope.narratives.evaluate import fit_examples, folder_narratives, model_text
from narrascope.narratives.model import PROFILES

Narratives = dict[str, list[tuple[str, float]]]


def out_of_fold_narratives(folders: list[Path], fold_of_key: dict[str, int], folds: int) -> Narratives:
    """Each annotated document's narratives as a model trained on the other folds' documents predicts them
    (documents in no fold train every fold's model)."""
    from narrascope.datasets.examples import load_narrative_examples

    examples = load_narrative_examples(folders)
    out: Narratives = {}
    for k in range(folds):
        train = [e for e in examples if fold_of_key.get(f"{e.language.upper()}/{e.id}", -1) != k]
        test = [e for e in examples if fold_of_key.get(f"{e.language.upper()}/{e.id}", -1) == k]
        model = fit_examples(train, PROFILES["accurate"])
        for e, p in zip(test, model.predict([model_text(e.raw_text) for e in test]), strict=True):
            out[f"{e.language.upper()}/{e.id}"] = p.narratives
        print(f"narratives of fold {k + 1}/{folds} predicted by a model trained on the other folds", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--losses",
        type=int,
        default=0,
        metavar="N",
        help="also print, per language, the N commonest names behind each loss of the honest run (gold mentions "
        "not detected, entities withheld, roles decoded wrong, shown pairs that are wrong)",
    )
    parser.add_argument("--save", help="write the retrained role models, gate and gazetteers to this artifacts folder")
    parser.add_argument(
        "--languages",
        default="bg,en,hi,pt,ru",
        help="comma-separated languages whose documents go through detection, the gate and the shown pairs "
        "(the role model always learns from every folder given)",
    )
    parser.add_argument(
        "--context-weight",
        type=float,
        default=CONTEXT_WEIGHT,
        help="scale of the mention-context embedding block (0: TF-IDF role model only)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    folders = [f for f in expand_language_folders(args.data) if (f / "subtask-1-annotations.txt").is_file()]
    shipped = folder_narratives(folders)
    leaky_examples = load_entity_examples(folders, shipped)
    fold_of_key = entity_folds(leaky_examples, folds=args.folds)
    languages = {lang.strip().lower() for lang in args.languages.split(",") if lang.strip()}
    detected = [f for f in folders if language_of(f) in languages]
    caches: dict[frozenset[str], dict[tuple[str, str], list[tuple[int, int, str]]]] = {}

    def source(narratives: Narratives) -> Callable[[set[str]], list[DetectedDocument]]:
        def fold_documents(train_keys: set[str]) -> list[DetectedDocument]:
            cache = caches.setdefault(frozenset(train_keys), {})  # the two runs detect each fold once
            return detect_folders(detected, narratives, train_keys, cache)[0]

        return fold_documents

    print(f"{len(leaky_examples)} mentions; detection in {', '.join(sorted(languages))}")
    reports: dict[str, FramingReport] = {}
    honest_narratives: Narratives = {}
    for run in ("old", "honest"):
        print(f"\n{run} protocol ({time.perf_counter() - started:.0f} s)", flush=True)
        if run == "honest":
            honest_narratives = out_of_fold_narratives(folders, fold_of_key, args.folds)
        narratives = shipped if run == "old" else honest_narratives
        examples = leaky_examples if run == "old" else load_entity_examples(folders, narratives)
        reports[run] = cross_validate_framing(
            examples, source(narratives), folds=args.folds, context_weight=args.context_weight,
            progress=lambda m: print(m, flush=True),
        )  # fmt: skip
    print(f"\n{args.folds}-fold cross-validation, {time.perf_counter() - started:.0f} s")
    print_comparison(reports["old"], reports["honest"])
    if args.losses:
        print_loss_names(reports["honest"], args.losses)
    print_report(reports["honest"], args.context_weight)
    if args.save:
        weight = args.context_weight
        examples = load_entity_examples(folders, honest_narratives)
        documents, gazetteers = detect_folders(detected, honest_narratives)
        roles, context_roles, gate = train_entity_models(examples, documents, reports["honest"], context_weight=weight)
        roles.save(str(Path(args.save) / "roles"))
        gate.save(str(Path(args.save) / "gate"))
        save_gazetteers(gazetteers, Path(args.save) / "gazetteer")
        if context_roles is not None:
            context_roles.save(str(Path(args.save) / "roles-context"))
        print(f"wrote {args.save}/roles, roles-context, gate and gazetteer")


def print_comparison(old: FramingReport, honest: FramingReport) -> None:
    """The old (leaky) protocol's figures beside the honest ones, per language."""
    print("\ngiven mentions, old protocol (shipped narratives) -> honest (out-of-fold narratives)")
    print(f"{'data':<20} {'EMR':>15} {'main acc':>15} {'bal acc':>15}")
    honest_given = {r.name: r for r in honest.given}
    for r in old.given:
        h = honest_given[r.name]
        bal_old, bal_new = old.balanced.get(r.name, float("nan")), honest.balanced.get(r.name, float("nan"))
        print(
            f"{r.name:<20} {r.exact_match_ratio:>6.4f} -> {h.exact_match_ratio:.4f} "
            f"{r.main_accuracy:>6.4f} -> {h.main_accuracy:.4f} {bal_old:>6.4f} -> {bal_new:.4f}"
        )
    print(
        "\nshown (entity, main role) pairs: old protocol (shipped narratives, thresholds chosen on the measured "
        "predictions) beside honest (out-of-fold narratives, each fold's thresholds from the other folds)"
    )
    print(f"{'language':<10} {'old P':>7} {'old R':>7} {'shown':>6} | {'honest P':>8} {'honest R':>8} {'shown':>6}")
    honest_pairs = {p.name: p for p in honest.honest_pairs}
    for p in old.pairs:
        q = honest_pairs.get(p.name)
        if q is None:
            continue
        print(
            f"{p.name:<10} {p.precision:>7.4f} {p.recall:>7.4f} {p.shown:>6} | "
            f"{q.precision:>8.4f} {q.recall:>8.4f} {q.shown:>6}"
        )
    print("\nwhere the honest run's gold pairs end (share of the language's gold pairs)")
    print(f"{'language':<10} {'gold':>6} " + " ".join(f"{k:>13}" for k in LOSSES))
    for lang, losses in honest.recall_losses.items():
        gold = sum(losses.values()) or 1
        print(f"{lang:<10} {gold:>6} " + " ".join(f"{losses[k]:>6} ({losses[k] / gold:.2f})" for k in LOSSES))


def print_loss_names(report: FramingReport, n: int) -> None:
    """Who the honest run's losses are, per language: the n commonest of each kind."""
    for lang, names in report.loss_names.items():
        print(f"\n{lang}: who the losses are (honest run; gold pairs, or shown pairs for `wrong shown`)")
        for kind, counts in names.items():
            print(f"  {kind} ({sum(counts.values())}): " + "; ".join(f"{k} {v}" for k, v in counts.most_common(n)))


def print_report(report: FramingReport, context_weight: float) -> None:
    """The honest run in full: given mentions, detection recall, pairs at the pooled thresholds, sweep."""
    model = "context role model (TF-IDF + sentence embedding)" if context_weight else "TF-IDF role model"
    print(f"\nhonest run in full; given mentions: {model}")
    head = ("data", "mentions", "EMR", "P", "R", "F1", "main acc", "bal acc", "abstain")
    print(f"{head[0]:<20} " + " ".join(f"{h:>8}" for h in head[1:]))
    for r in report.given:
        bal = report.balanced.get(r.name, float("nan"))
        abstain = report.abstained.get(r.name, float("nan"))
        print(
            f"{r.name:<20} {r.mentions:>8} {r.exact_match_ratio:>7.4f} {r.precision:>7.4f} {r.recall:>7.4f} "
            f"{r.f1:>7.4f} {r.main_accuracy:>9.4f} {bal:>8.4f} {abstain:>8.3f}"
        )
    if report.balanced_tfidf:
        print("balanced accuracy of the TF-IDF role model (what analyze runs): "
              + "  ".join(f"{k} {v:.4f}" for k, v in report.balanced_tfidf.items()))  # fmt: skip
    print(
        "\nmention detection alone, held-out documents (gold mentions a detected mention overlaps): "
        + "  ".join(f"{k} {v:.4f}" for k, v in report.mention_recall.items())
    )
    print(
        "\nshown pairs at thresholds chosen on all the CV predictions (what --save stores: "
        + ", ".join(f"{k.upper()} {v}" for k, v in report.pair_thresholds.items())
        + f"; all languages together {report.pair_threshold}; gate >= {report.gate_threshold})"
    )
    print(f"{'language':<10} {'docs':>5} {'shown':>6} {'gold':>6} {'P':>7} {'R':>7} {'F1':>7}")
    for p in report.pairs:
        print(
            f"{p.name:<10} {p.documents:>5} {p.shown:>6} {p.gold:>6} {p.precision:>7.4f} {p.recall:>7.4f} {p.f1:>7.4f}"
        )
    print("\nprecision / recall of the shown pairs at other pair-score thresholds (the --min-score entities choice)")
    for t, row in zip(SWEEP, report.sweep, strict=True):
        print(f"  >= {t:<5} " + "  ".join(f"{p.name} {p.shown:>4} P {p.precision:.3f} R {p.recall:.3f}" for p in row))
    for title, table in (("role (given mentions)", report.role_reliability), ("framing gate", report.gate_reliability),
                         ("shown pair", report.pair_reliability)):  # fmt: skip
        print(f"\nreliability of the calibrated {title} score (CV predictions)\n{format_reliability(table)}")
    print(f"\nrole threshold (given mentions) {report.role_threshold}; context model {report.context_threshold}")


if __name__ == "__main__":
    main()
