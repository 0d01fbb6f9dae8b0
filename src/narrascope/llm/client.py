"""An OpenAI-compatible chat-completions client for the LLM backends (Ollama, llama.cpp, vLLM, hosted).

Why its own client: the backends need the same few things everywhere — a probe of `/models` before any
article is read, timeouts and retries with backoff on 429/5xx, bounded parallel requests, a persistent cache,
and structured output that survives servers which reject `response_format` json_schema (llama.cpp's answers
HTTP 500 and wants `{"type": "json_object", "schema": ...}`): json_schema -> json_object -> JSON parsed from
text, with one repair request. The API key comes from the settings (the CLI reads `NARRASCOPE_LLM_API_KEY`)
and is sent only as a header: never printed, never in the cache key.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.defaults import ENV_KEY as ENV_KEY  # re-exported (with the two below): their old home
from narrascope.defaults import ENV_MODEL as ENV_MODEL
from narrascope.defaults import ENV_URL as ENV_URL
from narrascope.errors import LLMError
from narrascope.llm.cache import AnswerCache, cache_key, default_cache_path
from narrascope.llm.jsonout import parse_answer

if TYPE_CHECKING:
    import httpx

RETRYABLE = frozenset({429, 502, 503, 504})
MODES = ("json_schema", "json_object", "text")
REPAIR = "Your answer was not usable ({problem}). Answer again with only a JSON object of this schema: {schema}"
MAX_RETRY_AFTER = 30.0
_DECODED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")  # iter_bytes has decoded them
MAX_RESPONSE = 16 * 1024 * 1024  # bytes of one chat completion


@dataclass(frozen=True)
class LLMSettings:
    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    concurrency: int = 4
    timeout: float = 300.0
    retries: int = 4
    backoff: float = 1.0
    cache_path: str | Path | None = None  # None: ~/.cache/narrascope/llm/answers.sqlite3
    prompts_dir: str | Path | None = None  # a folder of prompt files overriding the shipped ones
    temperature: float = 0.0
    max_article_chars: int = 12_000

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMSettings:
        """Settings from NARRASCOPE_LLM_URL / _MODEL / _API_KEY, overridden by the non-None `overrides`."""
        values: dict[str, Any] = {
            "url": os.environ.get(ENV_URL),
            "model": os.environ.get(ENV_MODEL),
            "api_key": os.environ.get(ENV_KEY) or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values["url"]:
            raise LLMError(f"the LLM backend needs a server URL: --llm-url or {ENV_URL}")
        if not values["model"]:
            raise LLMError(f"the LLM backend needs a model name: --llm-model or {ENV_MODEL}")
        return cls(**values)


@dataclass(frozen=True)
class LLMRequest:
    """One question: chat messages and the JSON schema of the answer."""

    messages: tuple[tuple[str, str], ...]  # (role, content)
    schema: dict[str, Any]
    max_tokens: int = 256


@dataclass
class LLMStats:
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    retries: int = 0
    repairs: int = 0
    unusable: int = 0
    dropped_labels: int = 0
    dropped_quotes: int = 0

    def summary(self) -> str:
        return (
            f"LLM: {self.requests} request(s), {self.cache_hits} cache hit(s), {self.prompt_tokens} prompt + "
            f"{self.completion_tokens} completion tokens, {self.seconds:.1f} s in requests; {self.retries} retried, "
            f"{self.repairs} repair(s), {self.unusable} unusable answer(s), {self.dropped_labels} label(s) "
            f"outside the taxonomy and {self.dropped_quotes} quote(s) not in the text dropped"
        )


class LLMClient:
    """Thread-safe; `probe()` once, then `ask` / `ask_many`."""

    def __init__(self, settings: LLMSettings, *, transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self.settings = settings
        self.url = settings.url.rstrip("/")
        self.stats = LLMStats()
        self.warnings: list[str] = []
        self.cache = AnswerCache(settings.cache_path or default_cache_path())
        headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
        self._http = httpx.Client(
            headers=headers, timeout=httpx.Timeout(settings.timeout, connect=10.0), transport=transport
        )
        self._lock = threading.Lock()
        self._mode = 0  # index into MODES: the best structured-output mode the server accepted so far
        self._offline = False
        self._probed = False

    # -- setup ---------------------------------------------------------------------------------------------

    def probe(self) -> None:
        """Check the server and the model before any article is read; raise LLMError in one line.

        An unreachable server is fine only when the cache already holds answers of this model (a rerun)."""
        import httpx

        if self._probed:
            return
        self._probed = True
        try:
            response = self._http.get(f"{self.url}/models", timeout=10.0)
        except httpx.HTTPError as exc:
            if self.cache.has_model(self.settings.model):
                self._offline = True
                self.warnings.append(f"the LLM server at {self.url} is unreachable; answering from the cache only")
                return
            raise LLMError(
                f"cannot reach the LLM server at {self.url} ({type(exc).__name__}); start it or fix --llm-url"
            ) from None
        if response.status_code in (401, 403):
            raise LLMError(f"the LLM server at {self.url} refused the API key (HTTP {response.status_code})")
        if response.status_code != 200:
            return  # some hosted endpoints do not list models; the first request will tell
        try:
            ids = [str(m.get("id")) for m in response.json().get("data", [])]
        except (ValueError, AttributeError):
            return
        if ids and self.settings.model not in ids:
            shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
            raise LLMError(
                f"the LLM server at {self.url} does not serve model {self.settings.model!r} (it has {shown})"
            )

    def count_dropped(self, *, labels: int = 0, quotes: int = 0) -> None:
        """What the capabilities threw away: labels outside the taxonomy, quotes not in the text."""
        with self._lock:
            self.stats.dropped_labels += labels
            self.stats.dropped_quotes += quotes

    def close(self) -> None:
        self._http.close()
        self.cache.close()

    # -- asking --------------------------------------------------------------------------------------------

    def ask_many(self, requests: Sequence[LLMRequest]) -> list[Any]:
        """Answers in request order, `settings.concurrency` at a time; identical requests are asked once."""
        unique = {self._key(r): r for r in requests}
        if len(unique) <= 1 or self.settings.concurrency <= 1:
            answers = {key: self.ask(r) for key, r in unique.items()}
        else:
            with ThreadPoolExecutor(max_workers=min(self.settings.concurrency, len(unique))) as pool:
                answers = dict(zip(unique, pool.map(self.ask, unique.values()), strict=True))
        return [answers[self._key(r)] for r in requests]

    def _key(self, request: LLMRequest) -> str:
        payload = {
            "messages": [list(m) for m in request.messages],
            "schema": request.schema,
            "max_tokens": request.max_tokens,
            "temperature": self.settings.temperature,
        }
        return cache_key(self.settings.model, payload)

    def ask(self, request: LLMRequest) -> Any:
        """The JSON object answering `request`, or None when the model gave nothing usable (counted)."""
        self.probe()
        key = self._key(request)
        found, answer = self.cache.get(key)
        if found:
            with self._lock:
                self.stats.cache_hits += 1
            return answer
        if self._offline:
            raise LLMError(f"the LLM server at {self.url} is unreachable and this request is not in the cache")
        answer = self._answer(request)
        if answer is None:
            with self._lock:
                self.stats.unusable += 1
        self.cache.put(key, self.settings.model, answer)
        return answer

    def _answer(self, request: LLMRequest) -> Any:
        messages = [{"role": role, "content": content} for role, content in request.messages]
        while True:
            mode = self._mode
            text = self._complete(messages, request, mode)
            if text is None:  # the server rejected this structured-output mode: fall back for good
                with self._lock:
                    self._mode = max(self._mode, mode + 1)
                continue
            value, problem = parse_answer(text, request.schema)
            if value is not None:
                return value
            with self._lock:
                self.stats.repairs += 1
            schema = json.dumps(request.schema, separators=(",", ":"))
            repair = [
                *messages,
                {"role": "assistant", "content": text[:4000]},
                {"role": "user", "content": REPAIR.format(problem=problem, schema=schema)},
            ]
            text = self._complete(repair, request, mode)
            if text is None:
                return None
            value, _ = parse_answer(text, request.schema)
            return value

    def _complete(self, messages: list[dict[str, str]], request: LLMRequest, mode: int) -> str | None:
        """The answer text; None when the server rejects structured-output mode `mode` (never for text)."""
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": request.max_tokens,
            "temperature": self.settings.temperature,
        }
        if MODES[mode] == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": request.schema},
            }
        elif MODES[mode] == "json_object":
            body["response_format"] = {"type": "json_object", "schema": request.schema}
        else:
            schema = json.dumps(request.schema, separators=(",", ":"))
            last = messages[-1]["content"] + f"\n\nAnswer with only a JSON object of this schema: {schema}"
            body["messages"] = [*messages[:-1], {**messages[-1], "content": last}]
        response = self._post(body, structured=MODES[mode] != "text")
        if response is None:
            return None
        try:
            data = response.json()
            text = data["choices"][0]["message"].get("content") or ""
            usage = data.get("usage") or {}
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            raise LLMError(f"the LLM server at {self.url} sent a malformed chat completion") from None
        with self._lock:
            self.stats.prompt_tokens += int(usage.get("prompt_tokens") or 0)
            self.stats.completion_tokens += int(usage.get("completion_tokens") or 0)
        return str(text)

    def _post(self, body: dict[str, Any], *, structured: bool) -> httpx.Response | None:
        import httpx

        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            started = time.monotonic()
            try:
                response = self._post_once(body)
            except httpx.HTTPError as exc:
                self._count(started)
                if attempt + 1 < attempts:
                    self._wait(attempt, None)
                    continue
                raise LLMError(f"the LLM server at {self.url} failed: {type(exc).__name__}: {exc}") from None
            self._count(started)
            status = response.status_code
            if status < 400:
                return response
            if status in (401, 403):
                raise LLMError(f"the LLM server at {self.url} refused the API key (HTTP {status})")
            if status in RETRYABLE and attempt + 1 < attempts:
                self._wait(attempt, response.headers.get("retry-after"))
                continue
            if structured and status in (400, 404, 415, 422, 500, 501):
                return None
            raise LLMError(f"the LLM server at {self.url} answered HTTP {status}: {_short(response.text)}")
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_once(self, body: dict[str, Any]) -> httpx.Response:
        """One POST whose whole answer must arrive within `settings.timeout` seconds (httpx's timeout is per
        read, so a server dripping a byte a second would never be cut off) and stay under MAX_RESPONSE bytes."""
        import httpx

        deadline = time.monotonic() + self.settings.timeout
        with self._http.stream("POST", f"{self.url}/chat/completions", json=body) as streamed:
            chunks, size = [], 0
            for chunk in streamed.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(
                        f"no complete answer within {self.settings.timeout:g} s", request=streamed.request
                    )
                if size > MAX_RESPONSE:
                    raise httpx.DecodingError(f"an answer over {MAX_RESPONSE} bytes", request=streamed.request)
            headers = [(k, v) for k, v in streamed.headers.items() if k.lower() not in _DECODED_HEADERS]
            return httpx.Response(
                streamed.status_code, headers=headers, content=b"".join(chunks), request=streamed.request
            )

    def _count(self, started: float) -> None:
        with self._lock:
            self.stats.requests += 1
            self.stats.seconds += time.monotonic() - started

    def _wait(self, attempt: int, retry_after: str | None) -> None:
        with self._lock:
            self.stats.retries += 1
        delay = self.settings.backoff * 2**attempt
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = min(max(delay, float(retry_after)), MAX_RETRY_AFTER)
        time.sleep(delay)


def _short(text: str, limit: int = 200) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit] + "..."
