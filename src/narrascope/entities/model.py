"""Entity role model (SemEval-2025 Task 10, subtask 1): main role and fine roles of one entity mention.

Context matters more than the name, so each mention is described by four TF-IDF blocks: the mention itself
(words and character n-grams, for names across five languages), its sentence with the mention replaced by a
marker, and the whole article (its overall stance). Two multinomial logistic regressions score the 22 fine
roles and the 3 main roles; decoding is joint: the main role whose fine roles carry the most probability,
then its best fine role (92% of gold mentions have exactly one; adding more lowered the exact match ratio in
cross-validation, `benchmarks/entities_cv.py`).

With `context_weight > 0` the features also hold a multilingual embedding of the mention's window
(`entities/context.py`), scaled by that weight: the given-mentions model (`roles-context`) uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from narrascope.learn.calibration import Calibrator
from narrascope.learn.linear import dequantize, quantize, restore_vectorizers, vectorizers_state
from narrascope.learn.storage import load_model_files, save_model_files
from narrascope.learn.tfidf import tfidf_transform
from narrascope.taxonomy import load_roles

FORMAT_VERSION = 2
MAIN_ROLES = ("Protagonist", "Antagonist", "Innocent")
SENTENCE_END = re.compile(r"[.!?\u0964]\s|\n")
_LAST_SENTENCE_END = re.compile(rf"(?s).*(?:{SENTENCE_END.pattern})")  # through the last SENTENCE_END, in one match
SENTENCE_WINDOW = 2000
CONTEXT_WINDOW = 300  # characters of the sentence kept either side of the mention for the context encoder

# block name -> (field, vectorizer settings)
BLOCKS: dict[str, tuple[str, dict[str, Any]]] = {
    "mention_words": ("mention", {"analyzer": "word", "ngram_range": (1, 2), "min_df": 1}),
    "mention_chars": ("mention", {"analyzer": "char_wb", "ngram_range": (2, 4), "min_df": 2}),
    "sentence_words": ("sentence", {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2}),
    "article_words": ("article", {"analyzer": "word", "min_df": 2, "max_df": 0.5, "max_features": 50_000}),
    "language": ("language", {"analyzer": "word", "token_pattern": r"\S+"}),
    # the entity's side crossed with the article's narratives (`framing.narrative_cues`), computed per article
    "cues": ("cues", {"analyzer": "word", "token_pattern": r"\S+", "lowercase": False}),
}


@dataclass(frozen=True)
class MentionItem:
    """A mention to classify: the article text it is in (raw or clean), its offsets there, the language."""

    text: str
    start: int
    end: int
    language: str = "und"
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class RolePrediction:
    main_role: str
    fine_roles: tuple[str, ...]
    main_score: float  # probability mass of the chosen main role's fine roles
    fine_score: float  # probability of the best fine role
    calibrated: float = 0.0  # probability that the main role is right (cross-validation calibration)


@lru_cache(maxsize=4)
def _lower(text: str) -> str:
    """The article's lower-cased text, once per article (its mentions share it)."""
    return text.lower()


def sentence_around(item: MentionItem) -> tuple[str, str]:
    """The mention's sentence before and after it. The sentence is looked for within SENTENCE_WINDOW characters
    of the mention, so that an article's mentions cost linear, not quadratic, time."""
    left = item.text[max(0, item.start - SENTENCE_WINDOW) : item.start]
    right = item.text[item.end : item.end + SENTENCE_WINDOW]
    last = _LAST_SENTENCE_END.match(left)
    start = last.end() if last else 0
    end = SENTENCE_END.search(right)
    return left[start:], right[: len(right) if end is None else end.start()]


def mention_fields(item: MentionItem) -> dict[str, str]:
    """The texts the blocks read for one mention."""
    left, right = sentence_around(item)
    return {
        "mention": item.text[item.start : item.end].lower(),
        "sentence": (left + " ENTITYMARK " + right).lower(),
        "article": _lower(item.text),
        "language": f"lang_{item.language}",
        "cues": " ".join(("cue", *item.cues)),
    }


def context_text(item: MentionItem) -> str:
    """The context encoder's input: the mention, then its sentence (at most CONTEXT_WINDOW characters either
    side) with the mention in brackets."""
    mention = item.text[item.start : item.end]
    left, right = sentence_around(item)
    return f"{mention}: {left[-CONTEXT_WINDOW:]}[{mention}]{right[:CONTEXT_WINDOW]}"


def _vectorizers() -> dict[str, TfidfVectorizer]:
    return {name: TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **kw) for name, (_, kw) in BLOCKS.items()}


class EntityRoleModel:
    """Owns inference and storage; `fit` trains it from mentions with gold roles."""

    def __init__(
        self,
        vectorizers: dict[str, TfidfVectorizer],
        weights: np.ndarray,
        bias: np.ndarray,
        c: float = 3.0,
        calibrator: Calibrator | None = None,
        threshold: float = 0.0,
        context_weight: float = 0.0,
    ) -> None:
        roles = load_roles()
        self.fine_roles = sorted(f for fines in roles.values() for f in fines)
        self.fine_main = np.array([next(m for m, f in roles.items() if r in f) for r in self.fine_roles])
        # each main role's fine roles as a mask over them, made once (`decode` runs for every mention)
        self.main_masks = {main: self.fine_main == main for main in MAIN_ROLES}
        self.vectorizers, self.weights, self.bias, self.c = vectorizers, weights, bias, c
        # main-role mass -> probability the main role is right, and the score below which a role is `uncertain`
        self.calibrator = calibrator or Calibrator.identity()
        self.threshold = threshold
        self.context_weight = context_weight

    def _features(
        self, items: Sequence[MentionItem], *, fit: bool = False, progress: Callable[[int], None] | None = None
    ) -> sp.csr_matrix:
        fields = [mention_fields(item) for item in items]
        blocks = []
        for name, (field, _) in BLOCKS.items():
            texts = [f[field] for f in fields]
            vectorizer = self.vectorizers[name]
            if fit:
                blocks.append(vectorizer.fit_transform(texts))
                continue
            # The mentions of one article share its text: vectorise each distinct text once.
            distinct = list(dict.fromkeys(texts))
            rows = {text: i for i, text in enumerate(distinct)}
            blocks.append(tfidf_transform(vectorizer, distinct)[[rows[t] for t in texts]])
        if self.context_weight:
            from narrascope.entities.context import context_encoder

            vectors = context_encoder().encode([context_text(item) for item in items], progress)
            blocks.append(sp.csr_matrix(vectors * np.float32(self.context_weight)))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    @classmethod
    def fit(
        cls,
        items: Sequence[MentionItem],
        fine_roles: Sequence[Sequence[str]],
        *,
        c: float = 3.0,
        context_weight: float = 0.0,
    ) -> EntityRoleModel:
        """One training row per (mention, gold fine role): multi-role mentions teach each of their roles."""
        empty = np.zeros((0, 0), np.float32), np.zeros(0, np.float32)
        model = cls(_vectorizers(), *empty, c, context_weight=context_weight)
        X = model._features(items, fit=True)
        rows = [i for i, roles in enumerate(fine_roles) for r in roles if r in model.fine_roles]
        y = [model.fine_roles.index(r) for roles in fine_roles for r in roles if r in model.fine_roles]
        # Classes balanced within each language: the roles are judged by their mean recall per language, not by
        # agreeing with the majority.
        target = np.array(y)
        keys = [f"{items[i].language}/{main}" for i, main in zip(rows, model.fine_main[target], strict=True)]
        counts = {k: keys.count(k) for k in set(keys)}
        per_language = {k.split("/")[0]: 0 for k in keys}
        for k in keys:
            per_language[k.split("/")[0]] += 1
        sample_weight = np.array([per_language[k.split("/")[0]] / (len(MAIN_ROLES) * counts[k]) for k in keys])
        classifier = LogisticRegression(C=c, max_iter=3000)
        classifier.fit(X[rows], target, sample_weight=sample_weight)
        weights = np.zeros((X.shape[1], len(model.fine_roles)), np.float32)
        bias = np.full(len(model.fine_roles), -30.0, np.float32)  # roles never seen in training never win
        weights[:, classifier.classes_] = classifier.coef_.T
        bias[classifier.classes_] = classifier.intercept_
        model.weights, model.bias = dequantize(*quantize(weights)), bias
        return model

    def probabilities(self, items: Sequence[MentionItem], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Fine-role probabilities, one row per mention; `progress` is told of each batch of mentions embedded
        (context model only: the one slow step)."""
        z = np.asarray(self._features(items, progress=progress) @ self.weights) + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        probabilities: np.ndarray = e / e.sum(axis=1, keepdims=True)
        return probabilities

    def decode(self, p: np.ndarray) -> RolePrediction:
        """Joint decoding of one fine-role distribution: the main role with the most mass, its best fine role."""
        masks = self.main_masks
        mass = {main: float(p[masks[main]].sum()) for main in MAIN_ROLES}
        main = max(MAIN_ROLES, key=lambda m: mass[m])
        best = int(np.where(masks[main], p, -1.0).argmax())
        return RolePrediction(
            main, (self.fine_roles[best],), mass[main], float(p[best]), self.calibrator.one(mass[main])
        )

    def predict(
        self, items: Sequence[MentionItem], progress: Callable[[int], None] | None = None
    ) -> list[RolePrediction]:
        return [self.decode(p) for p in self.probabilities(items, progress)] if items else []

    def save(self, directory: str) -> None:
        terms, arrays = vectorizers_state(self.vectorizers)
        quantized, scale = quantize(self.weights)
        arrays |= {"weights": quantized, "weight_scale": scale, "bias": self.bias}
        meta = {
            "format_version": FORMAT_VERSION,
            "kind": "entity-roles",
            "c": self.c,
            "fine_roles": self.fine_roles,
            "calibration": self.calibrator.to_dict(),
            "threshold": self.threshold,
        }
        if self.context_weight:
            from narrascope.entities.context import ENCODER

            meta["context"] = {"encoder": ENCODER, "window": CONTEXT_WINDOW, "weight": self.context_weight}
        save_model_files(directory, meta, terms, arrays)

    @classmethod
    def load(cls, directory: str) -> EntityRoleModel:
        meta, terms, arrays = load_model_files(directory, kind="entity-roles", format_version=FORMAT_VERSION)
        vectorizers = _vectorizers()
        weights = dequantize(arrays.pop("weights"), arrays.pop("weight_scale"))
        bias = arrays.pop("bias")
        restore_vectorizers(vectorizers, terms, arrays)
        try:
            calibrator = Calibrator.from_dict(meta["calibration"])
        except (KeyError, TypeError, ValueError) as exc:
            from narrascope.errors import ModelError

            raise ModelError(f"{directory}: corrupt entity-roles model (calibration: {exc})") from None
        context = meta.get("context") or {}
        threshold = float(meta.get("threshold", 0.0))
        weight = float(context.get("weight", 0.0))
        model = cls(vectorizers, weights, bias, float(meta["c"]), calibrator, threshold, weight)
        if model.fine_roles != meta["fine_roles"]:
            from narrascope.errors import ModelError

            raise ModelError(f"{directory}: the model's fine roles differ from the shipped roles.tsv")
        return model
