"""Per-feed state of `narrascope watch` (ETag, Last-Modified, last fetch, failures) and the page URLs fetched.

`fetched_pages` maps every page URL narrascope fetched to the canonical id it was stored under, so a feed
item already read is not fetched again; it is written after the article's batch is committed, so a crash
between the two only costs one fetch (the canonical id is then found present, never stored twice).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from narrascope.store.db import Store, rows


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FeedState:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0


def feed_state(store: Store, url: str) -> FeedState:
    row = store.conn.execute("SELECT etag, last_modified, failures FROM feeds WHERE url = ?", (url,)).fetchone()
    if row is None:
        return FeedState(url)
    return FeedState(url, row["etag"], row["last_modified"], int(row["failures"]))


def record_feed(
    store: Store,
    url: str,
    *,
    status: str,
    error: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    items: int = 0,
) -> None:
    """One fetch of a feed: a success keeps its validators and resets the failures, a failure counts up."""
    stamp = now()
    ok = error is None
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (url,))
        if ok:
            conn.execute(
                "UPDATE feeds SET last_fetch = ?, last_success = ?, last_status = ?, last_error = NULL, failures = 0,"
                " kind = COALESCE(?, kind), title = COALESCE(?, title), items = ? WHERE url = ?",
                (stamp, stamp, status, kind, title, items, url),
            )
        else:
            conn.execute(
                "UPDATE feeds SET last_fetch = ?, last_status = ?, last_error = ?, failures = failures + 1"
                " WHERE url = ?",
                (stamp, status, error, url),
            )


def set_validators(store: Store, url: str, etag: str | None, last_modified: str | None) -> None:
    """The validators of a feed whose items were all handled: the next fetch may be answered 304."""
    with store.transaction() as conn:
        conn.execute("UPDATE feeds SET etag = ?, last_modified = ? WHERE url = ?", (etag, last_modified, url))


def add_feed_counts(store: Store, counts: dict[str, int]) -> None:
    """Articles added through each feed (a running total in `feeds.added`)."""
    with store.transaction() as conn:
        conn.executemany("UPDATE feeds SET added = added + ? WHERE url = ?", [(n, u) for u, n in counts.items()])


def list_feeds(store: Store) -> list[dict[str, Any]]:
    return rows(store.conn.execute("SELECT * FROM feeds ORDER BY url"))


def fetched_urls(store: Store, urls: Iterable[str]) -> set[str]:
    """Which of `urls` were fetched and stored before (as page URL or as canonical article id)."""
    found: set[str] = set()
    chunk: list[str] = []

    def run() -> None:
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in store.conn.execute(f"SELECT url FROM fetched_pages WHERE url IN ({marks})", chunk))
        found.update(r[0] for r in store.conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))

    for url in urls:
        chunk.append(url)
        if len(chunk) >= 400:
            run()
            chunk = []
    if chunk:
        run()
    return found


def record_pages(store: Store, pages: Iterable[tuple[str, str, str | None]]) -> None:
    """(page url, canonical article id, feed) of pages whose articles are committed."""
    stamp = now()
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO fetched_pages (url, article_id, feed, fetched_at) VALUES (?, ?, ?, ?)",
            [(url, article_id, feed, stamp) for url, article_id, feed in pages],
        )
