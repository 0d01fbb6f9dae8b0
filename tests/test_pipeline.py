from __future__ import annotations

import pytest

from narrascope import Article, Pipeline, load_pipeline
from narrascope.analysis import Analysis
from narrascope.components import BaseComponent, Component
from narrascope.errors import PipelineError
from narrascope.pipeline import registered_components


class Recorder(BaseComponent):
    """A test component that notes each article it sees."""

    name = "recorder"
    requires = ("sentences",)
    assigns = ("recorded",)

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, analysis: Analysis) -> Analysis:
        self.seen.append(analysis.id)
        return analysis


def test_default_pipeline_cleans_identifies_language_and_segments() -> None:
    assert load_pipeline().names == [
        "cleaning",
        "language",
        "sentences",
        "narratives",
        "explanations",
        "entities",
        "techniques",
        "claims",
    ]
    assert {"cleaning", "language", "sentences", "narratives", "entities", "techniques", "claims"} <= set(
        registered_components()
    )


def test_components_follow_the_protocol() -> None:
    for component in load_pipeline().components:
        assert isinstance(component, Component)


def test_bad_order_is_rejected_before_anything_runs() -> None:
    recorder = Recorder()
    with pytest.raises(PipelineError) as info:
        Pipeline([recorder, *load_pipeline().components])
    assert str(info.value) == (
        "component 'recorder' (position 1) requires sentences, which no earlier component assigns: "
        "put sentences before it"
    )
    assert recorder.seen == []


def test_missing_requirement_names_the_component_to_add() -> None:
    with pytest.raises(PipelineError, match="component 'sentences' .* requires article.text, article.offsets"):
        load_pipeline(["sentences"])


def test_unknown_component_lists_the_available_ones() -> None:
    with pytest.raises(
        PipelineError, match="unknown component 'themes'; available: .*cleaning, entities, entities-llm"
    ):
        load_pipeline(["cleaning", "themes"])


def test_a_component_cannot_appear_twice() -> None:
    with pytest.raises(PipelineError, match="appears twice"):
        load_pipeline(["cleaning", "cleaning"])


def test_pipe_gives_the_same_analyses_as_calling_one_by_one(pipeline: Pipeline) -> None:
    texts = ["Title one\n\nSanctions failed. Europe pays.", "Title two\n\nNATO is weak.\nSource: TASS\n"]
    one_by_one = [pipeline(Article(raw_text=t)).to_dict() for t in texts]
    piped = [a.to_dict() for a in pipeline.pipe(Article(raw_text=t) for t in texts)]
    assert piped == one_by_one
    assert piped[0]["components"] == [
        "cleaning",
        "language",
        "sentences",
        "narratives",
        "explanations",
        "entities",
        "techniques",
        "claims",
    ]


def test_custom_components_run_in_order_after_the_built_in_ones() -> None:
    recorder = Recorder()
    pipeline = Pipeline([*load_pipeline().components, recorder])
    pipeline(Article(raw_text="T\n\nBody.", id="doc-1"))
    assert recorder.seen == ["doc-1"]
