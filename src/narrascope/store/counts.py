"""Counts kept at ingest, so that the unfiltered views of a large store read a few hundred rows, not every article.

- `label_days` and `label_outlets`: articles per (sub)narrative and technique label, per published day (`''`
  undated) or per outlet (`''` unknown), twice: `include_withheld = 0` counts the articles with an asserted
  judgment of the label, `1` those with any, in the corrected view (the rule of `judgments.asserted_sql`: an
  analyst's rejection removes a label, an addition or acceptance asserts it). The model view, like any filtered
  view, runs its query on the articles.
- `article_counts`: articles per outlet, dated or not, and capabilities not covered: the whole corpus's totals.
- `actor_articles` and `actor_names`: per actor (`entities.actor_id`), the articles that cast it in each role
  shown and in any (`role = ''`), and its entity rows per display name, entity name, surface forms and language
  (`schema.actor_name_rows`), in the corrected view: what the entities list ranks and shows. An analyst's merge or
  split moves rows between actors: `recount_actors` counts the actors it touches again.
- `actor_outlets`: per actor, its articles per outlet and role shown (views 0 and 1 as above): an actor's framing
  by outlet.

Every count is maintained inside the transaction that changes it: `add` after an article's judgment rows are
written, `remove` before they are deleted (a replaced article) or rewritten by a correction (`store/corrected.py`
removes and adds the article around its refresh). Rows stored before these counts are counted by the migration
that creates them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from narrascope.store.schema import (
    COUNTED_ANY,
    COUNTED_ASSERTED,
    FACETS,
    KEPT_ACTORS,
    KEPT_COUNTS,
    KEPT_OUTLETS,
    actor_article_rows,
    actor_name_rows,
    actor_outlet_rows,
    article_count_rows,
    label_gap_rows,
)

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
    conn.execute(
        f"INSERT INTO article_counts SELECT * FROM ({article_count_rows(FACETS, 'a.id = :id', ':delta')}) WHERE 1"
        " ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
        args,
    )
    conn.execute(
        f"INSERT INTO label_gaps SELECT * FROM ({label_gap_rows(FACETS, 'a.id = :id', ':delta')}) WHERE 1"
        " ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
        args,
    )
    one = "e.article_id = :id"
    conn.execute(
        f"INSERT INTO actor_articles SELECT * FROM ({actor_article_rows(one, ':delta')}) WHERE 1"
        " ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
        args,
    )
    conn.execute(
        f"INSERT INTO actor_names SELECT * FROM ({actor_name_rows(one, ':delta')}) WHERE 1"
        " ON CONFLICT DO UPDATE SET rows = rows + excluded.rows",
        args,
    )
    conn.execute(
        f"INSERT INTO actor_outlets SELECT * FROM ({actor_outlet_rows(one, ':delta')}) WHERE 1"
        " ON CONFLICT DO UPDATE SET articles = articles + excluded.articles",
        args,
    )


def recount_actors(conn: sqlite3.Connection, actor_ids: Iterable[str]) -> None:
    """Count some actors again from their entity rows (after their rows moved between actors)."""
    wanted = sorted(set(actor_ids))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        kept = (
            ("actor_articles", actor_article_rows),
            ("actor_names", actor_name_rows),
            ("actor_outlets", actor_outlet_rows),
        )
        for table, rows in kept:
            conn.execute(f"DELETE FROM {table} WHERE actor_id IN ({marks})", chunk)
            conn.execute(
                f"INSERT INTO {table} {rows(f'e.actor_id IN ({marks})')}",
                chunk * (2 if table == "actor_articles" else 1),
            )


def add(conn: sqlite3.Connection, article_id: str) -> None:
    """Count a new article (its row and judgment rows written)."""
    _change(conn, article_id, 1)


def remove(conn: sqlite3.Connection, article_id: str) -> None:
    """Uncount an article about to be deleted."""
    _change(conn, article_id, -1)


def rebuild(conn: sqlite3.Connection) -> None:
    """Count every stored article again (after rows were written around `add`, by a bulk copy say)."""
    kept = (
        "label_days",
        "label_outlets",
        "actor_articles",
        "actor_names",
        "actor_outlets",
        "label_gaps",
        "article_counts",
    )
    for table in kept:
        conn.execute(f"DELETE FROM {table}")
    for statement in (KEPT_COUNTS + KEPT_ACTORS + KEPT_OUTLETS).split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute(f"INSERT INTO label_gaps {label_gap_rows(FACETS)}")
    conn.execute(f"INSERT INTO article_counts {article_count_rows(FACETS)}")
