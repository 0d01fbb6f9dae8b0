"""Read a STIX 2.1 bundle's `report` objects as articles: what an analyst who starts from a threat-intelligence
platform (OpenCTI and others) hands to `narrascope ingest`.

A report gives the title (`name`), the date (`published`, unless labelled `undated`), the text (`description`),
the URL (the first external reference with a `url`), the outlet (the reference described as `publisher`, else
the one with the URL) and the language (`lang`). A report that narrascope exported carries the article id as an
external reference (`source_name` "narrascope"), so export -> ingest -> export keeps every id; another report's
id is its STIX id. Reports without text are reported as failures, one line each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from narrascope.article import Article
from narrascope.errors import IngestError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES, decode_text, read_bytes_limited
from narrascope.ingest.records import ReadResult, sanitized

NARRASCOPE_SOURCE = "narrascope"  # the external reference that names an exported article's id
# the label of a report whose article had no date: its `published` (required) is when narrascope stored it
UNDATED = "undated"
MIDNIGHT = ("T00:00:00Z", "T00:00:00.000Z")
PUBLISHER = "publisher"  # the description of the external reference that names an exported article's outlet


def is_bundle(document: object) -> bool:
    return isinstance(document, dict) and document.get("type") == "bundle" and isinstance(document.get("objects"), list)


def read_json_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Any, list[str]] | None:
    """The parsed JSON of a file and the decoding warnings, or None when it is not JSON."""
    decoded = decode_text(read_bytes_limited(path, max_bytes=max_bytes), str(path), max_bytes=max_bytes)
    try:
        return json.loads(decoded.text), list(decoded.warnings)
    except ValueError:
        return None


def bundle_articles(bundle: Mapping[str, Any], where: str) -> Iterator[ReadResult]:
    """One `ReadResult` per report of the bundle, in the bundle's order."""
    reports = [o for o in bundle["objects"] if isinstance(o, dict) and o.get("type") == "report"]
    if not reports:
        yield ReadResult(where, error=f"{where}: a STIX bundle with no report object (nothing to ingest)")
    for number, report in enumerate(reports, start=1):
        origin = f"{where}#{report.get('id') or number}"
        text = report.get("description")
        if not isinstance(text, str) or not text.strip():
            yield sanitized(ReadResult(origin, error=f"{origin}: the report has no description (the article text)"))
            continue
        yield sanitized(ReadResult(origin, report_article(report, text, where)))


def report_article(report: Mapping[str, Any], text: str, where: str) -> Article:
    references = [r for r in report.get("external_references") or [] if isinstance(r, dict)]
    article_id = next(
        (
            str(r["external_id"])
            for r in references
            if r.get("source_name") == NARRASCOPE_SOURCE and r.get("external_id")
        ),
        str(report.get("id") or ""),
    )
    url = next((str(r["url"]) for r in references if r.get("url")), None)
    named = [r for r in references if r.get("description") == PUBLISHER] or [r for r in references if r.get("url")]
    source = next((str(r["source_name"]) for r in named if r.get("source_name") not in (None, "url")), None)
    published = None if UNDATED in (report.get("labels") or []) else report.get("published")
    if isinstance(published, str) and published.endswith(MIDNIGHT):  # a date written as a STIX timestamp
        published = published[:10]
    return Article(
        raw_text=text, id=article_id, title=str(report["name"]) if report.get("name") else None, url=url,
        source=source, published=str(published) if published else None,
        language=str(report["lang"]) if report.get("lang") else None,
        meta={"path": where, "format": "stix", "stix_id": report.get("id")},
    )  # fmt: skip


def read_bundle_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadResult] | None:
    """The articles of a STIX bundle file, or None when the file is no STIX bundle (read it as text then)."""
    try:
        parsed = read_json_file(path, max_bytes=max_bytes)
    except IngestError:
        return None
    if parsed is None or not is_bundle(parsed[0]):
        return None
    return bundle_articles(parsed[0], str(path))
