"""`--engine dask`: a corpus analysed on a Dask cluster (a LocalCluster, or a scheduler's address), resumably.

The client plans the partitions, skips the parts a previous run completed, submits one task per remaining
partition and follows them as they finish (documents, rate, failures). Workers read the inputs and write the
parts themselves, so inputs and the output folder must be on a file system every worker sees at the same path.
A worker that dies loses only the partition it was analysing: the scheduler gives it to another worker.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from narrascope.engine.manifest import (
    SUMMARIES,
    build_manifest,
    complete_parts,
    forget,
    open_output,
    remove_leftovers,
    write_manifest,
)
from narrascope.engine.partitions import DEFAULT_PART_SIZE, plan
from narrascope.engine.worker import RunOptions, analyse_partition, versions
from narrascope.errors import NarrascopeError

_SCHEDULER = re.compile(r"^(local(?::(?P<n>[1-9][0-9]*))?|(?P<address>(tcp|tls|ws|wss|inproc|ucx)://\S+))$")
MANIFEST_EVERY_S = 30.0


@dataclass
class RunProgress:
    """What the client knows while a run goes on (documents include failed ones)."""

    documents_done: int
    documents_total: int  # an estimate until the end: blank lines and empty CSV rows count
    parts_done: int
    parts_total: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.documents_done / self.seconds if self.seconds > 0 else 0.0


@dataclass
class RunReport:
    out_dir: Path
    manifest: dict[str, Any]
    parts_skipped: int
    failed_parts: dict[int, str]
    failures: list[dict[str, str]]
    warnings: list[str] = field(default_factory=list)
    workers: int = 0
    seconds: float = 0.0
    documents_this_run: int = 0

    @property
    def documents(self) -> int:
        return int(self.manifest["documents"])


def check_scheduler(value: str) -> str:
    """`local`, `local:N` or a scheduler address such as `tcp://HOST:PORT`; anything else is a one-line error."""
    if not _SCHEDULER.match(value):
        raise NarrascopeError(f"--scheduler: expected local, local:N or tcp://HOST:PORT, found {value!r}")
    return value


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise NarrascopeError("--engine dask needs Dask: pip install 'narrascope[dask]'") from None
    return distributed


@contextlib.contextmanager
def connect(scheduler: str, *, timeout_s: float = 60.0) -> Iterator[Any]:
    """A `distributed.Client`: on a new LocalCluster (`local[:N]`: N worker processes of one thread each, N the
    number of CPUs by default, no memory limit) or on the scheduler at an address."""
    distributed = _distributed()
    match = _SCHEDULER.match(check_scheduler(scheduler))
    assert match is not None
    cluster = None
    try:
        if match["address"]:
            client = distributed.Client(match["address"], timeout=f"{timeout_s}s")
        else:
            n_workers = int(match["n"]) if match["n"] else os.cpu_count() or 1
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=0,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise NarrascopeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout_s)
        except TimeoutError:
            raise NarrascopeError(f"no Dask worker joined the scheduler at {scheduler} in {timeout_s:.0f} s") from None
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _worker_versions(client: Any, options: RunOptions) -> dict[str, Any]:
    found = client.run(versions, options)
    distinct = {json.dumps(v, sort_keys=True) for v in found.values()}
    if len(distinct) > 1:
        raise NarrascopeError(
            "the Dask workers run different narrascope, library or model versions, which would give different "
            f"answers: {'; '.join(sorted(distinct))}"
        )
    return dict(json.loads(distinct.pop()))


def settle(future: Any) -> None:
    """Wait out a future that finished and was then lost (its result lived on a worker that died before the
    client read it): the scheduler recomputes it. Without this the part would be counted as failed."""
    while future.status in ("lost", "pending"):
        _distributed().wait(future)


def run_dask(
    paths: Sequence[str],
    out_dir: str | os.PathLike[str],
    options: RunOptions,
    *,
    scheduler: str = "local",
    client: Any = None,
    part_size: int = DEFAULT_PART_SIZE,
    on_progress: Callable[[RunProgress], None] | None = None,
) -> RunReport:
    """Analyse every document under `paths` on Dask into `out_dir` (parts + `_manifest.json`); skip complete parts.

    Pass `client` to use a `distributed.Client` you hold; else one is made from `scheduler`.
    """
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    check_scheduler(scheduler)
    _distributed()
    parts, input_failures = plan(paths, part_size=part_size)
    open_output(out, options.to_dict())
    (out / SUMMARIES).mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(connect(scheduler))
        expected = _worker_versions(client, options)
        summaries = complete_parts(out, parts, expected)
        skipped = len(summaries)
        todo = [p for p in parts if p.number not in summaries]
        for part in todo:
            forget(out, part)
        failed: dict[int, str] = {}
        errors = [{"origin": f.origin, "message": f.error or f.origin} for f in input_failures]

        def manifest() -> dict[str, Any]:
            return build_manifest(
                options=options.to_dict(), versions=expected, inputs=list(paths), parts=parts, summaries=summaries,
                failed_parts=failed, input_failures=errors, seconds=time.perf_counter() - started,
            )  # fmt: skip

        write_manifest(out, manifest())
        total = sum(p.documents for p in parts)
        done_docs = sum(s["documents"] + len(s["failures"]) for s in summaries.values())
        this_run = 0
        warnings: list[str] = []

        def report(now: float) -> None:
            if on_progress is not None:
                rate_base = now - started
                on_progress(RunProgress(done_docs, max(total, done_docs), len(summaries), len(parts), rate_base))

        report(time.perf_counter())
        token = uuid.uuid4().hex[:8]
        futures = {
            client.submit(
                analyse_partition, part, str(out), options,
                key=f"narrascope-part-{part.number:05d}-{token}", pure=False, retries=2,
            ): part
            for part in todo
        }  # fmt: skip
        last_write = time.perf_counter()
        distributed = _distributed()
        try:
            for future in distributed.as_completed(futures):
                part = futures.pop(future)
                settle(future)
                if future.status == "finished":
                    summary = future.result()
                    if summary["versions"] != expected:
                        failed[part.number] = f"{part.describe()}: ran on a worker with other versions"
                        forget(out, part)
                    else:
                        summaries[part.number] = summary
                        warnings.extend(summary["warnings"])
                        counted = summary["documents"] + len(summary["failures"])
                        done_docs += counted
                        this_run += counted
                else:
                    exc = future.exception()
                    failed[part.number] = f"{part.describe()}: {type(exc).__name__}: {exc}"
                future.release()  # a consumed result must not be recomputed when its worker dies later
                now = time.perf_counter()
                report(now)
                if now - last_write > MANIFEST_EVERY_S:
                    write_manifest(out, manifest())
                    last_write = now
        finally:
            for future in futures:
                future.cancel()
            workers = len(client.scheduler_info().get("workers", {}))
            remove_leftovers(out, len(parts))
            final = manifest()
            write_manifest(out, final)
    return RunReport(
        out_dir=out,
        manifest=final,
        parts_skipped=skipped,
        failed_parts=failed,
        failures=list(final["failures"]),
        warnings=warnings,
        workers=workers,
        seconds=time.perf_counter() - started,
        documents_this_run=this_run,
    )
