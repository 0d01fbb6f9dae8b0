"""Narrative classification: training, hierarchy, Other conventions, storage, CLI, evidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrascope import analyze, load_pipeline
from narrascope.cli.main import main
from narrascope.datasets.examples import load_narrative_examples
from narrascope.datasets.semeval import read_narrative_annotations
from narrascope.errors import ModelError
from narrascope.narratives.evaluate import fit_examples, semeval_labels
from narrascope.narratives.model import NarrativeConfig, NarrativeModel
from narrascope.taxonomy import OTHER, load_taxonomy

from .conftest import DATA

TRAIN = DATA / "semeval_train"
EN = TRAIN / "EN"
PUPPET = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
ALARMIST = "CC: Criticism of climate movement: Climate movement is alarmist"


@pytest.fixture(scope="module")
def tiny_model() -> NarrativeModel:
    return fit_examples(load_narrative_examples([TRAIN]), NarrativeConfig())


def test_a_model_fits_a_handful_of_labelled_articles(tiny_model: NarrativeModel) -> None:
    (puppet, alarmist, other) = tiny_model.predict(
        [
            "Kyiv obeys its masters\n\nThe puppet regime in Kyiv obeys Washington, its Western masters.",
            "Hysteria again\n\nAlarmist climate activists exaggerate and frighten children with panic.",
            "Cup final\n\nThe football club won the cup; fans celebrated at the stadium.",
        ]
    )
    assert [s for s, _ in puppet.subnarratives] == [PUPPET] and puppet.domain == "URW"
    assert [n for n, _ in alarmist.narratives] == ["CC: Criticism of climate movement"]
    assert other.narratives == [(OTHER, other.narratives[0][1])] and [s for s, _ in other.subnarratives] == [OTHER]


def test_predictions_are_hierarchy_consistent_and_in_one_domain(tiny_model: NarrativeModel) -> None:
    texts = [e.raw_text for e in load_narrative_examples([TRAIN])] + ["Puppet climate alarmist regime panic Kyiv."]
    taxonomy = load_taxonomy()
    for prediction in tiny_model.predict(texts):
        narratives = [n for n, _ in prediction.narratives]
        subnarratives = [s for s, _ in prediction.subnarratives]
        if narratives == [OTHER]:
            assert subnarratives == [OTHER]
            continue
        assert {taxonomy.narrative_of(s) for s in subnarratives} == set(narratives)
        assert {n.split(": ")[0] for n in narratives} == {prediction.domain}
        assert all(0.0 <= score <= 1.0 for _, score in prediction.narratives + prediction.subnarratives)


def test_save_then_load_gives_identical_predictions(tiny_model: NarrativeModel, tmp_path: Path) -> None:
    tiny_model.save(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model").iterdir()) == [
        "model.json",
        "terms.json",
        "weights.npz",
    ]
    again = NarrativeModel.load(tmp_path / "model")
    texts = [e.raw_text for e in load_narrative_examples([TRAIN])] + ["Kyiv puppet panic.", "Bread."]
    assert again.predict(texts) == tiny_model.predict(texts)  # labels and scores alike
    np.testing.assert_array_equal(again.scores(texts), tiny_model.scores(texts))


def test_loading_a_missing_or_foreign_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a narratives model folder .model.json is missing"):
        NarrativeModel.load(tmp_path)
    (tmp_path / "model.json").write_text('{"kind": "techniques", "format_version": 1}')
    (tmp_path / "terms.json").write_text("{}")
    np.savez(tmp_path / "weights.npz", x=np.zeros(1))
    with pytest.raises(ModelError, match="expected a narratives model of format 1, found techniques"):
        NarrativeModel.load(tmp_path)


def test_component_attaches_evidence_sentences_by_raw_offsets(tiny_model: NarrativeModel) -> None:
    pipeline = load_pipeline(narrative_model=tiny_model, min_words=0)  # the component, not the text minimum
    analysis = pipeline(
        analyze(
            "sb.scorecardresearch\n\nKyiv's masters\n\n"
            "The weather was fine in the capital today and people walked.\n"
            "The puppet regime in Kyiv obeys Washington, its Western masters.\n",
            components=["cleaning", "language", "sentences"],
        ).article
    )
    hit = next(h for h in analysis.narratives if h.label == PUPPET)
    assert 1 <= len(hit.evidence) <= 3
    assert hit.evidence[0].text == "The puppet regime in Kyiv obeys Washington, its Western masters."
    raw = analysis.article.raw_text
    assert all(raw[e.start : e.end] == e.text for h in analysis.narratives for e in h.evidence)


def test_semeval_columns_align_each_subnarrative_with_its_narrative(tiny_model: NarrativeModel) -> None:
    pipeline = load_pipeline(narrative_model=tiny_model, min_words=0)  # the component, not the text minimum
    analysis = pipeline(analyze("T\n\nThe puppet regime in Kyiv obeys its Western masters.", components=[]).article)
    assert semeval_labels(analysis) == (["URW: Discrediting Ukraine"], [PUPPET])
    other = pipeline(analyze("T\n\nThe bakery sold bread and cakes downtown.", components=[]).article)
    assert semeval_labels(other) == ([OTHER], [OTHER])


def test_train_predict_and_evaluate_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    model_dir = tmp_path / "model"
    result = runner.invoke(main, ["train", "narratives", "--data", str(TRAIN), "--out", str(model_dir)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "pred.txt"
    result = runner.invoke(main, ["predict", "narratives", str(EN), "--out", str(out), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    # the task's decoding, whatever the assertion rule (a model this small asserts nothing)
    predictions = {row.file: row for row in read_narrative_annotations(out)}
    assert sorted(predictions) == sorted(p.name for p in (EN / "raw-documents").iterdir())
    assert predictions["EN_UA_001.txt"].subnarratives == [PUPPET]
    assert predictions["EN_XX_002.txt"].narratives == [OTHER]
    result = runner.invoke(
        main, ["evaluate", "narratives", "--data", str(EN), "--model", str(model_dir)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "EN" in result.stdout and "1.0000" in result.stdout
    assert result.stdout.startswith("narratives on ")  # the summary first
    assert ALARMIST not in result.stdout and "--per-label" in result.stdout  # the per-label table on request
    plot = tmp_path / "labels.png"
    args = ["evaluate", "narratives", "--data", str(EN), "--model", str(model_dir), "--per-label", "--plot", str(plot)]
    result = runner.invoke(main, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert ALARMIST in result.stdout  # per-label table
    assert plot.read_bytes().startswith(b"\x89PNG")
    # the second decision from the same model is named, apart from the task's scores
    assert "asserted on analysts' surfaces" in result.stdout


def test_shipped_model_reads_a_climate_denial_article() -> None:
    analysis = analyze(Path(__file__).parent.parent / "examples" / "03_climate_hoax.txt")
    assert analysis.labels("narrative") and all(n.startswith("CC: ") for n in analysis.labels("narrative"))
