from __future__ import annotations

import pytest

from narrascope import analyze
from narrascope.ingest.sentences import split_sentences

from .conftest import ARTICLES


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_sentences_split_on_end_marks_followed_by_a_new_sentence() -> None:
    text = "Oil revenues rose by 30% last year! Is Europe paying the price? Many think so."
    assert _sentences(text) == [
        "Oil revenues rose by 30% last year!",
        "Is Europe paying the price?",
        "Many think so.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The agency said Mr. Naryshkin had seen the reports himself.",
        "The U.S. embassy did not respond to the request.",
        "The economy shrank by 4.2 percent in 2022, officials said.",
        "J. Smith wrote the report, e.g. the part about Syria.",
        "Они приехали в 2022 г. в Москву.",
    ],
)
def test_abbreviations_initials_and_numbers_do_not_end_a_sentence(text: str) -> None:
    assert _sentences(text) == [text]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He called it "absurd." The embassy was silent.'
    assert _sentences(text) == ['He called it "absurd."', "The embassy was silent."]


def test_devanagari_danda_ends_a_sentence() -> None:
    assert _sentences("यह पहला वाक्य है। यह दूसरा है।") == ["यह पहला वाक्य है।", "यह दूसरा है।"]


def test_sentences_never_cross_a_line_break() -> None:
    assert _sentences("A headline without a stop\nBody starts here. Ends here.") == [
        "A headline without a stop",
        "Body starts here.",
        "Ends here.",
    ]


def test_every_sentence_is_located_by_raw_offsets_after_cleaning() -> None:
    analysis = analyze(ARTICLES / "svr_claim.txt")
    raw = analysis.article.raw_text
    assert analysis.sentences[0].text == "Moscow says Washington is arming militants near its borders"
    assert len(analysis.sentences) == 6
    for sentence in analysis.sentences:
        assert raw[sentence.start : sentence.end] == sentence.text
    assert all("Read more" not in s.text and "Source-" not in s.text for s in analysis.sentences)
