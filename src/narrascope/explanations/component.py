"""The offline explanation: the dominant narrative's own evidence sentences, at most 80 words.

Extractive on purpose: every word of it is the article's, located by raw offsets. The dominant narrative is
the narrative hit with the highest score (the first listed on ties), its subnarrative the best-scored of its
subnarratives, as in SemEval subtask 3. Articles with no narrative (`Other`) get no explanation.
"""

from __future__ import annotations

from narrascope.analysis import Analysis, Explanation, NarrativeHit, TextSpan
from narrascope.components import BaseComponent, register
from narrascope.llm.quotes import cut_words
from narrascope.taxonomy import OTHER, other_subnarrative

MAX_WORDS = 80


def dominant(analysis: Analysis) -> tuple[NarrativeHit, str] | None:
    """The dominant narrative hit and its subnarrative label, or None for `Other` articles."""
    narratives = [h for h in analysis.narratives if h.level == "narrative" and h.label != OTHER]
    if not narratives:
        return None
    best = max(narratives, key=lambda h: h.score)  # max keeps the first of equal scores
    subs = [h for h in analysis.narratives if h.level == "subnarrative" and h.label.startswith(best.label + ": ")]
    sub = max(subs, key=lambda h: h.score).label if subs else other_subnarrative(best.label)
    return best, sub


def extractive_explanation(analysis: Analysis) -> Explanation | None:
    found = dominant(analysis)
    if found is None:
        return None
    hit, sub = found
    sub_hit = next((h for h in analysis.narratives if h.label == sub), None)
    evidence = (sub_hit.evidence if sub_hit and sub_hit.evidence else ()) or hit.evidence
    quotes: list[TextSpan] = []
    words = 0
    for item in sorted(evidence, key=lambda e: e.start):
        if quotes and words + len(item.text.split()) > MAX_WORDS:
            break
        quotes.append(TextSpan(item.start, item.end, item.text))
        words += len(item.text.split())
    text = cut_words(" ".join(q.text for q in quotes), MAX_WORDS)
    return Explanation(hit.label, sub, text, tuple(quotes), "extractive")


@register("explanations")
class ExtractiveExplainer(BaseComponent):
    name = "explanations"
    requires = ("narratives",)
    assigns = ("explanation",)

    def __call__(self, analysis: Analysis) -> Analysis:
        analysis.explanation = extractive_explanation(analysis)
        return analysis
