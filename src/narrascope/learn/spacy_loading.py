"""spaCy pipelines loaded for inference, with their matrix products done by numpy's BLAS.

thinc (spaCy's network library) multiplies matrices with BLIS by default. On this project's machines numpy's
OpenBLAS does the same products in less time, with the same results: `narrascope analyze` of the unlabeled
English articles gives the same entities and the same parses either way, and spaCy's NER costs about a fifth
less CPU (`docs/benchmarks.md`). Every spaCy pipeline the components use is loaded here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def load_spacy(package: str, *, exclude: Sequence[str] = ()) -> Any:
    """`spacy.load(package, exclude=...)`, its layers built on numpy's matrix product instead of BLIS."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(package, exclude=list(exclude))
