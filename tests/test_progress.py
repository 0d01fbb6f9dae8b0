"""Long commands report progress in a log (a line at least every 10 s: done/total, rate, ETA), and the claims
table wraps at word boundaries."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from narrascope.claims.grouping import ClaimGroup, ClaimRecord
from narrascope.claims.render import groups_text
from narrascope.cli.progress import Tracker, progress

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"^narrascope: ingesting: (\d+)/4 docs \(\d+ %\)")


def test_ingest_into_a_log_prints_progress_lines_with_done_total_rate_and_eta(tmp_path: Path) -> None:
    """stderr to a file (as under cron or CI): progress lines at the interval, the last one 4/4."""
    log = tmp_path / "log"
    env = os.environ | {"NARRASCOPE_PROGRESS_EVERY": "0.5", "COLUMNS": "120"}
    command = [str(Path(sys.executable).with_name("narrascope")), "ingest", str(ROOT / "examples"), "--db",
               str(tmp_path / "c.db"), "--jobs", "1"]  # fmt: skip
    with log.open("w") as err:
        result = subprocess.run(command, stderr=err, stdout=subprocess.DEVNULL, env=env, timeout=300)
    assert result.returncode == 0, log.read_text()
    lines = [line for line in log.read_text().splitlines() if LINE.match(line)]
    assert len(lines) >= 2, log.read_text()
    assert LINE.match(lines[-1]).group(1) == "4"  # type: ignore[union-attr]
    assert any("ETA" in line for line in lines) or any("/s" in line or "s per doc" in line for line in lines)
    assert log.read_text().rstrip().endswith("4 article(s) in " + str(tmp_path / "c.db"))


def test_a_line_comes_every_interval_even_while_one_step_takes_longer(capsys: object) -> None:
    with progress("training", unit="steps", every=0.2) as tracker:
        tracker.advance()
        time.sleep(0.9)  # one long step: the lines keep coming
    lines = capsys.readouterr().err.splitlines()  # type: ignore[attr-defined]
    assert len(lines) >= 3 and all(line.startswith("narrascope: training: 1 steps") for line in lines)


def test_the_line_has_done_total_share_rate_and_eta() -> None:
    tracker = Tracker("ingesting", "docs", 400, console=None)  # type: ignore[arg-type]
    tracker.started -= 10
    tracker.update(100)
    line = tracker.line()
    assert line == "100/400 docs (25 %), 10.0 docs/s, ETA 30s, 10s elapsed", line
    assert Tracker("loading", "docs", None, console=None).line() == "0s elapsed"  # type: ignore[arg-type]


def test_the_claims_table_wraps_at_word_boundaries() -> None:
    words = "the foreign intelligence service announced that sixty experienced militants were selected " * 3
    member = ClaimRecord(text=words, article_id="a1", outlet="Outlet", published="2023-02-13", source="SVR")
    text = groups_text([ClaimGroup(canonical=words, members=(member,), earliest=member)], width=60)
    lines = text.splitlines()
    assert all(len(line) <= 60 for line in lines), text
    assert set(words.split()) <= set(text.split())  # every word whole: none cut in two at a line's end
    assert len(lines) <= 12


def test_watch_reports_while_a_round_runs_and_is_quiet_between_rounds(capsys: object) -> None:
    from narrascope.cli.sources import RoundProgress
    from narrascope.sources.round import RoundSummary

    with progress("fetching", unit="pages", every=0.1) as tracker:
        on_event = RoundProgress(tracker)
        on_event(RoundSummary(sources=2, items=5, fetched=3))
        time.sleep(0.6)
        on_event.done()
        during = capsys.readouterr().err.splitlines()  # type: ignore[attr-defined]
        time.sleep(0.35)  # waiting for the next round: no lines
        between = capsys.readouterr().err.splitlines()  # type: ignore[attr-defined]
        on_event(RoundSummary(sources=2, items=1, fetched=1))
        time.sleep(0.25)
    after = capsys.readouterr().err.splitlines()  # type: ignore[attr-defined]
    assert during and all(
        line.startswith("narrascope: fetching: 2 source(s), 5 item(s), 0 failed: 3 pages") for line in during
    )
    assert between == []
    assert after and after[0].startswith("narrascope: fetching: 2 source(s), 1 item(s), 0 failed: 1 pages")
