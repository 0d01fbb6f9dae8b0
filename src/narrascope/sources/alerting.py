"""Where new alerts go besides the store: a JSONL log (appended and flushed at once) and a webhook.

The two are independent: an alert is queued for the webhook before the log is written, and a log that cannot
be written (a full disk, `/dev/full`, a missing folder) is one error line, never the end of the watch. The log
is opened without following a symbolic link (O_NOFOLLOW): a link planted at its path is refused, not appended
through to its target.

The webhook is POSTed from a background thread through a bounded queue, so a slow or dead receiver never
holds up a round: each alert is tried `attempts` times with exponential backoff, then given up with one line.
Its URL obeys the fetcher's address rules (no internal address unless allow_private), and the request goes to
the checked address.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from narrascope.errors import NarrascopeError
from narrascope.sources.fetch import USER_AGENT
from narrascope.sources.net import FetchError, pin, split_checked

QUEUE_SIZE = 10_000


class AlertSink:
    """Log and send alerts; `close(wait)` lets the webhook thread finish for at most `wait` seconds."""

    def __init__(
        self, log: str | Path | None, webhook: str | None, *, allow_private: bool = False, attempts: int = 4,
        backoff: float = 1.0, timeout: float = 10.0, on_error: Callable[[str], None] | None = None,
    ) -> None:  # fmt: skip
        self.log = Path(log) if log else None
        self.webhook, self.allow_private = webhook, allow_private
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.on_error = on_error or (lambda line: None)
        self.sent = 0
        self.failed = 0
        self.log_failed = 0
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        if webhook:
            split_checked(webhook)  # a bad scheme is refused at start, not at the first alert
            self._thread = threading.Thread(target=self._send_all, name="narrascope-webhook", daemon=True)
            self._thread.start()

    def emit(self, alerts: list[dict[str, Any]]) -> None:
        if self._thread is not None:
            for alert in alerts:
                try:
                    self._queue.put_nowait(alert)
                except queue.Full:
                    self.failed += 1
                    self.on_error(f"{self.webhook}: webhook queue full; alert {alert.get('key')} not sent")
        if self.log is not None and alerts:
            try:
                append_lines(self.log, [json.dumps(alert, ensure_ascii=False) + "\n" for alert in alerts])
            except OSError as exc:
                self.log_failed += len(alerts)
                reason = "it is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
                self.on_error(f"{self.log}: {len(alerts)} alert(s) not logged ({reason}); they are in the store")

    def close(self, wait: float = 30.0) -> None:
        if self._thread is None:
            return
        deadline = time.monotonic() + wait
        while not self._queue.empty() and time.monotonic() < deadline:
            time.sleep(0.05)
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(None)
        self._thread.join(timeout=max(0.1, deadline - time.monotonic()))

    def _send_all(self) -> None:
        with httpx.Client(follow_redirects=False, trust_env=False, timeout=self.timeout) as client:
            while True:
                alert = self._queue.get()
                if alert is None:
                    return
                self._send(client, alert)

    def _send(self, client: httpx.Client, alert: dict[str, Any]) -> None:
        assert self.webhook is not None
        body = json.dumps(alert, ensure_ascii=False).encode("utf-8")
        reason = ""
        for attempt in range(self.attempts):
            try:
                target = pin(self.webhook, allow_private=self.allow_private)
                response = client.post(
                    target.url, content=body, extensions=dict(target.extensions),
                    headers={"Host": target.host_header, "Content-Type": "application/json", "User-Agent": USER_AGENT},
                )  # fmt: skip
                if response.status_code < 300:
                    self.sent += 1
                    return
                reason = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # the receiver refuses it: trying again will not help
            except FetchError as exc:
                reason = str(exc)
                break
            except (httpx.HTTPError, NarrascopeError) as exc:
                reason = str(exc) or type(exc).__name__
            time.sleep(self.backoff * 2**attempt)
        self.failed += 1
        self.on_error(f"{self.webhook}: alert {alert.get('key')} not delivered ({reason})")


def append_lines(path: Path, lines: list[str]) -> None:
    """Append `lines` to `path` in one write, creating it when missing, never through a symbolic link."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o666)  # as open(path, "a"): the umask decides
    try:
        data = "".join(lines).encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
    finally:
        os.close(fd)
