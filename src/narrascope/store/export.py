"""Streaming export of a store: JSON lines, CSV or SemEval subtask-2 lines, one article at a time.

Written through a temporary file renamed into place, so an interrupted export leaves no half file.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from typing import TextIO

from narrascope.analysis import Analysis
from narrascope.fileio import AtomicOutput, csv_cell
from narrascope.formats.writers import CSV_COLUMNS, summary_row
from narrascope.store.db import Store

EXPORT_FORMATS = ("jsonl", "csv", "semeval")


def _semeval_line(analysis: Analysis) -> str:
    narratives = analysis.labels("narrative") or ["Other"]
    subs = analysis.labels("subnarrative") or ["Other"]
    clean = [";".join(x.replace("\t", " ").replace("\n", " ") for x in labels) for labels in (narratives, subs)]
    return f"{analysis.id}\t{clean[0]}\t{clean[1]}\n"


def write_export(store: Store, fmt: str, handle: TextIO) -> int:
    """Write every stored analysis to `handle`; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    count = 0
    analyses: Iterator[Analysis] = store.iter_analyses()
    for analysis in analyses:
        if fmt == "jsonl":
            handle.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
        elif writer is not None:
            writer.writerow({k: csv_cell(v) for k, v in summary_row(analysis).items()})
        else:
            handle.write(_semeval_line(analysis))
        count += 1
    return count


def export(store: Store, fmt: str, out: str | os.PathLike[str]) -> int:
    """Export to the file `out`, atomically (`fileio.AtomicOutput`: the old file or the complete new one)."""
    with AtomicOutput(out) as output:
        count = write_export(store, fmt, output.handle)  # type: ignore[arg-type]
        output.commit()
    return count
