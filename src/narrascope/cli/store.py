"""`narrascope ingest`, `export` and `serve`: the corpus store and the web UI, as thin glue."""

from __future__ import annotations

import os
import socket
import sys
from typing import TYPE_CHECKING, Any

import click

from narrascope.cli.console import escape, stderr_console
from narrascope.cli.options import (
    busy,
    components_option,
    input_options,
    judgment_options,
    llm_options,
    pipeline_settings,
    taxonomy_option,
)
from narrascope.cli.progress import progress
from narrascope.cli.signals import Stop, exit_code, message
from narrascope.cli.sources import (
    batch_size_option,
    make_fetch_options,
    print_round,
    round_progress,
    stop_on_signals,
    url_options,
)
from narrascope.defaults import EXPORT_FORMATS
from narrascope.errors import NarrascopeError, visible
from narrascope.fileio import refuse_overwriting
from narrascope.taxonomy import read_taxonomy_file

if TYPE_CHECKING:  # the store, the pipeline and the fetcher load with the command, not with its --help
    from rich.console import Console

    from narrascope.pipeline import Pipeline
    from narrascope.store.db import Store

EXIT_FAILED = 1
DB = click.option("--db", "db", required=True, type=click.Path(dir_okay=False), help="The SQLite corpus file.")


def _pipeline(components: list[str], llm: dict[str, Any], settings: dict[str, Any]) -> tuple[Pipeline, Any]:
    """The pipeline `analyze` would build from the same options, and its spec (to rebuild it in a worker)."""
    from narrascope.cli.llm import backend_names, open_llm
    from narrascope.engine.local import PipelineSpec
    from narrascope.pipeline import load_pipeline

    client = open_llm(llm, components)  # --backend llm: a wrong server or model fails here, before any reading
    names = backend_names(components, client)
    with busy("loading the models"):
        pipeline = load_pipeline(names, llm=client, **settings)
    return pipeline, (PipelineSpec.of(names, settings) if client is None else None)


@click.command("ingest")
@click.argument("paths", nargs=-1)
@DB
@click.option(
    "--feeds", "feeds", type=click.Path(dir_okay=False), help="A file of feed, sitemap or page URLs, one a line."
)
@url_options
@components_option
@input_options
@judgment_options
@llm_options
@batch_size_option
def ingest_command(
    paths: tuple[str, ...],
    db: str,
    feeds: str | None,
    components: list[str],
    batch_size: int,
    fields: dict[str, str],
    max_bytes: int,
    rules_path: str | None,
    jobs: int | None,
    models: dict[str, str],
    min_scores: dict[str, float],
    force: bool,
    allow_private: bool,
    timeout: float,
    per_host_delay: float,
    per_host_concurrency: int,
    retries: int,
    max_items: int,
    round_budget: float,
    **llm: Any,
) -> None:
    """Analyse articles and store them in a corpus file; rerun it to resume, it adds nothing twice.

    PATH is a .txt (SemEval layout), .html, .jsonl or .csv file, a STIX 2.1 bundle (.json: its reports), a
    folder, - for stdin, or an http(s) URL of a page, feed or sitemap (fetched politely; see `watch` for the
    fetcher options). The input, model and judgment options are those of `analyze`; --max-bytes also bounds a
    fetched page.
    """
    from narrascope.sources.watch import read_sources

    urls = [p for p in paths if p.lower().startswith(("http://", "https://"))]
    files = [p for p in paths if p not in urls]
    if feeds:
        urls += [u for u in read_sources(feeds) if u not in urls]
    if not files and not urls:
        raise click.UsageError("give PATHs, URLs or --feeds FILE")
    settings = pipeline_settings(rules_path=rules_path, models=models, min_scores=min_scores, force=force)
    pipeline, spec = _pipeline(components, llm, settings)
    jobs = 1 if spec is None else jobs  # the LLM client lives in this process; None: the cores (`_ingest`)
    fetch_options = make_fetch_options(dict(
        allow_private=allow_private, timeout=timeout, max_bytes=max_bytes, per_host_delay=per_host_delay,
        per_host_concurrency=per_host_concurrency, retries=retries,
    ))  # fmt: skip
    stop = Stop()
    with stop.installed():  # Ctrl-C or SIGTERM: commit what is analysed, say so, exit 130 or 143
        if urls:
            _fetch(urls, db, pipeline, batch_size, max_items, fetch_options, last=not files, budget=round_budget)
        _ingest(files, db, pipeline, spec, jobs, batch_size, fields, max_bytes, stop)


def _fetch(urls: list[str], db: str, pipeline: Pipeline, batch_size: int, max_items: int, options: Any, *,
           last: bool, budget: float) -> None:  # fmt: skip
    """One polite round over the URLs (pages, feeds, sitemaps); exits when nothing else is to be ingested."""
    from narrascope.sources.round import run_round
    from narrascope.store.db import Store

    store = Store(db, bulk=True)
    err = stderr_console()
    with stop_on_signals() as stop, round_progress() as on_event:
        fetched = run_round(
            urls, store, pipeline, max_items=max_items, batch_size=batch_size, stop=stop, on_event=on_event,
            options=options, budget=budget,
        )  # fmt: skip
    store.close()
    print_round(err, fetched)
    if last:
        sys.exit(EXIT_FAILED if fetched.failed else 0)


def _ingest(
    files: list[str], db: str, pipeline: Pipeline, spec: Any, jobs: int | None, batch_size: int,
    fields: dict[str, str], max_bytes: int, stop: Stop,
) -> None:  # fmt: skip
    from rich.text import Text

    from narrascope.engine.local import jobs_for
    from narrascope.runner import Batch
    from narrascope.store.db import Store
    from narrascope.store.ingest import ingest

    store = Store(db, bulk=True)
    err = stderr_console()
    documents = Batch(files, fields=fields, max_bytes=max_bytes).documents  # None for JSON lines and CSV corpora
    with progress("ingesting", total=documents) as tracker:
        summary = ingest(
            files, store, pipeline=pipeline, batch_size=batch_size, fields=fields, max_bytes=max_bytes,
            on_progress=None if documents is not None else lambda done, total: tracker.update(fraction=done / total),
            on_document=lambda _: tracker.advance(), jobs=jobs_for(documents, jobs), spec=spec,
            stop=lambda: stop.signum is not None,
            on_warning=lambda line: tracker.print(message("warning", line, "yellow")),
        )  # fmt: skip
    for origin, error in summary.failed:
        err.print(message("error", error or origin, "bold red"), soft_wrap=True)
    articles = store.count("articles")
    store.close()
    if summary.stopped:
        err.print(message("warning", "interrupted; every analysis done so far is committed", "yellow"))
    err.print(
        Text(
            visible(
                f"{summary.added} added, {summary.present} already present, {summary.updated} updated, "
                f"{len(summary.failed)} failed; {articles} article(s) in {db}" + anchored_line(summary)
            )
        ),
        soft_wrap=True,
    )
    if stop.signum is not None:
        sys.exit(exit_code(stop.signum))
    if summary.failed:
        sys.exit(EXIT_FAILED)


DAY = click.DateTime(formats=["%Y-%m-%d"])


def anchored_line(summary: Any) -> str:
    """What a changed text did to analysts' corrections, when it did anything."""
    if not summary.corrections_moved and not summary.corrections_stale:
        return ""
    return (
        f"; analysts' corrections: {summary.corrections_moved} moved to the same words in a changed text, "
        f"{summary.corrections_stale} stale (their words are gone; kept, not applied, exported or trained on)"
    )


@click.command("export")
@DB
@click.option("--format", "fmt", type=click.Choice([*EXPORT_FORMATS, "stix"]), default="jsonl", show_default=True)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(),
    help="The file to write (atomically); with --format semeval, a folder (existing, or ending in /) gets the "
    "corrected view as SemEval subtask-1/2 files, raw-documents/ and PTC span files.",
)
@click.option(
    "--reviewed-only", is_flag=True, help="With a SemEval folder or --format stix: only articles an analyst corrected."
)
@click.option("--narrative", help="Only articles asserting this narrative or subnarrative label (--format stix).")
@click.option("--language", help="Only articles in this language code, e.g. en (--format stix).")
@click.option("--outlet", help="Only articles of this outlet, as the corpus page lists it (--format stix).")
@click.option("--date-from", "date_from", type=DAY, help="Only articles published on or after YYYY-MM-DD (stix).")
@click.option("--date-to", "date_to", type=DAY, help="Only articles published on or before YYYY-MM-DD (stix).")
@click.option(
    "--model-view", is_flag=True,
    help="JSON lines, CSV or STIX: the model's own judgments as stored, without the analysts' corrections.",
)  # fmt: skip
@taxonomy_option
def export_command(
    db: str, fmt: str, out: str, reviewed_only: bool, model_view: bool, taxonomy_path: str | None, **filters: Any
) -> None:
    """Write every stored analysis as JSON lines, CSV, SemEval files or a STIX 2.1 bundle (streaming).

    --format stix writes one bundle for threat-intelligence platforms (OpenCTI): a report per article with
    its asserted narratives, framed entities, techniques and claims, and the analysts' corrections (docs/stix.md).
    """
    from narrascope.store.db import Store
    from narrascope.store.export import export

    refuse_overwriting(out, [db, f"{db}-wal", f"{db}-shm"], "the store")
    if fmt != "stix" and any(filters.values()):
        raise click.UsageError("--narrative, --language, --outlet, --date-from and --date-to filter --format stix")
    store = Store(db, readonly=True)
    err = stderr_console()
    if fmt == "stix":
        _export_stix(store, out, reviewed_only, taxonomy_path, filters, err)
        return
    if fmt == "semeval" and (os.path.isdir(out) or out.endswith(("/", os.sep))):
        from narrascope.store.corrections import Vocabulary
        from narrascope.store.gold_export import export_gold

        vocabulary = Vocabulary(read_taxonomy_file(taxonomy_path) if taxonomy_path else None)
        with progress("exporting", unit="files"):
            done = export_gold(store, out, reviewed_only=reviewed_only, vocabulary=vocabulary)
        store.close()
        err.print(
            f"wrote {done.articles} article(s), {done.entity_rows} entity mention(s), {done.technique_spans} "
            f"technique span(s) to {escape(out)}", soft_wrap=True,
        )  # fmt: skip
        return
    if os.path.isdir(out):
        store.close()
        raise click.BadParameter(f"{out!r} is a folder; a folder is for --format semeval", param_hint="--out")
    with progress("exporting", total=store.count("articles")) as tracker:
        count = export(store, fmt, out, tracker.advance, view="model" if model_view else "corrected")
    store.close()
    err.print(f"wrote {count} article(s) to {escape(out)}", soft_wrap=True)


def _export_stix(
    store: Store, out: str, reviewed_only: bool, taxonomy_path: str | None, filters: dict[str, Any], err: Console
) -> None:
    from narrascope.store.corrections import Vocabulary
    from narrascope.store.queries import ArticleFilter
    from narrascope.store.stix_export import StixExport, export_stix

    if os.path.isdir(out):
        store.close()
        raise click.BadParameter(f"{out!r} is a folder; --format stix writes one file", param_hint="--out")
    day = {k: filters[k].date().isoformat() if filters.get(k) else None for k in ("date_from", "date_to")}
    flt = ArticleFilter(
        narrative=filters.get("narrative"), source=filters.get("outlet"), language=filters.get("language"),
        date_from=day["date_from"], date_to=day["date_to"],
    )  # fmt: skip
    vocabulary = Vocabulary(read_taxonomy_file(taxonomy_path) if taxonomy_path else None)
    if flt.narrative and vocabulary.narrative_level(flt.narrative) == "subnarrative":
        flt.narrative, flt.subnarrative = None, flt.narrative
    done = export_stix(StixExport(store, flt, reviewed_only=reviewed_only, vocabulary=vocabulary), out)
    store.close()
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(done.counts.items()))
    err.print(f"wrote a STIX 2.1 bundle of {done.articles} article(s) to {escape(out)}: {counts}", soft_wrap=True)


@click.command("serve")
@DB
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--token",
    envvar="NARRASCOPE_TOKEN",
    help="Require `Authorization: Bearer TOKEN` on every API route (or set NARRASCOPE_TOKEN).",
)
@click.option(
    "--max-body", type=click.IntRange(1), default=5 * 1024 * 1024, show_default=True, help="Request body limit."
)
@click.option(
    "--allowed-host",
    "allowed",
    multiple=True,
    metavar="NAME",
    help="Also accept requests whose Host header is NAME (repeatable; e.g. the name a proxy forwards).",
)
@click.option(
    "--insecure-no-token",
    is_flag=True,
    help="Allow binding beyond loopback without --token (anyone who reaches the port can read and write).",
)
@components_option
@click.option(
    "--rules", "rules_path", type=click.Path(dir_okay=False), help="Extra boilerplate rules file (as for analyze)."
)
@judgment_options
@llm_options
@taxonomy_option
def serve_command(
    db: str,
    host: str,
    port: int,
    token: str | None,
    max_body: int,
    allowed: tuple[str, ...],
    insecure_no_token: bool,
    components: list[str],
    rules_path: str | None,
    models: dict[str, str],
    min_scores: dict[str, float],
    force: bool,
    taxonomy_path: str | None,
    **llm: Any,
) -> None:
    """Serve the REST API (OpenAPI at /docs) and the web UI over a corpus file.

    The paste box (POST /api/analyze, /api/articles) analyses with the pipeline the options of `analyze` give.
    """
    import uvicorn

    from narrascope.server.api import create_app
    from narrascope.server.security import is_loopback, raise_open_files_limit, server_config
    from narrascope.store.corrections import Vocabulary
    from narrascope.store.db import read_only_media

    vocabulary = Vocabulary(read_taxonomy_file(taxonomy_path) if taxonomy_path else None)

    if (token is not None and not token.strip()) or (os.environ.get("NARRASCOPE_TOKEN", None) == "" and token is None):
        raise NarrascopeError("the token is empty (--token or NARRASCOPE_TOKEN): give a real one, or unset it")
    if not is_loopback(host) and token is None and not insecure_no_token:
        raise NarrascopeError(
            f"--host {host} reaches beyond this machine: give --token (or NARRASCOPE_TOKEN), "
            "or --insecure-no-token to serve the corpus to anyone who can reach the port"
        )
    if not os.path.isfile(db):
        raise NarrascopeError(f"{db}: no such corpus file; create it with `narrascope ingest PATH... --db {db}`")
    listening = _listen(host, port)  # a taken port fails before the models load
    settings = pipeline_settings(rules_path=rules_path, models=models, min_scores=min_scores, force=force)
    pipeline, spec = _pipeline(components, llm, settings)
    app = create_app(
        db, token=token, max_body=max_body, pipeline=pipeline, spec=spec, host=host, allowed=allowed,
        vocabulary=vocabulary,
    )  # fmt: skip
    if read_only_media(db):
        click.echo(f"narrascope: note: {db} is read-only; serving it read-only (storing articles is refused)", err=True)
    if not is_loopback(host) and token is None:
        click.echo("narrascope: warning: serving beyond loopback without a token (--insecure-no-token)", err=True)
    raise_open_files_limit()
    port = listening.getsockname()[1]
    click.echo(f"narrascope: serving {db} at http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    uvicorn.Server(server_config(app)).run(sockets=[listening])


def _listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before anything is served: a taken port is one line, not a traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        raise NarrascopeError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (another server may use it; choose --port)"
        ) from None
    listening.listen(128)
    return listening
