"""Line-level precision/recall of boilerplate removal on the marked fixtures in tests/data/cleaning.

Each fixture is an article as scraped, with every boilerplate line prefixed `[B] ` and every citation line
prefixed `[C] ` and suffixed ` ||| SourceName` (see tests/data/cleaning/README.md). The script strips the
markers to rebuild the raw text, runs `narrascope.ingest.cleaning.clean` on it and compares the non-blank
raw lines it removed with the marked ones ([B] and [C] both count as "should be removed"), and the cited
sources it reported with the `|||` names.

    python benchmarks/cleaning.py [--fixtures DIR] [--rules FILE]

Exit status: 0 whatever the scores; 2 if a fixture is malformed.
"""

from __future__ import annotations

import argparse
import bisect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FIXTURES = REPO / "tests" / "data" / "cleaning"

BOILERPLATE = "[B] "
CITATION = "[C] "
SOURCE_SEP = " ||| "


class FixtureError(ValueError):
    """A fixture file does not follow the format."""


@dataclass(frozen=True)
class Fixture:
    raw_text: str
    boilerplate_lines: set[int]  # 0-based indices into raw_text.split("\n"); [B] and [C] lines both
    cited_sources: list[str]  # the `|||` names of the [C] lines, in order
    title: str  # the first non-blank, unmarked line


def load_fixture(path: str | Path) -> Fixture:
    """Parse a marked fixture into the raw text and what the cleaner should remove and report."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    raw_lines: list[str] = []
    marked: set[int] = set()
    sources: list[str] = []
    title: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        where = f"{path}:{number}"
        if line.startswith(CITATION):
            body, sep, name = line[len(CITATION) :].rpartition(SOURCE_SEP)
            if not sep or not name.strip() or not body.strip():
                raise FixtureError(f"{where}: a [C] line needs text and ' ||| SourceName' at its end")
            sources.append(name.strip())
            marked.add(len(raw_lines))
            raw_lines.append(body)
        elif line.startswith(BOILERPLATE):
            body = line[len(BOILERPLATE) :]
            if not body.strip():
                raise FixtureError(f"{where}: a [B] marker on a blank line (blank lines carry no marker)")
            marked.add(len(raw_lines))
            raw_lines.append(body)
        else:
            if line.startswith(("[B]", "[C]")):
                raise FixtureError(f"{where}: a marker must be followed by one space")
            if SOURCE_SEP in line:
                raise FixtureError(f"{where}: ' ||| ' outside a [C] line")
            if title is None and line.strip():
                title = line.strip()
            raw_lines.append(line)
    if title is None:
        raise FixtureError(f"{path}: no unmarked non-blank line, so no headline")
    return Fixture("\n".join(raw_lines), marked, sources, title)


def removed_line_indices(raw_text: str, removed: list[Any]) -> set[int]:
    """The raw line indices touched by the cleaner's `RemovedLine(start, end, ...)` entries."""
    starts = [0]
    for index, char in enumerate(raw_text):
        if char == "\n":
            starts.append(index + 1)
    lines: set[int] = set()
    for item in removed:
        first = bisect.bisect_right(starts, item.start) - 1
        last = bisect.bisect_right(starts, max(item.start, item.end - 1)) - 1
        lines.update(range(first, last + 1))
    return lines


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def scores(self) -> tuple[float, float, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def import_cleaner() -> tuple[Any, Any]:
    try:
        from narrascope.ingest.cleaning import clean, load_rules
    except ModuleNotFoundError:  # run from a checkout without the package installed
        sys.path.insert(0, str(REPO / "src"))
        from narrascope.ingest.cleaning import clean, load_rules
    return clean, load_rules


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="folder of marked .txt fixtures")
    parser.add_argument("--rules", default=None, help="extra rules file, merged with the default rules")
    args = parser.parse_args(argv)

    paths = sorted(args.fixtures.glob("*.txt"))
    if not paths:
        print(f"no fixtures (*.txt) in {args.fixtures}", file=sys.stderr)
        return 2
    try:
        fixtures = [(path, load_fixture(path)) for path in paths]
    except FixtureError as error:
        print(f"malformed fixture: {error}", file=sys.stderr)
        return 2

    clean, load_rules = import_cleaner()
    rules = load_rules(args.rules)
    lines_tally, sources_tally = Tally(), Tally()
    titles_right = 0
    for path, fixture in fixtures:
        result = clean(fixture.raw_text, rules=rules)
        raw_lines = fixture.raw_text.split("\n")
        nonblank = {i for i, line in enumerate(raw_lines) if line.strip()}
        removed = removed_line_indices(fixture.raw_text, result.removed) & nonblank
        expected = fixture.boilerplate_lines & nonblank
        false_pos, false_neg = sorted(removed - expected), sorted(expected - removed)
        lines_tally.add(len(removed & expected), len(false_pos), len(false_neg))

        want = {name.casefold() for name in fixture.cited_sources}
        got = {name.strip().casefold() for name in result.cited_sources}
        sources_tally.add(len(want & got), len(got - want), len(want - got))
        title_ok = (result.title or "").strip() == fixture.title
        titles_right += title_ok

        if false_pos or false_neg or want != got or not title_ok:
            print(f"{path.name}: {len(false_pos)} false positive(s), {len(false_neg)} false negative(s)")
            for i in false_pos:
                print(f"  FP {i + 1:3}: {raw_lines[i]!r}")
            for i in false_neg:
                print(f"  FN {i + 1:3}: {raw_lines[i]!r}")
            if want != got:
                print(f"  sources: expected {sorted(want)}, got {sorted(got)}")
            if not title_ok:
                print(f"  title: expected {fixture.title!r}, got {result.title!r}")

    t, s = lines_tally, sources_tally
    precision, recall, f1 = t.scores()
    s_precision, s_recall, _ = s.scores()
    print(f"\n{len(fixtures)} fixtures, {t.tp + t.fn} marked lines")
    print(f"removal:  precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}", end="")
    print(f"  (tp {t.tp}, fp {t.fp}, fn {t.fn})")
    print(f"sources:  precision {s_precision:.3f}  recall {s_recall:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})")
    print(f"titles:   {titles_right}/{len(fixtures)} correct")
    return 0


if __name__ == "__main__":
    sys.exit(main())
