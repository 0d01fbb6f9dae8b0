"""What claim grouping adds to ingest time, per 1,000 articles: grouping by meaning (e5 embeddings of every
claim, stored as float16) against grouping by shared words only (the encoder switched off).

    python benchmarks/claim_grouping_cost.py [--n 200] [--data DIR]

Analyses N unlabeled SemEval documents once (cleaning, language, sentences, claims), then stores them twice
into fresh SQLite files in batches of 50, timing `Store.put_batch` (which groups the new claims).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from unittest import mock

from narrascope.pipeline import load_pipeline
from narrascope.runner import analyze_many
from narrascope.store import claim_groups
from narrascope.store.db import Store

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10/unlabeled")
BATCH = 50


def store_seconds(analyses: list, path: Path) -> float:
    store = Store(path)
    started = time.perf_counter()
    for i in range(0, len(analyses), BATCH):
        store.put_batch(analyses[i : i + BATCH])
    seconds = time.perf_counter() - started
    groups = store.conn.execute("SELECT count(*) FROM claim_groups").fetchone()[0]
    store.close()
    print(f"  {path.stem}: {seconds:.1f} s, {groups} groups")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    documents = sorted(args.data.rglob("*.txt"))
    random.Random(20).shuffle(documents)
    pipeline = load_pipeline(("cleaning", "language", "sentences", "claims"))
    analyses = [o.analysis for o in analyze_many([str(p) for p in documents[: args.n]], pipeline=pipeline)]
    analyses = [a for a in analyses if a is not None]
    claims = sum(len(a.claims) for a in analyses)
    print(f"{len(analyses)} articles, {claims} claims ({claims / max(len(analyses), 1):.1f} per article)")
    with tempfile.TemporaryDirectory() as tmp:
        with mock.patch.object(claim_groups, "claim_vectors", lambda texts: None):
            words = store_seconds(analyses, Path(tmp) / "words")
        meaning = store_seconds(analyses, Path(tmp) / "meaning")
    per_k = 1000 / max(len(analyses), 1)
    print(f"store with grouping by shared words: {words * per_k:.0f} s per 1,000 articles")
    print(f"store with grouping by meaning:      {meaning * per_k:.0f} s per 1,000 articles")
    print(f"grouping by meaning adds {(meaning - words) * per_k:.0f} s per 1,000 articles (one core)")


if __name__ == "__main__":
    main()
