"""The corrected view in the store's rows: what `gold.apply_corrections` decides for an article, written into its
`narratives`, `entities` and `techniques` rows so that every SQL count reads it (`judgments.asserted_sql`).

`refresh(conn, ids)` rewrites the view of some articles from their analysis JSON and their corrections in
force: it runs inside the transaction of whatever changed them (a correction made or undone, an article
stored again), so the rows and the corrections never disagree. It first anchors each correction with offsets
to the article's current text (`corrections.reanchored`): moved to the same words, or marked stale.

`view_document` is the same view of one analysis as JSON, for exports and the API: rejected judgments left
out, added ones present (`source: "analyst"`), every corrected one marked with its `correction`;
`view="model"` gives the model's JSON as stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from narrascope.store import counts, review_rank
from narrascope.store.actors import ActorMap
from narrascope.store.correction_record import (
    Correction,
    Vocabulary,
    correction_row,
    in_force,
    reanchored,
    text_hash,
)
from narrascope.store.gold import ANALYST, ANALYST_SCORE, apply_corrections
from narrascope.store.judgments import CORRECTED, MODEL, VIEWS


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary()


def in_force_of(conn: sqlite3.Connection, article_id: str) -> list[Correction]:
    """The corrections of one article that are neither undone nor stale, oldest first."""
    found = conn.execute(
        "SELECT * FROM corrections WHERE article_id = ? AND undone_at IS NULL AND stale_at IS NULL ORDER BY id",
        (article_id,),
    )
    return [correction_row(r) for r in found]


@dataclass
class Anchored:
    """What anchoring did: corrections moved to the same words in a changed text, and corrections gone stale."""

    moved: int = 0
    stale: int = 0


def anchor(conn: sqlite3.Connection, article_id: str, raw_text: str) -> Anchored:
    """Anchor the article's corrections with offsets to its current raw text (see the module doc)."""
    done = Anchored()
    digest = text_hash(raw_text)
    for c in in_force_of(conn, article_id):
        if c.start is None or c.end is None or c.text_hash == digest:
            continue
        if c.text_hash is None and c.quote is None and c.end <= len(raw_text):  # made before texts were recorded
            conn.execute(
                "UPDATE corrections SET text_hash = ?, quote = ? WHERE id = ?",
                (digest, raw_text[c.start : c.end], c.id),
            )
            continue
        place = reanchored(c, raw_text)
        if place is None:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            conn.execute("UPDATE corrections SET stale_at = ? WHERE id = ?", (now, c.id))
            done.stale += 1
        else:
            conn.execute(
                'UPDATE corrections SET start = ?, "end" = ?, text_hash = ? WHERE id = ?', (*place, digest, c.id)
            )
            done.moved += 1
    return done


def _action(item: dict[str, Any]) -> str | None:
    mark = item.get("correction")
    return str(mark["action"]) if mark else None


def refresh(conn: sqlite3.Connection, ids: Iterable[str], vocabulary: Vocabulary | None = None) -> Anchored:
    """Rewrite the corrected view of the articles `ids` (call it inside the caller's transaction)."""
    anchored = Anchored()
    for article_id in ids:
        counts.remove(conn, article_id)  # the counts kept at ingest follow the view: uncounted, then counted again
        _refresh_one(conn, article_id, anchored, vocabulary)
        counts.add(conn, article_id)
        review_rank.update(conn, [article_id])  # reviewed or not: its corrections in force
    return anchored


def _refresh_one(conn: sqlite3.Connection, article_id: str, anchored: Anchored, vocabulary: Vocabulary | None) -> None:
    text = conn.execute("SELECT raw_text FROM articles WHERE id = ?", (article_id,)).fetchone()
    if text is not None:
        done = anchor(conn, article_id, str(text[0]))
        anchored.moved += done.moved
        anchored.stale += done.stale
    for table in ("narratives", "entities", "techniques"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = ? AND model = 0", (article_id,))
        conn.execute(f"UPDATE {table} SET rejected = 0, analyst = NULL WHERE article_id = ?", (article_id,))
    conn.execute("UPDATE entities SET analyst_role = NULL WHERE article_id = ?", (article_id,))
    corrections = in_force_of(conn, article_id)
    row = conn.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()
    if not corrections or row is None:
        return
    doc = apply_corrections(json.loads(row[0]), corrections, vocabulary or default_vocabulary())
    _write(conn, article_id, doc)


def _write(conn: sqlite3.Connection, article_id: str, doc: dict[str, Any]) -> None:
    for hit in doc.get("narratives", []):
        if hit.get("source") == ANALYST:
            conn.execute(
                "INSERT INTO narratives (article_id, label, level, score, asserted, rejected, analyst, model)"
                " VALUES (?, ?, ?, ?, 1, 0, 'add', 0)",
                (article_id, hit["label"], hit["level"], ANALYST_SCORE),
            )
        elif hit.get("rejected") or hit.get("correction"):
            conn.execute(
                "UPDATE narratives SET rejected = ?, analyst = ? WHERE article_id = ? AND label = ? AND level = ?",
                (int(bool(hit.get("rejected"))), _action(hit), article_id, hit["label"], hit["level"]),
            )
    for entity in doc.get("entities", []):
        if entity.get("source") == ANALYST:
            key = entity["entity"].casefold()  # listed under the actor of its name, as an analysed one is
            conn.execute(
                "INSERT INTO entities (article_id, entity, ner_label, main_role, fine_roles, score, mentions,"
                " asserted, candidate_role, rejected, analyst, model, analyst_role, actor, actor_key, forms, actor_id)"
                " VALUES (?, ?, ?, ?, ?, ?, 1, 1, NULL, 0, 'add', 0, ?, ?, ?, ?, ?)",
                (article_id, entity["entity"], entity.get("label") or "MISC", entity["main_role"],
                 "; ".join(entity.get("fine_roles", [])), ANALYST_SCORE, entity["main_role"], entity["entity"], key,
                 entity["entity"], ActorMap(conn)(key, entity["entity"])),
            )  # fmt: skip
        elif entity.get("correction"):
            action = _action(entity)
            role = entity["main_role"] if action in ("accept", "change") else None
            conn.execute(
                "UPDATE entities SET rejected = ?, analyst = ?, analyst_role = ? WHERE article_id = ? AND entity = ?",
                (int(bool(entity.get("rejected"))), action, role, article_id, entity["entity"]),
            )
    for span in doc.get("techniques", []):
        if span.get("source") == ANALYST:
            conn.execute(
                'INSERT INTO techniques (article_id, technique, start, "end", text, score, asserted, rejected,'
                " analyst, model) VALUES (?, ?, ?, ?, ?, ?, 1, 0, 'add', 0)",
                (article_id, span["technique"], span["start"], span["end"], span["text"], ANALYST_SCORE),
            )
        elif span.get("correction"):
            conn.execute(
                'UPDATE techniques SET rejected = ?, analyst = ? WHERE article_id = ? AND start = ? AND "end" = ?'
                " AND technique = ?",
                (int(bool(span.get("rejected"))), _action(span), article_id, span["start"], span["end"],
                 span["technique"]),
            )  # fmt: skip


def refresh_all(conn: sqlite3.Connection, vocabulary: Vocabulary | None = None) -> Anchored:
    """Rewrite the view of every article with a correction (after a migration: rows stored before it)."""
    ids = [r[0] for r in conn.execute("SELECT DISTINCT article_id FROM corrections WHERE undone_at IS NULL")]
    return refresh(conn, ids, vocabulary)


def stale_count(conn: sqlite3.Connection) -> int:
    """Corrections in force that a change of their article's text left stale."""
    found = conn.execute("SELECT count(*) FROM corrections WHERE undone_at IS NULL AND stale_at IS NOT NULL")
    return int(found.fetchone()[0])


def view_document(
    document: dict[str, Any], corrections: Sequence[Correction], *, view: str = CORRECTED,
    vocabulary: Vocabulary | None = None,
) -> dict[str, Any]:  # fmt: skip
    """One analysis JSON in a view: the corrected one drops what analysts rejected and keeps their marks."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, found {view!r}")
    if view == MODEL or not in_force(list(corrections)):
        return document
    out = apply_corrections(document, list(corrections), vocabulary or default_vocabulary())
    for key in ("narratives", "entities", "techniques"):
        out[key] = [item for item in out.get(key, []) if not item.get("rejected")]
    return out
