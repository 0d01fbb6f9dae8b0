"""A tiny OpenAI-compatible server on 127.0.0.1 in a thread, scripted per test (beside the real llama.cpp
end-to-end test): `/v1/models` and `/v1/chat/completions`, recording every request it receives."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, Any]  # (HTTP status, JSON body)
Script = Callable[[dict[str, Any]], Reply]


def completion(content: str, prompt_tokens: int = 10, completion_tokens: int = 5) -> Reply:
    return 200, {
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }


def answer(value: Any) -> Reply:
    return completion(json.dumps(value))


class FakeOpenAI:
    def __init__(self, script: Script, models: tuple[str, ...] = ("fake-model",)) -> None:
        self.script = script
        self.models = models
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "messages" in r]


@contextmanager
def fake_openai(script: Script, models: tuple[str, ...] = ("fake-model",)) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(script, models)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in fake.models]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            with lock:
                fake.requests.append(body)
                fake.headers.append(dict(self.headers))
                status, reply = fake.script(body)
            self._send(status, reply)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def prompt_of(body: dict[str, Any]) -> str:
    """All message text of a chat request, to tell the steps apart."""
    return "\n".join(m["content"] for m in body["messages"])
