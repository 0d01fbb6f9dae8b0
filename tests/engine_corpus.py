"""A small mixed corpus for the engine tests, built from the hand-written fixtures: JSONL (with a bad line and a
blank one), CSV (quoted fields with line breaks, a BOM), a folder of .txt files (one with invalid UTF-8)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from narrascope.pipeline import Pipeline
from narrascope.runner import analyze_many

DATA = Path(__file__).parent / "data"
FAST = ("cleaning", "language", "sentences", "narratives")


def fixture_texts() -> list[str]:
    files = sorted((DATA / "cleaning").glob("*.txt")) + sorted((DATA / "articles").rglob("*.txt"))
    return [p.read_text("utf-8") for p in files]


def build_corpus(root: Path, *, copies: int = 1) -> list[str]:
    """Write the corpus under `root`; return its paths, relative to `root` (run from there)."""
    texts = fixture_texts() * copies
    with (root / "feed.jsonl").open("w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": f"feed-{i}", "text": text, "source": "fixture", "n": i}) + "\n")
            if i == 3:
                handle.write("{not json\n\n")
    with (root / "sheet.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "title"])
        for i, text in enumerate(texts[:12]):
            writer.writerow([f"row-{i}", text, f'a "quoted"\ntitle {i}'])
    folder = root / "folder"
    folder.mkdir()
    for i, text in enumerate(texts[:5]):
        (folder / f"doc-{i:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "doc-99.txt").write_bytes(b"Broken bytes \xff\xfe here\n\nThe body says Kyiv and Moscow.\n")
    return ["feed.jsonl", "sheet.csv", "folder"]


def local_lines(paths: list[str], pipeline: Pipeline) -> list[str]:
    """The local engine's JSON lines for `paths` (what `analyze --format jsonl` writes)."""
    return [
        json.dumps(o.analysis.to_dict(), ensure_ascii=False) + "\n"
        for o in analyze_many(paths, pipeline=pipeline)
        if o.analysis is not None
    ]


def part_lines(out_dir: Path) -> list[str]:
    lines: list[str] = []
    for part in sorted(out_dir.glob("part-*.jsonl")):
        lines += part.read_text("utf-8").splitlines(keepends=True)
    return lines
