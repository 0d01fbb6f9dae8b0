"""Abuse of `narrascope serve` on 127.0.0.1: slowloris connections, a flood of analyses and refused clients that
keep dripping their bodies, while a reader reads.

    python benchmarks/server_abuse.py [--half-open 1100] [--analyses 45] [--body-mb 1] [--gets 20] [--refused 300]

Starts the server on a free loopback port over a small temporary store, loads its pipeline with one analysis,
then opens `--half-open` connections that send half a request and stall, and posts `--analyses` analyses of
`--body-mb` MB each whose clients give up after 1 s. While all of that is held, it times `--gets` reads of
`GET /api/articles` (the acceptance: every one within 1 s), counts the analyses refused with 503, checks that
the server closes the stalled connections at its header deadline (10 s), and prints the server's memory.
Then it starts a second server with a token and only 256 file descriptors (`ulimit -n 256`), opens `--refused`
clients whose POST is refused (wrong token) and that keep dripping the body they announced, and times an
authorised `GET` every 0.2 s meanwhile (the acceptance: each within 1 s), counting the refused sockets the server
closed. Every loop is bounded; the servers and every socket are closed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: `benchmarks` is a package there

from benchmarks.load import HOST, free_port, get, start_server
from narrascope.server.api import MAX_TEXT

PARTIAL = b"GET /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow"


def make_store(path: Path) -> None:
    from narrascope.analysis import Analysis
    from narrascope.article import Article
    from narrascope.store.db import Store

    store = Store(path)
    texts = [f"Report {i}\n\nThe ministry said on Monday that talks on the border will resume." for i in range(20)]
    store.put_batch([Analysis(Article(raw_text=t, id=f"r{i}", source="Desk")) for i, t in enumerate(texts)])
    store.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def half_open(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((HOST, port), timeout=5)
        sock.sendall(PARTIAL)
        sockets.append(sock)
    return sockets


def post_and_leave(port: int, body: bytes, replies: list[int]) -> None:
    """POST an analysis, wait 1 s for an answer, then go away (the audit's flood). The headers go first: a
    server that refuses before reading the body answers then (0: no answer, the client left)."""
    try:
        with socket.create_connection((HOST, port), timeout=5) as sock:
            head = f"POST /api/analyze HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/json\r\n"
            sock.sendall(f"{head}Content-Length: {len(body)}\r\n\r\n".encode())
            sock.settimeout(0.2)
            try:
                early = sock.recv(64)
            except TimeoutError:
                early = b""
            if not early:
                sock.settimeout(5)
                with contextlib.suppress(OSError):  # a refusal that came late closes the socket mid-body
                    sock.sendall(body)
                sock.settimeout(1.0)
                early = sock.recv(64)
            replies.append(int(early.split(b" ", 2)[1]))
    except (TimeoutError, OSError, IndexError, ValueError):
        replies.append(0)


def timed_gets(port: int, count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.monotonic()
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        status, _ = get(conn, "/api/articles?limit=20")
        conn.close()
        seconds.append(time.monotonic() - started if status == 200 else float("inf"))
        time.sleep(0.1)
    return seconds


def drip_refused(port: int, count: int, seconds: float, token: str = "s3cret") -> tuple[list[float], int]:
    """`count` clients whose POST is refused (wrong token) keep dripping its body for `seconds`; meanwhile
    authorised GETs are timed. Returns the GETs' seconds and how many refused sockets the server closed."""
    socks, closed = [], 0
    for _ in range(count):
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(b"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong\r\n"
                         b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{")  # fmt: skip
            sock.settimeout(0.01)
            socks.append(sock)
        except OSError:
            break
    timings: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for sock in list(socks):
            try:
                sock.sendall(b" ")
                if sock.recv(4096) == b"":
                    raise ConnectionResetError
            except TimeoutError:
                continue
            except OSError:
                socks.remove(sock)
                sock.close()
                closed += 1
        started = time.monotonic()
        try:
            ok = authorised_get(port, token) == 200
        except OSError:
            ok = False
        timings.append(time.monotonic() - started if ok else float("inf"))
        time.sleep(0.2)
    for sock in socks:
        sock.close()
    return timings, closed


def authorised_get(port: int, token: str) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/api/articles?limit=5", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start_guarded(
    db: str, port: int, token: str, files: int = 256, log: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`serve --token` on `port` with at most `files` open files (soft and hard), started and answering."""
    command = [sys.executable, "-m", "narrascope.cli.main", "serve", "--db", db, "--port", str(port), "--token", token]
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    limit = (files, files)
    server = subprocess.Popen(command, stdout=out, stderr=out, env=env,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, limit))  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if authorised_get(port, token) == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def refused_phase(db: str, count: int) -> bool:
    port = free_port()
    server = start_guarded(db, port, "s3cret")
    try:
        timings, closed = drip_refused(port, count, 8.0)
    finally:
        server.terminate()
        server.wait(timeout=20)
    median, slowest = statistics.median(timings) * 1000, max(timings) * 1000
    print(
        f"{count} refused clients dripping their bodies (server at 256 file descriptors): authorised GET "
        f"{len(timings)} requests, median {median:.0f} ms, max {slowest:.0f} ms; within 1 s: "
        f"{sum(s < 1.0 for s in timings)}/{len(timings)}; refused sockets closed by the server: {closed}/{count}"
    )
    return max(timings) < 1.0


def closed_by_server(sockets: list[socket.socket], wait: float) -> int:
    """How many of `sockets` the server has closed within `wait` seconds."""
    deadline = time.monotonic() + wait
    open_ = list(sockets)
    while open_ and time.monotonic() < deadline:
        still = []
        for sock in open_:
            sock.settimeout(0.001)
            try:
                if sock.recv(1) != b"":
                    still.append(sock)
            except TimeoutError:
                still.append(sock)
            except OSError:
                pass
        open_ = still
        time.sleep(0.5)
    return len(sockets) - len(open_)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-open", type=int, default=1100)
    parser.add_argument("--analyses", type=int, default=45)
    parser.add_argument("--body-mb", type=float, default=1.0)
    parser.add_argument("--gets", type=int, default=20)
    parser.add_argument("--refused", type=int, default=300)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.half_open + args.analyses + 256
    if soft < wanted:  # this client holds every connection too
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "abuse.db"
        make_store(db)
        port = free_port()
        server = start_server(str(db), port)
        sockets: list[socket.socket] = []
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=120)
            conn.request("POST", "/api/analyze", json.dumps({"text": "Warm up.\n\nLoads the pipeline."}), {})
            conn.getresponse().read()
            print(f"server memory after start: {rss_mb(server.pid):.0f} MB")
            started = time.monotonic()
            sockets = half_open(port, args.half_open)
            print(f"{len(sockets)} half-open connections in {time.monotonic() - started:.1f} s")
            sentence = "The minister said the army will attack. Officials claim the West trains fighters. "
            size = min(int(args.body_mb * 1_000_000), MAX_TEXT) - 10  # the API's limit on the text
            text = "Flood\n\n" + (sentence * (size // len(sentence) + 1))[:size]
            body = json.dumps({"text": text}).encode()
            replies: list[int] = []
            posts = [threading.Thread(target=post_and_leave, args=(port, body, replies)) for _ in range(args.analyses)]
            for thread in posts:
                thread.start()
            time.sleep(0.5)
            seconds = timed_gets(port, args.gets)
            for thread in posts:
                thread.join(timeout=30)
            refused = replies.count(503)
            left = replies.count(0)
            print(
                f"{args.analyses} analyses of {len(body) / 1e6:.2f} MB posted: {refused} refused with 503 at once, "
                f"{left} left after 1 s unanswered (queued or running), {len(replies) - refused - left} other"
            )
            median, slowest = statistics.median(seconds) * 1000, max(seconds) * 1000
            print(
                f"GET /api/articles during the abuse: {len(seconds)} requests, median {median:.0f} ms, "
                f"max {slowest:.0f} ms; within 1 s: {sum(s < 1.0 for s in seconds)}/{len(seconds)}"
            )
            print(f"server memory under abuse: {rss_mb(server.pid):.0f} MB")
            closed = closed_by_server(sockets, 15.0)
            print(f"half-open connections closed by the server within 15 s: {closed}/{len(sockets)}")
        finally:
            for sock in sockets:
                sock.close()
            server.terminate()
            try:
                server.wait(timeout=20)
            except Exception:
                server.kill()
        refused_ok = refused_phase(str(db), args.refused)
        ok = max(seconds) < 1.0 and closed == len(sockets) and refused_ok
        print("verdict:", "OK" if ok else "FAIL")
    sys.exit(0)


if __name__ == "__main__":
    main()
