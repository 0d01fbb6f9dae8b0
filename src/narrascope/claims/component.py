"""Claims component: who says what in an article, relayed by whom, and the article's stance toward it.

English: the rules (`narrascope/data/claims.json`) run on a spaCy dependency parse of the clean text's cue
sentences. Bulgarian, Hindi, Portuguese, Russian: rules over the sentence's words (`claims/multilingual.py`).
Every span is mapped back to raw offsets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from narrascope.analysis import Analysis, Claim, TextSpan
from narrascope.article import Article
from narrascope.claims import multilingual
from narrascope.claims.attribution import ExtractedClaim, paragraph_relays
from narrascope.claims.extractor import MAX_CANDIDATES, ClaimExtractor
from narrascope.claims.rules import ClaimRules
from narrascope.claims.speakers import tidy_claims
from narrascope.claims.stance import STANCE_THRESHOLD
from narrascope.components import BaseComponent, register
from narrascope.ingest.sentences import split_sentences
from narrascope.learn.spacy_loading import english_pipeline


@register("claims")
class ClaimsComponent(BaseComponent):
    name = "claims"
    requires = ("article.text", "sentences")
    assigns = ("claims",)
    # English cue words on an English parse; word rules in the other four languages
    languages = frozenset({"en", *multilingual.LANGUAGES})
    # A claim is read from its own sentence: one sentence is enough text, so claims have no text minimum.
    judges_short_text = True
    judges = True
    options = ("claims_rules", "min_scores")

    def __init__(
        self, *, claims_rules: str | Path | ClaimRules | None = None, min_scores: Mapping[str, float] | None = None
    ) -> None:
        rules = claims_rules if isinstance(claims_rules, ClaimRules) else ClaimRules.load(claims_rules)
        self.extractor = ClaimExtractor(rules)
        self.min_score = (min_scores or {}).get("claims", STANCE_THRESHOLD)

    def warm_up(self) -> None:
        english_pipeline()  # the parse claims read

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        text = article.clean_text
        # the sentences component's spans, in clean offsets (the parse runs on the clean text)
        sentences = list(split_sentences(text))
        language = (article.language or "").lower()
        if language in multilingual.LANGUAGES:
            found = multilingual.extract(language, text, sentences)
            paragraph_relays(found, text, sentences, _citations(article))
        else:
            found = self.extractor.extract(text, sentences, citations=_citations(article))
        claims = [_to_claim(article, c) for c in tidy_claims(found, text, language or "en", sentences)]
        # a stance below the threshold is not asserted; its score stays
        analysis.claims = [c if c.stance_score >= self.min_score else replace(c, stance="unclear") for c in claims]
        if self.extractor.capped:
            analysis.warnings.append(
                f"{article.id}: claims were looked for in the first {MAX_CANDIDATES} cue sentences only"
            )
        return analysis


def _span(article: Article, span: tuple[int, int] | None) -> TextSpan | None:
    if span is None:
        return None
    raw = article.raw_span(*span)
    return TextSpan(raw.start, raw.end, article.raw_text[raw.start : raw.end])


def _cited_span(article: Article, name: str) -> TextSpan | None:
    """Where a cited source ("Source- Euronews", removed from the clean text) stands in the raw text."""
    at = article.raw_text.rfind(name)
    return TextSpan(at, at + len(name), name) if at >= 0 else None


def _citations(article: Article) -> list[tuple[int, str]]:
    """(clean offset, name) of each cited-source line ("Source- USA Today") of the raw text."""
    found = []
    offsets = article.offset_map
    clean_length = len(article.clean_text)
    for name in article.cited_sources:
        lines = list(re.finditer(rf"^[^\n]{{0,20}}{re.escape(name)}[^\n]{{0,5}}$", article.raw_text, re.MULTILINE))
        if not lines:  # cited in the article's metadata, not in its text: it closes the whole text
            found.append((clean_length, name))
        for m in lines:
            lo, hi = 0, clean_length  # the first clean offset at or after the line (to_raw is monotonic)
            while lo < hi:
                mid = (lo + hi) // 2
                if offsets.to_raw(mid) < m.start():
                    lo = mid + 1
                else:
                    hi = mid
            found.append((lo, name))
    return found


def _to_claim(article: Article, c: ExtractedClaim) -> Claim:
    whole = _span(article, (c.start, c.end))
    assert whole is not None
    relay_span = _span(article, c.relay_span)
    if relay_span is None and c.relay is not None:
        relay_span = _cited_span(article, c.relay)
    return Claim(
        start=whole.start,
        end=whole.end,
        text=whole.text,
        source=c.source,
        source_span=_span(article, c.source_span),
        cue=_span(article, c.cue),
        relay=c.relay,
        relay_span=relay_span,
        hedges=tuple(s for s in (_span(article, h) for h in c.hedges) if s is not None),
        stance=c.stance,
        stance_score=c.stance_score,
        score=c.score,
    )
