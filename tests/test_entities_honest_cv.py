"""The honest cross-validation protocol: a fold's calibration and thresholds come from the other folds only, so
what a fold's documents show never depends on their own labels (the old protocol's thresholds did)."""

from __future__ import annotations

import random

import numpy as np

from narrascope.entities.endtoend import DetectedDocument, loss_names, recall_losses
from narrascope.entities.evaluate import EntityExample
from narrascope.entities.framing import ArticleEntities
from narrascope.entities.model import MentionItem
from narrascope.entities.training import FoldPredictions, _calibrate, honest_shown

ROLES = ("Protagonist", "Antagonist", "Innocent")


def _data(flip_fold: int | None) -> FoldPredictions:
    rng = random.Random(3)
    examples, example_fold, predicted, mass = [], [], [], []
    documents, document_fold, gate_raw, decoded = [], [], [], []
    for j in range(150):
        fold = j % 5
        text = "Russia and NATO and Kyiv said things."
        mentions = [(0, 6, "GPE"), (11, 15, "ORG"), (20, 24, "GPE")]
        roles = [rng.choice(ROLES) for _ in mentions]
        scores = [rng.random() for _ in mentions]
        right = [rng.random() < 0.3 + 0.6 * s for s in scores]  # higher scores are right more often
        if flip_fold == fold:
            right = [not r for r in right]
        gold = [(s, e, role if ok else "Innocent" if role != "Innocent" else "Antagonist", text[s:e])
                for (s, e, _), role, ok in zip(mentions, roles, right, strict=True)]  # fmt: skip
        article = ArticleEntities(text, mentions, [[0], [1], [2]], ["Russia", "NATO", "Ukraine"], [0], (), True, "en")
        documents.append(DetectedDocument(f"EN/{j}.txt", "en", article, gold, [True, bool(right[1]), True]))
        document_fold.append(fold)
        gate_raw.append(np.asarray(scores))
        decoded.append([(role, score) for role, score in zip(roles, scores, strict=True)])
        for (s, e, _), role, score, ok in zip(mentions, roles, scores, right, strict=True):
            gold_role = role if ok else next(r for r in ROLES if r != role)
            examples.append(EntityExample(f"{j}.txt", MentionItem(text, s, e, "en"), gold_role, ()))
            example_fold.append(fold)
            predicted.append((role, ()))
            mass.append(score)
    return FoldPredictions(
        examples, example_fold, documents, document_fold, predicted, np.asarray(mass), gate_raw, decoded, 5
    )


def test_what_a_fold_shows_never_depends_on_its_own_labels() -> None:
    plain, flipped = _data(None), _data(0)
    shown_plain = honest_shown(plain)
    shown_flipped = honest_shown(flipped)
    fold0 = [j for j, f in enumerate(plain.document_fold) if f == 0]
    assert [shown_plain[j] for j in fold0] == [shown_flipped[j] for j in fold0]
    assert any(r != "uncertain" for j in fold0 for r in shown_plain[j])  # some roles shown: the check can fail
    # the old protocol fits its thresholds on all the predictions, fold 0's labels included: they move
    old_plain, old_flipped = _calibrate(plain), _calibrate(flipped)
    assert (old_plain.pair_thresholds, old_plain.gate_threshold) != (
        old_flipped.pair_thresholds,
        old_flipped.gate_threshold,
    )


def test_each_gold_pair_ends_found_withheld_role_wrong_or_not_detected() -> None:
    text = "Russia and NATO and Kyiv and Biden said things."
    mentions = [(0, 6, "GPE"), (11, 15, "ORG"), (20, 24, "GPE")]
    article = ArticleEntities(text, mentions, [[0], [1], [2]], ["Russia", "NATO", "Ukraine"], [0], (), True, "en")
    gold = [(0, 6, "Protagonist", "russia"), (11, 15, "Antagonist", "nato"), (20, 24, "Innocent", "kyiv"),
            (29, 34, "Antagonist", "biden")]  # fmt: skip
    doc = DetectedDocument("EN/1.txt", "en", article, gold, [True, True, True])
    decoded = [["Protagonist", "Antagonist", "Antagonist"]]
    shown = [["Protagonist", "uncertain", "Antagonist"]]
    assert recall_losses([doc], decoded, shown) == {"found": 1, "withheld": 1, "role wrong": 1, "not detected": 1}
    names = loss_names([doc], decoded, shown)
    assert names["withheld"] == {"NATO": 1}
    assert names["role wrong"] == {"Ukraine: Innocent -> Antagonist": 1}
    assert names["not detected"] == {"biden": 1}
    assert names["wrong shown"] == {"Ukraine Antagonist (framed as another role)": 1}  # the only wrong shown pair


def test_a_language_whose_pairs_reach_the_target_only_at_its_very_top_gets_the_pooled_threshold() -> None:
    from narrascope.entities.training import MIN_LANGUAGE_SUPPORT, language_thresholds

    rng = np.random.default_rng(0)
    # "xx": 400 pairs, right 70 % of the time above 0.4; "en": 400 pairs, only its top 8 right (0.50 down to
    # its 16th pair)
    p_xx, p_en = rng.uniform(0, 1, 400), np.sort(rng.uniform(0, 1, 400))[::-1]
    right_xx = (p_xx > 0.4) & (rng.uniform(0, 1, 400) < 0.7)
    right_en = np.arange(400) < 8
    pair_p = np.r_[p_xx, p_en]
    right = np.r_[right_xx, right_en].astype(float)
    languages = np.array(["xx"] * 400 + ["en"] * 400)
    assert MIN_LANGUAGE_SUPPORT * 400 > 16  # fewer top pairs than a language's threshold must show
    thresholds = language_thresholds(pair_p, right, languages, pooled=0.55)
    assert thresholds["en"] == 0.55  # its 16 top pairs alone are too few: the pooled threshold
    # its own: 70 % right above 0.4, none below, so its pairs are right half the time down to about 0.16
    assert 0.1 < thresholds["xx"] < 0.25
