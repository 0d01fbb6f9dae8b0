"""Output formats for a batch of analyses: JSON, JSON lines, CSV and a terminal table.

HTML lives in `html.py`. JSON is the lossless form (`Analysis.to_dict`); CSV and the table are
one-row-per-article summaries. Each format is a streaming writer (`open_writer`): a document is written as
soon as it is analysed and then forgotten, so memory does not grow with the corpus. JSON streams its
`documents` array and appends `errors` at the end; the table is the one format that buffers (it is for a
terminal, and sizes its columns on all rows).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Sequence
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from narrascope.analysis import SCHEMA_VERSION, Analysis, NarrativeHit
from narrascope.claims.render import claims_table
from narrascope.errors import visible
from narrascope.fileio import csv_cell
from narrascope.runner import Outcome
from narrascope.techniques.render import techniques_table
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

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.documents = 0

    def write(self, outcome: Outcome) -> None:
        if outcome.analysis is not None:
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


class JsonLinesWriter(OutcomeWriter):
    """One analysis per line; failures are reported on stderr only."""

    def render(self, analysis: Analysis) -> str:
        return json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n"


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
    """The terminal table: buffers the analyses (the table sizes its columns on all rows)."""

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
        "narratives": "; ".join(analysis.labels("narrative")),
        "subnarratives": "; ".join(analysis.labels("subnarrative")),
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


def print_table(outcomes: Sequence[Outcome], console: Console) -> None:
    """A readable summary for the terminal: one row per article."""
    analyses, _ = split_outcomes(outcomes)
    table = Table(title=f"narrascope {__version__}: {len(analyses)} article(s)", show_lines=False)
    table.add_column("id", style="cyan", overflow="fold", min_width=10)
    table.add_column("title", style="bold", ratio=1, min_width=12)
    table.add_column("lang", style="magenta", min_width=4)
    table.add_column("published", min_width=10)
    table.add_column("sent.", justify="right", min_width=5)
    table.add_column("cited sources", style="green", min_width=8)
    table.add_column("removed", justify="right", style="dim", min_width=7)
    for analysis in analyses:
        row = summary_row(analysis)
        columns = ("id", "title", "language", "published", "sentences", "cited_sources", "removed_lines")
        # Text(), not str: markup such as "[link=...]" in an article must show as text, not style the table;
        # control characters (escape sequences) are shown as \x1b, never sent to the terminal.
        table.add_row(*(Text(visible(row[c])) for c in columns))
    console.print(table)
    if any(a.narratives for a in analyses):
        print_narratives(analyses, console)
    if any(a.entities for a in analyses):
        print_entities(analyses, console)
    for extra in (techniques_table(analyses), claims_table(analyses)):
        if extra is not None:
            console.print(extra)
    for analysis in analyses:
        if analysis.withheld():
            console.print(
                Text(f"{analysis.id}: {analysis.withheld()} (JSON keeps them with their scores)", style="dim")
            )


def print_narratives(analyses: Sequence[Analysis], console: Console) -> None:
    """Narratives per article with their score and the sentence that most supports each."""
    table = Table(title="narratives (score: calibrated probability; evidence: the best supporting sentence)")
    table.add_column("id", style="cyan", overflow="fold", min_width=10)
    table.add_column("narrative / subnarrative", style="bold", ratio=2)
    table.add_column("score", justify="right")
    table.add_column("evidence", style="italic", ratio=3)
    for analysis in analyses:
        for hit in grouped_narratives(analysis):
            label = hit.label if hit.level == "narrative" else "  \u21b3 " + hit.label.rsplit(": ", 1)[-1]
            evidence = hit.evidence[0].text if hit.evidence else ""
            style = "yellow" if hit.level == "narrative" else "dim"
            table.add_row(Text(analysis.id), Text(label, style=style), f"{hit.score:.2f}", Text(evidence))
    console.print(table)


def grouped_narratives(analysis: Analysis) -> list[NarrativeHit]:
    """Each narrative followed by its subnarratives, for reading."""
    subs = [h for h in analysis.narratives if h.level == "subnarrative"]
    ordered: list[NarrativeHit] = []
    for hit in (h for h in analysis.narratives if h.level == "narrative"):
        ordered.append(hit)
        ordered += [s for s in subs if s.label.startswith(hit.label + ": ")]
    return ordered


ROLE_STYLES = {"Protagonist": "green", "Antagonist": "red", "Innocent": "blue"}


def print_entities(analyses: Sequence[Analysis], console: Console, *, per_article: int = 12) -> None:
    """The cast of each article: entity, role, fine roles, mentions and the sentence that frames it."""
    table = Table(title="entities (role the article casts each in; most-mentioned first)")
    table.add_column("id", style="cyan", overflow="fold", min_width=10)
    table.add_column("entity", style="bold")
    table.add_column("role")
    table.add_column("fine roles")
    table.add_column("mentions", justify="right")
    table.add_column("framing sentence", style="italic", ratio=3)
    for analysis in analyses:
        for entity in analysis.shown_entities[:per_article]:
            framing = entity.framing[0].text if entity.framing else ""
            role = Text(entity.main_role, style=ROLE_STYLES.get(entity.main_role, ""))
            table.add_row(
                Text(analysis.id), Text(entity.entity), role, Text(", ".join(entity.fine_roles)),
                str(len(entity.mentions)), Text(framing),
            )  # fmt: skip
    console.print(table)


def technique_counts(analysis: Analysis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for span in analysis.shown_techniques:
        counts[span.technique] = counts.get(span.technique, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
