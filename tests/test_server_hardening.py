"""Server hardening: DNS rebinding, floods of analyses, slowloris, memory, 500 causes, ids `.` and `..`."""

from __future__ import annotations

import errno
import http.client
import json
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.cli.main import main
from narrascope.server import assets
from narrascope.server.api import internal_cause
from narrascope.server.security import GuardedH11Protocol, allowed_hosts
from narrascope.store.db import Store
from tests.serving import get_json, request, running_server

JSON = {"Content-Type": "application/json"}


def raw(url: str, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, Any]:
    """One request with exactly these headers (Host included), through http.client."""
    port = int(url.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders(body or None)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data.startswith(b"{") else data


@pytest.fixture(scope="module")
def served(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("hardening") / "c.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    store.put_batch([Analysis(Article(raw_text=f"Dot article {i}.\n\nText.", id=i)) for i in (".", "..")])
    store.close()
    with running_server(str(db), allowed=("corpus.lan",)) as url:
        yield url, db


def test_host_header_must_name_this_server(served: tuple[str, Path]) -> None:
    url, db = served
    port = url.rsplit(":", 1)[1]
    before = Store(db, readonly=True).count("articles")
    body = json.dumps({"text": "Rebound.\n\nWritten by a page on another name.", "id": "evil"}).encode()
    status, found = raw(url, "POST", "/api/articles", {"Host": f"evil.example:{port}", **JSON}, body)
    assert status == 400 and found["code"] == "bad_host" and "evil.example" in found["message"]
    status, found = raw(url, "GET", "/api/articles", {"Host": f"evil.example:{port}"})
    assert status == 400 and found["code"] == "bad_host"
    assert raw(url, "GET", "/api/articles", {})[0] == 400  # no Host at all
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "corpus.lan", f"LOCALHOST.:{port}"):
        assert raw(url, "GET", "/api/articles", {"Host": host})[0] == 200, host
    assert Store(db, readonly=True).count("articles") == before
    assert allowed_hosts("192.0.2.7") == {"192.0.2.7"}
    assert allowed_hosts("127.0.0.1", ["a.lan"]) == {"127.0.0.1", "localhost", "::1", "a.lan"}


def test_serve_beyond_loopback_needs_a_token(runner: CliRunner, tmp_path: Path, monkeypatch: Any) -> None:
    from narrascope.cli import store as store_cli
    from narrascope.errors import NarrascopeError

    def listen(host: str, port: int) -> Any:  # never binds here: the command stops where it would listen
        raise NarrascopeError(f"would listen on {host}:{port}")

    monkeypatch.setattr(store_cli, "_listen", listen)
    db = str(tmp_path / "c.db")
    Store(db).close()
    result = runner.invoke(main, ["serve", "--db", db, "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "--host 0.0.0.0 reaches beyond this machine: give --token" in result.output
    assert result.output.count("\n") == 1
    result = runner.invoke(main, ["serve", "--db", db], env={"NARRASCOPE_TOKEN": ""})
    assert result.exit_code == 2 and "the token is empty" in result.output
    result = runner.invoke(main, ["serve", "--db", db, "--token", "  "])
    assert result.exit_code == 2 and "the token is empty" in result.output
    result = runner.invoke(main, ["serve", "--db", db, "--host", "0.0.0.0", "--insecure-no-token"])
    assert "would listen on 0.0.0.0:8000" in result.output
    result = runner.invoke(main, ["serve", "--db", db, "--host", "0.0.0.0", "--token", "s3cret"])
    assert "would listen on 0.0.0.0:8000" in result.output


def _flood(port: int, body: bytes, count: int, replies: list[bytes]) -> list[threading.Thread]:
    def post() -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            head = "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
            sock.settimeout(1.0)  # the client gives up after a second, as in the audit
            try:
                replies.append(sock.recv(64))
            except TimeoutError:
                replies.append(b"")

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def test_flooding_analyze_does_not_block_reads(served: tuple[str, Path]) -> None:
    url, _ = served
    port = int(url.rsplit(":", 1)[1])
    warm = json.dumps({"text": "Warm up.\n\nThe pipeline loads once."}).encode()
    assert request(f"{url}/api/analyze", method="POST", body=warm, headers=JSON)[0] == 200
    text = "The minister said the army will attack. Officials claim the West trains fighters. " * 1500
    replies: list[bytes] = []
    threads = _flood(port, json.dumps({"text": "Flood\n\n" + text}).encode(), 14, replies)
    time.sleep(0.3)
    slowest = 0.0
    for _ in range(6):
        started = time.monotonic()
        assert get_json(f"{url}/api/articles?limit=5")[0] == 200
        slowest = max(slowest, time.monotonic() - started)
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert slowest < 1.0
    assert sum(r.startswith(b"HTTP/1.1 503") for r in replies) >= 14 - 8  # the queue holds 8
    # every client left after 1 s: the queued analyses are dropped, only the running one finishes
    started = time.monotonic()
    small = json.dumps({"text": "Small.\n\nAfter the flood."}).encode()
    while (status := request(f"{url}/api/analyze", method="POST", body=small, headers=JSON)[0]) == 503:
        assert time.monotonic() - started < 60
        time.sleep(0.2)
    assert status == 200 and time.monotonic() - started < 30


def test_slow_headers_are_cut_off(served: tuple[str, Path], monkeypatch: Any) -> None:
    url, _ = served
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout", 1.0)
    port = int(url.rsplit(":", 1)[1])
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    dripping = socket.create_connection(("127.0.0.1", port))
    dripping.sendall(b"GET /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    started = time.monotonic()
    assert get_json(f"{url}/api/articles?limit=1")[0] == 200 and time.monotonic() - started < 1.0
    closed_after = None
    dripping.settimeout(0.3)
    while time.monotonic() - started < 10:
        try:
            dripping.sendall(b"X")  # a header byte every 0.3 s never completes the request
            if dripping.recv(1) == b"":
                closed_after = time.monotonic() - started
                break
        except TimeoutError:
            continue
        except OSError:
            closed_after = time.monotonic() - started
            break
    for sock in [*idle, dripping]:
        sock.close()
    assert closed_after is not None and closed_after < 3.0


def test_token_is_checked_before_the_body_and_asset_names_are_not_cached(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db), token="s3cret") as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000000\r\n\r\n")
            assert sock.recv(64).startswith(b"HTTP/1.1 401")  # at once: no body was sent, none is awaited
        for number in range(300):
            assert request(f"{url}/static/made-up-{number}.js")[0] == 404
    assert assets._load.cache_info().currsize <= len(assets.ASSETS)


def test_server_errors_carry_their_cause(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "broken.db"
    shutil.copy(corpus_db, db)
    conn = sqlite3.connect(db)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles'").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(db, "r+b") as handle:  # the articles table's first page becomes garbage
        handle.seek((root - 1) * size)
        handle.write(b"\xa5" * size)
    with running_server(str(db)) as url:
        status, found = get_json(f"{url}/api/articles")
    assert status == 500 and found["code"] == "store_failed"
    assert found["message"] == "the corpus store failed: database disk image is malformed"
    full = internal_cause(sqlite3.OperationalError("database or disk is full"))
    assert full == ("store_failed", "the corpus store failed: database or disk is full")
    assert internal_cause(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))) == (
        "os_error", "the server could not complete the request: No space left on device"
    )  # fmt: skip


def test_dot_ids_can_be_opened(served: tuple[str, Path]) -> None:
    url, _ = served
    for given in (".", ".."):
        status, found = get_json(f"{url}/api/article?id={given}")
        assert status == 200 and found["id"] == given
    status, found = get_json(f"{url}/api/articles/%2E%2E")  # the path form, for clients that keep it
    assert status == 200 and found["id"] == ".."


def test_dot_ids_open_in_the_browser(served: tuple[str, Path]) -> None:
    from tests.test_browser import ARGS, CHROMIUM, _ready, sync_api  # skips where Chromium is missing

    url, _ = served
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        tab = browser.new_page()
        tab.set_default_timeout(20_000)
        for given in (".", ".."):
            tab.goto(f"{url}/article?id={given}")
            _ready(tab)
            assert tab.inner_text("#title") == given
            assert f"Dot article {given}." in tab.inner_text("#raw-text")
        browser.close()
