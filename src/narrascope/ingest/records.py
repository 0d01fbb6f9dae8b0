"""Corpora: one article per JSON line or CSV row, read as a stream.

A corpus is never loaded whole: lines are read one at a time with a size limit (`--max-bytes`), so an
oversized record is reported and skipped without being held in memory. JSON lines are split on "\n" only
(U+2028 inside a string is text). Every bad record becomes a `ReadResult` naming the file and line.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES, check_regular, describe_size, os_reason

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


def _lines(handle: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, the line or None when it is over `max_bytes`, bytes read so far); at most `max_bytes`
    of a line is ever held."""
    number = 0
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


def read_records(
    path: Path, *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """One article per JSON line or CSV row; a bad record is reported with its line and skipped."""
    fields = {**DEFAULT_FIELDS, **(fields or {})}
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
        head = handle.read(4)
        handle.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            yield ReadResult(str(path), error=f"{path}: a UTF-16/32 corpus; convert it to UTF-8 (e.g. with iconv)")
            return
        reader = _csv_records if path.suffix.lower() == ".csv" else _json_records
        yield from reader(handle, path, fields, max_bytes)


def _json_records(handle: IO[bytes], path: Path, fields: Mapping[str, str], max_bytes: int) -> Iterator[ReadResult]:
    for number, line, done in _lines(handle, max_bytes):
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

    def __init__(self, handle: IO[bytes], path: Path, max_bytes: int) -> None:
        self.lines = _lines(handle, max_bytes)
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


def _csv_records(handle: IO[bytes], path: Path, fields: Mapping[str, str], max_bytes: int) -> Iterator[ReadResult]:
    csv.field_size_limit(max_bytes)
    lines = _CsvLines(handle, path, max_bytes)
    rows = csv.reader(iter(lines))
    header: list[str] | None = None
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            origin = f"{path}:{rows.line_num}"
            yield ReadResult(origin, error=f"{origin}: not valid CSV ({exc})", bytes_read=lines.done)
            continue
        origin = f"{path}:{rows.line_num}"
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
