from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.cleaning import load_fixture

from narrascope.errors import FormatError
from narrascope.ingest.cleaning import clean, load_rules
from narrascope.ingest.dates import parse_date

from .conftest import ARTICLES, DATA

SEED_LIKE_BOILERPLATE = [
    "sb.scorecardresearch",
    "Published 09:41 IST, March 2nd 2023",
    "Reported by: Anil Mehta",
    "Follow: Google News Icon",
    "  • share",
    "world",
    "Image: Reuters | Image: self",
    'Read more: Kremlin warns of "instability belt"',
    "Source- Euronews",
    "Updated 10:05 IST, March 2nd 2023",
]


def test_scraping_boilerplate_lines_are_removed_and_content_kept() -> None:
    raw = (ARTICLES / "svr_claim.txt").read_text("utf-8")
    result = clean(raw)
    removed = [r.text for r in result.removed]
    assert removed == SEED_LIKE_BOILERPLATE
    for line in SEED_LIKE_BOILERPLATE:
        assert line.strip() not in result.text
    assert "Western officials dismissed the claim" in result.text
    assert result.text.startswith("Moscow says Washington is arming militants near its borders\n\n")


def test_headline_skips_leading_tracker_and_stamp_lines() -> None:
    raw = (ARTICLES / "svr_claim.txt").read_text("utf-8")
    assert clean(raw).title == "Moscow says Washington is arming militants near its borders"


def test_citation_lines_become_cited_sources() -> None:
    raw = "Title\n\nBody text here.\n\nSource- Euronews\n\nMore text.\n\n(Source: TASS)\nSource – USA Today\n"
    result = clean(raw)
    assert result.cited_sources == ["Euronews", "TASS", "USA Today"]
    assert "Source" not in result.text


def test_sentences_that_merely_start_like_boilerplate_are_kept() -> None:
    raw = (
        "Title\n\n"
        "Source of the leak remains unknown, officials say.\n"
        "Read more about the sanctions in the report, he said, because the numbers tell a different story.\n"
        "Published reports in 2022 showed the opposite.\n"
    )
    assert clean(raw).removed == []


def test_byline_and_publication_stamp_are_kept_as_metadata() -> None:
    raw = (ARTICLES / "svr_claim.txt").read_text("utf-8")
    result = clean(raw)
    assert result.byline == "Anil Mehta"
    assert result.published_stamp == "09:41 IST, March 2nd 2023"
    assert parse_date(result.published_stamp) == "2023-03-02"


def test_removed_lines_carry_raw_offsets() -> None:
    raw = (ARTICLES / "svr_claim.txt").read_text("utf-8")
    for removed in clean(raw).removed:
        assert raw[removed.start : removed.end] == removed.text


def test_clean_text_is_made_of_verbatim_raw_slices() -> None:
    raw = "Advertisement\r\nTitle\r\n\r\nAdvertisement\r\n\r\n\r\nBody one.\r\nShare this article\r\nBody two.\r\n"
    result = clean(raw)
    assert result.text == "Title\r\n\r\nBody one.\r\nBody two.\r\n"
    for i, ch in enumerate(result.text):
        assert raw[result.offsets.to_raw(i)] == ch


def test_user_rules_extend_the_shipped_rules(tmp_path: Path) -> None:
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps({"rules": [{"name": "promo", "pattern": "^Buy our merch.*$"}]}))
    raw = "Title\n\nBuy our merch today\nReal sentence.\nAdvertisement\n"
    result = clean(raw, rules=load_rules(rules_file))
    assert [r.rule for r in result.removed] == ["promo", "advertisement"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a valid JSON rules file"),
        ('{"rules": [{"name": "x", "pattern": "("}]}', "rule 1 (x): invalid regular expression"),
        ('{"rules": [{"name": "x", "pattern": "a", "action": "zap"}]}', "action must be one of"),
        ('{"rules": [{"name": "x", "pattern": "a", "action": "cite"}]}', "needs a named group"),
        ('{"patterns": []}', "expected a JSON object with a 'rules' list"),
    ],
)
def test_bad_rules_file_gives_a_one_line_error_naming_it(tmp_path: Path, content: str, message: str) -> None:
    rules_file = tmp_path / "bad-rules.json"
    rules_file.write_text(content)
    with pytest.raises(FormatError, match="bad-rules.json") as info:
        load_rules(rules_file)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_cleaning_fixture_set_meets_the_precision_and_recall_bar() -> None:
    """Regression guard for cleaning: line-level precision and recall of removal >= 0.95 on the fixtures."""
    tp = fp = fn = 0
    fixtures = sorted((DATA / "cleaning").glob("*.txt"))
    assert len(fixtures) >= 20
    for path in fixtures:
        fixture = load_fixture(path)
        result = clean(fixture.raw_text)
        line_starts = [0] + [i + 1 for i, ch in enumerate(fixture.raw_text) if ch == "\n"]
        removed = {sum(1 for s in line_starts if s <= r.start) - 1 for r in result.removed}
        tp += len(removed & fixture.boilerplate_lines)
        fp += len(removed - fixture.boilerplate_lines)
        fn += len(fixture.boilerplate_lines - removed)
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.95


@pytest.mark.parametrize(
    ("stamp", "iso"),
    [
        ("15:09 IST, February 13th 2023", "2023-02-13"),
        ("13 February 2023, 10:00", "2023-02-13"),
        ("Feb 13, 2023", "2023-02-13"),
        ("2023-02-13T10:00:00Z", "2023-02-13"),
        ("13.02.2023 10:00", "2023-02-13"),
        ("yesterday", None),
        ("February 30th 2023", None),
    ],
)
def test_publication_stamps_parse_to_iso_dates(stamp: str, iso: str | None) -> None:
    assert parse_date(stamp) == iso
