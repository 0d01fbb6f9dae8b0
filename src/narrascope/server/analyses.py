"""Analyses off the request threads: one bounded queue, so a flood of `POST /api/analyze` never holds up reads.

The default pipeline runs in its own worker process (loaded there on first use): an analysis holds no lock
and no GIL that a read needs; a pipeline given by `serve` (built from its options) runs in one thread of its
own. At most `capacity` analyses wait or run; one more is refused at once with 503, before its body is read.
A queued analysis whose client has gone away is dropped before it starts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Scope

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.server.security import CLIENT_GONE, Refused, error

CAPACITY = 8
ANALYSIS_PATHS = ("/api/analyze", "/api/articles")
RESERVED = "narrascope.analysis_reserved"  # scope key: this request holds a place in the queue
_pipeline: Pipeline | None = None  # the worker process's own


class ClientGone(Exception):
    """The client of a queued analysis disconnected; nothing is sent back."""


def _worker_start(server: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops its worker
    threading.Thread(target=_exit_with, args=(server,), daemon=True).start()


def _exit_with(server: int) -> None:
    """End this worker when the server process is gone (killed with SIGKILL, say): never an orphan."""
    while os.getppid() == server:
        time.sleep(1.0)
    os._exit(0)


def analyze_in_worker(spec: Any, article: Article) -> Analysis:
    """In the worker: the pipeline `spec.build()` gives (`engine.local.PipelineSpec`), or the default one."""
    global _pipeline
    if _pipeline is None:
        _pipeline = load_pipeline() if spec is None else spec.build()
    return _pipeline(article)


class AnalysisQueue:
    def __init__(
        self, *, capacity: int = CAPACITY, workers: int = 1, pipeline: Pipeline | None = None, spec: Any = None
    ) -> None:
        self.capacity = capacity
        self._spec = spec  # how the worker process builds the pipeline (None: the default one)
        self._workers = workers
        self._pipeline = pipeline  # given (built by `serve` from its options): run in one thread of this process
        self._pool: ProcessPoolExecutor | ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.pending = 0
        self.dropped = 0
        self._busy = f"{capacity} analyses are already waiting; retry in a few seconds"

    def _take(self) -> bool:
        with self._lock:
            if self.pending >= self.capacity:
                return False
            self.pending += 1
            return True

    def _release(self, future: Future[Any]) -> None:
        with self._lock:
            self.pending -= 1
            self.dropped += future.cancelled()

    def admit(self, scope: Scope) -> JSONResponse | None:
        """Reserve a place for a request that queues an analysis, before its body is read: when the queue is
        full the request is refused with 503 at once (the body of a flood is never parsed)."""
        if scope.get("method") != "POST" or scope.get("path") not in ANALYSIS_PATHS:
            return None
        if not self._take():
            return error(503, "busy", self._busy)
        scope[RESERVED] = True
        return None

    def finish(self, scope: Scope) -> None:
        """Free the place of a request that ended without queueing its analysis (a bad body, say)."""
        if scope.pop(RESERVED, False):
            with self._lock:
                self.pending -= 1

    def _submit(self, article: Article) -> Future[Analysis]:
        with self._lock:
            if self._pipeline is not None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="narrascope-analysis")
                return self._pool.submit(self._pipeline, article)
            if self._pool is None:  # spawned, not forked: the server process runs threads and an event loop
                self._pool = ProcessPoolExecutor(
                    self._workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_start,
                    initargs=(os.getpid(),),
                )
            return self._pool.submit(analyze_in_worker, self._spec, article)

    async def analyze(self, request: Request, article: Article) -> Analysis:
        """The analysis of `article`; 503 when the queue is full, `ClientGone` when the client left (a queued
        analysis is then dropped; one already running finishes, unread)."""
        if not request.scope.pop(RESERVED, False) and not self._take():  # reserved by `admit` when served
            raise Refused(503, "busy", self._busy)
        try:
            future = self._submit(article)
        except BaseException:
            with self._lock:
                self.pending -= 1
            raise
        future.add_done_callback(self._release)
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
        """Drop what is queued and stop the worker now, even mid-analysis (nobody waits for it any more)."""
        with self._lock:
            if self._pool is None:
                return
            workers = list((getattr(self._pool, "_processes", None) or {}).values())  # no public API before 3.14
            self._pool.shutdown(wait=False, cancel_futures=True)
            for worker in workers:
                worker.terminate()
            self._pool = None
