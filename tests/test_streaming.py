"""Corpus-grade output: streaming writers, atomic --out that keeps modes, Ctrl-C keeps what is
complete, CSV cells safe in spreadsheets, input-derived text printed as plain visible text."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.errors import visible
from narrascope.fileio import AtomicOutput, csv_cell, remove_stale_temps
from narrascope.formats.writers import to_json
from narrascope.runner import Outcome, analyze_many

from .conftest import ARTICLES

SVR = str(ARTICLES / "svr_claim.txt")
FAST = "cleaning,language,sentences"


def _corpus(path: Path, n: int, text: str = "Sanctions hurt Europe. Officials said so on Monday.") -> Path:
    with path.open("w") as handle:
        for i in range(n):
            handle.write(json.dumps({"id": f"doc-{i}", "title": f"T{i}", "text": f"Title {i}\n\n{text}"}) + "\n")
    return path


def test_streamed_json_is_byte_identical_to_one_dump_with_errors_last(tmp_path: Path) -> None:
    outcomes = list(analyze_many([SVR, str(tmp_path / "missing.txt"), SVR], components=FAST.split(",")))
    text = to_json(outcomes)
    whole = json.loads(text)
    expected = {
        "schema_version": whole["schema_version"],
        "narrascope_version": whole["narrascope_version"],
        "documents": [o.analysis.to_dict() for o in outcomes if o.analysis],
        "errors": [{"origin": o.origin, "message": o.error} for o in outcomes if o.error],
    }
    assert text == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    assert len(whole["documents"]) == 2 and whole["errors"][0]["origin"].endswith("missing.txt")
    empty = json.dumps({**expected, "documents": [], "errors": []}, ensure_ascii=False, indent=2) + "\n"
    assert to_json([]) == empty


def test_out_keeps_the_mode_of_the_file_it_replaces_and_the_umask_default(tmp_path: Path) -> None:
    kept = tmp_path / "kept.jsonl"
    kept.write_text("old\n")
    kept.chmod(0o644)
    fresh = tmp_path / "fresh.jsonl"
    old_umask = os.umask(0o027)
    try:
        for out in (kept, fresh):
            result = CliRunner().invoke(
                main, ["analyze", SVR, "--components", FAST, "--format", "jsonl", "--out", str(out)]
            )
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o644
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o640
    assert json.loads(kept.read_text())["id"] == "svr_claim.txt"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_temp_file_of_a_dead_process_is_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.json.narrascope-{int(dead.stdout)}.tmp"
    stale.write_text("half")
    mine = tmp_path / f".out.json.narrascope-{os.getpid()}.tmp"
    other = tmp_path / ".other.json.narrascope-1.tmp"
    other.write_text("not ours")
    assert remove_stale_temps(target) == [stale]
    with AtomicOutput(target) as out:
        assert out.tmp == mine and mine.exists()
        out.handle.write("new")  # type: ignore[arg-type]
        out.commit()
    assert target.read_text() == "new" and not mine.exists() and other.exists()


def test_ctrl_c_keeps_the_complete_documents_as_partial_and_exits_130(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", 20_000)
    out = tmp_path / "out.json"
    out.write_text("previous")
    command = [sys.executable, "-m", "narrascope.cli.main", "analyze", str(corpus), "--components", FAST]
    process = subprocess.Popen(
        [*command, "--format", "json", "--out", str(out), "--jobs", "1"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        temps = list(tmp_path.glob(".out.json.narrascope-*.tmp"))
        if temps and temps[0].stat().st_size > 20_000:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert out.read_text() == "previous"
    partial = json.loads((tmp_path / "out.json.partial").read_text())
    kept = len(partial["documents"])
    assert 0 < kept < 20_000
    assert f"interrupted: kept {kept} complete document(s) in {tmp_path / 'out.json.partial'}" in stderr
    assert "Traceback" not in stderr
    assert list(tmp_path.glob(".*.tmp")) == []


def test_csv_cells_are_neutralised_and_rows_keep_their_field_count(tmp_path: Path) -> None:
    assert [csv_cell(v) for v in ("=1+1", "+1", "-2", "@SUM", "\tx", "\rx", "ok")] == [
        "'=1+1", "'+1", "'-2", "'@SUM", "'\tx", "'\\nx", "ok",
    ]  # fmt: skip
    corpus = tmp_path / "c.jsonl"
    rows = [{"id": "a\rb", "title": "-bad", "text": "T\n\nSome text here."}, {"id": "ok", "text": "T\n\nMore."}]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(main, ["analyze", str(corpus), "--components", FAST, "--format", "csv"])
    assert result.exit_code == 0, result.output
    parsed = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert len({len(r) for r in parsed}) == 1 and len(parsed) == 3
    assert parsed[1][0] == "a\\nb" and parsed[1][1] == "'-bad"
    assert len(result.stdout.splitlines()) == 3  # no cell holds a raw newline


def test_input_derived_text_is_printed_plain_and_visible_one_line_per_failure(tmp_path: Path) -> None:
    assert visible("a\x1b[31mb\nc") == "a\\x1b[31mb\\nc"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "x[").mkdir()
    (folder / "x[" / "b] bad\x1b[2J.txt").write_text("")  # the path holds the markup "[/b]"
    (folder / "two\nlines [i].txt").write_text("")
    result = CliRunner().invoke(main, ["analyze", str(folder), SVR, "--components", FAST, "--format", "jsonl"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "\x1b" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("narrascope: error:")]
    assert len(errors) == 2
    assert any("x[/b] bad\\x1b[2J.txt: the file is empty" in e for e in errors)
    assert any("two\\nlines [i].txt: the file is empty" in e for e in errors)
    assert json.loads(result.stdout)["id"] == "svr_claim.txt"


@pytest.mark.parametrize("jobs", ["2"])
def test_jobs_gives_the_same_output_in_the_same_order(tmp_path: Path, jobs: str) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 30)
    args = ["analyze", str(corpus), str(tmp_path / "missing.txt"), "--components", FAST, "--format", "json"]
    one = CliRunner().invoke(main, [*args, "--jobs", "1"])
    many = CliRunner().invoke(main, [*args, "--jobs", jobs])
    assert one.exit_code == many.exit_code == 1
    assert one.stdout == many.stdout
    assert [d["id"] for d in json.loads(one.stdout)["documents"]] == [f"doc-{i}" for i in range(30)]


def test_outcome_is_still_importable_from_the_package() -> None:
    import narrascope

    assert narrascope.Outcome is Outcome


def test_sigterm_keeps_a_partial_jsonl_and_exits_143(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", 20_000)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "narrascope.cli.main", "analyze", str(corpus), "--components", FAST]
    process = subprocess.Popen(
        [*command, "--format", "jsonl", "--out", str(out), "--jobs", "2"], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.stat().st_size > 20_000 for p in tmp_path.glob(".out.jsonl.*.tmp")):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    lines = (tmp_path / "out.jsonl.partial").read_text().split("\n")
    assert lines[-1] == "" and [json.loads(line)["id"] for line in lines[:-1]] == [
        f"doc-{i}" for i in range(len(lines) - 1)
    ]
    assert f"kept {len(lines) - 1} complete document(s)" in stderr
    assert not out.exists() and list(tmp_path.glob(".*")) == []


def test_html_refuses_a_batch_over_its_size_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from narrascope.formats import html

    monkeypatch.setattr(html, "HTML_MAX_DOCUMENTS", 3)
    corpus = _corpus(tmp_path / "c.jsonl", 5)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["analyze", str(corpus), "--components", FAST, "--format", "html", "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 2
    assert "holds at most 3 documents" in result.stderr and "--format jsonl" in result.stderr
    assert not out.exists() and list(tmp_path.glob(".*")) == []


def test_a_closed_stdout_stops_the_run_quietly(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c.jsonl", 3_000)
    command = [sys.executable, "-m", "narrascope.cli.main", "analyze", str(corpus), "--components", FAST]
    process = subprocess.Popen(
        [*command, "--format", "jsonl", "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(100)
    process.stdout.close()  # like `| head -c 100`
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Error" not in stderr and "Traceback" not in stderr
