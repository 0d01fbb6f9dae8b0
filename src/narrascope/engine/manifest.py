"""The output folder of a partitioned run, and what a rerun may skip.

```
DIR/part-00000.jsonl     the analyses of partition 0, one JSON per line (`analyze --format jsonl`'s lines)
DIR/_parts/part-00000.json   its summary: the partition, documents, failures, warnings, versions, seconds
DIR/_manifest.json       the run: options, versions, partitions, documents, failures, complete or not
```

A part is committed by renaming its JSONL file into place, after its summary is written; so a part file with a
summary for the same partition (and the same versions) is complete, and anything else is redone.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from narrascope.analysis import SCHEMA_VERSION, Analysis
from narrascope.engine.partitions import Partition
from narrascope.errors import FormatError, NarrascopeError
from narrascope.fileio import atomic_write_text
from narrascope.version import __version__

MANIFEST = "_manifest.json"
SUMMARIES = "_parts"


def part_path(out_dir: Path, part: Partition) -> Path:
    return out_dir / part.file_name


def summary_path(out_dir: Path, number: int) -> Path:
    return out_dir / SUMMARIES / f"part-{number:05d}.json"


@contextlib.contextmanager
def atomic_lines(path: Path) -> Iterator[TextIO]:
    """A text file written through a temporary file beside it and renamed into place only when complete.

    Streams (a part can be large); a worker killed mid-write leaves only a hidden `.tmp` file behind.
    """
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_summary(out_dir: Path, summary: Mapping[str, Any]) -> None:
    atomic_write_text(summary_path(out_dir, int(summary["part"])), json.dumps(summary, ensure_ascii=False) + "\n")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise FormatError(f"{path}: cannot be read as JSON ({exc})") from None


def complete_parts(out_dir: Path, parts: Sequence[Partition], versions: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
    """Summaries of the parts already done for exactly these partitions, by the same code and models."""
    done: dict[int, dict[str, Any]] = {}
    for part in parts:
        if not part_path(out_dir, part).is_file():
            continue
        try:
            summary = _read_json(summary_path(out_dir, part.number))
        except FormatError:
            continue  # redone
        if (
            isinstance(summary, dict)
            and summary.get("partition") == part.to_dict()
            and summary.get("versions") == dict(versions)
        ):
            done[part.number] = summary
    return done


def open_output(out_dir: Path, options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Check that `out_dir` is new, empty or holds a run with the same options; return its manifest if any."""
    manifest = _read_json(out_dir / MANIFEST) if out_dir.is_dir() else None
    if manifest is None:
        if out_dir.is_dir() and any(out_dir.iterdir()):
            raise NarrascopeError(
                f"{out_dir}: exists and is not a narrascope output folder (no {MANIFEST}); give a new or empty --out"
            )
        if out_dir.exists() and not out_dir.is_dir():
            raise NarrascopeError(f"{out_dir}: is a file; --out names the folder for the parts")
        return None
    if not isinstance(manifest, dict) or manifest.get("options") != dict(options):
        old = manifest.get("options") if isinstance(manifest, dict) else None
        differ = sorted(k for k in {**(old or {}), **options} if (old or {}).get(k) != options.get(k))
        raise NarrascopeError(
            f"{out_dir}: holds a run with other options ({', '.join(differ) or 'unknown'} differ); "
            "give another --out folder to keep both, or remove this one"
        )
    return manifest


def forget(out_dir: Path, part: Partition) -> None:
    """Remove what a previous run left of a part that is redone (so an old file never passes for a new one)."""
    for path in (part_path(out_dir, part), summary_path(out_dir, part.number)):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def remove_leftovers(out_dir: Path, count: int) -> list[str]:
    """Temporary files of killed writers, and parts numbered past the `count` of this run's partitions."""
    removed = []
    for path in [*out_dir.glob(".part-*.tmp"), *out_dir.glob("part-*.pending"), *(out_dir / SUMMARIES).glob(".*.tmp")]:
        path.unlink(missing_ok=True)
    for folder, suffix in ((out_dir, ".jsonl"), (out_dir / SUMMARIES, ".json")):
        for path in folder.glob(f"part-*{suffix}"):
            number = path.name[len("part-") : -len(suffix)]
            if number.isdigit() and int(number) >= count:
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return removed


def build_manifest(
    *,
    options: Mapping[str, Any],
    versions: Mapping[str, Any],
    inputs: Sequence[str],
    parts: Sequence[Partition],
    summaries: Mapping[int, Mapping[str, Any]],
    failed_parts: Mapping[int, str],
    input_failures: Sequence[Mapping[str, str]],
    seconds: float,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    failures = list(input_failures)
    for part in parts:
        summary = summaries.get(part.number)
        status = "done" if summary else "failed" if part.number in failed_parts else "missing"
        rows.append(
            {
                "part": part.number,
                "file": part.file_name,
                "status": status,
                "kind": part.kind,
                "path": part.paths[0],
                "files": len(part.paths),
                "start": part.start,
                "end": part.end,
                "documents": summary["documents"] if summary else 0,
                "failures": len(summary["failures"]) if summary else 0,
                "seconds": summary["seconds"] if summary else None,
                **({"error": failed_parts[part.number]} if part.number in failed_parts else {}),
            }
        )
        if summary:
            failures.extend(summary["failures"])
    return {
        "narrascope_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "versions": dict(versions),
        "options": dict(options),
        "inputs": list(inputs),
        "complete": all(row["status"] == "done" for row in rows),
        "partitions_total": len(rows),
        "partitions_done": sum(row["status"] == "done" for row in rows),
        "documents": sum(int(row["documents"]) for row in rows),
        "failures": failures,
        "seconds": round(seconds, 3),
        "partitions": rows,
    }


def read_analyses(out_dir: Path) -> Iterator[Analysis]:
    """The analyses of a run's complete parts, in the order of its partitions (the local engine's order)."""
    manifest = _read_json(out_dir / MANIFEST)
    if not isinstance(manifest, dict):
        raise FormatError(f"{out_dir}: no {MANIFEST}; not a narrascope output folder")
    for row in manifest["partitions"]:
        if row["status"] != "done":
            continue
        with (out_dir / row["file"]).open(encoding="utf-8") as handle:
            for line in handle:
                yield Analysis.from_dict(json.loads(line))


def write_manifest(out_dir: Path, manifest: Mapping[str, Any]) -> None:
    atomic_write_text(out_dir / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
