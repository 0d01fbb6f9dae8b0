"""Find a model's quote in the raw article text, so that nothing unverifiable reaches the output.

Exact match first, then the same words in order with any punctuation or spacing between them (models
re-space and re-quote); a quote of fewer than `MIN_WORDS` words is too weak to count.
"""

from __future__ import annotations

import re

from narrascope.article import Span

MIN_WORDS = 4
MAX_QUOTE_CHARS = 1000
_WORD = re.compile(r"\w+")


def locate(raw_text: str, quote: str) -> Span | None:
    """The raw span of `quote` in `raw_text`, or None when the text does not contain it."""
    quote = quote.strip().strip("\"'“”‘’«»").strip()
    words = _WORD.findall(quote)
    if len(words) < MIN_WORDS or len(quote) > MAX_QUOTE_CHARS:
        return None
    start = raw_text.find(quote)
    if start >= 0:
        return Span(start, start + len(quote))
    pattern = r"\W+".join(re.escape(w) for w in words)
    match = re.search(pattern, raw_text, flags=re.IGNORECASE)
    return Span(match.start(), match.end()) if match else None


def cut_words(text: str, limit: int) -> str:
    """At most `limit` words of `text` (SemEval subtask 3 explanations: 80)."""
    words = text.split()
    return " ".join(words[:limit]) + ("…" if len(words) > limit else "")
