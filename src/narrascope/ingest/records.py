"""Corpora: one article per JSON line or CSV row, read as a stream.

A corpus is never loaded whole: lines are read one at a time with a size limit (`--max-bytes`), so an
oversized record is reported and skipped without being held in memory. JSON lines are split on "\n" only
(U+2028 inside a string is text). Every bad record becomes a `ReadResult` naming the file and line.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES, check_regular, decode_text, describe_size, os_reason

DEFAULT_FIELDS: Mapping[str, str] = {
    "id": "id",
    "text": "text",
    "title": "title",
    "url": "url",
    "source": "source",
    "published": "published",
    "language": "language",
}
_SKIP_CHUNK = 1 << 20
_SURROGATE = re.compile("[\ud800-\udfff]")
_HEAD = 8192  # bytes sniffed for binary data


@dataclass
class ReadResult:
    """What reading one document gave: an article, or the reason it could not be read.

    `bytes_read` is how far into its file the reader was after this document (for progress).
    """

    origin: str
    article: Article | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    bytes_read: int = 0


def without_surrogates(value: str) -> str:
    """`value` with lone surrogates replaced by U+FFFD: a JSON `"\\udcff"` escape or an undecodable byte of a
    file name (Python's surrogateescape) decodes to one, and it cannot be written as UTF-8 (store, JSON, CSV)."""
    return _SURROGATE.sub("\ufffd", value)


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_clean_value(v) for v in value]
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    return value


_ARTICLE_TEXTS = ("raw_text", "id", "title", "text", "source", "url", "published", "language")


def sanitized(result: ReadResult) -> ReadResult:
    """`result` with every lone surrogate replaced (one warning names the fields), so that one bad record or
    file name never stops a run at the writer or the store; a clean result is returned as it is."""
    dirty = [name for name in ("origin", "error") if _SURROGATE.search(getattr(result, name) or "")]
    article = result.article
    if article is not None:
        dirty += [name for name in _ARTICLE_TEXTS if _SURROGATE.search(getattr(article, name) or "")]
        if any(_clean_value(v) != v for v in (article.meta, article.cited_sources)):
            dirty.append("meta")
    if not dirty and not any(_SURROGATE.search(w) for w in result.warnings):
        return result
    origin = without_surrogates(result.origin)
    warnings = [without_surrogates(w) for w in result.warnings]
    if dirty:
        fields = [{"raw_text": "text"}.get(n, n) for n in dirty if n not in ("origin", "error", "meta", "text")]
        if "origin" in dirty:
            warnings.append(f"{origin}: the file name is not valid UTF-8; its undecodable bytes became U+FFFD")
        else:
            shown = ", ".join(fields or ["meta"])
            warnings.append(f"{origin}: invalid Unicode (a lone surrogate) in {shown}; replaced with U+FFFD")
    if article is not None:
        changes: dict[str, Any] = {
            n: without_surrogates(v) for n in _ARTICLE_TEXTS if isinstance(v := getattr(article, n), str)
        }
        changes["meta"] = _clean_value(article.meta)
        changes["cited_sources"] = _clean_value(article.cited_sources)
        article = dataclasses.replace(article, **changes)
    error = without_surrogates(result.error) if result.error is not None else None
    return ReadResult(origin, article, error=error, warnings=warnings, bytes_read=result.bytes_read)


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


@dataclass(frozen=True)
class RecordWindow:
    """A byte range `[start, end)` of a corpus file that starts and ends at record boundaries: what one
    partition of a distributed run reads, naming its records exactly as a whole-file read does."""

    start: int
    end: int
    first_line: int = 0  # lines of the file before `start`
    header: list[str] | None = None  # a CSV file's header, for a window after the first


class _Windowed:
    """`readline` and `tell` of a binary file that stop at `end`."""

    def __init__(self, handle: IO[bytes], end: int) -> None:
        self.handle, self.end = handle, end

    def readline(self, limit: int) -> bytes:
        left = self.end - self.handle.tell()
        return self.handle.readline(min(limit, left)) if left > 0 else b""

    def tell(self) -> int:
        return self.handle.tell()


def _lines(
    handle: IO[bytes] | _Windowed, max_bytes: int, first_line: int = 0
) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, the line or None when it is over `max_bytes`, bytes read so far); at most `max_bytes`
    of a line is ever held."""
    number = first_line
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if len(line) > max_bytes:
            while line and not line.endswith(b"\n"):  # skip the rest of the oversized line in bounded chunks
                line = handle.readline(_SKIP_CHUNK)
            yield number, None, handle.tell()
            continue
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        yield number, line, handle.tell()


def _oversized(origin: str, max_bytes: int) -> str:
    return f"{origin}: the record is over the size limit of {describe_size(max_bytes)} (raise it with --max-bytes)"


def _decode(line: bytes, origin: str, warnings: list[str]) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        warnings.append(f"{origin}: invalid UTF-8 at byte {exc.start}; undecodable bytes were replaced with U+FFFD")
        return line.decode("utf-8", errors="replace")


def check_corpus_head(head: bytes, origin: str, size: int) -> None:
    """Refuse, as a whole, a corpus that is not UTF-8 text (UTF-16/32, binary data such as an image named .csv)
    or holds no text at all (`head` is its first bytes, `size` its length)."""
    if not head.strip() and size <= len(head):
        raise IngestError(f"{origin}: the file is empty (no text to analyse)")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(f"{origin}: a UTF-16/32 corpus; convert it to UTF-8 (e.g. with iconv)")
    if head.strip():
        decode_text(head, origin, max_bytes=len(head))  # raises on binary data; a cut character only warns


def read_records(
    path: Path,
    *,
    fields: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    window: RecordWindow | None = None,
) -> Iterator[ReadResult]:
    """One article per JSON line or CSV row (of `window` only, when given); a bad record is reported with its
    line and skipped."""
    for result in _read_records(path, {**DEFAULT_FIELDS, **(fields or {})}, max_bytes, window):
        yield sanitized(result)


def _read_records(
    path: Path, fields: Mapping[str, str], max_bytes: int, window: RecordWindow | None
) -> Iterator[ReadResult]:
    try:
        check_regular(path)
        handle = open(path, "rb")  # noqa: SIM115 (closed below; the generator may stop early)
    except IngestError as exc:
        yield ReadResult(str(path), error=str(exc))
        return
    except OSError as exc:
        yield ReadResult(str(path), error=f"{path}: {os_reason(exc)}")
        return
    with handle:
        try:
            check_corpus_head(handle.read(_HEAD), str(path), os.fstat(handle.fileno()).st_size)
        except IngestError as exc:
            yield ReadResult(str(path), error=str(exc))
            return
        window = window or RecordWindow(0, os.fstat(handle.fileno()).st_size)
        handle.seek(window.start)
        lines = _lines(_Windowed(handle, window.end), max_bytes, window.first_line)
        if path.suffix.lower() == ".csv":
            yield from _csv_records(lines, path, fields, max_bytes, window)
        else:
            yield from _json_records(lines, path, fields, max_bytes)


def _json_records(
    lines: Iterator[tuple[int, bytes | None, int]], path: Path, fields: Mapping[str, str], max_bytes: int
) -> Iterator[ReadResult]:
    for number, line, done in lines:
        origin = f"{path}:{number}"
        if line is None:
            yield ReadResult(origin, error=_oversized(origin, max_bytes), bytes_read=done)
            continue
        warnings: list[str] = []
        text = _decode(line, origin, warnings)
        if not text.strip():
            continue
        try:
            record = json.loads(text)
            if not isinstance(record, dict):
                raise IngestError(f"{origin}: expected a JSON object, found {type(record).__name__}")
            yield ReadResult(origin, _record_article(record, fields, origin), warnings=warnings, bytes_read=done)
        except json.JSONDecodeError as exc:
            message = f"{origin}: not valid JSON ({exc.msg} at column {exc.colno})"
            yield ReadResult(origin, error=message, bytes_read=done)
        except RecursionError:
            yield ReadResult(origin, error=f"{origin}: JSON nested too deeply to read", bytes_read=done)
        except ValueError as exc:  # e.g. an integer with too many digits
            yield ReadResult(origin, error=f"{origin}: not valid JSON ({exc})", bytes_read=done)
        except IngestError as exc:
            yield ReadResult(origin, error=str(exc), bytes_read=done)


class _CsvLines:
    """Decoded lines for `csv.reader`; an oversized line is replaced by an empty one and remembered."""

    def __init__(self, lines: Iterator[tuple[int, bytes | None, int]], path: Path) -> None:
        self.lines = lines
        self.path = path
        self.oversized: list[int] = []
        self.warnings: list[str] = []
        self.done = 0

    def __iter__(self) -> Iterator[str]:
        for number, line, done in self.lines:
            self.done = done
            if line is None:
                self.oversized.append(number)
                yield "\n"
                continue
            yield _decode(line, f"{self.path}:{number}", self.warnings)


def _csv_records(
    numbered: Iterator[tuple[int, bytes | None, int]],
    path: Path,
    fields: Mapping[str, str],
    max_bytes: int,
    window: RecordWindow,
) -> Iterator[ReadResult]:
    csv.field_size_limit(max_bytes)
    lines = _CsvLines(numbered, path)
    rows = csv.reader(iter(lines))
    header = window.header
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            origin = f"{path}:{window.first_line + rows.line_num}"
            yield ReadResult(origin, error=f"{origin}: not valid CSV ({exc})", bytes_read=lines.done)
            continue
        origin = f"{path}:{window.first_line + rows.line_num}"
        while lines.oversized:
            line = f"{path}:{lines.oversized.pop(0)}"
            yield ReadResult(line, error=_oversized(line, max_bytes), bytes_read=lines.done)
        if not row:
            continue
        if header is None:
            header = row
            continue
        warnings, lines.warnings = lines.warnings, []
        try:
            article = _record_article(dict(zip(header, row, strict=False)), fields, origin)
        except IngestError as exc:
            yield ReadResult(origin, error=str(exc), bytes_read=lines.done)
            continue
        yield ReadResult(origin, article, warnings=warnings, bytes_read=lines.done)
