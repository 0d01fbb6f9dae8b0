"""The fast TF-IDF (`learn/tfidf.py`) returns the matrix scikit-learn's `transform` returns, bit for bit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from narrascope.learn.linear import restore_vectorizers, vectorizers_state
from narrascope.learn.tfidf import tfidf_transform

TRAIN = [
    "Russian officials said the West provoked the conflict in Ukraine.",
    "Официальные лица заявили, что Запад спровоцировал конфликт.",
    "Представители ЕС осъдиха решението на Русия за газа.",
    "O governo brasileiro disse que as sanções não funcionam.",
    "सरकार ने कहा कि प्रतिबंध काम नहीं कर रहे हैं।",
    "The West, the West and again the West: officials said so, officials said it twice.",
] * 2
TEXTS = [
    *TRAIN,
    "",
    " ",
    "a",
    "ab  cd\u00a0\u2003ef\n\n g\t\th",  # runs of unicode white space between words
    "Ünïcödé ÉÉ  x İstanbul \ufb01ne \u01c5",  # case folding that changes a word's length
    "said said said said the the West West West",  # repeated words and bigrams
    "officials",
]
SETTINGS: list[dict[str, Any]] = [
    {"analyzer": "char_wb", "ngram_range": (2, 5)},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "min_df": 2},
    {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w\w+\b"},
    {"analyzer": "word", "ngram_range": (1, 1), "max_df": 0.5},
    {"analyzer": "word", "token_pattern": r"\S+", "lowercase": False},
    {"analyzer": "word", "ngram_range": (2, 3), "stop_words": ["the", "and"]},
    {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": False, "norm": "l1"},
    {"analyzer": "word", "norm": None, "use_idf": False},
    {"analyzer": "char", "ngram_range": (2, 3)},  # not counted here: scikit-learn's own transform
]


def same_matrix(expected: Any, found: Any) -> None:
    assert type(found) is type(expected)
    assert (found.shape, found.dtype) == (expected.shape, expected.dtype)
    assert found.indptr.tolist() == expected.indptr.tolist()
    assert found.indices.tolist() == expected.indices.tolist()
    assert found.indices.dtype == expected.indices.dtype
    assert found.data.tobytes() == expected.data.tobytes()  # the same float32 bits, not merely close


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(f"{v}" for v in s.values()))
def test_fast_tfidf_is_scikit_learns_transform_bit_for_bit(settings: dict[str, Any]) -> None:
    vectorizer = TfidfVectorizer(dtype=np.float32, **{"sublinear_tf": True, **settings}).fit(TRAIN)
    for texts in (TEXTS, TEXTS[:1], TEXTS[6:9], TEXTS):  # the second pass reads words it kept
        same_matrix(vectorizer.transform(texts), tfidf_transform(vectorizer, texts))
    with pytest.raises(ValueError):  # as scikit-learn does
        tfidf_transform(vectorizer, [])


def test_fast_tfidf_of_a_restored_vectorizer_and_after_a_new_fit() -> None:
    fitted = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit(TRAIN)
    restored = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32)
    restore_vectorizers({"char": restored}, *vectorizers_state({"char": fitted}))  # float32 idf, as shipped
    same_matrix(restored.transform(TEXTS), tfidf_transform(restored, TEXTS))
    # fitted again on other texts: the n-grams kept for the old vocabulary must not be read
    same_matrix(fitted.transform(TEXTS), tfidf_transform(fitted, TEXTS))
    fitted.fit(["entirely other words here", "and other words there"])
    same_matrix(fitted.transform(TEXTS), tfidf_transform(fitted, TEXTS))
