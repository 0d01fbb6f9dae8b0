from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from narrascope import __version__
from narrascope.cli.main import main

from .conftest import ARTICLES

ROOT = Path(__file__).parent.parent
SVR = str(ARTICLES / "svr_claim.txt")


def _commands() -> list[str]:
    return sorted(main.commands)  # type: ignore[attr-defined]


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"narrascope, version {__version__}"


@pytest.mark.parametrize(
    "command",
    [
        "analyze",
        "schema",
        "components",
        "claims",
        "train narratives",
        "evaluate narratives",
        "predict narratives",
        "train entities",
        "evaluate entities",
        "predict entities",
        "train techniques",
        "evaluate techniques",
        "predict techniques",
        "watch",
        "alerts",
    ],
)
def test_every_command_has_help_and_is_documented(runner: CliRunner, command: str) -> None:
    assert command.split()[0] in _commands()
    result = runner.invoke(main, [*command.split(), "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout
    docs = "\n".join(path.read_text() for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    assert f"narrascope {command}" in docs


def test_readme_documents_all_commands() -> None:
    assert _commands() == [
        "alerts",
        "analyze",
        "claims",
        "components",
        "evaluate",
        "export",
        "ingest",
        "predict",
        "schema",
        "serve",
        "train",
        "watch",
    ]


def test_default_output_is_a_table(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", SVR], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "svr_claim.txt" in result.stdout and "Euronews" in result.stdout


def test_json_output_validates_against_the_printed_schema(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = runner.invoke(main, ["analyze", str(ARTICLES), "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    schema = json.loads(runner.invoke(main, ["schema"]).stdout)
    jsonschema.validate(document, schema)
    assert [d["id"] for d in document["documents"]] == ["plain.txt", "ru.txt", "svr_claim.txt"]
    svr = document["documents"][2]
    assert svr["cited_sources"] == ["Euronews"] and svr["language"] == "en"
    assert all(svr["raw_text"][s["start"] : s["end"]] == s["text"] for s in svr["sentences"])


def test_jsonl_writes_one_analysis_per_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", str(ARTICLES), "--format", "jsonl"])
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and json.loads(lines[1])["language"] == "ru"


def test_csv_has_one_row_per_article_and_defuses_formulas(runner: CliRunner, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text('=HYPERLINK("http://evil.example")\n\nBody text.\n')
    result = runner.invoke(main, ["analyze", SVR, str(hostile), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == ["svr_claim.txt", "hostile.txt"]
    assert rows[0]["cited_sources"] == "Euronews" and rows[0]["published"] == "2023-03-02"
    assert rows[1]["title"].startswith("'=HYPERLINK")


def test_html_report_escapes_hostile_article_text(runner: CliRunner, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("<script>alert(1)</script> headline\n\nBody <img src=x onerror=alert(2)> text.\n")
    result = runner.invoke(main, ["analyze", str(hostile), SVR, "--format", "html"])
    assert result.exit_code == 0
    assert "<script>" not in result.stdout and "<img" not in result.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    assert re.search(r'class="boilerplate"[^>]*>sb\.scorecardresearch<', result.stdout)


def test_out_is_written_atomically_and_a_failed_run_keeps_the_old_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous report")
    result = runner.invoke(main, ["analyze", SVR, "--components", "sentences", "--out", str(out)])
    assert result.exit_code == 2
    assert out.read_text() == "previous report"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    result = runner.invoke(main, ["analyze", SVR, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0 and json.loads(out.read_text())["documents"][0]["id"] == "svr_claim.txt"


def test_bad_pipeline_is_a_usage_error_in_one_line(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", SVR, "--components", "sentences,cleaning"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("narrascope: error: component 'sentences' (position 1) requires")
    assert len(result.stderr.strip().splitlines()) == 1


def test_unknown_option_value_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(main, ["analyze", SVR, "--format", "pdf"]).exit_code == 2
    assert runner.invoke(main, ["analyze", SVR, "--field", "body"]).exit_code == 2


def test_stdin_is_read_with_a_dash(runner: CliRunner) -> None:
    result = runner.invoke(main, ["analyze", "-", "--format", "jsonl"], input="Headline\n\nSource: TASS\nBody.\n")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["title"] == "Headline" and data["cited_sources"] == ["TASS"]


def test_components_command_lists_requirements(runner: CliRunner) -> None:
    result = runner.invoke(main, ["components"])
    assert "sentences: requires article.text, article.offsets; assigns sentences" in result.stdout
