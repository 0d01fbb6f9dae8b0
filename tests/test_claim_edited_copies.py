"""Edited copies: a sentence kept word for word but for an actor, a figure, a negation or a predicate put in
another's place says something else, however close its meaning vector is; a copy shortened, with another
speaker named at its start, or with a figure written in words says the same thing."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.claims.agreement import disagree, facts_of, numbers_of
from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import PARAMS, is_match, match_score

BUILD = "The ministry said on Monday that the region plans to build 222 schools by 2030."


@pytest.mark.parametrize(
    ("first", "second", "why"),
    [
        (
            "The video shows the Russian pilot eject after his jet was hit by Ukrainian fire over the river.",
            "The video shows the Ukrainian pilot eject after his jet was hit by Russian fire over the river.",
            "actors",
        ),
        (
            "He said 10 prisoners were taken to Russia, 13 to Germany and three to the United States.",
            "He said 13 prisoners were taken to Russia, 10 to Germany and three to the United States.",
            "numbers",
        ),
        (
            "O ministro disse que o exército não vai deixar a cidade antes do inverno.",
            "O ministro disse que o exército vai deixar a cidade antes do inverno.",
            "negation",
        ),
        (BUILD, "The ministry said on Monday that the region plans to close 222 schools by 2030.", "predicate"),
        (
            "Тогда он заявил, что регион планирует возвести и восстановить 222 школы до 2030 года.",
            "Тогда он заявил, что регион планирует закрыть 222 школы до 2030 года.",
            "predicate",
        ),
    ],
)
def test_an_edited_copy_that_changes_what_is_said_is_another_claim(first: str, second: str, why: str) -> None:
    assert disagree(facts_of(first), facts_of(second)) == why


@pytest.mark.parametrize(
    "second",
    [
        "The region plans to build 222 schools by 2030.",  # shortened
        "He said on Monday that the region plans to build 222 schools by 2030.",  # another name for the speaker
        "The ministry said on Monday that the region plans to build two hundred and twenty-two schools by 2030.",
        "The ministry said on Monday that the region planned to build 222 schools by 2030.",  # inflected
    ],
)
def test_a_shortened_or_reworded_copy_is_the_same_claim(second: str) -> None:
    assert disagree(facts_of(BUILD), facts_of(second)) is None


def test_a_figure_glued_to_a_letter_names_a_thing() -> None:
    assert numbers_of("CO2 emissions and the SkyTG24 interview") == frozenset()
    assert numbers_of("an Su-25 and 2°C of warming") == {25.0, 2.0}
    # two claims that share only "CO2" share no figure: no bonus, and no contradiction with "CH4"
    assert disagree(facts_of("CO2 drives warming"), facts_of("CH4 drives warming")) is None


def test_meaning_cannot_overrule_a_swapped_actor_but_may_vouch_for_a_reworded_predicate() -> None:
    russian, ukrainian = (
        facts_of(f"The video shows the {a} pilot eject after his jet was hit by {b} fire over the river.")
        for a, b in (("Russian", "Ukrainian"), ("Ukrainian", "Russian"))
    )
    assert match_score(0.999, 0.9, russian, ukrainian) == -1.0
    build, close = facts_of(BUILD), facts_of(BUILD.replace("build", "close"))
    assert match_score(0.995, 0.9, build, close) >= PARAMS.same_language  # a near-identical meaning vector


def test_a_negation_on_one_side_costs_across_languages() -> None:
    pashinyan = facts_of("Пашинян заявил, что Армения не намерена менять свой внешнеполитический курс.", "ru")
    intends = facts_of("Pashinyan said Armenia intends to change its foreign policy course.", "en")
    assert pashinyan.negated and not intends.negated
    at = PARAMS.cross_language + PARAMS.negation_across / 2
    assert not is_match(at, 0.0, pashinyan, intends, same_language=False)
    assert is_match(
        at, 0.0, facts_of("Pashinyan said Armenia will not change course.", "en"), pashinyan, same_language=False
    )


def _unit(cosine: float) -> np.ndarray:
    return np.array([[1.0, 0.0], [cosine, float(np.sqrt(1 - cosine * cosine))]], dtype=np.float32)


def test_grouping_keeps_an_edited_copy_apart_however_many_words_it_shares() -> None:
    def groups(first: str, second: str, cosine: float) -> int:
        records = [ClaimRecord(first, "a", language="en"), ClaimRecord(second, "b", language="en")]
        return len(group_claims(records, vectors=_unit(cosine)))

    assert groups(BUILD, BUILD.replace("build", "close"), 0.95) == 2  # shared words no longer link a new predicate
    assert groups(BUILD, "The region plans to build 222 schools by 2030.", 0.95) == 1  # a shortened copy
    helped = "Officials said on Monday that Russia will help Ukraine rebuild 222 schools by 2030."
    assert groups(helped, helped.replace("Officials", "Ministers"), 0.95) == 1  # who speaks
    swapped = helped.replace("Russia will help Ukraine", "Ukraine will help Russia")
    assert groups(helped, swapped, 1.0) == 2  # however close the meaning vectors
