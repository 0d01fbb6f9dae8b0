"""Narrative classification component (SemEval-2025 Task 10, subtask 2), with sentence evidence.

`predict` scores a batch of articles (pure: no writes); `set_annotations` writes the labels and, for each
label, the 1-3 sentences whose own score for that label is highest — the same linear model applied to one
sentence — so that an analyst can check the claim against the text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from narrascope.analysis import Analysis, Evidence, NarrativeHit
from narrascope.components import BatchComponent, register
from narrascope.narratives.model import DocumentPrediction, NarrativeModel, load_default_model
from narrascope.taxonomy import OTHER

MAX_EVIDENCE = 3
MIN_EVIDENCE_WORDS = 6  # a short sentence scores high on one or two words; it is weak evidence


@register("narratives")
class NarrativeClassifier(BatchComponent[DocumentPrediction]):
    name = "narratives"
    requires = ("article.text", "sentences")
    assigns = ("narratives",)
    judges = True
    options = ("narrative_model", "min_scores")

    def __init__(
        self, *, narrative_model: str | Path | NarrativeModel | None = None,
        min_scores: Mapping[str, float] | None = None,
    ) -> None:  # fmt: skip
        # `--min-score narratives=S`: one threshold on the calibrated score for every language and level
        self.min_score = (min_scores or {}).get("narratives")
        if isinstance(narrative_model, NarrativeModel):
            self.model = narrative_model
        elif narrative_model is not None:
            self.model = NarrativeModel.load(narrative_model)
        else:
            self.model = load_default_model()

    def predict(self, analyses: Sequence[Analysis]) -> list[DocumentPrediction]:
        return self.model.predict([a.article.clean_text for a in analyses], [a.article.language for a in analyses])

    def set_annotations(self, analyses: Sequence[Analysis], predictions: Sequence[DocumentPrediction]) -> None:
        for analysis, prediction in zip(analyses, predictions, strict=True):
            labels = [label for label, _ in prediction.narratives + prediction.subnarratives]
            evidence = self._evidence(analysis, labels)
            hits = []
            for level, picked in (("narrative", prediction.narratives), ("subnarrative", prediction.subnarratives)):
                for label, probability in picked:
                    score, asserted = prediction.judged.get(label, (probability, label != OTHER))
                    if self.min_score is not None:
                        parent = label.rsplit(": ", 1)[0] if level == "subnarrative" else label
                        asserted = label != OTHER and score >= self.min_score
                        asserted = asserted and prediction.judged.get(parent, (0.0, False))[0] >= self.min_score
                    hits.append(
                        NarrativeHit(label, level, round(score, 4), evidence.get(label, ()), asserted,
                                     round(probability, 4))
                    )  # fmt: skip
            analysis.narratives = hits

    def _evidence(self, analysis: Analysis, labels: list[str]) -> dict[str, tuple[Evidence, ...]]:
        """Up to three sentences per label, best first. A sentence is evidence of the one narrative of the article
        it scores highest for (a subnarrative's sentences are its narrative's), so that one sentence is not shown
        for two unrelated narratives; a question is taken only when no statement qualifies."""
        sentences = analysis.sentences
        scorable = [label for label in labels if self.model.can_score(label)]
        if not sentences or not scorable:
            return {}
        long_enough = [s for s in sentences if len(s.text.split()) >= MIN_EVIDENCE_WORDS]
        sentences = long_enough or sentences
        scores = self.model.sentence_scores([s.text for s in sentences], scorable)
        column = {label: k for k, label in enumerate(scorable)}
        tops = [label for label in scorable if not any(label.startswith(other + ": ") for other in scorable)]
        owner = [
            tops[int(np.argmax([scores[i, column[t]] for t in tops]))] if tops else None for i in range(len(sentences))
        ]
        question = [s.text.rstrip(" \"\u201d\u00bb'").endswith("?") for s in sentences]
        found: dict[str, tuple[Evidence, ...]] = {}
        for label in scorable:
            top = next((t for t in tops if label == t or label.startswith(t + ": ")), label)
            mine = [i for i in range(len(sentences)) if owner[i] == top] or list(range(len(sentences)))
            order = sorted(mine, key=lambda i: (question[i], -scores[i, column[label]]))[:MAX_EVIDENCE]
            found[label] = tuple(
                Evidence(
                    sentences[i].start, sentences[i].end, sentences[i].text, round(float(scores[i, column[label]]), 4)
                )
                for i in order
                if scores[i, column[label]] > 0 or i == order[0]
            )
        return found
