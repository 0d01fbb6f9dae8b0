"""Load on the read endpoints: N concurrent clients against `narrascope serve` on 127.0.0.1, bounded in time.

    python benchmarks/load.py --db c.db --clients 50 --requests 2000 [--max-seconds 600]

Starts the server on a free loopback port (never another host), runs `--clients` threads that each send
`--requests` GET requests over keep-alive connections, cycling through article lists (with filters and
paging), single articles, narrative stats, entities and claim groups. Prints errors (any status other than
200, or a failed connection) and latency percentiles. Stops at `--max-seconds` whatever is left.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import quote

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def start_server(db: str, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "narrascope.cli.main", "serve", "--db", db, "--host", HOST, "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            if get(conn, "/api/articles?limit=1")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 60 s")


def paths(conn: http.client.HTTPConnection) -> list[str]:
    """A mix of read requests built from what the corpus holds."""
    articles = json.loads(get(conn, "/api/articles?limit=50")[1])["items"]
    stats = json.loads(get(conn, "/api/stats/narratives?by=source")[1])
    groups = json.loads(get(conn, "/api/claims?limit=20")[1])["items"]
    entities = json.loads(get(conn, "/api/entities?limit=20")[1])["items"]
    found = ["/api/articles?limit=20", "/api/articles?limit=20&offset=20", "/api/stats/narratives?by=month"]
    found += [
        "/api/stats/narratives?by=source",
        "/api/entities?limit=50",
        "/api/claims?limit=50",
        "/api/articles?q=war",
    ]
    found += [f"/api/articles/{quote(a['id'], safe='')}" for a in articles[:20]]
    found += [f"/api/articles?narrative={quote(t['narrative'])}" for t in stats["totals"][:5]]
    found += [f"/api/claims/{g['id']}" for g in groups[:10]]
    found += [f"/api/entities/{quote(e['entity'], safe='')}" for e in entities[:5]]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=2000, help="requests per client")
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.requests <= 100_000:
        raise SystemExit("--clients must be 1..500 and --requests 1..100000")
    port = free_port()
    server = start_server(args.db, port)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    try:
        mix = paths(http.client.HTTPConnection(HOST, port, timeout=30))
        deadline = time.monotonic() + args.max_seconds

        def client(number: int) -> None:
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine: list[float] = []
            for i in range(args.requests):
                if time.monotonic() > deadline:
                    break
                path = mix[(number * 7 + i) % len(mix)]
                start = time.perf_counter()
                try:
                    status, _ = get(conn, path)
                    problem = None if status == 200 else f"HTTP {status} {path}"
                except (OSError, http.client.HTTPException) as exc:
                    problem = f"{type(exc).__name__}"
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
                mine.append(time.perf_counter() - start)
                if problem:
                    with lock:
                        errors[problem] = errors.get(problem, 0) + 1
            with lock:
                latencies.extend(mine)

        began = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    ms = sorted(x * 1000 for x in latencies)
    cut = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    print(f"clients: {args.clients}   requests: {len(ms)} of {args.clients * args.requests}   "
          f"time: {elapsed:.1f} s   throughput: {len(ms) / elapsed:.0f} req/s")  # fmt: skip
    print(f"errors: {sum(errors.values())}" + "".join(f"\n  {n} x {what}" for what, n in sorted(errors.items())))
    print(f"latency ms: p50 {cut[49]:.1f}   p90 {cut[89]:.1f}   p99 {cut[98]:.1f}   max {ms[-1]:.1f}")


if __name__ == "__main__":
    main()
