"""The review queue's order, kept at ingest: one `review_rank` row per article, so that a page of the queue is read
from an index instead of ranking every article on every request (`store/review.py` reads it).

A row holds what the queue ranks by: whether an analyst reviewed the article (a correction in force: neither
undone nor stale), whether it has withheld narrative candidates (a narrative the model scored below the threshold,
other than `Other`), the margin and the entropy of the calibrated scores of every narrative the model scored
(`learn.uncertainty`), and its published day and when it was stored. `update` writes the rows of some articles
from their stored judgments and corrections: it runs where those change, inside the same transaction (an article
stored, `Store.put_batch`; a correction made, undone or gone stale, `corrected.refresh`). Triggers follow an
article's deletion and a change of its day.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from narrascope.learn.uncertainty import label_entropy, margin
from narrascope.taxonomy import OTHER

# the queue's order: not reviewed first; among them, articles with withheld candidates first; then most uncertain
# (margin ascending, entropy descending); then the newest (day, then when it was stored); then the id
ORDER = "r.reviewed, r.no_candidates, r.margin, r.entropy DESC, r.day DESC, r.ingested_at DESC, r.article_id"
_CHUNK = 500


def update(conn: sqlite3.Connection, ids: Iterable[str]) -> None:
    """Write the `review_rank` rows of articles `ids` from their stored rows (call inside the caller's
    transaction); an id with no stored article has none."""
    wanted = list(dict.fromkeys(ids))
    for start in range(0, len(wanted), _CHUNK):
        _update(conn, wanted[start : start + _CHUNK])


def _update(conn: sqlite3.Connection, ids: Sequence[str]) -> None:
    marks = ",".join("?" * len(ids))
    scores: dict[str, list[float]] = {}
    candidates: set[str] = set()
    for article_id, label, score, asserted in conn.execute(
        f"SELECT article_id, label, score, asserted FROM narratives WHERE article_id IN ({marks})"
        " AND model = 1 AND level = 'narrative'",
        list(ids),
    ):
        scores.setdefault(article_id, []).append(float(score))
        if not asserted and label != OTHER:
            candidates.add(article_id)
    for found_scores in scores.values():  # summed in one order: copies with the same scores tie exactly
        found_scores.sort()
    reviewed = {
        r[0]
        for r in conn.execute(
            f"SELECT DISTINCT article_id FROM corrections WHERE article_id IN ({marks}) AND undone_at IS NULL"
            " AND stale_at IS NULL",
            list(ids),
        )
    }
    found = conn.execute(
        f"SELECT id, COALESCE(day, ''), COALESCE(ingested_at, '') FROM articles WHERE id IN ({marks})", list(ids)
    ).fetchall()
    conn.execute(f"DELETE FROM review_rank WHERE article_id IN ({marks})", list(ids))
    conn.executemany(
        "INSERT INTO review_rank (article_id, reviewed, no_candidates, margin, entropy, day, ingested_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (article_id, int(article_id in reviewed), int(article_id not in candidates),
             margin(scores.get(article_id, [])), label_entropy(scores.get(article_id, [])), day, ingested)
            for article_id, day, ingested in found
        ],
    )  # fmt: skip


def fill(conn: sqlite3.Connection) -> None:
    """Rank the stored articles that have no row yet (stored before the table existed, or copied in by SQL)."""
    missing = [
        r[0] for r in conn.execute("SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM review_rank)")
    ]
    update(conn, missing)
