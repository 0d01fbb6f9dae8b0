"""Blocking for grouping by shared words: which pairs of TF-IDF rows are worth an exact cosine.

A dense random projection of the rows (one matrix product per chunk) proposes the pairs whose cosine could reach a
floor, and the exact sparse cosine decides (`candidate_pairs`). The projection matrix is one fixed Gaussian draw,
its first rows reused between calls (`_projection`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

_PROJECTION_DIMS = 256
_PROJECTION_SLACK = 0.12
_CHUNK = 2048


def project(matrix: sparse.csr_matrix) -> np.ndarray:
    """Unit vectors of a random projection: their dot products approximate the TF-IDF cosines."""
    dense = np.asarray(matrix @ _projection(matrix.shape[1]))
    dense /= np.linalg.norm(dense, axis=1, keepdims=True) + 1e-9
    return dense


_PROJECTION_ROWS = 32_768  # features whose projection rows are kept between calls (32 MB)
_projection_rows: list[np.ndarray] = []


def _projection(features: int) -> np.ndarray:
    """The first `features` rows of one fixed Gaussian matrix (seed 0, `_PROJECTION_DIMS` columns): the same
    rows whatever the number asked for (a generator fills rows in order), kept between calls up to
    `_PROJECTION_ROWS` so that a store's every batch does not draw tens of thousands of rows again."""
    if _projection_rows and len(_projection_rows[0]) >= features:
        return _projection_rows[0][:features]
    drawn = max(features, min(_PROJECTION_ROWS, 2 * features))
    rows = np.random.default_rng(0).standard_normal((drawn, _PROJECTION_DIMS)).astype(np.float32)
    if drawn <= _PROJECTION_ROWS:
        _projection_rows[:] = [rows]
    return rows[:features]


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
    vectors = (project(matrix) if dense is None else dense)[index]
    found = []
    for lo in range(0, len(index), _CHUNK):
        block = vectors[lo : lo + _CHUNK] @ vectors.T
        r, c = np.nonzero(block >= floor - _PROJECTION_SLACK)
        r = r + lo
        keep = r < c
        found.append(np.stack([index[r[keep]], index[c[keep]]], axis=1))
    return _exact(matrix, np.concatenate(found), floor)
