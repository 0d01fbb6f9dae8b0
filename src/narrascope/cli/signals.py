"""Ctrl-C and SIGTERM for long commands (`analyze`, `ingest`): the first signal asks the loop to stop between
documents, so everything written is complete; a second stops at once."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from narrascope.errors import visible

if TYPE_CHECKING:
    from rich.text import Text

EXIT_INTERRUPTED = 130  # 128 + SIGINT; SIGTERM gives 143


class Interrupted(BaseException):
    """A second SIGINT/SIGTERM: stop at once (the first one only asks the loop to stop between documents)."""


class Stop:
    """Catches SIGINT and SIGTERM while a batch runs: the first asks to stop after the current document, so
    every document written is complete; a second stops at once and keeps nothing."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, frame: Any) -> None:
        if self.signum is not None:
            raise Interrupted()
        self.signum = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        previous = {s: signal.signal(s, self) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def message(kind: str, text: str, style: str) -> Text:
    """One line for stderr: a styled prefix, then input-derived text as plain text with controls made visible."""
    from rich.text import Text

    return Text.assemble((f"narrascope: {kind}: ", style), visible(text))


def exit_code(signum: int) -> int:
    return EXIT_INTERRUPTED if signum == signal.SIGINT else 128 + signum
