"""The review queue's order: no ties at a coin toss; margin between the two most probable narratives, then the
entropy over all of them, then the newest article (a real store whose scores are set to make the ties)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from narrascope.learn.uncertainty import label_entropy, margin
from narrascope.store import review_rank
from narrascope.store.db import Store
from narrascope.store.queries import ArticleFilter
from narrascope.store.review import review_queue


def test_margin_and_entropy() -> None:
    assert margin([0.5, 0.5]) == 0 and margin([0.9]) == pytest.approx(0.9) and margin([]) == 1.0
    assert label_entropy([0.5, 0.5]) == pytest.approx(1.0) and label_entropy([0.9]) == 0.0
    assert label_entropy([0.5, 0.4, 0.1]) < label_entropy([0.5, 0.45, 0.4])


def test_queue_ranks_by_margin_then_entropy_then_recency(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "q.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY id")]
    plan = {  # every article's top narrative at 0.5: the old key (largest binary entropy) was 1.00 for all
        ids[0]: [0.5, 0.1],  # margin 0.4
        ids[1]: [0.5, 0.45],  # margin 0.05, low entropy
        ids[2]: [0.5, 0.45, 0.44],  # margin 0.05, higher entropy
        ids[3]: [0.5],  # margin 0.5
        ids[4]: [0.5],  # margin 0.5, tie: the newer article first
        ids[5]: [0.5],
    }
    with store.transaction() as conn:
        conn.execute("DELETE FROM narratives")
        for article_id, scores in plan.items():
            for n, score in enumerate(scores):
                conn.execute(
                    "INSERT INTO narratives (article_id, label, level, score, asserted)"
                    " VALUES (?, ?, 'narrative', ?, ?)",
                    (article_id, f"URW: label {n}", score, int(n == 0)),
                )
        conn.execute("UPDATE articles SET day = '2026-01-01' WHERE id = ?", (ids[3],))
        conn.execute("UPDATE articles SET day = '2026-02-01' WHERE id = ?", (ids[4],))
        conn.execute("UPDATE articles SET day = NULL WHERE id = ?", (ids[5],))
        review_rank.update(conn, ids)  # the scores were written by hand: their kept order written again
    found = review_queue(store, ArticleFilter(), limit=10, offset=0)["items"]
    store.close()
    assert [a["id"] for a in found] == [ids[2], ids[1], ids[0], ids[4], ids[3], ids[5]]
    assert found[0]["entropy"] > found[1]["entropy"] and found[0]["margin"] == found[1]["margin"]
