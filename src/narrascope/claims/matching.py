"""Whether two claims assert the same thing, across wording and language.

Meaning comes from static multilingual word vectors distilled from e5 (`learn/word_vectors.py`): a claim's vector
is the weighted mean of its words'. Two claims are compared only when they are plausible: their vectors' cosine
reaches `candidate_floor`. A small logistic model then decides
(`artifacts/pairs/pairs.json`, trained on the tune half of `benchmarks/data/claim_pairs.jsonl` by
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
from narrascope.learn.word_vectors import WORD, word_vectors
from narrascope.learn.word_vectors import embed as static_embed

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
    text = resources.files("narrascope.claims").joinpath("artifacts/pairs/pairs.json").read_text("utf-8")
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
    weights: np.ndarray  # their SIF weights
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
    weights = table.weight[rows]
    return ClaimSide(vector, rows, weights, len(WORD.findall(text)), facts_of(text, lang), lang, content)


def same_words(a: ClaimSide, b: ClaimSide) -> bool:
    """One language, the same content words, figures and negation: the same claim reordered ("X liberated Y" /
    "Y was liberated by X"), whatever the pair model says of a pair that shares so many words."""
    fa, fb = a.facts, b.facts
    same_facts = fa.numbers == fb.numbers and fa.negated == fb.negated
    return a.language == b.language and bool(a.content) and a.content == b.content and same_facts


def pair_features(a: ClaimSide, b: ClaimSide, lexical: float) -> list[float]:
    """The pair model's features of one pair (in the order of FEATURES)."""
    return [float(x) for x in features_against(a, [b], np.array([lexical]))[0]]


def features_against(a: ClaimSide, others: Sequence[ClaimSide], lexical: np.ndarray) -> np.ndarray:
    """The pair model's features of `a` against each of `others` (one row each): one matrix product of `a`'s words
    with all of theirs, then segment-wise maxima and sums (a pair at a time is ten times slower)."""
    table = word_vectors()
    n = len(others)
    out = np.zeros((n, len(FEATURES)))
    out[:, 0] = np.array([b.vector for b in others]) @ a.vector if n else 0.0
    sizes = np.array([len(b.rows) for b in others], dtype=np.int64)
    aligned = np.flatnonzero(sizes > 0) if len(a.rows) else np.zeros(0, np.int64)
    if len(aligned):
        b_rows = np.concatenate([others[k].rows for k in aligned.tolist()])
        b_weight = np.concatenate([others[k].weights for k in aligned.tolist()])
        starts = np.concatenate([[0], np.cumsum(sizes[aligned])[:-1]])
        sims = table.vectors[a.rows] @ table.vectors[b_rows].T  # a's words x every other's words
        best_a = np.maximum.reduceat(sims, starts, axis=1)  # a's words x others: best counterpart in each other
        best_b = sims.max(axis=0)  # each other's word: its best counterpart in a
        wa, wa_sum = a.weights, a.weights.sum()
        wb_sum = np.add.reduceat(b_weight, starts)
        mean_a = wa @ best_a / wa_sum
        mean_b = np.add.reduceat(b_weight * best_b, starts) / wb_sum
        worst_a = np.where(wa >= CONTENT_WEIGHT, best_a.T, np.inf).min(axis=1)
        worst_b = np.minimum.reduceat(np.where(b_weight >= CONTENT_WEIGHT, best_b, np.inf), starts)
        worst = np.minimum(worst_a, worst_b)
        out[aligned, 1] = (mean_a + mean_b) / 2
        out[aligned, 2] = np.minimum(mean_a, mean_b)
        out[aligned, 3] = np.where(np.isinf(worst), 1.0, worst)
        for col, t in enumerate(COVERED, start=4):
            hit_a = wa @ (best_a >= t) / wa_sum
            hit_b = np.add.reduceat(b_weight * (best_b >= t), starts) / wb_sum
            out[aligned, col] = np.minimum(hit_a, hit_b)
    fa = a.facts
    cross = np.array([float(a.language != b.language) for b in others])
    out[:, 6] = lexical
    out[:, 7] = np.maximum(0.0, lexical - 0.3)
    out[:, 8] = [float(bool(fa.numbers) and fa.numbers == b.facts.numbers) for b in others]
    out[:, 9] = [float(bool(fa.numbers) != bool(b.facts.numbers)) for b in others]
    out[:, 10] = [float(bool(fa.actors & b.facts.actors)) for b in others]
    out[:, 11] = [float(fa.negated != b.facts.negated) for b in others]
    out[:, 12] = cross
    out[:, 13] = cross * out[:, 0]
    out[:, 14] = cross * out[:, 1]
    out[:, 15] = [min(a.words, b.words) / max(a.words, b.words, 1) for b in others]
    return out


def scores_against(
    a: ClaimSide, others: Sequence[ClaimSide], lexical: np.ndarray, model: PairModel | None = None
) -> np.ndarray:
    """The probability that `a` and each of `others` are one claim; -1 where figures or actors contradict, 2 where
    they are the same words reordered (`same_words`)."""
    model = model or pair_model()
    if not others:
        return np.zeros(0)
    z = model.bias + features_against(a, others, lexical) @ np.asarray(model.weights)
    scores: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    for k, b in enumerate(others):
        if disagree(a.facts, b.facts) is not None:
            scores[k] = -1.0
        elif same_words(a, b):
            scores[k] = 2.0
    return scores


def match_score(a: ClaimSide, b: ClaimSide, lexical: float, model: PairModel | None = None) -> float:
    """The probability that `a` and `b` are one claim; -1 when their figures or actors contradict."""
    return float(scores_against(a, [b], np.array([lexical]), model)[0])


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
    lexes = np.zeros(0)
    if ordered:  # the TF-IDF cosines of all the candidate pairs at once (row by row is a thousand times slower)
        left, right = np.array([p[0] for p in ordered]), np.array([p[1] for p in ordered])
        lexes = np.asarray(lexical[left].multiply(lexical[right]).sum(axis=1)).ravel()
    by_left: dict[int, list[int]] = {}
    for n, (i, _) in enumerate(ordered):
        by_left.setdefault(i, []).append(n)
    links = []
    from threadpoolctl import threadpool_limits  # (scikit-learn's dependency; as engine/local.py)

    with threadpool_limits(limits=1, user_api="blas"):  # many small products: BLAS threads only contend
        for i, at in by_left.items():  # each claim against all its candidates at once
            a, others = side_at(i), [side_at(ordered[n][1]) for n in at]
            scores = scores_against(a, others, lexes[at], model)
            for n, b, score in zip(at, others, scores.tolist(), strict=True):
                if score >= (model.same_language if a.language == b.language else model.cross_language):
                    links.append((i, ordered[n][1], score))
    links.sort(key=lambda link: (-link[2], link[0], link[1]))
    return links


def claim_vectors(texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray | None:
    """One static meaning vector per claim (`learn/word_vectors.py`); None for no texts."""
    if not texts:
        return None
    vectors = static_embed(list(texts))
    if progress:
        progress(len(texts))
    return vectors
