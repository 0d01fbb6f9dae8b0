"""Near-duplicate stories: the similarity distribution that `near_duplicates.THRESHOLD` is chosen on, and its cost.

    python benchmarks/near_duplicates.py                 # the 460 unlabeled SemEval test articles
    python benchmarks/near_duplicates.py --n 5000        # the store cost on a 5,000-article corpus
    python benchmarks/near_duplicates.py --copies 1000 --copies 4000   # one wire story copied N times

Prints (1) the exact Jaccard similarity of the word 5-shingle sets of every pair of distinct documents, as a
histogram, and every pair at or above 0.2; (2) how well MinHash estimates those pairs and whether LSH finds
them; (3) the time story detection adds to the store's batch writes per 1,000 articles (signatures, LSH
look-ups in SQLite, inserts), measured on a corpus of N records cycled from the documents (so every document
has copies under other ids, as in a scrape that fetched a syndicated story several times).

With `--copies N` (repeatable) it only times `narrascope ingest --components cleaning` of a JSONL of N copies
of one wire story (each under its own id and outlet, some with a footer) into a new store, and prints the
seconds, the ratio to the first N and the number of stories (1 expected): story matching must cost the same
per copy however large the story grows.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.ingest import near_duplicates
from narrascope.store import stories
from narrascope.store.db import Store

DEFAULT_DATA = Path("/work/shared/data/semeval2025-task10/unlabeled")
BINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0001)


def documents(data: Path) -> list[tuple[str, str]]:
    """One (file stem, text) per distinct file name (the subtask folders share some files)."""
    found: dict[str, str] = {}
    for path in sorted(data.rglob("*.txt")):
        if "documents" in path.parent.name:
            found.setdefault(path.stem, path.read_text("utf-8", errors="replace"))
    return sorted(found.items())


def distribution(docs: list[tuple[str, str]]) -> list[tuple[float, str, str]]:
    sets = [(name, near_duplicates.shingles(text)) for name, text in docs]
    pairs: list[tuple[float, str, str]] = []
    counts = [0] * (len(BINS) - 1)
    for (a, sa), (b, sb) in itertools.combinations(sets, 2):
        if not sa or not sb:
            continue
        jaccard = len(sa & sb) / len(sa | sb)
        counts[int(np.searchsorted(BINS, jaccard, side="right")) - 1] += 1
        if jaccard >= 0.2:
            pairs.append((jaccard, a, b))
    print(f"{len(docs)} documents, {sum(counts)} pairs; exact Jaccard of word {near_duplicates.SHINGLE_WORDS}-shingles")
    for lo, hi, n in zip(BINS, BINS[1:], counts, strict=False):
        print(f"  [{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}  {n:>7}")
    print("pairs at or above 0.2:")
    for jaccard, a, b in sorted(pairs, reverse=True):
        print(f"  {jaccard:.3f}  {a}  {b}")
    return pairs


def estimates(docs: list[tuple[str, str]], pairs: list[tuple[float, str, str]]) -> None:
    texts = dict(docs)
    stories_found = near_duplicates.find_copies(docs)
    print(f"MinHash ({near_duplicates.NUM_PERM} permutations, {len(near_duplicates.band_ranges())} LSH bands)"
          f" at threshold {near_duplicates.THRESHOLD}:")  # fmt: skip
    for jaccard, a, b in sorted(pairs, reverse=True):
        sa, sb = near_duplicates.signature(texts[a]), near_duplicates.signature(texts[b])
        assert sa is not None and sb is not None
        same = stories_found[a] == stories_found[b]
        print(f"  exact {jaccard:.3f}  estimate {near_duplicates.similarity(sa, sb):.3f}  one story: {same}  {a} {b}")
    multi: dict[str, list[str]] = {}
    for name, story in stories_found.items():
        multi.setdefault(story, []).append(name)
    print(f"{len(set(stories_found.values()))} stories of {len(docs)} documents; with copies:")
    for members in multi.values():
        if len(members) > 1:
            print("  " + ", ".join(sorted(members)))


def timed(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    """Adds the wall and CPU seconds of each call to spent[0] and spent[1]."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start
            spent[1] += time.process_time() - cpu

    return wrapper


def store_cost(docs: list[tuple[str, str]], n: int, batch: int) -> None:
    expected = len(set(near_duplicates.find_copies(docs).values()))
    records = [Article(raw_text=docs[i % len(docs)][1], id=f"{i:06d}-{docs[i % len(docs)][0]}") for i in range(n)]
    spent = [0.0, 0.0]
    place, record = stories.place, stories.record
    stories.place, stories.record = timed(place, spent), timed(record, spent)  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "stories.db")
            start = time.perf_counter()
            for i in range(0, n, batch):
                store.put_batch([Analysis(a) for a in records[i : i + batch]])
            total = time.perf_counter() - start
            count = store.count("stories")
            store.close()
    finally:
        stories.place, stories.record = place, record  # type: ignore[method-assign]
    print(f"store: {n} articles in batches of {batch}: {total:.2f} s of batch writes, of which story detection"
          f" {spent[0]:.2f} s wall, {spent[1]:.2f} s CPU = {spent[1] / n * 1000:.2f} CPU s per 1,000 articles;"
          f" {count} stories (expected {expected}); load average {os.getloadavg()[0]:.1f}")  # fmt: skip


def wire_copies(docs: list[tuple[str, str]], counts: list[int], tmp: Path) -> None:
    """`ingest --components cleaning` of N copies of one wire story, for each N: seconds and stories."""
    text = max(docs, key=lambda d: len(d[1]))[1]
    first = None
    for n in counts:
        corpus, db = tmp / f"copies-{n}.jsonl", tmp / f"copies-{n}.db"
        with corpus.open("w", encoding="utf-8") as handle:
            for i in range(n):
                footer = f"\n\nRepublished by outlet {i % 200} under licence." if i % 3 else ""
                record = {"id": f"copy-{i:06d}", "text": text + footer, "source": f"outlet-{i % 200}"}
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        command = [sys.executable, "-m", "narrascope.cli.main", "ingest", str(corpus), "--db", str(db)]
        start = time.perf_counter()
        subprocess.run([*command, "--components", "cleaning"], check=True, capture_output=True)
        seconds = time.perf_counter() - start
        store = Store(db, readonly=True)
        count = store.count("stories")
        store.close()
        first = first or (n, seconds)
        print(f"{n:>6} copies of one story: ingest --components cleaning {seconds:6.1f} s"
              f"  (x{seconds / first[1]:.2f} for x{n / first[0]:.1f} the copies); {count} stor"
              f"{'y' if count == 1 else 'ies'}; load average {os.getloadavg()[0]:.1f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=1000, help="articles for the store cost (default 1000)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--copies", type=int, action="append", help="time the ingest of N copies of one story")
    args = parser.parse_args()
    docs = documents(args.data)
    if not docs:
        sys.exit(f"no documents under {args.data}")
    if args.copies:
        with tempfile.TemporaryDirectory() as tmp:
            wire_copies(docs, args.copies, Path(tmp))
        return
    pairs = distribution(docs)
    estimates(docs, pairs)
    store_cost(docs, args.n, args.batch)


if __name__ == "__main__":
    main()
