"""Grouping's slow part (embedding the claims) happens before the store's write transaction, so a batch holds the
write lock briefly, and a second writer process waits for it instead of failing with "database is locked"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.article import Article
from narrascope.pipeline import load_pipeline
from narrascope.store import claim_groups
from narrascope.store.db import Store

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
