"""The fetching side of a round: an asyncio loop on its own thread that fetches sources and their new items
concurrently (paced per host by the `Fetcher`) and hands what it gets to the round's thread through a bounded
queue, as messages: a source done (`FeedDone`), a page fetched or failed (`Page`), items left for later
(`Backlog`), the worker's own crash (`Crashed`), then `END`. Whatever one source or item raises becomes that
source's or item's one-line failure; the others go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from dataclasses import dataclass

from narrascope.errors import NarrascopeError
from narrascope.sources.feeds import Feed, FeedError, Item, looks_like_feed, parse_feed
from narrascope.sources.fetch import Deferred, Fetched, Fetcher
from narrascope.sources.net import FetchError, SkippedError
from narrascope.sources.pages import normalise_url
from narrascope.store.db import Store
from narrascope.store.sources import FeedState, fetched_urls

MAX_FEED_BYTES = 20_000_000
PARSE_SECONDS = 20.0  # for one feed or sitemap body (bytes are bounded by MAX_FEED_BYTES and TOLERANT_BYTES)


@dataclass
class FeedDone:
    url: str
    status: str
    error: str | None = None
    feed: Feed | None = None
    fetched: Fetched | None = None
    skip: str | None = None  # "skipped" or "deferred": not a failure


@dataclass
class Page:
    url: str
    item: Item | None
    feed: str | None
    fetched: Fetched | None = None
    error: str | None = None
    skip: str | None = None  # "skipped" or "deferred": not a failure


def problem(url: str, exc: BaseException) -> tuple[str, str | None]:
    """One line for what went wrong fetching `url`, and whether it is a skip ("skipped", "deferred") or a failure."""
    if isinstance(exc, Deferred):
        return str(exc), "deferred"
    if isinstance(exc, SkippedError):
        return str(exc), "skipped"
    if isinstance(exc, NarrascopeError):
        return str(exc), None
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{url}: unexpected {type(exc).__name__}" + (f": {first}" if first else ""), None


END = object()


class Worker:
    """The fetching side of a round: an asyncio loop on its own thread, talking to the caller by a queue."""

    def __init__(
        self, fetcher: Fetcher, sources: list[str], states: dict[str, FeedState], db: str,
        inbox: queue.Queue[object], halt: threading.Event, max_items: int,
    ) -> None:  # fmt: skip
        self.fetcher, self.sources, self.states, self.db = fetcher, sources, states, db
        self.inbox, self.stop, self.max_items = inbox, halt, max_items
        self.loop: asyncio.AbstractEventLoop | None = None
        self.task: asyncio.Task[None] | None = None
        self.claimed: set[str] = set()

    def run(self) -> None:
        self.loop = asyncio.new_event_loop()
        try:
            self.task = self.loop.create_task(self._all())
            self.loop.run_until_complete(self.task)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # a bug of the fetcher: one line, and the round is not taken as complete
            self._put(Crashed(problem("the fetcher", exc)[0]))
        finally:
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(self.fetcher.aclose())
            with contextlib.suppress(Exception):  # threads still resolving or parsing: waited for 5 s at most
                self.loop.run_until_complete(asyncio.wait_for(self.loop.shutdown_default_executor(), 5.0))
            self.loop.close()
            self._put(END)

    def cancel(self) -> None:
        self.stop.set()
        if self.loop is not None and self.task is not None and not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                self.loop.call_soon_threadsafe(self.task.cancel)
        while True:  # unblock a worker waiting to put
            try:
                self.inbox.get_nowait()
            except queue.Empty:
                break

    def _put(self, message: object) -> None:
        while True:
            try:
                self.inbox.put(message, timeout=0.2)
                return
            except queue.Full:
                if self.stop.is_set():  # the caller stopped reading
                    return

    async def _emit(self, message: object) -> None:
        """Hand a message to the caller, waiting (without holding an executor thread) while the queue is full."""
        while True:
            try:
                self.inbox.put_nowait(message)
                return
            except queue.Full:
                if self.stop.is_set():
                    return
                await asyncio.sleep(0.05)

    async def _all(self) -> None:
        reader = Store(self.db, readonly=True)  # the worker reads (which pages are known) on its own connection
        try:
            await asyncio.gather(*(self._source(url, reader) for url in self.sources))
        finally:
            reader.close()

    async def _source(self, url: str, reader: Store) -> None:
        try:
            await self._one_source(url, reader)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # whatever one source raises is that source's failure: the others go on
            line, skip = problem(url, exc)
            await self._emit(FeedDone(url, "error", line, skip=skip))

    async def _one_source(self, url: str, reader: Store) -> None:
        state = self.states[url]
        try:
            fetched = await self.fetcher.get(
                url, etag=state.etag, last_modified=state.last_modified, max_bytes=MAX_FEED_BYTES
            )
        except FetchError as exc:
            line, skip = problem(url, exc)
            await self._emit(FeedDone(url, "error", line, skip=skip))
            return
        if fetched.status == 304:
            await self._emit(FeedDone(url, "304", fetched=fetched))
            return
        if not looks_like_feed(fetched.body, fetched.headers.get("content-type", "")):
            await self._emit(FeedDone(url, "200", fetched=fetched))  # a page given directly
            if normalise_url(url) not in self.claimed:
                self.claimed.add(normalise_url(url))
                await self._emit(Page(url, None, None, fetched))
            return
        try:
            feed = await parse(fetched)
            if feed.kind == "sitemapindex":
                feed = await self._sitemaps(feed)
        except NarrascopeError as exc:
            await self._emit(FeedDone(url, "error", str(exc), fetched=None))
            return
        await self._emit(FeedDone(url, "200", feed=feed, fetched=fetched))
        await self._items(url, feed, reader)

    async def _sitemaps(self, index: Feed) -> Feed:
        items: list[Item] = []
        for entry in index.items:
            try:
                fetched = await self.fetcher.get(entry.url, max_bytes=MAX_FEED_BYTES)
                items.extend((await parse(fetched)).items)
            except NarrascopeError as exc:
                line, skip = problem(entry.url, exc)
                await self._emit(Page(entry.url, None, None, error=line, skip=skip))
        items.sort(key=lambda item: item.published or "", reverse=True)
        return Feed("sitemap", index.title, items, len(items))

    async def _items(self, feed_url: str, feed: Feed, reader: Store) -> None:
        by_url: dict[str, Item] = {}
        for item in feed.items:
            try:
                key = normalise_url(item.url) if _http(item.url) else item.url
            except ValueError as exc:  # a broken link (port out of range, bad IPv6 host): this item fails alone
                await self._emit(Page(item.url, item, feed_url, error=f"{item.url[:200]}: not a valid URL ({exc})"))
                continue
            by_url.setdefault(key, item)
        # On this thread, not an executor's: a stop closes `reader`, which must not happen under a running query.
        known = fetched_urls(reader, [*by_url, *(i.url for i in by_url.values())])
        new = [(u, i) for u, i in by_url.items() if u not in known and i.url not in known and u not in self.claimed]
        take = new[: self.max_items]
        await self._emit(Backlog(feed_url, len(new) - len(take), len(feed.items)))
        self.claimed.update(u for u, _ in take)

        async def one(url: str, item: Item) -> None:
            if self.stop.is_set():
                return
            try:
                if self.fetcher.deadline is not None and time.monotonic() > self.fetcher.deadline:
                    raise Deferred(f"{item.url}: deferred to a later round (the round's time budget is spent)")
                fetched = await self.fetcher.get(item.url)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # this item's failure (or skip), whatever raised: the others go on
                line, skip = problem(item.url, exc)
                await self._emit(Page(item.url, item, feed_url, error=line, skip=skip))
                return
            await self._emit(Page(item.url, item, feed_url, fetched))

        await asyncio.gather(*(one(u, i) for u, i in take))


@dataclass
class Backlog:
    feed: str
    count: int
    items: int


@dataclass
class Crashed:
    error: str


async def parse(fetched: Fetched) -> Feed:
    """The feed in a fetched body, parsed on a thread within PARSE_SECONDS (FeedError past them: the thread is
    left to finish, which the parser's byte budget keeps short, and the round goes on)."""
    try:
        return await asyncio.wait_for(asyncio.to_thread(parse_feed, fetched.body, fetched.url), PARSE_SECONDS)
    except TimeoutError:
        raise FeedError(f"{fetched.url}: not parsed within {PARSE_SECONDS:g} s; skipped this round") from None


def _http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))
