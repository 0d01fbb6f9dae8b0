"""The `narrascope` command: a thin layer over the library.

Each command parses its input, makes one library call and renders the result. Library errors become one
line on stderr and an exit code: 0 all fine, 1 some documents failed, 2 usage or configuration error.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from narrascope.cli.claims import claims
from narrascope.cli.models import evaluate, predict, train
from narrascope.errors import NarrascopeError
from narrascope.fileio import atomic_write_text
from narrascope.formats.html import to_html
from narrascope.formats.writers import FORMATS, print_table, to_csv, to_json, to_jsonl
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.ingest.readers import DEFAULT_FIELDS
from narrascope.pipeline import DEFAULT_COMPONENTS, load_pipeline, registered_components
from narrascope.runner import Outcome, analyze_many
from narrascope.version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    _stderr().print(f"[bold red]narrascope: error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(code)


class NarrascopeGroup(click.Group):
    """Turns library errors into one line and an exit code; `--debug` shows the traceback instead."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NarrascopeError as exc:
            if ctx.meta.get("narrascope.debug"):
                raise
            _fail(str(exc))
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if ctx.meta.get("narrascope.debug"):
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", EXIT_FAILED)


@click.group(cls=NarrascopeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="narrascope")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """narrascope: which propaganda narratives a news article pushes, and the evidence."""
    ctx.meta["narrascope.debug"] = debug


def _parse_fields(values: tuple[str, ...]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or key not in DEFAULT_FIELDS or not name:
            raise click.BadParameter(
                f"expected KEY=NAME with KEY one of {', '.join(DEFAULT_FIELDS)}, found {value!r}",
                param_hint="--field",
            )
        fields[key] = name
    return fields


RENDERERS: dict[str, Callable[[list[Outcome]], str]] = {
    "json": to_json,
    "jsonl": to_jsonl,
    "csv": to_csv,
    "html": to_html,
}


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the output to this file (atomically) instead of stdout.",
)
@click.option(
    "--components",
    default=",".join(DEFAULT_COMPONENTS),
    show_default=True,
    help="Comma-separated components to run, in order (see `narrascope components`).",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(dir_okay=False),
    help="Extra boilerplate rules file (JSON, same shape as the shipped one).",
)
@click.option(
    "--field",
    "field_specs",
    multiple=True,
    metavar="KEY=NAME",
    help="Field names of .jsonl/.csv corpora, e.g. --field text=body (repeatable).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Size limit of one article file.",
)
@click.option(
    "--min-score",
    "min_score_specs",
    multiple=True,
    metavar="CAPABILITY=SCORE",
    help="Show only judgments scoring at least SCORE (a calibrated probability), e.g. --min-score entities=0.6 "
    "--min-score techniques=0.5 --min-score claims=0.7 (repeatable; default: the CV-chosen thresholds).",
)
@click.option("--force", is_flag=True, help="Run English-only models (techniques) on articles in other languages.")
@click.pass_context
def analyze(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    out_path: str | None,
    components: str,
    rules_path: str | None,
    field_specs: tuple[str, ...],
    max_bytes: int,
    min_score_specs: tuple[str, ...] = (),
    force: bool = False,
) -> None:
    """Analyse articles.

    PATH is a .txt (SemEval layout), .html, .jsonl or .csv file, a folder, or - for stdin.
    """
    fields = _parse_fields(field_specs)
    names = [n.strip() for n in components.split(",") if n.strip()]
    min_scores = _parse_min_scores(min_score_specs)
    # a bad pipeline fails here, before any reading
    pipeline = load_pipeline(names, rules_path=rules_path, min_scores=min_scores, force_language=force)
    err = _stderr()
    outcomes: list[Outcome] = []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task("analysing", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, visible=total > 1)

        for outcome in analyze_many(
            paths,
            pipeline=pipeline,
            fields=fields,
            max_bytes=max_bytes,
            raise_errors=bool(ctx.meta.get("narrascope.debug")),
            on_progress=on_progress,
        ):
            outcomes.append(outcome)
    failures = [o for o in outcomes if o.error]
    for outcome in outcomes:
        for warning in outcome.warnings:
            err.print(f"[yellow]narrascope: warning:[/] {warning}", highlight=False, soft_wrap=True)
    _emit(outcomes, fmt, out_path)
    for failure in failures:
        err.print(f"[bold red]narrascope: error:[/] {failure.error}", highlight=False, soft_wrap=True)
    if failures:
        done = len(outcomes) - len(failures)
        err.print(f"{len(failures)} document(s) failed, {done} analysed", highlight=False)
        sys.exit(EXIT_FAILED)


MIN_SCORE_CAPABILITIES = ("entities", "techniques", "claims")


def _parse_min_scores(specs: tuple[str, ...]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        try:
            score = float(value)
        except ValueError:
            score = -1.0
        if name not in MIN_SCORE_CAPABILITIES or not 0.0 <= score <= 1.0:
            _fail(f"--min-score {spec!r}: expected CAPABILITY=SCORE with CAPABILITY one of "
                  f"{', '.join(MIN_SCORE_CAPABILITIES)} and SCORE between 0 and 1")  # fmt: skip
        scores[name] = score
    return scores


def _emit(outcomes: list[Outcome], fmt: str, out_path: str | None) -> None:
    if fmt == "table":
        if out_path is None:
            print_table(outcomes, Console(highlight=False))
            return
        buffer = io.StringIO()
        print_table(outcomes, Console(file=buffer, width=160, no_color=True, highlight=False))
        text = buffer.getvalue()
    else:
        text = RENDERERS[fmt](outcomes)
    if out_path is None:
        sys.stdout.write(text)
    else:
        atomic_write_text(out_path, text)
        analysed = sum(1 for o in outcomes if o.analysis is not None)
        _stderr().print(f"wrote {analysed} analysis(es) to {out_path}", highlight=False, markup=False)


@main.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write the schema to this file.")
def schema(out_path: str | None) -> None:
    """Print the JSON Schema of `analyze --format json` output (versioned)."""
    text = resources.files("narrascope.data").joinpath("analysis.schema.json").read_text("utf-8")
    if out_path:
        atomic_write_text(out_path, text)
    else:
        sys.stdout.write(text)


@main.command("components")
def list_components() -> None:
    """List the registered pipeline components with what they require and assign."""
    pipeline = load_pipeline(registered_components_in_order())
    for component in pipeline.components:
        click.echo(
            f"{component.name}: requires {', '.join(component.requires)}; assigns {', '.join(component.assigns)}"
        )


def registered_components_in_order() -> list[str]:
    names = registered_components()
    return list(DEFAULT_COMPONENTS) + [n for n in names if n not in DEFAULT_COMPONENTS]


main.add_command(train)
main.add_command(evaluate)
main.add_command(predict)
main.add_command(claims)

if __name__ == "__main__":  # pragma: no cover
    main()
