"""The LLM explanation of the dominant narrative: at most 80 words, quoting the article's sentences.

Quotes are located in the raw text; those not found are dropped (counted). When none is found the
explanation cannot be checked, so the extractive one stands in, with a warning: nothing unverifiable reaches
the output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from narrascope.analysis import Analysis, Explanation, TextSpan
from narrascope.components import BatchComponent, register
from narrascope.explanations.component import MAX_WORDS, dominant, extractive_explanation
from narrascope.llm.backend import LLMBackend, UsesLLM
from narrascope.llm.client import LLMClient, LLMRequest
from narrascope.llm.quotes import cut_words

MAX_QUOTES = 3
SCHEMA = {
    "type": "object",
    "properties": {"explanation": {"type": "string"}, "quotes": {"type": "array", "items": {"type": "string"}}},
    "required": ["explanation", "quotes"],
}


def explanation_request(backend: LLMBackend, analysis: Analysis, narrative: str, subnarrative: str) -> LLMRequest:
    return backend.request("explanations", analysis, SCHEMA, max_tokens=300, narrative=narrative,
                           subnarrative=subnarrative)  # fmt: skip


def parse_explanation(
    answer: Any, analysis: Analysis, narrative: str, subnarrative: str, backend: LLMBackend
) -> Explanation | None:
    """The explanation with its located quotes, or None when no quote could be located."""
    if not isinstance(answer, dict):
        return None
    quotes: list[TextSpan] = []
    for quote in answer.get("quotes", [])[: MAX_QUOTES * 2]:
        span = backend.locate(analysis, str(quote))
        if span and len(quotes) < MAX_QUOTES and all(q.start != span.start for q in quotes):
            quotes.append(TextSpan(span.start, span.end, analysis.article.raw_text[span.start : span.end]))
    text = cut_words(str(answer.get("explanation", "")).strip(), MAX_WORDS)
    if not quotes or not text:
        return None
    return Explanation(narrative, subnarrative, text, tuple(sorted(quotes, key=lambda q: q.start)), "llm")


@register("explanations-llm")
class LLMExplainer(UsesLLM, BatchComponent[Any]):
    """Explanations from an OpenAI-compatible LLM (the `--backend llm` of `explanations`)."""

    name = "explanations-llm"
    requires = ("narratives",)
    assigns = ("explanation",)
    options = ("llm",)

    def __init__(self, *, llm: LLMClient | None = None) -> None:
        self.use_llm(llm)

    def predict(self, analyses: Sequence[Analysis]) -> list[Any]:
        todo = [(i, found) for i, a in enumerate(analyses) if (found := dominant(a)) is not None]
        requests = [explanation_request(self.backend, analyses[i], hit.label, sub) for i, (hit, sub) in todo]
        answers: list[Any] = [None] * len(analyses)
        for (i, _), answer in zip(todo, self.backend.ask_many(requests), strict=True):
            answers[i] = answer
        return answers

    def set_annotations(self, analyses: Sequence[Analysis], predictions: Sequence[Any]) -> None:
        for analysis, answer in zip(analyses, predictions, strict=True):
            found = dominant(analysis)
            if found is None:
                analysis.explanation = None
                continue
            hit, sub = found
            explanation = parse_explanation(answer, analysis, hit.label, sub, self.backend)
            if explanation is None:
                analysis.warnings.append(
                    f"{analysis.id}: the LLM explanation quoted no sentence of the article; using the extractive one"
                )
                explanation = extractive_explanation(analysis)
            analysis.explanation = explanation
