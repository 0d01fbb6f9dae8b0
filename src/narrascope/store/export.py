"""Streaming export of a store, or of the articles one filter selects: JSON lines, CSV or SemEval lines.

One article at a time (constant memory), in the corrected view unless `view="model"` (`store/corrected.py`:
what analysts rejected is left out, what they added is in, marked `source: "analyst"`, and each JSON line
lists its `corrections`). The CSV rows are `formats.writers.CsvWriter`'s, the same as `analyze --format csv`
(asserted judgments only, spreadsheet-safe cells); JSON lines are the lossless analyses (withheld judgments
inside, flagged). A file is written through a temporary file renamed into place, so an interrupted export
leaves no half file.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TextIO

from narrascope.analysis import Analysis
from narrascope.defaults import EXPORT_FORMATS as EXPORT_FORMATS  # re-exported: its old home
from narrascope.fileio import AtomicOutput
from narrascope.formats.writers import CsvWriter
from narrascope.store.corrected import in_force_of, view_document
from narrascope.store.db import Store
from narrascope.store.judgments import CORRECTED

MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "semeval": "text/tab-separated-values"}


def _semeval_line(analysis: Analysis) -> str:
    narratives = analysis.labels("narrative") or ["Other"]
    subs = analysis.labels("subnarrative") or ["Other"]
    clean = [";".join(x.replace("\t", " ").replace("\n", " ") for x in labels) for labels in (narratives, subs)]
    return f"{analysis.id}\t{clean[0]}\t{clean[1]}\n"


def iter_view(
    store: Store, *, view: str = CORRECTED, where: str = "1", args: Sequence[object] = ()
) -> Iterator[dict[str, Any]]:
    """Every stored analysis (of the articles `a` matching `where`) in a view, in id order, a page at a time."""
    for document in store.iter_documents(where=where, args=args):
        corrections = in_force_of(store.conn, str(document["id"])) if view == CORRECTED else []
        yield view_document(document, corrections, view=view)


def export_chunks(fmt: str, documents: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The export of analysis JSON `documents` in `fmt`, a header (CSV) then one line or row per analysis."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    csv_writer = None
    if fmt == "csv":
        header = io.StringIO()
        csv_writer = CsvWriter(header)
        yield header.getvalue()
    for document in documents:
        if fmt == "jsonl":
            yield json.dumps(document, ensure_ascii=False) + "\n"
        elif csv_writer is not None:
            yield csv_writer.render(Analysis.from_dict(document))
        else:
            yield _semeval_line(Analysis.from_dict(document))


def write_export(
    store: Store, fmt: str, handle: TextIO, on_article: Callable[[], None] | None = None, *, view: str = CORRECTED
) -> int:
    """Write every stored analysis to `handle`; returns how many. `on_article()` follows each one written."""
    count = -1 if fmt == "csv" else 0  # the CSV header is one chunk more
    for chunk in export_chunks(fmt, iter_view(store, view=view)):
        handle.write(chunk)
        count += 1
        if on_article is not None and count > 0:
            on_article()
    return max(count, 0)


def export(
    store: Store,
    fmt: str,
    out: str | os.PathLike[str],
    on_article: Callable[[], None] | None = None,
    *,
    view: str = CORRECTED,
) -> int:
    """Export to the file `out`, atomically (`fileio.AtomicOutput`: the old file or the complete new one)."""
    with AtomicOutput(out) as output:
        count = write_export(store, fmt, output.handle, on_article, view=view)  # type: ignore[arg-type]
        output.commit()
    return count
