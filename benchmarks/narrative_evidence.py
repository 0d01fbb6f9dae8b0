"""Does the first evidence sentence carry the narrative? Precision@1 and @3 per language, before and after.

    python benchmarks/narrative_evidence.py ../shared/data/semeval2025-task10/train
    python benchmarks/narrative_evidence.py ../shared/data/semeval2025-task10/train --split tune

Reads `benchmarks/data/narrative_evidence.jsonl` (160 training articles read by hand: for each gold narrative
and clear subnarrative, the sentences that carry it; split tune/heldout per language before any tuning) and the
articles' raw text from the SemEval folders. For each article, both selections are asked for the evidence of
the article's gold labels (the labels an analyst would see if the model got them right, so the figure is the
evidence's, not the classifier's):
- before: the narrative model's own linear score of each sentence, one owner narrative per sentence (the
  selection shipped before the evidence scorer);
- after: the trained sentence scorer (`narratives/evidence.py`), as the pipeline runs it.
Precision@1: share of labelled (article, label) pairs whose first evidence sentence is one the reader marked;
a label given no evidence counts as a miss. Precision@3: share of the shown sentences (up to three) that are
marked. Reported on the held-out half by default; `--split tune` shows the half the scorer was tuned on.
Prints numbers and the scorer's ms per article; not a test.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from narrascope.analysis import Analysis, Evidence
from narrascope.article import Article
from narrascope.datasets.examples import load_narrative_examples
from narrascope.ingest.components import Cleaner, SentenceSegmenter
from narrascope.narratives.component import NarrativeClassifier
from narrascope.taxonomy import OTHER

DATA = Path(__file__).parent / "data" / "narrative_evidence.jsonl"
Select = Callable[[Analysis, list[str]], dict[str, tuple[Evidence, ...]]]


def load_set(path: Path, split: str) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r["split"] == split]


def analyses(rows: Sequence[dict], folders: Sequence[str]) -> dict[str, Analysis]:
    """The labelled articles, cleaned and split into sentences as the pipeline does."""
    wanted = {r["id"] for r in rows}
    found: dict[str, Analysis] = {}
    for example in load_narrative_examples(folders):
        key = f"{example.language.upper()}/{example.id}"
        if key in wanted:
            analysis = Analysis(Article(raw_text=example.raw_text, language=example.language))
            found[key] = SentenceSegmenter()(Cleaner()(analysis))
    missing = wanted - set(found)
    if missing:
        raise SystemExit(f"{len(missing)} labelled articles are not in the given folders, e.g. {sorted(missing)[0]}")
    return found


def gold_labels(row: dict) -> list[str]:
    return [label for label in row["narratives"] + row["subnarratives"] if label != OTHER]


def score(rows: Sequence[dict], docs: dict[str, Analysis], select: Select) -> tuple[dict, float]:
    """Per language: [pairs, hits@1, shown, marked among shown]; and ms per article."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    elapsed = 0.0
    for row in rows:
        started = time.perf_counter()
        chosen = select(docs[row["id"]], gold_labels(row))
        elapsed += time.perf_counter() - started
        for item in row["evidence"]:
            marked = {(s["start"], s["end"]) for s in item["sentences"]}
            shown = [(e.start, e.end) for e in chosen.get(item["label"], ())][:3]
            c = counts[row["language"]]
            c[0] += 1
            c[1] += bool(shown) and shown[0] in marked
            c[2] += len(shown)
            c[3] += sum(s in marked for s in shown)
    return counts, 1000 * elapsed / max(len(rows), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="SemEval train/ (or train/EN ...) folders holding the articles")
    parser.add_argument("--split", default="heldout", choices=("heldout", "tune", "all"))
    parser.add_argument("--set", default=str(DATA), help="the labelled evidence set (JSONL)")
    args = parser.parse_args()
    rows = load_set(Path(args.set), args.split)
    docs = analyses(rows, args.data)
    component = NarrativeClassifier()
    methods: dict[str, Select] = {
        "before": component.lexical_evidence,
        "after": component.evidence,
    }
    results = {name: score(rows, docs, select) for name, select in methods.items()}
    pairs = sum(len(r["evidence"]) for r in rows)
    print(f"narrative evidence, {args.split} half: {len(rows)} articles, {pairs} labelled (article, label) pairs")
    print(f"{'lang':<5} {'pairs':>5}  {'before P@1':>10} {'P@3':>5}  {'after P@1':>9} {'P@3':>5}")
    languages = sorted(results["before"][0])
    for language in [*languages, "all"]:
        line = f"{language:<5}"
        for k, name in enumerate(methods):
            per = results[name][0]
            c = [sum(per[lang][i] for lang in (languages if language == "all" else [language])) for i in range(4)]
            if k == 0:
                line += f" {c[0]:>5} "
            line += f" {c[1] / c[0]:>10.2f} {c[3] / max(c[2], 1):>5.2f}" if k == 0 else f" {c[1] / c[0]:>9.2f} "
            line += f"{c[3] / max(c[2], 1):>5.2f}" if k else ""
        print(line)
    for name in methods:
        print(f"{name}: {results[name][1]:.1f} ms per article (evidence selection only)")


if __name__ == "__main__":
    main()
