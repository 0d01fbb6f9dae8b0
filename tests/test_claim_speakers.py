"""Speakers, or unknown: a claim's source is a name (person, title, organisation, medium, document), never a
conjunction, a pronoun or a clause fragment, in the five languages; claim texts are complete propositions."""

from __future__ import annotations

import pytest

from narrascope.article import Article
from narrascope.claims.speakers import is_proposition, speaker
from narrascope.pipeline import load_pipeline


@pytest.mark.parametrize(
    ("language", "phrase"),
    [
        ("pt", "que"), ("pt", "em que"), ("pt", "No entanto"), ("pt", "Quando eles"), ("pt", "ter"),
        ("pt", "mas há quem tente"), ("bg", "В него се"), ("bg", "в статията"), ("en", "Two NATO"),
        ("en", "Notes Pielke"), ("en", "Bolster Security Work Within SCO The Russian"), ("en", "someone"),
        ("bg", "Справедливият мир ще бъде обща победа"), ("ru", "где"), ("hi", "इसलिए"), ("hi", "ऐसे में"),
    ],
)  # fmt: skip
def test_a_fragment_is_never_a_speaker(language: str, phrase: str) -> None:
    assert speaker(language, phrase) is None


@pytest.mark.parametrize(
    ("language", "phrase", "name"),
    [
        ("ru", "В конце июня Министерство обороны России", "Министерство обороны России"),
        ("ru", "ПА ОБСЕ также", "ПА ОБСЕ"),
        ("ru", "в СБУ", "СБУ"),
        ("pt", "o porta-voz do Kremlin, Dmitry Peskov", "Dmitry Peskov"),
        ("pt", "Irene Santa, do eltiempo.es", "Irene Santa"),
        ("hi", "जेलेंस्की ने 'टेलीग्राम' पर अपने चैनल पर", "जेलेंस्की"),
        ("bg", "Зеленски в речта си на форума", "Зеленски"),
        ("en", "USA Today", "USA Today"),
        ("en", "Sergey Lavrov", "Sergey Lavrov"),
    ],
)
def test_a_speaker_phrase_is_tidied_to_the_name(language: str, phrase: str, name: str) -> None:
    assert speaker(language, phrase) == name


@pytest.mark.parametrize(
    ("language", "text", "complete"),
    [
        ("pt", "funcionam e corrigir as que não funcionam", False),
        ("en", "to fundamentally change", False),
        ("pt", "O ex-presidente da Rússia, Dmitri Medvedev", False),
        ("ru", "Об этом в воскресенье, 7 июля", False),
        ("bg", "ще подпише законопроекта за климата", False),
        ("en", "And that's when we had difficulty with agriculture", True),
        ("pt", "a Rússia não vai negociar sob ameaça", True),
        ("en", "two things need to happen: 1) NATO must ensure that Ukraine wins", True),
    ],
)
def test_claim_texts_are_complete_propositions(language: str, text: str, complete: bool) -> None:
    assert is_proposition(language, text) is complete


def test_the_pipeline_shows_unknown_rather_than_a_fragment() -> None:
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    text = "Quando eles disseram que a guerra vai acabar em breve, ninguém acreditou."
    analysis = pipeline(Article(id="x", raw_text=text, language="pt"))
    assert analysis.claims and all(c.source is None and c.source_span is None for c in analysis.claims)
    russian = "В конце июня Министерство обороны России сообщило, что войска освободили 12 населённых пунктов."
    (claim,) = pipeline(Article(id="y", raw_text=russian, language="ru")).claims
    assert claim.source == "Министерство обороны России"
    assert claim.source_span is not None and claim.source_span.text == "Министерство обороны России"
