"""What claim grouping adds to ingest time, per 1,000 articles, beside what the analysis itself costs: grouping by
meaning (static word vectors distilled from e5 and the pair model, `claims/matching.py`) against grouping by
shared words only (the meaning vectors switched off), and how long each batch holds the store's write lock.

    python benchmarks/claim_grouping_cost.py [--n 200] [--data DIR]

Analyses N unlabeled SemEval documents once with the default pipeline (what `ingest` runs, one process, timed),
then stores them twice into fresh SQLite files in batches of 50, timing `Store.put_batch` (which groups the new
claims) and the write transaction inside it.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from types import TracebackType
from unittest import mock

from narrascope.pipeline import load_pipeline
from narrascope.runner import analyze_many
from narrascope.store import claim_groups
from narrascope.store.db import Store

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10/unlabeled")
BATCH = 50


class _Timed:
    """The store's transaction, timed from BEGIN IMMEDIATE to COMMIT."""

    def __init__(self, inner: object, held: list[float]) -> None:
        self.inner, self.held = inner, held

    def __enter__(self) -> object:
        self.started = time.perf_counter()
        return self.inner.__enter__()  # type: ignore[attr-defined]

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.inner.__exit__(kind, error, tb)  # type: ignore[attr-defined]
        self.held.append(time.perf_counter() - self.started)


def store_seconds(analyses: list, path: Path) -> float:
    store = Store(path)
    held: list[float] = []
    original = store.transaction
    store.transaction = lambda: _Timed(original(), held)  # type: ignore[method-assign,assignment,return-value]
    started = time.perf_counter()
    for i in range(0, len(analyses), BATCH):
        store.put_batch(analyses[i : i + BATCH])
    seconds = time.perf_counter() - started
    groups = store.conn.execute("SELECT count(*) FROM claim_groups").fetchone()[0]
    store.close()
    lock = f"write lock per batch max {max(held):.2f} s, mean {sum(held) / len(held):.2f} s"
    print(f"  {path.stem}: {seconds:.1f} s, {groups} groups; {lock}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    documents = sorted(args.data.rglob("*.txt"))
    random.Random(20).shuffle(documents)
    pipeline = load_pipeline()
    started = time.perf_counter()
    analyses = [o.analysis for o in analyze_many([str(p) for p in documents[: args.n]], pipeline=pipeline)]
    analysis = time.perf_counter() - started
    analyses = [a for a in analyses if a is not None]
    claims = sum(len(a.claims) for a in analyses)
    print(f"{len(analyses)} articles, {claims} claims ({claims / max(len(analyses), 1):.1f} per article)")
    with tempfile.TemporaryDirectory() as tmp:
        with mock.patch.object(claim_groups, "claim_vectors", lambda texts: None):
            words = store_seconds(analyses, Path(tmp) / "words")
        meaning = store_seconds(analyses, Path(tmp) / "meaning")
    per_k = 1000 / max(len(analyses), 1)
    print(f"analysis (default pipeline, one process): {analysis * per_k:.0f} s per 1,000 articles")
    print(f"store with grouping by shared words: {words * per_k:.0f} s per 1,000 articles")
    print(f"store with grouping by meaning:      {meaning * per_k:.0f} s per 1,000 articles")
    added = (meaning - words) * per_k
    ratio = added / (analysis * per_k)
    print(f"grouping by meaning adds {added:.0f} s per 1,000 articles (one core), {ratio:.2f} x the analysis")


if __name__ == "__main__":
    main()
