"""Analyse a batch in N local worker processes, writing outcomes in input order.

The parent reads documents (streaming, bounded memory) and hands chunks of them to the workers; at most
`CHUNKS_IN_FLIGHT * jobs` chunks are in flight, so memory stays flat however large the corpus. Outcomes are
yielded in the order of the input, so the output is the same as a single process would write. On Linux the
workers are forked from the parent after it built the pipeline, so they share its loaded models; elsewhere each
worker builds the pipeline once (`worker_pipeline`).

Reusing the worker from another engine (e.g. Dask): ship a `PipelineSpec` and lists of `ReadResult`s and
call `analyze_chunk(spec, chunk)` on the worker; the first call in a process builds the pipeline, later
calls reuse it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from narrascope.analysis import Analysis
from narrascope.ingest.readers import ReadResult
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.runner import Outcome, analyze_results

# Documents a worker analyses together (one model batch): per article, a batch of 32 costs less CPU than one of
# 16 (the models' batch steps are shared by more articles; 2,000 corpus articles, --jobs 2: 46-51 -> 43 ms an
# article, docs/benchmarks.md). A small batch is cut in one chunk per worker instead (`chunk_for`).
CHUNK_SIZE = 32
WORKER_DOCUMENTS = 16  # a worker is started for every 16 documents of a batch whose size is known, no more
# Chunks in flight per worker: outcomes are yielded in input order, so a worker that finished its chunks while
# another is still on the oldest one waits for work unless a few more are queued (memory: a few chunks).
CHUNKS_IN_FLIGHT = 4
WORKER_GC_THRESHOLD = 10_000  # allocations between two collections of a worker's youngest objects (Python: 700)


@dataclass(frozen=True)
class PipelineSpec:
    """How to build a pipeline: component names and `load_pipeline` options (picklable, hashable)."""

    components: tuple[str, ...]
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, components: Iterable[str], options: Mapping[str, Any]) -> PipelineSpec:
        """The spec of `load_pipeline(components, **options)`; mappings among the options (`min_scores`) are
        kept as sorted pairs, so the spec stays hashable."""
        frozen = {k: tuple(sorted(v.items())) if isinstance(v, Mapping) else v for k, v in options.items()}
        return cls(tuple(components), tuple(sorted(frozen.items())))

    def build(self) -> Pipeline:
        options = {k: dict(v) if k in _MAPPING_OPTIONS else v for k, v in self.options}
        return load_pipeline(self.components, **options)


_MAPPING_OPTIONS = ("min_scores",)  # load_pipeline options that are mappings
_PIPELINES: dict[PipelineSpec, Pipeline] = {}


def worker_pipeline(spec: PipelineSpec, pipeline: Pipeline | None = None) -> Pipeline:
    """The pipeline of `spec` in this process, built on first use (or registered, when given)."""
    if pipeline is not None:
        _PIPELINES[spec] = pipeline
    if spec not in _PIPELINES:
        _PIPELINES[spec] = spec.build()
    return _PIPELINES[spec]


def analyze_chunk(
    spec: PipelineSpec,
    chunk: Sequence[ReadResult],
    raise_errors: bool = False,
    render: Callable[[Analysis], str] | None = None,
    finish: Callable[[list[Outcome]], list[Outcome]] | None = None,
) -> list[Outcome]:
    """The worker function: outcomes of a chunk of read documents, in order, with the pipeline of `spec`; with
    `render`, each analysis comes back written out (`Outcome.rendered`), which costs less to send than the
    analysis itself; `finish` (a module-level function) does a caller's own work on the chunk's outcomes in the
    worker, before they are sent (ingest embeds the claims there: `store.claim_groups.embed_claims`)."""
    outcomes = analyze_results(worker_pipeline(spec), chunk, raise_errors=raise_errors)
    if finish is not None:
        outcomes = finish(outcomes)
    if render is None:
        return outcomes
    return [replace(o, analysis=None, rendered=render(o.analysis)) if o.analysis is not None else o for o in outcomes]


def default_jobs() -> int:
    """The machine's cores (those this process may use)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def jobs_for(documents: int | None, jobs: int | None = None) -> int:
    """Worker processes for a batch: `jobs` (default the cores), but no more than one per `WORKER_DOCUMENTS`
    documents when its size is known (a handful of files: starting workers would cost more than it gives)."""
    jobs = jobs or default_jobs()
    return max(1, min(jobs, documents // WORKER_DOCUMENTS)) if documents is not None else jobs


def chunk_for(documents: int | None, jobs: int) -> int:
    """Documents per chunk: `CHUNK_SIZE`, or fewer when a batch of known size would give a worker no chunk of its
    own (40 documents on two workers: two chunks of 20, not 32 and 8)."""
    if documents is None or jobs <= 1:
        return CHUNK_SIZE
    return max(1, min(CHUNK_SIZE, -(-documents // jobs)))


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the parent decides how to stop, the workers do not die mid-chunk.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (kill -9, the OOM killer) cannot stop its workers: each leaves once it is orphaned,
    # instead of waiting forever on a task queue nobody feeds (and holding the parent's stdout and stderr open).
    parent = os.getppid()
    threading.Thread(target=_leave_when_orphaned, args=(parent,), name="orphan-watch", daemon=True).start()
    # The models were frozen out of the collector before the fork; what a worker allocates is an article's
    # short-lived objects, freed by reference counting: collecting young objects 14 times less often costs
    # 0.2 instead of 0.75 ms of an article's ~42 ms (300 corpus articles in one process, docs/benchmarks.md).
    gc.set_threshold(WORKER_GC_THRESHOLD, 10, 10)
    # N processes each running a BLAS pool of N threads would fight over N cores: one thread per worker.
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover (installed with scikit-learn)
        pass


def _leave_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _chunks(results: Iterable[ReadResult], size: int) -> Iterator[list[ReadResult]]:
    iterator = iter(results)
    while chunk := list(islice(iterator, size)):
        yield chunk


def run_batch(
    results: Iterable[ReadResult],
    spec: PipelineSpec,
    *,
    jobs: int = 1,
    pipeline: Pipeline | None = None,
    raise_errors: bool = False,
    chunk_size: int = CHUNK_SIZE,
    render: Callable[[Analysis], str] | None = None,
    finish: Callable[[list[Outcome]], list[Outcome]] | None = None,
) -> Generator[Outcome, None, None]:
    """Outcomes of `results` in input order, analysed in `jobs` processes (in this one when `jobs` is 1); with
    `render` (a module-level function, sent to the workers) each comes written out, and `finish` runs on each
    chunk's outcomes in the worker that analysed them (`analyze_chunk`)."""
    if pipeline is not None:
        worker_pipeline(spec, pipeline)
    if jobs <= 1:
        for result in results:
            yield from analyze_chunk(spec, [result], raise_errors, render, finish)
        return
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    frozen = method == "fork"
    if frozen:  # the models, loaded once here, are shared by every worker (memory, and loading time)
        worker_pipeline(spec).warm_up()
        # The objects alive now (the models) leave the garbage collector's view: a collection in a worker would
        # otherwise write to every one of them and copy the pages they share with this process.
        gc.collect()
        gc.freeze()
    context = multiprocessing.get_context(method)
    pending: deque[tuple[list[ReadResult], Future[list[Outcome]]]] = deque()
    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init)
    try:
        for chunk in _chunks(results, chunk_size):
            pending.append((chunk, executor.submit(analyze_chunk, spec, chunk, raise_errors, render, finish)))
            while len(pending) >= CHUNKS_IN_FLIGHT * jobs:
                outcomes, broken = _collect(pending)
                yield from outcomes
                if broken:
                    executor.shutdown(wait=False, cancel_futures=True)
                    executor = ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init)
        while pending:
            outcomes, _ = _collect(pending)
            yield from outcomes
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        if frozen:  # only what this batch froze: another caller's freeze is theirs to undo
            gc.unfreeze()


def _collect(pending: deque[tuple[list[ReadResult], Future[list[Outcome]]]]) -> tuple[list[Outcome], bool]:
    """Outcomes of the oldest chunk; when a worker died, every chunk in flight fails (named per document)."""
    chunk, future = pending.popleft()
    try:
        return future.result(), False
    except BrokenProcessPool:
        chunks = [chunk] + [c for c, _ in pending]
        pending.clear()
        message = "a worker process died (killed, or out of memory) while analysing this chunk of documents"
        return [
            Outcome(r.origin, error=f"{r.origin}: {message}", bytes_read=r.bytes_read) for c in chunks for r in c
        ], True
