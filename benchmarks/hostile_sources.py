"""Hostile feeds, pages and clients against `narrascope ingest` / `watch` / `serve`, one line per threat, PASS or FAIL
with its figure (pages stored, seconds, peak memory). Real HTTP servers on 127.0.0.1 only (tests/hostile_web.py).

    python benchmarks/hostile_sources.py [--src PATH] [--only NAME,...] [--watch-rounds 3]

Every command runs as a subprocess with PYTHONPATH=--src (default: this checkout's src), so the same script
measures another version of narrascope, e.g. main's: `git worktree add --detach /tmp/main-wt main` and
`--src /tmp/main-wt/src`. Each check is bounded in time (a hung check is a FAIL with the seconds it was given).
The metadata check calls the address check in a subprocess (nothing is connected to but 127.0.0.1).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_web import CHARSETS, HostileWeb, serving_hostile  # noqa: E402

from benchmarks.server_abuse import drip_refused, start_guarded  # noqa: E402

FAST = "cleaning,language"
FETCH = ["--allow-private", "--per-host-delay", "0", "--timeout", "20"]


class Bench:
    def __init__(self, src: str, folder: Path, web: HostileWeb) -> None:
        self.src, self.folder, self.web = src, folder, web
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, str(ROOT)])}
        self.results: list[bool] = []

    def cli(self, args: list[str], limit: float) -> tuple[int | None, str, float, float]:
        """Exit code (None: killed at `limit` seconds), output, seconds and the child's peak RSS in MB."""
        command = [sys.executable, "-m", "narrascope.cli.main", *args]
        output = self.folder / "cli.out"
        started = time.monotonic()
        with open(output, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=out, env=self.env, stdin=subprocess.DEVNULL)
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    code: int | None = os.waitstatus_to_exitcode(status)
                    break
                if time.monotonic() - started > limit:
                    process.kill()
                    _, status, usage = os.wait4(process.pid, 0)
                    code = None
                    break
                time.sleep(0.1)
        process.returncode = -1  # reaped here
        return code, output.read_text("utf-8", "replace"), time.monotonic() - started, usage.ru_maxrss / 1024

    def line(self, ok: bool, name: str, figure: str) -> None:
        self.results.append(ok)
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}", flush=True)

    def db(self, name: str) -> str:
        path = self.folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return str(path)


def _count(db: str, where: str = "1") -> int:
    try:
        conn = sqlite3.connect(db)
        found = conn.execute(f"SELECT count(*) FROM articles WHERE {where}").fetchone()[0]
        conn.close()
        return int(found)
    except sqlite3.Error:
        return 0


def charset(b: Bench) -> None:
    pages = [f"{b.web.base}/charset/{n}.html" for n in CHARSETS]
    good = [f"{b.web.base}/news/{s}.html" for s in ("sanctions-backfire", "svr-militants", "climate-hoax")]
    db = b.db("charset")
    code, out, seconds, _ = b.cli(["ingest", *pages, *good, "--db", db, *FETCH, "--components", FAST], 120)
    stored = _count(db)
    ok = stored == len(pages) + len(good) and "unexpected" not in out and code == 0
    b.line(ok, "one page sinks a round (charset=base64, rot13, hex, idna, undefined + 3 good pages)",
           f"{stored}/{len(pages) + len(good)} pages stored, exit {code}, {seconds:.1f} s"
           + (f"; {_first_error(out)}" if not ok else ""))  # fmt: skip


def links(b: Bench) -> None:
    sources = b.folder / "links.txt"
    sources.write_text("".join(f"{b.web.base}/{p}\n" for p in ("links.xml", "overflow.xml", "healthy.xml")))
    db = b.db("links")
    code, out, seconds, _ = b.cli(["watch", "--once", "--feeds", str(sources), "--db", db, *FETCH,
                                   "--components", "cleaning"], 120)  # fmt: skip
    healthy = _count(db, "id LIKE '%/news/%'")
    ok = healthy >= 4 and "Event loop is closed" not in out and "Traceback" not in out
    b.line(ok, "one link sinks every feed (bad IPv6 link, port 99999, Atom date past 9999)",
           f"{healthy} good pages stored (healthy feed: 4), exit {code}, {seconds:.1f} s"
           + (f"; {_first_error(out)}" if not ok else ""))  # fmt: skip


def bombs(b: Bench) -> None:
    b.web.bomb(2)
    db = b.db("bomb")
    code, out, seconds, rss = b.cli(["ingest", f"{b.web.base}/bomb2.html", "--db", db, *FETCH,
                                     "--components", "cleaning"], 180)  # fmt: skip
    ok = rss < 600 and code is not None
    size = len(b.web.bomb(2))
    b.line(ok, f"gzip, gzip bomb ({size:,} bytes -> {b.web.bomb_mb} MB), one page",
           f"peak RSS {rss:.0f} MB, {seconds:.1f} s, exit {code}; {_first_error(out)}")  # fmt: skip
    urls = [f"{b.web.base}/bomb2.html?n={n}" for n in range(3)]
    code, out, seconds, rss = b.cli(["ingest", *urls, "--db", db, *FETCH, "--per-host-concurrency", "3",
                                     "--components", "cleaning"], 180)  # fmt: skip
    b.line(rss < 600 and code is not None, "gzip, gzip bomb, three at once", f"peak RSS {rss:.0f} MB, {seconds:.1f} s")


def slow_feed(b: Bench) -> None:
    db = b.db("malformed")
    args = ["ingest", f"{b.web.base}/malformed.xml", "--db", db, *FETCH, "--max-items", "1", "--components", "cleaning"]
    code, _out, seconds, _ = b.cli(args, 200)
    ok = code is not None and seconds < 40
    b.line(ok, f"malformed feed of {b.web.malformed_items:,} items ({_size(b, '/malformed.xml')})",
           f"{seconds:.1f} s" + (" (killed)" if code is None else f", exit {code}"))  # fmt: skip


def crawl_delay(b: Bench) -> None:
    sources = b.folder / "slow.txt"
    sources.write_text(f"{b.web.slow}/slow.xml\n{b.web.base}/healthy.xml\n")
    db = b.db("crawl")
    extra = ["--round-budget", "30s"] if _supports(b, "watch", "--round-budget") else []
    started = time.monotonic()
    healthy_at: list[float] = []

    def poll() -> None:
        while time.monotonic() - started < 150 and not healthy_at:
            if _count(db, "id LIKE '%/news/%' AND url LIKE '" + b.web.base + "%'") >= 4:
                healthy_at.append(time.monotonic() - started)
            time.sleep(0.2)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    code, _out, seconds, _ = b.cli(["watch", "--once", "--feeds", str(sources), "--db", db, *FETCH, *extra,
                                   "--components", "cleaning"], 150)  # fmt: skip
    watcher.join(timeout=1)
    ok = code is not None and seconds < 40 and bool(healthy_at)
    stored = f"healthy pages stored after {healthy_at[0]:.1f} s" if healthy_at else "healthy pages not all stored"
    b.line(ok, "a host with Crawl-delay: 60 (3 items) beside a healthy feed",
           f"round {'killed after' if code is None else 'ended after'} {seconds:.1f} s; {stored}")  # fmt: skip


def page_charset(b: Bench) -> None:
    db = b.db("cp1251")
    _code, _out, _seconds, _ = b.cli(["ingest", f"{b.web.base}/cp1251.html", "--db", db, *FETCH, "--components", FAST],
                                  120)  # fmt: skip
    try:
        conn = sqlite3.connect(db)
        text, language = conn.execute("SELECT raw_text, language FROM articles").fetchone()
        conn.close()
    except (sqlite3.Error, TypeError):
        text, language = "", None
    bad = text.count("\ufffd")
    ok = bool(text) and bad == 0 and language == "ru"
    b.line(ok, "<meta charset=windows-1251>, no HTTP charset", f"{bad} U+FFFD, language {language}: {text[:28]!r}")


METADATA = ["http://[fd00:ec2::254]/latest/meta-data/", "http://100.100.100.200/latest/meta-data/",
            "http://192.0.0.192/opc/v1/instance/", "http://169.254.170.2/v2/credentials", "http://[fd20:ce::254]/",
            "http://[64:ff9b::a9fe:a9fe]/", "http://metadata.google.internal/computeMetadata/v1/"]  # fmt: skip


def metadata(b: Bench) -> None:
    script = (
        "import json, sys\nfrom narrascope.sources.net import pin\nout = {}\n"
        "for url in json.loads(sys.argv[1]):\n    try:\n        pin(url, allow_private=True)\n"
        "        out[url] = 'allowed'\n    except Exception as exc:\n"
        "        out[url] = 'refused' if 'refused' in str(exc) else type(exc).__name__\nprint(json.dumps(out))"
    )  # the address check only: nothing is connected to
    found = subprocess.run([sys.executable, "-c", script, json.dumps(METADATA)], capture_output=True, text=True,
                           env={**b.env, "NARRASCOPE_NO_NETWORK": "1"}, timeout=60)  # fmt: skip
    verdicts = json.loads(found.stdout or "{}")
    refused = [u for u, v in verdicts.items() if v == "refused"]
    allowed = [u.split("/")[2] for u, v in verdicts.items() if v != "refused"]
    b.line(
        len(refused) == len(METADATA),
        "cloud metadata addresses with --allow-private",
        f"{len(refused)}/{len(METADATA)} refused" + (f"; not refused: {', '.join(allowed)}" if allowed else ""),
    )


def serve(b: Bench, token: str = "s3cret") -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    db = b.db("served")
    sqlite3.connect(db).close()
    return start_guarded(db, port, token, log=b.folder / "serve.log", env=b.env), port


def _get(port: int, path: str, token: str = "s3cret", timeout: float = 5.0) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def server_checks(b: Bench) -> None:
    server, port = serve(b)
    try:
        timings, closed = drip_refused(port, 300, 8.0)
        slowest = max(timings)
        b.line(slowest < 1.0, "300 refused clients dripping their bodies (server at 256 file descriptors)",
               f"authorised GET: slowest {slowest:.2f} s of {len(timings)}; refused sockets closed by the server: "
               f"{closed}/300")  # fmt: skip
        statuses = {}
        for value in ("2024-02-30", "0000-01-01", "%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94-01-01", "0001-01-01"):
            statuses[value[:10]] = _get(port, f"/api/trends?until={value}&period=week")[0]
    finally:
        server.terminate()
        server.wait(timeout=20)
    tracebacks = (b.folder / "serve.log").read_text("utf-8", "replace").count("Traceback")
    ok = all(400 <= s < 500 for s in statuses.values()) and tracebacks == 0
    b.line(ok, "/api/trends?until= 2024-02-30, 0000-01-01, full-width digits, 0001-01-01",
           f"statuses {list(statuses.values())}, {tracebacks} traceback(s) logged")  # fmt: skip


def alerts(b: Bench) -> None:
    script = (
        "import sys, os\nfrom narrascope.sources.alerting import AlertSink\n"
        "sink = AlertSink(sys.argv[1], sys.argv[2], allow_private=True, backoff=0.01)\n"
        "try:\n    sink.emit([{'key': sys.argv[3], 'rule': 'r', 'message': 'm'}])\n"
        "except OSError as exc:\n    print('emit raised', type(exc).__name__)\nsink.close(wait=10)"
    )
    hook = f"{b.web.base}/hook"
    before = len(b.web.hooks)
    run = subprocess.run([sys.executable, "-c", script, "/dev/full", hook, "full"], capture_output=True, text=True,
                         env=b.env, timeout=60)  # fmt: skip
    posted = [h for h in b.web.hooks[before:] if h.get("key") == "full"]
    b.line(bool(posted) and "raised" not in run.stdout, "--alerts-log /dev/full",
           f"webhook POSTs: {len(posted)}; {run.stdout.strip() or 'no error raised'}")  # fmt: skip
    target = b.folder / "target.txt"
    target.write_text("kept\n")
    link = b.folder / "alerts-link.jsonl"
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    subprocess.run([sys.executable, "-c", script, str(link), hook, "link"], capture_output=True, env=b.env, timeout=60)
    unchanged = target.read_text() == "kept\n"
    b.line(unchanged, "an alerts log that is a symlink", "target unchanged" if unchanged else "appended to its target")


def robots(b: Bench) -> None:
    db = b.db("robots")
    code, out, _seconds, _ = b.cli(["ingest", f"{b.web.base}/private/page.html", "--db", db, *FETCH,
                                   "--components", "cleaning"], 60)  # fmt: skip
    b.line(code == 0, "a page robots.txt disallows", f"exit {code}: {out.strip().splitlines()[-1][:100]}")


def watch_rounds(b: Bench, rounds: int) -> None:
    """`watch --every 5s` over one hostile feed set and one healthy feed that lists new pages at every fetch."""
    b.web.fresh = True
    sources = b.folder / "watch.txt"
    hostile = ["links.xml", "overflow.xml"] + [f"charset/{n}.html" for n in CHARSETS] + ["cp1251.html", "bomb2.html"]
    sources.write_text("".join(f"{b.web.base}/{p}\n" for p in [*hostile, "healthy.xml"]) + f"{b.web.slow}/slow.xml\n")
    db = b.db("watch")
    command = [sys.executable, "-m", "narrascope.cli.main", "watch", "--feeds", str(sources), "--db", db, *FETCH,
               "--every", "5s", "--components", "cleaning"]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=b.env)
    lines: list[str] = []
    deadline = time.monotonic() + 60 + 20 * rounds
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if sum(x.startswith("round ") for x in lines) >= rounds:
            break
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    b.web.fresh = False
    done = [x for x in lines if x.startswith("round ")]
    first = next((i for i, x in enumerate(lines) if x.startswith("round ")), len(lines))
    for x in [*lines[:first], *done]:  # round 1's error lines, then every round's line
        print(f"      {x}")
    fresh = _count(db, "id LIKE '%/news/fresh-%'")
    b.line(len(done) >= rounds and fresh >= 2 * rounds, "watch --every 5s, hostile sources + a healthy feed",
           f"{len(done)} round(s) run, {fresh} healthy page(s) stored (2 new each round)")  # fmt: skip


def _supports(b: Bench, command: str, option: str) -> bool:
    found = subprocess.run([sys.executable, "-m", "narrascope.cli.main", command, "--help"], capture_output=True,
                           text=True, env=b.env, timeout=60)  # fmt: skip
    return option in found.stdout


def _size(b: Bench, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{b.web.base}{path}", timeout=60) as response:
        return f"{len(response.read()) / 1e6:.1f} MB"


def _first_error(out: str) -> str:
    errors = [x for x in out.splitlines() if "error" in x.lower() or "Error" in x]
    return (errors[0] if errors else out.strip().splitlines()[-1] if out.strip() else "")[:140]


CHECKS = {"charset": charset, "links": links, "bombs": bombs, "slow_feed": slow_feed, "crawl_delay": crawl_delay,
          "page_charset": page_charset, "metadata": metadata, "server": server_checks, "alerts": alerts,
          "robots": robots}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", default=str(ROOT / "src"), help="the narrascope source folder to measure")
    parser.add_argument("--only", default="", help=f"comma-separated checks of {', '.join(CHECKS)}, watch")
    parser.add_argument("--watch-rounds", type=int, default=3)
    parser.add_argument("--bomb-mb", type=int, default=1024)
    args = parser.parse_args()
    chosen = [c for c in args.only.split(",") if c] or [*CHECKS, "watch"]
    print(f"narrascope from {args.src}; load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as folder, serving_hostile(bomb_mb=args.bomb_mb) as web:
        bench = Bench(args.src, Path(folder), web)
        for name in chosen:
            if name == "watch":
                watch_rounds(bench, args.watch_rounds)
            else:
                CHECKS[name](bench)
    print(f"{sum(bench.results)}/{len(bench.results)} PASS; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
