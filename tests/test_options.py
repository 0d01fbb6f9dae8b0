"""The same options wherever they mean the same thing; serve's one-line errors; CSV without raw newlines."""

from __future__ import annotations

import csv
import json
import shutil
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.learn.storage import shipped_model_path
from narrascope.store.db import Store

from .conftest import STORE_CORPUS


def test_serve_on_a_missing_corpus_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    result = runner.invoke(main, ["serve", "--db", str(missing)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "no such corpus file" in result.stderr and not missing.exists()


def test_serve_on_a_taken_port_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    Store(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


@pytest.mark.parametrize("command", ["analyze", "ingest", "serve"])
def test_the_pipeline_commands_share_model_and_judgment_options(runner: CliRunner, command: str) -> None:
    shown = runner.invoke(main, [command, "--help"], env={"COLUMNS": "200"}).stdout
    for option in ("--model", "--min-score", "--force", "--backend", "--rules", "--components"):
        assert option in shown, (command, option)
    if command != "serve":
        for option in ("--field", "--jobs", "--max-bytes"):
            assert option in shown, (command, option)


def test_a_bad_model_option_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ingest", str(STORE_CORPUS), "--db", str(tmp_path / "t.db"), "--model", "nope"])
    assert result.exit_code == 2 and "'nope' is not a model folder" in result.stderr


def test_ingest_takes_fields_jobs_and_a_model_dir(runner: CliRunner, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.csv"
    rows = [json.loads(line) for line in STORE_CORPUS.read_text("utf-8").splitlines()][:4]
    with corpus.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "title", "body"])
        writer.writeheader()
        writer.writerows({"id": r["id"], "title": r["title"], "body": r["text"]} for r in rows)
    model = tmp_path / "model"
    shutil.copytree(shipped_model_path("narratives", "accurate"), model)
    db = tmp_path / "t.db"
    args = ["ingest", str(corpus), "--db", str(db), "--field", "text=body", "--jobs", "2", "--model", str(model)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "4 added" in result.stderr
    store = Store(db, readonly=True)
    analyses = list(store.iter_analyses())
    store.close()
    assert sorted(a.id for a in analyses) == sorted(r["id"] for r in rows)
    assert all(a.narratives and not a.not_available for a in analyses)
