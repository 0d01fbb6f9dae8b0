"""Claim matching across a corpus: near-duplicates and paraphrases in one group, with provenance.

Similarity is the cosine of TF-IDF vectors (word 1-2-grams and character 3-5-grams). To stay fast on large
corpora, candidate pairs come from a dense random projection of those vectors (blocking: one matrix product
per chunk), and only candidates are checked exactly. Two claims match when they are similar enough and
their numbers and names agree: "60 militants" and "60 terrorists" match, "60" and "600" never do. A pair
with the same source needs less text similarity (a paraphrase by the same speaker).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from narrascope.analysis import Analysis
from narrascope.claims.agreement import disagree, facts_of, without_dates
from narrascope.claims.clustering import leader_clusters, most_linked
from narrascope.claims.matching import PARAMS, semantic_links, without_set_phrases
from narrascope.claims.rules import default_rules, phrase_regex

THRESHOLD = 0.42  # cosine above which two claims match
SAME_SOURCE_THRESHOLD = 0.27  # ... when they have the same source
NUMBER_BONUS = 0.15  # ... less this when they have the same (non-year) numbers
ONE_SIDED_NUMBER_MALUS = 0.15  # ... plus this when only one of them has numbers
SAME_ARTICLE_REPEAT = 0.6  # TF-IDF cosine from which two claims of one article are a repeat (lede and body)
_NEGATION = re.compile(r"\b(?:not|never|no|n't|none|nothing|neither|nor)\b", re.IGNORECASE)
_PROJECTION_DIMS = 256
_PROJECTION_SLACK = 0.12
_CHUNK = 2048
_MAX_CENTRALITY = 2000
_NUMBER = re.compile(r"\d[\d,.]*")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class ClaimRecord:
    """One claim of one article, as grouping sees it."""

    text: str
    article_id: str
    outlet: str | None = None
    published: str | None = None
    source: str | None = None
    relay: str | None = None
    start: int = 0
    end: int = 0
    stance: str = "reports"
    language: str | None = None


@dataclass(frozen=True)
class ClaimGroup:
    """Claims that say the same thing, with where and when each appeared."""

    canonical: str
    members: tuple[ClaimRecord, ...]
    earliest: ClaimRecord

    @property
    def sources(self) -> list[str]:
        return _ranked(m.source for m in self.members)

    @property
    def relays(self) -> list[str]:
        return _ranked(m.relay for m in self.members)

    @property
    def outlets(self) -> list[str]:
        return _ranked(m.outlet or m.article_id for m in self.members)

    @property
    def chain(self) -> str:
        """The attribution chain: source(s) → relay(s) → outlet(s)."""
        parts = [", ".join(p) for p in (self.sources, self.relays, self.outlets) if p]
        return " \u2192 ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "canonical": self.canonical,
            "sources": self.sources,
            "relays": self.relays,
            "outlets": self.outlets,
            "chain": self.chain,
            "earliest": _record_dict(self.earliest),
            "members": [_record_dict(m) for m in self.members],
        }


def _record_dict(r: ClaimRecord) -> dict[str, object]:
    return {
        "article_id": r.article_id,
        "outlet": r.outlet,
        "published": r.published,
        "source": r.source,
        "relay": r.relay,
        "stance": r.stance,
        "language": r.language,
        "start": r.start,
        "end": r.end,
        "text": r.text,
    }


def _ranked(values: Iterable[str | None]) -> list[str]:
    counts = Counter(v for v in values if v)
    return [v for v, _ in counts.most_common()]


def records_from_analyses(analyses: Iterable[Analysis]) -> list[ClaimRecord]:
    records = []
    for a in analyses:
        for c in a.claims:
            records.append(
                ClaimRecord(
                    text=c.text,
                    article_id=a.id,
                    outlet=a.article.source,
                    published=a.article.published,
                    source=c.source,
                    relay=c.relay,
                    start=c.start,
                    end=c.end,
                    stance=c.stance,
                    language=a.article.language,
                )
            )
    return records


def _anchor(numbers: frozenset[str]) -> bool:
    """Whether numbers are specific enough to tie two claims: not years, not only 1-10."""
    return any(not (n.isdigit() and (1900 <= int(n) <= 2100 or int(n) <= 10)) for n in numbers)


def _normalised(texts: Sequence[str]) -> list[str]:
    synonyms = default_rules().synonyms
    if not synonyms:
        return list(texts)
    pattern = phrase_regex(list(synonyms))
    return [pattern.sub(lambda m: synonyms.get(m.group().lower(), m.group()), t) for t in texts]


def _numbers(text: str) -> frozenset[str]:
    return frozenset(n.rstrip(".,").replace(",", "") for n in _NUMBER.findall(text))


def lexical_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (word 1-2-grams and character 3-5-grams) of `texts`, synonyms folded."""
    return _vectors(_normalised(texts))


Transform = Callable[[Sequence[str]], sparse.csr_matrix]


def evidence_vectors(
    texts: Sequence[str], fitted: tuple[sparse.csr_matrix, Transform] | None = None
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """The TF-IDF rows matching by meaning weighs as shared wording (`claims.matching.semantic_links`): the texts
    without their dates, and the same without their short quoted spans too (for pairs that both quote). Weighted
    as `texts` are (`fitted`: their rows and the fitted transform, when already made); only the rows of the texts
    that lose a date or a quotation are computed again."""
    matrix, transform = fitted if fitted is not None else _fit(_normalised(texts))
    undated = [without_dates(t) for t in texts]
    own = _replace_rows(matrix, transform, texts, undated)
    return own, _replace_rows(own, transform, undated, [without_set_phrases(t) for t in undated])


def _replace_rows(
    matrix: sparse.csr_matrix, transform: Transform, before: Sequence[str], after: Sequence[str]
) -> sparse.csr_matrix:
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    if not changed:
        return matrix
    delta = transform(_normalised([after[i] for i in changed])) - matrix[changed]
    place = sparse.csr_matrix(
        (np.ones(len(changed)), (changed, range(len(changed)))), shape=(matrix.shape[0], len(changed))
    )
    return (matrix + place @ delta).tocsr()


def _vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    return _fit(texts)[0]


def _fit(texts: Sequence[str]) -> tuple[sparse.csr_matrix, Transform]:
    """L2-normalised TF-IDF rows of `texts`, and the transform that weighs other texts the same way."""
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32)
    matrix = sparse.hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()

    def transform(others: Sequence[str]) -> sparse.csr_matrix:
        return normalize(sparse.hstack([words.transform(others), chars.transform(others)]).tocsr())

    return normalize(matrix), transform


def _project(matrix: sparse.csr_matrix, *, seed: int = 0) -> np.ndarray:
    """Unit vectors of a random projection: their dot products approximate the TF-IDF cosines."""
    rng = np.random.default_rng(seed)
    projection = rng.standard_normal((matrix.shape[1], _PROJECTION_DIMS)).astype(np.float32)
    dense = np.asarray(matrix @ projection)
    dense /= np.linalg.norm(dense, axis=1, keepdims=True) + 1e-9
    return dense


def _exact(matrix: sparse.csr_matrix, pairs: np.ndarray, floor: float) -> np.ndarray:
    """Rows (i, j, cosine) of `pairs` whose exact cosine reaches `floor`."""
    if len(pairs) == 0:
        return np.zeros((0, 3))
    sims = np.asarray(matrix[pairs[:, 0]].multiply(matrix[pairs[:, 1]]).sum(axis=1)).ravel()
    keep = sims >= floor
    return np.concatenate([pairs[keep].astype(np.float64), sims[keep, None]], axis=1)


def candidate_pairs(
    matrix: sparse.csr_matrix, floor: float, *, rows: np.ndarray | None = None, dense: np.ndarray | None = None
) -> np.ndarray:
    """Rows (i, j, cosine), i < j, with a cosine of at least `floor` among `rows` (all by default).

    Blocking: the random projection proposes pairs (one matrix product per chunk), the exact cosine decides.
    """
    index = np.arange(matrix.shape[0]) if rows is None else np.asarray(rows)
    if len(index) < 2:
        return np.zeros((0, 3))
    vectors = (_project(matrix) if dense is None else dense)[index]
    found = []
    for lo in range(0, len(index), _CHUNK):
        block = vectors[lo : lo + _CHUNK] @ vectors.T
        r, c = np.nonzero(block >= floor - _PROJECTION_SLACK)
        r = r + lo
        keep = r < c
        found.append(np.stack([index[r[keep]], index[c[keep]]], axis=1))
    return _exact(matrix, np.concatenate(found), floor)


def group_claims(records: Sequence[ClaimRecord], *, vectors: np.ndarray | None = None) -> list[ClaimGroup]:
    """Groups of matching claims, largest first; every claim is in exactly one group.

    With `vectors` (one multilingual embedding per record, `claims.matching`), claims match by meaning across
    languages or by shared words with figures and actors agreeing, and two different claims of one article
    never end up in one group; without, by shared words only. A claim joins a group only when it matches the
    group's first claim and most of its members (`claims.clustering`): groups never chain, and the result does
    not depend on the order of `records`.
    """
    groups = []
    for idx, canonical in cluster_records(records, vectors=vectors):
        ordered = sorted(idx, key=lambda i: _key(records[i]))
        members = tuple(records[i] for i in ordered)
        groups.append(ClaimGroup(canonical=records[canonical].text, members=members, earliest=members[0]))
    groups.sort(key=lambda g: (-len(g.members), g.earliest.published or "9999", g.canonical))
    return groups


def _key(r: ClaimRecord) -> tuple[str, str, int, str]:
    return (r.published or "9999", r.article_id, r.start, r.text)


def cluster_records(
    records: Sequence[ClaimRecord], *, vectors: np.ndarray | None = None
) -> list[tuple[list[int], int]]:
    """(record indices, index of the canonical record) of each group of `records`, as `group_claims` forms them."""
    if not records:
        return []
    texts = [r.text.translate(_QUOTES) for r in records]
    # identical wordings (copies of a wire story) are one claim; only distinct wordings are compared
    first: dict[str, int] = {}
    wording = [first.setdefault(" ".join(t.lower().split()), i) for i, t in enumerate(texts)]
    unique = sorted(first.values())
    position = {u: k for k, u in enumerate(unique)}
    u_texts = [texts[i] for i in unique]
    fitted = _fit(_normalised(u_texts))
    matrix = fitted[0]
    links: dict[tuple[int, int], float] = {}
    unit = list(range(len(unique)))  # distinct wordings one article repeats (lede and body) are one unit
    if vectors is None:
        for i, j in _lexical_links(records, unique, u_texts, matrix):
            links[(i, j)] = 1.0
    else:
        languages = [records[i].language for i in unique]
        for i, j in _repeats(records, unique, u_texts, matrix):
            a, b = _root(unit, i), _root(unit, j)
            unit[max(a, b)] = min(a, b)
        own, unquoted = evidence_vectors(u_texts, fitted)
        for i, j, score in semantic_links(u_texts, languages, own, vectors[unique], unquoted=unquoted):
            links[(i, j)] = score
        # wire copies and close rewordings, as grouping by shared words found them, when figures and actors agree
        for i, j in _lexical_links(records, unique, u_texts, matrix):
            if disagree(facts_of(u_texts[i], languages[i]), facts_of(u_texts[j], languages[j])) is None:
                links[(i, j)] = max(links.get((i, j), 0.0), PARAMS.same_language)
    units: dict[int, list[int]] = {}  # unit root -> record indices
    for k in range(len(records)):
        units.setdefault(_root(unit, position[wording[k]]), []).append(k)
    roots = sorted(units)
    at = {r: n for n, r in enumerate(roots)}
    unit_links: dict[tuple[int, int], float] = {}
    for (i, j), score in links.items():
        a, b = at[_root(unit, i)], at[_root(unit, j)]
        if a != b:
            pair = (min(a, b), max(a, b))
            unit_links[pair] = max(score, unit_links.get(pair, score))
    keys = [min(_key(records[k]) for k in units[r]) for r in roots]
    articles = [frozenset(records[k].article_id for k in units[r]) for r in roots] if vectors is not None else None
    clusters = leader_clusters(keys, unit_links, articles=articles, near_copy=PARAMS.near_copy)
    centrality = np.asarray((matrix @ matrix.T).sum(axis=1)).ravel() if len(unique) <= _MAX_CENTRALITY else None
    result = []
    for cluster in clusters:
        idx = sorted(k for u in cluster for k in units[roots[u]])
        distinct = sorted({position[wording[k]] for k in idx})
        inside = set(distinct)
        inner = {(i, j): s for (i, j), s in links.items() if i in inside and j in inside}
        tiebreak = {d: float(centrality[d]) if centrality is not None else 0.0 for d in distinct}
        best = most_linked(distinct, inner, tiebreak)
        result.append((idx, unique[best]))
    return result


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        i = parent[i]
    return i


def _lexical_links(
    records: Sequence[ClaimRecord], unique: list[int], u_texts: list[str], matrix: sparse.csr_matrix
) -> Iterator[tuple[int, int]]:
    """Pairs of distinct wordings that share enough words (and agree on numbers and negation)."""
    numbers = [_numbers(t) for t in u_texts]
    negated = [bool(_NEGATION.search(t)) for t in u_texts]
    sources = [(records[i].source or "").lower() for i in unique]

    def threshold(i: int, j: int) -> float:
        limit = SAME_SOURCE_THRESHOLD if sources[i] and sources[i] == sources[j] else THRESHOLD
        if numbers[i] and numbers[j]:
            limit -= NUMBER_BONUS if _anchor(numbers[i]) else 0.0
        elif numbers[i] or numbers[j]:
            limit += ONE_SIDED_NUMBER_MALUS
        return limit

    dense = _project(matrix)
    found = [candidate_pairs(matrix, THRESHOLD, dense=dense)]
    # more blocks: a speaker repeating itself in other words, and claims with the same figures
    by_source: dict[str, list[int]] = {}
    by_numbers: dict[frozenset[str], list[int]] = {}
    for i in range(len(unique)):
        if sources[i]:
            by_source.setdefault(sources[i], []).append(i)
        if _anchor(numbers[i]):
            by_numbers.setdefault(numbers[i], []).append(i)
    for idx in by_source.values():
        found.append(candidate_pairs(matrix, SAME_SOURCE_THRESHOLD, rows=np.array(idx), dense=dense))
    for idx in by_numbers.values():
        floor = SAME_SOURCE_THRESHOLD - NUMBER_BONUS
        found.append(candidate_pairs(matrix, floor, rows=np.array(idx), dense=dense))
    for i_f, j_f, sim in np.concatenate(found):
        i, j = int(i_f), int(j_f)
        if numbers[i] != numbers[j] and numbers[i] and numbers[j]:
            continue
        if negated[i] != negated[j] or sim < threshold(i, j):
            continue
        yield i, j


def _repeats(
    records: Sequence[ClaimRecord], unique: list[int], u_texts: list[str], matrix: sparse.csr_matrix
) -> Iterator[tuple[int, int]]:
    """Claims one article makes twice in nearly the same words (lede and body), figures and actors agreeing."""
    by_article: dict[str, list[int]] = {}
    for k, i in enumerate(unique):
        by_article.setdefault(records[i].article_id, []).append(k)
    pairs = np.array([(i, j) for ks in by_article.values() for x, i in enumerate(ks) for j in ks[x + 1 :]])
    if len(pairs) == 0:
        return
    sims = np.asarray(matrix[pairs[:, 0]].multiply(matrix[pairs[:, 1]]).sum(axis=1)).ravel()
    for (i, j), sim in zip(pairs.tolist(), sims.tolist(), strict=True):
        if sim >= SAME_ARTICLE_REPEAT and disagree(facts_of(u_texts[i]), facts_of(u_texts[j])) is None:
            yield i, j
