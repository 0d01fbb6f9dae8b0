"""Issue 24: one bad record, silent overwrites, store races and foreign/read-only files, ingest signals."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.store.db import Store

SURROGATE_CORPUS = (
    '{"id":"a","text":"ok one."}\n'
    '{"id":"b","source":"\\udcff","text":"two."}\n'
    '{"id":"\\udcff","title":"\\ud800","url":"\\udcff","published":"\\udcff","language":"\\udcff","text":"3."}\n'
)


def test_issue24_lone_surrogates_do_not_sink_analyze_or_ingest(tmp_path: Path, runner: CliRunner) -> None:
    corpus = tmp_path / "s.jsonl"
    corpus.write_text(SURROGATE_CORPUS, "utf-8")
    out = tmp_path / "o.jsonl"
    result = runner.invoke(
        main, ["analyze", str(corpus), "--format", "jsonl", "--out", str(out), "--components", "cleaning"]
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "\ufffd"]
    assert rows[1]["source"] == "\ufffd"
    assert "s.jsonl:2: invalid Unicode (a lone surrogate) in source; replaced with U+FFFD" in result.output
    db = tmp_path / "c.db"
    result = runner.invoke(main, ["ingest", str(corpus), "--db", str(db), "--components", "cleaning"])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_issue24_non_utf8_file_name_in_a_folder(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "ok.txt").write_text("Title\n\nSome text.", "utf-8")
    bad = os.path.join(os.fsencode(folder), b"x\xff.txt")
    with open(bad, "wb") as handle:
        handle.write(b"T\n\nOther text.")
    out = tmp_path / "d.jsonl"
    result = runner.invoke(
        main, ["analyze", str(folder), "--format", "jsonl", "--out", str(out), "--components", "cleaning"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()) == ["ok.txt", "x\ufffd.txt"]
    assert "the file name is not valid UTF-8" in result.output
    result = runner.invoke(main, ["ingest", str(folder), "--db", str(tmp_path / "d.db"), "--components", "cleaning"])
    assert result.exit_code == 0 and "2 added" in result.output, result.output
