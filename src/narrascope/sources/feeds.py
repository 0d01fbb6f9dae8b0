"""What a fetched feed URL holds: the article links of an RSS 0.9x/2.0, Atom or RDF feed or an XML sitemap.

Well-formed feeds and sitemaps are read by lxml with a parser that resolves no entities, reads no DTD and
fetches nothing (feedparser, pure Python, takes seconds over a 10,000-item feed, and holds the interpreter
while it does); a feed that is not well-formed goes to `feedparser`'s forgiving parser when it is at most
`TOLERANT_BYTES` long, and to lxml's recovering parser (C, linear) when longer: a malformed 8 MB feed costs
about a second, not minutes (the round also bounds each parse's seconds). A document that is neither a feed nor
a sitemap, or one that yields no links from malformed XML, is a `FeedError`. An item whose link or date is
broken (an invalid IPv6 host, a port out of range, a year past 9999) keeps its link as written and no date:
fetching it fails for that item alone. Links come newest first where the feed dates them all; the round takes
at most `--max-items` new ones per feed.
"""

from __future__ import annotations

import email.utils
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from narrascope.defaults import MAX_ITEMS as MAX_ITEMS  # re-exported: new pages fetched per feed and round
from narrascope.errors import NarrascopeError

MAX_LINKS = 50_000  # links read from one feed document
MAX_SITEMAPS = 20
TOLERANT_BYTES = 1_000_000  # malformed feeds up to this size go to feedparser (about 5 s a megabyte)
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
    if root_tag in ("rss", "RDF", "feed"):
        try:  # a well-formed feed: lxml (C, 10,000 items in well under a second)
            root = etree.fromstring(body, _parser())
        except etree.XMLSyntaxError:
            pass  # not well-formed: a forgiving parser below
        else:
            return _xml_feed(root, url, max_items)
    if len(body) > TOLERANT_BYTES:
        return _recovered(body, url, max_items)
    return _feed(body, url, max_items)


def _recovered(body: bytes, url: str, max_items: int) -> Feed:
    """A long malformed feed, read by lxml's recovering parser (what it can make of it)."""
    parser = etree.XMLParser(recover=True, remove_comments=True, **_PARSER_OPTIONS)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: malformed XML ({exc.msg})") from None
    if root is None or etree.QName(root).localname not in ("rss", "RDF", "feed"):
        raise FeedError(f"{url}: not a well-formed feed, and nothing could be recovered from it")
    feed = _xml_feed(root, url, max_items)
    if not feed.items:
        raise FeedError(f"{url}: not a well-formed feed (no item links could be recovered)")
    return feed


def join(base: str, link: str) -> str:
    """`link` resolved against `base`; as written when it cannot be (fetching it then fails, for it alone)."""
    link = link.strip()
    if link.startswith(("http://", "https://")):  # already absolute (urljoin would give it back): the common case
        return link
    try:
        return urljoin(base, link)
    except ValueError:
        return link.strip()


def _local(tag: Any) -> str | None:
    """An element's name without its namespace (None for comments and processing instructions)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c.tag) == name]


def _xml_feed(root: Any, url: str, max_items: int) -> Feed:
    tag = etree.QName(root).localname
    items: list[Item] = []
    if tag == "feed":
        entries = _children(root, "entry")
        for entry in entries[:max_items]:
            links = [k for k in _children(entry, "link") if k.get("rel", "alternate") == "alternate" and k.get("href")]
            author = next((_child_text(a, "name") for a in _children(entry, "author")), None)
            when = _child_text(entry, "published") or _child_text(entry, "updated")
            if links:
                items.append(Item(join(url, links[0].get("href")), _child_text(entry, "title"),
                                  _iso_date(when), author))  # fmt: skip
        title, total, kind = _child_text(root, "title"), len(entries), "atom"
    else:
        channel = next(iter(_children(root, "channel")), root)
        entries = _children(channel if tag == "rss" else root, "item")
        for entry in entries[:max_items]:
            link = _child_text(entry, "link")
            guid = next(iter(_children(entry, "guid")), None)
            if not link and guid is not None and guid.get("isPermaLink", "true") != "false" and guid.text:
                link = guid.text.strip()
            when = _child_text(entry, "pubDate") or _child_text(entry, "date")
            author = _child_text(entry, "author") or _child_text(entry, "creator")
            if link:
                items.append(Item(join(url, link), _child_text(entry, "title"), _rfc_date(when), author))
        title, total, kind = _child_text(channel, "title"), len(entries), "rss" if tag == "rss" else "rdf"
    if all(i.published for i in items):
        items.sort(key=lambda i: i.published or "", reverse=True)
    return Feed(kind, title, items, total)


def _rfc_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return _iso_date(text)  # dc:date is ISO 8601


def _iso_date(text: str | None) -> str | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    except (ValueError, OverflowError):  # not a date, or one that leaves the calendar once moved to UTC
        return None


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
            found.append(Item(join(url, loc), title, news_date or _child_text(entry, "lastmod")))
    found.sort(key=lambda item: item.published or "", reverse=True)  # newest first; undated last
    return Feed(tag, None, found[:limit], total)


def _child_text(entry: Any, name: str) -> str | None:
    for child in entry:
        if child.text and _local(child.tag) == name:
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
        items.append(Item(join(url, str(link)), entry.get("title"), _date(entry), entry.get("author")))
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
            try:
                year, month, day, hour, minute, second = value[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
            except (TypeError, ValueError, OverflowError):
                continue
    return None
