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
marked. "any": share of pairs whose first sentence is marked for some label of the article (it carries one of
the article's narratives, maybe not the one asked for): a diagnostic, not the measure. Reported on the
held-out half by default; `--split tune` shows the half the scorer was tuned on; `--scorer DIR` measures
another scorer folder (e.g. one trained with `--encoder e5`) instead of the shipped one.
Prints numbers and the scorer's ms per article; not a test.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from narrascope.analysis import Analysis, Evidence
from narrascope.article import Article
from narrascope.datasets.examples import load_narrative_examples
from narrascope.ingest.components import Cleaner, SentenceSegmenter
from narrascope.narratives.component import NarrativeClassifier
from narrascope.narratives.evidence import EvidenceScorer
from narrascope.narratives.evidence_train import article_labels, read_evidence_set
from narrascope.taxonomy import parent_of

DATA = Path(__file__).parent / "data" / "narrative_evidence.jsonl"
Select = Callable[[Analysis, list[str]], dict[str, tuple[Evidence, ...]]]


def load_set(path: Path, split: str) -> list[dict]:
    return [r for r in read_evidence_set(path) if split == "all" or r["split"] == split]


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


def shared(chosen: dict[str, tuple[Evidence, ...]]) -> int:
    """Sentences shown for two narratives of different parents (unrelated)."""
    parents: dict[tuple[int, int], set[str]] = defaultdict(set)
    for label, found in chosen.items():
        for e in found:
            parents[(e.start, e.end)].add(parent_of(label))
    return sum(len(p) > 1 for p in parents.values())


def score(rows: Sequence[dict], docs: dict[str, Analysis], select: Select) -> tuple[dict, float, int]:
    """Per language: [pairs, hits@1, shown, marked among shown, first sentence marked for any label of the
    article]; ms per article; sentences shown for two unrelated narratives."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    elapsed, twice = 0.0, 0
    for row in rows:
        started = time.perf_counter()
        chosen = select(docs[row["id"]], article_labels(row["narratives"], row["subnarratives"]))
        elapsed += time.perf_counter() - started
        twice += shared(chosen)
        anywhere = {(s["start"], s["end"]) for item in row["evidence"] for s in item["sentences"]}
        for item in row["evidence"]:
            marked = {(s["start"], s["end"]) for s in item["sentences"]}
            shown = [(e.start, e.end) for e in chosen.get(item["label"], ())][:3]
            c = counts[row["language"]]
            c[0] += 1
            c[1] += bool(shown) and shown[0] in marked
            c[2] += len(shown)
            c[3] += sum(s in marked for s in shown)
            c[4] += bool(shown) and shown[0] in anywhere
    return counts, 1000 * elapsed / max(len(rows), 1), twice


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", nargs="+", help="SemEval train/ (or train/EN ...) folders holding the articles")
    parser.add_argument("--split", default="heldout", choices=("heldout", "tune", "all"))
    parser.add_argument("--set", default=str(DATA), help="the labelled evidence set (JSONL)")
    parser.add_argument("--scorer", help="an evidence scorer folder to measure instead of the shipped one")
    args = parser.parse_args()
    rows = load_set(Path(args.set), args.split)
    docs = analyses(rows, args.data)
    component = NarrativeClassifier()
    if args.scorer:
        component._evidence_scorer, component._evidence_loaded = EvidenceScorer.load(args.scorer), True
    methods: dict[str, Select] = {
        "before": component.lexical_evidence,
        "after": component.evidence,
    }
    results = {name: score(rows, docs, select) for name, select in methods.items()}
    pairs = sum(len(r["evidence"]) for r in rows)
    print(f"narrative evidence, {args.split} half: {len(rows)} articles, {pairs} labelled (article, label) pairs")
    print(f"{'lang':<5} {'pairs':>5}  {'before P@1':>10} {'P@3':>5} {'any':>5}  {'after P@1':>9} {'P@3':>5} {'any':>5}")
    languages = sorted(results["before"][0])
    for language in [*languages, "all"]:
        chosen = languages if language == "all" else [language]
        cells = []
        for name in methods:
            per = results[name][0]
            pairs, hits, shown, marked, anywhere = (sum(per[lang][i] for lang in chosen) for i in range(5))
            cells.append(f"{hits / pairs:>9.2f} {marked / max(shown, 1):>5.2f} {anywhere / pairs:>5.2f}")
        print(f"{language:<5} {pairs:>5}   " + "  ".join(cells))
    for name in methods:
        ms, twice = results[name][1], results[name][2]
        print(f"{name}: {ms:.0f} ms per article (evidence only); {twice} sentences shown for two unrelated narratives")


if __name__ == "__main__":
    main()
