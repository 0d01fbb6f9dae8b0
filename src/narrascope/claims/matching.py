"""Whether two claims assert the same thing, across wording and language.

Meaning: the cosine of multilingual-e5-small embeddings of the two claims (`learn/encoder.py`), plus a share
of their TF-IDF cosine (words and character n-grams: the same outlet's wording, names, figures). Agreement:
figures and named actors must not contradict, and an edited copy must not put another actor, figure or
negation in place (`claims/agreement.py`: vetoes whatever e5 says); an edited copy with another predicate is
left to the meaning (a wire rewrite swaps words too). A negation on one side only costs `negation_malus`
(`negation_across` in two languages); the same figures on both sides earn `number_bonus`. A pair that shares
most of its words but is not near-identical in meaning reads as an edited copy ("approve" made "reject") and
loses `copy_malus` per unit of TF-IDF cosine above `copy_knee`. The wording two claims share is counted without
their dates (`grouping.evidence_vectors`) and, when both quote, outside short quotations (`without_set_phrases`):
a date says when, and a term put in quotation marks ("special military operation") names what a claim is about;
two claims that say different things about one event share them all the same. The thresholds were chosen on the
tune half of `benchmarks/data/claim_pairs.jsonl` (`python benchmarks/claim_pairs.py --tune`); the other half
reports them (docs/claims.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from narrascope.claims.agreement import PREDICATE, ClaimFacts, disagree, facts_of, script_language, shared_words

_CHUNK = 2048
# a short span in quotation marks (up to SET_PHRASE_WORDS words): a term or set phrase the claim cites
_SET_PHRASE = re.compile(
    r"(?<!\w)[\"“«„]\s*([^\"“”«»„]{1,80}?)\s*[\"”»“](?!\w)"  # double marks of any language
    r"|(?<!\w)['‘]([^'‘’\"“”«»„]{1,80}?)['’](?!\w)"  # single marks (not an apostrophe inside a word)
)
_DOUBLE_MARKS = re.compile(r"[\"“”«»„]")
SET_PHRASE_WORDS = 4
MIN_SHARED_WORDS = 2  # content words two claims in one language share at least to be one claim, unless near copies


@dataclass(frozen=True)
class MatchParams:
    same_language: float = 0.91  # score from which two claims in one language are one claim
    cross_language: float = 0.9  # ... in two languages
    lexical_weight: float = 0.0  # share of the TF-IDF cosine in the score
    number_bonus: float = 0.04  # the same figures on both sides
    negation_malus: float = 0.0  # a negation on one side only
    copy_knee: float = 0.3  # TF-IDF cosine above which a pair reads as an edited copy ...
    copy_malus: float = 0.3  # ... and loses this much per unit above the knee: a changed verb is a new claim
    near_copy: float = 0.985  # a semantic cosine from which only figures and actors are checked
    lexical_floor: float = 0.15  # in one language, the TF-IDF cosine a pair needs ...
    semantic_alone: float = 0.95  # ... unless its semantic cosine reaches this: same-topic claims score high on e5
    negation_across: float = 0.02  # a negation on one side only, in two languages ("не намерена" / "intends")


PARAMS = MatchParams()


def match_score(
    semantic: float,
    lexical: float,
    a: ClaimFacts,
    b: ClaimFacts,
    params: MatchParams = PARAMS,
    *,
    same_language: bool = True,
) -> float:
    """The score compared to the threshold; -1 when figures or actors contradict (or an edited copy puts another
    actor, figure or negation in place), or when two claims in one language share too few words (and no
    figures) for their meaning alone to vouch for them."""
    why = disagree(a, b)
    if why is not None and why != PREDICATE:
        return -1.0  # a changed predicate is for the meaning to judge: a wire rewrite swaps words too
    if semantic >= params.near_copy:
        return 2.0
    # "60 militants" / "60 terrorists": the same figures are evidence. In one language, not when they could all be
    # a date ("24 February 2022": many claims about one event share it, and their shared words already count it);
    # across languages the figures are what the two wordings visibly share, dates included.
    shared_figures = bool(a.numbers - a.models) and a.numbers == b.numbers  # "F-16" on both sides: a topic
    if same_language:
        shared_figures = shared_figures and any(not _date_like(n) for n in a.numbers)
    if same_language and lexical < params.lexical_floor and semantic < params.semantic_alone and not shared_figures:
        return -1.0
    if same_language and semantic < params.semantic_alone and not shared_figures and _nothing_said_twice(a, b):
        return -1.0
    score = semantic + params.lexical_weight * lexical - params.copy_malus * max(0.0, lexical - params.copy_knee)
    if shared_figures:
        score += params.number_bonus
    if a.negated != b.negated:
        score -= params.negation_malus if same_language else params.negation_across
    return score


def _nothing_said_twice(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Whether two claims in one language, not near copies, share fewer than MIN_SHARED_WORDS content words
    ("Russia 'never attacked anyone'" / "we will not let anyone threaten us": "anyone" alone; one topic, nothing
    said twice), whatever e5 finds. Not asked of a pair with the same figures ("8,500 troops"): those are said
    twice."""
    if not a.text or not b.text:
        return False  # facts without their wording: nothing to compare
    return shared_words(a.text, b.text) < MIN_SHARED_WORDS


def _date_like(figure: float) -> bool:
    """Whether `figure` could be a year or a day of the month."""
    return figure.is_integer() and (figure <= 31 or 1900 <= figure <= 2100)


def is_match(
    semantic: float, lexical: float, a: ClaimFacts, b: ClaimFacts, *, same_language: bool, params: MatchParams = PARAMS
) -> bool:
    limit = params.same_language if same_language else params.cross_language
    return match_score(semantic, lexical, a, b, params, same_language=same_language) >= limit


def without_set_phrases(text: str) -> str:
    """`text` without its short quoted spans (up to SET_PHRASE_WORDS words, marks included): the wording that
    is the claim's own."""

    def drop(m: re.Match[str]) -> str:
        inside = m.group(1) if m.group(1) is not None else m.group(2)
        return " " if len(inside.split()) <= SET_PHRASE_WORDS else m.group()

    return _SET_PHRASE.sub(drop, text)


def quotes(text: str) -> bool:
    """Whether `text` holds a quotation (double marks of any language, or a short single-quoted span)."""
    return bool(_DOUBLE_MARKS.search(text)) or without_set_phrases(text) != text


def semantic_links(
    texts: Sequence[str],
    languages: Sequence[str | None],
    lexical: sparse.csr_matrix,
    vectors: np.ndarray,
    *,
    unquoted: sparse.csr_matrix | None = None,
    params: MatchParams = PARAMS,
) -> list[tuple[int, int, float]]:
    """(i, j, score) of every pair of `texts` that is one claim, best first.

    Candidates are the pairs whose embedding cosine could reach a threshold (one matrix product per chunk of
    rows); only those are checked for figures, actors and wording. `unquoted` (TF-IDF rows of the texts
    `without_set_phrases`) gives the shared wording of a pair that both quote.
    """
    floor = min(params.same_language, params.cross_language, params.near_copy)
    floor -= params.number_bonus + params.lexical_weight
    langs = [(lang or script_language(t)).lower()[:2] for lang, t in zip(languages, texts, strict=True)]
    facts: dict[int, ClaimFacts] = {}
    quoting = np.array([quotes(t) for t in texts]) if unquoted is not None else np.zeros(len(texts), dtype=bool)

    def facts_at(i: int) -> ClaimFacts:
        if i not in facts:
            facts[i] = facts_of(texts[i], langs[i])
        return facts[i]

    links = []
    for lo in range(0, len(texts), _CHUNK):
        block = vectors[lo : lo + _CHUNK] @ vectors.T
        rows, cols = np.nonzero(block >= floor)
        keep = rows + lo < cols
        rows, cols = rows[keep], cols[keep]
        # the TF-IDF cosines of all the candidate pairs at once (row by row is a thousand times slower)
        lexes = np.zeros(0)
        if len(rows):
            lexes = np.asarray(lexical[rows + lo].multiply(lexical[cols]).sum(axis=1)).ravel()
            both = np.nonzero(quoting[rows + lo] & quoting[cols])[0]
            if len(both) and unquoted is not None:
                own = unquoted[rows[both] + lo].multiply(unquoted[cols[both]]).sum(axis=1)
                lexes[both] = np.asarray(own).ravel()
        for r, c, lex in zip(rows.tolist(), cols.tolist(), lexes.tolist(), strict=True):
            i, j = r + lo, c
            same = langs[i] == langs[j]
            score = match_score(float(block[r, c]), lex, facts_at(i), facts_at(j), params, same_language=same)
            if score >= (params.same_language if same else params.cross_language):
                links.append((i, j, score))
    links.sort(key=lambda link: -link[2])
    return links


def claim_vectors(texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray | None:
    """One embedding per claim ("query: " e5, as tuned), or None when the encoder is not installed."""
    from narrascope.learn.encoder import encoder_available, sentence_encoder

    if not encoder_available() or not texts:
        return None
    return sentence_encoder().encode(list(texts), progress, query=True)
