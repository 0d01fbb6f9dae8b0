"""Stories: an article and its near-duplicate copies (syndication, re-posts, one file under several ids).

Detection is incremental and inside the batch's transaction: a new article's MinHash band keys are looked up
in `story_bands` (an index over every stored article), the candidates' signatures in `story_signatures` are
compared, and the article joins the story of its most similar stored copy (estimated Jaccard at or above
`near_duplicates.THRESHOLD`) or starts a story of its own. Nothing else in the corpus is reread; a batch
killed before its commit leaves no story, signature or band behind. datasketch's own LSH index lives in
memory or Redis; keeping the band keys in SQLite is what makes them part of the batch's transaction.

Stories are never split or merged afterwards: an article joins one story, the one of its best match.

Bounded cost: a story holds each band key once. A new copy records only the band keys its story does not hold
yet (an exact re-post records none; an edited one the keys of its edited bands), so a new article meets at most
one article of a story per band (25), and a story of 10,000 copies costs no more per copy than one of 10
(`python benchmarks/near_duplicates.py --copies N`). A copy of an edited copy still finds its story: the edit's
keys stay. Every article keeps its signature (a first article that is replaced hands its place, and its keys, to
the next copy: `tidy`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from narrascope.ingest.near_duplicates import THRESHOLD, band_keys, best_match, from_bytes, signature, to_bytes

# Stores written before a story held each band key once kept the keys of a story's first article and of its 8
# most recent copies; the schema's migration that dropped older copies' keys used this number.
RECENT_COPIES = 8


@dataclass
class Placement:
    """The story a new article belongs to, and the signature to record once the article row exists."""

    story_id: int
    values: np.ndarray | None
    keys: list[tuple[int, int]] = field(default_factory=list)  # the band keys to record: those its story lacks
    similarity: float | None = None  # to the copy it was matched with; None for a new story


def _matches(conn: sqlite3.Connection, keys: list[tuple[int, int]]) -> list[tuple[str, bytes, int, int, int]]:
    """The stored articles holding any of `keys`: (article id, signature, story id, band, key), oldest first."""
    where = " OR ".join("(b.band = ? AND b.key = ?)" for _ in keys)
    found = conn.execute(
        "SELECT s.article_id, s.signature, a.story_id, b.band, b.key FROM story_bands b"
        " JOIN story_signatures s ON s.article_id = b.article_id"
        " JOIN articles a INDEXED BY articles_facets ON a.id = b.article_id"  # story_id from the index, not the row
        f" WHERE {where} ORDER BY a.rowid",
        [v for key in keys for v in key],
    )
    return [(row[0], row[1], int(row[2]), int(row[3]), int(row[4])) for row in found if row[2] is not None]


def _hold(conn: sqlite3.Connection, article_id: str, keys: list[tuple[int, int]]) -> None:
    """Record `keys` as held by the article: later articles sharing one of them find it."""
    conn.executemany(
        "INSERT INTO story_bands (band, key, article_id) VALUES (?, ?, ?)", [(*k, article_id) for k in keys]
    )


def place(conn: sqlite3.Connection, article_id: str, text: str, *, threshold: float = THRESHOLD) -> Placement:
    """Find the story of a new article (creating it when the article has no stored copy); call before inserting it."""
    values = signature(text)
    keys = band_keys(values, threshold=threshold) if values is not None else []
    if values is not None:
        matches = _matches(conn, keys)
        signatures = {m[0]: m[1] for m in matches}
        candidates = [(other, from_bytes(blob)) for other, blob in signatures.items()]
        best = best_match(article_id, values, candidates, threshold)
        if best is not None:
            story = next(m[2] for m in matches if m[0] == best.original_id)
            held = {(m[3], m[4]) for m in matches if m[2] == story}
            return Placement(story, values, [k for k in keys if k not in held], best.similarity)
    cursor = conn.execute("INSERT INTO stories (first_article) VALUES (?)", (article_id,))
    return Placement(int(cursor.lastrowid or 0), values, keys)


def record(conn: sqlite3.Connection, article_id: str, placement: Placement) -> None:
    """Store the article's signature and the band keys its story did not hold (after its row), so later articles
    can find it."""
    if placement.values is None:
        return
    conn.execute(
        "INSERT INTO story_signatures (article_id, signature) VALUES (?, ?)", (article_id, to_bytes(placement.values))
    )
    _hold(conn, article_id, placement.keys)


def backfill(conn: sqlite3.Connection) -> int:
    """Give a story to articles stored before stories existed (once, oldest first); returns how many."""
    legacy = conn.execute("SELECT id, raw_text FROM articles WHERE story_id IS NULL ORDER BY rowid").fetchall()
    for row in legacy:
        placement = place(conn, row[0], row[1])
        conn.execute("UPDATE articles SET story_id = ? WHERE id = ?", (placement.story_id, row[0]))
        record(conn, row[0], placement)
    return len(legacy)


def tidy(conn: sqlite3.Connection) -> None:
    """After replaced articles: drop stories left empty, and name another first article where it moved away (it
    records the band keys its story no longer holds: a replaced article's keys left with it)."""
    conn.execute("DELETE FROM stories WHERE id NOT IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL)")
    moved = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM stories WHERE NOT EXISTS (SELECT 1 FROM articles WHERE id = stories.first_article"
            " AND story_id = stories.id)"
        )
    ]
    for story in moved:
        first = conn.execute(
            "SELECT a.id, g.signature FROM articles a LEFT JOIN story_signatures g ON g.article_id = a.id"
            " WHERE a.story_id = ? ORDER BY a.rowid LIMIT 1",
            (story,),
        ).fetchone()
        conn.execute("UPDATE stories SET first_article = ? WHERE id = ?", (first[0], story))
        if first[1] is None:
            continue
        held = {
            (int(r[0]), int(r[1]))
            for r in conn.execute(
                "SELECT b.band, b.key FROM story_bands b JOIN articles a ON a.id = b.article_id WHERE a.story_id = ?",
                (story,),
            )
        }
        _hold(conn, first[0], [k for k in band_keys(from_bytes(first[1])) if k not in held])


def story_of(conn: sqlite3.Connection, article_id: str) -> dict[str, Any] | None:
    """An article's story: its id, first article and every copy (the article itself included), oldest first."""
    row = conn.execute(
        "SELECT s.id, s.first_article FROM articles a JOIN stories s ON s.id = a.story_id WHERE a.id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    copies = conn.execute(
        "SELECT id, title, source, url, published, language FROM articles WHERE story_id = ? ORDER BY rowid LIMIT 500",
        (row[0],),
    ).fetchall()
    return {"id": row[0], "first_article": row[1], "copies": [dict(c) for c in copies]}


def stories_with_copies(conn: sqlite3.Connection, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Stories stored more than once, most copies first: id, first article, number of copies, article ids."""
    found = conn.execute(  # the copies kept by triggers (schema): the page's stories, then their articles
        "SELECT s.id, s.first_article, s.copies, (SELECT group_concat(a.id, char(31)) FROM articles a"
        " WHERE a.story_id = s.id) AS ids FROM stories s WHERE s.copies > 1 ORDER BY s.copies DESC, s.id"
        " LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    return [
        {"id": r[0], "first_article": r[1], "copies": r[2], "articles": sorted(str(r[3]).split("\x1f"))} for r in found
    ]


def story_count(conn: sqlite3.Connection) -> int:
    """How many stories are stored more than once (the pages of `stories_with_copies`)."""
    row = conn.execute("SELECT count(*) FROM stories WHERE copies > 1").fetchone()
    return int(row[0])


def story_members(conn: sqlite3.Connection, story_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The copies of each story: id, title, outlet (`source`) and published date, earliest first."""
    members: dict[int, list[dict[str, Any]]] = {story: [] for story in story_ids}
    if not story_ids:
        return members
    marks = ",".join("?" * len(story_ids))
    for story, article, title, source, published in conn.execute(
        f"SELECT story_id, id, title, source, published FROM articles WHERE story_id IN ({marks})"
        " ORDER BY coalesce(published, '9999'), id",
        story_ids,
    ):
        members[story].append({"id": article, "title": title, "source": source, "published": published})
    return members
