"""One round over a list of sources: fetch every feed or page URL, fetch the new article pages, store them.

Fetching runs in an asyncio loop on a background thread (concurrent across hosts, paced per host); the
calling thread analyses and stores what arrives, one committed batch at a time, and is the only writer of
the store. Setting `stop` (Ctrl-C, SIGTERM) ends the round after the article being analysed: the batch in
hand is committed, nothing half-written. A source or item that fails is one line in `RoundSummary.failed`,
whatever raised (an unexpected error inside the fetcher included), and the round goes on with the others; one
left alone on purpose (robots.txt disallows it) is a line in `skipped`, not a failure.

A round has a time budget (`budget` seconds): no request starts after it, and a host whose pacing (its
Crawl-delay) would start a request after it is not waited for; the items left are `deferred` to the next round,
so one slow host holds neither the others nor the round. Each feed's body is parsed within `PARSE_SECONDS`.
`on_stored` is called with the ids of each committed batch, as it is committed (watch evaluates alerts there).

A feed's validators (ETag, Last-Modified) are stored only when its round ends unstopped: after a stop or a
crash the next round reads the feed whole again and fetches the items not stored yet (known page URLs are
skipped); so does the round after one that left new items over the cap. An item page that failed is tried
again when the feed changes (a 304 lists no items).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from narrascope.analysis import Analysis
from narrascope.ingest.records import ReadResult
from narrascope.pipeline import Pipeline
from narrascope.sources.feeds import MAX_ITEMS
from narrascope.sources.fetch import Fetcher, FetchOptions, Politeness
from narrascope.sources.pages import page_article
from narrascope.sources.worker import END, Backlog, Crashed, FeedDone, Page, Worker, problem
from narrascope.store.db import Store, stamp_hash
from narrascope.store.ingest import DEFAULT_BATCH, IDLE, ingest_read
from narrascope.store.sources import add_feed_counts, feed_state, record_feed, record_pages, set_validators

QUEUE_SIZE = 32


@dataclass
class RoundSummary:
    sources: int = 0
    not_modified: int = 0
    items: int = 0
    fetched: int = 0
    added: int = 0
    present: int = 0
    updated: int = 0
    deferred: int = 0  # new items over the per-feed cap or past the round's budget, left for a later round
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # left alone on purpose (robots.txt): not failures
    requests: int = 0
    seconds: float = 0.0
    stopped: bool = False
    added_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.sources} source(s) ({self.not_modified} not modified), {self.items} item(s), "
            f"{self.fetched} page(s) fetched, {self.added} added, {self.present} already present, "
            f"{self.updated} updated, {len(self.failed)} failed, {len(self.skipped)} skipped, "
            f"{self.deferred} deferred; "
            f"{self.requests} request(s) in {self.seconds:.1f} s"
        )


def run_round(
    sources: list[str],
    store: Store,
    pipeline: Pipeline,
    *,
    options: FetchOptions | None = None,
    max_items: int = MAX_ITEMS,
    batch_size: int = DEFAULT_BATCH,
    stop: threading.Event | None = None,
    on_event: Callable[[RoundSummary], None] | None = None,
    budget: float | None = None,
    politeness: Politeness | None = None,
    on_stored: Callable[[list[str]], None] | None = None,
) -> RoundSummary:
    """Fetch `sources` (feed, sitemap or page URLs) once and store the new articles; see the module doc."""
    options = options or FetchOptions()
    stop = stop or threading.Event()
    summary = RoundSummary(sources=len(sources))
    started = time.monotonic()
    states = {url: feed_state(store, url) for url in sources}
    inbox: queue.Queue[object] = queue.Queue(QUEUE_SIZE)
    fetcher = Fetcher(options, politeness=politeness, deadline=None if budget is None else started + budget)
    # The worker's own event: ending a round must not set the caller's `stop` (watch would end with it).
    worker = Worker(fetcher, sources, states, store.path, inbox, threading.Event(), max_items)
    thread = threading.Thread(target=worker.run, name="narrascope-fetch", daemon=True)
    thread.start()
    feed_of: dict[str, str | None] = {}
    this_round: dict[str, str] = {}  # canonical id -> input hash of the pages read this round
    validators: dict[str, tuple[str | None, str | None]] = {}  # stored when the round ends unstopped
    backlog: set[str] = set()  # feeds with new items over the cap
    copies: dict[str, list[tuple[str, str | None]]] = {}  # id -> (page url, feed) of its other URLs this round
    done: set[str] = set()  # ids committed this round
    incomplete = [False]  # the fetcher crashed: no feed's validators are saved

    def results() -> Iterator[ReadResult]:
        waiting = 0  # 0.2 s waits since the last page: after 1 s, what is analysed is committed (and alerted)
        while True:
            try:
                message = inbox.get(timeout=0.2)
            except queue.Empty:
                if stop.is_set():
                    summary.stopped = True
                    return
                waiting += 1
                if waiting == 5:
                    yield IDLE
                continue
            waiting = 0
            if message is END:
                return
            if isinstance(message, Crashed):  # the fetcher died: nothing may be marked as read
                summary.failed.append(message.error)
                incomplete[0] = True
                return
            if isinstance(message, FeedDone):
                _record(store, message, summary)
                if (
                    message.error is None
                    and message.fetched is not None
                    and message.status == "200"
                    and message.url not in backlog
                ):
                    headers = message.fetched.headers
                    validators[message.url] = (headers.get("etag"), headers.get("last-modified"))
                elif message.error is not None:  # failed after its items began: read it whole next round
                    validators.pop(message.url, None)
                    backlog.add(message.url)
            elif isinstance(message, Backlog):
                summary.deferred += message.count
                summary.items += message.items
                if message.count:  # items left for later: next round must read the feed again, not get a 304
                    validators.pop(message.feed, None)
                    backlog.add(message.feed)
            elif isinstance(message, Page):
                if message.skip == "deferred" and message.feed is not None:
                    validators.pop(message.feed, None)  # its feed must be read whole next round
                    backlog.add(message.feed)
                result = _read_page(message, options, summary)
                if result is not None and result.article is not None:
                    digest = stamp_hash(result.article)
                    if this_round.setdefault(result.article.id, digest) == digest and result.article.id in feed_of:
                        summary.present += 1  # another URL of an article read this round: not analysed again
                        if result.article.id in done:
                            record_pages(store, [(message.url, result.article.id, message.feed)])
                        else:
                            copies.setdefault(result.article.id, []).append((message.url, message.feed))
                        continue
                    feed_of[result.article.id] = message.feed
                if result is not None:
                    yield result
            if on_event is not None:
                on_event(summary)
            if stop.is_set():
                summary.stopped = True
                return

    def committed(batch: list[Analysis], added: list[str]) -> None:
        pages = [(str(a.article.meta.get("origin")), a.id, feed_of.get(a.id)) for a in batch]
        for a in batch:  # the other URLs of these articles, known once the article is committed
            pages.extend((url, a.id, feed) for url, feed in copies.pop(a.id, []))
        record_pages(store, pages)
        done.update(a.id for a in batch)
        summary.added_ids.extend(added)
        counts: dict[str, int] = {}
        for article_id in added:
            feed = feed_of.get(article_id)
            if feed is not None:
                counts[feed] = counts.get(feed, 0) + 1
        if counts:
            add_feed_counts(store, counts)
        if on_stored is not None:
            on_stored([a.id for a in batch])

    try:
        stored = ingest_read(results(), store, pipeline=pipeline, batch_size=batch_size, on_commit=committed)
    finally:
        worker.cancel()
        thread.join(timeout=30)
    if not summary.stopped and not incomplete[0]:  # only a finished round may skip these feeds' items next time
        for url, (etag, modified) in validators.items():
            set_validators(store, url, etag, modified)
    summary.added += stored.added
    summary.present += stored.present
    summary.updated += stored.updated
    summary.failed.extend(error for _, error in stored.failed)
    summary.requests = fetcher.requests
    summary.seconds = time.monotonic() - started
    return summary


def _record(store: Store, done: FeedDone, summary: RoundSummary) -> None:
    if done.skip == "deferred":
        summary.deferred += 1  # the source itself waits for the next round; its state is left as it was
        return
    if done.skip is not None:
        summary.skipped.append(str(done.error))
        return
    if done.error is not None:
        summary.failed.append(done.error)
    elif done.status == "304":
        summary.not_modified += 1
    feed = done.feed
    record_feed(
        store, done.url, status=done.status, error=done.error, kind=feed.kind if feed else "page",
        title=feed.title if feed else None, items=len(feed.items) if feed else 0,
    )  # fmt: skip


def _read_page(page: Page, options: FetchOptions, summary: RoundSummary) -> ReadResult | None:
    if page.skip == "deferred":
        summary.deferred += 1
        return None
    if page.skip is not None:
        summary.skipped.append(str(page.error))
        return None
    if page.error is not None:
        summary.failed.append(page.error)
        return None
    assert page.fetched is not None
    summary.fetched += 1
    try:
        article = page_article(
            page.fetched.body, url=page.fetched.url, content_type=page.fetched.headers.get("content-type", ""),
            item=page.item, feed=page.feed, max_bytes=options.max_bytes,
        )  # fmt: skip
    except Exception as exc:  # one page's failure, whatever raised, is that page's: the round goes on
        return ReadResult(page.url, error=problem(page.url, exc)[0])
    if page.url != page.fetched.url:
        article.meta["requested"] = page.url
    return ReadResult(page.url, article)
