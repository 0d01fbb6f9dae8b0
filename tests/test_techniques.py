"""Persuasion techniques: the official scorers, the model, the component, rendering and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrascope.analysis import Analysis, TechniqueSpan
from narrascope.article import Article, OffsetMap
from narrascope.cli.main import main
from narrascope.datasets.ptc import PtcArticle, PtcSpan, load_ptc, read_span_file, read_technique_file
from narrascope.errors import ModelError
from narrascope.pipeline import load_pipeline
from narrascope.taxonomy import load_techniques
from narrascope.techniques.component import TechniqueTagger
from narrascope.techniques.evaluate import span_identification_scores, technique_scores
from narrascope.techniques.model import TechniqueModel, TrainConfig, train_technique_model
from narrascope.techniques.render import techniques_html, techniques_table
from narrascope.techniques.scoring import SPAN_FEATURES, SpanScorer, out_of_fold

PTC = Path(__file__).parent / "data" / "ptc"


@pytest.fixture(scope="module")
def model() -> TechniqueModel:
    config = TrainConfig(span_c=100.0, label_c=100.0, tune=False)
    return train_technique_model(load_ptc(PTC), config=config)


@pytest.fixture(scope="module")
def model_dir(model: TechniqueModel, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("techniques-model")
    model.save(path)
    return path


# the official scorers, on hand-made cases ---------------------------------------------------------------------
def test_si_scorer_exact_and_partial_overlap() -> None:
    gold = [PtcSpan("1", 0, 10), PtcSpan("1", 20, 30)]
    assert span_identification_scores(gold, gold).f1 == pytest.approx(1.0)
    # predicted 0-5 covers half of gold 0-10: precision 5/5 = 1, recall (5/10) / 2 gold spans = 0.25
    scores = span_identification_scores(gold, [PtcSpan("1", 0, 5)])
    assert (scores.precision, scores.recall) == (pytest.approx(1.0), pytest.approx(0.25))
    assert scores.f1 == pytest.approx(2 * 0.25 / 1.25)
    # one predicted span over both gold spans: precision 20/30, recall (1 + 1) / 2
    wide = span_identification_scores(gold, [PtcSpan("1", 0, 30)])
    assert (wide.precision, wide.recall) == (pytest.approx(20 / 30), pytest.approx(1.0))


def test_si_scorer_merges_overlaps_and_keeps_articles_apart() -> None:
    gold = [PtcSpan("1", 0, 10, "Doubt"), PtcSpan("1", 5, 10, "Loaded_Language")]  # merged to 0-10
    assert span_identification_scores(gold, [PtcSpan("1", 0, 10)]).f1 == pytest.approx(1.0)
    assert span_identification_scores(gold, [PtcSpan("2", 0, 10)]).f1 == 0.0
    assert span_identification_scores(gold, []).f1 == 0.0


def test_tc_micro_f1_with_a_span_labelled_twice() -> None:
    gold = [PtcSpan("1", 0, 5, "Doubt"), PtcSpan("1", 0, 5, "Slogans"), PtcSpan("1", 7, 9, "Doubt")]
    swapped = [PtcSpan("1", 0, 5, "Slogans"), PtcSpan("1", 0, 5, "Doubt"), PtcSpan("1", 7, 9, "Slogans")]
    micro, per_label = technique_scores(gold, swapped, load_techniques())
    assert micro.f1 == pytest.approx(2 / 3)
    doubt = next(s for s in per_label if s.label == "Doubt")
    assert (doubt.support, doubt.precision, doubt.recall) == (2, 1.0, 0.5)


# the model -------------------------------------------------------------------------------------------------
def test_tiny_training_overfits_spans_and_techniques(model: TechniqueModel) -> None:
    articles = load_ptc(PTC)
    gold = [s for a in articles for s in a.spans]
    found = [PtcSpan(a.id, s, e) for a in articles for s, e, _ in model.predict_spans(a.text)]
    assert span_identification_scores(gold, found).f1 > 0.6
    labelled = []
    for article in articles:
        offsets = [(s.start, s.end) for s in article.spans]
        labels = model.classify(article.text, offsets)
        labelled += [PtcSpan(article.id, s, e, lab) for (s, e), (lab, _) in zip(offsets, labels, strict=True)]
    assert technique_scores(gold, labelled, load_techniques())[0].f1 > 0.8
    # the span given twice gets two different techniques
    twice = [s.technique for s in labelled if (s.article_id, s.start, s.end) == ("900001", 32, 43)]
    assert len(set(twice)) == 2


def test_save_load_identity(model: TechniqueModel, model_dir: Path) -> None:
    loaded = TechniqueModel.load(model_dir)
    text = load_ptc(PTC)[0].text
    assert [(s, e) for s, e, _ in loaded.predict_spans(text)] == [(s, e) for s, e, _ in model.predict_spans(text)]
    assert loaded.labels == model.labels
    assert loaded.decode_config == model.decode_config
    assert [lab for lab, _ in loaded.classify(text, [(32, 43), (50, 72)])] == [
        lab for lab, _ in model.classify(text, [(32, 43), (50, 72)])
    ]
    assert np.allclose(
        [p for _, p in loaded.classify(text, [(32, 43)])], [p for _, p in model.classify(text, [(32, 43)])], atol=0.05
    )


def test_load_rejects_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a techniques model folder"):
        TechniqueModel.load(tmp_path)


def test_empty_text_gives_no_spans(model: TechniqueModel) -> None:
    assert model.predict("") == []
    assert model.classify("", []) == []


# the component ---------------------------------------------------------------------------------------------
def test_component_spans_are_raw_offsets_after_cleaning(model: TechniqueModel) -> None:
    body = load_ptc(PTC)[0].text
    raw = "Subscribe to our newsletter\n" + body
    article = Article(raw_text=raw, id="x", text=body, offsets=OffsetMap.from_slices([(28, len(raw))]))
    analysis = TechniqueTagger(technique_model=model)(Analysis(article))
    assert analysis.techniques
    for span in analysis.techniques:
        assert raw[span.start : span.end] == span.text
        assert span.technique in load_techniques()
    assert any(span.text == "insane idea" for span in analysis.techniques)


def test_component_in_a_pipeline_and_pipe_equals_call(model: TechniqueModel) -> None:
    pipeline = load_pipeline(["cleaning", "sentences", "techniques"], technique_model=model)
    texts = [a.text for a in load_ptc(PTC)]
    one = [pipeline(Article(raw_text=t, id=str(i))).techniques for i, t in enumerate(texts)]
    many = [a.techniques for a in pipeline.pipe([Article(raw_text=t, id=str(i)) for i, t in enumerate(texts)])]
    assert one == many
    for text, spans in zip(texts, one, strict=True):
        assert all(text[s.start : s.end] == s.text for s in spans)


def test_shipped_model_loads_and_runs() -> None:
    tagger = TechniqueTagger()
    analysis = tagger(Analysis(Article(raw_text="They are brain-dead traitors who destroy our great nation!")))
    assert all(s.technique in load_techniques() for s in analysis.techniques)


# rendering -------------------------------------------------------------------------------------------------
def _overlapping() -> Analysis:
    raw = "A <b>sinister</b> plot & lies."
    analysis = Analysis(Article(raw_text=raw, id="a1"))
    analysis.techniques = [
        TechniqueSpan(0, 30, raw, "Doubt", 0.5),
        TechniqueSpan(2, 17, raw[2:17], "Loaded_Language", 0.9),
    ]
    return analysis


def test_html_splits_overlapping_spans_and_escapes_text() -> None:
    page = techniques_html(_overlapping())
    assert "<b>" not in page
    assert "&lt;b&gt;sinister&lt;/b&gt;" in page
    assert "&amp; lies." in page
    assert page.count("<mark") == 3  # "A ", the overlap, " plot & lies."
    assert 'title="Doubt, Loaded_Language"' in page
    assert "Loaded_Language</span> 1" in page and "Doubt</span> 1" in page


def test_table_counts_per_article() -> None:
    table = techniques_table([_overlapping(), Analysis(Article(raw_text="plain", id="a2"))])
    assert table is not None
    assert table.row_count == 1
    assert techniques_table([Analysis(Article(raw_text="plain"))]) is None


# the CLI ---------------------------------------------------------------------------------------------------
def test_cli_train_evaluate_predict(model_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "model"
    result = runner.invoke(main, ["train", "techniques", "--data", str(PTC), "--out", str(out), "--no-tune"])
    assert result.exit_code == 0, result.output
    assert (out / "model.json").exists()

    result = runner.invoke(
        main, ["evaluate", "techniques", "--data", str(PTC), "--model", str(model_dir), "--per-label"]
    )
    assert result.exit_code == 0, result.output
    assert "span identification" in result.output and "Loaded_Language" in result.output

    si = tmp_path / "si.txt"
    result = runner.invoke(main, ["predict", "techniques", str(PTC), "--out", str(si), "--model", str(model_dir)])
    assert result.exit_code == 0, result.output
    assert read_span_file(si)

    template = tmp_path / "template.txt"
    template.write_text("900001\t?\t32\t43\n900002\t?\t0\t42\n")
    tc = tmp_path / "tc.txt"
    args = ["predict", "techniques", str(PTC), "--out", str(tc), "--spans", str(template), "--model", str(model_dir)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    lines = read_technique_file(tc)
    assert [(s.article_id, s.start, s.end) for s in lines] == [("900001", 32, 43), ("900002", 0, 42)]
    assert all(s.technique in load_techniques() for s in lines)


def test_cli_malformed_template_exits_2(model_dir: Path, tmp_path: Path) -> None:
    template = tmp_path / "template.txt"
    template.write_text("900001\t?\t32\n")
    args = ["predict", "techniques", str(PTC), "--out", str(tmp_path / "o.txt"), "--spans", str(template)]
    result = CliRunner().invoke(main, [*args, "--model", str(model_dir)])
    assert result.exit_code == 2
    assert "template.txt:1: expected 4 tab-separated columns" in result.output
    assert not (tmp_path / "o.txt").exists()


# span scoring (shown spans at SI precision 0.40) ---------------------------------------------------------------
def _rows(**values: float) -> np.ndarray:
    row = np.zeros(len(SPAN_FEATURES))
    for name, value in values.items():
        row[SPAN_FEATURES.index(name)] = value
    return row


def test_span_scorer_ranks_a_phrase_above_a_lone_word_with_a_higher_token_probability() -> None:
    # in training, lone words were wrong however probable their tokens, phrases in loaded sentences were right
    rng = np.random.default_rng(0)
    rows, credits = [], []
    for _ in range(200):
        p = rng.uniform(0.2, 0.6)
        rows.append(_rows(mean_p=p, one_word=1.0, words=1, sentence_p=rng.uniform(0.0, 0.3)))
        credits.append(0.0)
        rows.append(_rows(mean_p=p - 0.1, one_word=0.0, words=3, sentence_p=rng.uniform(0.5, 1.0)))
        credits.append(1.0)
    scorer = SpanScorer.fit(np.array(rows), np.array(credits), c=1.0)
    lone, phrase = scorer.score(
        np.array([_rows(mean_p=0.6, one_word=1.0, words=1, sentence_p=0.1),
                  _rows(mean_p=0.35, one_word=0.0, words=3, sentence_p=0.8)])
    )  # fmt: skip
    assert phrase > 0.5 > lone


def test_span_scorer_without_a_contrast_ranks_by_mean_token_probability() -> None:
    scorer = SpanScorer.fit(np.array([_rows(mean_p=0.3), _rows(mean_p=0.5)]), np.array([1.0, 1.0]), c=1.0)
    low, high = scorer.score(np.array([_rows(mean_p=0.2), _rows(mean_p=0.4)]))
    assert high > low


def test_out_of_fold_never_predicts_an_item_with_a_model_that_saw_it() -> None:
    seen: dict[int, list[int]] = {}

    def fit_and_predict(train: list[int], held: list[int]) -> list[np.ndarray]:
        for item in held:
            seen[item] = train
        return [np.array([float(item)]) for item in held]

    predictions = out_of_fold(list(range(9)), 3, 0, fit_and_predict)
    assert [float(p[0]) for p in predictions] == [float(i) for i in range(9)]
    assert all(item not in seen[item] and len(seen[item]) == 6 for item in range(9))
    seen.clear()
    out_of_fold([0, 1, 2], 3, 0, fit_and_predict)  # too few for three folds of two: in-sample
    assert seen == {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1, 2]}


def _loaded_corpus() -> list[PtcArticle]:
    loaded = ["The corrupt traitors will destroy our nation.", "These evil thugs want to burn everything down."]
    neutral = ["The council met on Tuesday to discuss the budget.", "Rain is expected in the north on Friday."]
    articles = []
    for i in range(12):
        text, spans = "", []
        for j, sentence in enumerate([neutral[i % 2], loaded[i % 2], neutral[(i + 1) % 2]]):
            if j == 1:
                phrase = "corrupt traitors" if i % 2 == 0 else "evil thugs"
                start = len(text) + sentence.index(phrase)
                technique = "Name_Calling,Labeling" if i % 2 == 0 else "Loaded_Language"
                spans.append(PtcSpan(str(i), start, start + len(phrase), technique))
            text += sentence + "\n"
        articles.append(PtcArticle(str(i), text, spans))
    return articles


def test_stacked_training_scores_a_loaded_phrase_above_neutral_words(tmp_path: Path) -> None:
    # twelve articles: the sentence model, token model and span scorer are trained out of fold, the threshold tuned
    model = train_technique_model(_loaded_corpus(), config=TrainConfig(tune=True))
    text = "The budget was discussed on Tuesday.\nThe corrupt traitors will destroy our nation."
    found = {text[s:e]: score for s, e, score in model.predict_spans(text)}
    assert "corrupt traitors" in " ".join(found)
    loaded = max(score for span, score in found.items() if "traitors" in span)
    assert all(score < loaded for span, score in found.items() if "traitors" not in span)
    model.save(tmp_path)
    again = TechniqueModel.load(tmp_path).predict_spans(text)
    assert [(s, e) for s, e, _ in again] == [(s, e) for s, e, _ in model.predict_spans(text)]
    assert np.allclose([p for *_, p in again], [p for *_, p in model.predict_spans(text)], atol=0.02)


def test_load_rejects_a_span_scorer_of_another_version(model_dir: Path, tmp_path: Path) -> None:
    for name in ("model.json", "terms.json", "weights.npz"):
        (tmp_path / name).write_bytes((model_dir / name).read_bytes())
    meta = json.loads((tmp_path / "model.json").read_text("utf-8"))
    meta["span_features"] = meta["span_features"][:-1]
    (tmp_path / "model.json").write_text(json.dumps(meta), "utf-8")
    with pytest.raises(ModelError, match="span scorer was stored by another version"):
        TechniqueModel.load(tmp_path)
    meta["span_features"] = list(SPAN_FEATURES)
    (tmp_path / "model.json").write_text(json.dumps(meta), "utf-8")
    with np.load(model_dir / "weights.npz") as stored:
        arrays = {k: stored[k] for k in stored.files if k != "scorer_weights"}
    np.savez_compressed(tmp_path / "weights.npz", **arrays)
    with pytest.raises(ModelError, match="corrupt techniques model"):
        TechniqueModel.load(tmp_path)
