"""`--engine dask --scheduler ... --out DIR`: the CLI glue of a distributed run (progress, failures, exit code)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from narrascope.cli.console import escape, stderr_console

if TYPE_CHECKING:  # the models load with the command, not with its --help
    from narrascope.engine.dask import RunProgress, RunReport
    from narrascope.engine.worker import RunOptions


def check_engine_use(engine: str, scheduler: str, part_size: int) -> None:
    """`--scheduler`/`--part-size` mean something only with `--engine dask`: say so rather than ignore them."""
    from narrascope.engine.dask import check_scheduler
    from narrascope.engine.partitions import DEFAULT_PART_SIZE

    if engine == "dask":
        check_scheduler(scheduler)
    elif scheduler != "local" or part_size != DEFAULT_PART_SIZE:
        raise click.UsageError("--scheduler and --part-size need --engine dask")


def run_with_progress(
    paths: Sequence[str], out_dir: str, options: RunOptions, *, scheduler: str, part_size: int
) -> RunReport:
    """Run on Dask with a progress bar on stderr (documents, rate, ETA), then print warnings and failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from narrascope.engine.dask import run_dask

    err = stderr_console()
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("documents", total=None, rate="")

        def on_progress(state: RunProgress) -> None:
            progress.update(
                task,
                completed=state.documents_done,
                total=state.documents_total,
                rate=f"{state.rate:.1f} docs/s, part {state.parts_done}/{state.parts_total}",
            )

        report = run_dask(paths, out_dir, options, scheduler=scheduler, part_size=part_size, on_progress=on_progress)
    for warning in report.warnings:
        err.print(f"[yellow]narrascope: warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    for failure in report.failures:
        err.print(f"[bold red]narrascope: error:[/] {escape(failure['message'])}", highlight=False, soft_wrap=True)
    for message in report.failed_parts.values():
        err.print(f"[bold red]narrascope: error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    manifest = report.manifest
    rate = report.documents_this_run / report.seconds if report.seconds > 0 else 0.0
    err.print(
        f"{manifest['documents']} analysed, {len(report.failures)} failed, in {manifest['partitions_done']}/"
        f"{manifest['partitions_total']} parts ({report.parts_skipped} already complete) on {report.workers} "
        f"worker(s): {report.documents_this_run} documents in {report.seconds:.1f} s ({rate:.1f} docs/s); "
        f"wrote {report.out_dir}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    if report.failed_parts:
        err.print(f"{len(report.failed_parts)} part(s) failed: run the same command again to redo them", markup=False)
    return report


def exit_for(report: RunReport) -> None:
    if report.failures or report.failed_parts:
        sys.exit(1)
