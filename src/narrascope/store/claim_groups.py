"""Incremental claim groups: new claims join the stored groups that match them as a whole, or start new ones.

No full recompute: for each new claim, FTS5 over the groups' canonical wordings and the nearest stored group
embeddings (multilingual e5, float16 blobs; any language) propose a few candidate groups; the candidates'
members and the new claims are then grouped again together by `claims.grouping.cluster_records` (the same
matching and leader-first grouping as `narrascope claims`), and written back keeping each group's id. The
embeddings (`claim_embeddings`) and the regrouping (`plan_groups`) are worked out before the write transaction;
inside it the plan is only written, unless another writer committed in between (then it is planned again).
Similarity weights (IDF) come from that small set, so a borderline pair can be judged
differently than in a one-shot grouping of the whole corpus.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from narrascope.analysis import Analysis
from narrascope.claims.grouping import ClaimRecord, cluster_records
from narrascope.claims.matching import PARAMS, claim_vectors
from narrascope.runner import Outcome

CANDIDATES_PER_CLAIM = 8
_TOKEN = re.compile(r"\w+", re.UNICODE)


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


def claim_embeddings(
    analyses: Sequence[Analysis], known: Mapping[str, np.ndarray] | None = None
) -> dict[str, np.ndarray] | None:
    """The embedding of every claim text of `analyses`, computed before the store's write transaction (the slow
    part of grouping: the write lock is then held only for the matching), or None without the encoder. Texts in
    `known` (embedded by the workers that analysed them: `embed_claims`) are not embedded again."""
    texts = sorted({c.text for a in analyses for c in a.claims})
    found = {t: known[t] for t in texts if t in known} if known else {}
    missing = [t for t in texts if t not in found]
    if missing:
        vectors = claim_vectors(missing)
        if vectors is None:
            return None
        found.update(zip(missing, vectors, strict=True))
    return found or None


def load_claim_encoder() -> None:
    """Load the claim encoder in this process, when installed: before ingest forks the workers that share it."""
    from narrascope.learn.encoder import encoder_available, sentence_encoder

    if encoder_available():
        sentence_encoder()


def embed_claims(outcomes: list[Outcome]) -> list[Outcome]:
    """Ingest's work in the worker that analysed a chunk (`run_batch`'s `finish`): the claims of the chunk
    embedded there, all at once, and sent with their outcomes (`Outcome.claim_vectors`), so that the embedding,
    grouping's costliest step, runs on every worker instead of in the one process that writes the store."""
    vectors = claim_embeddings([o.analysis for o in outcomes if o.analysis is not None])
    if not vectors:
        return outcomes
    return [
        replace(o, claim_vectors={c.text: vectors[c.text] for c in o.analysis.claims})
        if o.analysis is not None and o.analysis.claims
        else o
        for o in outcomes
    ]


def assign_groups(
    conn: sqlite3.Connection,
    claim_ids: Sequence[int],
    embeddings: Mapping[str, np.ndarray] | None = None,
    plan: GroupPlan | None = None,
) -> None:
    """Give every claim in `claim_ids` (stored with no group yet) its group; call inside the batch's transaction.

    `plan` (from `plan_groups`, before the transaction) is written as it is when no other connection committed
    since it was made and it holds exactly these claims; otherwise the grouping is planned again here. The new
    claims' embeddings (`embeddings`, from `claim_embeddings`) are stored with them as float16.
    """
    if not claim_ids:
        return
    marks = ",".join("?" * len(claim_ids))
    new = sorted(conn.execute(f"{_SELECT} WHERE c.id IN ({marks})", list(claim_ids)).fetchall(), key=_row_key)
    records = [_record(row) for row in new]
    if plan is None or plan.version != _data_version(conn) or plan.keys != [_key(r) for r in records]:
        plan = plan_groups(conn, records, embeddings)  # another writer came between: plan again, under the lock
    if plan.new_vectors is not None:
        conn.executemany(
            "UPDATE claims SET embedding = ? WHERE id = ?",
            [(v.astype(np.float16).tobytes(), row["id"]) for v, row in zip(plan.new_vectors, new, strict=True)],
        )
    _write_groups(conn, plan.old + new, plan.records, plan.clusters, plan.vectors, plan.candidates)


@dataclass
class GroupPlan:
    """How the new claims and the stored groups they touch regroup, worked out before the write transaction."""

    version: int  # PRAGMA data_version when planned: another connection's commit changes it
    keys: list[tuple[str, int, int, str]]  # the new claims, in the order of `records`' tail
    old: list[sqlite3.Row]  # the stored members of the candidate groups
    records: list[ClaimRecord]  # old members, then the new claims
    clusters: list[tuple[list[int], int]]
    vectors: np.ndarray | None  # every record's embedding (None without the encoder)
    new_vectors: np.ndarray | None
    candidates: set[int]


def records_of(analyses: Sequence[Analysis]) -> list[ClaimRecord]:
    """The claims of `analyses` as grouping sees them once stored, in the order `assign_groups` reads them."""
    records = []
    for a in analyses:
        for c in a.claims:
            record = ClaimRecord(
                text=c.text, article_id=a.id, outlet=a.article.source, published=a.article.published,
                source=c.source, relay=c.relay, start=c.start, end=c.end, stance=c.stance, language=a.article.language,
            )  # fmt: skip
            records.append(record)
    return sorted(records, key=_key)


def plan_groups(
    conn: sqlite3.Connection, records: list[ClaimRecord], embeddings: Mapping[str, np.ndarray] | None
) -> GroupPlan:
    """The regrouping of `records` (new claims, sorted by `_key`) with the stored groups they touch: the FTS hits
    on the groups' canonical wording plus the groups whose canonical embedding is nearest; their members and the
    new claims are grouped again together (`claims.grouping.cluster_records`, leader first in a fixed order), so a
    claim joins a group only when it matches it as a whole, and a group that would absorb claims that do not match
    each other splits. Only reads: safe outside a transaction."""
    version = _data_version(conn)
    candidates: set[int] = set()
    for record in records:
        candidates.update(_candidates(conn, record.text))
    vectors = _vectors_of([r.text for r in records], embeddings)
    if vectors is not None:
        candidates.update(_nearest_groups(conn, vectors))
    old = []
    if candidates:
        marks = ",".join("?" * len(candidates))
        old = conn.execute(f"{_SELECT} WHERE c.group_id IN ({marks})", sorted(candidates)).fetchall()
    everything = [_record(row) for row in old] + records
    all_vectors = None
    if vectors is not None:
        all_vectors = np.vstack([_stored_vector(row) for row in old] + [vectors]) if old else vectors
    clusters = cluster_records(everything, vectors=all_vectors)
    return GroupPlan(version, [_key(r) for r in records], old, everything, clusters, all_vectors, vectors, candidates)


def _key(record: ClaimRecord) -> tuple[str, int, int, str]:
    return (record.article_id, record.start, record.end, record.text)


def _row_key(row: sqlite3.Row) -> tuple[str, int, int, str]:
    return (row["article_id"], row["start"], row["end"], row["text"])


def _data_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


_SELECT = (
    'SELECT c.id, c.text, c.article_id, c.source, c.relay, c.start, c."end", c.stance, c.group_id, c.embedding,'
    " a.source AS outlet, a.published, a.language FROM claims c JOIN articles a ON a.id = c.article_id"
)


def _record(row: sqlite3.Row) -> ClaimRecord:
    return ClaimRecord(
        text=row["text"], article_id=row["article_id"], outlet=row["outlet"], published=row["published"],
        source=row["source"], relay=row["relay"], start=row["start"], end=row["end"], stance=row["stance"],
        language=row["language"],
    )  # fmt: skip


def _vectors_of(texts: list[str], embeddings: Mapping[str, np.ndarray] | None) -> np.ndarray | None:
    """The embeddings of `texts` (those `embeddings` lacks are embedded now), or None without the encoder."""
    if not texts:
        return None
    known = dict(embeddings or {})
    missing = sorted(set(texts) - set(known))
    if missing:
        computed = claim_vectors(missing)
        if computed is None:
            return None
        known.update(zip(missing, computed, strict=True))
    return np.vstack([known[t] for t in texts]).astype(np.float32)


def _stored_vector(row: sqlite3.Row) -> np.ndarray:
    """A stored claim's embedding; a claim stored before embeddings is embedded now (not stored: plans only read)."""
    if row["embedding"] is not None:
        return np.frombuffer(row["embedding"], dtype=np.float16).astype(np.float32)
    vectors = claim_vectors([row["text"]])
    assert vectors is not None
    return np.asarray(vectors[0], dtype=np.float32)


def _write_groups(
    conn: sqlite3.Connection,
    rows: list[sqlite3.Row],
    records: list[ClaimRecord],
    clusters: list[tuple[list[int], int]],
    vectors: np.ndarray | None,
    candidates: set[int],
) -> None:
    """Store `clusters` of `rows`: each keeps the stored group most of its members had (largest cluster first),
    or gets a new one; candidate groups left without members are deleted."""
    taken: set[int] = set()
    for idx, canonical in sorted(clusters, key=lambda c: (-len(c[0]), c[0])):
        had = Counter(rows[i]["group_id"] for i in idx if rows[i]["group_id"] is not None)
        target = next((g for g, _ in sorted(had.items(), key=lambda h: (-h[1], h[0])) if g not in taken), None)
        record = records[canonical]
        blob = vectors[canonical].astype(np.float16).tobytes() if vectors is not None else None
        if target is None:
            cursor = conn.execute(
                "INSERT INTO claim_groups (canonical, source, language, embedding) VALUES (?, ?, ?, ?)",
                (record.text, record.source, record.language, blob),
            )
            target = int(cursor.lastrowid or 0)
        else:
            _set_canonical(conn, target, record, blob)
        taken.add(target)
        moved = [rows[i]["id"] for i in idx if rows[i]["group_id"] != target]
        for lo in range(0, len(moved), 500):
            chunk = moved[lo : lo + 500]
            conn.execute(f"UPDATE claims SET group_id = ? WHERE id IN ({','.join('?' * len(chunk))})", [target, *chunk])
    for gone in sorted(candidates - taken):
        _delete_group(conn, gone)


def _set_canonical(conn: sqlite3.Connection, group: int, record: ClaimRecord, blob: bytes | None) -> None:
    row = conn.execute("SELECT canonical FROM claim_groups WHERE id = ?", (group,)).fetchone()
    if row[0] != record.text:  # the FTS index follows the canonical wording (no update trigger)
        conn.execute(
            "INSERT INTO claim_groups_fts(claim_groups_fts, rowid, canonical) VALUES ('delete', ?, ?)", (group, row[0])
        )
        conn.execute("INSERT INTO claim_groups_fts(rowid, canonical) VALUES (?, ?)", (group, record.text))
    conn.execute(
        "UPDATE claim_groups SET canonical = ?, source = ?, language = ?, embedding = coalesce(?, embedding)"
        " WHERE id = ?",
        (record.text, record.source, record.language, blob, group),
    )


def _delete_group(conn: sqlite3.Connection, group: int) -> None:
    if conn.execute("SELECT 1 FROM claims WHERE group_id = ? LIMIT 1", (group,)).fetchone() is None:
        conn.execute("DELETE FROM claim_groups WHERE id = ?", (group,))


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


def drop_empty_groups(conn: sqlite3.Connection) -> None:
    """Groups whose claims all went with replaced articles."""
    conn.execute(
        "DELETE FROM claim_groups WHERE id NOT IN (SELECT DISTINCT group_id FROM claims WHERE group_id IS NOT NULL)"
    )
