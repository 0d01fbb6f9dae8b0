"""Options shared by several commands: `--backend offline|llm` and `--llm-*` (analyze, ingest, serve, predict,
evaluate), `--components` (analyze, ingest, serve), the input options `--field`, `--max-bytes`, `--rules`, `--jobs`
and the judgment options `--model`, `--min-score`, `--force` (analyze, ingest; serve takes the judgment ones and
`--rules` for its paste box), and `--engine`, `--scheduler`, `--part-size` (the commands that analyse a corpus).

Alone in a light module so that the CLI's top level declares them without importing backends or engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from narrascope.cli.console import stderr_console
from narrascope.defaults import DEFAULT_COMPONENTS, DEFAULT_PART_SIZE, ENV_MODEL, ENV_URL

F = TypeVar("F", bound=Callable[..., Any])


def llm_options(func: F) -> F:
    """The backend options, as keyword arguments backend, llm_url, llm_model, llm_concurrency, llm_cache,
    llm_prompts."""
    options = [
        click.option("--backend", type=click.Choice(["offline", "llm"]), default="offline", show_default=True,
                     help="Narratives, entity roles and explanations from the offline models or an LLM server."),
        click.option("--llm-url", envvar=ENV_URL, help=f"OpenAI-compatible API base URL, e.g. "
                     f"http://127.0.0.1:8080/v1 (env {ENV_URL}). The key comes from NARRASCOPE_LLM_API_KEY."),
        click.option("--llm-model", envvar=ENV_MODEL, help=f"Model name as the server lists it (env {ENV_MODEL})."),
        click.option("--llm-concurrency", type=click.IntRange(min=1), default=4, show_default=True,
                     help="Parallel requests to the LLM server."),
        click.option("--llm-cache", type=click.Path(dir_okay=False),
                     help="SQLite answer cache (default ~/.cache/narrascope/llm/answers.sqlite3)."),
        click.option("--llm-prompts", type=click.Path(exists=True, file_okay=False),
                     help="Folder of prompt files overriding the shipped ones (same names)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _component_names(_: click.Context, __: click.Parameter, value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


components_option = click.option(
    "--components",
    default=",".join(DEFAULT_COMPONENTS),
    show_default=True,
    callback=_component_names,
    help="Comma-separated components to run, in order (see `narrascope components`).",
)
"""`--components` of the commands that run the pipeline (analyze, ingest): the list of component names."""


ENGINES = ("local", "dask")


def engine_options(function: F) -> F:
    """`--engine`, `--scheduler` and `--part-size`, shared by the commands that analyse a corpus."""
    for option in reversed(
        [
            click.option(
                "--engine",
                type=click.Choice(ENGINES),
                default="local",
                show_default=True,
                help="Where to analyse: this machine, or a Dask cluster (writes parts to --out DIR, resumably).",
            ),
            click.option(
                "--scheduler",
                default="local",
                show_default=True,
                metavar="local[:N]|tcp://HOST:PORT",
                help="With --engine dask: a new local cluster of N worker processes, or a Dask scheduler's address.",
            ),
            click.option(
                "--part-size",
                type=click.IntRange(min=1),
                default=DEFAULT_PART_SIZE,
                show_default=True,
                help="With --engine dask: documents per partition (a killed worker loses at most one).",
            ),
        ]
    ):
        function = option(function)
    return function


taxonomy_option = click.option(
    "--taxonomy",
    "taxonomy_path",
    type=click.Path(exists=True, dir_okay=False),
    help="A team's own narrative taxonomy (docs/corrections.md gives the file format).",
)
"""`--taxonomy FILE` of train narratives, serve and export: narratives and subnarratives other than SemEval's."""


# The input, model and judgment options of the commands that run the pipeline: `analyze`, `ingest` and `serve`
# (its paste box) take the same ones, with the same meaning.


def _fields(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    from narrascope.ingest.records import DEFAULT_FIELDS

    fields: dict[str, str] = {}
    for value in values:
        key, sep, name = value.partition("=")
        if not sep or key not in DEFAULT_FIELDS or not name:
            raise click.BadParameter(
                f"expected KEY=NAME with KEY one of {', '.join(DEFAULT_FIELDS)}, found {value!r}", param_hint="--field"
            )
        fields[key] = name
    return fields


MIN_SCORE_CAPABILITIES = ("narratives", "entities", "techniques", "claims")


def _min_scores(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for value in values:
        name, _sep, number = value.partition("=")
        try:
            score = float(number)
        except ValueError:
            score = -1.0
        if name not in MIN_SCORE_CAPABILITIES or not 0.0 <= score <= 1.0:
            raise click.BadParameter(
                f"{value!r}: expected CAPABILITY=SCORE with CAPABILITY one of {', '.join(MIN_SCORE_CAPABILITIES)} "
                "and SCORE between 0 and 1",
                param_hint="--min-score",
            )
        scores[name] = score
    return scores


# `--model [CAPABILITY=]DIR`: the `load_pipeline` option of each capability's trained model.
MODEL_OPTIONS = {"narratives": "narrative_model", "entities": "entity_model", "techniques": "technique_model"}


def _models(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    import os

    models: dict[str, str] = {}
    for value in values:
        capability, sep, path = value.partition("=")
        if not sep or capability not in MODEL_OPTIONS:
            capability, path = "narratives", value
        if not os.path.isdir(path):
            raise click.BadParameter(f"{path!r} is not a model folder", param_hint="--model")
        models[MODEL_OPTIONS[capability]] = os.path.abspath(path)
    return models


def input_options(function: F) -> F:
    """`--field`, `--max-bytes`, `--rules`, `--jobs`: how documents are read, cleaned and spread over processes
    (keyword arguments fields: dict, max_bytes, rules_path, jobs)."""
    from narrascope.ingest.decode import DEFAULT_MAX_BYTES

    for option in reversed(
        [
            click.option("--field", "fields", multiple=True, metavar="KEY=NAME", callback=_fields,
                         help="Field names of .jsonl/.csv corpora, e.g. --field text=body (repeatable)."),
            click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True,
                         help="Size limit of one article file, and of one record of a .jsonl/.csv corpus."),
            click.option("--rules", "rules_path", type=click.Path(dir_okay=False),
                         help="Extra boilerplate rules file (JSON, same shape as the shipped one)."),
            click.option("--jobs", type=click.IntRange(min=1), default=None,
                         help="Worker processes (default: the machine's cores); outputs keep the input order."),
        ]
    ):  # fmt: skip
        function = option(function)
    return function


def judgment_options(function: F) -> F:
    """`--model`, `--min-score`, `--force`: which trained models judge, and what they may assert (keyword
    arguments models: dict of load_pipeline options, min_scores: dict, force: bool)."""
    for option in reversed(
        [
            click.option("--model", "models", multiple=True, metavar="[CAPABILITY=]DIR", callback=_models,
                         help="A trained model folder instead of the shipped one: DIR or narratives=DIR for "
                         "narratives, entities=DIR, techniques=DIR (from `narrascope train`; repeatable)."),
            click.option("--min-score", "min_scores", multiple=True, metavar="CAPABILITY=SCORE", callback=_min_scores,
                         help="Assert only judgments scoring at least SCORE (a calibrated probability), e.g. "
                         "--min-score narratives=0.8 --min-score entities=0.6 --min-score techniques=0.5 "
                         "--min-score claims=0.7 (repeatable; default: the CV-chosen thresholds)."),
            click.option("--force", is_flag=True,
                         help="Run English-only models (techniques) on articles in other languages."),
        ]
    ):  # fmt: skip
        function = option(function)
    return function


def pipeline_settings(
    *, rules_path: str | None, models: dict[str, str], min_scores: dict[str, float], force: bool
) -> dict[str, Any]:
    """The `load_pipeline` options these command-line options give."""
    import os

    rules = os.path.abspath(rules_path) if rules_path else None
    return {"rules_path": rules, "min_scores": min_scores, "force_language": force, **models}


@contextmanager
def busy(what: str) -> Iterator[None]:
    """Something slow without a count of its own (loading models, scoring): a pulsing bar on a terminal, a line
    with the time so far at least every 10 s in a log (`cli/progress.py`)."""
    from narrascope.cli.progress import progress

    with progress(what):
        yield


@contextmanager
def embedding_progress(total: int, what: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (a terminal only) of the texts embedded, ~40 ms each; none when `total` is 0."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    err = stderr_console()
    with Progress(
        TextColumn(f"embedding {what}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not total or not err.is_terminal,
    ) as progress:  # fmt: skip
        task = progress.add_task(what, total=total)
        yield lambda done: progress.advance(task, done)


# The model commands' (`train|evaluate|predict TASK`) data and model folders.


def data_option(help: str, *, multiple: bool = True, required: bool = True) -> Callable[[F], F]:
    """`--data FOLDER` (repeatable unless `multiple=False`): training or evaluation data."""
    return click.option(
        "--data", "data", multiple=multiple, required=required, type=click.Path(exists=True, file_okay=False),
        help=help,
    )  # fmt: skip


model_option = click.option(
    "--model", "model_path", type=click.Path(exists=True, file_okay=False),
    help="Model folder (default: the shipped model).",
)  # fmt: skip
