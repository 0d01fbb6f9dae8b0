"""The LLM client's timeout is a deadline for the whole answer, not for each read."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from narrascope.errors import LLMError
from narrascope.llm.client import LLMClient, LLMRequest, LLMSettings


@contextmanager
def dripping_server(interval: float, stop: threading.Event) -> Iterator[str]:
    """A real OpenAI-like server on 127.0.0.1 that answers chat completions one byte every `interval` s."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            data = json.dumps({"data": [{"id": "drip"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(600):  # at most a minute, whatever the client does
                if stop.is_set():
                    return
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(interval)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def test_llm_timeout_is_a_total_deadline(tmp_path: Path) -> None:
    stop = threading.Event()
    with dripping_server(0.1, stop) as url:
        settings = LLMSettings(url, "drip", timeout=1.5, retries=0, cache_path=tmp_path / "cache.sqlite3")
        client = LLMClient(settings)
        request = LLMRequest(messages=(("user", "Say something."),), schema={"type": "object"})
        started = time.monotonic()
        with pytest.raises(LLMError, match="no complete answer within 1.5 s"):
            client.ask(request)
        elapsed = time.monotonic() - started
        client.close()
    assert elapsed < 4.0
