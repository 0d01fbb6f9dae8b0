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
