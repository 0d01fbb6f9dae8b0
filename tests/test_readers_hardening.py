"""Readers that no input can hang, abort or blow up: non-regular files, symlink loops, unreadable
folders, per-record limits, deep JSON, UTF-16/32, U+2028, SemEval parents, duplicate ids, missing paths."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from narrascope import analyze
from narrascope.datasets.semeval import NarrativeAnnotation, write_narrative_annotations
from narrascope.errors import FormatError, IngestError
from narrascope.ingest.readers import expand_paths, read_paths
from narrascope.ingest.sentences import split_sentences
from narrascope.runner import analyze_many

ARTICLE = "A title\n\nThe minister said the sanctions failed. Critics disagreed.\n"


def _read(paths: list[str], **options: int) -> tuple[dict[str, str], list[str]]:
    results = list(read_paths(paths, **options))  # type: ignore[arg-type]
    errors = {r.origin: r.error or "" for r in results if r.error}
    return errors, [r.article.id for r in results if r.article]


def test_a_fifo_and_a_device_are_refused_without_being_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block forever
    started = time.monotonic()
    errors, _ = _read([str(fifo), "/dev/zero"])
    assert time.monotonic() - started < 2
    assert errors == {
        str(fifo): f"{fifo}: is a FIFO (named pipe), not a regular file; refused",
        "/dev/zero": "/dev/zero: is a character device, not a regular file; refused",
    }


def test_a_fifo_inside_a_folder_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(ARTICLE)
    errors, ids = _read([str(tmp_path)])
    assert ids == ["good.txt"]
    assert errors == {
        str(tmp_path / "pipe.txt"): f"{tmp_path / 'pipe.txt'}: is a FIFO (named pipe), not a regular file; refused"
    }


def test_symlink_loops_are_reported_per_path(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ARTICLE)
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    errors, ids = _read([str(tmp_path), str(tmp_path / "self.txt")])
    assert ids == ["good.txt"]
    assert errors[str(tmp_path / "self.txt")] == f"{tmp_path / 'self.txt'}: symbolic link loop"
    assert errors[str(tmp_path / "sub" / "up")].endswith("symbolic link loop (links back to a parent)")


def test_an_unreadable_folder_is_reported_and_the_walk_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, where chmod 000 does not stop reading: the refusal the OS would give is injected.
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "hidden.txt").write_text(ARTICLE)
    (tmp_path / "b.txt").write_text(ARTICLE)
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> object:
        if Path(path) == tmp_path / "a":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, failures = expand_paths([str(tmp_path)])
    assert files == [str(tmp_path / "b.txt")]
    assert [f.error for f in failures] == [f"{tmp_path / 'a'}: cannot read the folder: permission denied"]


def test_records_over_the_size_limit_are_refused_per_line_without_holding_them(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    big = json.dumps({"id": "big", "text": "word " * 400_000})
    corpus.write_text(
        "\n".join([json.dumps({"id": "a", "text": ARTICLE}), big, json.dumps({"id": "b", "text": ARTICLE})])
    )
    errors, ids = _read([str(corpus)], max_bytes=50_000)
    assert ids == ["a", "b"]
    message = f"{corpus}:2: the record is over the size limit of 50,000 bytes (raise it with --max-bytes)"
    assert errors == {f"{corpus}:2": message}


def test_a_csv_field_over_the_limit_is_a_per_record_error(tmp_path: Path) -> None:
    corpus = tmp_path / "c.csv"
    corpus.write_text(f'id,text\na,"{ARTICLE}"\nbig,"{"x" * 5000}"\nb,"{ARTICLE}"\n')
    errors, ids = _read([str(corpus)], max_bytes=1000)
    assert ids == ["a", "b"]
    (error,) = errors.values()
    assert error.startswith(f"{corpus}:") and "over the size limit of 1,000 bytes" in error


def test_a_bad_csv_row_is_reported_with_its_line_and_reading_goes_on(tmp_path: Path) -> None:
    corpus = tmp_path / "c.csv"
    corpus.write_text(f'id,text\na,"{ARTICLE}"\nbad,\nb,"{ARTICLE}"\nc,"never closed\n')
    errors, ids = _read([str(corpus)])
    assert ids[:2] == ["a", "b"]
    (origin,) = errors
    assert origin.startswith(f"{corpus}:") and errors[origin].endswith(
        "no text in field 'text' (name the text field with --field text=NAME)"
    )


def test_deep_json_and_huge_numbers_are_per_line_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    lines = [
        "[" * 100_000 + "]" * 100_000,
        '{"id": 1' + "0" * 5000 + ', "text": "x"}',
        json.dumps({"id": "ok", "text": ARTICLE}),
    ]
    corpus.write_text("\n".join(lines) + "\n")
    errors, ids = _read([str(corpus)])
    assert ids == ["ok"]
    assert errors[f"{corpus}:1"] == f"{corpus}:1: JSON nested too deeply to read"
    assert errors[f"{corpus}:2"].startswith(f"{corpus}:2: not valid JSON")


def test_jsonl_is_split_on_newlines_only(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "u", "text": "Title\n\nOne\u2028two\u0085three."}, ensure_ascii=False) + "\n")
    (result,) = read_paths([str(corpus)])
    assert result.article is not None and "\u2028two\u0085" in result.article.raw_text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be", "utf-32-le"])
def test_utf16_and_utf32_with_a_bom_are_decoded(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.txt"
    bom = {"utf-16-be": "\ufeff", "utf-32-le": "\ufeff"}.get(encoding, "")
    path.write_bytes((bom + "Título\n\nA notícia é falsa.\n").encode(encoding))
    (result,) = read_paths([str(path)])
    assert result.article is not None and result.article.raw_text.lstrip("\ufeff").startswith("Título\n")


def test_zero_width_only_text_is_empty(tmp_path: Path) -> None:
    (tmp_path / "zw.txt").write_text("\u200b\u200c\ufeff \n\u2060")
    errors, _ = _read([str(tmp_path / "zw.txt")])
    assert list(errors.values()) == [f"{tmp_path / 'zw.txt'}: the file is empty (no text to analyse)"]


def test_the_parent_of_semeval_release_folders_reads_only_their_documents(tmp_path: Path) -> None:
    for language in ("EN", "BG"):
        docs = tmp_path / language / "raw-documents"
        docs.mkdir(parents=True)
        (docs / f"{language}_1.txt").write_text(ARTICLE)
        (tmp_path / language / "subtask-2-annotations.txt").write_text(f"{language}_1.txt\tOther\tOther\n")
    _, ids = _read([str(tmp_path)])
    assert ids == ["BG_1.txt", "EN_1.txt"]


def test_repeated_prediction_ids_are_refused_by_name(tmp_path: Path) -> None:
    rows = [NarrativeAnnotation(f, ["Other"], ["Other"]) for f in ("a.txt", "b.txt", "a.txt")]
    with pytest.raises(FormatError, match=r"1 document id\(s\) appear more than once: a.txt"):
        write_narrative_annotations(tmp_path / "p.txt", rows)
    assert not (tmp_path / "p.txt").exists()


def test_a_missing_file_name_is_an_error_not_text(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="missing.txt: no such file or directory"):
        analyze("missing.txt", components=["cleaning"])
    with pytest.raises(IngestError, match="no such file"):
        analyze(tmp_path / "not-there", components=["cleaning"])
    assert analyze("Just a sentence about sanctions.txt\nand more", components=["cleaning"]).article.raw_text


@pytest.mark.parametrize(
    "text",
    [".\u2026" * 20_000, "." * 40_000, "!?" * 20_000 + " Next", "A b. " * 100_000, "He ran. She hid. " * 70_000],
)
def test_the_sentence_splitter_is_linear(text: str) -> None:
    started = time.perf_counter()
    spans = list(split_sentences(text))
    # linear: the quadratic splitter took 100 s on 40,000 dots; a second per 40k characters is lenient for CI
    assert time.perf_counter() - started < max(1.0, len(text) / 400_000)
    assert all(0 <= s < e <= len(text) for s, e in spans)


def test_an_article_over_the_analysed_length_is_truncated_with_a_warning() -> None:
    text = "Title\n\n" + "The minister said that Putin met Biden in Paris on Monday.\n" * 2_000
    (outcome,) = [o for o in analyze_many([], components=["cleaning"])] or [None]
    del outcome
    analysis = analyze(text, components=["cleaning", "language", "sentences"])
    assert len(analysis.article.clean_text) <= 50_000
    assert any("only the first" in w and "are analysed" in w for w in analysis.warnings)
    assert all(analysis.article.raw_text[s.start : s.end] == s.text for s in analysis.sentences)
