"""Hostile feeds, pages and clients (tests/hostile_web.py, real HTTP servers on 127.0.0.1): one bad item never
sinks a round, bombs and slow hosts cost bounded memory and time, metadata addresses stay out, the server drops
refused clients and answers bad parameters with a 4xx line, alerts reach the webhook whatever their log does."""

from __future__ import annotations

import asyncio
import os
import socket
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.sources.alerting import AlertSink
from narrascope.sources.feeds import parse_feed
from narrascope.sources.fetch import Fetcher, FetchOptions, Politeness
from narrascope.sources.net import FetchError, RefusedError, pin
from narrascope.sources.round import run_round
from narrascope.store.db import Store
from tests.hostile_web import CHARSETS, HostileWeb, serving_hostile
from tests.serving import running_server
from tests.watch_server import ARTICLES

OPTIONS = FetchOptions(timeout=3, delay=0.0, backoff=0.01, retries=0, allow_private=True)


@pytest.fixture(scope="module")
def web() -> Iterator[HostileWeb]:
    with serving_hostile(bomb_mb=128, malformed_items=20_000) as found:
        yield found


def _ids(store: Store) -> set[str]:
    return set(store.ids())


def test_a_non_text_charset_is_no_charset_and_meta_charset_is_read(web: HostileWeb, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    pages = [f"{web.base}/charset/{name}.html" for name in CHARSETS]
    good = [f"{web.base}/news/{a['slug']}.html" for a in ARTICLES[:2]]
    summary = run_round([*pages, f"{web.base}/cp1251.html", *good], store, load_pipeline(["cleaning", "language"]),
                        options=OPTIONS)  # fmt: skip
    assert summary.failed == [] and summary.added == len(CHARSETS) + 1 + 2
    russian = store.conn.execute("SELECT raw_text, language FROM articles WHERE id LIKE '%cp1251%'").fetchone()
    assert "Министр иностранных дел" in russian[0] and "\ufffd" not in russian[0] and russian[1] == "ru"
    text = store.conn.execute("SELECT raw_text FROM articles WHERE id LIKE '%charset-%'").fetchone()[0]
    assert ARTICLES[1]["text"].split(". ")[0] in text
    store.close()


def test_broken_links_and_dates_fail_alone_and_the_round_goes_on(web: HostileWeb, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    sources = [f"{web.base}/links.xml", f"{web.base}/overflow.xml", f"{web.base}/healthy.xml"]
    summary = run_round(sources, store, Pipeline([]), options=OPTIONS)
    assert len(summary.failed) == 2, summary.failed
    assert any("[::1/x.html" in f and "not a valid URL" in f for f in summary.failed)
    assert any("99999" in f for f in summary.failed) and all("\n" not in f for f in summary.failed)
    wanted = {f"{web.base}/news/{a['slug']}.html" for a in ARTICLES[:4]}
    assert wanted <= _ids(store)  # the healthy feed's four pages, the good link, the far-future entry
    again = run_round(sources, store, Pipeline([]), options=OPTIONS)
    assert again.failed == summary.failed and again.added == 0  # the broken items fail again, alone
    store.close()


def test_an_unexpected_error_reading_one_page_is_that_pages_line(
    web: HostileWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from narrascope.sources import round as round_module

    real = round_module.page_article

    def flaky(body: bytes, *, url: str, **kwargs: Any) -> Any:
        if "svr-militants" in url:
            raise LookupError("'bogus' is not a text encoding")
        return real(body, url=url, **kwargs)

    monkeypatch.setattr(round_module, "page_article", flaky)
    store = Store(tmp_path / "c.db")
    summary = run_round([f"{web.base}/healthy.xml"], store, Pipeline([]), options=OPTIONS)
    assert summary.added == 3 and len(summary.failed) == 1
    assert summary.failed[0].endswith("svr-militants.html: unexpected LookupError: 'bogus' is not a text encoding")
    store.close()


def test_a_gzip_bomb_in_two_layers_is_cut_within_the_budget(web: HostileWeb) -> None:
    async def fetch(path: str) -> str:
        fetcher = Fetcher(FetchOptions(timeout=20, delay=0, allow_private=True, max_bytes=1_000_000))
        try:
            await fetcher.get(f"{web.base}{path}")
        except FetchError as exc:
            return str(exc)
        finally:
            await fetcher.aclose()
        return "fetched"

    web.bomb(1), web.bomb(2)  # built before measuring
    for path in ("/bomb1.html", "/bomb2.html"):
        tracemalloc.start()
        try:
            reason = asyncio.run(fetch(path))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert "over the 1,000,000-byte limit" in reason, reason
        assert peak < 12_000_000, (path, peak)  # the bomb inflates to 128 MB


def test_a_long_malformed_feed_is_parsed_within_a_bounded_time(web: HostileWeb) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{web.base}/malformed.xml", timeout=20) as response:
        body = response.read()
    assert len(body) > 1_500_000
    started = time.monotonic()
    feed = parse_feed(body, f"{web.base}/malformed.xml")
    assert time.monotonic() - started < 8.0  # feedparser takes about 10 s alone, 40 s on a loaded machine
    assert feed.total == 20_000 and feed.items[0].url.startswith(f"{web.base}/gen/")


def test_a_crawl_delay_host_holds_neither_the_others_nor_the_round(web: HostileWeb, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    politeness = Politeness()
    sources = [f"{web.slow}/slow.xml", f"{web.base}/healthy.xml"]
    stored_at: list[float] = []
    started = time.monotonic()
    summary = run_round(sources, store, Pipeline([]), options=OPTIONS, budget=2.0, politeness=politeness,
                        batch_size=1, on_stored=lambda ids: stored_at.append(time.monotonic() - started))  # fmt: skip
    seconds = time.monotonic() - started
    assert seconds < 6.0 and summary.failed == [] and summary.added == 4 and summary.deferred == 3
    assert len(stored_at) == 4 and stored_at[0] < seconds  # stored (and alerts evaluated) as they come
    again = run_round(sources, store, Pipeline([]), options=OPTIONS, budget=2.0, politeness=politeness)
    assert again.failed == [] and again.deferred == 1  # the slow host's feed waits its 60 s, across rounds
    assert [line for line in web.log if line.startswith("slow /news/")] == []
    store.close()


def test_what_arrives_is_committed_while_a_slow_page_is_awaited(web: HostileWeb, tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    sources = [f"{web.base}/healthy.xml", f"{web.slow}/sleep.html"]
    stored: list[tuple[float, int]] = []
    started = time.monotonic()
    options = FetchOptions(timeout=10, delay=0.0, retries=0, allow_private=True)
    summary = run_round(sources, store, Pipeline([]), options=options,
                        on_stored=lambda ids: stored.append((time.monotonic() - started, len(ids))))  # fmt: skip
    seconds = time.monotonic() - started
    assert summary.failed == [] and summary.added == 5 and seconds >= 4.0
    assert stored[0][1] == 4 and stored[0][0] < seconds - 1.5  # committed (alerts evaluated) before the slow page
    store.close()


def test_robots_disallowed_is_skipped_not_failed(web: HostileWeb, tmp_path: Path, runner: CliRunner) -> None:
    db = str(tmp_path / "c.db")
    page = f"{web.base}/private/x.html"
    result = runner.invoke(main, ["ingest", page, "--db", db, "--allow-private", "--per-host-delay", "0",
                                  "--components", "cleaning"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "0 failed, 1 skipped" in result.output and "skipped: " in result.output


def test_every_cloud_metadata_endpoint_is_refused_even_with_allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("http://[fd00:ec2::254]/latest/", "http://100.100.100.200/latest/meta-data/", "http://192.0.0.192/",
                "http://169.254.170.2/v2/credentials", "http://[fd20:ce::254]/", "http://168.63.129.16/",
                "http://[64:ff9b::a9fe:a9fe]/", "http://[::ffff:100.100.100.200]/", "http://[2002:a9fe:a9fe::1]/",
                "http://metadata.google.internal/computeMetadata/v1/",
                "http://METADATA.GOOGLE.INTERNAL./"):  # fmt: skip
        with pytest.raises(RefusedError, match="always refused"):
            pin(url, allow_private=True)
    infos = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fd00:ec2::254", 80, 0, 0))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: infos)
    with pytest.raises(RefusedError, match="resolves to fd00:ec2::254"):
        pin("http://imds.example/", allow_private=True)
    assert pin("http://10.0.0.5/", allow_private=True).address == "10.0.0.5"  # an intranet feed still works


def test_webhook_is_sent_whatever_the_log_does(web: HostileWeb, tmp_path: Path) -> None:
    errors: list[str] = []
    alert = {"key": "r|a", "rule": "r", "message": "m"}
    if os.path.exists("/dev/full"):
        sink = AlertSink("/dev/full", f"{web.base}/hook", allow_private=True, backoff=0.01, on_error=errors.append)
        sink.emit([alert])
        sink.close(wait=10)
        assert [h["key"] for h in web.hooks] == ["r|a"] and len(errors) == 1 and "not logged" in errors[0]
    target = tmp_path / "target.txt"
    target.write_text("kept\n")
    (tmp_path / "alerts.jsonl").symlink_to(target)
    sink = AlertSink(tmp_path / "alerts.jsonl", f"{web.base}/hook", allow_private=True, on_error=errors.append)
    sink.emit([dict(alert, key="r|b")])
    sink.close(wait=10)
    assert target.read_text() == "kept\n" and "symbolic link" in errors[-1]
    assert web.hooks[-1]["key"] == "r|b"
    plain = tmp_path / "plain.jsonl"
    AlertSink(plain, None).emit([alert, alert])
    assert len(plain.read_text().splitlines()) == 2


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("served") / "s.db"
    Store(db).close()
    with running_server(str(db), token="s3cret") as url:
        yield url


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _closed(sock: socket.socket, within: float) -> bool:
    deadline = time.monotonic() + within
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            with_drip = b"x"
            try:
                sock.sendall(with_drip)
            except OSError:
                return True
        except OSError:
            return True
    return False


def test_a_refused_request_closes_its_connection(served: str) -> None:
    for head in (b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer no\r\n",
                 b"POST /api/articles HTTP/1.1\r\nHost: evil.example\r\n"):  # fmt: skip
        with socket.create_connection(("127.0.0.1", _port(served)), timeout=5) as sock:
            sock.sendall(head + b"Content-Length: 1000000\r\n\r\nxx")
            assert sock.recv(12) in (b"HTTP/1.1 401", b"HTTP/1.1 400")
            assert _closed(sock, 3.0)  # a client that keeps dripping its body holds no socket


def test_connections_of_one_client_are_bounded(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrascope.server.security import GuardedH11Protocol

    monkeypatch.setattr(GuardedH11Protocol, "max_per_client", 20)
    idle = [socket.create_connection(("127.0.0.1", _port(served)), timeout=5) for _ in range(60)]
    time.sleep(0.3)
    started = time.monotonic()
    status = _get(served, "/api/feeds")[0]
    assert status == 200 and time.monotonic() - started < 1.0
    closed = sum(_closed(sock, 0.05) for sock in idle)
    for sock in idle:
        sock.close()
    assert closed >= 60 - 20


def _get(url: str, path: str) -> tuple[int, Any]:
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", _port(url), timeout=10)
    conn.request("GET", path, headers={"Authorization": "Bearer s3cret"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data.startswith(b"{") else data


HOSTILE_VALUES = ("2024-02-30", "0000-01-01", "２０２４-０１-０１", "0001-01-01", "9999-12-31", "-1", "1e309",
                  "nan", "99999999999999999999999", "%00", "%ED%A0%80", "%FF", "x" * 5000, "", "[]", "true", "..",
                  "%2F")  # fmt: skip


def test_client_errors_are_4xx_with_one_line_never_a_traceback(served: str, caplog: pytest.LogCaptureFixture) -> None:
    status, body = _get(served, "/api/trends?until=2024-02-30")
    assert status == 422 and body["code"] == "invalid_request" and "until" in body["message"]
    schema = _get(served, "/openapi.json")
    paths = schema[1]["paths"] if schema[0] == 200 else {}
    routes = [(p, [q["name"] for q in spec["get"].get("parameters", [])]) for p, spec in paths.items() if "get" in spec]
    assert len(routes) >= 10
    seen = 0
    for path, params in routes:
        for value in HOSTILE_VALUES:
            filled = path
            for name in [n for n in params if "{" + n in path]:
                shown = quote(value, safe="%") or "x"
                filled = filled.replace("{" + name + "}", shown).replace("{" + name + ":path}", shown)
            query = "&".join(f"{n}={quote(value, safe='%')}" for n in params if "{" + n not in path)
            status, body = _get(served, f"{filled}?{query}")
            seen += 1
            assert status < 500, (path, value, body)
            if status >= 400:
                assert isinstance(body, dict) and "\n" not in body["message"], (path, value, body)
    assert seen > 100
    assert "Traceback" not in caplog.text


def test_a_long_filter_url_is_answered_however_tcp_cuts_it(served: str) -> None:
    """A 70 KB request line that arrives in 4 KB pieces is answered like one that arrives whole (h11's default
    buffer of 16 KB refused it with a reset only when it came in pieces)."""
    long = "x" * 5000
    query = "&".join(f"{name}={long}" for name in ("narrative", "technique", "source", "language", "entity") * 3)
    head = f"GET /api/articles?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer s3cret\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", _port(served)), timeout=10) as sock:
        for start in range(0, len(head), 4096):
            sock.sendall(head[start : start + 4096])
            time.sleep(0.002)
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(65536)
            assert piece, answer
            answer += piece
    status = int(answer.split(b" ", 2)[1])
    assert 200 <= status < 500 and b"Invalid HTTP request" not in answer, answer[:200]


def test_content_codings_decode_within_the_budget() -> None:
    import gzip
    import zlib

    from narrascope.sources.fetch import Decoder

    body = b"<p>Hello, world.</p>" * 500

    def decoded(header: str, data: bytes, cap: int = 100_000) -> tuple[bytes, bool]:
        decoder = Decoder("http://x.example/", header, cap)
        parts = [decoder.feed(data[i : i + 100]) for i in range(0, len(data), 100)]
        return b"".join([*parts, decoder.flush()]), decoder.over

    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    cases = {"gzip": gzip.compress(body), "deflate": zlib.compress(body),
             "gzip, gzip": gzip.compress(gzip.compress(body)), "identity": body, "": body,
             "x-gzip": gzip.compress(body), "deflate ": raw_deflate.compress(body) + raw_deflate.flush()}  # fmt: skip
    for header, data in cases.items():
        assert decoded(header, data) == (body, False), header
    assert decoded("gzip", gzip.compress(body), cap=1000)[1]  # 10,000 bytes decoded: over a 1,000-byte cap
    for header in ("br", "gzip, gzip, gzip, gzip"):
        with pytest.raises(FetchError):
            Decoder("http://x.example/", header, 1000)
    with pytest.raises(FetchError, match="not valid gzip"):
        decoded("gzip", b"not gzip at all")
