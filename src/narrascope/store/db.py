"""The `Store`: one SQLite file (WAL), migrated on open, written one batch per transaction.

A batch is all-or-nothing: a process killed mid-batch leaves the file as it was after the last commit, and the
next ingest finds those articles missing and adds them. Article ids are the reader's (file name, `id` field) or
the content hash; the `content_hash` of what was read says whether a known id is unchanged or updated.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.errors import NarrascopeError
from narrascope.store import actors, counts, review_rank, stories
from narrascope.store.claim_groups import (
    assign_groups,
    claim_embeddings,
    drop_empty_groups,
    plan_groups,
    records_of,
)
from narrascope.store.corrected import refresh, refresh_all
from narrascope.store.judgments import (
    narrative_asserted,
    not_covered_column,
    outlet,
    role_asserted,
    stance_asserted,
    technique_asserted,
)
from narrascope.store.schema import MIGRATIONS

if TYPE_CHECKING:
    import numpy as np

SCHEMA_VERSION = len(MIGRATIONS)
HASH_KEY = "content_hash"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


class StoreError(NarrascopeError):
    """The database file cannot be opened, is not a narrascope store, or is newer than this narrascope."""


def input_hash(article: Article) -> str:
    """What was read for an article (text and given metadata), before any component changed it."""
    given = [article.raw_text, article.title, article.source, article.url, article.published, article.language]
    return hashlib.sha256(json.dumps(given, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def stamp_hash(article: Article) -> str:
    """Record the input hash in the article's meta (kept through analysis and stored with it)."""
    digest = str(article.meta.get(HASH_KEY) or input_hash(article))
    article.meta[HASH_KEY] = digest
    return digest


@dataclass
class BatchResult:
    added: list[str]
    updated: list[str]
    present: list[str]
    corrections_moved: int = 0  # analysts' corrections moved to the same words in a changed text
    corrections_stale: int = 0  # ... and those whose words are gone (kept, never applied)


def read_only_media(path: str) -> bool:
    """Whether SQLite could not write `path` (or create it, or its -wal/-shm files) for lack of permission or
    on a read-only file system."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(path) and not os.access(path, os.W_OK):
        return True
    return os.path.isdir(folder) and not os.access(folder, os.W_OK)


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script (a trigger's body keeps its semicolons)."""
    current = ""
    for piece in script.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip().strip(";").strip():
                yield current
            current = ""


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"{text}: the file or its folder is read-only"
    return text


def open_store(path: str | os.PathLike[str], *, readonly: bool = False) -> Store:
    return Store(path, readonly=readonly)


# A connection that writes batch after batch (ingest, watch, fetch: `Store(path, bulk=True)`):
# - a page cache of up to BULK_CACHE_MIB, and the file read through memory-mapped I/O up to BULK_MMAP_MIB (SQLite
#   caps it, usually at 2 GiB). Each article inserts a row into the indexes over entities, labels and band keys at
#   places spread over the whole index (about 130 pages an article on a 100,000-article store, 45 on a new one);
#   SQLite's default 2 MiB cache holds the upper levels of a few indexes of a small store only, and each page it
#   misses is a read system call. The cache grows only as pages are read: a small store's writer stays small.
#   Writing the same articles into a new store and into the 100,000-article store in turn, the large store's rate
#   was x0.75 the new store's with a 64 MiB cache, x0.80 with 512 MiB, x0.81 with 64 MiB and memory-mapped reads,
#   x0.80-0.85 with both (256 or 512 MiB);
# - statement journals in memory (`temp_store = MEMORY`): each statement of a batch that writes several rows (the
#   counts kept at ingest, say) journals the pages it changes, and past 64 KiB SQLite wrote that journal to a file
#   in /var/tmp: 240 writes an article, more than the write-ahead log's 60 (`strace`, 500 articles into a new
#   store), 7 % of a new store's ingest time;
# - a checkpoint every BULK_CHECKPOINT_PAGES pages of write-ahead log instead of every 1,000. A batch of 32
#   articles appends some 4,000 pages to the log, many of them the same pages as the batch before; each checkpoint
#   copies the log's latest version of every page into the database file. Less often, a page is copied once for
#   many batches: on the large store, commits took 5.4 s of 1,500 articles' 19.3 s (6.5 of 21.2 s with a
#   checkpoint every 10,000 pages; 8.7-9.2 s of 2,000 articles' 27.6-29.1 s every 1,000). The log grows to about
#   200 MB before it is copied, and is removed when the last connection closes.
# docs/benchmarks.md: "first screens without Plotly, and a page cache for bulk writes" and "fewer index pages".
BULK_CACHE_MIB = 256
BULK_MMAP_MIB = 2048
BULK_CHECKPOINT_PAGES = 50_000


class Store:
    """A corpus of analyses in one SQLite file. `bulk`: a connection for a long run of writes (ingest, watch), with
    a larger page cache, memory-mapped reads, statement journals in memory and fewer checkpoints
    (`BULK_CACHE_MIB`, `BULK_MMAP_MIB`, `BULK_CHECKPOINT_PAGES`); every other connection
    (the server's, one per thread) keeps SQLite's defaults."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False, bulk: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        if readonly and not os.path.isfile(self.path):
            raise StoreError(f"{self.path}: no such database (create it with `narrascope ingest PATH --db FILE`)")
        if not readonly and read_only_media(self.path):
            raise StoreError(f"{self.path}: the file or its folder is read-only; the store needs write access here")
        try:
            self.conn = self._connect(readonly)
            if bulk and not readonly:
                self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_MIB * 1024}")
                self.conn.execute(f"PRAGMA mmap_size = {BULK_MMAP_MIB * 2**20}")
                self.conn.execute("PRAGMA temp_store = MEMORY")
                self.conn.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
            self._refuse_foreign()  # before anything is changed: a foreign file is never switched to WAL
            if not readonly:
                self._switch_to_wal()
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate(readonly)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable narrascope database ({_reason(exc)})") from None

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        """A connection; read-only, a WAL file on read-only media (where SQLite cannot make its -shm file)
        is opened as immutable, which is safe there since nothing can write it."""
        modes = ["mode=ro", "mode=ro&immutable=1"] if readonly else ["mode=rwc"]
        for number, mode in enumerate(modes):
            conn = sqlite3.connect(
                f"file:{quote(self.path)}?{mode}", uri=True, isolation_level=None, check_same_thread=False, timeout=30
            )
            try:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA busy_timeout = 30000")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return conn
            except sqlite3.OperationalError:
                conn.close()
                if number + 1 == len(modes):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _switch_to_wal(self) -> None:
        """`PRAGMA journal_mode = WAL`, retried: while another process opens the same new file SQLite answers
        "database is locked" at once, without waiting for the busy timeout."""
        for attempt in range(100):
            try:
                self.conn.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    raise
                time.sleep(0.05)

    def _refuse_foreign(self) -> None:
        # one statement, one snapshot: another process may commit the first migration between two reads
        version, tables = self.conn.execute(
            "SELECT user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_user_version"
        ).fetchone()
        if version == 0 and tables:
            self.conn.close()
            raise StoreError(f"{self.path}: an SQLite file that is not a narrascope store")

    def _migrate(self, readonly: bool) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this narrascope ({SCHEMA_VERSION})")
        if version == SCHEMA_VERSION:
            return
        if readonly:
            raise StoreError(f"{self.path}: schema version {version}; open it once for writing to migrate it")
        self._apply()

    def _apply(self) -> None:
        """Every pending migration and the refresh of rows stored before them, in one transaction: a store is
        at its old version or at this one, never between (a kill -9 mid-way leaves the old version intact, which
        a reader can still refuse clearly). The version is read again under the write lock, so two processes
        creating one new store do not both apply it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
            for number in range(version, SCHEMA_VERSION):
                for statement in _statements(MIGRATIONS[number]):  # not executescript: it would COMMIT first
                    self.conn.execute(statement)
            if version < SCHEMA_VERSION:
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                refresh_all(self.conn)  # the corrected view of rows stored before a migration
                review_rank.fill(self.conn)  # the review queue's order of articles stored before it was kept
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.conn.close()

    def transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    def known_hashes(self) -> dict[str, str]:
        """Every stored article id with its input hash: what a resumed ingest can skip."""
        return {row[0]: row[1] for row in self.conn.execute("SELECT id, content_hash FROM articles")}

    def put_batch(
        self, analyses: Sequence[Analysis], claim_vectors: Mapping[str, np.ndarray] | None = None
    ) -> BatchResult:
        """Store analyses in one transaction; an unchanged article is left alone, a changed one replaced.
        `claim_vectors`: claim texts already embedded (by ingest's workers), not embedded again."""
        result = BatchResult([], [], [])
        # grouping's slow parts, before the write lock is taken: embedding the claims and planning the regrouping
        embeddings = claim_embeddings(analyses, claim_vectors)
        fresh = self._fresh(analyses)
        plan = plan_groups(self.conn, records_of(fresh), embeddings) if fresh is not None else None
        with self.transaction():
            stories.backfill(self.conn)  # articles stored before stories existed (a no-op once done)
            new_claims = []
            replaced = False
            replaced_ids: list[str] = []
            for analysis in analyses:
                digest = stamp_hash(analysis.article)
                row = self.conn.execute(
                    "SELECT content_hash, ingested_at FROM articles WHERE id = ?", (analysis.id,)
                ).fetchone()
                if row is not None and row[0] == digest:
                    result.present.append(analysis.id)
                    continue
                if row is not None:
                    counts.remove(self.conn, analysis.id)
                    self.conn.execute("DELETE FROM articles WHERE id = ?", (analysis.id,))
                    replaced = True
                    result.updated.append(analysis.id)
                else:
                    result.added.append(analysis.id)
                first_seen = str(row["ingested_at"]) if row is not None else None  # an update is not a new article
                new_claims.extend(self._insert(analysis, digest, first_seen))
                if row is not None:
                    replaced_ids.append(analysis.id)
            if replaced:
                drop_empty_groups(self.conn)
                stories.tidy(self.conn)
            assign_groups(self.conn, new_claims, embeddings, plan)
            review_rank.update(self.conn, result.added + result.updated)
            stored = set(replaced_ids) | set(result.added)
            corrected = [r[0] for r in self.conn.execute("SELECT DISTINCT article_id FROM corrections")]
            if stored.intersection(corrected):
                anchored = refresh(self.conn, sorted(stored.intersection(corrected)))
                result.corrections_moved, result.corrections_stale = anchored.moved, anchored.stale
        return result

    def _fresh(self, analyses: Sequence[Analysis]) -> list[Analysis] | None:
        """The analyses a batch will add (not stored yet), or None when it replaces a stored one."""
        fresh = []
        for analysis in analyses:
            row = self.conn.execute("SELECT content_hash FROM articles WHERE id = ?", (analysis.id,)).fetchone()
            if row is None:
                fresh.append(analysis)
            elif row[0] != stamp_hash(analysis.article):
                return None
        return fresh

    def _insert(self, analysis: Analysis, digest: str, first_seen: str | None = None) -> list[int]:
        a = analysis.article
        day = a.published[:10] if a.published and _DAY.match(a.published) else None
        origin = str(a.meta.get("path") or a.meta.get("origin") or "")
        now = first_seen or datetime.now(UTC).isoformat(timespec="microseconds")  # alert baselines compare it
        source = outlet(a)
        stored = analysis.to_dict()
        if source != a.source:  # the outlet read from the URL's domain: the same in the row and the JSON
            stored["source"] = source
            stored["meta"]["source_from"] = "url"
        document = json.dumps(stored, ensure_ascii=False)
        story = stories.place(self.conn, a.id, a.raw_text)
        self.conn.execute(
            "INSERT INTO articles (id, content_hash, title, source, url, published, day, language, origin, raw_text,"
            " analysis, ingested_at, not_covered, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.id, digest, a.title, source, a.url, a.published, day, a.language, origin, a.raw_text, document, now,
             not_covered_column(analysis), story.story_id),
        )  # fmt: skip
        stories.record(self.conn, a.id, story)
        self.conn.executemany(
            "INSERT INTO narratives (article_id, label, level, score, asserted) VALUES (?, ?, ?, ?, ?)",
            [(a.id, h.label, h.level, h.score, narrative_asserted(h)) for h in analysis.narratives],
        )
        self.conn.executemany(
            "INSERT INTO entities (article_id, entity, ner_label, main_role, fine_roles, score, mentions, asserted,"
            " candidate_role, actor, actor_key, forms, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (a.id, e.entity, e.label, e.main_role, "; ".join(e.fine_roles), e.score, len(e.mentions),
                 role_asserted(e), e.candidate_role, *actor)
                for e, actor in zip(analysis.entities, actors.insert_rows(self.conn, analysis.entities), strict=True)
            ],
        )  # fmt: skip
        self.conn.executemany(
            'INSERT INTO techniques (article_id, technique, start, "end", text, score, asserted)'
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(a.id, t.technique, t.start, t.end, t.text, t.score, technique_asserted(t)) for t in analysis.techniques],
        )
        ids = []
        for c in analysis.claims:
            cursor = self.conn.execute(
                'INSERT INTO claims (article_id, group_id, start, "end", text, source, relay, stance, score,'
                " stance_score, asserted) VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (a.id, c.start, c.end, c.text, c.source, c.relay, c.stance, c.score, c.stance_score,
                 stance_asserted(c)),
            )  # fmt: skip
            ids.append(int(cursor.lastrowid or 0))
        counts.add(self.conn, a.id)
        return ids

    def iter_documents(
        self, *, batch: int = 200, where: str = "1", args: Sequence[object] = ()
    ) -> Iterator[dict[str, object]]:
        """Every stored analysis JSON (of the articles `a` matching the SQL condition `where`, built from bound
        `args` by `queries.ArticleFilter`) in id order, a page at a time (constant memory)."""
        last = ""
        while True:
            rows = self.conn.execute(
                f"SELECT a.id, a.analysis FROM articles a WHERE a.id > ? AND ({where}) ORDER BY a.id LIMIT ?",
                (last, *args, batch),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield json.loads(row["analysis"])
            last = rows[-1]["id"]

    def iter_analyses(self, *, batch: int = 200, where: str = "1", args: Sequence[object] = ()) -> Iterator[Analysis]:
        """`iter_documents` as `Analysis` objects (the model's view, as stored)."""
        for document in self.iter_documents(batch=batch, where=where, args=args):
            yield Analysis.from_dict(document)

    def count(self, table: str) -> int:
        if table not in ("articles", "narratives", "entities", "techniques", "claims", "claim_groups", "stories"):
            raise ValueError(f"unknown table {table!r}")
        return int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM articles ORDER BY id")]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: a batch is written whole or not at all."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


def rows(cursor: Iterable[sqlite3.Row]) -> list[dict[str, object]]:
    return [dict(row) for row in cursor]
