"""Progress of a long command on stderr: a bar on a terminal, a line at least every 10 s in a log.

One helper for every long command (`analyze`, `ingest`, `watch`, `train`, `evaluate`, `export`), so a cron job, a
log file or a CI step sees the same thing a terminal does, as lines:

    narrascope: ingesting: 120/460 docs (26 %), 2.1 docs/s, ETA 2m41s, 57s elapsed

On a terminal the same numbers are a transient bar (rich). When stderr is not a terminal a background thread
prints the current line every `every` seconds (9 by default, so at least every 10 s;
`NARRASCOPE_PROGRESS_EVERY` changes it), also while
one step takes longer than that, and a last line when the work ends. Lines written with `Tracker.print` (warnings,
errors) go above the bar or between the lines.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from narrascope.cli.console import stderr_console

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

EVERY = 9.0  # nominal: a line at least every 10 s even when a busy machine wakes the reporter late


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class Tracker:
    """The state of one piece of work: `done` of `total` items (None: not known yet), optionally the `fraction`
    done (when items are uneven, e.g. bytes of input read), and a short `note` (the current step)."""

    def __init__(self, what: str, unit: str, total: int | None, console: Console) -> None:
        self.what, self.unit, self.total = what, unit, total
        self.done = 0
        self.fraction: float | None = None
        self.note = ""
        self.active = True  # False between two pieces of work (`watch` between rounds): no line then
        self.started = time.monotonic()
        self.console = console
        self.lock = threading.Lock()
        self._bar: Any = None
        self._task: Any = None

    def update(
        self,
        done: int | None = None,
        *,
        total: int | None = None,
        fraction: float | None = None,
        note: str | None = None,
    ) -> None:
        with self.lock:
            self.active = True
            if done is not None:
                self.done = done
            if total is not None:
                self.total = total
            if fraction is not None:
                self.fraction = min(max(fraction, 0.0), 1.0)
            if note is not None:
                self.note = note
        if self._bar is not None:
            self._bar.update(self._task, completed=self._completed(), total=self._bar_total(), line=self.line(bar=True))

    def restart(self) -> None:
        """A new piece of work begins (a new `watch` round): counts and clock from zero."""
        with self.lock:
            self.done, self.total, self.fraction, self.note = 0, None, None, ""
            self.started = time.monotonic()

    def idle(self) -> None:
        """Nothing is running until the next `update` (`watch` waiting for its next round): no lines meanwhile."""
        with self.lock:
            self.active = False

    def advance(self, count: int = 1) -> None:
        self.update(self.done + count)

    def print(self, text: Text | str) -> None:
        """A line above the bar (or in the log), e.g. a warning."""
        with self.lock:
            self.console.print(text, soft_wrap=True, highlight=False)

    def _share(self) -> float | None:
        if self.fraction is not None:
            return self.fraction
        return self.done / self.total if self.total else None

    def _completed(self) -> float:
        share = self._share()
        return 1000 * share if share is not None else 0.0

    def _bar_total(self) -> float | None:
        return 1000.0 if self._share() is not None else None

    def line(self, *, bar: bool = False) -> str:
        """`120/460 docs (26 %), 2.1 docs/s, ETA 2m41s` (the bar shows the share itself)."""
        elapsed = time.monotonic() - self.started
        count = f"{self.done:,}/{self.total:,} {self.unit}" if self.total is not None else f"{self.done:,} {self.unit}"
        share = self._share()
        parts = [count] if self.done or self.total is not None else []  # nothing counted: the time only
        if share is not None and not bar and parts:
            parts[0] += f" ({100 * share:.0f} %)"
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if self.done:
            parts.append(
                f"{rate:.1f} {self.unit}/s" if rate >= 1 else f"{elapsed / self.done:.1f} s per {self.unit[:-1]}"
            )
        if share and 0 < share < 1:
            parts.append(f"ETA {_duration(elapsed * (1 - share) / share)}")
        parts.append(f"{_duration(elapsed)} elapsed")
        text = ", ".join(parts)
        return f"{self.note}: {text}" if self.note else text


@contextmanager
def progress(
    what: str, *, total: int | None = None, unit: str = "docs", every: float | None = None
) -> Iterator[Tracker]:
    """Report the progress of `what` (e.g. "ingesting") on stderr while the body runs; yields its `Tracker`."""
    from rich.text import Text

    console = stderr_console()
    tracker = Tracker(what, unit, total, console)
    if console.is_terminal:
        from rich.progress import BarColumn, Progress, TextColumn

        with Progress(
            TextColumn(what), BarColumn(), TextColumn("{task.fields[line]}"), console=console, transient=True
        ) as bar:
            tracker._bar, tracker._task = bar, bar.add_task(what, total=None, line="")
            tracker.update()
            yield tracker
        return
    every = every or float(os.environ.get("NARRASCOPE_PROGRESS_EVERY", EVERY))
    finished = threading.Event()

    def report() -> None:
        while not finished.wait(every):
            if tracker.active:
                tracker.print(Text(f"narrascope: {what}: {tracker.line()}"))

    thread = threading.Thread(target=report, name="narrascope-progress", daemon=True)
    thread.start()
    try:
        yield tracker
    finally:
        finished.set()
        thread.join()
        if tracker.active and time.monotonic() - tracker.started >= every:  # a short run's summary says it all
            tracker.print(Text(f"narrascope: {what}: {tracker.line()}"))


@contextmanager
def steps(what: str) -> Iterator[Callable[[str], None]]:
    """Progress of work that tells its steps as messages (training): yields `say(message)`, which prints the
    message and counts it; the periodic line says how many steps and how long so far."""
    from rich.text import Text

    with progress(what, unit="steps") as tracker:

        def say(message: str) -> None:
            tracker.print(Text(message))
            tracker.advance()

        yield say
