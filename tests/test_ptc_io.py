"""SemEval-2020 Task 11 file formats: reading, writing and one-line errors on malformed lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.datasets.ptc import (
    PtcSpan,
    load_ptc,
    read_articles,
    read_span_file,
    read_technique_file,
    write_span_file,
    write_technique_file,
)
from narrascope.errors import FormatError

PTC = Path(__file__).parent / "data" / "ptc"


def test_load_ptc_folder_offsets_point_at_the_words() -> None:
    articles = load_ptc(PTC)
    assert [a.id for a in articles] == ["900001", "900002", "900003", "900004"]
    first = articles[0]
    texts = {(first.text[s.start : s.end], s.technique) for s in first.spans}
    assert ("insane idea", "Loaded_Language") in texts
    assert ("insane idea", "Name_Calling,Labeling") in texts  # same span, two techniques
    assert ("Stand up for America!", "Repetition") in texts


def test_round_trip_technique_and_span_files(tmp_path: Path) -> None:
    spans = [PtcSpan("1", 0, 5, "Doubt"), PtcSpan("1", 3, 9, "Loaded_Language"), PtcSpan("2", 4, 4, "Slogans")]
    path = tmp_path / "tc.txt"
    write_technique_file(path, spans)
    assert path.read_text() == "1\tDoubt\t0\t5\n1\tLoaded_Language\t3\t9\n2\tSlogans\t4\t4\n"
    assert read_technique_file(path) == spans
    si = tmp_path / "si.txt"
    write_span_file(si, spans)
    assert read_span_file(si) == [PtcSpan(s.article_id, s.start, s.end) for s in spans]


def test_template_reads_question_marks(tmp_path: Path) -> None:
    path = tmp_path / "template.txt"
    path.write_text("1\t?\t0\t5\n\n1\t?\t2\t7\n")
    assert [s.technique for s in read_technique_file(path, template=True)] == ["?", "?"]
    path.write_text("1\t?\t0\t5\n1\tDoubt\t2\t7\n")
    with pytest.raises(FormatError, match=r"template.txt:2: .*'\?'"):
        read_technique_file(path, template=True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1\tDoubt\t0", "expected 4 tab-separated columns"),
        ("1\tDoubt\tzero\t5", "offsets must be integers"),
        ("1\tDoubt\t9\t5", "end 5 is before its start 9"),
        ("1\tNot_A_Technique\t0\t5", "unknown technique 'Not_A_Technique'"),
    ],
)
def test_malformed_technique_lines_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.labels"
    path.write_text("1\tDoubt\t0\t5\n" + line + "\n")
    with pytest.raises(FormatError, match=message) as info:
        read_technique_file(path)
    assert f"{path}:2:" in str(info.value)
    assert "\n" not in str(info.value)


def test_malformed_span_line(tmp_path: Path) -> None:
    path = tmp_path / "si.labels"
    path.write_text("1\t0\t5\n1\tDoubt\t0\t5\n")
    with pytest.raises(FormatError, match=r"si.labels:2: expected 3 tab-separated columns"):
        read_span_file(path)


def test_span_past_the_article_end_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "labels-techniques").mkdir()
    (tmp_path / "articles" / "article7.txt").write_text("short text")
    (tmp_path / "labels-techniques" / "article7.task2-TC.labels").write_text("7\tDoubt\t0\t50\n")
    with pytest.raises(FormatError, match=r"article7.task2-TC.labels:1: span 0-50 ends after the article"):
        load_ptc(tmp_path)


def test_folder_without_articles(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="no article<ID>.txt files"):
        read_articles(tmp_path)
