"""`analyze` (one text or path to an `Analysis`) and `analyze_many` (a batch that survives bad documents).

A batch is a stream: documents are read one at a time (`Batch`), each becomes an `Outcome` as soon as it is
analysed, and nothing of a finished document is kept, so memory does not grow with the corpus.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.errors import IngestError, NarrascopeError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.ingest.readers import ARTICLE_SUFFIXES, RECORD_SUFFIXES, STDIN, ReadResult, expand_paths, read_file
from narrascope.pipeline import Pipeline, load_pipeline


def _looks_like_path(value: str) -> bool:
    """A string that names a file: no line break, short, and an article file name (or an existing file)."""
    if "\n" in value or len(value) >= 4096:
        return False
    return Path(value).suffix.lower() in ARTICLE_SUFFIXES or os.path.isfile(value)


def analyze(
    text_or_path: str | os.PathLike[str] | Article,
    *,
    components: Iterable[str] | None = None,
    pipeline: Pipeline | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Analysis:
    """Analyse one article given as text (SemEval layout: title on the first line), a file path or an Article.

    A `Path` always means a file. A string means a file when it names an existing one, or when it looks like
    a file name (no line break, ends in .txt, .html, .jsonl, ...): a missing one raises `IngestError` rather
    than being analysed as the text "missing.txt". Any other string is the article text.
    """
    pipeline = pipeline or load_pipeline(components)
    if isinstance(text_or_path, Article):
        return pipeline(text_or_path)
    if isinstance(text_or_path, os.PathLike) or _looks_like_path(text_or_path):
        path = str(Path(text_or_path))
        results = list(read_file(path, max_bytes=max_bytes))
        if len(results) != 1:
            raise IngestError(f"{path}: holds {len(results)} documents; use narrascope.analyze_many for a corpus")
        result = results[0]
        if result.article is None:
            raise IngestError(result.error or f"{path}: could not be read")
        analysis = pipeline(result.article)
        analysis.warnings.extend(result.warnings)
        return analysis
    if not text_or_path.strip():
        raise IngestError("the text is empty (no article to analyse)")
    return pipeline(Article(raw_text=text_or_path))


@dataclass
class Outcome:
    """One document of a batch: its analysis, or the one-line reason it failed.

    `bytes_read`: input bytes read (all files of the batch) when this document was read, for progress.
    `rendered`: the analysis as the output writes it, when the worker that analysed it wrote it out (`run_batch`'s
    `render`; `analysis` is then None): the parent only copies the text to the output.
    `claim_vectors`: the embedding of each of the analysis's claim texts, when the worker that analysed it embedded
    them for the store (`store.claim_groups.embed_claims`): the store then does not embed them again.
    """

    origin: str
    analysis: Analysis | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    bytes_read: int = 0
    rendered: str | None = None
    claim_vectors: dict[str, Any] | None = None


def analyze_result(pipeline: Pipeline, result: ReadResult, *, raise_errors: bool = False) -> Outcome:
    """The outcome of one read document: its analysis, or the reason reading or analysing it failed."""
    if result.article is None:
        return Outcome(result.origin, error=result.error, warnings=result.warnings, bytes_read=result.bytes_read)
    try:
        analysis = pipeline(result.article)
    except Exception as exc:  # one bad article never aborts a batch
        if raise_errors:
            raise
        message = str(exc) if isinstance(exc, NarrascopeError) else f"{type(exc).__name__}: {exc}"
        return Outcome(
            result.origin, error=f"{result.origin}: analysis failed: {message}", bytes_read=result.bytes_read
        )
    analysis.warnings.extend(result.warnings)
    return Outcome(result.origin, analysis, warnings=result.warnings, bytes_read=result.bytes_read)


def analyze_results(pipeline: Pipeline, results: Sequence[ReadResult], *, raise_errors: bool = False) -> list[Outcome]:
    """Outcomes of read documents, in order. The articles are analysed together (`Pipeline.pipe`: a batch
    component scores them in one batch), which gives each the analysis it gets alone;
    when that fails, each is analysed alone, so a bad article fails alone."""
    readable = [r for r in results if r.article is not None]
    if len(readable) < 2:
        return [analyze_result(pipeline, r, raise_errors=raise_errors) for r in results]
    try:
        articles = [copy.deepcopy(r.article) for r in readable if r.article is not None]  # originals kept for a retry
        analyses = iter(list(pipeline.pipe(articles, batch_size=len(articles))))
    except Exception:
        if raise_errors:
            raise
        return [analyze_result(pipeline, r, raise_errors=raise_errors) for r in results]
    outcomes = []
    for result in results:
        if result.article is None:
            outcomes.append(analyze_result(pipeline, result))
            continue
        analysis = next(analyses)
        analysis.warnings.extend(result.warnings)
        outcomes.append(Outcome(result.origin, analysis, warnings=result.warnings, bytes_read=result.bytes_read))
    return outcomes


class Batch:
    """The documents under some paths, read lazily in a stable order: failures to expand paths first.

    `total_bytes` is the size of all input files (None with stdin); `documents` is the number of documents
    when every file holds one (None when a corpus is among them, until it has been read).
    """

    def __init__(
        self, paths: Iterable[str], *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.files, self.failures = expand_paths(list(paths))
        self.fields, self.max_bytes = fields, max_bytes
        sizes = [0 if f == STDIN else _size(f) for f in self.files]
        self.total_bytes: int | None = None if STDIN in self.files else sum(sizes)
        self._sizes = sizes
        corpus = any(Path(f).suffix.lower() in RECORD_SUFFIXES for f in self.files)
        self.documents: int | None = None if corpus else len(self.files) + len(self.failures)
        self.files_done = 0

    def __iter__(self) -> Iterator[ReadResult]:
        yield from self.failures
        before = 0
        for path, size in zip(self.files, self._sizes, strict=True):
            for result in read_file(path, fields=self.fields, max_bytes=self.max_bytes):
                result.bytes_read = before + (result.bytes_read or size)
                yield result
            before += size
            self.files_done += 1


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def analyze_many(
    paths: Iterable[str],
    *,
    pipeline: Pipeline | None = None,
    components: Iterable[str] | None = None,
    fields: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    raise_errors: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> Iterator[Outcome]:
    """Analyse every document under `paths` (files, folders, corpora, "-" for stdin), in a stable order.

    A document that cannot be read or analysed yields an `Outcome` with its error and the batch goes on;
    `raise_errors` re-raises instead, for debugging. `on_progress(done_files, total_files)` follows the files.
    """
    pipeline = pipeline or load_pipeline(components)
    batch = Batch(paths, fields=fields, max_bytes=max_bytes)
    files_done = 0
    for result in batch:
        yield analyze_result(pipeline, result, raise_errors=raise_errors)
        if on_progress is not None and batch.files_done != files_done:
            files_done = batch.files_done
            on_progress(files_done, len(batch.files))
    if on_progress is not None and batch.files_done != files_done:
        on_progress(batch.files_done, len(batch.files))
