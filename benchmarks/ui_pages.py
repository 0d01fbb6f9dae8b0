"""Load time of every web UI page in real headless Chromium, and the README's screenshots.

    python benchmarks/ui_pages.py --db STORE.db                       # a table of page load times
    python benchmarks/ui_pages.py --db STORE.db --screenshots docs/img  # also article.png and corpus.png

`narrascope serve` runs over the store (read-only when the file is), Debian's chromium is driven by Playwright
(`make browser` installs both). A page's time is from navigation until the page has rendered what the API gave it
(the UI marks `<body data-ready>`; for /docs, until Swagger UI lists the operations): the first, cold load, and the
median of `--runs` more with the browser's cache kept, as a user clicking through the UI has it.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ARTICLE = "000_71d45158054542f1.txt"  # the first seed article, in the stores the README's tour builds
PAGES = ("/", "/article?id={article}", "/entities", "/claims", "/stories", "/trends", "/alerts", "/analyze",
         "/review", "/docs")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    narrascope = Path(sys.executable).with_name("narrascope")
    server = subprocess.Popen([str(narrascope), "serve", "--db", db, "--port", str(port)], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/", timeout=2)
            return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"narrascope serve {db} did not answer in 60 s")


def _load(page: Any, url: str) -> float | None:
    """Seconds from navigation until the page has rendered what the API gave it (app.js sets data-ready); None
    when the server has no such page (an older version)."""
    start = time.perf_counter()
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        return None
    if "/docs" in url:  # Swagger UI: its operations listed
        page.wait_for_selector(".opblock", timeout=60_000)
    else:
        page.wait_for_selector("body[data-ready]", state="attached", timeout=60_000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="a narrascope store (served read-only when the file is)")
    parser.add_argument("--runs", type=int, default=5, help="warm loads per page (default 5)")
    parser.add_argument("--article", default=ARTICLE, help="the article id of the article page")
    parser.add_argument("--screenshots", type=Path, help="write article.png and corpus.png into this folder")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    server, url = _serve(args.db)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            print(f"{'page':<40} {'cold s':>7} {'warm s (median)':>16}")
            for path in PAGES:
                target = url + path.format(article=args.article)
                cold = _load(page, target)
                if cold is None:
                    print(f"{path.format(article=args.article):<40} {'no such page':>24}", flush=True)
                    continue
                warm = statistics.median(_load(page, target) or 0.0 for _ in range(args.runs))
                print(f"{path.format(article=args.article):<40} {cold:7.2f} {warm:16.2f}", flush=True)
            if args.screenshots:
                args.screenshots.mkdir(parents=True, exist_ok=True)
                for name, path in (("article", f"/article?id={args.article}"), ("corpus", "/")):
                    _load(page, url + path)
                    page.wait_for_timeout(800)  # charts finish their transition
                    page.screenshot(path=str(args.screenshots / f"{name}.png"))
                    print(f"wrote {args.screenshots / name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
