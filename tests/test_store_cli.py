"""`narrascope ingest` and `export` as a user runs them: summary line, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from narrascope.cli.main import main
from tests.conftest import ARTICLES


def test_ingest_summarises_and_export_writes_what_is_stored(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    args = ["ingest", str(ARTICLES / "svr_claim.txt"), "--db", str(db), "--components", "cleaning,language,sentences"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "1 added, 0 already present, 0 updated, 0 failed; 1 article(s)" in result.stderr
    result = runner.invoke(main, [*args, str(tmp_path / "missing.txt")])
    assert result.exit_code == 1
    assert "0 added, 1 already present, 0 updated, 1 failed" in result.stderr
    assert "missing.txt: no such file or directory" in result.stderr
    out = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["export", "--db", str(db), "--format", "jsonl", "--out", str(out)])
    assert result.exit_code == 0 and "wrote 1 article(s)" in result.stderr
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == ["svr_claim.txt"]


def test_a_bad_database_is_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    shutil.copy(ARTICLES / "svr_claim.txt", junk)
    for db in (junk, tmp_path / "none.db"):
        result = runner.invoke(main, ["export", "--db", str(db), "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.stderr.count("\n") == 1 and "narrascope: error:" in result.stderr
    assert not (tmp_path / "x").exists()
