"""`narrascope watch` and `narrascope alerts`, and the fetcher options that `ingest URL...` shares with watch."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrascope.cli.console import escape, stderr_console, stdout_console
from narrascope.cli.options import components_option
from narrascope.defaults import DEFAULT_BATCH, FETCH_DELAY, FETCH_PER_HOST, FETCH_RETRIES, FETCH_TIMEOUT, MAX_ITEMS
from narrascope.errors import visible
from narrascope.ingest.decode import DEFAULT_MAX_BYTES

if TYPE_CHECKING:  # the fetcher, the store and the pipeline load with the command, not with its --help
    from rich.console import Console

    from narrascope.sources.fetch import FetchOptions
    from narrascope.sources.round import RoundSummary

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILED = 1


def fetch_options(function: F) -> F:
    """--allow-private, --timeout, --max-bytes, --per-host-delay, --per-host-concurrency, --retries, --max-items,
    --round-budget."""
    return _fetch_options(function, page_bytes=True)


def url_options(function: F) -> F:
    """The fetcher options of `ingest URL...` less --max-bytes: there the input option bounds a page too."""
    return _fetch_options(function, page_bytes=False)


def _fetch_options(function: F, *, page_bytes: bool) -> F:
    options = [
        click.option("--allow-private", is_flag=True, help="Also fetch from loopback and private addresses "
                     "(link-local and metadata addresses such as 169.254.169.254 stay refused)."),
        click.option("--timeout", type=click.FloatRange(0.1, 600), default=FETCH_TIMEOUT, show_default=True,
                     help="Seconds for a whole request (connect, headers and body)."),
        click.option("--max-bytes", type=click.IntRange(1000), default=DEFAULT_MAX_BYTES, show_default=True,
                     help="Largest page body read (feeds: 20 MB)."),
        click.option("--per-host-delay", type=click.FloatRange(0, 3600), default=FETCH_DELAY, show_default=True,
                     help="Seconds between the starts of two requests to one host."),
        click.option("--per-host-concurrency", type=click.IntRange(1, 32), default=FETCH_PER_HOST,
                     show_default=True, help="Requests at once to one host."),
        click.option("--retries", type=click.IntRange(0, 10), default=FETCH_RETRIES, show_default=True,
                     help="Retries after a 429, a 5xx or a lost connection (exponential backoff, Retry-After)."),
        click.option("--max-items", type=click.IntRange(1, 100_000), default=MAX_ITEMS, show_default=True,
                     help="New pages fetched per feed and round; the rest wait for later rounds."),
        click.option("--round-budget", default="10m", show_default=True, callback=_duration,
                     help="Time a round may fetch for (watch: at most --every); what a slow host's pacing leaves "
                     "then waits for the next round."),
    ]  # fmt: skip
    if not page_bytes:
        del options[2]
    for option in reversed(options):
        function = option(function)
    return function


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> float:
    from narrascope.errors import FormatError
    from narrascope.sources.watch import parse_duration

    try:
        return parse_duration(value)
    except FormatError as exc:
        raise click.BadParameter(str(exc)) from None


def make_fetch_options(params: dict[str, Any]) -> FetchOptions:
    from narrascope.sources.fetch import FetchOptions

    return FetchOptions(
        timeout=params["timeout"], max_bytes=params["max_bytes"], delay=params["per_host_delay"],
        per_host=params["per_host_concurrency"], retries=params["retries"], allow_private=params["allow_private"],
    )  # fmt: skip


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by Ctrl-C or SIGTERM (the work in hand finishes and is committed); handlers restored after."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: stop now (batches already committed stay)
            raise KeyboardInterrupt
        stop.set()
        click.echo("narrascope: stopping after the current article (again to abort)", err=True)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def round_progress() -> Iterator[RoundProgress]:
    """Progress of fetching rounds, fed by their events: a bar on a terminal, a line at least every 10 s in a log
    while a round runs (none while `watch` waits for the next one)."""
    from narrascope.cli.progress import progress

    with progress("fetching", unit="pages") as tracker:
        yield RoundProgress(tracker)


class RoundProgress:
    """`on_event` of a round (call it with the round's summary so far); `done()` when the round has ended."""

    def __init__(self, tracker: Any) -> None:
        self.tracker, self.running = tracker, False

    def __call__(self, summary: RoundSummary) -> None:
        if not self.running:
            self.tracker.restart()
            self.running = True
        note = f"{summary.sources} source(s), {summary.items} item(s), {len(summary.failed)} failed"
        self.tracker.update(summary.fetched, note=note)

    def done(self) -> None:
        self.running = False
        self.tracker.idle()


def print_round(err: Console, summary: RoundSummary, *, prefix: str = "") -> None:
    for line in summary.failed:
        err.print(f"narrascope: error: {escape(visible(line))}", soft_wrap=True, highlight=False)
    for line in summary.skipped:
        err.print(f"narrascope: skipped: {escape(visible(line))}", soft_wrap=True, highlight=False)
    err.print(f"{prefix}{summary.line()}{' (stopped)' if summary.stopped else ''}", soft_wrap=True, highlight=False)


batch_size_option = click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=DEFAULT_BATCH,
    show_default=True,
    help="Articles per committed transaction (a crash loses at most one batch).",
)  # `ingest` and `watch`


@click.command("watch")
@click.option(
    "--feeds", "feeds", required=True, type=click.Path(dir_okay=False), help="One feed, sitemap or page URL a line."
)
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False), help="The SQLite corpus file.")
@click.option("--every", default="30m", show_default=True, help="Time between the starts of two rounds (45s, 30m, 2h).")
@click.option("--once", is_flag=True, help="Run one round and exit.")
@click.option("--rules", type=click.Path(dir_okay=False), help="Alert rules (TOML), evaluated after each round.")
@click.option(
    "--alerts-log", type=click.Path(dir_okay=False), help="JSONL log of new alerts (default: DB.alerts.jsonl)."
)
@batch_size_option
@fetch_options
@components_option
def watch_command(feeds: str, db: str, every: str, once: bool, rules: str | None, alerts_log: str | None,
                  batch_size: int, components: list[str], **params: Any) -> None:  # fmt: skip
    """Poll feeds and pages, store the new articles, raise alerts; Ctrl-C or SIGTERM stops cleanly."""
    from narrascope.pipeline import load_pipeline
    from narrascope.sources.alerting import AlertSink
    from narrascope.sources.watch import WatchOptions, parse_duration, read_sources, watch
    from narrascope.store.alerts import load_rules
    from narrascope.store.db import Store

    err = stderr_console()
    seconds = parse_duration(every)
    sources = read_sources(feeds)
    loaded = load_rules(rules) if rules else None
    fetch = make_fetch_options(params)
    sink = AlertSink(
        alerts_log or f"{db}.alerts.jsonl", loaded.webhook if loaded else None, allow_private=fetch.allow_private,
        on_error=lambda line: err.print(f"narrascope: error: {escape(visible(line))}", soft_wrap=True),
    )  # fmt: skip
    store = Store(db, bulk=True)
    pipeline = load_pipeline(components)
    options = WatchOptions(
        every=seconds, once=once, max_items=params["max_items"], batch_size=batch_size, fetch=fetch,
        round_budget=params["round_budget"],
    )  # fmt: skip
    failed = [False]

    def on_round(number: int, summary: RoundSummary, alerts: list[dict[str, object]]) -> None:
        on_event.done()
        failed[0] = bool(summary.failed)
        print_round(err, summary, prefix=f"round {number}: ")
        for alert in alerts:
            err.print(escape(visible(f"alert: [{alert['rule']}] {alert['message']}")), soft_wrap=True)
        if not once and not summary.stopped:
            err.print(f"next round in {seconds:g} s (Ctrl-C to stop)")

    with stop_on_signals() as stop, round_progress() as on_event:
        err.print(f"watching {len(sources)} source(s) into {escape(db)}")
        try:
            watch(sources, store, pipeline, options=options, rules=loaded, sink=sink, stop=stop, on_round=on_round,
                  on_event=on_event)  # fmt: skip
        finally:
            sink.close(wait=30.0)
            store.close()
    if once and failed[0]:
        sys.exit(EXIT_FAILED)


@click.command("alerts")
@click.option("--db", "db", required=True, type=click.Path(dir_okay=False), help="The SQLite corpus file.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--rule", help="Only the alerts of this rule.")
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table", show_default=True)
def alerts_command(db: str, limit: int, rule: str | None, fmt: str) -> None:
    """List the alerts raised by `watch --rules`, newest first."""
    import json

    from rich.table import Table

    from narrascope.store.alerts import list_alerts
    from narrascope.store.db import Store

    store = Store(db, readonly=True)
    found = list_alerts(store, limit=limit, rule=rule)
    store.close()
    if fmt == "jsonl":
        for item in found["items"]:
            click.echo(json.dumps(item, ensure_ascii=False))
        return
    table = Table("When", "Rule", "Alert", title=f"{found['total']} alert(s)")
    for item in found["items"]:
        table.add_row(item["created_at"], escape(visible(item["rule"])), escape(visible(item["message"])))
    stdout_console().print(table)
