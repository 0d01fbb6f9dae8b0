"""Training the evidence scorer (`narrascope train narrative-evidence`), from the labelled evidence set and the
SemEval training folders.

The scorer learns only from what the benchmark does not report on: the tune half of the evidence set (its
marked sentences are the positives, the article's other candidates the negatives), the subtask-3
explanations of the training articles outside the held-out half, and the article-level labels of the tune
articles and of WEAK_PER_LANGUAGE other training articles per language (never a held-out one).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.datasets.examples import NarrativeExample, expand_language_folders, load_narrative_examples
from narrascope.errors import FormatError
from narrascope.ingest.components import Cleaner, SentenceSegmenter
from narrascope.narratives.evidence import (
    STATIC,
    Encode,
    EvidenceScorer,
    SentenceInputs,
    sentence_inputs,
)
from narrascope.narratives.model import NarrativeModel
from narrascope.taxonomy import OTHER, parent_of

WEAK_ALPHA = 10.0  # ridge penalty of the weak per-label directions (sentence space, thousands of sentences)
C = 0.3  # inverse penalty of the logistic regression (one weight per feature and per vector dimension)
WEAK_PER_LANGUAGE = 50  # training articles per language for the weak directions (first by SHA-1 of "LANG/file")
WEAK_SENTENCES = 40  # first sentences of each of them


@dataclass(frozen=True)
class LabelledArticle:
    key: str  # "LANG/file"
    labels: list[str]
    inputs: SentenceInputs
    marked: dict[str, set[int]]  # label -> positions (in inputs) of the sentences marked as carrying it


def read_evidence_set(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a labelled evidence set (JSONL), or a FormatError naming the bad line."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            missing = [field for field in ("id", "split", "evidence") if field not in row]
        except (json.JSONDecodeError, TypeError) as exc:
            raise FormatError(f"{path}:{n}: not an evidence row ({exc})") from None
        if missing:
            raise FormatError(f"{path}:{n}: not an evidence row (no {', '.join(missing)})")
        rows.append(row)
    return rows


def article_labels(narratives: Sequence[str], subnarratives: Sequence[str]) -> list[str]:
    return [label for label in dict.fromkeys([*narratives, *subnarratives]) if label != OTHER]


def sentences_of(example: NarrativeExample) -> list[tuple[int, int, str]]:
    """The article's sentences as the pipeline splits them: (raw start, raw end, text)."""
    analysis = Analysis(Article(raw_text=example.raw_text, language=example.language))
    analysis = SentenceSegmenter()(Cleaner()(analysis))
    return [(s.start, s.end, s.text) for s in analysis.sentences]


def read_explanations(folders: Sequence[str | Path], exclude: set[str]) -> dict[str, list[str]]:
    """Label -> the subtask-3 explanations written for it (dominant narrative and subnarrative), except those
    of the `exclude`d articles ("LANG/file")."""
    found: dict[str, list[str]] = defaultdict(list)
    for folder in expand_language_folders(folders):
        path = folder / "subtask-3-annotations.txt"
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 4 or f"{folder.name.upper()}/{parts[0]}" in exclude:
                continue
            for label in parts[1:3]:
                if label and label != "none" and not label.endswith(": Other"):
                    found[label].append(parts[3])
    return found


def split_key(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()


def fit_scorer(
    rows: Sequence[dict[str, Any]],
    folders: Sequence[str | Path],
    model: NarrativeModel,
    encode: Encode,
    progress: Callable[[str], None] | None = None,
    encoder: str = STATIC,
) -> EvidenceScorer:
    """Fit on the tune rows of the evidence set and on the training folders minus the held-out rows; `encode`
    embeds texts with the encoder named `encoder` (`narratives.evidence.encoder_for`)."""
    from sklearn.linear_model import LogisticRegression

    say = progress or (lambda _message: None)
    heldout = {row["id"] for row in rows if row["split"] == "heldout"}
    tune = [row for row in rows if row["split"] == "tune"]
    examples = {f"{e.language.upper()}/{e.id}": e for e in load_narrative_examples(folders)}
    missing = [row["id"] for row in tune if row["id"] not in examples]
    if missing:
        raise FormatError(f"{len(missing)} tune articles are not in the given folders, e.g. {missing[0]}")
    explanations = read_explanations(folders, heldout)
    found = {label for e in examples.values() for label in article_labels(e.narratives, e.subnarratives)}
    labels = sorted(label for label in found | set(explanations) if not label.endswith(": Other"))
    column = {label: i for i, label in enumerate(labels)}

    names = np.asarray(encode([_label_text(label) for label in labels]), np.float32)
    dims = names.shape[1]
    weak_examples = _weak_examples(examples, heldout, {row["id"] for row in tune})
    say(f"weak directions from {len(weak_examples)} training articles")
    weak, weak_mean = _weak_directions(weak_examples, column, encode, dims, say)
    say(f"prototypes of {len(labels)} labels")
    base = np.zeros((len(labels), dims), np.float32)
    for label, i in column.items():
        base[i] = names[i] / np.linalg.norm(names[i])
        if explanations.get(label):
            mean = encode(explanations[label]).mean(0)
            base[i] += mean / np.linalg.norm(mean)
    articles = [_labelled(row, examples[row["id"]], model, encode, dims) for row in tune]
    marked_sums = {a.key: _marked_sums(a, column, dims) for a in articles}
    marked_total = sum(marked_sums.values(), np.zeros_like(base))

    say(f"logistic regression on {len(articles)} tune articles")
    X, y = [], []
    for a in articles:  # each article's features read prototypes without its own marked sentences
        prototypes = _normalised(base + _normalised(marked_total - marked_sums[a.key]))
        scorer = EvidenceScorer(labels, prototypes, weak, weak_mean, np.zeros(1), 0.0)
        for label, positions in a.marked.items():
            X.append(scorer.features(a.inputs, label, a.labels))
            y.append(np.array([i in positions for i in range(len(a.inputs.texts))], np.float32))
    classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    classifier.fit(np.vstack(X), np.concatenate(y))
    meta = {"trained_on": {"tune_articles": len(articles), "weak_articles": len(weak_examples)},
            "encoder": encoder}  # fmt: skip
    return EvidenceScorer(
        labels, _normalised(base + _normalised(marked_total)), weak, weak_mean, classifier.coef_[0].astype(np.float32),
        float(classifier.intercept_[0]), meta,
    )  # fmt: skip


def _weak_examples(examples: dict[str, NarrativeExample], heldout: set[str], tune: set[str]) -> list[NarrativeExample]:
    """The tune articles and, per language, the first WEAK_PER_LANGUAGE others by SHA-1 of their key; never a
    held-out one."""
    chosen = [examples[key] for key in sorted(tune) if key in examples]
    for language in sorted({key.split("/", 1)[0] for key in examples}):
        keys = sorted((k for k in examples if k.startswith(language + "/") and k not in heldout | tune), key=split_key)
        chosen += [examples[key] for key in keys[:WEAK_PER_LANGUAGE]]
    return chosen


def _label_text(label: str) -> str:
    """The words of a label without its domain prefix: `URW: Discrediting Ukraine: ...` -> `Discrediting ...`."""
    return label.split(": ", 1)[1] if ": " in label else label


def _normalised(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: np.ndarray = matrix / np.where(norms > 0, norms, 1.0)
    return normalised


def _weak_directions(
    examples: Sequence[NarrativeExample],
    column: dict[str, int],
    encode: Encode,
    dims: int,
    say: Callable[[str], None],
) -> tuple[np.ndarray, np.ndarray]:
    """Ridge regression of each sentence's vector onto its article's labels (all sentences of an article
    share the article's targets): one direction per label, and the mean vector it is centred on."""
    gram = np.zeros((dims, dims), np.float64)
    cross = np.zeros((dims, len(column)), np.float64)
    total = np.zeros(dims, np.float64)
    target_total = np.zeros(len(column), np.float64)
    count = 0
    for n, example in enumerate(examples, 1):
        texts = [text.strip() for _, _, text in sentences_of(example)][:WEAK_SENTENCES]
        if not texts:
            continue
        V = np.asarray(encode(texts), np.float64)
        target = np.zeros(len(column))
        for label in article_labels(example.narratives, example.subnarratives):
            if label in column:
                target[column[label]] = 1.0
        gram += V.T @ V
        cross += V.sum(0)[:, None] * target[None, :]
        total += V.sum(0)
        target_total += target * len(V)
        count += len(V)
        if n % 50 == 0:
            say(f"  {n}/{len(examples)} articles embedded")
    mean = total / max(count, 1)
    centred_gram = gram - count * np.outer(mean, mean)
    centred_cross = cross - np.outer(total, target_total) / max(count, 1)
    weak = np.linalg.solve(centred_gram + WEAK_ALPHA * np.eye(dims), centred_cross)
    return weak.astype(np.float32), mean.astype(np.float32)


def _labelled(
    row: dict[str, Any], example: NarrativeExample, model: NarrativeModel, encode: Encode, dims: int
) -> LabelledArticle:
    sentences = sentences_of(example)
    texts = [text for _, _, text in sentences]
    labels = article_labels(row.get("narratives", example.narratives), row.get("subnarratives", example.subnarratives))
    scorable = [label for label in labels if model.can_score(label)]
    scores = model.sentence_scores(texts, scorable) if scorable and texts else np.zeros((len(texts), 0))
    lexical = {label: scores[:, k] for k, label in enumerate(scorable)}
    picked, inputs = sentence_inputs(texts, lexical, encode, dims)
    where = {(sentences[i][0], sentences[i][1]): k for k, i in enumerate(picked)}
    marked = {
        item["label"]: {where[(s["start"], s["end"])] for s in item["sentences"] if (s["start"], s["end"]) in where}
        for item in row["evidence"]
    }
    return LabelledArticle(row["id"], labels, inputs, marked)


def _marked_sums(article: LabelledArticle, column: dict[str, int], dims: int) -> np.ndarray:
    """The article's marked sentence vectors added to their label's row (and, at half weight, to the related
    narrative's or subnarrative's row)."""
    sums = np.zeros((len(column), dims), np.float32)
    for label, positions in article.marked.items():
        for position in positions:
            vector = article.inputs.vectors[position]
            if label in column:
                sums[column[label]] += vector
            if parent_of(label) != label and parent_of(label) in column:
                sums[column[parent_of(label)]] += 0.5 * vector
    return sums


class CachedEncoder:
    """The e5 encoder with an on-disk cache (npz of texts and vectors), so that retraining does not embed the
    training sentences again."""

    def __init__(self, path: str | Path | None) -> None:
        from narrascope.learn.encoder import DIMENSIONS, sentence_encoder

        self.path = Path(path) if path else None
        self.encoder = sentence_encoder()
        self.dims = DIMENSIONS
        self.vectors: dict[str, np.ndarray] = {}
        if self.path and self.path.is_file():
            with np.load(self.path, allow_pickle=False) as stored:
                self.vectors = dict(zip(stored["texts"].tolist(), stored["vectors"].astype(np.float32), strict=True))

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.encoder.encode(missing), strict=True))
        return np.array([self.vectors[t] for t in texts], np.float32).reshape(len(texts), self.dims)

    def save(self) -> None:
        if self.path:
            texts = list(self.vectors)
            vectors = np.array([self.vectors[t] for t in texts], np.float16)
            np.savez(self.path, texts=np.array(texts), vectors=vectors)
