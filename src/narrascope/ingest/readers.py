"""Readers: files, folders, corpora and stdin to `Article`s.

Every reader yields `ReadResult`s instead of raising, so that one bad document never aborts a batch; each
failure carries a one-line message that names the file (and line, for corpora).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES, decode_text, read_bytes_limited

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".jsonl", ".csv")
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
# A SemEval release folder keeps its documents in one of these, beside annotation files that are no articles.
SEMEVAL_DOCUMENT_DIRS = ("raw-documents", "subtask-2-documents", "subtask-1-documents", "subtask-3-documents")
DEFAULT_FIELDS: Mapping[str, str] = {
    "id": "id",
    "text": "text",
    "title": "title",
    "url": "url",
    "source": "source",
    "published": "published",
    "language": "language",
}
STDIN = "-"


@dataclass
class ReadResult:
    """What reading one document gave: an article, or the reason it could not be read."""

    origin: str
    article: Article | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def article_files(directory: Path) -> list[Path]:
    """Article files under `directory`, recursive and sorted, so that every run sees the same order."""
    for name in SEMEVAL_DOCUMENT_DIRS:
        if (directory / name).is_dir():
            directory = directory / name
            break
    files = [
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES and not p.name.startswith(".")
    ]
    return sorted(files, key=lambda p: p.relative_to(directory).as_posix())


def expand_paths(paths: list[str]) -> tuple[list[str], list[ReadResult]]:
    """Files to read for the given paths (folders expanded), and failures for paths that give none."""
    files: list[str] = []
    failures: list[ReadResult] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found = article_files(path)
            if not found:
                failures.append(
                    ReadResult(raw, error=f"{raw}: no articles found (looked for {', '.join(ARTICLE_SUFFIXES)})")
                )
            files.extend(str(p) for p in found)
        elif path.exists():
            files.append(raw)
        else:
            failures.append(ReadResult(raw, error=f"{raw}: no such file or directory"))
    return files, failures


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    decoded = decode_text(read_bytes_limited(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)
    article = Article(raw_text=decoded.text, id=path.name, meta={"path": str(path), "format": "txt"})
    return ReadResult(str(path), article, warnings=decoded.warnings)


def read_html_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Main text, title, date, url and site name of a saved web page, extracted offline by trafilatura.

    Offsets of an HTML article count into the extracted text (title line, blank line, body), since the
    markup itself is not the article.
    """
    import trafilatura

    decoded = decode_text(read_bytes_limited(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)
    found = trafilatura.bare_extraction(decoded.text, with_metadata=True, include_comments=False)
    extracted: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    body = str(extracted.get("text") or "").strip()
    if not body:
        raise IngestError(f"{path}: no article text found in the HTML page")
    title = str(extracted.get("title") or "").strip() or None
    raw = body if title is None or body.startswith(title) else f"{title}\n\n{body}"
    author = extracted.get("author")
    article = Article(
        raw_text=raw + "\n",
        id=path.name,
        title=title,
        url=extracted.get("url"),
        source=extracted.get("sitename"),
        published=extracted.get("date"),
        meta={"path": str(path), "format": "html", **({"byline": author} if author else {})},
    )
    return ReadResult(str(path), article, warnings=decoded.warnings)


def _record_article(record: Mapping[str, Any], fields: Mapping[str, str], origin: str) -> Article:
    text_field = fields["text"]
    text = record.get(text_field)
    if not isinstance(text, str) or not text.strip():
        raise IngestError(f"{origin}: no text in field '{text_field}' (name the text field with --field text=NAME)")
    values = {key: record.get(name) for key, name in fields.items() if key != "text"}
    known = set(fields.values())
    extra = {k: v for k, v in record.items() if k not in known and isinstance(v, (str, int, float, bool))}
    return Article(
        raw_text=text,
        id=str(values["id"]) if values.get("id") not in (None, "") else "",
        title=str(values["title"]) if values.get("title") else None,
        url=str(values["url"]) if values.get("url") else None,
        source=str(values["source"]) if values.get("source") else None,
        published=str(values["published"]) if values.get("published") else None,
        language=str(values["language"]) if values.get("language") else None,
        meta={**extra, "origin": origin},
    )


def read_records(
    path: Path, *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """One article per JSON line or CSV row; a bad record is reported with its line and skipped."""
    fields = {**DEFAULT_FIELDS, **(fields or {})}
    try:
        data = read_bytes_limited(path, max_bytes=max_bytes * 1000)  # a corpus holds many articles
        decoded = decode_text(data, str(path), max_bytes=max_bytes * 1000)
    except IngestError as exc:
        yield ReadResult(str(path), error=str(exc))
        return
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(max_bytes)
        reader = csv.DictReader(io.StringIO(decoded.text, newline=""))
        rows: Iterator[tuple[int, Any]] = ((reader.line_num, row) for row in reader)
    else:
        rows = _json_lines(decoded.text, str(path))
    yield from record_results(str(path), rows, fields, decoded.warnings)


def record_results(
    name: str, rows: Iterable[tuple[int, Any]], fields: Mapping[str, str], warnings: list[str]
) -> Iterator[ReadResult]:
    """Articles of numbered corpus records (a parsed record, or the IngestError of an unparsable line)."""
    for line_no, record in rows:
        origin = f"{name}:{line_no}"
        try:
            if isinstance(record, IngestError):
                raise record
            if not isinstance(record, dict):
                raise IngestError(f"{origin}: expected a JSON object, found {type(record).__name__}")
            yield ReadResult(origin, _record_article(record, fields, origin), warnings=list(warnings))
        except IngestError as exc:
            yield ReadResult(origin, error=str(exc))


def _json_lines(text: str, origin: str) -> Iterator[tuple[int, Any]]:
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as exc:
            yield (
                line_no,
                IngestError(f"{origin}:{line_no}: not valid JSON ({exc.msg} at column {exc.colno})"),
            )


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    data = sys.stdin.buffer.read(max_bytes + 1)
    decoded = decode_text(data, "<stdin>", max_bytes=max_bytes)
    return ReadResult("<stdin>", Article(raw_text=decoded.text, meta={"format": "txt"}), warnings=decoded.warnings)


def read_file(
    path: str, *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """All documents in one file (or stdin for "-"), by file type."""
    try:
        if path == STDIN:
            yield read_stdin(max_bytes=max_bytes)
            return
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            yield from read_records(p, fields=fields, max_bytes=max_bytes)
        elif suffix in HTML_SUFFIXES:
            yield read_html_file(p, max_bytes=max_bytes)
        else:
            yield read_text_file(p, max_bytes=max_bytes)
    except IngestError as exc:
        yield ReadResult(path if path != STDIN else "<stdin>", error=str(exc))


def read_paths(
    paths: list[str], *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """Every document under `paths`, in a deterministic order, failures included."""
    files, failures = expand_paths(paths)
    yield from failures
    for path in files:
        yield from read_file(path, fields=fields, max_bytes=max_bytes)
