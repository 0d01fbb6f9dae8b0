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


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture()
def svr_article_path() -> Path:
    return ARTICLES / "svr_claim.txt"


STORE_CORPUS = DATA / "store" / "corpus.jsonl"


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Path:
    """A real SQLite store holding the analysed store fixture corpus (dated outlets, XSS payloads); read-only use."""
    from narrascope.store.db import Store
    from narrascope.store.ingest import ingest

    path = tmp_path_factory.mktemp("store") / "corpus.db"
    store = Store(path)
    summary = ingest([str(STORE_CORPUS)], store, pipeline=pipeline, batch_size=2)
    store.close()
    assert summary.failed == [] and summary.added == 6
    return path
