"""Resumable, idempotent ingest: `analyze_many` in, one committed transaction per batch out.

Articles already stored with the same input hash are not analysed again (the pipeline passes them through
untouched), so a rerun after a crash or `kill -9` only does the work the last run did not commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.defaults import DEFAULT_BATCH as DEFAULT_BATCH  # re-exported: its old home
from narrascope.engine.local import PipelineSpec, chunk_for, run_batch
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.ingest.records import ReadResult
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.runner import Batch, Outcome, analyze_many, analyze_result
from narrascope.store.claim_groups import embed_claims, load_claim_encoder
from narrascope.store.db import HASH_KEY, Store, stamp_hash


@dataclass
class IngestSummary:
    added: int = 0
    present: int = 0
    updated: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    corrections_moved: int = 0  # analysts' corrections re-anchored in changed texts
    corrections_stale: int = 0  # ... and made stale (their words are gone)
    stopped: bool = False

    @property
    def total(self) -> int:
        return self.added + self.present + self.updated + len(self.failed)


class ResumingPipeline(Pipeline):
    """A pipeline that leaves articles already stored unchanged (same id and input hash) unanalysed."""

    def __init__(self, pipeline: Pipeline, known: Mapping[str, str]) -> None:
        super().__init__(pipeline.components, min_words=pipeline.min_words)
        self.known = dict(known)

    def _is_known(self, article: Article) -> bool:
        return self.known.get(article.id) == stamp_hash(article)

    def __call__(self, article: Article | Analysis) -> Analysis:
        plain = article.article if isinstance(article, Analysis) else article
        if self._is_known(plain):
            return article if isinstance(article, Analysis) else Analysis(article)
        return super().__call__(article)

    def pipe(self, articles: Iterable[Article | Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        chunk: list[Article | Analysis] = []
        for article in articles:
            chunk.append(article)
            if len(chunk) >= batch_size:
                yield from self._pipe_chunk(chunk, batch_size)
                chunk = []
        yield from self._pipe_chunk(chunk, batch_size)

    def _pipe_chunk(self, chunk: list[Article | Analysis], batch_size: int) -> Iterator[Analysis]:
        todo = [a for a in chunk if not self._is_known(a.article if isinstance(a, Analysis) else a)]
        done = iter(super().pipe(todo, batch_size=batch_size))
        for a in chunk:
            plain = a.article if isinstance(a, Analysis) else a
            if self._is_known(plain):
                yield a if isinstance(a, Analysis) else Analysis(a)
            else:
                yield next(done)


def ingest(
    paths: Iterable[str],
    store: Store,
    *,
    pipeline: Pipeline | None = None,
    batch_size: int = DEFAULT_BATCH,
    fields: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_progress: Callable[[int, int], None] | None = None,
    on_document: Callable[[IngestSummary], None] | None = None,
    stop: Callable[[], bool] | None = None,
    on_warning: Callable[[str], None] | None = None,
    jobs: int = 1,
    spec: PipelineSpec | None = None,
) -> IngestSummary:
    """Analyse and store every document under `paths`, committing every `batch_size` analyses.

    `on_progress(done_files, total_files)` follows the files, `on_document(summary)` every document (the
    summary counts committed ones; analysed articles waiting in the batch are counted at the next commit).
    `on_warning(line)` hears each document's warnings (a replaced character, say). When `stop()` turns true
    the analyses done so far are committed and the run ends (`summary.stopped`).
    With `jobs` > 1 the documents are analysed in that many worker processes (forked with the pipeline, whose
    `spec` builds it where processes are not forked); the store is written by this process only, in order.
    """
    resuming = ResumingPipeline(pipeline or load_pipeline(), store.known_hashes())
    outcomes: Iterable[Outcome]
    if jobs > 1:
        outcomes = _parallel(paths, resuming, spec, jobs, fields, max_bytes, on_progress)
    else:
        outcomes = analyze_many(paths, pipeline=resuming, fields=fields, max_bytes=max_bytes, on_progress=on_progress)
    return store_outcomes(
        outcomes, store, resuming, batch_size=batch_size, on_document=on_document, stop=stop, on_warning=on_warning
    )


IDLE = ReadResult("(idle)")  # given to `ingest_read` by a reader with nothing new for a while: commit what is in hand
_IDLE = Outcome("(idle)")


def ingest_read(
    results: Iterable[ReadResult],
    store: Store,
    *,
    pipeline: Pipeline | None = None,
    batch_size: int = DEFAULT_BATCH,
    on_document: Callable[[IngestSummary], None] | None = None,
    on_commit: Callable[[list[Analysis], list[str]], None] | None = None,
) -> IngestSummary:
    """Analyse and store documents already read (pages fetched from the web), as `ingest` does files; an `IDLE`
    among them commits the batch in hand (a reader waiting on a slow source does not hold what it has)."""
    resuming = ResumingPipeline(pipeline or load_pipeline(), store.known_hashes())
    outcomes = (_IDLE if result is IDLE else analyze_result(resuming, result) for result in results)
    return store_outcomes(
        outcomes, store, resuming, batch_size=batch_size, on_document=on_document, on_commit=on_commit
    )


def store_outcomes(
    outcomes: Iterable[Outcome],
    store: Store,
    resuming: ResumingPipeline,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_document: Callable[[IngestSummary], None] | None = None,
    on_commit: Callable[[list[Analysis], list[str]], None] | None = None,
    stop: Callable[[], bool] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Store analysed outcomes a committed batch at a time; `on_commit(batch, added_ids)` follows each commit,
    `on_warning` hears each document's warnings, and when `stop()` turns true what is done is committed."""
    summary = IngestSummary()
    batch: list[Analysis] = []
    claim_vectors: dict[str, Any] = {}  # the batch's claims as the workers embedded them (`embed_claims`)
    seen: dict[str, tuple[str, str]] = {}  # id -> (input hash, origin) of the documents this run

    def flush() -> None:
        result = store.put_batch(batch, claim_vectors)
        for analysis in batch:  # later copies of the same document (another folder) are not analysed again
            resuming.known[analysis.id] = str(analysis.article.meta.get(HASH_KEY))
        summary.added += len(result.added)
        summary.updated += len(result.updated)
        summary.present += len(result.present)
        summary.corrections_moved += result.corrections_moved
        summary.corrections_stale += result.corrections_stale
        if on_commit is not None:
            on_commit(list(batch), result.added)
        batch.clear()
        claim_vectors.clear()

    for outcome in outcomes:
        if outcome is _IDLE:
            if batch:
                flush()
            continue
        if stop is not None and stop():  # this document is analysed again by the next run
            summary.stopped = True
            break
        if on_document is not None:
            on_document(summary)
        if on_warning is not None:
            for warning in outcome.warnings:
                on_warning(warning)
        if outcome.analysis is None:
            summary.failed.append((outcome.origin, outcome.error or f"{outcome.origin}: failed"))
            continue
        article = outcome.analysis.article
        digest = str(article.meta.get(HASH_KEY))
        first = seen.setdefault(article.id, (digest, outcome.origin))
        if first[0] != digest:  # two different documents with one id: keep the first, never flip between them
            summary.failed.append(
                (
                    outcome.origin,
                    f"{outcome.origin}: id {article.id!r} is already used by {first[1]}, a different document",
                )
            )
            continue
        if resuming.known.get(article.id) == digest:
            summary.present += 1
            if on_commit is not None:
                on_commit([outcome.analysis], [])
            continue
        batch.append(outcome.analysis)
        claim_vectors.update(outcome.claim_vectors or {})
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return summary


def _parallel(
    paths: Iterable[str],
    pipeline: Pipeline,
    spec: PipelineSpec | None,
    jobs: int,
    fields: Mapping[str, str] | None,
    max_bytes: int,
    on_progress: Callable[[int, int], None] | None,
) -> Iterator[Outcome]:
    batch = Batch(paths, fields=fields, max_bytes=max_bytes)
    spec = spec or PipelineSpec(tuple(pipeline.names), (("min_words", pipeline.min_words),))
    # the claims are embedded by the workers, with their analyses (the store's process only writes)
    claims = "claims" in pipeline.names
    if claims:
        load_claim_encoder()
    outcomes = run_batch(
        batch,
        spec,
        jobs=jobs,
        pipeline=pipeline,
        chunk_size=chunk_for(batch.documents, jobs),
        finish=embed_claims if claims else None,
    )
    try:
        for outcome in outcomes:
            yield outcome
            if on_progress is not None:
                on_progress(batch.files_done, len(batch.files))
    finally:
        outcomes.close()  # stops the worker processes
