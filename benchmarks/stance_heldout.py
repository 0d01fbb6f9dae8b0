"""Accuracy of the claim stance on a held-out set of real sentences (written before the stance rules were tuned).

    python benchmarks/stance_heldout.py [benchmarks/data/stance_heldout.jsonl] [--corpus DIR]

Each row is one sentence of the SemEval-2025 unlabeled corpus (short quote), the cue the claims extractor
found in it, and the stance a reader gives the author toward the reported claim. Each sentence is analysed
alone; the claim whose cue matches is scored (a missed claim counts as wrong). With --corpus, also prints the
share of each stance over all claims of a corpus folder. Not a test.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from narrascope import analyze
from narrascope.pipeline import load_pipeline

DEFAULT = Path(__file__).parent / "data" / "stance_heldout.jsonl"
STANCES = ("endorses", "reports", "disputes", "unclear")


def corpus_shares(folder: str) -> None:
    from narrascope.runner import analyze_many

    pipeline = load_pipeline(["cleaning", "language", "sentences", "claims"])
    counts: Counter[str] = Counter()
    for outcome in analyze_many([folder], pipeline=pipeline):
        if outcome.analysis is not None:
            counts.update(c.stance for c in outcome.analysis.claims)
    total = max(sum(counts.values()), 1)
    shares = ", ".join(f"{s} {counts[s]} ({counts[s] / total:.1%})" for s in STANCES)
    print(f"\n{sum(counts.values())} claims in {folder}: {shares}")


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--corpus"]
    corpus = sys.argv[sys.argv.index("--corpus") + 1] if "--corpus" in sys.argv else None
    args = [a for a in args if a != corpus]
    path = Path(args[0]) if args else DEFAULT
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    pipeline = load_pipeline(["cleaning", "language", "sentences", "claims"])
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        claims = analyze(row["sentence"], pipeline=pipeline).claims
        match = [c for c in claims if c.cue is not None and c.cue.text == row["cue"]] or claims
        predicted = match[0].stance if match else "missed"
        confusion[(row["gold"], predicted)] += 1
    total = sum(confusion.values())
    right = sum(n for (g, p), n in confusion.items() if g == p)
    print(f"stance accuracy on {total} held-out sentences: {right / total:.3f}")
    print(f"{'gold | predicted':<18}" + "".join(f"{s:>10}" for s in (*STANCES, "missed")))
    for gold in STANCES[:3]:
        print(f"{gold:<18}" + "".join(f"{confusion[(gold, p)]:>10}" for p in (*STANCES, "missed")))
    recalls = [confusion[(g, g)] / max(sum(n for (x, _), n in confusion.items() if x == g), 1) for g in STANCES[:3]]
    print("per-stance recall: " + ", ".join(f"{g} {r:.2f}" for g, r in zip(STANCES, recalls, strict=False)))
    if corpus:
        corpus_shares(corpus)


if __name__ == "__main__":
    main()
