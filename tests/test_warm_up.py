"""`Pipeline.warm_up` loads before forking what the components would load on their first article."""

from __future__ import annotations

from narrascope.entities.detection import russian
from narrascope.ingest import language
from narrascope.learn import spacy_loading
from narrascope.pipeline import load_pipeline


def test_warm_up_loads_the_lazily_loaded_models_that_forked_workers_then_share() -> None:
    for loader in (russian._natasha, language._detector):
        loader.cache_clear()
    spacy_loading._ENGLISH = None
    load_pipeline().warm_up()
    assert russian._natasha.cache_info().currsize == 1  # natasha for Russian ones
    assert language._detector.cache_info().currsize == 1
    english_pipes = spacy_loading._ENGLISH.pipe_names  # one spaCy pipeline: the parse for claims, NER for entities
    assert {"parser", "ner"} <= set(english_pipes)
