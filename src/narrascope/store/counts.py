"""Counts kept at ingest, so that the unfiltered views of a large store read a few hundred rows, not every article.

- `label_days` and `label_outlets`: articles per (sub)narrative and technique label, per published day (`''`
  undated) or per outlet (`''` unknown), twice: `include_withheld = 0` counts the articles with an asserted
  judgment of the label, `1` those with any (the same rule as `judgments.asserted_sql`).
- `entity_roles`: articles per entity and main role (role `''`: any role), with the same two rows.
- `articles.uncertainty`: the review queue's order (`learn.uncertainty` over the article's narrative scores).

Every count is maintained inside the batch's transaction: `add` after an article's judgment rows are written,
`remove` before they are deleted (a replaced article). Rows stored before these counts are counted by the
migration that creates them; their uncertainty, when the store is next opened for writing (`backfill`).
A filtered view still runs its query on the articles it selects.
"""

from __future__ import annotations

import sqlite3

from narrascope.analysis import Analysis
from narrascope.learn.uncertainty import uncertainty
from narrascope.store.schema import KEPT_COUNTS

# the distinct labels of one article: (kind, label, whether any of its judgments of that label is asserted)
_LABELS = """
    SELECT level AS kind, label, max(asserted) AS asserted FROM narratives WHERE article_id = :id GROUP BY 1, 2
    UNION ALL SELECT 'technique', technique, max(asserted) FROM techniques WHERE article_id = :id GROUP BY 2
"""
_ROLES = """
    SELECT entity, main_role AS role, max(asserted) AS asserted FROM entities WHERE article_id = :id GROUP BY 1, 2
    UNION ALL SELECT entity, '', max(asserted) FROM entities WHERE article_id = :id GROUP BY 1
"""
# one row per view: include_withheld = 1 counts every label, 0 only asserted ones
_VIEWS = "(SELECT 0 AS w UNION ALL SELECT 1) v ON v.w = 1 OR j.asserted = 1"


def _change(conn: sqlite3.Connection, article_id: str, delta: int) -> None:
    row = conn.execute("SELECT COALESCE(day, ''), COALESCE(source, '') FROM articles WHERE id = ?", (article_id,))
    found = row.fetchone()
    if found is None:
        return
    args = {"id": article_id, "day": found[0], "source": found[1], "delta": delta}
    for table, column in (("label_days", "day"), ("label_outlets", "source")):
        conn.execute(
            f"INSERT INTO {table} (kind, label, {column}, include_withheld, articles)"
            f" SELECT j.kind, j.label, :{column}, v.w, :delta FROM ({_LABELS}) j JOIN {_VIEWS} WHERE 1"
            f" ON CONFLICT (kind, label, {column}, include_withheld) DO UPDATE SET articles = articles + :delta",
            args,
        )
    conn.execute(
        "INSERT INTO entity_roles (entity, role, include_withheld, articles)"
        f" SELECT j.entity, j.role, v.w, :delta FROM ({_ROLES}) j JOIN {_VIEWS} WHERE 1"
        " ON CONFLICT (entity, role, include_withheld) DO UPDATE SET articles = articles + :delta",
        args,
    )


def add(conn: sqlite3.Connection, article_id: str) -> None:
    """Count a new article (its row and judgment rows written)."""
    _change(conn, article_id, 1)


def review_uncertainty(analysis: Analysis) -> float:
    """The `articles.uncertainty` of an analysis: what the review queue orders by."""
    return round(uncertainty([hit.score for hit in analysis.narratives]), 4)


def remove(conn: sqlite3.Connection, article_id: str) -> None:
    """Uncount an article about to be deleted."""
    _change(conn, article_id, -1)


def needs_backfill(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM articles WHERE uncertainty IS NULL LIMIT 1").fetchone() is not None


def backfill(conn: sqlite3.Connection) -> None:
    """The uncertainty of articles stored before it was kept (once; a no-op after)."""
    todo = [r[0] for r in conn.execute("SELECT id FROM articles WHERE uncertainty IS NULL")]
    for article_id in todo:
        scores = [r[0] for r in conn.execute("SELECT score FROM narratives WHERE article_id = ?", (article_id,))]
        conn.execute("UPDATE articles SET uncertainty = ? WHERE id = ?", (round(uncertainty(scores), 4), article_id))


def rebuild(conn: sqlite3.Connection) -> None:
    """Count every stored article again (after rows were written around `add`, by a bulk copy say)."""
    for table in ("label_days", "label_outlets", "entity_roles"):
        conn.execute(f"DELETE FROM {table}")
    for statement in KEPT_COUNTS.split(";"):
        if statement.strip():
            conn.execute(statement)
