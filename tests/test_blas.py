"""The analysis's matrix products: numpy's BLAS on one thread inside the models' calls, the caller's setting after."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from narrascope.learn.blas import one_blas_thread
from narrascope.learn.spacy_loading import english_pipeline


def _blas_threads() -> set[int]:
    return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}


def test_one_blas_thread_inside_the_block_and_the_callers_setting_after() -> None:
    np.ones((2, 2)) @ np.ones((2, 2))  # numpy's BLAS is loaded
    with threadpool_limits(2, user_api="blas"):
        with one_blas_thread():
            assert _blas_threads() == {1}
        assert _blas_threads() == {2}


def test_spacy_pipelines_multiply_with_numpy_not_blis() -> None:
    # the same entities and parses, in less CPU (docs/benchmarks.md)
    nlp = english_pipeline()  # the one pipeline claims and entities read
    assert nlp.pipeline and all(pipe.model.ops.use_blis is False for _, pipe in nlp.pipeline)
