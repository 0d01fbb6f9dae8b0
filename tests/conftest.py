"""Cheap shared fixtures: hand-written articles, a default pipeline, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.pipeline import Pipeline, load_pipeline

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return load_pipeline()


@pytest.fixture(scope="session")
def asserting_pipeline() -> Pipeline:
    """Every narrative the model picks is asserted (`--min-score narratives=0`): the shipped rule withholds most
    picks on short hand-written articles, and tests of the surfaces need asserted narratives to show and count."""
    return load_pipeline(min_scores={"narratives": 0.0})


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def svr_article_path() -> Path:
    return ARTICLES / "svr_claim.txt"


STORE_CORPUS = DATA / "store" / "corpus.jsonl"


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory, asserting_pipeline: Pipeline) -> Path:
    """A real SQLite store holding the analysed store fixture corpus (dated outlets, XSS payloads); read-only use."""
    from narrascope.store.db import Store
    from narrascope.store.ingest import ingest

    path = tmp_path_factory.mktemp("store") / "corpus.db"
    store = Store(path)
    summary = ingest([str(STORE_CORPUS)], store, pipeline=asserting_pipeline, batch_size=2)
    store.close()
    assert summary.failed == [] and summary.added == 6
    return path


@pytest.fixture(scope="session")
def spread_db(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory, asserting_pipeline: Pipeline) -> Path:
    """The store corpus plus copies (stories): a2 twice more from its own outlet and once relayed by another
    outlet, and xss1 relayed by a second hostile outlet name; read-only use."""
    import json
    import shutil

    from narrascope.article import Article
    from narrascope.store.db import Store

    path = tmp_path_factory.mktemp("spread") / "spread.db"
    shutil.copy(corpus_db, path)
    records = {r["id"]: r for r in map(json.loads, STORE_CORPUS.read_text("utf-8").splitlines())}
    copies = [("a2-again", "a2", "Pravda Mirror", "2023-02-15"), ("a2-mirror", "a2", "Pravda Mirror", "2023-02-16"),
              ("a2-relay", "a2", "Relay Daily", "2023-02-20"),
              ("xss1-relay", "xss1", "<svg onload=\"window.__xss=7\">", "2023-03-22")]  # fmt: skip
    store = Store(path)
    store.put_batch(
        [
            asserting_pipeline(
                Article(raw_text=records[of]["text"], id=i, source=s, published=p, title=records[of]["title"])
            )
            for i, of, s, p in copies
        ]
    )
    store.close()
    return path
