"""Retraining from the store: the corrected articles' gold labels (plus SemEval/PTC training data when given).

For each capability only the articles an analyst corrected in that layer are gold; their label sets are the
corrected view (`store.gold`). Before/after scores are measured on those corrected articles: "before" is the
current model against the analysts' labels, "after" is k-fold cross-validation of the retrained model (each
fold trains on the given data plus the other corrected articles and is scored on its held-out ones).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.datasets.examples import NarrativeExample
from narrascope.datasets.ptc import PtcArticle, PtcSpan
from narrascope.entities.evaluate import EntityExample, fit_entity_examples, predict_examples
from narrascope.entities.framing import narrative_cues
from narrascope.entities.model import MentionItem
from narrascope.errors import ModelError
from narrascope.learn.scoring import f1_samples
from narrascope.narratives.evaluate import fit_examples, model_text
from narrascope.narratives.model import NarrativeConfig, NarrativeModel
from narrascope.store.corrections import Vocabulary, list_corrections
from narrascope.store.db import Store
from narrascope.store.gold import apply_corrections, gold_entities, gold_narratives, gold_techniques

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Scores:
    documents: int
    coarse: float
    fine: float


def corrected_layer(store: Store, layer: str, vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """The corrected view of every stored article with a correction in force in `layer`, in id order."""
    found = []
    for row in store.conn.execute(
        "SELECT a.id, a.analysis FROM articles a WHERE a.id IN (SELECT article_id FROM corrections"
        " WHERE layer = ? AND undone_at IS NULL AND stale_at IS NULL) ORDER BY a.id",
        (layer,),
    ):
        corrections = list_corrections(store, article_id=row["id"])
        found.append(apply_corrections(json.loads(row["analysis"]), corrections, vocabulary))
    return found


def narrative_examples(store: Store, vocabulary: Vocabulary) -> list[NarrativeExample]:
    examples = []
    for doc in corrected_layer(store, "narrative", vocabulary):
        narratives, subnarratives = gold_narratives(doc, vocabulary)
        language = str(doc.get("language") or "und")
        examples.append(NarrativeExample(str(doc["id"]), language, str(doc["raw_text"]), tuple(narratives),
                                         tuple(subnarratives)))  # fmt: skip
    return examples


def technique_articles(store: Store, vocabulary: Vocabulary) -> list[PtcArticle]:
    articles = []
    for doc in corrected_layer(store, "technique", vocabulary):
        spans = [PtcSpan(str(doc["id"]), s, e, t) for s, e, t in gold_techniques(doc)]
        articles.append(PtcArticle(str(doc["id"]), str(doc["raw_text"]), spans))
    return articles


def narrative_scores(model: NarrativeModel, examples: Sequence[NarrativeExample]) -> Scores:
    """F1-samples (coarse, fine) of a model against the examples' labels."""
    predictions = model.predict([model_text(e.raw_text) for e in examples])
    keys = [str(i) for i in range(len(examples))]
    coarse = f1_samples({k: set(e.narratives) for k, e in zip(keys, examples, strict=True)},
                        {k: {n for n, _ in p.narratives} for k, p in zip(keys, predictions, strict=True)})  # fmt: skip
    fine = f1_samples({k: set(e.subnarratives) for k, e in zip(keys, examples, strict=True)},
                      {k: {s for s, _ in p.subnarratives} for k, p in zip(keys, predictions, strict=True)})  # fmt: skip
    return Scores(len(examples), coarse, fine)


def cross_validated(
    corrected: Sequence[NarrativeExample], data: Sequence[NarrativeExample], config: NarrativeConfig, *,
    folds: int = 5, seed: int = 0, progress: Progress | None = None,
) -> Scores:  # fmt: skip
    """k-fold CV over the corrected articles; every fold also trains on all of `data`."""
    folds = min(folds, len(corrected))
    if folds < 2:
        raise ModelError(f"cross-validation needs at least 2 corrected articles, found {len(corrected)}")
    assignment = np.random.RandomState(seed).permutation(len(corrected)) % folds
    gold_c: dict[str, set[str]] = {}
    gold_f: dict[str, set[str]] = {}
    found_c: dict[str, set[str]] = {}
    found_f: dict[str, set[str]] = {}
    for k in range(folds):
        if progress:
            progress(f"cross-validation fold {k + 1}/{folds}")
        train = [e for e, a in zip(corrected, assignment, strict=True) if a != k]
        test = [e for e, a in zip(corrected, assignment, strict=True) if a == k]
        model = fit_examples(list(data) + train, config)
        for example, p in zip(test, model.predict([model_text(e.raw_text) for e in test]), strict=True):
            gold_c[example.id], gold_f[example.id] = set(example.narratives), set(example.subnarratives)
            found_c[example.id] = {n for n, _ in p.narratives}
            found_f[example.id] = {s for s, _ in p.subnarratives}
    return Scores(len(corrected), f1_samples(gold_c, found_c), f1_samples(gold_f, found_f))


def check_labels(examples: Sequence[NarrativeExample], vocabulary: Vocabulary, origin: str) -> None:
    """Training labels must belong to the taxonomy (a team's file or SemEval's)."""
    for example in examples:
        vocabulary.taxonomy.check_labels([*example.narratives, *example.subnarratives], origin=f"{origin}/{example.id}")


def entity_examples(store: Store, vocabulary: Vocabulary) -> list[EntityExample]:
    """Every mention of every entity an analyst accepted, changed or added (with an asserted role and a fine
    role), as role-model examples; the article's unrejected narratives give the side x narrative cues."""
    examples = []
    for doc in corrected_layer(store, "entity", vocabulary):
        decided = {str(e["entity"]) for e in doc.get("entities", []) if e.get("correction")}
        narratives = [(str(h["label"]), float(h["score"])) for h in doc.get("narratives", [])
                      if h["level"] == "narrative" and not h.get("rejected")]  # fmt: skip
        language = str(doc.get("language") or "und")
        for text, start, end, main, fines in gold_entities(doc):
            owner = next((str(e["entity"]) for e in doc.get("entities", [])
                          if any(m["start"] == start and m["end"] == end for m in e["mentions"])), "")  # fmt: skip
            if owner not in decided:
                continue
            item = MentionItem(str(doc["raw_text"]), start, end, language, narrative_cues(text, narratives))
            examples.append(EntityExample(str(doc["id"]), item, main, tuple(fines)))
    return examples


def role_scores(predicted: Sequence[tuple[str, tuple[str, ...]]], gold: Sequence[EntityExample]) -> tuple[float, float]:
    """(main-role accuracy, exact match of the fine roles) of role predictions against gold mentions."""
    if not gold:
        return 0.0, 0.0
    main = sum(p[0] == g.main_role for p, g in zip(predicted, gold, strict=True)) / len(gold)
    exact = sum(set(p[1]) == set(g.fine_roles) for p, g in zip(predicted, gold, strict=True)) / len(gold)
    return main, exact


def cross_validated_roles(
    corrected: Sequence[EntityExample], data: Sequence[EntityExample], *, folds: int = 5
) -> tuple[float, float]:
    """k-fold CV over the corrected articles (an article's mentions in one fold); each fold also trains on `data`."""
    articles = sorted({e.file for e in corrected})
    folds = min(folds, len(articles))
    if folds < 2:
        raise ModelError(f"cross-validation needs at least 2 articles with entity corrections, found {len(articles)}")
    fold_of = {name: i % folds for i, name in enumerate(articles)}
    predicted: list[tuple[str, tuple[str, ...]]] = [("", ())] * len(corrected)
    for k in range(folds):
        train = [e for e in corrected if fold_of[e.file] != k]
        test = [i for i, e in enumerate(corrected) if fold_of[e.file] == k]
        model = fit_entity_examples(list(data) + train)
        for i, p in zip(test, predict_examples(model, [corrected[i] for i in test]), strict=True):
            predicted[i] = p
    return role_scores(predicted, corrected)
