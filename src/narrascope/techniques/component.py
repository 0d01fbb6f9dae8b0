"""Persuasion technique component (SemEval-2020 Task 11): spans of the text and the technique each uses.

`predict` runs the model on the clean text (pure: no writes); `set_annotations` maps every span back to raw
offsets, so that `raw_text[start:end] == text` as for every other span of the analysis. Spans of different
techniques may overlap.

The model is English-only: on articles identified as another language the pipeline does not run it (a
warning and `not_available` say so; `components.abstention`) unless `force_language`. Spans below the
threshold (the model's CV-chosen default, or `min_scores["techniques"]`) are kept with `asserted=False`: the
JSON has their scores, the table and HTML do not show them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from narrascope.analysis import Analysis, TechniqueSpan
from narrascope.components import BatchComponent, register
from narrascope.techniques.model import FoundTechnique, TechniqueModel, load_default_model


@register("techniques")
class TechniqueTagger(BatchComponent[list[FoundTechnique]]):
    name = "techniques"
    requires = ("article.text", "sentences")
    assigns = ("techniques",)
    options = ("technique_model", "min_scores", "force_language")
    judges = True
    language_hint = "--force runs it anyway"

    def __init__(
        self,
        *,
        technique_model: str | Path | TechniqueModel | None = None,
        min_scores: Mapping[str, float] | None = None,
        force_language: bool = False,
    ) -> None:
        if isinstance(technique_model, TechniqueModel):
            self.model = technique_model
        elif technique_model is not None:
            self.model = TechniqueModel.load(technique_model)
        else:
            self.model = load_default_model()
        self.min_score = (min_scores or {}).get("techniques", self.model.threshold)
        self.languages: frozenset[str] | None = None if force_language else frozenset({"en"})

    def predict(self, analyses: Sequence[Analysis]) -> list[list[FoundTechnique]]:
        return [self.model.predict(a.article.clean_text) for a in analyses]

    def set_annotations(self, analyses: Sequence[Analysis], predictions: Sequence[list[FoundTechnique]]) -> None:
        for analysis, found in zip(analyses, predictions, strict=True):
            article = analysis.article
            spans = []
            for item in found:
                raw = article.raw_span(item.start, item.end)
                spans.append(
                    TechniqueSpan(
                        raw.start,
                        raw.end,
                        article.raw_text[raw.start : raw.end],
                        item.technique,
                        item.score,
                        item.score >= self.min_score,
                    )
                )
            analysis.techniques = sorted(spans, key=lambda s: (s.start, s.end, s.technique))
