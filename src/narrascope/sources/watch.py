"""`watch`: rounds over the sources every so often, alerts as articles are stored, until stopped.

The rules are evaluated after every committed batch (a slow host does not hold the alerts of the others) and
once more at the end of each round. A round's time budget is `round_budget`, at most the interval between
rounds (or 30 s when that is shorter): what a host's pacing cannot fetch by then waits for the next round,
and each host's pacing (its Crawl-delay, the time of its last request) and robots.txt are remembered from one
round to the next.
A stop (Ctrl-C, SIGTERM: the caller sets `stop`) ends the round in progress after the article being analysed,
commits what was analysed, evaluates the rules once more and returns; sleeping between rounds is interrupted
at once. Feeds that are down or answer garbage are failures of their round, counted in the store's feed
state; the next round tries them again.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from narrascope.errors import FormatError
from narrascope.pipeline import Pipeline
from narrascope.sources.alerting import AlertSink
from narrascope.sources.feeds import MAX_ITEMS
from narrascope.sources.fetch import FetchOptions, Politeness
from narrascope.sources.round import RoundSummary, run_round
from narrascope.store.alerts import Rules, evaluate
from narrascope.store.db import Store
from narrascope.store.ingest import DEFAULT_BATCH

MAX_SOURCES_BYTES = 2_000_000
MAX_SOURCES = 10_000
ROUND_BUDGET = 600.0  # seconds a round may fetch for, by default (and at most the interval between rounds)
MIN_ROUND_BUDGET = 30.0  # a short interval between rounds shortens a round's budget down to this, no further
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds in "90", "45s", "30m", "2h" or "1d" (FormatError otherwise)."""
    found = _DURATION.match(text)
    if found is None or float(found.group(1)) <= 0:
        raise FormatError(f"{text!r}: expected a duration such as 30s, 30m, 2h or 1d")
    return float(found.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2) or "s"]


def read_sources(path: str | Path) -> list[str]:
    """The URLs of a sources file: one feed, sitemap or page URL a line; blank lines and # comments skipped."""
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SOURCES_BYTES + 1)
    except OSError as exc:
        raise FormatError(f"{where}: cannot read the feeds file ({exc.strerror or exc})") from None
    if len(data) > MAX_SOURCES_BYTES:
        raise FormatError(f"{where}: over {MAX_SOURCES_BYTES:,} bytes; is it a feeds file (one URL a line)?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    urls: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.lower().startswith(("http://", "https://")) or any(c.isspace() for c in line):
            raise FormatError(f"{where}:{number}: expected one http(s) URL, found {line[:80]!r}")
        if line not in urls:
            urls.append(line)
    if not urls:
        raise FormatError(f"{where}: no URLs (one feed or page URL a line)")
    if len(urls) > MAX_SOURCES:
        raise FormatError(f"{where}: {len(urls)} URLs; at most {MAX_SOURCES} per watch")
    return urls


@dataclass
class WatchOptions:
    every: float = 1800.0
    once: bool = False
    max_items: int = MAX_ITEMS
    batch_size: int = DEFAULT_BATCH
    fetch: FetchOptions | None = None
    round_budget: float = ROUND_BUDGET

    def budget(self) -> float:
        """Seconds a round may fetch for: `round_budget`, and (when rounds repeat) no longer than the interval
        between rounds or MIN_ROUND_BUDGET, whichever is longer."""
        return self.round_budget if self.once else min(self.round_budget, max(self.every, MIN_ROUND_BUDGET))


def watch(
    sources: list[str],
    store: Store,
    pipeline: Pipeline,
    *,
    options: WatchOptions,
    rules: Rules | None = None,
    sink: AlertSink | None = None,
    stop: threading.Event | None = None,
    on_round: Callable[[int, RoundSummary, list[dict[str, object]]], None] | None = None,
    on_event: Callable[[RoundSummary], None] | None = None,
) -> int:
    """Run rounds until `stop` is set (or once); returns the number of rounds run."""
    stop = stop or threading.Event()
    rounds = 0
    politeness = Politeness()  # each host's pacing and robots.txt, across rounds
    while True:
        started = time.monotonic()
        round_started = datetime.now(UTC).isoformat(timespec="microseconds")  # a new rule's baseline
        rounds += 1
        alerts: list[dict[str, object]] = []
        alert = _alerter(store, rules, sink, alerts, round_started)
        summary = run_round(
            sources, store, pipeline, options=options.fetch, max_items=options.max_items,
            batch_size=options.batch_size, stop=stop, on_event=on_event, budget=options.budget(),
            politeness=politeness, on_stored=alert,
        )  # fmt: skip
        alert([])
        if on_round is not None:
            on_round(rounds, summary, alerts)
        if options.once or stop.is_set():
            return rounds
        if stop.wait(max(0.0, options.every - (time.monotonic() - started))):
            return rounds


def _alerter(
    store: Store, rules: Rules | None, sink: AlertSink | None, found: list[dict[str, object]], round_started: str
) -> Callable[[list[str]], None]:
    """Evaluate the rules, send the new alerts to `sink` and add them to `found` (called per committed batch).
    `round_started` is the baseline of a rule evaluated for the first time: its alerts cover this round's articles."""

    def alert(_: list[str]) -> None:
        new = evaluate(store, rules, round_started=round_started) if rules is not None and rules.rules else []
        if sink is not None and new:
            sink.emit(new)
        found.extend(new)

    return alert
