"""Grouping's slow part (embedding the claims) happens before the store's write transaction, so a batch holds the
write lock briefly, and a second writer process waits for it instead of failing with "database is locked"."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.article import Article
from narrascope.engine.local import PipelineSpec
from narrascope.pipeline import load_pipeline
from narrascope.runner import Outcome
from narrascope.store import claim_groups
from narrascope.store.db import Store
from narrascope.store.ingest import ingest

TEXTS = [
    "The ministry said that {n} villages were liberated by the army in the east this week.",
    "Officials said that {n} drones were shot down over the region overnight.",
    "The governor said that {n} people were evacuated from the border towns.",
]


def test_claims_are_embedded_before_the_write_transaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path / "s.db")
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    analyses = [pipeline(Article(id=f"a{n}", raw_text=t.format(n=n + 10))) for n, t in enumerate(TEXTS)]
    calls = []

    def vectors(texts: list[str], progress: object = None) -> np.ndarray:
        calls.append(store.conn.in_transaction)
        return np.ones((len(texts), 384), np.float32) / np.sqrt(384)

    monkeypatch.setattr(claim_groups, "claim_vectors", vectors)
    store.put_batch(analyses)
    assert calls == [False]  # once per batch, never while the write lock is held
    assert store.conn.execute("SELECT count(*) FROM claims WHERE group_id IS NULL").fetchone()[0] == 0
    store.close()


WRITER = """
import sys
from narrascope.article import Article
from narrascope.pipeline import load_pipeline
from narrascope.store.db import Store
texts = {texts!r}
store = Store(sys.argv[1])
pipeline = load_pipeline(["cleaning", "sentences", "claims"])
for batch in range(4):
    articles = [Article(id=f"{{sys.argv[2]}}-{{batch}}-{{n}}", raw_text=t.format(n=batch * 10 + n))
                for n, t in enumerate(texts)]
    store.put_batch([pipeline(a) for a in articles])
store.close()
"""


def test_two_writer_processes_both_finish(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    Store(path).close()
    code = WRITER.format(texts=TEXTS)
    writers = [
        subprocess.Popen([sys.executable, "-c", code, str(path), name], stderr=subprocess.PIPE, text=True)
        for name in ("first", "second")
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
    store = Store(path)
    assert store.count("articles") == 2 * 4 * len(TEXTS)
    assert store.conn.execute("SELECT count(*) FROM claims WHERE group_id IS NULL").fetchone()[0] == 0
    store.close()


def test_claims_embedded_by_the_workers_are_not_embedded_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    analyses = [pipeline(Article(id=f"a{n}", raw_text=t.format(n=n + 10))) for n, t in enumerate(TEXTS)]
    embedded: list[list[str]] = []

    def vectors(texts: list[str], progress: object = None) -> np.ndarray:
        embedded.append(list(texts))
        return np.ones((len(texts), 384), np.float32) / np.sqrt(384)

    monkeypatch.setattr(claim_groups, "claim_vectors", vectors)
    # in a worker: the chunk's claims embedded at once and sent with their outcomes
    outcomes = claim_groups.embed_claims([Outcome(a.id, analysis=a) for a in analyses] + [Outcome("bad", error="x")])
    texts = sorted({c.text for a in analyses for c in a.claims})
    assert texts and embedded == [texts]
    assert all(set(o.claim_vectors or {}) == {c.text for c in o.analysis.claims} for o in outcomes if o.analysis)
    assert outcomes[-1].claim_vectors is None
    # in the store's process: nothing left to embed
    known = {t: v for o in outcomes for t, v in (o.claim_vectors or {}).items()}
    store = Store(tmp_path / "s.db")
    store.put_batch(analyses, known)
    assert embedded == [texts]
    assert store.conn.execute("SELECT count(*) FROM claims WHERE embedding IS NULL").fetchone()[0] == 0
    # a text the workers did not embed is embedded here, alone
    more = pipeline(Article(id="b", raw_text=TEXTS[0].format(n=99)))
    store.put_batch([more], known)
    assert embedded[1:] == [[c.text for c in more.claims]]
    store.close()


def test_parallel_ingest_stores_the_claim_groups_of_a_single_process(tmp_path: Path) -> None:
    records = tmp_path / "articles.jsonl"
    rows = [{"id": f"a{n}", "text": t.format(n=n % 3 + 10)} for n, t in enumerate(TEXTS * 12)]
    records.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    pipeline = load_pipeline(["cleaning", "language", "sentences", "claims"])
    groups = []
    for jobs in (1, 2):
        store = Store(tmp_path / f"jobs{jobs}.db")
        spec = PipelineSpec(tuple(pipeline.names), (("min_words", pipeline.min_words),))
        summary = ingest([str(records)], store, pipeline=pipeline, jobs=jobs, spec=spec)
        assert summary.added == len(rows)
        found = store.conn.execute(
            "SELECT c.article_id, c.text, g.canonical, c.embedding IS NOT NULL FROM claims c "
            "JOIN claim_groups g ON g.id = c.group_id ORDER BY c.article_id, c.start"
        ).fetchall()
        groups.append([tuple(row) for row in found])
        store.close()
    assert groups[0] and groups[0] == groups[1]
