"""Kill `narrascope ingest` with SIGKILL at random moments, rerun it each time, and count what was lost or doubled.

    python benchmarks/resume.py ../shared/data/semeval2025-task10/unlabeled --db /tmp/c.db --kills 10

Each round starts an ingest into an empty file, kills it after a random delay (a run that ends first is not
counted: it is started again with a new delay), then reruns it to completion and counts what the killed run
lost or doubled. Expected ids are every document id the readers find (minus those a run reports as failed).
Prints, per round, the articles stored at the kill and after the rerun, lost (expected ids missing) and
duplicated (ids stored twice), and the totals.
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
    parser.add_argument("--min-delay", type=float, default=1.0, help="seconds before a kill, at least")
    parser.add_argument("--max-delay", type=float, default=15.0, help="seconds before a kill, at most")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", default="32")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    extra = ["--batch-size", args.batch_size]
    expected = {r.article.id for r in read_paths(list(args.paths)) if r.article is not None}
    kills = lost = duplicated = 0
    while kills < args.kills:
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(args.db + suffix):
                os.remove(args.db + suffix)
        process = run(args.paths, args.db, extra)
        time.sleep(rng.uniform(args.min_delay, args.max_delay))
        if process.poll() is not None:
            process.communicate()
            print(f"(the run ended before the kill at {len(stored(args.db))} stored; started again)")
            continue
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=600)
        kills += 1
        at_kill = len(stored(args.db))
        rerun = run(args.paths, args.db, extra)
        _, err = rerun.communicate()
        summary = err.strip().splitlines()[-1] if err.strip() else ""
        failed = {line.split(": ")[2] for line in err.splitlines() if line.startswith("narrascope: error: ")}
        ids = stored(args.db)
        missing = len((expected - failed) - set(ids))
        doubled = len(ids) - len(set(ids))
        lost, duplicated = lost + missing, duplicated + doubled
        print(
            f"kill {kills:2d}: {at_kill:4d} stored at the kill; rerun: {summary}; lost {missing}, duplicated {doubled}"
        )
    print(f"{kills} kills, expected ids {len(expected)}: lost {lost}, duplicated {duplicated}")


if __name__ == "__main__":
    main()
