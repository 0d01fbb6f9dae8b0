"""Incremental claim groups: new claims join the stored groups they match, or start new ones.

No full recompute: for each new claim, FTS5 over the groups' canonical wordings proposes a few candidate
groups; `claims.grouping.group_claims` (the same matching as `narrascope claims`) then runs on the candidates'
canonical claims plus the new claims only. A new claim that matches two groups merges them, as grouping the
whole corpus at once would. Similarity weights (IDF) come from that small set, so a borderline pair can be
judged differently than in a one-shot grouping of the whole corpus.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from narrascope.claims.grouping import ClaimRecord, group_claims

CANDIDATES_PER_CLAIM = 8
_TOKEN = re.compile(r"\w+", re.UNICODE)
_GROUP_PREFIX = "\x00group:"


def fts_query(text: str, *, joiner: str = " OR ", limit: int = 24) -> str | None:
    """An FTS5 query of quoted words (so no user text is read as FTS syntax), or None when there are none."""
    words = []
    for word in _TOKEN.findall(text.lower()):
        if (len(word) >= 3 or word.isdigit()) and word not in words:
            words.append(word)
    if not words:
        return None
    return joiner.join('"' + w.replace('"', '""') + '"' for w in words[:limit])


def _candidates(conn: sqlite3.Connection, text: str) -> list[int]:
    query = fts_query(text)
    if query is None:
        return []
    found = conn.execute(
        "SELECT rowid FROM claim_groups_fts WHERE claim_groups_fts MATCH ? ORDER BY rank LIMIT ?",
        (query, CANDIDATES_PER_CLAIM),
    )
    return [int(row[0]) for row in found]


def assign_groups(conn: sqlite3.Connection, claim_ids: Sequence[int]) -> None:
    """Give every claim in `claim_ids` (stored with no group yet) its group; call inside the batch's transaction."""
    if not claim_ids:
        return
    marks = ",".join("?" * len(claim_ids))
    new = conn.execute(
        'SELECT c.id, c.text, c.article_id, c.source, c.relay, c.start, c."end", c.stance, a.source AS outlet,'
        f" a.published FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
        list(claim_ids),
    ).fetchall()
    by_key: dict[ClaimRecord, list[int]] = {}
    candidates: set[int] = set()
    for row in new:
        record = ClaimRecord(
            text=row["text"], article_id=row["article_id"], outlet=row["outlet"], published=row["published"],
            source=row["source"], relay=row["relay"], start=row["start"], end=row["end"], stance=row["stance"],
        )  # fmt: skip
        by_key.setdefault(record, []).append(int(row["id"]))
        candidates.update(_candidates(conn, row["text"]))
    reps = []
    if candidates:
        marks = ",".join("?" * len(candidates))
        for row in conn.execute(
            f"SELECT id, canonical, source FROM claim_groups WHERE id IN ({marks})", list(candidates)
        ):
            reps.append(
                ClaimRecord(text=row["canonical"], article_id=f"{_GROUP_PREFIX}{row['id']}", source=row["source"])
            )
    for group in group_claims(reps + list(by_key)):
        existing = sorted(
            {int(m.article_id[len(_GROUP_PREFIX) :]) for m in group.members if m.article_id.startswith(_GROUP_PREFIX)}
        )
        members = [
            cid for m in group.members if not m.article_id.startswith(_GROUP_PREFIX) for cid in by_key.get(m, [])
        ]
        if existing:
            target = existing[0]
            for other in existing[1:]:  # a new claim bridges two groups: they are one
                conn.execute("UPDATE claims SET group_id = ? WHERE group_id = ?", (target, other))
                conn.execute("DELETE FROM claim_groups WHERE id = ?", (other,))
        else:
            canonical = group.canonical
            source = next((m.source for m in group.members if m.text == canonical), None)
            cursor = conn.execute("INSERT INTO claim_groups (canonical, source) VALUES (?, ?)", (canonical, source))
            target = int(cursor.lastrowid or 0)
        if members:
            marks = ",".join("?" * len(members))
            conn.execute(f"UPDATE claims SET group_id = ? WHERE id IN ({marks})", [target, *members])


def drop_empty_groups(conn: sqlite3.Connection) -> None:
    """Groups whose claims all went with replaced articles."""
    conn.execute(
        "DELETE FROM claim_groups WHERE id NOT IN (SELECT DISTINCT group_id FROM claims WHERE group_id IS NOT NULL)"
    )
