"""Entity roles from SemEval folders: training data, given-mentions prediction, official scores, CV.

Subtask-1 files give mention offsets with an *inclusive* end. Some released offsets are shifted (line-ending
conversions); such a mention is re-anchored at the occurrence of its text nearest to the given start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from narrascope.datasets.examples import document_dir, language_of
from narrascope.datasets.semeval import EntityAnnotation, EntityMention, read_entity_annotations
from narrascope.entities.framing import narrative_cues
from narrascope.entities.model import EntityRoleModel, MentionItem
from narrascope.errors import FormatError
from narrascope.ingest.decode import decode_text, read_bytes_limited
from narrascope.taxonomy import load_roles

Progress = Callable[[str], None]


@dataclass(frozen=True)
class EntityExample:
    file: str
    item: MentionItem
    main_role: str
    fine_roles: tuple[str, ...]


def anchor(text: str, mention: str, start: int) -> int | None:
    """Start of `mention` in `text`: at `start` if it is there, else the nearest occurrence (None if absent)."""
    if text[start : start + len(mention)] == mention:
        return start
    positions, i = [], text.find(mention) if mention else -1
    while i >= 0:
        positions.append(i)
        i = text.find(mention, i + 1)
    return min(positions, key=lambda p: abs(p - start)) if positions else None


def _documents(folder: Path) -> dict[str, str]:
    docs = document_dir(folder)
    return {p.name: decode_text(read_bytes_limited(p), str(p)).text for p in sorted(docs.glob("*.txt"))}


def mention_items(folder: Path, mentions: Sequence[EntityMention | EntityAnnotation]) -> list[MentionItem | None]:
    """Items for given mentions of a folder's documents; None where the mention cannot be found."""
    texts = _documents(folder)
    language = language_of(folder)
    items: list[MentionItem | None] = []
    for m in mentions:
        text = texts.get(m.file)
        if text is None:
            raise FormatError(f"{m.file}: no such document in {document_dir(folder)}")
        start = anchor(text, m.mention, m.start)
        items.append(None if start is None else MentionItem(text, start, start + len(m.mention), language))
    return items


def load_entity_examples(
    folders: Sequence[str | Path], narratives: Mapping[str, Sequence[tuple[str, float]]] | None = None
) -> list[EntityExample]:
    """Gold mentions of SemEval folders; `narratives` ("LANG/file" -> the article's narratives and scores)
    gives the role model its side x narrative cues."""
    examples: list[EntityExample] = []
    for raw in folders:
        folder = Path(raw)
        subfolders = [folder] if (folder / "subtask-1-annotations.txt").is_file() else sorted(
            p for p in folder.iterdir() if (p / "subtask-1-annotations.txt").is_file()
        )  # fmt: skip
        if not subfolders:
            raise FormatError(f"{folder}: no subtask-1-annotations.txt in it or in its subfolders")
        for sub in subfolders:
            rows = read_entity_annotations(sub / "subtask-1-annotations.txt")
            for row, item in zip(rows, mention_items(sub, rows), strict=True):
                if item is not None:
                    context = (narratives or {}).get(f"{item.language.upper()}/{row.file}", ())
                    item = replace(item, cues=narrative_cues(row.mention, context))
                    examples.append(EntityExample(row.file, item, row.main_role, tuple(row.fine_roles)))
    return examples


def fit_entity_examples(examples: Sequence[EntityExample], *, context_weight: float = 0.0) -> EntityRoleModel:
    items = [e.item for e in examples]
    return EntityRoleModel.fit(items, [e.fine_roles for e in examples], context_weight=context_weight)


@dataclass(frozen=True)
class EntityScores:
    name: str
    mentions: int
    exact_match_ratio: float
    precision: float
    recall: float
    f1: float
    main_accuracy: float


def entity_scores(
    name: str, gold: Sequence[EntityExample], predicted: Sequence[tuple[str, tuple[str, ...]]]
) -> EntityScores:
    """Official subtask-1 measures: exact match ratio of fine-role sets, micro P/R/F1 over fine roles,
    main-role accuracy."""
    exact = sum(set(g.fine_roles) == set(p[1]) for g, p in zip(gold, predicted, strict=True))
    tp = sum(len(set(g.fine_roles) & set(p[1])) for g, p in zip(gold, predicted, strict=True))
    n_pred = sum(len(set(p[1])) for p in predicted)
    n_gold = sum(len(set(g.fine_roles)) for g in gold)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    main = sum(g.main_role == p[0] for g, p in zip(gold, predicted, strict=True))
    n = max(len(gold), 1)
    return EntityScores(name, len(gold), exact / n, precision, recall, f1, main / n)


def score_by_language(
    examples: Sequence[EntityExample], predicted: Sequence[tuple[str, tuple[str, ...]]]
) -> list[EntityScores]:
    languages = sorted({e.item.language for e in examples})
    rows = []
    for lang in languages:
        index = [i for i, e in enumerate(examples) if e.item.language == lang]
        rows.append(entity_scores(lang.upper(), [examples[i] for i in index], [predicted[i] for i in index]))
    if len(languages) > 1:
        rows.append(entity_scores("all mentions", examples, predicted))
        per_language = rows[: len(languages)]
        rows.append(
            EntityScores(
                "mean of languages",
                len(examples),
                *(
                    float(np.mean([getattr(r, f) for r in per_language]))
                    for f in ("exact_match_ratio", "precision", "recall", "f1", "main_accuracy")
                ),
            )
        )
    return rows


def predict_examples(model: EntityRoleModel, examples: Sequence[EntityExample]) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.main_role, p.fine_roles) for p in model.predict([e.item for e in examples])]


def cross_validate_entities(
    examples: Sequence[EntityExample], *, folds: int = 5, seed: int = 0, progress: Progress | None = None
) -> list[EntityScores]:
    """k-fold CV with the mentions of one article always in the same fold, folds stratified by language."""
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    groups = [f"{e.item.language}/{e.file}" for e in examples]
    languages = [e.item.language for e in examples]
    predicted: list[tuple[str, tuple[str, ...]]] = [("", ())] * len(examples)
    for k, (train, test) in enumerate(splitter.split(np.zeros(len(examples)), languages, groups), start=1):
        if progress:
            progress(f"fold {k}/{folds}")
        model = fit_entity_examples([examples[i] for i in train])
        for i, p in zip(test, predict_examples(model, [examples[i] for i in test]), strict=True):
            predicted[i] = p
    return score_by_language(examples, predicted)


def predict_given_mentions(
    model: EntityRoleModel,
    folder: Path,
    mentions: Sequence[EntityMention],
    narratives: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[EntityAnnotation], list[str]]:
    """Subtask-1 rows for given mentions, and a message for each mention not found in its document;
    `narratives` ("LANG/file" -> the article's narratives) gives the role model its cues, as in training."""
    context = narratives or {}
    items = [
        None if item is None
        else replace(item, cues=narrative_cues(m.mention, context.get(f"{item.language.upper()}/{m.file}", ())))
        for m, item in zip(mentions, mention_items(folder, mentions), strict=True)
    ]  # fmt: skip
    found = [item for item in items if item is not None]
    predictions = iter(model.predict(found, progress))
    rows: list[EntityAnnotation] = []
    problems: list[str] = []
    valid = {f for fines in load_roles().values() for f in fines}
    for mention, item in zip(mentions, items, strict=True):
        if item is None:
            problems.append(f"{mention.file}: mention {mention.mention!r} not found near offset {mention.start}")
            continue
        p = next(predictions)
        rows.append(
            EntityAnnotation(
                mention.file,
                mention.mention,
                mention.start,
                mention.end,
                p.main_role,
                [r for r in p.fine_roles if r in valid],
            )
        )
    return rows, problems
