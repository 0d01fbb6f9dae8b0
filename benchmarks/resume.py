"""Kill `narrascope ingest` with SIGKILL at random moments, rerun it each time, and count what was lost or doubled.

    python benchmarks/resume.py ../shared/data/semeval2025-task10/unlabeled --db /tmp/c.db --kills 10

Each round starts an ingest into the same file and kills it after a random delay; a last run completes the
corpus. Expected ids are every document id the readers find (minus those a run reports as failed). Prints,
per round, the articles stored; at the end, lost (expected ids missing), duplicated (ids stored twice) and
the final summary line.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from narrascope.ingest.readers import read_paths


def stored(db: str) -> list[str]:
    if not os.path.exists(db):
        return []
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT id FROM articles")]
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def run(paths: list[str], db: str, extra: list[str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "narrascope.cli.main", "ingest", *paths, "--db", db, *extra]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db", required=True)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--min-delay", type=float, default=3.0, help="seconds before a kill, at least")
    parser.add_argument("--max-delay", type=float, default=20.0, help="seconds before a kill, at most")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", default="32")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    extra = ["--batch-size", args.batch_size]
    for round_no in range(1, args.kills + 1):
        process = run(args.paths, args.db, extra)
        time.sleep(rng.uniform(args.min_delay, args.max_delay))
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=600)
        print(
            f"round {round_no:2d}: {'killed' if killed else 'finished before the kill'}, {len(stored(args.db))} stored"
        )
    process = run(args.paths, args.db, extra)
    _, err = process.communicate()
    summary = err.strip().splitlines()[-1] if err.strip() else ""
    failed = {line.split(": ")[2] for line in err.splitlines() if line.startswith("narrascope: error: ")}
    expected = {r.article.id for r in read_paths(list(args.paths)) if r.article is not None and r.origin not in failed}
    ids = stored(args.db)
    print(f"final run: {summary}")
    print(f"expected ids: {len(expected)}   stored: {len(ids)}   lost: {len(expected - set(ids))}   "
          f"duplicated: {len(ids) - len(set(ids))}")  # fmt: skip


if __name__ == "__main__":
    main()
