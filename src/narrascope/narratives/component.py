"""Narrative classification component (SemEval-2025 Task 10, subtask 2), with sentence evidence.

`predict` scores a batch of articles (pure: no writes); `set_annotations` writes the labels and, for each
label, the 1-3 sentences that carry it best by the evidence scorer (`evidence.py`, trained on sentences read
by hand), so that an analyst can check the claim against the text. Without the scorer (no multilingual encoder
installed, or `--model` names a model folder without one), the evidence is the narrative model's own lexical
score of each sentence (`lexical_evidence`, the selection shipped before the scorer).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from narrascope.analysis import Analysis, Evidence, NarrativeHit
from narrascope.components import BatchComponent, register
from narrascope.narratives.evidence import (
    EvidenceScorer,
    assign,
    encoder_for,
    load_evidence_scorer,
    sentence_inputs,
)
from narrascope.narratives.model import DocumentPrediction, NarrativeModel, load_default_model
from narrascope.taxonomy import OTHER, parent_of

MAX_EVIDENCE = 3
# a sentence the scorer gives at least this probability for a second, unrelated narrative is shown for both
CARRIES_BOTH = 0.9
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
        self._evidence_scorer: EvidenceScorer | None = None
        self._evidence_loaded = False
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
            hits = []
            for level, picked in (("narrative", prediction.narratives), ("subnarrative", prediction.subnarratives)):
                for label, probability in picked:
                    score, asserted = prediction.judged.get(label, (probability, label != OTHER))
                    if self.min_score is not None:
                        parent = parent_of(label)
                        asserted = label != OTHER and score >= self.min_score
                        asserted = asserted and prediction.judged.get(parent, (0.0, False))[0] >= self.min_score
                    hits.append(
                        NarrativeHit(label, level, round(score, 4), (), asserted, round(probability, 4))
                    )  # fmt: skip
            # the trained scorer chooses the evidence of the asserted labels (what an analyst is shown); the
            # withheld candidates keep the lexical selection, so an article with none asserted embeds nothing
            evidence = self.evidence(analysis, labels, scored={hit.label for hit in hits if hit.asserted})
            analysis.narratives = [replace(hit, evidence=evidence.get(hit.label, ())) for hit in hits]

    def evidence(
        self, analysis: Analysis, labels: list[str], scored: Collection[str] | None = None
    ) -> dict[str, tuple[Evidence, ...]]:
        """Up to three sentences per label, best first, chosen by the evidence scorer for the `scored` labels
        (None: all) and by the lexical selection for the others (and where there is no scorer): a sentence is
        shown for the narrative it carries best and its subnarratives, and for another narrative only when it
        carries that one too."""
        scorer = self.evidence_scorer()
        sentences = analysis.sentences
        known = [label for label in labels if label != OTHER]
        wanted = [label for label in known if scored is None or label in scored]
        if scorer is None or not sentences or not wanted:
            return self.lexical_evidence(analysis, labels)
        texts = [s.text for s in sentences]
        scorable = [label for label in labels if self.model.can_score(label)]  # scored once, for both selections
        scores = self.model.sentence_scores(texts, scorable) if scorable else np.zeros((len(texts), 0))
        every = {label: scores[:, k] for k, label in enumerate(scorable)}
        lexical = {label: every[label] for label in wanted if label in every}  # candidates: the wanted labels' only
        picked, inputs = sentence_inputs(texts, lexical, encoder_for(scorer.encoder), scorer.dims)
        probabilities = {label: scorer.probabilities(inputs, label, known) for label in wanted if scorer.knows(label)}
        chosen = assign(probabilities, related=lambda a, b: parent_of(a) == parent_of(b), both=CARRIES_BOTH)
        found: dict[str, tuple[Evidence, ...]] = {}
        for label, positions in chosen.items():
            shown = [(i, sentences[picked[i]]) for i in positions]
            found[label] = tuple(
                Evidence(s.start, s.end, s.text, round(float(probabilities[label][i]), 4)) for i, s in shown
            )
        lexical_found = self.lexical_evidence(analysis, [label for label in labels if label not in found], every)
        return found | lexical_found

    def evidence_scorer(self) -> EvidenceScorer | None:
        """The shipped evidence scorer (None when none is shipped or the encoder it reads is not installed)."""
        if not self._evidence_loaded:
            self._evidence_scorer, self._evidence_loaded = load_evidence_scorer(), True
        return self._evidence_scorer

    def lexical_evidence(
        self, analysis: Analysis, labels: list[str], scored: Mapping[str, np.ndarray] | None = None
    ) -> dict[str, tuple[Evidence, ...]]:
        """Up to three sentences per label, best first. A sentence is evidence of the one narrative of the article
        it scores highest for (a subnarrative's sentences are its narrative's), so that one sentence is not shown
        for two unrelated narratives; a question is taken only when no statement qualifies. `scored`: each
        label's `sentence_scores` of all the article's sentences, when already computed."""
        scorable = [label for label in labels if self.model.can_score(label)]
        if not analysis.sentences or not scorable:
            return {}
        keep = [i for i, s in enumerate(analysis.sentences) if len(s.text.split()) >= MIN_EVIDENCE_WORDS]
        keep = keep or list(range(len(analysis.sentences)))
        sentences = [analysis.sentences[i] for i in keep]
        if scored is None:
            scores = self.model.sentence_scores([s.text for s in sentences], scorable)
        else:
            scores = np.stack([scored[label][keep] for label in scorable], 1)
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
