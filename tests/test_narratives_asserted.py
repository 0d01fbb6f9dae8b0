"""Asserted or withheld narratives: a per-language rule on calibrated scores, one `asserted` flag that the
JSON, the table, the store's counts and the review queue all read; the task's picks kept for SemEval."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from rich.console import Console

from narrascope.analysis import Analysis, NarrativeHit, Sentence
from narrascope.article import Article
from narrascope.formats.table import article_block, in_words
from narrascope.narratives.assertion import AssertionRule, Pick, pick_features, picks_of
from narrascope.narratives.component import NarrativeClassifier
from narrascope.narratives.evaluate import semeval_labels
from narrascope.narratives.model import NarrativeModel
from narrascope.store.db import Store
from narrascope.store.queries import ArticleFilter, narrative_stats
from narrascope.store.review import review_queue
from narrascope.taxonomy import OTHER

WEST = "URW: Discrediting the West, Diplomacy"
WEST_SUB = "URW: Discrediting the West, Diplomacy: The West does not care about Ukraine, only about its interests"
PRAISE = "URW: Praise of Russia"


def _picks(language: str, right_from: float, n: int = 200) -> list[Pick]:
    """Picks of one language whose probability is spread evenly; right exactly from `right_from` up."""
    levels = ("narrative", "subnarrative")
    return [Pick(language, level, _features(i / n), i / n >= right_from) for level in levels for i in range(n)]


def _features(probability: float) -> tuple[float, ...]:
    return (probability, probability - 0.5, 0.0, 0.0, 1.0, 1.0, 1.0)


def _judge(
    rule: AssertionRule, language: str, narrative: tuple[str, float], sub: tuple[str, float]
) -> dict[str, tuple[float, bool]]:
    features = {label: _features(p) for label, p in (narrative, sub) if label != OTHER}
    return rule.judge(language, [narrative], [sub], features)


def test_each_language_gets_its_own_threshold_for_the_precision_target() -> None:
    # English picks are right from 0.3, Portuguese ones only from 0.8: the same model score means less in PT
    rule = AssertionRule.fit(_picks("en", 0.3) + _picks("pt", 0.8))
    judged_en = _judge(rule, "en", (WEST, 0.6), (WEST_SUB, 0.6))
    judged_pt = _judge(rule, "pt", (WEST, 0.6), (WEST_SUB, 0.6))
    assert judged_en[WEST][1] and judged_en[WEST_SUB][1]
    assert not judged_pt[WEST][1] and judged_pt[WEST][0] < judged_en[WEST][0]  # calibrated per language
    # a language the rule has not seen takes the pooled curve; a round trip through JSON changes nothing
    assert rule.threshold("de", "narrative") == rule.threshold("*", "narrative")
    assert AssertionRule.from_dict(rule.to_dict()) == rule
    assert any("pt" in line for line in rule.describe())


def test_other_is_never_asserted_and_a_subnarrative_only_with_its_narrative() -> None:
    rule = AssertionRule.fit(_picks("en", 0.5))
    judged = _judge(rule, "en", (OTHER, 0.99), (OTHER, 0.99))
    assert judged[OTHER] == (judged[OTHER][0], False)
    judged = _judge(rule, "en", (WEST, 0.05), (WEST_SUB, 0.95))
    assert not judged[WEST][1] and not judged[WEST_SUB][1]


def test_picks_leave_other_out_and_know_right_from_wrong() -> None:
    first = pick_features([(WEST, 0.9)], [(WEST_SUB, 0.8)], {WEST: 0.3, WEST_SUB: 0.2}, 1.5)
    second = pick_features([(OTHER, 0.7)], [(OTHER, 0.7)], {}, 0.4)
    assert second == {} and first[WEST] == (0.9, 0.3, 0.0, 0.0, 1.5, 1.0, 1.0)
    picks = picks_of(["EN", "PT"], [first, second], [([WEST], [WEST_SUB]), ([PRAISE], [OTHER])])
    assert [(p.language, p.level, p.right) for p in picks] == [("en", "narrative", True), ("en", "subnarrative", True)]


def _analysis(article_id: str, hits: list[NarrativeHit], language: str = "pt") -> Analysis:
    text = "Title\n\n" + "A long enough article about the war and the West and Russia. " * 10
    analysis = Analysis(Article(raw_text=text, id=article_id, language=language))
    analysis.narratives = hits
    analysis.components = ["narratives"]
    return analysis


def _render(analysis: Analysis) -> str:
    console = Console(width=80, record=True, color_system=None)
    console.print(article_block(analysis))
    return console.export_text()


def test_table_shows_asserted_narratives_in_words_and_says_when_none_is_earned() -> None:
    shown = _analysis("a", [NarrativeHit(WEST, "narrative", 0.82, (), True, 0.7),
                            NarrativeHit(PRAISE, "narrative", 0.31, (), False, 0.55)])  # fmt: skip
    text = _render(shown)
    assert "likely 0.82" in text and "Discrediting the West" in text and "Praise of Russia" not in text
    assert "withheld (below the score threshold): 1 narratives" in text
    nothing = _render(_analysis("b", [NarrativeHit(PRAISE, "narrative", 0.31, (), False)]))
    assert "no narrative asserted" in nothing and "Praise" not in nothing
    assert in_words(0.95) == "very likely 0.95" and in_words(0.2) == "unlikely 0.20"
    # the SemEval columns keep every pick of the task's decoding, asserted or not
    assert semeval_labels(_analysis("c", [NarrativeHit(PRAISE, "narrative", 0.3, (), False),
                                          NarrativeHit(PRAISE + ": Other", "subnarrative", 0.3, (), False)])) == (
        [PRAISE], [PRAISE + ": Other"])  # fmt: skip


def test_store_counts_asserted_narratives_only_and_the_review_queue_offers_withheld_ones_first(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / "s.db")
    store.put_batch([
        _analysis("sure", [NarrativeHit(WEST, "narrative", 0.9, (), True)]),
        _analysis("doubt", [NarrativeHit(PRAISE, "narrative", 0.4, (), False)]),
        _analysis("other", [NarrativeHit(OTHER, "narrative", 0.8, (), False)]),
    ])  # fmt: skip
    stats = narrative_stats(store, "source", ArticleFilter())
    assert {r["label"]: r["articles"] for r in stats["totals"]} == {WEST: 1}
    assert stats["articles_without"] == 2
    everything = narrative_stats(store, "source", ArticleFilter(include_withheld=True))
    assert {r["label"] for r in everything["totals"]} == {WEST, PRAISE, OTHER}
    assert everything["articles_without"] == 1  # `Other` is never a narrative
    queue = review_queue(store, ArticleFilter(), limit=10, offset=0)["items"]
    assert queue[0]["id"] == "doubt" and queue[0]["candidates"] == [{"label": PRAISE, "score": 0.4}]
    assert queue[0]["narratives"] == [] and next(i for i in queue if i["id"] == "sure")["narratives"] == [WEST]
    store.close()


class _SentenceScores(NarrativeModel):
    """A narrative model whose sentence scores are given: `table[sentence words][label]`."""

    def __init__(self, table: dict[str, dict[str, float]]) -> None:
        self.table = table

    def can_score(self, label: str) -> bool:
        return label != OTHER

    def sentence_scores(self, sentences: Sequence[str], labels: Sequence[str]) -> np.ndarray:
        return np.array([[self.table[s.split()[0]].get(label, 0.0) for label in labels] for s in sentences])


def test_a_sentence_is_evidence_of_one_narrative_and_a_question_only_when_nothing_else_qualifies() -> None:
    text = (
        "Shared how is the West and Russia going to achieve that in the end?\n"
        "Western diplomats ignore what the people of Ukraine want from them.\n"
        "Russia sends bread and medicine to the families of the region.\n"
    )
    sentences = [Sentence(a, a + len(line), line) for a, line in _lines(text)]
    model = _SentenceScores({
        "Shared": {WEST: 0.9, PRAISE: 0.8, WEST_SUB: 0.9},
        "Western": {WEST: 0.5, PRAISE: 0.1, WEST_SUB: 0.6},
        "Russia": {WEST: 0.2, PRAISE: 0.7},
    })  # fmt: skip
    evidence = NarrativeClassifier(narrative_model=model).lexical_evidence(
        Analysis(Article(raw_text=text, id="e"), sentences), [WEST, PRAISE, WEST_SUB]
    )
    first = {label: found[0].text.split()[0] for label, found in evidence.items()}
    # the question scores highest for both, but a statement carries each: it is first evidence of neither;
    # "Shared..." belongs to WEST (its best narrative), so PRAISE never shows it
    assert first == {WEST: "Western", WEST_SUB: "Western", PRAISE: "Russia"}
    assert all(e.text.split()[0] != "Shared" for e in evidence[PRAISE])


def _lines(text: str) -> list[tuple[int, str]]:
    found, start = [], 0
    for line in text.splitlines(keepends=True):
        found.append((start, line.rstrip("\n")))
        start += len(line)
    return found
