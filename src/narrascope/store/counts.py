"""Counts kept at ingest, so that the unfiltered views of a large store read a few hundred rows, not every article.

- `label_days` and `label_outlets`: articles per (sub)narrative and technique label, per published day (`''`
  undated) or per outlet (`''` unknown), twice: `include_withheld = 0` counts the articles with an asserted
  judgment of the label, `1` those with any, in the corrected view (the rule of `judgments.asserted_sql`: an
  analyst's rejection removes a label, an addition or acceptance asserts it). The model view, like any filtered
  view, runs its query on the articles.

Every count is maintained inside the transaction that changes it: `add` after an article's judgment rows are
written, `remove` before they are deleted (a replaced article) or rewritten by a correction (`store/corrected.py`
removes and adds the article around its refresh). Rows stored before these counts are counted by the migration
that creates them.
"""

from __future__ import annotations

import sqlite3

from narrascope.store.schema import COUNTED_ANY, COUNTED_ASSERTED, KEPT_COUNTS

# the distinct labels of one article in the corrected view: (kind, label, whether any of its judgments of that label
# is asserted)
_LABELS = f"""
    SELECT n.level AS kind, n.label, max({COUNTED_ASSERTED["n"]}) AS asserted FROM narratives n
        WHERE n.article_id = :id AND {COUNTED_ANY["n"]} GROUP BY 1, 2
    UNION ALL SELECT 'technique', t.technique, max({COUNTED_ASSERTED["t"]}) FROM techniques t
        WHERE t.article_id = :id AND {COUNTED_ANY["t"]} GROUP BY 2
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


def add(conn: sqlite3.Connection, article_id: str) -> None:
    """Count a new article (its row and judgment rows written)."""
    _change(conn, article_id, 1)


def remove(conn: sqlite3.Connection, article_id: str) -> None:
    """Uncount an article about to be deleted."""
    _change(conn, article_id, -1)


def rebuild(conn: sqlite3.Connection) -> None:
    """Count every stored article again (after rows were written around `add`, by a bulk copy say)."""
    for table in ("label_days", "label_outlets"):
        conn.execute(f"DELETE FROM {table}")
    for statement in KEPT_COUNTS.split(";"):
        if statement.strip():
            conn.execute(statement)
