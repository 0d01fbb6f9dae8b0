"""A hostile little web on 127.0.0.1 for the `ingest URL` / `watch` tests, the acceptance run and the benchmark.

One threaded HTTP server serves: an RSS 2.0 feed, an Atom feed and a sitemap whose items are article pages
built from tests/data/web/articles.json; a robots.txt that disallows /private/; a page that answers 500 then
200; a page that sleeps past the timeout; a 50 MB body (streamed); a redirect loop; a feed of 10,000 items;
malformed XML; a feed item pointing at 169.254.169.254; and /hook, a webhook receiver that records POSTs.
Feeds answer conditional requests (ETag, Last-Modified -> 304). Every request is logged (`server.log`).

As a script: `python tests/watch_server.py [--port N] [--log FILE]` serves until Ctrl-C and writes
feeds.txt (the sources, one a line) beside the log, for the acceptance commands in README.
"""

from __future__ import annotations

import argparse
import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ARTICLES = json.loads((Path(__file__).parent / "data" / "web" / "articles.json").read_text("utf-8"))
LAST_MODIFIED = "Thu, 03 Dec 2026 08:00:00 GMT"
SLEEP = 6.0
BIG = 50 * 1024 * 1024
HUGE_FEED_ITEMS = 10_000


def page_html(article: dict[str, Any], base: str) -> str:
    e = html.escape
    paragraphs = "".join(f"<p>{e(s.strip())}.</p>" for s in article["text"].split(". ") if s.strip())
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{e(article["title"])} | {e(article["outlet"])}</title>
<meta property="og:site_name" content="{e(article["outlet"])}">
<meta property="og:title" content="{e(article["title"])}">
<meta name="author" content="{e(article["author"])}">
<meta property="article:published_time" content="{e(article["published"])}T09:00:00Z">
<link rel="canonical" href="{e(base)}/news/{e(article["slug"])}.html">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{e(article["title"])}</h1><p class="byline">By {e(article["author"])}</p>{paragraphs}</article>
<footer>Subscribe to our newsletter. All rights reserved.</footer></body></html>"""


def rss(base: str, items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(u)}</link>"
        f"<pubDate>Thu, 03 Dec 2026 08:00:00 GMT</pubDate></item>"
        for t, u in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    head += f"<channel><title>Test RSS</title><link>{base}/</link>"
    return f"{head}{body}</channel></rss>"


class Web:
    """The routes and the request log of one server (`base` is its URL)."""

    def __init__(self, base: str, *, articles: list[dict[str, Any]] | None = None) -> None:
        self.base = base
        self.articles = {a["slug"]: a for a in (articles or ARTICLES)}
        self.log: list[dict[str, Any]] = []
        self.hooks: list[Any] = []
        self.flaky_calls = 0
        self.lock = threading.Lock()

    def feed_items(self) -> dict[str, list[tuple[str, str]]]:
        slugs = list(self.articles)
        news = [(self.articles[s]["title"], f"{self.base}/news/{s}.html") for s in slugs]
        return {
            "/rss.xml": [
                *news[:2], ("Secret", f"{self.base}/private/secret.html"), ("Flaky", f"{self.base}/flaky.html"),
                ("Slow", f"{self.base}/slow.html"), ("Big", f"{self.base}/big.html"), ("Loop", f"{self.base}/loop/a"),
                ("Metadata", "http://169.254.169.254/latest/meta-data/"),
            ],
            "/atom.xml": [*news[2:4], (news[0][0], f"{news[0][1]}?utm_source=atom")],
            "/all.xml": news,
        }  # fmt: skip

    def sources(self) -> list[str]:
        return [f"{self.base}/{p}" for p in ("rss.xml", "atom.xml", "sitemap.xml", "malformed.xml", "huge.xml")]

    def routes(self, path: str) -> tuple[int, str, bytes]:
        base = self.base
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path == "/rss.xml":
            return 200, "application/rss+xml", rss(base, self.feed_items()["/rss.xml"]).encode()
        if path == "/atom.xml":
            entries = "".join(
                f'<entry><title>{html.escape(t)}</title><link href="{html.escape(u)}"/><id>{html.escape(u)}</id>'
                "<updated>2026-12-03T08:00:00Z</updated><author><name>Desk</name></author></entry>"
                for t, u in self.feed_items()["/atom.xml"]
            )
            return 200, "application/atom+xml", (
                '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Test Atom</title><id>{base}/atom.xml</id>"
                f"<updated>2026-12-03T08:00:00Z</updated>{entries}</feed>"
            ).encode()  # fmt: skip
        if path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>{base}/news/{s}.html</loc><lastmod>{self.articles[s]['published']}</lastmod></url>"
                for s in list(self.articles)[4:]
            )
            return 200, "application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>"
            ).encode()  # fmt: skip
        if path == "/sitemap-index.xml":
            return 200, "application/xml", (
                '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/sitemap.xml</loc></sitemap><sitemap><loc>{base}/gone.xml</loc></sitemap>"
                "</sitemapindex>"
            ).encode()  # fmt: skip
        if path == "/malformed.xml":
            return 200, "application/rss+xml", b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>a</ti'
        if path == "/all.xml":  # every article, for the benchmark
            return 200, "application/rss+xml", rss(base, self.feed_items()["/all.xml"]).encode()
        if path == "/huge.xml":
            items = [(f"Item {n}", f"{base}/gen/{n}.html") for n in range(HUGE_FEED_ITEMS)]
            return 200, "application/rss+xml", rss(base, items).encode()
        if path.startswith("/news/") and path.endswith(".html") and path[6:-5] in self.articles:
            return 200, "text/html; charset=utf-8", page_html(self.articles[path[6:-5]], base).encode()
        if path.startswith("/gen/"):  # the huge feed's pages all declare one canonical article
            return 200, "text/html; charset=utf-8", page_html(next(iter(self.articles.values())), base).encode()
        if path == "/private/secret.html":
            return 200, "text/html", page_html(next(iter(self.articles.values())), base).encode()
        return 404, "text/plain", b"not found"

    def record(self, handler: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.log.append(
                {
                    "method": handler.command, "path": handler.path, "user_agent": handler.headers.get("User-Agent"),
                    "if_none_match": handler.headers.get("If-None-Match"),
                    "if_modified_since": handler.headers.get("If-Modified-Since"), "time": time.time(),
                }
            )  # fmt: skip

    def requested(self, prefix: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.log if r["path"].startswith(prefix)]


def _handler(web: Web) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, kind: str, body: bytes, extra: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            web.record(self)
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(min(length, 1_000_000))
            if self.path == "/hook":
                with web.lock:
                    web.hooks.append(json.loads(data))
                self._send(200, "application/json", b"{}")
            else:
                self._send(404, "text/plain", b"no")

        def do_GET(self) -> None:
            web.record(self)
            path = self.path.split("?", 1)[0]
            if path == "/flaky.html":
                with web.lock:
                    web.flaky_calls += 1
                    first = web.flaky_calls == 1
                if first:
                    self._send(500, "text/plain", b"try again", {"Retry-After": "0"})
                else:
                    article = dict(
                        next(iter(web.articles.values())), slug="flaky-recovered", title="Flaky page came back"
                    )
                    self._send(200, "text/html", page_html(article, web.base).encode())
                return
            if path == "/slow.html":
                time.sleep(SLEEP)
                self._send(200, "text/html", b"<html><body><p>late</p></body></html>")
                return
            if path == "/big.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<p>" + b"x" * 65_530 + b"</p>"
                try:
                    for _ in range(BIG // len(chunk) + 1):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True
                return
            if path.startswith("/loop/"):
                target = "/loop/b" if path == "/loop/a" else "/loop/a"
                self._send(302, "text/plain", b"", {"Location": target})
                return
            status, kind, body = web.routes(path)
            if path.endswith(".xml") and status == 200:
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                given = self.headers.get("If-None-Match")  # it takes precedence over If-Modified-Since
                if given == etag or (given is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                    self._send(304, kind, b"", {"ETag": etag})
                    return
                self._send(status, kind, body, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
                return
            self._send(status, kind, body)

    return Handler


@contextmanager
def serving(host: str = "127.0.0.1", port: int = 0, **options: Any) -> Iterator[Web]:
    """Serve the test web on a free port of `host`; yields the `Web` (its `base`, `log`, `hooks`)."""
    holder: dict[str, Web] = {}

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # clients that hang up on the slow and the big page are expected

    server = Server((host, port), _handler(_Lazy(holder)))  # type: ignore[arg-type]
    web = holder["web"] = Web(f"http://{host}:{server.server_address[1]}", **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        server.shutdown()
        server.server_close()


class _Lazy:
    """Lets the handler class be built before the Web exists (its base URL needs the bound port)."""

    def __init__(self, holder: dict[str, Web]) -> None:
        self.holder = holder

    def __getattr__(self, name: str) -> Any:
        return getattr(self.holder["web"], name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", default=".", help="where to write feeds.txt and server.log")
    args = parser.parse_args()
    out = Path(args.dir)
    with serving(port=args.port) as web:
        (out / "feeds.txt").write_text("\n".join(web.sources()) + "\n", "utf-8")
        print(f"serving {web.base}; sources in {out / 'feeds.txt'}; webhook {web.base}/hook", flush=True)
        written = 0
        try:
            while True:
                time.sleep(0.5)
                with web.lock:
                    new, hooks = web.log[written:], list(web.hooks)
                written += len(new)
                with open(out / "server.log", "a", encoding="utf-8") as log:
                    log.writelines(json.dumps(r) + "\n" for r in new)
                (out / "hooks.json").write_text(json.dumps(hooks, indent=1), "utf-8")
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
