"""A polite, safe HTTP fetcher: robots.txt, per-host pacing, conditional GETs, hard limits on time and size.

Per request: only http(s), every hop's address checked (`net.pin`) and connected to directly, at most
`max_redirects` redirects (each hop checked again, robots.txt included), one total deadline (connect, headers
and the whole body together, not per read), a body cap (the body is streamed and the request abandoned at the
cap), and retries with exponential backoff on 429/5xx and connection errors (Retry-After honoured, bounded).
Per host (scheme, name, port): one robots.txt (RFC 9309: 4xx means no rules, 5xx or unreachable means keep
out), at most `per_host` requests at once, and at least `delay` seconds between the starts of two requests
(or the robots.txt Crawl-delay, when longer, up to 60 s). A host's pacing never holds another host: a request
that could start only after the fetcher's `deadline` is not made but `Deferred` (the round leaves it for the
next one), and a `Politeness` kept across rounds remembers each host's next allowed start and robots.txt.

The body is read raw and its content codings (gzip, deflate; one or several layers) are undone here, each
layer bounded: the decoded bytes of all layers together may not pass twice the body cap, so a few kilobytes
that inflate to a gibibyte (a bomb in one layer or nested in two) cost at most that, never the whole inflation.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from protego import Protego

from narrascope.defaults import FETCH_DELAY, FETCH_PER_HOST, FETCH_RETRIES, FETCH_TIMEOUT
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.sources.net import FetchError, RefusedError, SkippedError, host_key, pin, split_checked
from narrascope.version import __version__

USER_AGENT = f"narrascope/{__version__} (feed reader; +https://pypi.org/project/narrascope/)"
ROBOTS_AGENT = "narrascope"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_ROBOTS_BYTES = 500_000
MAX_CRAWL_DELAY = 60.0
ROBOTS_TTL = 3600.0  # seconds a host's robots.txt is kept by a `Politeness` (across rounds)
CODINGS = frozenset({"gzip", "x-gzip", "deflate", "identity"})
MAX_CODINGS = 3  # content-coding layers undone at most


class Deferred(SkippedError):
    """A request not made because its host's pacing would start it after the round's deadline."""


@dataclass
class Politeness:
    """What a watch remembers of each host across rounds: when it may be asked next, and its robots.txt."""

    next_start: dict[str, float] = field(default_factory=dict)  # host key -> time.monotonic() of the next start
    robots: dict[str, tuple[float, Protego | None, float]] = field(default_factory=dict)  # -> (read at, rules, delay)


@dataclass(frozen=True)
class FetchOptions:
    """Limits and politeness of the fetcher (the CLI's --timeout, --per-host-delay, ... set them)."""

    timeout: float = FETCH_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    retries: int = FETCH_RETRIES
    backoff: float = 1.0
    max_retry_after: float = 60.0
    per_host: int = FETCH_PER_HOST
    delay: float = FETCH_DELAY
    allow_private: bool = False
    user_agent: str = USER_AGENT


@dataclass
class Fetched:
    """A response: the URL after redirects, its status (200 or 304), headers and body (capped)."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes = b""
    requests: int = 1


@dataclass
class _Host:
    gate: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0
    robots: Protego | None = None
    delay: float = 0.0
    robots_checked: bool = False
    robots_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    client: httpx.AsyncClient | None = None


class Fetcher:
    """Fetch URLs politely within one asyncio loop; close with `aclose()`."""

    def __init__(
        self, options: FetchOptions | None = None, *, politeness: Politeness | None = None,
        deadline: float | None = None,
    ) -> None:  # fmt: skip
        self.options = options or FetchOptions()
        self.politeness = politeness or Politeness()
        self.deadline = deadline  # time.monotonic() after which no request starts (it is `Deferred`)
        self._hosts: dict[str, _Host] = {}
        self.requests = 0

    async def aclose(self) -> None:
        for host in self._hosts.values():
            if host.client is not None:
                await host.client.aclose()

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(asyncio.Semaphore(self.options.per_host), delay=self.options.delay)
            host.next_start = self.politeness.next_start.get(key, 0.0)
            known = self.politeness.robots.get(key)
            if known is not None and time.monotonic() - known[0] < ROBOTS_TTL:
                host.robots, host.delay, host.robots_checked = known[1], known[2], True
            # One client (and connection pool) per host: a pooled TLS connection never serves another name.
            host.client = httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=self.options.timeout)
        return host

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, max_bytes: int | None = None
    ) -> Fetched:
        """GET `url` (FetchError with a one-line reason otherwise); a 304 comes back as status 304, empty body."""
        cap = max_bytes or self.options.max_bytes
        current = url
        requests = 0
        for _ in range(self.options.max_redirects + 1):
            split_checked(current)
            try:
                allowed = await self.allowed(current)
            except RefusedError as exc:  # raised for the host's robots.txt: name the URL asked for
                raise RefusedError(f"{current}: {str(exc).split(': ', 1)[1]}") from None
            if not allowed:
                raise SkippedError(f"{current}: disallowed by robots.txt")
            headers = {"User-Agent": self.options.user_agent, "Accept-Encoding": "gzip, deflate"}
            if etag and current == url:
                headers["If-None-Match"] = etag
            if last_modified and current == url:
                headers["If-Modified-Since"] = last_modified
            response = await self._with_retries(current, headers, cap)
            requests += response.requests
            if response.status in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"{current}: redirect ({response.status}) without a Location")
                current = urljoin(current, location.strip())
                continue
            response.requests = requests
            if response.status in (200, 304):
                return response
            raise FetchError(f"{current}: HTTP {response.status}")
        raise FetchError(f"{url}: more than {self.options.max_redirects} redirects")

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets narrascope fetch it (fetched once per host)."""
        key = host_key(url)
        host = self._host(key)
        async with host.robots_lock:
            if not host.robots_checked:
                host.robots = await self._robots(url)
                host.robots_checked = True
                wanted = host.robots.crawl_delay(ROBOTS_AGENT) if host.robots is not None else None
                if wanted:  # the site's Crawl-delay, when longer than ours (bounded)
                    host.delay = min(max(host.delay, float(wanted)), MAX_CRAWL_DELAY)
                self.politeness.robots[key] = (time.monotonic(), host.robots, host.delay)
        if host.robots is None:
            return True
        return bool(host.robots.can_fetch(url, ROBOTS_AGENT))

    async def _robots(self, url: str) -> Protego | None:
        robots_url = urljoin(url, "/robots.txt")
        headers = {"User-Agent": self.options.user_agent}
        try:
            response = await self._with_retries(robots_url, headers, MAX_ROBOTS_BYTES, cap_is_error=False)
        except (RefusedError, Deferred):
            raise
        except FetchError:
            return Protego.parse("User-agent: *\nDisallow: /\n")  # unreachable: keep out (RFC 9309 2.3.1.4)
        if response.status == 200:
            return Protego.parse(response.body.decode("utf-8", "replace"))
        if 400 <= response.status < 500 or response.status in REDIRECTS:
            return None  # no robots.txt: no rules
        return Protego.parse("User-agent: *\nDisallow: /\n")

    async def _with_retries(self, url: str, headers: dict[str, str], cap: int, *, cap_is_error: bool = True) -> Fetched:
        attempt = 0
        while True:
            try:
                response = await self._paced(url, headers, cap, cap_is_error)
            except (httpx.TransportError, TimeoutError) as exc:
                if attempt >= self.options.retries or isinstance(exc, TimeoutError):
                    reason = f"no answer within {self.options.timeout:g} s" if isinstance(exc, TimeoutError) else exc
                    raise FetchError(f"{url}: {reason or type(exc).__name__}") from None
                wait = self.options.backoff * 2**attempt
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.options.retries:
                    response.requests = attempt + 1
                    return response
                wait = _retry_after(response.headers.get("retry-after"), self.options.backoff * 2**attempt)
                if wait > self.options.max_retry_after:
                    raise FetchError(f"{url}: HTTP {response.status}, Retry-After {wait:.0f} s is too long")
            attempt += 1
            await asyncio.sleep(wait)

    async def _paced(self, url: str, headers: dict[str, str], cap: int, cap_is_error: bool) -> Fetched:
        key = host_key(url)
        host = self._host(key)
        async with host.gate:
            async with host.lock:
                now = time.monotonic()
                start = max(now, host.next_start)
                if self.deadline is not None and start > self.deadline:  # never wait past the round's budget
                    wait = f"the host asks for {host.delay:g} s between requests"
                    raise Deferred(f"{url}: deferred to a later round ({wait})")
                host.next_start = self.politeness.next_start[key] = start + host.delay
            if start > now:
                await asyncio.sleep(start - now)
            self.requests += 1
            async with asyncio.timeout(self.options.timeout):  # one deadline for the whole exchange
                return await self._request(host, url, headers, cap, cap_is_error)

    async def _request(self, host: _Host, url: str, headers: dict[str, str], cap: int, cap_is_error: bool) -> Fetched:
        pinned = await asyncio.to_thread(pin, url, allow_private=self.options.allow_private)
        assert host.client is not None
        request = host.client.build_request(
            "GET", pinned.url, headers={**headers, "Host": pinned.host_header}, extensions=dict(pinned.extensions)
        )
        response = await host.client.send(request, stream=True)
        try:
            found = {k.lower(): v for k, v in response.headers.items()}
            if response.status_code != 200:
                return Fetched(url, response.status_code, found)
            declared = found.get("content-length", "")
            if cap_is_error and declared.isdigit() and int(declared) > cap:
                raise FetchError(f"{url}: body of {int(declared):,} bytes is over the {cap:,}-byte limit")
            decoder = Decoder(url, found.get("content-encoding", ""), cap)
            chunks: list[bytes] = []
            size = 0
            async for raw in response.aiter_raw():
                chunk = decoder.feed(raw)
                chunks.append(chunk)
                size += len(chunk)
                if size > cap or decoder.over:
                    if cap_is_error:
                        raise FetchError(f"{url}: body over the {cap:,}-byte limit (stopped reading)")
                    break
            else:
                tail = decoder.flush()
                chunks.append(tail)
                size += len(tail)
                if (size > cap or decoder.over) and cap_is_error:
                    raise FetchError(f"{url}: body over the {cap:,}-byte limit (stopped reading)")
            found.pop("content-encoding", None)  # the body handed on is decoded
            return Fetched(url, 200, found, b"".join(chunks)[:cap])
        finally:
            await response.aclose()


class Decoder:
    """Undoes a response's content codings (the last named is undone first), every layer within one budget.

    Each layer inflates at most what the budget has left (zlib's `max_length`; the rest of its input waits in
    `unconsumed_tail`), so the decoded bytes of all layers together never pass `2 * cap`, whatever a bomb in
    one layer or nested in several would inflate to. `over` says the budget ran out: the body is over the cap."""

    def __init__(self, url: str, header: str, cap: int) -> None:
        names = [n.strip().lower() for n in header.split(",") if n.strip().lower() not in ("", "identity")]
        unknown = [n for n in names if n not in CODINGS]
        if unknown:
            raise FetchError(f"{url}: unsupported Content-Encoding {unknown[0][:40]!r} (not asked for)")
        if len(names) > MAX_CODINGS:
            raise FetchError(f"{url}: {len(names)} content-coding layers; at most {MAX_CODINGS} are undone")
        self.url = url
        self.budget = 2 * cap + 1
        self.over = False
        self.layers = [_Layer(name) for name in reversed(names)]

    def feed(self, data: bytes) -> bytes:
        for layer in self.layers:
            if self.over:
                return b""
            data = self._inflate(layer, data)
        return b"" if self.over else data

    def flush(self) -> bytes:
        """What is left once the raw body has all arrived (over the budget when a layer still holds input)."""
        data = self.feed(b"")
        if any(layer.tail for layer in self.layers):
            self.over = True
        return b"" if self.over else data

    def _inflate(self, layer: _Layer, data: bytes) -> bytes:
        if self.budget <= 0:  # max_length 0 would mean "no limit"
            self.over = True
            return b""
        try:
            out = layer.inflate(data, self.budget)
        except zlib.error as exc:
            raise FetchError(f"{self.url}: the body is not valid {layer.name} data ({exc})") from None
        self.budget -= len(out)
        if self.budget <= 0:
            self.over = True
        return out


class _Layer:
    """One content coding: gzip, or deflate (zlib-wrapped as the standard says, or raw as some servers send)."""

    def __init__(self, name: str) -> None:
        self.name = "deflate" if name == "deflate" else "gzip"
        self.wbits = zlib.MAX_WBITS if self.name == "deflate" else zlib.MAX_WBITS | 16
        self.obj = zlib.decompressobj(self.wbits)
        self.tail = b""
        self.started = False

    def inflate(self, data: bytes, limit: int) -> bytes:
        data = self.tail + data
        if not data:
            return b""
        try:
            out = self.obj.decompress(data, limit)
        except zlib.error:
            if self.started or self.name != "deflate":
                raise
            self.obj = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, without the zlib header
            out = self.obj.decompress(data, limit)
        self.started = True
        self.tail = self.obj.unconsumed_tail
        return out


def _retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or `default`."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())
