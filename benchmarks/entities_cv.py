"""k-fold cross-validation of the entity stack on SemEval-2025 Task 10 subtask-1 training folders.

    python benchmarks/entities_cv.py ../shared/data/semeval2025-task10/train [--save src/narrascope/entities/artifacts]
    python benchmarks/entities_cv.py TRAIN --languages ru,bg --context-weight 0   (faster: two languages, TF-IDF)

Mentions of one article stay in one fold; folds are stratified by language; all languages train together.
Prints the official subtask-1 measures for given mentions, main-role balanced accuracy, the recall of mention
detection alone (gold mentions of held-out documents that a detected mention overlaps), and precision/recall of
the (entity, main role) pairs the full analyze path shows, per language, with the reliability tables of the
calibrated scores. The gazetteers detection reads are rebuilt in each fold from the other folds' annotations.
The article narratives the role model and the gate read come from the shipped narrative model (trained on these
same documents: optimistic). Not a test. With --save, refits the role model, the gate and the gazetteers on all
the data and writes them with the CV calibration.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from narrascope.datasets.examples import expand_language_folders, language_of
from narrascope.entities.detection.gazetteer import save_gazetteers
from narrascope.entities.endtoend import DetectedDocument, detect_folders
from narrascope.entities.evaluate import load_entity_examples
from narrascope.entities.training import CONTEXT_WEIGHT, SWEEP, cross_validate_framing, train_entity_models
from narrascope.learn.calibration import format_reliability
from narrascope.narratives.evaluate import folder_narratives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="train/ or train/EN ... folders")
    parser.add_argument("--folds", type=int, default=5)
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
    narratives = folder_narratives(folders)
    examples = load_entity_examples(folders, narratives)
    languages = {lang.strip().lower() for lang in args.languages.split(",") if lang.strip()}
    detected = [f for f in folders if language_of(f) in languages]

    def fold_documents(train_keys: set[str]) -> list[DetectedDocument]:
        return detect_folders(detected, narratives, train_keys)[0]

    print(
        f"{len(examples)} mentions; detection in {', '.join(sorted(languages))} ({time.perf_counter() - started:.0f} s)"
    )
    report = cross_validate_framing(
        examples, fold_documents, folds=args.folds, context_weight=args.context_weight,
        progress=lambda m: print(m, flush=True),
    )  # fmt: skip
    model = "context role model (TF-IDF + sentence embedding)" if args.context_weight else "TF-IDF role model"
    print(f"\n{args.folds}-fold cross-validation, {time.perf_counter() - started:.0f} s; given mentions: {model}")
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
        "\nshown (entity, main role) pairs (TF-IDF role model) vs gold framed mentions "
        f"(gate >= {report.gate_threshold}, "
        f"pair score >= the language's threshold: "
        + ", ".join(f"{k.upper()} {v}" for k, v in report.pair_thresholds.items())
        + f"; all languages together {report.pair_threshold})"
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
    if args.save:
        weight = args.context_weight
        documents, gazetteers = detect_folders(detected, narratives)
        roles, context_roles, gate = train_entity_models(examples, documents, report, context_weight=weight)
        roles.save(str(Path(args.save) / "roles"))
        gate.save(str(Path(args.save) / "gate"))
        save_gazetteers(gazetteers, Path(args.save) / "gazetteer")
        if context_roles is not None:
            context_roles.save(str(Path(args.save) / "roles-context"))
        print(f"wrote {args.save}/roles, roles-context, gate and gazetteer")


if __name__ == "__main__":
    main()
