"""Hedges of a claim and the article's stance toward it, from the cue lists of the rules file."""

from __future__ import annotations

import re
from typing import Any

from narrascope.claims.rules import ClaimRules

Span = tuple[int, int]
_SCARE_QUOTES = re.compile(r"[\u201c\"\u2018]([^\u201d\"\u2019\n]{1,40})[\u201d\"\u2019]")
MAX_SCARE_WORDS = 4


def hedge_spans(text: str, claim: Span, cue: Span | None, rules: ClaimRules) -> list[Span]:
    """Hedging words in and around the claim, a hedging cue verb ("claimed"), and short scare quotes."""
    spans: list[Span] = []
    lo = min(claim[0], cue[0]) if cue else claim[0]
    hi = max(claim[1], cue[1]) if cue else claim[1]
    for m in rules.hedges.finditer(text, lo, hi):
        spans.append((m.start(), m.end()))
    if cue is not None:
        word = text[cue[0] : cue[1]].lower()
        if rules.verb_forms.get(word) in rules.hedged_verbs and cue not in spans:
            spans.append(cue)
    for m in _SCARE_QUOTES.finditer(text, lo, hi):
        if len(m.group(1).split()) <= MAX_SCARE_WORDS:
            spans.append((m.start(), m.end()))
    return sorted(set(spans))


def stance_of(text: str, sentence: Span, following: Span, claim: Any, rules: ClaimRules) -> tuple[str, float]:
    """endorses | reports | disputes, from cue words in the claim's sentence and the next one.

    `claim` has `start`, `end` and `cue`. The claim's own reporting verb ("X denied that ...") is not a
    cue: the article reports the denial. Nor is a dispute word inside the claim ("X said the reports were
    false"): that is what the source says, not the article.
    """
    cue: Span | None = claim.cue
    counts = {"disputes": 0, "endorses": 0}
    for start, end in (sentence, following):
        for stance, pattern in (("disputes", rules.disputes), ("endorses", rules.endorses)):
            for m in pattern.finditer(text, start, end):
                if cue is not None and m.start() < cue[1] and m.end() > cue[0]:
                    continue
                if stance == "disputes" and claim.start <= m.start() < claim.end:
                    continue
                counts[stance] += 1
    if counts["disputes"] > counts["endorses"]:
        return "disputes", round(min(0.95, 0.6 + 0.15 * counts["disputes"]), 2)
    if counts["endorses"] > counts["disputes"]:
        return "endorses", round(min(0.95, 0.6 + 0.15 * counts["endorses"]), 2)
    return "reports", 0.6
