"""Abuse of `narrascope serve` on 127.0.0.1: slowloris connections and a flood of analyses, while a reader reads.

    python benchmarks/server_abuse.py [--half-open 1100] [--analyses 45] [--body-mb 1] [--gets 20]

Starts the server on a free loopback port over a small temporary store, loads its pipeline with one analysis,
then opens `--half-open` connections that send half a request and stall, and posts `--analyses` analyses of
`--body-mb` MB each whose clients give up after 1 s. While all of that is held, it times `--gets` reads of
`GET /api/articles` (the acceptance: every one within 1 s), counts the analyses refused with 503, checks that
the server closes the stalled connections at its header deadline (10 s), and prints the server's memory.
Every loop is bounded; the server and every socket are closed at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import resource
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

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
            print("verdict:", "OK" if max(seconds) < 1.0 and closed == len(sockets) else "FAIL")
        finally:
            for sock in sockets:
                sock.close()
            server.terminate()
            try:
                server.wait(timeout=20)
            except Exception:
                server.kill()
    sys.exit(0)


if __name__ == "__main__":
    main()
