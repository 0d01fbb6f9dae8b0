"""Near-duplicate articles (syndicated copies, re-posts, the same file under two ids) by MinHash over shingles.

An article's text becomes a set of word 5-shingles (case-folded words, punctuation stripped, so a copy with
other quotes, spacing or line breaks is the same set); `datasketch.MinHash` turns the set into a 128-value (32-bit)
signature whose agreement with another's estimates their Jaccard similarity. Candidates come from LSH
banding with the bands and rows `datasketch.MinHashLSH` chooses for `THRESHOLD`; a candidate is a copy when
the estimated Jaccard is at least `THRESHOLD`. The store keeps signatures and band keys in SQLite
(`store/stories.py`), so a new article is matched against the corpus without rereading it.

`THRESHOLD` = 0.5 was chosen on the 460 unlabeled SemEval test articles (`benchmarks/near_duplicates.py`):
copies score 1.0, no two different articles score above 0.2 (the same article under two ids, or an
article and a version edited for length, land in between).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_WORDS = 5
SEED = 20
# crc32 (in C) instead of datasketch's default sha1 per shingle: a third of the cost; the random affine
# permutations that follow give the MinHash its independence. Stored signatures depend on it: never change it.
SCHEME = "affine32"  # datasketch 2: 32-bit values; stored signatures say nothing of their scheme, so it is fixed
_MULTIPLIERS = np.random.default_rng(SEED).integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)
_WORD = re.compile(r"[^\W_]+(?:[\u0300-\u036f\u0900-\u097f\u0964]*[^\W_]*)*", re.UNICODE)  # Devanagari marks stay in


def words(text: str) -> list[str]:
    """Case-folded words; combining marks (Devanagari vowel signs) stay inside their word."""
    return _WORD.findall(text.casefold())


def shingles(text: str, *, size: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of `size`-word shingles of a text (the whole text as one shingle when it is shorter)."""
    found = words(text)
    if len(found) <= size:
        return {" ".join(found).encode("utf-8")} if found else set()
    return {" ".join(found[i : i + size]).encode("utf-8") for i in range(len(found) - size + 1)}


@cache
def _template() -> MinHash:
    return MinHash(
        num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=zlib.crc32
    )  # the permutations are drawn once and shared


@cache
def band_ranges(threshold: float = THRESHOLD) -> tuple[tuple[int, int], ...]:
    """The (start, end) slices of the signature that form the LSH bands for this threshold (datasketch's choice)."""
    return tuple((int(s), int(e)) for s, e in MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges)


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of a text's shingles, or None for a text without words (it has no copies)."""
    found = shingles(text)
    if not found:
        return None
    template = _template()
    minhash = MinHash(
        num_perm=NUM_PERM, seed=SEED, permutations=template.permutations, scheme=SCHEME, hashfunc=zlib.crc32
    )
    minhash.update_batch(sorted(found))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def to_bytes(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype="<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4")


def band_keys(values: np.ndarray, *, threshold: float = THRESHOLD) -> list[tuple[int, int]]:
    """(band number, 63-bit key) of each LSH band: two signatures that share one are candidates.

    A key is a polynomial hash of the band's values (a collision only adds a candidate, which the Jaccard
    estimate then rejects); one vectorised step for all bands.
    """
    ranges = band_ranges(threshold)
    rows = ranges[0][1] - ranges[0][0]
    bands = np.asarray(values[: len(ranges) * rows], dtype=np.uint64).reshape(len(ranges), rows)
    with np.errstate(over="ignore"):
        keys = (bands * _MULTIPLIERS[:rows]).sum(axis=1, dtype=np.uint64) >> np.uint64(1)  # fits SQLite's INTEGER
    return [(band, int(key)) for band, key in enumerate(keys)]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """MinHash's estimate of the Jaccard similarity of the two shingle sets."""
    return float(np.mean(a == b))


@dataclass(frozen=True)
class Copy:
    """`article_id` is a copy of `original_id` (the first of its story seen), with this estimated Jaccard."""

    article_id: str
    original_id: str
    similarity: float


def find_copies(texts: Iterable[tuple[str, str]], *, threshold: float = THRESHOLD) -> dict[str, str]:
    """Stories in a set of (id, text): each id mapped to the first id of its story (itself when it has no copy).

    The in-memory twin of the store's incremental detection (`narrascope claims` uses it): each text joins
    the story of its most similar earlier text at or above `threshold`, else starts its own.
    """
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    story: dict[str, str] = {}
    kept: dict[str, MinHash] = {}
    order: dict[str, int] = {}
    for article_id, text in texts:
        if article_id in story:
            continue
        values = signature(text)
        story[article_id] = article_id
        if values is None:
            continue
        minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashvalues=values, scheme=SCHEME)
        found = sorted(lsh.query(minhash), key=order.__getitem__)
        best = best_match(article_id, values, [(c, kept[c].hashvalues) for c in found], threshold)
        if best is not None:
            story[article_id] = story[best.original_id]
        lsh.insert(article_id, minhash)
        kept[article_id] = minhash
        order[article_id] = len(order)
    return story


def best_match(
    article_id: str, values: np.ndarray, candidates: Sequence[tuple[str, np.ndarray]], threshold: float
) -> Copy | None:
    """The most similar candidate at or above the threshold (ties: the first given), or None."""
    best: Copy | None = None
    for other_id, other in candidates:
        score = similarity(values, np.asarray(other, dtype=np.uint32))
        if score >= threshold and (best is None or score > best.similarity):
            best = Copy(article_id, other_id, score)
    return best
