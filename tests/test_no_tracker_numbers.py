"""Names say the behaviour: no tracker number ("issue" and a number) in source, tests, docs, benchmarks or the UI.

A reader outside the team learns nothing from a ticket number; a comment, docstring, test name or page says what
the code does instead. Files and test functions are checked by name too.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# built from two halves so that this file's own pattern line is not a hit
TRACKER = re.compile("iss" + r"ue[ _-]?#?\d+", re.IGNORECASE)
SCANNED = ("src", "tests", "docs", "benchmarks")
TEXT = {".py", ".md", ".js", ".html", ".css", ".txt", ".json", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".sql"}


def scanned_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "mkdocs.yml", ROOT / "Makefile"]
    for top in SCANNED:
        files += [
            p for p in (ROOT / top).rglob("*") if p.is_file() and p.suffix in TEXT and "__pycache__" not in p.parts
        ]
    return [p for p in files if p.exists()]


def test_no_tracker_number_in_file_contents() -> None:
    hits = []
    for path in scanned_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if TRACKER.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not hits, "tracker numbers (name the behaviour instead):\n" + "\n".join(hits)


def test_no_tracker_number_in_file_names() -> None:
    names = [str(p.relative_to(ROOT)) for p in scanned_files() if TRACKER.search(p.name)]
    assert not names, f"file names with a tracker number: {names}"


def test_the_check_finds_a_tracker_number() -> None:
    number = "19"
    assert TRACKER.search("# see Issue " + number + " for why")
    assert TRACKER.search("def test_issue" + number + "_server():")
    assert not TRACKER.search("an issue with 3 feeds")
