"""STIX export in constant memory: peak RSS of `narrascope export --format stix` on stores of growing size.

    python benchmarks/stix_export_memory.py --source /work/stores/corpus-main.db [--sizes 2000,20000]

Builds each store cheaply from an analysed one (`--source`, never written): its file is copied and its articles
are copied again under new ids (`ID#k`) with their judgments and claims (same claim groups, same stories), by SQL,
until the store holds N articles; no model runs. Then runs the export in a child process and prints, per size,
the articles, the objects per type, the seconds, the bundle's size and the child's peak resident memory. Constant
memory: the peak stays flat while N grows tenfold.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

COPIED = {
    "narratives": "article_id, label, level, score, asserted",
    "entities": "article_id, entity, ner_label, main_role, fine_roles, score, mentions, asserted, candidate_role",
    "techniques": 'article_id, technique, start, "end", text, score, asserted',
    "claims": 'article_id, group_id, start, "end", text, source, relay, stance, score, asserted, stance_score',
}


def build(source: Path, target: Path, n: int) -> int:
    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    originals = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    k = 0
    with conn:
        while conn.execute("SELECT count(*) FROM articles").fetchone()[0] < n:
            k += 1
            need = n - conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            for article_id in originals[:need]:
                new = f"{article_id}#{k}"
                conn.execute(
                    "INSERT INTO articles (id, content_hash, title, source, url, published, day, language, origin,"
                    " raw_text, analysis, ingested_at, not_covered, story_id) SELECT ?, content_hash, title, source,"
                    " url, published, day, language, origin, raw_text, json_set(analysis, '$.id', ?), ingested_at,"
                    " not_covered, story_id FROM articles WHERE id = ?",
                    (new, new, article_id),
                )
                for table, columns in COPIED.items():
                    rest = columns.split(", ", 1)[1]
                    conn.execute(
                        f"INSERT INTO {table} ({columns}) SELECT ?, {rest} FROM {table} WHERE article_id = ?",
                        (new, article_id),
                    )
    count = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    conn.close()
    return count


def export(db: Path, out: Path) -> tuple[float, float]:
    """Seconds and the child's peak RSS (MiB) of one export (one child process per run: ru_maxrss is its own)."""
    code = (
        "import resource, sys; from narrascope.cli.main import main; "
        "sys.argv = ['narrascope', 'export', '--db', sys.argv[1], '--format', 'stix', '--out', sys.argv[2]]\n"
        "try:\n main()\nexcept SystemExit:\n pass\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(db), str(out)], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    peak = next(int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK"))
    return seconds, peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="an analysed store (read only)")
    parser.add_argument("--sizes", default="2000,20000", help="store sizes in articles, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            db, out = Path(tmp) / f"store-{n}.db", Path(tmp) / f"bundle-{n}.json"
            articles = build(args.source, db, n)
            seconds, peak = export(db, out)
            counts = Counter(o["type"] for o in json.loads(out.read_text("utf-8"))["objects"])
            size = out.stat().st_size / 2**20
            print(f"{articles} articles: {seconds:.1f} s, bundle {size:.0f} MiB, peak RSS {peak:.0f} MiB; "
                  + ", ".join(f"{c} {t}" for t, c in sorted(counts.items())), flush=True)  # fmt: skip
            db.unlink()
            out.unlink()


if __name__ == "__main__":
    main()
