"""The `narrascope` command: a thin layer over the library.

Each command parses its input, makes one library call and renders the result. Library errors become one
line on stderr and an exit code: 0 all fine, 1 some documents failed, 2 usage or configuration error.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Iterator, Mapping, MutableMapping
from importlib import resources
from typing import Any, NoReturn

import click

from narrascope.cli.console import stderr_console
from narrascope.cli.options import (
    busy,
    components_option,
    engine_options,
    input_options,
    judgment_options,
    llm_options,
    pipeline_settings,
)
from narrascope.defaults import DEFAULT_COMPONENTS
from narrascope.errors import NarrascopeError, visible
from narrascope.version import __version__

# Model libraries (scikit-learn, spaCy, lingua, trafilatura) are imported inside the commands that use them,
# and the model commands load on first use (`LAZY_COMMANDS`), so `--version` and `--help` start fast.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = ("table", "json", "jsonl", "csv", "html")  # = formats.writers.FORMATS, which imports model code
LAZY_COMMANDS = {  # name -> (module:attribute, short help shown by --help without importing the module)
    "train": ("narrascope.cli.models:train", "Train a model on SemEval-format data."),
    "evaluate": (
        "narrascope.cli.models:evaluate",
        "Score a model on annotated SemEval-format data, with the official definitions.",
    ),
    "predict": ("narrascope.cli.models:predict", "Write SemEval-format prediction files for a folder of documents."),
    "claims": (
        "narrascope.cli.claims:claims",
        "Group the claims of a set of articles: who says what, relayed by whom, where it appeared first.",
    ),
    "ingest": ("narrascope.cli.store:ingest_command", "Analyse articles into a SQLite corpus (resumable)."),
    "export": ("narrascope.cli.store:export_command", "Export a stored corpus as JSONL, CSV or SemEval files."),
    "serve": ("narrascope.cli.store:serve_command", "Serve the REST API and the web UI over a stored corpus."),
    "watch": ("narrascope.cli.sources:watch_command", "Poll feeds and pages into a corpus, with alerts."),
    "alerts": ("narrascope.cli.sources:alerts_command", "List the alerts raised by `watch --rules`."),
}


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from rich.text import Text

    line = Text.assemble(("narrascope: error: ", "bold red"), visible(message))
    stderr_console().print(line, soft_wrap=True)
    sys.exit(code)


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands where those of `LAZY_COMMANDS` are imported on first access to them."""

    def __init__(self, lazy: Mapping[str, tuple[str, str]]) -> None:
        self.loaded: dict[str, click.Command] = {}
        self.lazy = dict(lazy)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self.loaded and name in self.lazy:
            module, _, attribute = self.lazy[name][0].partition(":")
            self.loaded[name] = getattr(importlib.import_module(module), attribute)
        return self.loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        self.loaded.pop(name, None)
        self.lazy.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self.loaded, *self.lazy}))

    def __len__(self) -> int:
        return len({*self.loaded, *self.lazy})


class NarrascopeGroup(click.Group):
    """Turns library errors into one line and an exit code; `--debug` shows the traceback instead.

    The commands of `LAZY_COMMANDS` are imported only when used (or asked for their own help)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lazy = LazyCommands(LAZY_COMMANDS)
        lazy.loaded.update(self.commands)
        self.commands = lazy

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if isinstance(self.commands, LazyCommands) and name not in self.commands.loaded:
                rows.append((name, LAZY_COMMANDS[name][1]))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

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


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(writable=True),
    help="Write the output to this file (atomically) instead of stdout; with --engine dask, the parts' folder.",
)
@components_option
@input_options
@judgment_options
@llm_options
@engine_options
@click.pass_context
def analyze(
    ctx: click.Context,
    /,
    paths: tuple[str, ...],
    fmt: str,
    out_path: str | None,
    components: list[str],
    rules_path: str | None,
    fields: dict[str, str],
    max_bytes: int,
    jobs: int | None,
    engine: str,
    scheduler: str,
    part_size: int,
    models: dict[str, str],
    min_scores: dict[str, float],
    force: bool,
    **llm: Any,
) -> None:
    """Analyse articles.

    PATH is a .txt (SemEval layout), .html, .jsonl or .csv file, a folder, or - for stdin.
    """
    from narrascope.cli.batch import run_analyze
    from narrascope.cli.engine import check_engine_use, exit_for, run_with_progress
    from narrascope.cli.llm import backend_names, open_llm
    from narrascope.engine.local import PipelineSpec, default_jobs
    from narrascope.engine.worker import RunOptions
    from narrascope.pipeline import load_pipeline

    names = components
    check_engine_use(engine, scheduler, part_size)
    if engine == "dask":
        if out_path is None or fmt not in ("table", "jsonl"):
            raise click.UsageError("--engine dask writes JSON lines parts: give --out DIR (and no --format but jsonl)")
        if min_scores or force or set(models) - {"narrative_model"}:
            raise click.UsageError(
                "--min-score, --force and --model CAPABILITY=DIR (but narratives) apply to the local engine; "
                "filter the parts' scores instead"
            )
        if llm.get("backend") == "llm":
            raise click.UsageError("--backend llm runs with the local engine (its requests are parallel already)")
        load_pipeline(names, rules_path=rules_path)  # a bad pipeline fails here, before any worker starts
        options = RunOptions(
            tuple(names),
            rules_path and os.path.abspath(rules_path),
            models.get("narrative_model"),
            tuple(fields.items()),
            max_bytes,
        )
        exit_for(run_with_progress(paths, out_path, options, scheduler=scheduler, part_size=part_size))
        return
    if out_path is not None and os.path.isdir(out_path):
        raise click.BadParameter(f"{out_path!r} is a folder; a folder is for --engine dask", param_hint="--out")
    client = open_llm(llm, names)  # --backend llm: a wrong server or model fails here, before any reading
    names = backend_names(names, client)
    settings = pipeline_settings(rules_path=rules_path, models=models, min_scores=min_scores, force=force)
    with busy("loading the models"):
        pipeline = load_pipeline(names, llm=client, **settings)  # a bad pipeline fails here too
    spec = PipelineSpec.of(names, settings)
    if client is not None:  # the LLM client lives in this process; --llm-concurrency parallelises requests
        jobs = 1
    code = run_analyze(
        paths,
        fmt=fmt,
        out_path=out_path,
        pipeline=pipeline,
        spec=spec,
        fields=fields,
        max_bytes=max_bytes,
        jobs=jobs or default_jobs(),
        debug=bool(ctx.meta.get("narrascope.debug")),
    )
    if code:
        sys.exit(code)


@main.command()
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write the schema to this file.")
def schema(out_path: str | None) -> None:
    """Print the JSON Schema of `analyze --format json` output (versioned)."""
    text = resources.files("narrascope.data").joinpath("analysis.schema.json").read_text("utf-8")
    if out_path:
        from narrascope.fileio import atomic_write_text

        atomic_write_text(out_path, text)
    else:
        sys.stdout.write(text)


@main.command("components")
def list_components() -> None:
    """List the registered pipeline components with what they require and assign."""
    from narrascope.pipeline import load_pipeline

    pipeline = load_pipeline(registered_components_in_order())
    for component in pipeline.components:
        click.echo(
            f"{component.name}: requires {', '.join(component.requires)}; assigns {', '.join(component.assigns)}"
        )


def registered_components_in_order() -> list[str]:
    from narrascope.pipeline import registered_components

    names = registered_components()
    return list(DEFAULT_COMPONENTS) + [n for n in names if n not in DEFAULT_COMPONENTS]


def run() -> None:
    """The `narrascope` command: `main`, then the process ends without its last garbage collection walking
    every object of the loaded models (about 0.4 s of a `narrascope analyze`: they are all freed at exit)."""
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    run()
