"""`narrascope ingest` killed with SIGKILL at random moments, then rerun: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from narrascope.ingest.near_duplicates import band_keys, from_bytes
from narrascope.pipeline import load_pipeline
from narrascope.store.db import Store
from narrascope.store.ingest import ingest
from tests.conftest import STORE_CORPUS

COMPONENTS = "cleaning,language,sentences,narratives,claims"
ARTICLES = 48


def _corpus(tmp_path: Path) -> Path:
    base = [json.loads(line) for line in STORE_CORPUS.read_text("utf-8").splitlines()]
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(ARTICLES):
            record = dict(base[i % len(base)])
            record["id"] = f"doc-{i:03d}"
            record["text"] = f"{record['text']} Report number {i} of the series."
            record["published"] = f"2023-05-{i % 28 + 1:02d}"
            out.write(json.dumps(record) + "\n")
    return path


def _ingest(corpus: Path, db: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "narrascope.cli.main", "ingest", str(corpus), "--db", str(db)]
    command += ["--components", COMPONENTS, "--batch-size", "3"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _consistent(db: Path) -> int:
    """Every stored article has all of its parts (a batch is never half-written); returns the article count.
    A file killed before its first commit (the schema is one transaction) holds nothing: 0 articles."""
    with closing(sqlite3.connect(db)) as conn:
        version, tables = conn.execute(
            "SELECT user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_user_version"
        ).fetchone()
    if (version, tables) == (0, 0):
        return 0
    store = Store(db, readonly=True)
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for row in store.conn.execute("SELECT id, analysis FROM articles"):
        doc = json.loads(row["analysis"])
        parts = store.conn.execute(
            "SELECT (SELECT count(*) FROM narratives WHERE article_id = ?), (SELECT count(*) FROM claims WHERE"
            " article_id = ? AND group_id IS NOT NULL)",
            (row["id"], row["id"]),
        ).fetchone()
        assert tuple(parts) == (len(doc["narratives"]), len(doc["claims"])), row["id"]
        story = store.conn.execute(  # its story and its signature
            "SELECT a.story_id, (SELECT signature FROM story_signatures WHERE article_id = a.id) FROM articles a"
            " WHERE a.id = ? AND a.story_id IN (SELECT id FROM stories)",
            (row["id"],),
        ).fetchone()
        assert story is not None and story[1] is not None, row["id"]
        held = store.conn.execute(  # the band keys that find its copies: each of its own, held once in its story
            "SELECT b.band, b.key FROM story_bands b JOIN articles a ON a.id = b.article_id WHERE a.story_id = ?",
            (story[0],),
        ).fetchall()
        assert len({tuple(k) for k in held}) == len(held), row["id"]
        assert set(band_keys(from_bytes(story[1]))) <= {tuple(k) for k in held}, row["id"]
    count = store.count("articles")
    store.close()
    return count


def test_kill_9_at_random_moments_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    reference = Store(tmp_path / "reference.db")
    ingest([str(corpus)], reference, pipeline=load_pipeline(COMPONENTS.split(",")))
    expected = {t: reference.count(t) for t in ("articles", "narratives", "claims")}
    assert expected["articles"] == ARTICLES

    db = tmp_path / "killed.db"
    rng = random.Random(12)
    kills = 0
    for _ in range(3):
        process = _ingest(corpus, db)
        # a random moment between the start (models loading) and well before a whole run ends
        deadline = time.monotonic() + rng.uniform(0.5, 3.0)
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.communicate(timeout=60)
        if db.exists():
            _consistent(db)
    before = _consistent(db) if db.exists() else 0
    finished = _ingest(corpus, db)
    _, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    assert f"{ARTICLES - before} added, {before} already present, 0 updated, 0 failed" in err
    assert _consistent(db) == ARTICLES
    store = Store(db, readonly=True)
    assert store.ids() == reference.ids()
    assert {t: store.count(t) for t in expected} == expected
    assert store.count("stories") == 6  # stories: the 48 records are 8 near-copies of each of 6 articles
    assert kills >= 1, "no run was killed: the corpus was ingested before any kill"
    again = _ingest(corpus, db)
    _, err = again.communicate(timeout=120)
    assert f"0 added, {ARTICLES} already present" in err
