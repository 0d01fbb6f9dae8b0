"""Bad input never gives a traceback, and one bad file never aborts a batch."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope import analyze, analyze_many
from narrascope.cli.main import main
from narrascope.errors import IngestError

from .conftest import ARTICLES

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def _errors(paths: list[str], **options: int) -> dict[str, str | None]:
    return {o.origin: o.error for o in analyze_many(paths, **options) if o.error}  # type: ignore[arg-type]


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n")
    assert _errors([str(tmp_path / "empty.txt")]) == {
        str(tmp_path / "empty.txt"): f"{tmp_path / 'empty.txt'}: the file is empty (no text to analyse)"
    }


def test_binary_file_is_refused_with_its_kind(tmp_path: Path) -> None:
    (tmp_path / "photo.txt").write_bytes(PNG)
    (error,) = _errors([str(tmp_path / "photo.txt")]).values()
    assert error == f"{tmp_path / 'photo.txt'}: binary data (PNG image), expected a text article"


def test_invalid_utf8_is_replaced_with_a_warning_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Título\n\nA notícia é falsa.\n".encode("latin-1"))
    (outcome,) = list(analyze_many([str(path)]))
    assert outcome.analysis is not None
    assert "\ufffd" in outcome.analysis.article.raw_text
    assert outcome.warnings == [f"{path}: invalid UTF-8 at byte 1; undecodable bytes were replaced with U+FFFD"]


def test_file_over_the_size_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "word " * 400)
    (error,) = _errors([str(path)], max_bytes=1000).values()
    assert error == f"{path}: 2,007 bytes is over the size limit of 1,000 bytes (raise it with --max-bytes)"


def test_missing_path_is_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    outcomes = list(analyze_many([str(tmp_path / "nope.txt"), str(ARTICLES / "svr_claim.txt")]))
    assert outcomes[0].error == f"{tmp_path / 'nope.txt'}: no such file or directory"
    assert outcomes[1].analysis is not None


def test_directory_without_articles_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not an article")
    (error,) = _errors([str(tmp_path)]).values()
    assert error == f"{tmp_path}: no articles found (looked for .txt, .html, .htm, .jsonl, .csv)"


def test_library_raises_a_narrascope_error_for_a_single_bad_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(IngestError, match="empty.txt: the file is empty"):
        analyze(tmp_path / "empty.txt")


def test_cli_lists_each_failure_and_exits_1_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "photo.txt").write_bytes(PNG)
    (tmp_path / "empty.txt").write_text("")
    good = ARTICLES / "svr_claim.txt"
    result = CliRunner().invoke(main, ["analyze", str(tmp_path), str(good), "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stdout.count("\n") == 1  # the good article is still analysed
    assert f"narrascope: error: {tmp_path / 'photo.txt'}: binary data (PNG image)" in result.stderr
    assert f"narrascope: error: {tmp_path / 'empty.txt'}: the file is empty" in result.stderr
    assert re.search(r"narrascope: 1 analysed, 2 failed in [\d.]+ s \([\d.]+ (docs/s|s/doc)\)", result.stderr)
    assert "Traceback" not in result.output
