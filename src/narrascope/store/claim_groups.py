"""Incremental claim groups: new claims join the stored groups they match, or start new ones.

No full recompute: for each new claim, FTS5 over the groups' canonical wordings and the nearest stored group
embeddings (multilingual e5, float16 blobs; any language) propose a few candidate groups;
`claims.grouping.group_claims` (the same matching as `narrascope claims`) then runs on the candidates'
canonical claims plus the new claims only. A new claim that matches two groups merges them, as grouping the
whole corpus at once would. Similarity weights (IDF) come from that small set, so a borderline pair can be
judged differently than in a one-shot grouping of the whole corpus.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

import numpy as np

from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import PARAMS, claim_vectors

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
    """Give every claim in `claim_ids` (stored with no group yet) its group; call inside the batch's transaction.

    With the sentence encoder installed, the new claims are embedded (stored as float16) and matched by
    meaning: the candidate groups are the FTS hits plus the groups whose canonical embedding is nearest.
    """
    if not claim_ids:
        return
    marks = ",".join("?" * len(claim_ids))
    new = conn.execute(
        'SELECT c.id, c.text, c.article_id, c.source, c.relay, c.start, c."end", c.stance, a.source AS outlet,'
        f" a.published, a.language FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
        list(claim_ids),
    ).fetchall()
    by_key: dict[ClaimRecord, list[int]] = {}
    candidates: set[int] = set()
    for row in new:
        record = ClaimRecord(
            text=row["text"], article_id=row["article_id"], outlet=row["outlet"], published=row["published"],
            source=row["source"], relay=row["relay"], start=row["start"], end=row["end"], stance=row["stance"],
            language=row["language"],
        )  # fmt: skip
        by_key.setdefault(record, []).append(int(row["id"]))
        candidates.update(_candidates(conn, row["text"]))
    records = list(by_key)
    vectors = claim_vectors([r.text for r in records])
    if vectors is not None:
        for record, vector in zip(records, vectors, strict=True):
            blob = vector.astype(np.float16).tobytes()
            conn.executemany("UPDATE claims SET embedding = ? WHERE id = ?", [(blob, cid) for cid in by_key[record]])
        candidates.update(_nearest_groups(conn, vectors))
    reps = []
    rep_vectors = []
    if candidates:
        marks = ",".join("?" * len(candidates))
        for row in conn.execute(
            f"SELECT id, canonical, source, language, embedding FROM claim_groups WHERE id IN ({marks})",
            list(candidates),
        ):
            reps.append(
                ClaimRecord(
                    text=row["canonical"], article_id=f"{_GROUP_PREFIX}{row['id']}", source=row["source"],
                    language=row["language"],
                )
            )  # fmt: skip
            rep_vectors.append(
                _vector(conn, row["id"], row["canonical"], row["embedding"]) if vectors is not None else None
            )
    all_vectors = None
    if vectors is not None:
        all_vectors = np.vstack([*(v for v in rep_vectors if v is not None), vectors]) if reps else vectors
    position = {r: k for k, r in enumerate(reps + records)}
    for group in group_claims(reps + records, vectors=all_vectors):
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
            canonical = next(m for m in group.members if m.text == group.canonical)
            blob = None
            if all_vectors is not None:
                blob = all_vectors[position[canonical]].astype(np.float16).tobytes()
            cursor = conn.execute(
                "INSERT INTO claim_groups (canonical, source, language, embedding) VALUES (?, ?, ?, ?)",
                (canonical.text, canonical.source, canonical.language, blob),
            )
            target = int(cursor.lastrowid or 0)
        if members:
            marks = ",".join("?" * len(members))
            conn.execute(f"UPDATE claims SET group_id = ? WHERE id IN ({marks})", [target, *members])


def _nearest_groups(conn: sqlite3.Connection, vectors: np.ndarray) -> set[int]:
    """Ids of the stored groups whose canonical embedding is among the nearest to each new claim (any language)."""
    ids, blobs = [], []
    for row in conn.execute("SELECT id, embedding FROM claim_groups WHERE embedding IS NOT NULL"):
        ids.append(int(row[0]))
        blobs.append(row[1])
    if not ids:
        return set()
    matrix = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(ids), -1).astype(np.float32)
    found: set[int] = set()
    floor = min(PARAMS.same_language, PARAMS.cross_language) - PARAMS.number_bonus - PARAMS.lexical_weight
    for lo in range(0, len(vectors), 256):
        sims = vectors[lo : lo + 256] @ matrix.T
        top = np.argsort(-sims, axis=1)[:, :CANDIDATES_PER_CLAIM]
        for row, cols in enumerate(top):
            found.update(ids[c] for c in cols if sims[row, c] >= floor)
    return found


def _vector(conn: sqlite3.Connection, group_id: int, canonical: str, blob: bytes | None) -> np.ndarray:
    """A group's canonical embedding; groups stored before embeddings get theirs now."""
    if blob is not None:
        return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    vectors = claim_vectors([canonical])
    assert vectors is not None
    vector: np.ndarray = vectors[0]
    conn.execute(
        "UPDATE claim_groups SET embedding = ? WHERE id = ?", (vectors[0].astype(np.float16).tobytes(), group_id)
    )
    return vector


def drop_empty_groups(conn: sqlite3.Connection) -> None:
    """Groups whose claims all went with replaced articles."""
    conn.execute(
        "DELETE FROM claim_groups WHERE id NOT IN (SELECT DISTINCT group_id FROM claims WHERE group_id IS NOT NULL)"
    )
