"""`narrascope claims`: output formats, --out, exit codes, and the two seed-like articles."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from narrascope.cli.main import main

FIRST = (
    "US providing training to terrorists, claims Russian intel\n\n"
    "The Russian Foreign Intelligence Service (SVR) has announced that the US military is recruiting members of "
    "Islamic State and Al-Qaeda to carry out terrorist attacks in Russia and other CIS countries, as per a report "
    "from TASS. The service stated that 60 experienced militants were selected in January.\n"
)
SECOND = (
    "West's quest for power\n\n"
    "According to Moscow's Foreign Intelligence Service (SVR), the US has turned to Islamist fanatics. "
    "According to \u201creliable reports,\u201d the US military is actively seeking fighters from the Islamic "
    "State and Al-Qaeda to carry out terrorist strikes in Russia and the CIS countries.\n\n"
    "Source- Euronews\n\nThe agency said that the US plans attacks on <script>Russia</script> & the CIS.\n"
)


def write(tmp_path: Path) -> list[str]:
    (tmp_path / "first.txt").write_text(FIRST, "utf-8")
    (tmp_path / "second.txt").write_text(SECOND, "utf-8")
    return [str(tmp_path / "first.txt"), str(tmp_path / "second.txt")]


def svr_group(groups: list[dict]) -> dict:
    return next(g for g in groups if {m["article_id"] for m in g["members"]} == {"first.txt", "second.txt"})


def test_json_groups_the_svr_claim_of_both_articles(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["claims", *write(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    group = svr_group(document["groups"])
    assert group["sources"] == ["SVR"]
    # a relay is the one the claim's paragraph names ("as per a report from TASS") or the source line closing its
    # passage ("Source- Euronews"); the second article's claim after that source line has none
    assert {m["article_id"]: m["relay"] for m in group["members"]} == {"first.txt": "TASS", "second.txt": "Euronews"}
    after = next(m for g in document["groups"] for m in g["members"] if "plans attacks" in m["text"])
    assert after["relay"] is None
    assert document["errors"] == []


def test_table_is_the_default(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["claims", *write(tmp_path)])
    assert result.exit_code == 0
    assert "claim group(s)" in result.stdout and "SVR" in result.stdout


def test_csv_and_html_out_files(tmp_path: Path, runner: CliRunner) -> None:
    paths = write(tmp_path)
    out_csv, out_html = tmp_path / "claims.csv", tmp_path / "claims.html"
    assert runner.invoke(main, ["claims", *paths, "--format", "csv", "--out", str(out_csv)]).exit_code == 0
    header = out_csv.read_text("utf-8").splitlines()[0]
    assert header.startswith("group,canonical,article_id,outlet,published,source,relay")
    assert runner.invoke(main, ["claims", *paths, "--format", "html", "--out", str(out_html)]).exit_code == 0
    page = out_html.read_text("utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not list(tmp_path.glob(".*.tmp"))


def test_exit_codes(tmp_path: Path, runner: CliRunner) -> None:
    paths = write(tmp_path)
    (tmp_path / "empty.txt").write_text("", "utf-8")
    failed = runner.invoke(main, ["claims", *paths, str(tmp_path / "empty.txt"), "--format", "json"])
    assert failed.exit_code == 1
    assert "empty" in failed.stderr
    assert runner.invoke(main, ["claims", "--format", "xml", *paths]).exit_code == 2
    assert runner.invoke(main, ["claims"]).exit_code == 2
    assert runner.invoke(main, ["claims", "--help"]).exit_code == 0


def test_render_helpers_for_analyze(tmp_path: Path) -> None:
    from narrascope.claims.render import claims_html, claims_table
    from narrascope.runner import analyze

    analysis = analyze(write(tmp_path)[1], components=["cleaning", "language", "sentences", "claims"])
    assert claims_table([analysis]) is not None
    page = claims_html(analysis)
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert claims_table([]) is None


def test_groups_count_distinct_stories_and_rank_by_spread(tmp_path: Path, runner: CliRunner) -> None:
    paths = write(tmp_path)
    (tmp_path / "first-copy.txt").write_text(FIRST.replace("\n\n", "\n \n"), "utf-8")  # a re-post of first.txt
    result = runner.invoke(main, ["claims", *paths, str(tmp_path / "first-copy.txt"), "--format", "json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.stdout)["groups"]
    svr = next(g for g in groups if {m["article_id"] for m in g["members"]} >= {"first.txt", "second.txt"})
    assert {m["article_id"] for m in svr["members"]} == {"first.txt", "first-copy.txt", "second.txt"}
    assert svr["spread"] == {
        "outlets": 0, "stories": 2, "articles": 3, "appearances": len(svr["members"]), "unknown_outlet_stories": 2,
    }  # fmt: skip
    assert groups[0] is svr  # widest spread first
    keys = [(-g["spread"]["outlets"], -g["spread"]["stories"], -g["spread"]["articles"]) for g in groups]
    assert keys == sorted(keys)
    page = runner.invoke(main, ["claims", *paths, str(tmp_path / "first-copy.txt"), "--format", "html"])
    assert "spread: 2 stories of unknown outlet; 2 stories, 3 articles" in page.stdout
