"""What counts as evidence that two claims of different articles are one claim, beyond a close embedding.

Multilingual e5 scores unrelated claims about one topic 0.91-0.93; what the two wordings share must then vouch
for them. A term both put in quotation marks, a shared date, or two different named bodies or figures (spelt out
or not) do not. The embeddings are made here with a chosen cosine, so the tests read the rules, not the encoder.
"""

from __future__ import annotations

import numpy as np

from narrascope.claims.agreement import disagree, facts_of, numbers_of, without_dates
from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import match_score, quotes, without_set_phrases

CANONICAL = "the “special military operation” aims to demilitarise the neighbouring country"


def vectors_at(n: int, cosine: float) -> np.ndarray:
    """`n` unit vectors whose pairwise cosines are all `cosine`."""
    shared = np.zeros(n + 1)
    shared[0] = 1.0
    rows = [np.sqrt(cosine) * shared + np.sqrt(1 - cosine) * np.eye(n + 1)[i + 1] for i in range(n)]
    return np.asarray(rows, dtype=np.float32)


def grouped(texts: list[str], cosine: float) -> bool:
    records = [ClaimRecord(text, f"article-{i}", language="en") for i, text in enumerate(texts)]
    return len(group_claims(records, vectors=vectors_at(len(texts), cosine))) == 1


def test_two_claims_sharing_only_a_quoted_set_phrase_are_not_one_claim() -> None:
    other = "these outlets systematically spread false news about a “special military operation”"
    assert not grouped([CANONICAL, other], 0.92)


def test_a_paraphrase_that_quotes_the_same_term_is_still_one_claim() -> None:
    paraphrase = "Moscow’s “special military operation” should demilitarise its neighbouring country"
    assert grouped([CANONICAL, paraphrase], 0.92)


def test_a_term_quoted_on_one_side_only_is_still_shared_wording() -> None:
    # "desmilitarizar e desnazificar" quoted by one article and written plainly by another is the claim itself
    quoted = 'Moscovo pretendia "desmilitarizar e desnazificar" a Ucrânia'
    plain = "a Rússia quer desmilitarizar e desnazificar a Ucrânia"
    assert quotes(quoted) and not quotes(plain)
    assert grouped([quoted, plain], 0.92)


def test_set_phrases_are_short_quoted_spans_in_any_script() -> None:
    assert without_set_phrases("он назвал это «специальной военной операцией» снова").split() == [
        "он",
        "назвал",
        "это",
        "снова",
    ]
    assert without_set_phrases("рус „специална военна операция“ продължава").split() == ["рус", "продължава"]
    assert without_set_phrases("a ‘operação especial’ da Rússia").split() == ["a", "da", "Rússia"]
    long_quote = "they said “we will never accept any of these terms at all”"
    assert without_set_phrases(long_quote) == long_quote
    assert without_set_phrases("Russia's army and the Kremlin's plan") == "Russia's army and the Kremlin's plan"
    assert not quotes("Russia's army and the Kremlin's plan")


def test_a_shared_date_does_not_vouch_for_two_claims_in_one_language() -> None:
    began = "the war began on 24 February 2022 with an attempt to take Kyiv"
    compare = "everyone can compare the invasion of 24 February 2022 with what happens in Gaza"
    assert not grouped([began, compare], 0.89)
    # a shared count still does ("60 militants" / "60 terrorists")
    a, b = facts_of("the US recruited 60 militants", "en"), facts_of("60 terrorists were selected by the US", "en")
    assert match_score(0.89, 0.1, a, b) >= 0.91
    # and across languages a shared date is what the two wordings visibly share
    pt = facts_of("na noite de 3 de julho, a defesa aérea russa abateu dez drones", "pt")
    ru = facts_of("в ночь на 3 июля российские системы ПВО сбили десять беспилотников", "ru")
    assert match_score(0.87, 0.0, pt, ru, same_language=False) >= 0.9


def test_a_date_is_not_shared_wording() -> None:
    assert not grouped(
        [
            "the talks collapsed on 24 February 2022 in Istanbul",
            "grain prices doubled by 24 February 2022 across Europe",
        ],
        0.92,
    )
    assert without_dates("a ofensiva lançada a 24 de fevereiro de 2022 pela Rússia").split() == [
        "a",
        "ofensiva",
        "lançada",
        "a",
        "pela",
        "Rússia",
    ]
    assert without_dates("в ночь на 3 июля российские").split() == ["в", "ночь", "на", "российские"]
    assert without_dates("On February 24, 2022, Russia").split() == ["On", ",", "Russia"]
    assert without_dates("he may go in May") == "he may go in May"  # a month name with no day or year is left alone


def test_a_figure_spelt_out_before_a_scale_word_is_a_figure() -> None:
    assert numbers_of("a ofensiva já matou mais de quatro mil civis") == {4000.0}
    assert numbers_of("пять тысяч человек") == {5000.0}
    assert numbers_of("दो लाख लोग") == {200000.0}
    assert numbers_of("the West must accept two facts") == frozenset()
    refugees = facts_of("a ofensiva causou já a fuga de mais de 13 milhões de pessoas", "pt")
    killed = facts_of("a ofensiva militar russa já matou mais de quatro mil civis", "pt")
    assert disagree(refugees, killed) == "numbers"


def test_brics_is_an_actor_of_its_own() -> None:
    turkey = facts_of("Русия оценява усилията на Турция да помогне за разрешаването на украинската криза", "bg")
    brics = facts_of("Русия оценява желанието на партньорите от БРИКС да помогнат за разрешаването на кризата", "bg")
    assert disagree(turkey, brics) == "actors"


def test_one_topic_with_nothing_said_twice_is_not_one_claim_whatever_the_meaning_score() -> None:
    a = facts_of('Rússia "nunca atacou ninguém', "pt")
    b = facts_of("Não permitiremos que ninguém nos ameace", "pt")
    assert match_score(0.93, 0.17, a, b) < 0  # one shared word ("ninguém"): the same topic, not the same claim
    c = facts_of("A Rússia nunca atacou ninguém, afirmou Peskov", "pt")
    assert match_score(0.93, 0.3, a, c) > 0.91  # "Rússia", "atacou", "ninguém" said twice
    assert match_score(0.96, 0.17, a, b) > 0.91  # e5 near certain: left to the meaning
    d = facts_of("NATO reinforced the Baltic, and the United States ordered 8,500 troops on alert", "en")
    e = facts_of("Washington placed 8,500 soldiers on standby for Europe", "en")
    assert match_score(0.875, 0.24, d, e) > 0.91  # the same figure is said twice


def test_a_model_number_is_compared_but_is_no_shared_figure() -> None:
    hi = facts_of("अगर यह सच है, तो यह यूक्रेन के लिए F-16 फाइटिंग फाल्कन का दूसरा नुकसान होगा", "hi")
    bg = facts_of("По този начин излитането на Ф-16 е подложено на риск", "bg")
    assert hi.models == bg.models == frozenset({16.0})
    assert match_score(0.879, 0.0, hi, bg, same_language=False) < 0.9  # without it, 0.879 + 0.04 would join them
    f35 = facts_of("Ukraine received F-35 jets", "en")
    assert disagree(facts_of("Ukraine received F-16 jets", "en"), f35) is not None  # F-16 is not F-35 all the same
