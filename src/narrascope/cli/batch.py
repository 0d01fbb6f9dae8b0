"""The body of `narrascope analyze`: stream a batch through the engine into a writer, with progress.

Each document is written as soon as it is analysed. With `--out` the output goes to a temporary file that is
renamed into place at the end (`fileio.AtomicOutput`). Ctrl-C or SIGTERM stops cleanly after the document
being written (a second signal stops at once and keeps nothing): the writer closes what it wrote (a JSON
document stays valid), the temporary becomes `FILE.partial`, a message says how many documents it holds, and
the exit code is 130 (143 for SIGTERM).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from narrascope.cli.console import stderr_console, stdout_console
from narrascope.cli.progress import progress
from narrascope.cli.signals import Stop, exit_code, message
from narrascope.engine.local import PipelineSpec, chunk_for, jobs_for, run_batch
from narrascope.errors import visible
from narrascope.fileio import AtomicOutput, refuse_overwriting
from narrascope.formats.html import HTML_MAX_DOCUMENTS, HtmlWriter, too_many_for_html
from narrascope.formats.writers import STREAMING_WRITERS, OutcomeWriter, TableWriter
from narrascope.ingest.readers import STDIN
from narrascope.pipeline import Pipeline
from narrascope.runner import Batch

EXIT_FAILED, EXIT_BROKEN_PIPE = 1, 141


@dataclass
class Tally:
    analysed: int = 0
    failed: int = 0
    started: float = 0.0

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        rate = (self.analysed + self.failed) / seconds if seconds > 0 else 0.0
        shown = f"{rate:.1f} docs/s" if rate >= 1 else f"{seconds / max(self.analysed + self.failed, 1):.1f} s/doc"
        return f"narrascope: {self.analysed} analysed, {self.failed} failed in {seconds:.1f} s ({shown})"


def _writer(fmt: str, handle: IO[str], out_path: str | None) -> OutcomeWriter:
    if fmt == "table":
        from rich.console import Console

        console = (
            stdout_console() if out_path is None else Console(file=handle, width=160, no_color=True, highlight=False)
        )
        return TableWriter(handle, console)
    if fmt == "html":
        return HtmlWriter(handle)
    return STREAMING_WRITERS[fmt](handle)


def run_analyze(
    paths: tuple[str, ...],
    *,
    fmt: str,
    out_path: str | None,
    pipeline: Pipeline,
    spec: PipelineSpec,
    fields: Mapping[str, str],
    max_bytes: int,
    jobs: int,
    debug: bool,
) -> int:
    """Analyse the batch into the output; returns the exit code."""
    from rich.text import Text

    err = stderr_console()
    batch = Batch(paths, fields=fields, max_bytes=max_bytes)
    if fmt == "html" and batch.documents is not None and batch.documents > HTML_MAX_DOCUMENTS:
        raise too_many_for_html(batch.documents)
    if fmt in ("html", "table"):
        err.print(f"narrascope: note: the {fmt} output is built in memory and written at the end", markup=False)
    jobs = jobs_for(batch.documents, jobs)
    if out_path is not None:
        refuse_overwriting(out_path, [f for f in batch.files if f != STDIN], "an input of this run")
    tally = Tally(started=time.monotonic())
    output = AtomicOutput(out_path) if out_path is not None else None
    handle: IO[str] = output.handle if output is not None else sys.stdout  # type: ignore[assignment]
    writer = _writer(fmt, handle, out_path)
    stop = Stop()
    try:
        with stop.installed(), progress("analysing", total=batch.documents) as tracker:
            outcomes = run_batch(
                batch,
                spec,
                jobs=jobs,
                pipeline=pipeline,
                raise_errors=debug,
                render=writer.worker_render,
                chunk_size=chunk_for(batch.documents, jobs),
            )
            for outcome in outcomes:
                writer.write(outcome)
                for warning in outcome.warnings:
                    tracker.print(message("warning", warning, "yellow"))
                if outcome.error is not None:
                    tally.failed += 1
                    tracker.print(message("error", outcome.error, "bold red"))
                else:
                    tally.analysed += 1
                share = outcome.bytes_read / batch.total_bytes if batch.total_bytes else None
                tracker.update(tally.analysed + tally.failed, fraction=share)
                if stop.signum is not None:
                    break
            outcomes.close()  # stops the worker processes
        # the progress bar is gone before the table and the HTML are written; a signal while closing: the first
        # is noted, a second stops at once
        with stop.installed():
            writer.close()
            if output is not None:
                if stop.signum is None:
                    output.commit()
                else:
                    partial = output.keep_partial()
    except BrokenPipeError:  # the reader of stdout went away (`| head`): stop quietly, as other tools do
        if output is not None:
            output.discard()
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_BROKEN_PIPE
    except BaseException:
        if output is not None:
            output.discard()
        raise
    if output is not None and stop.signum is None:
        err.print(Text(visible(f"wrote {writer.documents} analysis(es) to {out_path}")), soft_wrap=True)
    elif output is not None:
        text = f"interrupted: kept {writer.documents} complete document(s) in {partial}"
        err.print(message("warning", text, "yellow"), soft_wrap=True)
    elif stop.signum is not None:
        err.print(message("warning", f"interrupted after {writer.documents} document(s)", "yellow"))
    err.print(tally.summary(), markup=False, highlight=False)
    if stop.signum is not None:
        return exit_code(stop.signum)
    return EXIT_FAILED if tally.failed else 0
