"""What a fetched feed URL holds: the article links of an RSS 0.9x/2.0, Atom or RDF feed or an XML sitemap.

Feeds are parsed by `feedparser`, sitemaps by lxml with a parser that resolves no entities, reads no DTD and
fetches nothing. A document that is neither, or malformed XML, is a `FeedError`. At most `max_items` links are
taken per feed and round (the newest first where the feed gives dates); the rest wait for a later round
only if they are still in the feed then.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from narrascope.errors import NarrascopeError

MAX_ITEMS = 200  # new pages fetched per feed and round
MAX_LINKS = 50_000  # links read from one feed document
MAX_SITEMAPS = 20
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class FeedError(NarrascopeError):
    """A feed body that is not a feed, or not well-formed."""


@dataclass
class Item:
    """One article link of a feed, with what the feed says about it (the page's own metadata wins)."""

    url: str
    title: str | None = None
    published: str | None = None
    author: str | None = None


@dataclass
class Feed:
    kind: str  # "rss", "atom", "rdf", "sitemap" or "sitemapindex" (then `items` are sitemaps to read)
    title: str | None
    items: list[Item]
    total: int  # items in the document, before the cap


def looks_like_feed(body: bytes, content_type: str) -> bool:
    """Whether a fetched body is XML (a feed or sitemap) rather than an HTML page."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        return False
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return False
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<urlset" in head or "xml" in kind


def parse_feed(body: bytes, url: str, *, max_items: int = MAX_LINKS) -> Feed:
    """The article links of a feed or sitemap body fetched from `url` (relative links resolved against it)."""
    root_tag = _root_tag(body, url)
    if root_tag in ("urlset", "sitemapindex"):
        return _sitemap(body, url, root_tag, max_items)
    return _feed(body, url, max_items)


_PARSER_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(recover=False, remove_comments=True, **_PARSER_OPTIONS)


def _root_tag(body: bytes, url: str) -> str:
    try:
        for _, element in etree.iterparse(io.BytesIO(body), events=("start",), **_PARSER_OPTIONS):
            return str(etree.QName(element).localname)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: malformed XML ({exc.msg})") from None
    raise FeedError(f"{url}: empty document, not a feed")


def _sitemap(body: bytes, url: str, tag: str, max_items: int) -> Feed:
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: malformed XML ({exc.msg})") from None
    limit = MAX_SITEMAPS if tag == "sitemapindex" else max_items
    found: list[Item] = []
    total = 0
    for entry in root:
        if not isinstance(entry.tag, str) or etree.QName(entry).localname not in ("url", "sitemap"):
            continue
        total += 1
        loc = _child_text(entry, "loc")
        if loc:
            news_date = entry.findtext(".//{*}publication_date")
            title = entry.findtext(".//{*}title")
            found.append(Item(urljoin(url, loc), title, news_date or _child_text(entry, "lastmod")))
    found.sort(key=lambda item: item.published or "", reverse=True)  # newest first; undated last
    return Feed(tag, None, found[:limit], total)


def _child_text(entry: Any, name: str) -> str | None:
    for child in entry:
        if isinstance(child.tag, str) and etree.QName(child).localname == name and child.text:
            return str(child.text).strip()
    return None


def _feed(body: bytes, url: str, max_items: int) -> Feed:
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url}, sanitize_html=False)
    version = str(parsed.get("version") or "")
    reason = parsed.get("bozo_exception")
    if not version:
        raise FeedError(f"{url}: not an RSS, Atom or RDF feed{f' ({reason})' if reason else ''}")
    kind = "atom" if version.startswith("atom") else "rdf" if version in ("rss090", "rss10") else "rss"
    items: list[Item] = []
    for entry in parsed.entries:
        link = entry.get("link") or _first_alternate(entry)
        if not link:
            continue
        items.append(Item(urljoin(url, str(link)), entry.get("title"), _date(entry), entry.get("author")))
    if reason and not items:  # a broken feed with items still gives its items
        raise FeedError(f"{url}: not a well-formed feed ({reason})")
    dated = [i for i in items if i.published]
    if len(dated) == len(items):
        items.sort(key=lambda i: i.published or "", reverse=True)
    return Feed(kind, parsed.feed.get("title"), items[:max_items], len(parsed.entries))


def _first_alternate(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            year, month, day, hour, minute, second = value[:6]
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    return None
