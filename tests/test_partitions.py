"""Partitions read back exactly what the local readers read: same documents, origins, line numbers, warnings."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from narrascope.engine.manifest import open_output
from narrascope.engine.partitions import Partition, plan, read_partition
from narrascope.errors import IngestError, NarrascopeError
from narrascope.ingest.readers import ReadResult, read_paths
from tests.engine_corpus import build_corpus


def _view(result: ReadResult) -> tuple[Any, ...]:
    article = vars(result.article) if result.article is not None else None
    return result.origin, result.error, result.warnings, article


@pytest.mark.parametrize("part_size", [1, 2, 5, 1000])
def test_partitions_read_the_same_documents_as_the_local_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_size: int
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = build_corpus(tmp_path)
    parts, failures = plan(paths, part_size=part_size)
    assert failures == []
    assert [p.number for p in parts] == list(range(len(parts)))
    split = [_view(r) for part in parts for r in read_partition(part)]
    whole = [_view(r) for r in read_paths(paths)]
    assert split == whole
    origins = [v[0] for v in split]
    assert "feed.jsonl:5" in origins  # the bad JSON line, numbered in the whole file
    assert any("invalid UTF-8" in w for v in split for w in v[2])
    if part_size == 1:  # every CSV record alone: the quoted line breaks were never cut
        csv_parts = [p for p in parts if p.kind == "csv"]
        assert len(csv_parts) == 12
        assert all(json.loads(json.dumps(p.to_dict())) == p.to_dict() for p in csv_parts)


def test_byte_cap_cuts_a_jsonl_file_at_line_ends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [json.dumps({"id": str(i), "text": f"Title {i}\n\nBody {i} " + "x" * (i * 37)}) + "\n" for i in range(40)]
    Path("c.jsonl").write_text("".join(lines), encoding="utf-8")
    parts, _ = plan(["c.jsonl"], part_size=1000, max_part_bytes=500)
    assert len(parts) > 5
    assert parts[0].start == 0 and parts[-1].end == Path("c.jsonl").stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    data = Path("c.jsonl").read_bytes()
    assert all(data[p.end - 1 : p.end] == b"\n" for p in parts)
    ids = [r.article.id for p in parts for r in read_partition(p) if r.article]
    assert ids == [str(i) for i in range(40)]


def test_binary_and_empty_corpus_files_fail_as_in_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("img.csv").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    Path("empty.jsonl").write_bytes(b"  \n")
    parts, failures = plan(["img.csv", "empty.jsonl", "missing.jsonl"], part_size=10)
    assert parts == []
    local = [r.error for r in read_paths(["img.csv", "empty.jsonl", "missing.jsonl"])]
    assert sorted(f.error or "" for f in failures) == sorted(e or "" for e in local)


def test_stdin_cannot_be_spread_over_workers() -> None:
    with pytest.raises(IngestError, match="stdin"):
        plan(["-"])


def test_an_output_folder_with_other_content_or_options_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NarrascopeError, match="not a narrascope output folder"):
        open_output(tmp_path, {"components": ["cleaning"]})
    run = tmp_path / "run"
    run.mkdir()
    (run / "_manifest.json").write_text(json.dumps({"options": {"components": ["cleaning"], "max_bytes": 5}}))
    assert open_output(run, {"components": ["cleaning"], "max_bytes": 5}) is not None
    with pytest.raises(NarrascopeError, match=r"other options \(components differ\)"):
        open_output(run, {"components": ["cleaning", "language"], "max_bytes": 5})


def test_a_partition_survives_a_json_round_trip() -> None:
    part = Partition(3, "csv", ["a.csv"], "/x", [[10, 20]], 5, 9, 2, ["id", "text"], ["w"], 4)
    assert Partition.from_dict(json.loads(json.dumps(part.to_dict()))) == part
    assert part.file_name == "part-00003.jsonl"
