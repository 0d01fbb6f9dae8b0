"""Language identification, offline (lingua): the function; the component is in `ingest/components.py`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# ~90 words: the language lingua finds in the first 1,000 characters, in half the time. On the 1,725 SemEval
# train and unlabeled articles (five languages) 600 characters give the same language for every article and
# the same confidence for all but 3, at 2.1 ms an article instead of 3.7 (docs/benchmarks.md).
SAMPLE_CHARS = 600


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import LanguageDetectorBuilder

    # Low-accuracy mode loads small models lazily: ~0.1 GB instead of ~1.3 GB, and it is reliable on
    # article-length text (it is only weaker on a few words).
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code of the text's language and the detector's confidence; ("und", 0.0) if unknown."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return "und", 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return "und", 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), round(float(best.value), 4)
