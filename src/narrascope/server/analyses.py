"""Analyses off the request threads: one bounded queue, so a flood of `POST /api/analyze` never holds up reads.

Reads run in the server's thread pool and never wait on an analysis. Analyses run one at a time in their own
thread; at most `capacity` wait or run, and one more is refused at once with 503 (before the pipeline is
touched). A queued analysis whose client has gone away is dropped before it starts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.requests import Request

from narrascope.server.security import CLIENT_GONE, Refused

T = TypeVar("T")
CAPACITY = 8


class ClientGone(Exception):
    """The client of a queued analysis disconnected; nothing is sent back."""


class AnalysisQueue:
    def __init__(self, *, capacity: int = CAPACITY, workers: int = 1) -> None:
        self.capacity = capacity
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="narrascope-analysis")
        self._lock = threading.Lock()
        self.pending = 0
        self.dropped = 0

    def _take(self) -> bool:
        with self._lock:
            if self.pending >= self.capacity:
                return False
            self.pending += 1
            return True

    def _release(self, future: Future[object]) -> None:
        with self._lock:
            self.pending -= 1
            self.dropped += future.cancelled()

    async def run(self, request: Request, work: Callable[[], T]) -> T:
        """`work()` in the analysis thread; 503 when the queue is full, `ClientGone` when the client left
        (a queued analysis is then dropped; one already running finishes, unread)."""
        if not self._take():
            raise Refused(503, "busy", f"{self.capacity} analyses are already waiting; retry in a few seconds")
        future = self._pool.submit(work)
        future.add_done_callback(self._release)  # type: ignore[arg-type]
        gone: asyncio.Event = request.scope.get(CLIENT_GONE) or asyncio.Event()
        left = asyncio.ensure_future(gone.wait())
        waiting = asyncio.wrap_future(future)
        try:
            either: set[asyncio.Future[Any]] = {waiting, left}
            await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
        finally:
            left.cancel()
        if waiting.done():
            return waiting.result()
        future.cancel()  # dropped unless it has started
        raise ClientGone()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
