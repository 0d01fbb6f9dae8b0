"""Readers: files, folders, corpora and stdin to `Article`s.

Every reader yields `ReadResult`s instead of raising, so that one bad document never aborts a batch; each
failure carries a one-line message that names the file (and line, for corpora).
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES, check_regular, decode_text, os_reason, read_bytes_limited
from narrascope.ingest.records import DEFAULT_FIELDS as DEFAULT_FIELDS  # re-exported: readers' public names
from narrascope.ingest.records import ReadResult as ReadResult
from narrascope.ingest.records import read_records, sanitized
from narrascope.ingest.stix import read_bundle_file

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
RECORD_SUFFIXES = (".jsonl", ".csv")
STIX_SUFFIX = ".json"  # read as a STIX bundle when it is one (`ingest.stix`)
ARTICLE_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + RECORD_SUFFIXES
# A SemEval release folder keeps its documents in one of these, beside annotation files that are no articles.
SEMEVAL_DOCUMENT_DIRS = ("raw-documents", "subtask-2-documents", "subtask-1-documents", "subtask-3-documents")
STDIN = "-"


def article_files(directory: Path, failures: list[ReadResult] | None = None) -> list[Path]:
    """Article files under `directory`, recursive and sorted, so that every run sees the same order.

    A folder that holds SemEval document folders (raw-documents, ...) is read only there, so the annotation
    files beside them are never taken for articles; that holds for a parent of several release folders too.
    Folders that cannot be read, symbolic link loops and article-named entries that are not regular files
    are appended to `failures` (one per path) and the walk goes on.
    """
    found: list[tuple[str, Path]] = []
    _walk(directory, "", found, failures if failures is not None else [], frozenset())
    return [p for _, p in sorted(found)]


def _walk(
    folder: Path, rel: str, found: list[tuple[str, Path]], failures: list[ReadResult], ancestors: frozenset[Any]
) -> None:
    try:
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in ancestors:
            failures.append(ReadResult(str(folder), error=f"{folder}: symbolic link loop (links back to a parent)"))
            return
        ancestors = ancestors | {(st.st_dev, st.st_ino)}
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        failures.append(ReadResult(str(folder), error=f"{folder}: cannot read the folder: {os_reason(exc)}"))
        return
    documents = next((e for name in SEMEVAL_DOCUMENT_DIRS for e in entries if e.name == name and e.is_dir()), None)
    if documents is not None:
        entries = [documents]
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path, entry_rel = Path(entry.path), f"{rel}{entry.name}"
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
            if entry.is_symlink() and not (is_dir or is_file):
                os.stat(entry.path)  # raises for a loop or a broken link
        except OSError as exc:
            failures.append(ReadResult(str(path), error=f"{path}: {os_reason(exc)}"))
            continue
        if is_dir:
            _walk(path, entry_rel + "/", found, failures, ancestors)
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            if is_file:
                found.append((entry_rel, path))
            else:
                try:
                    check_regular(path)
                except IngestError as exc:
                    failures.append(ReadResult(str(path), error=str(exc)))


def expand_paths(paths: list[str]) -> tuple[list[str], list[ReadResult]]:
    """Files to read for the given paths (folders expanded), and failures for paths that give none."""
    files: list[str] = []
    failures: list[ReadResult] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        try:
            st = os.stat(path)
        except OSError as exc:
            failures.append(ReadResult(raw, error=f"{raw}: {os_reason(exc)}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            found = article_files(path, failures)
            if not found:
                failures.append(
                    ReadResult(raw, error=f"{raw}: no articles found (looked for {', '.join(ARTICLE_SUFFIXES)})")
                )
            files.extend(str(p) for p in found)
        else:
            try:
                check_regular(path, st)
            except IngestError as exc:
                failures.append(ReadResult(raw, error=str(exc)))
                continue
            files.append(raw)
    return files, [sanitized(f) for f in failures]


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    decoded = decode_text(read_bytes_limited(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)
    article = Article(raw_text=decoded.text, id=path.name, meta={"path": str(path), "format": "txt"})
    return ReadResult(str(path), article, warnings=decoded.warnings)


def read_html_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Main text, title, date, url and site name of a saved web page, extracted offline by trafilatura.

    Offsets of an HTML article count into the extracted text (title line, blank line, body), since the
    markup itself is not the article.
    """
    decoded = decode_text(read_bytes_limited(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)
    article = html_article(decoded.text, str(path), id=path.name, meta={"path": str(path)})
    return ReadResult(str(path), article, warnings=decoded.warnings)


def html_article(html: str, where: str, *, id: str, meta: Mapping[str, Any], url: str | None = None) -> Article:
    """The article of an HTML page (trafilatura): text, title, author, date, canonical url and site name.

    `url` is where the page was fetched from (trafilatura resolves relative metadata against it); `where`
    names the page in the IngestError raised when it holds no article text.
    """
    import trafilatura

    found = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    extracted: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    body = str(extracted.get("text") or "").strip()
    if not body:
        raise IngestError(f"{where}: no article text found in the HTML page")
    title = str(extracted.get("title") or "").strip() or None
    raw = body if title is None or body.startswith(title) else f"{title}\n\n{body}"
    author = extracted.get("author")
    return Article(
        raw_text=raw + "\n",
        id=id,
        title=title,
        url=extracted.get("url"),
        source=extracted.get("sitename"),
        published=extracted.get("date"),
        meta={**meta, "format": "html", **({"byline": author} if author else {})},
    )


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    data = sys.stdin.buffer.read(max_bytes + 1)  # never more than the limit, whatever is piped in
    decoded = decode_text(data, "<stdin>", max_bytes=max_bytes)
    return ReadResult("<stdin>", Article(raw_text=decoded.text, meta={"format": "txt"}), warnings=decoded.warnings)


def read_file(
    path: str, *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """All documents in one file (or stdin for "-"), by file type."""
    try:
        if path == STDIN:
            yield sanitized(read_stdin(max_bytes=max_bytes))
            return
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            yield from read_records(p, fields=fields, max_bytes=max_bytes)
        elif suffix in HTML_SUFFIXES:
            yield sanitized(read_html_file(p, max_bytes=max_bytes))
        elif suffix == STIX_SUFFIX and (bundle := read_bundle_file(p, max_bytes=max_bytes)) is not None:
            yield from bundle  # a STIX bundle's reports; any other .json file is read as text, as before
        else:
            yield sanitized(read_text_file(p, max_bytes=max_bytes))
    except IngestError as exc:
        yield sanitized(ReadResult(path if path != STDIN else "<stdin>", error=str(exc)))


def read_paths(
    paths: list[str], *, fields: Mapping[str, str] | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[ReadResult]:
    """Every document under `paths`, in a deterministic order, failures included."""
    files, failures = expand_paths(paths)
    yield from failures
    for path in files:
        yield from read_file(path, fields=fields, max_bytes=max_bytes)
