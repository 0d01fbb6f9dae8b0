"""A corpus cut into partitions that any worker can read on its own, naming documents as `analyze_many` does.

JSONL files are cut by byte ranges at line ends, CSV files by byte ranges at record ends (found by the csv
module itself, so a quoted field with line breaks is never cut), other files go in lists of files. A partition
carries what a worker needs to give each document the origin, line number, warnings and metadata that the local
engine gives it: the paths as the user wrote them, the lines before its first byte, the CSV header, the file's
decoding warnings, and the directory they are relative to.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from narrascope.defaults import DEFAULT_PART_SIZE as DEFAULT_PART_SIZE  # re-exported: its old home
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.ingest.readers import RECORD_SUFFIXES, STDIN, ReadResult, expand_paths, read_file
from narrascope.ingest.records import RecordWindow, check_corpus_head, read_records

MAX_PART_BYTES = 64 * 1024 * 1024
_BLOCK = 8 * 1024 * 1024
_BOM = codecs.BOM_UTF8
_CSV_SCAN_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Partition:
    """One unit of work: a list of files, or a byte range `[start, end)` of one JSONL or CSV file."""

    number: int
    kind: str  # "files", "jsonl" or "csv"
    paths: list[str]  # as the user gave them (one path for jsonl/csv)
    root: str  # the client's working directory: relative paths are read from there
    stamps: list[list[int]]  # [size, mtime_ns] of each path: a changed input is analysed again on a rerun
    start: int = 0
    end: int = 0
    first_line: int = 0  # lines of the file before `start`
    header: list[str] | None = None
    warnings: list[str] = field(default_factory=list)  # decoding warnings of the whole file
    documents: int = 0  # an estimate (blank lines and empty CSV rows count)

    @property
    def file_name(self) -> str:
        return f"part-{self.number:05d}.jsonl"

    def describe(self) -> str:
        if self.kind == "files":
            more = f" and {len(self.paths) - 1} more file(s)" if len(self.paths) > 1 else ""
            return f"part {self.number} ({self.paths[0]}{more})"
        return f"part {self.number} ({self.paths[0]} bytes {self.start}-{self.end})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Partition:
        return cls(**dict(data))

    def local_path(self, path: str) -> Path:
        return Path(self.root, path)


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def plan(
    paths: Sequence[str], *, part_size: int = DEFAULT_PART_SIZE, max_part_bytes: int = MAX_PART_BYTES
) -> tuple[list[Partition], list[ReadResult]]:
    """Partitions of the documents under `paths`, in `analyze_many`'s order, and the inputs that give none.

    The same inputs and sizes always give the same partitions, which is what lets a rerun skip complete parts.
    """
    if part_size < 1:
        raise ValueError("part_size must be at least 1")
    root = os.getcwd()
    files, failures = expand_paths(list(paths))
    if STDIN in files:
        raise IngestError("- (stdin) cannot be spread over workers; save it to a file and pass the file")
    parts: list[Partition] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            stamps = [_stamp(Path(root, p)) for p in pending]
            parts.append(Partition(len(parts), "files", list(pending), root, stamps, documents=len(pending)))
            pending.clear()

    for name in files:
        suffix = Path(name).suffix.lower()
        if suffix not in RECORD_SUFFIXES:
            pending.append(name)
            if len(pending) >= part_size:
                flush()
            continue
        flush()
        try:
            parts.extend(_split_records(name, root, suffix[1:], len(parts), part_size, max_part_bytes))
        except IngestError as exc:
            failures.append(ReadResult(name, error=str(exc)))
        except OSError as exc:
            failures.append(ReadResult(name, error=f"{name}: cannot be read ({exc.strerror or exc})"))
    flush()
    return parts, failures


def _split_records(
    name: str, root: str, kind: str, first_number: int, part_size: int, max_part_bytes: int
) -> list[Partition]:
    path = Path(root, name)
    with path.open("rb") as handle:
        head = handle.read(8192)
    check_corpus_head(head, name, path.stat().st_size)  # refused whole, as the local reader refuses it
    warnings: list[str] = []  # decoding warnings are given per record, as the local reader gives them
    stamp = [_stamp(path)]
    if kind == "csv":
        header, cuts = _csv_cuts(path, part_size, max_part_bytes)
    else:
        header, cuts = None, _jsonl_cuts(path, part_size, max_part_bytes)
    return [
        Partition(first_number + i, kind, [name], root, stamp, start, end, first_line, header, warnings, count)
        for i, (start, end, first_line, count) in enumerate(cuts)
    ]


Cut = tuple[int, int, int, int]  # start, end, lines before start, documents (estimate)


def _jsonl_cuts(path: Path, part_size: int, max_part_bytes: int) -> list[Cut]:
    cuts: list[Cut] = []
    start = lines_before = lines = base = 0
    last = b"\n"
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            newlines = block.count(b"\n")
            if lines + newlines < part_size and base + len(block) - start < max_part_bytes:
                lines += newlines  # no cut in this block
            else:
                i = 0
                while (j := block.find(b"\n", i)) >= 0:
                    lines += 1
                    i = j + 1
                    if lines >= part_size or base + i - start >= max_part_bytes:
                        cuts.append((start, base + i, lines_before, lines))
                        start, lines_before, lines = base + i, lines_before + lines, 0
            base += len(block)
            last = block[-1:]
    if base > start:
        cuts.append((start, base, lines_before, lines + (last != b"\n")))
    return cuts


def _csv_cuts(path: Path, part_size: int, max_part_bytes: int) -> tuple[list[str], list[Cut]]:
    """Record ends found by `csv.reader` itself, reading the bytes back exactly (surrogateescape)."""
    position = 0

    def lines(text: io.TextIOWrapper) -> Iterator[str]:
        nonlocal position
        for number, line in enumerate(text):
            position += len(line.encode("utf-8", "surrogateescape"))
            yield line[1:] if number == 0 and line.startswith("\ufeff") else line

    limit = csv.field_size_limit()
    csv.field_size_limit(_CSV_SCAN_LIMIT)
    try:
        with path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(lines(text))
            header = next(reader, [])
            cuts: list[Cut] = []
            start, first_line, count = position, reader.line_num, 0
            for _row in reader:
                count += 1
                if count >= part_size or position - start >= max_part_bytes:
                    cuts.append((start, position, first_line, count))
                    start, first_line, count = position, reader.line_num, 0
            if position > start:
                cuts.append((start, position, first_line, count))
    except csv.Error as exc:
        raise IngestError(f"{path}: not a readable CSV file ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    return header, cuts


def read_partition(
    part: Partition, *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """The documents of one partition, each as `analyze_many` would read it (origin, warnings, metadata)."""
    if part.kind == "files":
        for name in part.paths:
            for result in read_file(str(part.local_path(name)), max_bytes=max_bytes):
                yield _relabel(result, str(part.local_path(name)), name)
        return
    name = part.paths[0]
    window = RecordWindow(part.start, part.end, part.first_line, part.header)
    local = str(part.local_path(name))
    for result in read_records(Path(local), fields=fields, max_bytes=max_bytes, window=window):
        yield _relabel(result, local, name)


def _relabel(result: ReadResult, read_as: str, name: str) -> ReadResult:
    """A document read through its absolute path, named by the path the user gave (as the local engine does)."""
    if read_as == name:
        return result

    def fix(value: str) -> str:
        return value.replace(read_as, name)

    result.origin = fix(result.origin)
    result.error = fix(result.error) if result.error else result.error
    result.warnings = [fix(w) for w in result.warnings]
    if result.article is not None:
        meta = result.article.meta
        if meta.get("path") == read_as:
            meta["path"] = name
        if isinstance(meta.get("origin"), str):
            meta["origin"] = fix(meta["origin"])
    return result
