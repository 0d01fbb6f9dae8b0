"""The corpus store on a real SQLite file: idempotent ingest, updates, incremental claim groups, export."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from narrascope.analysis import Analysis
from narrascope.pipeline import Pipeline
from narrascope.store.db import (
    BULK_CACHE_MIB,
    BULK_CHECKPOINT_PAGES,
    BULK_MMAP_MIB,
    SCHEMA_VERSION,
    Store,
    StoreError,
)
from narrascope.store.export import export
from narrascope.store.ingest import ingest
from narrascope.store.provenance import claim_group, list_claim_groups
from narrascope.store.queries import ArticleFilter, list_articles
from tests.conftest import STORE_CORPUS

IDS = ["a1", "a2", "a3", "a4", "a5", "xss1"]


def _copy(corpus_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    shutil.copy(corpus_db, target)
    return target


def _groups(store: Store) -> set[frozenset[tuple[str, int]]]:
    members: dict[int, set[tuple[str, int]]] = {}
    for row in store.conn.execute("SELECT group_id, article_id, start FROM claims"):
        members.setdefault(row[0], set()).add((row[1], row[2]))
    return {frozenset(m) for m in members.values()}


def test_ingest_stores_every_part_and_a_rerun_adds_nothing(corpus_db: Path, tmp_path: Path, pipeline: Pipeline) -> None:
    store = Store(_copy(corpus_db, tmp_path))
    assert store.ids() == IDS
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    counts = {t: store.count(t) for t in ("narratives", "entities", "techniques", "claims")}
    assert all(n > 0 for n in counts.values()), counts
    summary = ingest([str(STORE_CORPUS)], store, pipeline=pipeline)
    assert (summary.added, summary.present, summary.updated, summary.failed) == (0, 6, 0, [])
    assert store.ids() == IDS and {t: store.count(t) for t in counts} == counts
    # the stored JSON is the lossless analysis, offsets into raw_text
    row = store.conn.execute("SELECT raw_text, analysis FROM articles WHERE id = 'a2'").fetchone()
    analysis = Analysis.from_dict(json.loads(row[1]))
    assert analysis.article.raw_text == row[0]
    assert all(row[0][c.start : c.end] == c.text for c in analysis.claims)


def test_a_changed_article_is_updated_not_duplicated(corpus_db: Path, tmp_path: Path, pipeline: Pipeline) -> None:
    store = Store(_copy(corpus_db, tmp_path))
    records = [json.loads(line) for line in STORE_CORPUS.read_text("utf-8").splitlines()]
    records[2]["text"] = records[2]["text"].replace("hoax", "fraud")
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    summary = ingest([str(changed)], store, pipeline=pipeline)
    assert (summary.added, summary.present, summary.updated) == (0, 5, 1)
    text = store.conn.execute("SELECT raw_text FROM articles WHERE id = 'a3'").fetchone()[0]
    assert "fraud" in text and "hoax" not in text
    claims = [r[0] for r in store.conn.execute("SELECT text FROM claims WHERE article_id = 'a3'")]
    assert claims and not any("hoax" in c for c in claims)
    orphans = store.conn.execute("SELECT count(*) FROM claim_groups WHERE id NOT IN (SELECT group_id FROM claims)")
    assert orphans.fetchone()[0] == 0


def test_claim_groups_grow_incrementally_as_one_grouping_would(
    corpus_db: Path, tmp_path: Path, pipeline: Pipeline
) -> None:
    one_by_one = Store(_copy(corpus_db, tmp_path))  # the fixture was ingested two articles per batch
    at_once = Store(tmp_path / "at_once.db")
    ingest([str(STORE_CORPUS)], at_once, pipeline=pipeline, batch_size=100)
    assert _groups(one_by_one) == _groups(at_once)
    top = list_claim_groups(one_by_one, q=None, min_size=2, limit=10, offset=0)["items"][0]
    provenance = claim_group(one_by_one, top["id"])
    assert provenance is not None
    assert [m["article_id"] for m in provenance["members"]] == ["a1", "a2", "a5"]  # date order across batches
    assert provenance["first_appearance"]["article_id"] == "a1"
    assert provenance["outlets"][0] == "Daily Wire Desk" and "Pravda Mirror" in provenance["outlets"]
    assert provenance["dates"] == ["2023-02-10", "2023-02-14", "2023-04-05"]


def test_full_text_search_and_filters(corpus_db: Path) -> None:
    store = Store(corpus_db, readonly=True)
    ids = lambda **kw: [a["id"] for a in list_articles(store, ArticleFilter(**kw), limit=50, offset=0)["items"]]  # noqa: E731
    assert set(ids(q="militants")) == {"a1", "a2", "a5"}
    assert ids(q='militants" OR "climate') == []  # quotes are words, never FTS syntax: no such article
    assert ids(q="*") == []
    assert ids(source="Pravda Mirror") == ["a3", "a2"]  # newest first
    assert ids(date_from="2023-03-01", date_to="2023-03-31") == ["xss1", "a4", "a3"]
    page = [
        a["id"] for off in range(0, 6, 4) for a in list_articles(store, ArticleFilter(), limit=4, offset=off)["items"]
    ]
    assert sorted(page) == sorted(IDS) and len(page) == 6


def test_export_streams_every_format(corpus_db: Path, tmp_path: Path) -> None:
    store = Store(corpus_db, readonly=True)
    assert export(store, "jsonl", tmp_path / "out.jsonl") == 6
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert sorted(Analysis.from_dict(json.loads(line)).id for line in lines) == IDS
    export(store, "csv", tmp_path / "out.csv")
    rows = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8", newline="")))
    assert [r["id"] for r in rows] == IDS
    assert all(not r["source"].startswith(("=", "+", "@")) for r in rows)
    export(store, "semeval", tmp_path / "out.txt")
    semeval = [line.split("\t") for line in (tmp_path / "out.txt").read_text("utf-8").splitlines()]
    assert [r[0] for r in semeval] == IDS and all(len(r) == 3 and r[1] for r in semeval)


def test_a_foreign_or_newer_database_is_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a narrascope store"):
        Store(foreign)
    newer = tmp_path / "newer.db"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this narrascope"):
        Store(newer)
    (tmp_path / "junk.db").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable narrascope database"):
        Store(tmp_path / "junk.db")
    with pytest.raises(StoreError, match="no such database"):
        Store(tmp_path / "missing.db", readonly=True)


def test_a_bulk_writer_gets_a_larger_cache_mapped_reads_journals_in_memory_fewer_checkpoints_others_keep_sqlites(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bulk.db"
    stores = [Store(path, bulk=True), Store(path), Store(path, readonly=True), Store(path, readonly=True, bulk=True)]
    settings = ("cache_size", "wal_autocheckpoint", "mmap_size", "temp_store")
    pragmas = [tuple(int(s.conn.execute(f"PRAGMA {p}").fetchone()[0]) for p in settings) for s in stores]
    for store in stores:
        store.close()
    plain = sqlite3.connect(tmp_path / "plain.db")  # a file: a database in memory maps nothing
    default = tuple(int(plain.execute(f"PRAGMA {p}").fetchone()[0]) for p in settings)
    mapped = int(plain.execute(f"PRAGMA mmap_size = {BULK_MMAP_MIB * 2**20}").fetchone()[0])  # as this SQLite caps it
    in_memory = 2  # temp_store: statement journals in memory
    assert pragmas == [(-BULK_CACHE_MIB * 1024, BULK_CHECKPOINT_PAGES, mapped, in_memory), default, default, default]
    assert default[0] > -BULK_CACHE_MIB * 1024 and default[1] < BULK_CHECKPOINT_PAGES


def test_a_migration_that_fails_midway_leaves_the_store_at_its_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All pending migrations are one transaction: a failure (or a kill) in the last leaves none of the others."""
    from narrascope.store import db as store_db

    path = tmp_path / "new.db"
    broken = [*store_db.MIGRATIONS[:-1], store_db.MIGRATIONS[-1] + "; SELECT * FROM no_such_table;"]
    monkeypatch.setattr(store_db, "MIGRATIONS", broken)
    with pytest.raises(StoreError, match="no such table"):
        Store(path)
    conn = sqlite3.connect(path)
    version, tables = conn.execute(
        "SELECT user_version, (SELECT count(*) FROM sqlite_master) FROM pragma_user_version"
    ).fetchone()
    conn.close()
    assert (version, tables) == (0, 0)
    monkeypatch.undo()
    store = Store(path)  # the next writer migrates it whole
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    store.close()


def test_two_documents_with_one_id_keep_the_first_on_every_run(tmp_path: Path, pipeline: Pipeline) -> None:
    corpus = tmp_path / "clash.jsonl"
    lines = [{"id": "same", "text": "First\n\nThe first text."}, {"id": "same", "text": "Second\n\nAnother text."}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    store = Store(tmp_path / "clash.db")
    for present in (0, 1):
        summary = ingest([str(corpus)], store, pipeline=pipeline)
        assert (summary.added, summary.present, summary.updated) == (1 - present, present, 0)
        assert [m for _, m in summary.failed] == [
            f"{corpus}:2: id 'same' is already used by {corpus}:1, a different document"
        ]
    assert "The first text." in store.conn.execute("SELECT raw_text FROM articles").fetchone()[0]


def test_the_resuming_pipeline_skips_known_articles_in_order(pipeline: Pipeline) -> None:
    from narrascope.article import Article
    from narrascope.store.db import input_hash
    from narrascope.store.ingest import ResumingPipeline

    articles = [Article(raw_text=f"Title {i}\n\nNATO provoked the war, the Kremlin said ({i}).") for i in range(5)]
    known = {a.id: input_hash(a) for a in articles[1::2]}
    resuming = ResumingPipeline(pipeline, known)
    for analyses in (list(resuming.pipe(articles, batch_size=2)), [resuming(a) for a in articles]):
        assert [a.id for a in analyses] == [a.id for a in articles]
        assert [bool(a.components) for a in analyses] == [True, False, True, False, True]
