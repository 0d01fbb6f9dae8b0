"""Attribution per claim: the relay a claim's paragraph or closing source line names, claims completed from
their sentence, and the claims a speaker's voice or a source line carries without a cue of their own.

All offsets are clean-text offsets. Used by the English extractor (`claims/extractor.py`) and, for relays, by
the rule-based languages (`claims/multilingual.py`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

Span = tuple[int, int]
TRIM = " ,;:.\u201c\u201d\"'\u2018\u2019-\u2014"


@dataclass
class ExtractedClaim:
    start: int
    end: int
    source: str | None = None
    source_span: Span | None = None
    cue: Span | None = None
    relay: str | None = None
    relay_span: Span | None = None
    hedges: list[Span] = field(default_factory=list)
    stance: str = "reports"
    stance_score: float = 0.6
    score: float = 0.5
    sentence: int = 0
    source_kind: str = "UNK"


def complete_from_sentence(claim: ExtractedClaim, text: str, sentences: Sequence[Span]) -> bool:
    """Whether a claim reads as a statement: one that starts with its verb ("is pursuing measures ...", its
    subject left before an "according to" aside) takes the sentence's subject back; an opened bracket or
    quote the trimming cut ("... (CIS") is closed."""
    s, e = sentences[claim.sentence]
    head = text[claim.start : claim.end].split(maxsplit=1)
    if head and head[0].lower() in _FINITE:
        before = text[s : claim.start]
        if not re.search(r",\s*(?:according to|as per)\b[^,]*,\s*$", before, re.IGNORECASE):
            return False  # a fragment with no subject to give it
        claim.start = s + len(before) - len(before.lstrip())
    for opening, closing in (("(", ")"), ("\u201c", "\u201d"), ("\u2018", "\u2019")):
        body = text[claim.start : claim.end]
        if body.count(opening) > body.count(closing):
            nxt = text.find(closing, claim.end, e)
            if nxt >= 0 and nxt - claim.end <= 3:
                claim.end = nxt + 1
    return True


_CONTINUED = re.compile(
    r"^(?:They|He|She)\s+(?:are|were|will|would|have|had|is|was)\b|^[^,]{3,80},\s+(?:they|he|she)\s+(?:are|were|will|would|have|had|is|was)\b"
)


def continued_claims(claims: list[ExtractedClaim], text: str, sentences: Sequence[Span]) -> list[ExtractedClaim]:
    """The sentence after a claim, in its paragraph, that goes on in the speaker's voice with no cue of its own
    ("The SVR claims that the US has recruited 60 terrorists. At Al-Tanf, they are receiving training ...")."""
    taken = {c.sentence for c in claims}
    found = []
    for claim in claims:
        k = claim.sentence + 1
        if claim.source is None or k in taken or k >= len(sentences):
            continue
        s, e = sentences[k]
        if "\n\n" in text[sentences[claim.sentence][1] : s] or not _CONTINUED.search(text[s:e]):
            continue
        start, end = s, e
        while end > start and text[end - 1] in TRIM:
            end -= 1
        found.append(
            ExtractedClaim(start, end, source=claim.source, source_kind=claim.source_kind, sentence=k, score=0.5)
        )
        taken.add(k)
    return found


def cited_claims(
    claims: list[ExtractedClaim], text: str, sentences: Sequence[Span], citations: Sequence[tuple[int, str]]
) -> list[ExtractedClaim]:
    """The sentences of the paragraph a source line closes, when none of them is a claim already: the article
    attributes that paragraph to the cited outlet (source unknown)."""
    found = []
    for at, _name in citations:
        end_at = text.rfind("\n\n", 0, at)
        end_at = at if end_at < 0 or text[end_at:at].strip() else end_at
        start_at = text.rfind("\n\n", 0, max(end_at - 1, 0))
        start_at = 0 if start_at < 0 else start_at + 2
        inside = [k for k, (s, e) in enumerate(sentences) if start_at <= s < end_at]
        if not inside or len(inside) > 3 or any(c.sentence in inside for c in claims):
            continue
        for k in inside:
            s, e = sentences[k]
            while e > s and text[e - 1] in TRIM:
                e -= 1
            if len(text[s:e].split()) >= 6:
                found.append(ExtractedClaim(s, e, sentence=k, score=0.4))
    return found


_FINITE = frozenset("is are was were has have had will would can could should may might must does do did".split())


def paragraph_relays(
    claims: list[ExtractedClaim], text: str, sentences: Sequence[Span], citations: Sequence[tuple[int, str]]
) -> None:
    """A claim without a relay of its own takes the one another claim of its paragraph names ("..., as per a
    report from TASS"), else the source line that closes its passage ("Source- Euronews" covers the paragraphs
    back to the previous source line or heading); otherwise it has none (no guess from elsewhere)."""
    starts = [0] + [m.end() for m in re.finditer(r"\n\s*\n", text)]

    def paragraph(at: int) -> int:
        return bisect.bisect_right(starts, at) - 1

    own: dict[int, tuple[str, Span | None]] = {}
    for claim in claims:
        if claim.relay is not None:
            own.setdefault(paragraph(claim.start), (claim.relay, claim.relay_span))
    for claim in claims:
        if claim.relay is None and paragraph(claim.start) in own:
            claim.relay, claim.relay_span = own[paragraph(claim.start)]
    previous = 0
    for at, name in sorted(citations):
        last = paragraph(max(at - 1, 0))
        first = last
        while first > previous and last - first < MAX_CITED_PARAGRAPHS - 1:
            if _heading(text, starts, first):
                first += 1
                break
            first -= 1
        for claim in claims:
            if claim.relay is None and first <= paragraph(claim.start) <= last:
                claim.relay, claim.relay_span = name, None
        previous = last + 1


MAX_CITED_PARAGRAPHS = 8


def _heading(text: str, starts: list[int], index: int) -> bool:
    """A short paragraph of one line without a full stop: a heading, "Read more: ...", "Why does it matter?"."""
    end = starts[index + 1] if index + 1 < len(starts) else len(text)
    body = text[starts[index] : end].strip()
    return 0 < len(body) <= 100 and "\n" not in body and not body.endswith((".", ".\u201d", '."', ".\u2019"))
