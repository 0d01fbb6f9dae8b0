"""One BLAS thread for the small matrix products of one article's analysis.

numpy's OpenBLAS starts a thread per core for a product past a small size. The products of one article (spaCy's
layers, natasha's tagger) are small enough that the threads cost more CPU than they save, and `--jobs` already
runs one process per core (whose workers keep one thread for good: `engine/local.py`). In one process (the
library, `--jobs 1`) the models' calls run inside `one_blas_thread()`, which restores the caller's setting after.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def _controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # reads the BLAS libraries loaded now (numpy's and scipy's: loaded with the models)


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS limited to one thread inside the block (about 50 microseconds to enter)."""
    with _controller().limit(limits=1, user_api="blas"):
        yield
