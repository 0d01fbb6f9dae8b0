"""`analyze` (one text or path to an `Analysis`) and `analyze_many` (a batch that survives bad documents)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.errors import IngestError, NarrascopeError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.ingest.readers import expand_paths, read_file
from narrascope.pipeline import Pipeline, load_pipeline


def _looks_like_path(value: str) -> bool:
    return "\n" not in value and len(value) < 4096 and os.path.isfile(value)


def analyze(
    text_or_path: str | os.PathLike[str] | Article,
    *,
    components: Iterable[str] | None = None,
    pipeline: Pipeline | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Analysis:
    """Analyse one article given as text (SemEval layout: title on the first line), a file path or an Article.

    A `Path` must exist; a string is read as a path only when it names an existing file, else as text.
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
    """One document of a batch: its analysis, or the one-line reason it failed."""

    origin: str
    analysis: Analysis | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


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
    files, failures = expand_paths(list(paths))
    for failure in failures:
        yield Outcome(failure.origin, error=failure.error)
    for done, path in enumerate(files, start=1):
        for result in read_file(path, fields=fields, max_bytes=max_bytes):
            if result.article is None:
                yield Outcome(result.origin, error=result.error, warnings=result.warnings)
                continue
            try:
                analysis = pipeline(result.article)
            except Exception as exc:  # one bad article never aborts a batch
                if raise_errors:
                    raise
                message = str(exc) if isinstance(exc, NarrascopeError) else f"{type(exc).__name__}: {exc}"
                yield Outcome(result.origin, error=f"{result.origin}: analysis failed: {message}")
                continue
            analysis.warnings.extend(result.warnings)
            yield Outcome(result.origin, analysis, warnings=result.warnings)
        if on_progress is not None:
            on_progress(done, len(files))
