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


# The author's own framing around a report (not the source's words): counted outside the claim and the cue.
_AUTHOR_DISPUTES = re.compile(
    r"\b(?:supposedly|so-called|when in fact|when in reality|in reality|though (?:he|she|they|it) says?|"
    r"despite what|even if|would say that|wouldn[’']t (?:he|she|they)|condescendingly|belying|"
    r"what (?:they|he|she) (?:are|is) saying)\b",
    re.IGNORECASE,
)
_AUTHOR_ENDORSES = re.compile(
    r"\b(?:which is true|that is true|rightly|correctly|stated it best|put it best|as \w+(?: \w+)? (?:said|noted|"
    r"wrote|put it)|these scientists know|it is true)\b",
    re.IGNORECASE,
)
# Cue verbs that present what follows as fact (the author vouches for it) or as a mere assertion.
FACTIVE_CUES = frozenset({"revealed", "reveals", "reveal", "showed", "shows", "show", "proved", "proves", "indicates",
                          "confirmed", "confirms", "know", "knows"})  # fmt: skip
# The next sentence speaks about the claim only when it points back at it early on ("But ...", "Experts
# dismissed this ...", "Inspectors confirmed the finding").
_BACK_REFERENCE = re.compile(
    r"^\s*(?:but|however|yet|in reality|in fact|actually)\b|^\W*(?:\S+\s+){0,5}?(?:this|these|that claim|such claims?|"
    r"the (?:claims?|findings?|allegations?|statement|report|assertion))\b",
    re.IGNORECASE,
)
# weight of each signal; the stance score is the evidence for the winner, squashed into (0.5, 1)
# A hedged verb ("claimed") or scare quotes alone are not enough: news quotes sources' words all the time.
WEIGHTS = {"author": 1.0, "word": 1.0, "scare": 0.25, "hedge": 0.5, "hedged_verb": 0.25, "factive": 1.0, "next": 0.75}
_QUOTATION = re.compile(r"[\u201c\"]([^\u201d\"\n]+)[\u201d\"]")
STANCE_THRESHOLD = 0.55  # below it the stance is `unclear` (the default of min_scores["claims"])


def stance_evidence(text: str, sentence: Span, following: Span, claim: Any, rules: ClaimRules) -> dict[str, float]:
    """Weighted evidence for `disputes` and `endorses` from the author's framing of one claim."""
    cue: Span | None = claim.cue
    evidence = {"disputes": 0.0, "endorses": 0.0}

    start, end = sentence
    # the source's own words: the claim, the cue, and any quotation longer than a scare quote
    quoted = [(q.start(), q.end()) for q in _QUOTATION.finditer(text, start, end)
              if len(q.group(1).split()) > MAX_SCARE_WORDS]  # fmt: skip

    def unquoted(m: re.Match[str]) -> bool:
        in_cue = cue is not None and m.start() < cue[1] and m.end() > cue[0]
        return not in_cue and not any(a <= m.start() < b for a, b in quoted)

    def outside(m: re.Match[str]) -> bool:
        return unquoted(m) and not (claim.start <= m.start() < claim.end)

    # the author's own framing clauses ("..., when in fact ...", "..., which is true") count anywhere unquoted
    author = {
        stance: [m for m in pattern.finditer(text, start, end) if unquoted(m)]
        for stance, pattern in (("disputes", _AUTHOR_DISPUTES), ("endorses", _AUTHOR_ENDORSES))
    }
    taken = [(m.start(), m.end()) for found in author.values() for m in found]
    for stance, pattern in (("disputes", rules.disputes), ("endorses", rules.endorses)):
        # a dispute word inside the claim is the source's ("X said the reports were false"); an endorsing phrase
        # ("as everyone knows") is the author's wherever it stands
        words = [m for m in pattern.finditer(text, start, end) if (outside if stance == "disputes" else unquoted)(m)]
        evidence[stance] += WEIGHTS["word"] * sum(1 for m in words if not any(a <= m.start() < b for a, b in taken))
        evidence[stance] += WEIGHTS["author"] * len(author[stance])
    for m in rules.hedges.finditer(text, start, end):
        if outside(m) and m.group(0).lower() not in {"claimed", "alleged"}:
            evidence["disputes"] += WEIGHTS["hedge"]
    for m in _SCARE_QUOTES.finditer(text, start, end):
        if len(m.group(1).split()) <= MAX_SCARE_WORDS and not _quotes_the_source(text, m, cue):
            evidence["disputes"] += WEIGHTS["scare"]
    if cue is not None:
        word = text[cue[0] : cue[1]].lower()
        if word in FACTIVE_CUES:
            evidence["endorses"] += WEIGHTS["factive"]
        elif rules.verb_forms.get(word) in rules.hedged_verbs:
            evidence["disputes"] += WEIGHTS["hedged_verb"]
    if following[1] > following[0] and _BACK_REFERENCE.search(text[following[0] : following[1]]):
        for stance, pattern in (("disputes", rules.disputes), ("endorses", rules.endorses)):
            evidence[stance] += WEIGHTS["next"] * len(pattern.findall(text, following[0], following[1]))
    return evidence


def _quotes_the_source(text: str, m: re.Match[str], cue: Span | None) -> bool:
    """A quotation right before or after the cue is the source's words ("X said it was 'clear'"), not irony."""
    return cue is not None and (abs(m.end() - cue[0]) <= 3 or abs(m.start() - cue[1]) <= 3)


def stance_of(text: str, sentence: Span, following: Span, claim: Any, rules: ClaimRules) -> tuple[str, float]:
    """endorses | reports | disputes, with a score in [0.5, 1): how clearly the author's framing says so.

    What the source says is not the article's stance: a dispute word inside the claim ("X said the reports
    were false") or the claim's own reporting verb ("X denied that ...") does not count. The next sentence
    counts only when it opens by pointing back at the claim ("But this is false").
    """
    evidence = stance_evidence(text, sentence, following, claim, rules)
    net = evidence["disputes"] - evidence["endorses"]
    if abs(net) < 0.5:
        if min(evidence.values()) > 0:  # framing both ways that cancels out: a weak "reports" (unclear)
            return "reports", 0.5
        return "reports", round(0.8 - 0.2 * max(evidence.values()), 2)  # a faint signal lowers the confidence
    stance = "disputes" if net > 0 else "endorses"
    return stance, round(min(0.95, 0.5 + 0.2 * abs(net)), 2)
