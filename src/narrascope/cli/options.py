"""Options shared by several commands: `--backend offline|llm` and `--llm-*` (analyze, predict, evaluate),
`--components` (analyze, ingest), and `--engine`, `--scheduler`, `--part-size` (the commands that analyse a corpus).

Alone in a light module so that the CLI's top level declares them without importing backends or engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from narrascope.engine.partitions import DEFAULT_PART_SIZE
from narrascope.llm.client import ENV_MODEL, ENV_URL
from narrascope.pipeline import DEFAULT_COMPONENTS

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
    help='A team\'s own narrative taxonomy (README "Corrections and retraining" gives the file format).',
)
"""`--taxonomy FILE` of train narratives, serve and export: narratives and subnarratives other than SemEval's."""


narrative_model_option = click.option(
    "--model",
    "narrative_model",
    type=click.Path(exists=True, file_okay=False),
    help="A narrative model folder (`narrascope train narratives --out DIR`) instead of the shipped model.",
)
"""`--model DIR` of analyze, ingest and serve: the narrative model to run."""
