"""Analysts' corrections: gold judgments on stored articles, checked, stored, listed and undone.

A correction names a layer (`narrative`, `entity`, `technique`), an action (`accept`, `reject`, `add`,
`change`) and its target: a narrative or subnarrative label; an entity name (with a role as `label`, and
raw offsets of a mention for `add`); a technique span (raw offsets, end exclusive, and its technique).
It records who made it, when, and what the model had said (`model_said`). Corrections live in their own
table with no foreign key to `articles`, so a re-analysis of the article replaces the model's judgments
and keeps the analyst's; the newest correction of a target wins, and an undo marks one as undone.

A correction also records the hash of the raw text it was made on (`text_hash`) and the words its offsets
covered (`quote`). When a re-ingest changes the text, `anchor` finds the same words again (the occurrence
nearest the old place) and moves the offsets, or marks the correction stale (`stale_at`): a stale correction
is kept and listed, and never applied, exported or trained on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from narrascope.store.corrected import refresh
from narrascope.store.correction_record import (
    ACTIONS,
    LAYERS,
    Correction,
    CorrectionError,
    CorrectionIn,
    Vocabulary,
    check,
    correction_row,
    in_force,
    reanchored,
    text_hash,
)
from narrascope.store.db import Store

__all__ = [
    "ACTIONS", "LAYERS", "MAX_USER", "Correction", "CorrectionError", "CorrectionIn", "Vocabulary",
    "add_correction", "check", "corrected_article_ids", "correction_row", "get_correction", "in_force",
    "list_corrections", "reanchored", "text_hash", "undo_correction",
]  # fmt: skip
MAX_USER = 100


def _fail(message: str) -> CorrectionError:
    return CorrectionError(message)


def add_correction(
    store: Store, given: CorrectionIn, *, article_id: str, user: str, vocabulary: Vocabulary | None = None
) -> Correction:
    """Check a correction against the stored article and store it; a CorrectionError stores nothing."""
    row = store.conn.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise _fail(f"article: no article with id {article_id!r}")
    user = (user or "").strip()[:MAX_USER] or "analyst"
    document = json.loads(row[0])
    said = check(document, given, vocabulary or Vocabulary())
    raw = str(document.get("raw_text", ""))
    quote = raw[given.start : given.end] if given.start is not None and given.end is not None else None
    label = given.label
    if given.layer == "technique" and label is None and said:  # accept/reject of a span names its technique
        label = str(said["technique"])
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction():
        cursor = store.conn.execute(
            'INSERT INTO corrections (article_id, layer, action, label, entity, start, "end", user, created_at,'
            " model_said, text_hash, quote) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, given.layer, given.action, label, given.entity, given.start, given.end, user, now,
             json.dumps(said, ensure_ascii=False) if said is not None else None, text_hash(raw), quote),
        )  # fmt: skip
        _refresh(store, article_id, vocabulary)
    return get_correction(store, int(cursor.lastrowid or 0))  # type: ignore[return-value]


def _refresh(store: Store, article_id: str, vocabulary: Vocabulary | None) -> None:
    refresh(store.conn, [article_id], vocabulary)


def get_correction(store: Store, number: int) -> Correction | None:
    row = store.conn.execute("SELECT * FROM corrections WHERE id = ?", (number,)).fetchone()
    return correction_row(row) if row else None


def list_corrections(store: Store, *, article_id: str | None = None, undone: bool = False) -> list[Correction]:
    """Corrections in the order they were made (of one article when given); undone ones only when asked."""
    where, args = [], []
    if article_id is not None:
        where.append("article_id = ?")
        args.append(article_id)
    if not undone:
        where.append("undone_at IS NULL")
    sql = "SELECT * FROM corrections" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    return [correction_row(r) for r in store.conn.execute(sql, args)]


def undo_correction(store: Store, number: int) -> Correction | None:
    """Mark a correction undone (it stays in the table, for the record); None when there is no such one."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with store.transaction():
        store.conn.execute("UPDATE corrections SET undone_at = ? WHERE id = ? AND undone_at IS NULL", (now, number))
        found = store.conn.execute("SELECT article_id FROM corrections WHERE id = ?", (number,)).fetchone()
        if found is not None:
            _refresh(store, str(found[0]), None)
    return get_correction(store, number)


def corrected_article_ids(store: Store) -> list[str]:
    """Stored articles with at least one correction in force, in id order."""
    sql = (
        "SELECT DISTINCT c.article_id FROM corrections c JOIN articles a ON a.id = c.article_id"
        " WHERE c.undone_at IS NULL AND c.stale_at IS NULL ORDER BY c.article_id"
    )
    return [r[0] for r in store.conn.execute(sql)]
