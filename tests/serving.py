"""A real uvicorn server on 127.0.0.1 in a background thread, for the API and browser tests."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from narrascope.server.api import create_app
from narrascope.server.security import server_config


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving_a_copy(db: Path, folder: Path) -> Iterator[str]:
    """Serve a copy of the store `db` made in `folder` (what the tests change stays out of the shared store)."""
    copy = folder / "ui.db"
    shutil.copy(db, copy)
    with running_server(str(copy)) as url:
        yield url


@contextmanager
def running_server(db: str, **options: Any) -> Iterator[str]:
    """Serve the app over `db` on a free loopback port; yields the base URL and stops the server after."""
    port = free_port()
    app = create_app(db, **options)
    config = server_config(app, host="127.0.0.1", port=port)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def request(
    url: str, *, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one HTTP request (errors included, never raised)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def get_json(url: str, **kwargs: Any) -> tuple[int, Any]:
    status, _, data = request(url, **kwargs)
    return status, json.loads(data)
