"""A fetched web page to an `Article` stored under its canonical URL, with outlet, title, author and date.

The canonical URL is the page's own `<link rel="canonical">` / `og:url` when it is http(s) and on the same
site as the URL the page was fetched from (a page must not be able to claim, and so replace, another site's
article); otherwise the fetched URL. Either way it is normalised (no fragment, no utm_* / fbclid tracking
parameters, lower-case host, no default port), so that a rerun or a second feed carrying the same article
lands on the same id.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import decode_text, detect_charset, meta_charset, text_codec
from narrascope.ingest.readers import html_article
from narrascope.sources.feeds import Item
from narrascope.sources.net import DEFAULT_PORTS

TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "yclid")


def normalise_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(TRACKING)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def site(url: str) -> str:
    """The outlet a URL belongs to when the page names none: its host without `www.`."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _same_site(a: str, b: str) -> bool:
    ha, hb = site(a), site(b)
    return ha == hb or ha.endswith(f".{hb}") or hb.endswith(f".{ha}")


def canonical_url(found: str | None, fetched: str) -> str:
    if found:
        try:
            parts = urlsplit(found.strip())
            if parts.scheme in DEFAULT_PORTS and parts.hostname and _same_site(found, fetched):
                return normalise_url(found)
        except ValueError:
            pass
    return normalise_url(fetched)


def decode_page(body: bytes, content_type: str, url: str, *, max_bytes: int) -> str:
    """The page's text, in the first charset found of: a byte-order mark, the server's `charset=` (when it names
    a text charset: `base64`, `rot13`, `undefined`... count as none), the page's own `<meta charset>`, UTF-8
    when the bytes are valid UTF-8, a guess from the bytes (`charset-normalizer`); else UTF-8, bad bytes replaced."""
    declared = None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            declared = text_codec(value)
            break
    if body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = None  # a byte-order mark wins (decode_text reads it)
    codec = declared or (None if body.startswith((b"\xff\xfe", b"\xfe\xff")) else meta_charset(body))
    if codec is None and not _valid_utf8(body):
        codec = detect_charset(body)
    if codec is not None and codec not in ("utf-8", "utf_8"):
        if len(body) > max_bytes:
            return decode_text(body, url, max_bytes=max_bytes).text  # the size error
        return body.decode(codec, errors="replace")
    return decode_text(body, url, max_bytes=max_bytes).text


def _valid_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def page_article(
    body: bytes, *, url: str, content_type: str, item: Item | None, feed: str | None, max_bytes: int
) -> Article:
    """The article of a fetched page (IngestError when it holds no article text)."""
    if content_type.split(";", 1)[0].strip().lower() not in ("", "text/html", "application/xhtml+xml"):
        raise IngestError(f"{url}: not an HTML page ({content_type.split(';', 1)[0]})")
    html = decode_page(body, content_type, url, max_bytes=max_bytes)
    meta: dict[str, str] = {"origin": url}
    if feed:
        meta["feed"] = feed
    article = html_article(html, url, id="", meta=meta, url=url)
    canonical = canonical_url(article.url, url)
    article.id = article.url = canonical
    article.source = (article.source or "").strip() or site(canonical)
    if item is not None:
        article.title = article.title or item.title
        article.published = article.published or item.published
        if item.author and "byline" not in article.meta:
            article.meta["byline"] = item.author
    return article
