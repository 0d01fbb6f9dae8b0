"""Whether two claims assert the same thing, across wording and language.

Meaning comes from static multilingual word vectors distilled from e5 (`claims/embedding.py`): a claim's vector
is the weighted mean of its words'. Two claims are compared only when they are plausible: their vectors' cosine
reaches `candidate_floor`, or grouping by shared words proposes them. A small logistic model then decides
(`artifacts/words/pairs.json`, trained on the tune half of `benchmarks/data/claim_pairs.jsonl` by
`python benchmarks/claim_pairs.py --tune`): over the cosine, how well each claim's words align with the other's
(the mean and the worst-aligned content word: a changed verb or actor aligns badly), the TF-IDF cosine and how
far it sits above an edited copy's, figures shared or one-sided, actors shared, a negation on one side only,
and the length ratio. Figures and named actors that contradict (`claims/agreement.py`) rule a pair out; two
claims in one language with the same content words, figures and negation are one claim (a reordering).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse

from narrascope.claims.agreement import ClaimFacts, disagree, facts_of, script_language
from narrascope.claims.embedding import WORD, word_vectors
from narrascope.claims.embedding import embed as static_embed

_CHUNK = 2048
CONTENT_WEIGHT = 0.5  # a word whose SIF weight reaches this is a content word (not "the", "were", "и", "que")
COVERED = (0.5, 0.7)  # a word has a counterpart on the other side when their vectors' cosine reaches this
FEATURES = (
    "cosine", "align_mean", "align_least", "align_worst", "covered_0.5", "covered_0.7", "lexical", "copy",
    "same_figures", "one_sided_figures", "shared_actors", "negation_differs", "cross", "cross_cosine",
    "cross_align_mean", "length_ratio",
)  # fmt: skip


@dataclass(frozen=True)
class PairModel:
    weights: tuple[float, ...]
    bias: float
    same_language: float  # probability from which two claims in one language are one claim
    cross_language: float  # ... in two languages
    candidate_floor: float  # vector cosine from which a pair is compared at all
    near_copy: float = 0.99  # probability from which two claims of one article may share a group

    def to_dict(self) -> dict[str, object]:
        return {
            "features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
            "same_language": self.same_language, "cross_language": self.cross_language,
            "candidate_floor": self.candidate_floor, "near_copy": self.near_copy,
        }  # fmt: skip


@cache
def pair_model() -> PairModel:
    text = resources.files("narrascope.claims").joinpath("artifacts/words/pairs.json").read_text("utf-8")
    data = json.loads(text)
    assert tuple(data["features"]) == FEATURES, "pairs.json was trained on other features"
    return PairModel(
        tuple(float(w) for w in data["weights"]), float(data["bias"]), float(data["same_language"]),
        float(data["cross_language"]), float(data["candidate_floor"]), float(data["near_copy"]),
    )  # fmt: skip


@dataclass(frozen=True)
class ClaimSide:
    """One claim as the pair model reads it."""

    vector: np.ndarray
    rows: np.ndarray  # vocabulary rows of its words
    words: int
    facts: ClaimFacts
    language: str
    content: frozenset[int]  # the vocabulary rows of its content words


def side(text: str, language: str | None, vector: np.ndarray | None = None) -> ClaimSide:
    lang = (language or script_language(text)).lower()[:2]
    table = word_vectors()
    rows = np.asarray(table.rows(text), dtype=np.int64)
    if vector is None:
        vector = static_embed([text])[0]
    content = frozenset(int(r) for r in rows if table.weight[r] >= CONTENT_WEIGHT)
    return ClaimSide(vector, rows, len(WORD.findall(text)), facts_of(text, lang), lang, content)


def same_words(a: ClaimSide, b: ClaimSide) -> bool:
    """One language, the same content words, figures and negation: the same claim reordered ("X liberated Y" /
    "Y was liberated by X"), whatever the pair model says of a pair that shares so many words."""
    fa, fb = a.facts, b.facts
    same_facts = fa.numbers == fb.numbers and fa.negated == fb.negated
    return a.language == b.language and bool(a.content) and a.content == b.content and same_facts


def pair_features(a: ClaimSide, b: ClaimSide, lexical: float) -> list[float]:
    table = word_vectors()
    cosine = float(a.vector @ b.vector)
    align_mean, align_least, align_worst, covered = 0.0, 0.0, 0.0, [0.0] * len(COVERED)
    if len(a.rows) and len(b.rows):
        sims = table.vectors[a.rows] @ table.vectors[b.rows].T
        sides = ((sims.max(axis=1), table.weight[a.rows]), (sims.max(axis=0), table.weight[b.rows]))
        means = [float(w @ best / w.sum()) for best, w in sides]  # each side's words, weighted, best counterpart
        align_mean, align_least = sum(means) / 2, min(means)
        content = [best[w >= CONTENT_WEIGHT] for best, w in sides]
        align_worst = min((float(c.min()) for c in content if len(c)), default=1.0)
        covered = [min(float(w @ (best >= t)) / float(w.sum()) for best, w in sides) for t in COVERED]
    cross = float(a.language != b.language)
    fa, fb = a.facts, b.facts
    return [
        cosine, align_mean, align_least, align_worst, *covered, lexical, max(0.0, lexical - 0.3),
        float(bool(fa.numbers) and fa.numbers == fb.numbers), float(bool(fa.numbers) != bool(fb.numbers)),
        float(bool(fa.actors & fb.actors)), float(fa.negated != fb.negated),
        cross, cross * cosine, cross * align_mean, min(a.words, b.words) / max(a.words, b.words, 1),
    ]  # fmt: skip


def match_score(a: ClaimSide, b: ClaimSide, lexical: float, model: PairModel | None = None) -> float:
    """The probability that `a` and `b` are one claim; -1 when their figures or actors contradict."""
    if disagree(a.facts, b.facts) is not None:
        return -1.0
    if same_words(a, b):
        return 2.0
    model = model or pair_model()
    z = model.bias + float(np.dot(model.weights, pair_features(a, b, lexical)))
    return float(1.0 / (1.0 + np.exp(-z)))


def is_match(a: ClaimSide, b: ClaimSide, lexical: float, model: PairModel | None = None) -> bool:
    model = model or pair_model()
    limit = model.same_language if a.language == b.language else model.cross_language
    return match_score(a, b, lexical, model) >= limit


def semantic_links(
    texts: Sequence[str],
    languages: Sequence[str | None],
    lexical: sparse.csr_matrix,
    vectors: np.ndarray,
    *,
    extra: Sequence[tuple[int, int]] = (),
    model: PairModel | None = None,
) -> list[tuple[int, int, float]]:
    """(i, j, score) of every pair of `texts` that is one claim, best first.

    Candidates are the pairs whose vector cosine reaches the model's floor (one matrix product per chunk of
    rows) and the pairs of `extra` (i < j, e.g. those sharing many words); only those are scored.
    """
    model = model or pair_model()
    sides: dict[int, ClaimSide] = {}

    def side_at(i: int) -> ClaimSide:
        if i not in sides:
            sides[i] = side(texts[i], languages[i], vectors[i])
        return sides[i]

    pairs: set[tuple[int, int]] = {(min(i, j), max(i, j)) for i, j in extra if i != j}
    for lo in range(0, len(texts), _CHUNK):
        block = vectors[lo : lo + _CHUNK] @ vectors.T
        rows, cols = np.nonzero(block >= model.candidate_floor)
        keep = rows + lo < cols
        pairs.update(zip((rows[keep] + lo).tolist(), cols[keep].tolist(), strict=True))
    ordered = sorted(pairs)
    lexes: list[float] = []
    if ordered:  # the TF-IDF cosines of all the candidate pairs at once (row by row is a thousand times slower)
        left, right = np.array([p[0] for p in ordered]), np.array([p[1] for p in ordered])
        lexes = np.asarray(lexical[left].multiply(lexical[right]).sum(axis=1)).ravel().tolist()
    links = []
    for (i, j), lex in zip(ordered, lexes, strict=True):
        a, b = side_at(i), side_at(j)
        score = match_score(a, b, lex, model)
        if score >= (model.same_language if a.language == b.language else model.cross_language):
            links.append((i, j, score))
    links.sort(key=lambda link: (-link[2], link[0], link[1]))
    return links


def claim_vectors(texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray | None:
    """One static meaning vector per claim (`claims/embedding.py`); None for no texts."""
    if not texts:
        return None
    vectors = static_embed(list(texts))
    if progress:
        progress(len(texts))
    return vectors
