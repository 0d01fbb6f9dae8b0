"""Output formats for a batch of analyses: JSON, JSON lines, CSV and a terminal table.

HTML lives in `html.py`, the table's layout in `table.py`. JSON is the lossless form (`Analysis.to_dict`); CSV
is a one-row-per-article summary, the table a compact block per article. Each format is a streaming writer
(`open_writer`): a document is written as soon as it is analysed and then forgotten, so memory does not grow
with the corpus. JSON streams its `documents` array and appends `errors` at the end; the table is the one
format that buffers (it is for a terminal, and is printed after the progress bar).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Sequence
from typing import IO

from rich.console import Console

from narrascope.analysis import SCHEMA_VERSION, Analysis
from narrascope.fileio import csv_cell
from narrascope.formats.table import print_table, technique_counts
from narrascope.runner import Outcome
from narrascope.version import __version__

FORMATS = ("table", "json", "jsonl", "csv", "html")
CSV_COLUMNS = (
    "id",
    "title",
    "language",
    "source",
    "url",
    "published",
    "cited_sources",
    "sentences",
    "removed_lines",
    "narratives",
    "subnarratives",
    "entities",
    "techniques",
    "claims",
    "origin",
    "text",
)


def split_outcomes(outcomes: Sequence[Outcome]) -> tuple[list[Analysis], list[Outcome]]:
    analyses = [o.analysis for o in outcomes if o.analysis is not None]
    return analyses, [o for o in outcomes if o.error is not None]


class OutcomeWriter:
    """Writes a batch as its documents come: `write` each outcome, then `close` once (even after Ctrl-C, so
    that what was written is a complete document of the outcomes so far). `documents` counts analyses."""

    buffers = False
    # A module-level function that writes one analysis as this writer would (`render`), when the workers can do
    # it (`run_batch(render=...)`: the text is sent back instead of the analysis); None when the writer reads the
    # analysis itself.
    worker_render: Callable[[Analysis], str] | None = None

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.documents = 0

    def write(self, outcome: Outcome) -> None:
        if outcome.rendered is not None:
            self.documents += 1
            self.handle.write(outcome.rendered)
        elif outcome.analysis is not None:
            self.documents += 1
            self.handle.write(self.render(outcome.analysis))
        elif outcome.error is not None:
            self.error(outcome)

    def render(self, analysis: Analysis) -> str:
        raise NotImplementedError

    def error(self, outcome: Outcome) -> None:
        """Failures are reported on stderr only, unless the format has a place for them."""

    def close(self) -> None:
        self.handle.flush()


def _indented(value: object, first: bool) -> str:
    """`value` as an element of a list at depth 2 of an `indent=2` document."""
    return ("\n    " if first else ",\n    ") + json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n    ")


class JsonWriter(OutcomeWriter):
    """The same bytes as `json.dumps(whole_batch, indent=2)`, written a document at a time; errors are kept in
    a temporary file (spilled to disk past 1 MB) until the end."""

    def __init__(self, handle: IO[str]) -> None:
        super().__init__(handle)
        head = {"schema_version": SCHEMA_VERSION, "narrascope_version": __version__}
        handle.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "documents": [')
        self.errors: IO[str] = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in close())
            max_size=1 << 20, mode="w+", encoding="utf-8"
        )
        self.error_count = 0

    def render(self, analysis: Analysis) -> str:
        return _indented(analysis.to_dict(), self.documents == 1)

    def error(self, outcome: Outcome) -> None:
        self.error_count += 1
        entry = {"origin": outcome.origin, "message": outcome.error}
        self.errors.write(_indented(entry, self.error_count == 1))

    def close(self) -> None:
        self.handle.write("\n  ]" if self.documents else "]")
        self.handle.write(',\n  "errors": [')
        self.errors.seek(0)
        while chunk := self.errors.read(1 << 16):
            self.handle.write(chunk)
        self.errors.close()
        self.handle.write("\n  ]\n}\n" if self.error_count else "]\n}\n")
        super().close()


def json_line(analysis: Analysis) -> str:
    """One analysis as a line of JSON Lines."""
    return json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n"


class JsonLinesWriter(OutcomeWriter):
    """One analysis per line; failures are reported on stderr only."""

    worker_render = staticmethod(json_line)

    def render(self, analysis: Analysis) -> str:
        return json_line(analysis)


class CsvWriter(OutcomeWriter):
    """One summary row per article; every cell is made safe for spreadsheets (`fileio.csv_cell`)."""

    def __init__(self, handle: IO[str]) -> None:
        super().__init__(handle)
        self.buffer = io.StringIO()
        self.writer = csv.DictWriter(self.buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.writer.writeheader()
        handle.write(self._take())

    def _take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text

    def render(self, analysis: Analysis) -> str:
        self.writer.writerow({k: csv_cell(v) for k, v in summary_row(analysis).items()})
        return self._take()


class TableWriter(OutcomeWriter):
    """The terminal table: buffers the analyses (written at the end, after the progress bar)."""

    buffers = True

    def __init__(self, handle: IO[str], console: Console) -> None:
        super().__init__(handle)
        self.console = console
        self.outcomes: list[Outcome] = []

    def write(self, outcome: Outcome) -> None:
        if outcome.analysis is not None:
            self.documents += 1
            self.outcomes.append(outcome)

    def close(self) -> None:
        print_table(self.outcomes, self.console)
        self.outcomes = []
        super().close()


STREAMING_WRITERS: dict[str, type[OutcomeWriter]] = {"json": JsonWriter, "jsonl": JsonLinesWriter, "csv": CsvWriter}


def render_all(writer_class: type[OutcomeWriter], outcomes: Sequence[Outcome]) -> str:
    buffer = io.StringIO()
    writer = writer_class(buffer)
    for outcome in outcomes:
        writer.write(outcome)
    writer.close()
    return buffer.getvalue()


def to_json(outcomes: Sequence[Outcome]) -> str:
    """The whole batch as one JSON document (see `narrascope schema`)."""
    return render_all(JsonWriter, outcomes)


def to_jsonl(outcomes: Sequence[Outcome]) -> str:
    """One analysis per line; failures are reported on stderr only."""
    return render_all(JsonLinesWriter, outcomes)


def summary_row(analysis: Analysis) -> dict[str, str]:
    a = analysis.article
    return {
        "id": a.id,
        "title": a.title or "",
        "language": a.language or "",
        "source": a.source or "",
        "url": a.url or "",
        "published": a.published or "",
        "cited_sources": "; ".join(a.cited_sources),
        "sentences": str(len(analysis.sentences)),
        "removed_lines": str(len(a.meta.get("removed_lines", []))),
        "narratives": "; ".join(analysis.labels("narrative", asserted_only=True)),
        "subnarratives": "; ".join(analysis.labels("subnarrative", asserted_only=True)),
        "entities": "; ".join(
            f"{e.entity} ({e.main_role}: {', '.join(e.fine_roles)})" for e in analysis.shown_entities
        ),
        "techniques": "; ".join(f"{t}: {n}" for t, n in technique_counts(analysis).items()),
        "claims": str(len(analysis.claims)),
        "origin": str(a.meta.get("path") or a.meta.get("origin") or ""),
        "text": a.clean_text.strip(),
    }


def to_csv(outcomes: Sequence[Outcome]) -> str:
    return render_all(CsvWriter, outcomes)
