"""What every capability's LLM backend does the same way: build a request from a prompt file and an article,
ask many at once, locate quotes in the raw text, and count what was dropped."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from narrascope.analysis import Analysis
from narrascope.article import Span
from narrascope.llm.client import LLMClient, LLMRequest, LLMSettings
from narrascope.llm.prompts import load_prompt
from narrascope.llm.quotes import locate

_SHARED: dict[str, LLMClient] = {}
_SHARED_LOCK = threading.Lock()


def llm_client(client: LLMClient | None) -> LLMClient:
    """`client`, or one client per process built from NARRASCOPE_LLM_URL / _MODEL / _API_KEY."""
    if client is not None:
        return client
    with _SHARED_LOCK:
        if "env" not in _SHARED:
            _SHARED["env"] = LLMClient(LLMSettings.from_env())
        return _SHARED["env"]


class LLMBackend:
    def __init__(self, client: LLMClient) -> None:
        self.client = client
        self.client.probe()  # one line and exit 2 before any article is read, when the server is wrong

    def request(self, prompt: str, analysis: Analysis, schema: dict[str, Any], *, max_tokens: int,
                **values: object) -> LLMRequest:  # fmt: skip
        template = load_prompt(prompt, self.client.settings.prompts_dir)
        messages = template.render(**article_values(analysis, self.client.settings.max_article_chars), **values)
        return LLMRequest(messages, schema, max_tokens)

    def ask_many(self, requests: Sequence[LLMRequest]) -> list[Any]:
        return self.client.ask_many(requests)

    def locate(self, analysis: Analysis, quote: str) -> Span | None:
        """The raw span of a quote, or None (counted as a dropped quote when the quote was not empty)."""
        span = locate(analysis.article.raw_text, quote) if quote.strip() else None
        if span is None and quote.strip():
            self.client.count_dropped(quotes=1)
        return span

    def count_dropped_labels(self, count: int) -> None:
        self.client.count_dropped(labels=count)


class UsesLLM:
    """For LLM components: the backend is built on first use, so listing or checking a pipeline needs no
    server (the CLI probes the server itself, before any article is read)."""

    _llm: LLMClient | None = None
    _backend: LLMBackend | None = None

    def use_llm(self, client: LLMClient | None) -> None:
        self._llm, self._backend = client, None

    @property
    def backend(self) -> LLMBackend:
        if self._backend is None:
            self._backend = LLMBackend(llm_client(self._llm))
        return self._backend


def article_values(analysis: Analysis, max_chars: int) -> dict[str, str]:
    """`$title` and `$text` (the clean text, cut at `max_chars` on a line or word break)."""
    article = analysis.article
    text = article.clean_text
    if len(text) > max_chars:
        cut = text.rfind("\n", 0, max_chars)
        cut = cut if cut > max_chars // 2 else text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > 0 else max_chars]
    return {"title": article.title or "", "text": text}
