"""Training from SemEval folders, evaluation with the official scores, and k-fold cross-validation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from narrascope.analysis import Analysis
from narrascope.datasets.examples import NarrativeExample, load_narrative_examples
from narrascope.ingest.cleaning import clean
from narrascope.learn.scoring import LabelScore, f1_samples, per_label_scores
from narrascope.narratives.model import PROFILES, DocumentPrediction, NarrativeConfig, NarrativeModel, domains_of
from narrascope.taxonomy import OTHER

Progress = Callable[[str], None]


def model_text(raw_text: str) -> str:
    """What the model reads: the clean text, as the pipeline's cleaning component produces it."""
    return clean(raw_text).text


def train_narrative_model(
    folders: Sequence[str], *, profile: str = "accurate", config: NarrativeConfig | None = None,
    progress: Progress | None = None,
) -> NarrativeModel:  # fmt: skip
    examples = load_narrative_examples(folders)
    return fit_examples(examples, config or PROFILES[profile], progress)


def fit_examples(
    examples: Sequence[NarrativeExample], config: NarrativeConfig, progress: Progress | None = None
) -> NarrativeModel:
    narratives = [e.narratives for e in examples]
    model = NarrativeModel.fit(
        [model_text(e.raw_text) for e in examples],
        narratives,
        [e.subnarratives for e in examples],
        config=config,
        progress=progress,
        domains=domains_of(narratives),
        languages=[e.language for e in examples],
    )
    model.trained_on = frozenset(f"{e.language}/{e.id}" for e in examples)
    return model


@dataclass(frozen=True)
class ScoreRow:
    name: str
    documents: int
    coarse: float
    fine: float


@dataclass(frozen=True)
class NarrativeReport:
    rows: list[ScoreRow]
    label_scores: list[LabelScore]
    in_sample: int = 0  # documents the model was trained on: their scores say little about new articles


def _score_rows(
    examples: Sequence[NarrativeExample], predicted: dict[str, tuple[set[str], set[str]]]
) -> list[ScoreRow]:
    rows: list[ScoreRow] = []
    languages = sorted({e.language for e in examples})
    groups = [(lang.upper(), [e for e in examples if e.language == lang]) for lang in languages]
    if len(groups) > 1:
        groups.append(("all documents", list(examples)))
    for name, group in groups:
        key = [f"{e.language}/{e.id}" for e in group]
        gold_c = {k: set(e.narratives) for k, e in zip(key, group, strict=True)}
        gold_f = {k: set(e.subnarratives) for k, e in zip(key, group, strict=True)}
        rows.append(
            ScoreRow(
                name,
                len(group),
                f1_samples(gold_c, {k: predicted[k][0] for k in key if k in predicted}),
                f1_samples(gold_f, {k: predicted[k][1] for k in key if k in predicted}),
            )
        )
    if len(languages) > 1:
        per_language = rows[: len(languages)]
        rows.append(
            ScoreRow(
                "mean of languages",
                len(examples),
                float(np.mean([r.coarse for r in per_language])),
                float(np.mean([r.fine for r in per_language])),
            )
        )
    return rows


def _predict(model: NarrativeModel, examples: Sequence[NarrativeExample]) -> dict[str, tuple[set[str], set[str]]]:
    predictions = model.predict([model_text(e.raw_text) for e in examples])
    return {
        f"{e.language}/{e.id}": ({n for n, _ in p.narratives}, {s for s, _ in p.subnarratives})
        for e, p in zip(examples, predictions, strict=True)
    }


def evaluate_narrative_model(model: NarrativeModel, folders: Sequence[str]) -> NarrativeReport:
    """F1-samples per language and overall, and per-label P/R/F1 (coarse labels, then fine ones)."""
    examples = load_narrative_examples(folders)
    in_sample = sum(1 for e in examples if f"{e.language}/{e.id}" in model.trained_on)
    return dataclasses.replace(report_for(examples, _predict(model, examples)), in_sample=in_sample)


def report_for(
    examples: Sequence[NarrativeExample], predicted: dict[str, tuple[set[str], set[str]]]
) -> NarrativeReport:
    keys = [f"{e.language}/{e.id}" for e in examples]
    coarse = per_label_scores(
        {k: set(e.narratives) for k, e in zip(keys, examples, strict=True)},
        {k: predicted[k][0] for k in keys},
    )
    fine = per_label_scores(
        {k: set(e.subnarratives) for k, e in zip(keys, examples, strict=True)},
        {k: predicted[k][1] for k in keys},
    )
    return NarrativeReport(_score_rows(examples, predicted), coarse + fine)


def cross_validate(
    examples: Sequence[NarrativeExample], config: NarrativeConfig, *, folds: int = 5, seed: int = 0,
    progress: Progress | None = None,
) -> NarrativeReport:  # fmt: skip
    """k-fold cross-validation, folds stratified by language; thresholds tuned inside each training fold."""
    predictions = cross_validated_predictions(examples, config, folds=folds, seed=seed, progress=progress)
    return report_for(
        examples, {k: ({n for n, _ in p.narratives}, {s for s, _ in p.subnarratives}) for k, p in predictions.items()}
    )


def cross_validated_predictions(
    examples: Sequence[NarrativeExample], config: NarrativeConfig, *, folds: int = 5, seed: int = 0,
    progress: Progress | None = None,
) -> dict[str, DocumentPrediction]:  # fmt: skip
    """Each document's prediction (picks and their judgments) by a model fitted on the other folds, keyed
    "LANG/file"; folds stratified by language, thresholds and assertion rules fitted inside each training fold."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    languages = [e.language for e in examples]
    predicted: dict[str, DocumentPrediction] = {}
    for k, (train, test) in enumerate(splitter.split(np.zeros(len(examples)), languages), start=1):
        if progress:
            progress(f"fold {k}/{folds}")
        model = fit_examples([examples[i] for i in train], config)
        held_out = [examples[i] for i in test]
        found = model.predict([model_text(e.raw_text) for e in held_out], [e.language for e in held_out])
        predicted.update({f"{e.language}/{e.id}": p for e, p in zip(held_out, found, strict=True)})
    return predicted


def semeval_labels(analysis: Analysis) -> tuple[list[str], list[str]]:
    """Subtask-2 columns for one analysis: narratives aligned with subnarratives, as gold files list them."""
    subnarratives = analysis.labels("subnarrative")
    if not subnarratives or subnarratives == [OTHER]:
        return [OTHER], [OTHER]
    parents = {hit.label for hit in analysis.narratives if hit.level == "narrative"}
    narratives = [
        next(p for p in sorted(parents, key=len, reverse=True) if s.startswith(p + ": ")) for s in subnarratives
    ]
    return narratives, subnarratives


def folder_narratives(
    folders: Sequence[Path], model: NarrativeModel | None = None
) -> dict[str, list[tuple[str, float]]]:
    """The narratives a model (the shipped one by default) finds in each document of SemEval language folders,
    keyed "LANG/file": the article context other capabilities' training and evaluation read."""
    from narrascope.datasets.examples import document_dir, language_of
    from narrascope.narratives.model import load_default_model

    model = model or load_default_model()
    out: dict[str, list[tuple[str, float]]] = {}
    for folder in folders:
        paths = sorted(document_dir(folder).glob("*.txt"))
        texts = [model_text(p.read_text("utf-8")) for p in paths]
        for path, prediction in zip(paths, model.predict(texts), strict=True):
            out[f"{language_of(folder).upper()}/{path.name}"] = prediction.narratives
    return out
