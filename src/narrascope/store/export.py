"""Streaming export of a store, or of the articles one filter selects: JSON lines, CSV or SemEval lines.

One article at a time (constant memory). The CSV rows are `formats.writers.CsvWriter`'s, the same as
`analyze --format csv` (asserted judgments only, spreadsheet-safe cells); JSON lines are the lossless analyses
(withheld judgments inside, flagged). A file is written through a temporary file renamed into place, so an
interrupted export leaves no half file.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from typing import TextIO

from narrascope.analysis import Analysis
from narrascope.defaults import EXPORT_FORMATS as EXPORT_FORMATS  # re-exported: its old home
from narrascope.fileio import AtomicOutput
from narrascope.formats.writers import CsvWriter
from narrascope.store.db import Store

MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "semeval": "text/tab-separated-values"}


def _semeval_line(analysis: Analysis) -> str:
    narratives = analysis.labels("narrative") or ["Other"]
    subs = analysis.labels("subnarrative") or ["Other"]
    clean = [";".join(x.replace("\t", " ").replace("\n", " ") for x in labels) for labels in (narratives, subs)]
    return f"{analysis.id}\t{clean[0]}\t{clean[1]}\n"


def export_chunks(fmt: str, analyses: Iterator[Analysis]) -> Iterator[str]:
    """The export of `analyses` in `fmt`, a header (CSV) then one line or row per analysis."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    csv_writer = None
    if fmt == "csv":
        header = io.StringIO()
        csv_writer = CsvWriter(header)
        yield header.getvalue()
    for analysis in analyses:
        if fmt == "jsonl":
            yield json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n"
        elif csv_writer is not None:
            yield csv_writer.render(analysis)
        else:
            yield _semeval_line(analysis)


def write_export(store: Store, fmt: str, handle: TextIO, on_article: Callable[[], None] | None = None) -> int:
    """Write every stored analysis to `handle`; returns how many. `on_article()` follows each one written."""
    count = -1 if fmt == "csv" else 0  # the CSV header is one chunk more
    for chunk in export_chunks(fmt, store.iter_analyses()):
        handle.write(chunk)
        count += 1
        if on_article is not None and count > 0:
            on_article()
    return max(count, 0)


def export(store: Store, fmt: str, out: str | os.PathLike[str], on_article: Callable[[], None] | None = None) -> int:
    """Export to the file `out`, atomically (`fileio.AtomicOutput`: the old file or the complete new one)."""
    with AtomicOutput(out) as output:
        count = write_export(store, fmt, output.handle, on_article)  # type: ignore[arg-type]
        output.commit()
    return count
