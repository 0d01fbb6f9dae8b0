from __future__ import annotations

import pytest

from narrascope import Article
from narrascope.article import OffsetMap, Span, content_id


def test_offset_map_maps_clean_offsets_back_to_raw_slices() -> None:
    raw = "HEADER\nkeep one\nDROP\nkeep two\n"
    slices = [(7, 16), (21, 30)]
    offsets = OffsetMap.from_slices(slices)
    clean = "".join(raw[a:b] for a, b in slices)
    assert clean == "keep one\nkeep two\n"
    for i, ch in enumerate(clean):
        assert raw[offsets.to_raw(i)] == ch
    assert offsets.span_to_raw(9, 17) == Span(21, 29)
    assert raw[21:29] == "keep two"


def test_span_ending_at_a_removed_block_does_not_swallow_it() -> None:
    offsets = OffsetMap.from_slices([(0, 5), (10, 15)])
    assert offsets.span_to_raw(0, 5) == Span(0, 5)  # not (0, 10)


def test_contiguous_slices_merge_into_one_block() -> None:
    assert OffsetMap.from_slices([(0, 3), (3, 8), (10, 12)]).blocks == ((0, 0, 8), (8, 10, 2))


def test_offset_map_rejects_offsets_outside_the_clean_text() -> None:
    with pytest.raises(IndexError):
        OffsetMap.identity(4).to_raw(5)


def test_offset_map_survives_its_list_form() -> None:
    offsets = OffsetMap.from_slices([(2, 9), (12, 20)])
    assert OffsetMap.from_list(offsets.to_list()) == offsets


def test_article_id_is_a_stable_content_hash_unless_given() -> None:
    assert (
        Article(raw_text="Title\n\nBody.").id == content_id("Title\n\nBody.") == Article(raw_text="Title\n\nBody.").id
    )
    assert len(Article(raw_text="x").id) == 16
    assert Article(raw_text="x", id="EN_UA_1.txt").id == "EN_UA_1.txt"


def test_new_article_starts_with_clean_text_equal_to_raw() -> None:
    article = Article(raw_text="Title\n\nBody.")
    assert article.clean_text == article.raw_text
    assert article.raw_span(7, 12) == Span(7, 12)


def test_span_rejects_inverted_ranges() -> None:
    with pytest.raises(ValueError):
        Span(5, 2)
