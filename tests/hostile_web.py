"""Hostile feeds and pages on 127.0.0.1, for the watcher's robustness tests and `benchmarks/hostile_sources.py`.

`serving_hostile()` starts two HTTP servers (two hosts: two ports of 127.0.0.1) and yields a `HostileWeb`:

- the main host serves good article pages (`/news/SLUG.html`, from tests/data/web/articles.json), a healthy
  feed (`/healthy.xml`; with `fresh=True` it lists new pages at every fetch), pages whose `Content-Type` names
  a non-text charset (`/charset/NAME.html`: base64, rot13, hex, idna, undefined), a Russian page in
  windows-1251 declared only by `<meta charset>` (`/cp1251.html`), gzip bombs in one and two layers
  (`/bomb1.html`, `/bomb2.html`: `bomb_mb` MB of zeros), an RSS feed of broken links (`/links.xml`: a bad IPv6
  host, a port out of range), an Atom feed whose date overflows (`/overflow.xml`), a malformed feed of
  `malformed_items` items (`/malformed.xml`), a robots.txt that disallows `/private/`, and `/hook`, a webhook
  receiver that records the POSTs;
- the slow host's robots.txt asks for `Crawl-delay: 60`; its feed (`/slow.xml`) lists three pages, and
  `/sleep.html` takes 4 s to answer.
"""

from __future__ import annotations

import gzip
import html
import json
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.watch_server import ARTICLES, page_html, rss

CHARSETS = ("base64", "rot13", "hex", "idna", "undefined")
RUSSIAN = (
    "Министр иностранных дел заявил в понедельник, что санкции Запада провалились. "
    "По его словам, экономика страны выросла, а Европа платит за газ втрое больше. "
    "Эксперты в Москве считают, что зима станет испытанием для европейских правительств."
)


def bomb(megabytes: int, layers: int) -> bytes:
    """`megabytes` MB of zeros, gzipped `layers` times (streamed: never the whole inflation in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * 1_048_576
    data = b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


def russian_page() -> bytes:
    paragraphs = "".join(f"<p>{html.escape(s)}</p>" for s in RUSSIAN.split(". "))
    page = (
        '<!doctype html><html><head><meta charset="windows-1251"><title>Санкции провалились</title>'
        '<meta property="og:site_name" content="Восточный вестник"></head>'
        f"<body><article><h1>Санкции провалились</h1>{paragraphs}</article></body></html>"
    )
    return page.encode("cp1251")


@dataclass
class HostileWeb:
    base: str
    slow: str
    bomb_mb: int = 1024
    malformed_items: int = 100_000
    fresh: bool = False
    hooks: list[Any] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _bombs: dict[int, bytes] = field(default_factory=dict)

    def healthy_items(self) -> list[tuple[str, str]]:
        with self.lock:
            self.fetches += 1
            round_ = self.fetches
        if not self.fresh:
            return [(a["title"], f"{self.base}/news/{a['slug']}.html") for a in ARTICLES[:4]]
        return [(f"Fresh {round_}.{n}", f"{self.base}/fresh/{round_}-{n}.html") for n in range(2)]

    def bomb(self, layers: int) -> bytes:
        with self.lock:
            if layers not in self._bombs:
                self._bombs[layers] = bomb(self.bomb_mb, layers)
            return self._bombs[layers]

    def routes(self, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
        base = self.slow if host == "slow" else self.base
        xml = {"Content-Type": "application/rss+xml"}
        if path == "/robots.txt":
            rules = "User-agent: *\nCrawl-delay: 60\n" if host == "slow" else "User-agent: *\nDisallow: /private/\n"
            return 200, {"Content-Type": "text/plain"}, rules.encode()
        if host == "slow":
            if path == "/sleep.html":  # a page that takes 4 s to answer
                time.sleep(4.0)
                return 200, {"Content-Type": "text/html; charset=utf-8"}, page_html(ARTICLES[5], base).encode()
            if path == "/slow.xml":
                items = [(f"Slow {n}", f"{base}/news/{ARTICLES[n]['slug']}.html") for n in range(3, 6)]
                return 200, xml, rss(base, items).encode()
            if path.startswith("/news/"):
                slug = path[6:-5]
                found = next((a for a in ARTICLES if a["slug"] == slug), None)
                if found is not None:
                    return 200, {"Content-Type": "text/html; charset=utf-8"}, page_html(found, base).encode()
            return 404, {"Content-Type": "text/plain"}, b"not found"
        if path == "/healthy.xml":
            return 200, xml, rss(base, self.healthy_items()).encode()
        if path.startswith("/news/") and path.endswith(".html"):
            found = next((a for a in ARTICLES if a["slug"] == path[6:-5]), None)
            if found is not None:
                return 200, {"Content-Type": "text/html; charset=utf-8"}, page_html(found, base).encode()
        if path.startswith("/fresh/"):
            article = dict(ARTICLES[0], slug=f"fresh-{path[7:-5]}", title=f"Fresh report {path[7:-5]}")
            article["text"] = f"{article['text']} This is report {path[7:-5]}."
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page_html(article, base).encode()
        if path.startswith("/charset/"):
            name = path[9:-5]
            article = dict(ARTICLES[1], slug=f"charset-{name}", title=f"{ARTICLES[1]['title']} ({name})")
            return 200, {"Content-Type": f"text/html; charset={name}"}, page_html(article, base).encode()
        if path == "/cp1251.html":
            return 200, {"Content-Type": "text/html"}, russian_page()
        if path in ("/bomb1.html", "/bomb2.html"):
            layers = 1 if path == "/bomb1.html" else 2
            coding = ", ".join(["gzip"] * layers)
            return 200, {"Content-Type": "text/html", "Content-Encoding": coding}, self.bomb(layers)
        if path == "/links.xml":
            items = [("Bad IPv6", "http://[::1/x.html"), ("Bad port", "http://127.0.0.1:99999/x.html"),
                     ("Good", f"{base}/news/{ARTICLES[0]['slug']}.html")]  # fmt: skip
            return 200, xml, rss(base, items).encode()
        if path == "/overflow.xml":
            entry = (
                f'<entry><title>Far future</title><link href="{base}/news/{ARTICLES[2]["slug"]}.html"/>'
                "<id>x</id><updated>9999-12-31T23:59:59-23:59</updated></entry>"
            )
            body = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>{entry}</feed>'
            return 200, {"Content-Type": "application/atom+xml"}, body.encode()
        if path == "/malformed.xml":
            items = "".join(
                f"<item><title>Item {n} &nbsp;</title><link>{base}/gen/{n}.html</link></item>"
                for n in range(self.malformed_items)
            )
            return 200, xml, f'<rss version="2.0"><channel><title>M &copy;</title>{items}</channel></rss>'.encode()
        return 404, {"Content-Type": "text/plain"}, b"not found"


def _handler(web: HostileWeb, host: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(min(length, 1_000_000))
            if self.path == "/hook":
                with web.lock:
                    web.hooks.append(json.loads(data))
            self.send_response(200 if self.path == "/hook" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            with web.lock:
                web.log.append(f"{host} {self.path}")
            status, headers, body = web.routes(self.path.split("?", 1)[0], host)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up (a refused bomb, a deferred page) are expected


@contextmanager
def serving_hostile(**options: Any) -> Iterator[HostileWeb]:
    """Serve the hostile web on two free ports of 127.0.0.1 (the main host and the slow host)."""
    holder: list[HostileWeb] = []

    class Lazy:
        def __getattr__(self, name: str) -> Any:
            return getattr(holder[0], name)

    main = _Server(("127.0.0.1", 0), _handler(Lazy(), "main"))  # type: ignore[arg-type]
    slow = _Server(("127.0.0.1", 0), _handler(Lazy(), "slow"))  # type: ignore[arg-type]
    web = HostileWeb(f"http://127.0.0.1:{main.server_address[1]}", f"http://127.0.0.1:{slow.server_address[1]}",
                     **options)  # fmt: skip
    holder.append(web)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (main, slow)]
    for thread in threads:
        thread.start()
    try:
        yield web
    finally:
        for server in (main, slow):
            server.shutdown()
            server.server_close()
