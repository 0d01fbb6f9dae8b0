"""Integrity: one bad record, silent overwrites, store races and foreign/read-only files, ingest signals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.store.db import Store
from tests.serving import free_port, get_json

SURROGATE_CORPUS = (
    '{"id":"a","text":"ok one."}\n'
    '{"id":"b","source":"\\udcff","text":"two."}\n'
    '{"id":"\\udcff","title":"\\ud800","url":"\\udcff","published":"\\udcff","language":"\\udcff","text":"3."}\n'
)


def test_lone_surrogates_do_not_sink_analyze_or_ingest(tmp_path: Path, runner: CliRunner) -> None:
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
    assert "s.jsonl:3: invalid Unicode (a lone surrogate) in id, title, url, published, language" in result.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
def test_non_utf8_file_name_in_a_folder(tmp_path: Path, runner: CliRunner) -> None:
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


def _open_store(path: str) -> str:
    try:
        Store(path).close()
    except Exception as exc:  # the test counts every failure, whatever it is
        return str(exc)
    return "ok"


def test_concurrent_creation_of_a_new_store(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn" if sys.platform == "darwin" else "fork")
    failures = []
    with context.Pool(4) as pool:
        for round_ in range(6):
            path = str(tmp_path / f"race{round_}.db")
            failures += [r for r in pool.map(_open_store, [path] * 4) if r != "ok"]
    assert failures == []
    assert Store(str(tmp_path / "race0.db")).count("articles") == 0


def test_foreign_sqlite_file_is_refused_unchanged(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "foreign.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    result = runner.invoke(main, ["ingest", str(tmp_path / "none.txt"), "--db", str(path)])
    assert result.exit_code == 2
    assert "an SQLite file that is not a narrascope store" in result.output
    assert path.read_bytes() == before  # not switched to WAL (byte 18/19 of the header stay 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]


def test_export_onto_the_store_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    db = tmp_path / "c.db"
    corpus = tmp_path / "s.jsonl"
    corpus.write_text('{"id":"a","text":"One."}\n', "utf-8")
    assert runner.invoke(main, ["ingest", str(corpus), "--db", str(db), "--components", "cleaning"]).exit_code == 0
    before = db.read_bytes()
    result = runner.invoke(main, ["export", "--db", str(db), "--out", str(tmp_path / "." / "c.db")])
    assert result.exit_code == 2
    assert "the output would replace the store" in result.output
    assert db.read_bytes() == before and Store(str(db)).count("articles") == 1


def test_analyze_onto_its_own_input_is_refused(tmp_path: Path, runner: CliRunner) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id":"a","text":"One."}\n', "utf-8")
    for out in (corpus, tmp_path / "sub" / ".." / "c.jsonl"):
        result = runner.invoke(main, ["analyze", str(tmp_path), "--format", "jsonl", "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert "the output would replace an input of this run" in result.output
    assert corpus.read_text("utf-8") == '{"id":"a","text":"One."}\n'


def _read_only(folder: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run `command` with `folder` mounted read-only (a private mount namespace, no root needed)."""
    script = 'mount -o bind,ro "$0" "$0" && exec "$@"'
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, str(folder), *command],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def _can_mount_read_only(folder: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    return _read_only(folder, "true").returncode == 0


def test_read_only_media(tmp_path: Path, runner: CliRunner) -> None:
    media = tmp_path / "media"
    media.mkdir()
    db = media / "c.db"
    corpus = tmp_path / "s.jsonl"
    corpus.write_text('{"id":"a","text":"One."}\n', "utf-8")
    assert runner.invoke(main, ["ingest", str(corpus), "--db", str(db), "--components", "cleaning"]).exit_code == 0
    if not _can_mount_read_only(media):
        pytest.skip("no unprivileged read-only mounts here (unshare -rm)")
    cli = [sys.executable, "-m", "narrascope.cli.main"]
    done = _read_only(media, *cli, "export", "--db", str(db), "--out", str(tmp_path / "e.jsonl"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "e.jsonl").read_text("utf-8").count("\n") == 1
    done = _read_only(media, *cli, "export", "--db", str(db), "--out", str(media / "e.jsonl"))
    assert done.returncode == 2
    assert done.stderr.strip().endswith("cannot write the output there (Read-only file system)")
    done = _read_only(media, *cli, "ingest", str(corpus), "--db", str(db))
    assert done.returncode == 2 and "read-only" in done.stderr
    port = free_port()
    serve = [*cli, "serve", "--db", str(db), "--port", str(port)]
    script = 'mount -o bind,ro "$0" "$0" && exec "$@"'
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen(
        ["unshare", "-rm", "sh", "-c", script, str(media), *serve], env=env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        status, found = 0, None
        while time.monotonic() < deadline and status != 200:
            try:
                status, found = get_json(f"http://127.0.0.1:{port}/api/articles")
            except OSError:
                time.sleep(0.2)
        assert status == 200 and found["total"] == 1
        body = json.dumps({"text": "New.\n\nText."}).encode()
        status, found = get_json(
            f"http://127.0.0.1:{port}/api/articles",
            method="POST",
            body=body,
            headers={"Content-Type": "application/json"},
        )
        assert status == 403 and found["code"] == "read_only"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert b"is read-only; serving it read-only" in stderr


LONG_CORPUS = "".join(
    json.dumps({"id": f"n{i}", "text": f"Title {i}\n\nThe minister said the army will move on city {i}."}) + "\n"
    for i in range(3000)
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ingest_interrupted_exits_130_or_143_with_a_summary(tmp_path: Path, signum: int) -> None:
    corpus = tmp_path / "many.jsonl"
    corpus.write_text(LONG_CORPUS, "utf-8")
    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "narrascope.cli.main", "ingest", str(corpus), "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--components", "cleaning", "--batch-size", "4"],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not db.exists() or Store(str(db)).count("articles") < 8):
        time.sleep(0.1)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == (130 if signum == signal.SIGINT else 143), stderr
    assert "interrupted; every analysis done so far is committed" in stderr
    stored = Store(str(db)).count("articles")
    assert 8 <= stored < 3000
    assert f"{stored} added, 0 already present, 0 updated, 0 failed; {stored} article(s) in" in stderr
