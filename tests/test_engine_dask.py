"""`--engine dask` on a real dask.distributed cluster: a LocalCluster of 2 worker processes, and a scheduler and two
workers started as `dask scheduler` / `dask worker` subprocesses on 127.0.0.1. Workers are killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

from narrascope.engine.dask import RunProgress, run_dask  # noqa: E402
from narrascope.engine.worker import RunOptions  # noqa: E402
from narrascope.pipeline import Pipeline, load_pipeline  # noqa: E402
from tests.engine_corpus import FAST, build_corpus, local_lines, part_lines  # noqa: E402

FAST_OPTIONS = RunOptions(components=FAST)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, memory_limit=0, dashboard_address=None,
        silence_logs=50,
    )  # fmt: skip
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


@pytest.fixture(scope="module")
def fast_pipeline() -> Pipeline:
    return load_pipeline(list(FAST))


def _ids(lines: list[str]) -> list[str]:
    return [json.loads(line)["meta"].get("origin") or json.loads(line)["meta"]["path"] for line in lines]


def test_dask_parts_equal_the_local_engine_and_a_rerun_skips_them(
    client: Any, fast_pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = build_corpus(tmp_path)
    seen: list[RunProgress] = []
    report = run_dask(paths, "out", FAST_OPTIONS, client=client, part_size=4, on_progress=seen.append)
    out = tmp_path / "out"
    assert part_lines(out) == local_lines(paths, fast_pipeline)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["complete"] and manifest["documents"] == len(part_lines(out))
    assert [f["origin"] for f in manifest["failures"]] == ["feed.jsonl:5"]
    assert manifest["versions"]["narrascope"] and manifest["options"]["components"] == list(FAST)
    assert report.failures == manifest["failures"] and report.failed_parts == {}
    assert any("invalid UTF-8" in w for w in report.warnings)
    assert seen[-1].parts_done == seen[-1].parts_total == manifest["partitions_total"]
    assert [s.documents_done for s in seen] == sorted(s.documents_done for s in seen)
    # The pipeline was built once per worker process, not once per partition.
    summaries = [json.loads(p.read_text()) for p in sorted((out / "_parts").glob("part-*.json"))]
    workers = {s["worker"] for s in summaries}
    assert len(workers) == 2 < len(summaries)
    loaded = client.run(lambda: len(__import__("narrascope.engine.worker").engine.worker._PIPELINES))
    assert sorted(loaded.values()) == [1, 1]

    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*.jsonl")}
    (out / "part-00002.jsonl").unlink()
    again = run_dask(paths, "out", FAST_OPTIONS, client=client, part_size=4)
    assert again.parts_skipped == len(stamps) - 1 and again.manifest["complete"]
    redone = {p.name for p in out.glob("part-*.jsonl") if stamps.get(p.name) != p.stat().st_mtime_ns}
    assert redone == {"part-00002.jsonl"}
    assert part_lines(out) == local_lines(paths, fast_pipeline)


def test_the_full_default_pipeline_gives_the_local_answers(
    client: Any, pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = build_corpus(tmp_path)[2]
    run_dask([folder], "out", RunOptions(), client=client, part_size=2)
    lines = part_lines(tmp_path / "out")
    assert lines == local_lines([folder], pipeline)
    assert any(json.loads(line)["entities"] for line in lines)


def test_a_worker_killed_mid_run_loses_only_its_part(
    client: Any, fast_pipeline: Pipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = build_corpus(tmp_path, copies=2)
    killed: list[tuple[int, int, int]] = []

    def kill_a_busy_worker(state: RunProgress) -> None:
        if killed or state.parts_done < 1:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        if not busy:
            return  # between tasks: try again at the next finished part
        pids = client.run(os.getpid, workers=busy[:1])
        for pid in pids.values():
            os.kill(pid, signal.SIGKILL)
            killed.append((pid, state.parts_done, state.parts_total))

    report = run_dask(paths, "out", FAST_OPTIONS, client=client, part_size=2, on_progress=kill_a_busy_worker)
    assert killed and killed[0][1] < killed[0][2]  # killed while parts were still to do
    out = tmp_path / "out"
    lines = part_lines(out)
    assert lines == local_lines(paths, fast_pipeline)
    assert len(set(_ids(lines))) == len(lines)  # complete and free of duplicates
    assert report.manifest["complete"] and report.failed_parts == {}
    assert not list(out.glob(".part-*")) and not list(out.glob("*.pending"))
    client.wait_for_workers(2, timeout=60)  # the nanny restarted the killed one; later tests have two again


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def tcp_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    elsewhere = tmp_path / "workers-cwd"
    elsewhere.mkdir()
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": elsewhere}
    scheduler = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], **quiet
    )
    worker = [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard", "--memory-limit", "0"]
    workers = [subprocess.Popen([*worker, "--host", "127.0.0.1", "--name", f"w{i}"], **quiet) for i in range(2)]
    try:
        with distributed.Client(address, timeout="30s") as probe:
            probe.wait_for_workers(2, timeout=90)
        yield address, workers
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _cli_command(paths: list[str], address: str) -> list[str]:
    return [sys.executable, "-m", "narrascope.cli.main", "analyze", *paths, "--components", ",".join(FAST),
            "--engine", "dask", "--scheduler", address, "--part-size", "2", "--out", "out"]  # fmt: skip


def _wait_for_parts(out: Path, count: int, run: subprocess.Popen[Any]) -> int:
    """Wait until `count` parts are written (or the run ended); return how many there are."""
    deadline = time.monotonic() + 120
    while len(list(out.glob("part-*.jsonl"))) < count and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(list(out.glob("part-*.jsonl")))


def test_cli_on_a_scheduler_address_with_a_worker_killed_mid_run(
    tcp_cluster: tuple[str, list[subprocess.Popen[bytes]]],
    fast_pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address, workers = tcp_cluster
    monkeypatch.chdir(tmp_path)
    paths = build_corpus(tmp_path, copies=2)
    run = subprocess.Popen(_cli_command(paths, address), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = tmp_path / "out"
    done_before_kill = _wait_for_parts(out, 1, run)
    workers[0].send_signal(signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=180)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert 0 < done_before_kill < manifest["partitions_total"]
    assert run.returncode == 1, stderr  # one bad JSON line in the corpus, reported as in the local engine
    assert "feed.jsonl:5: not valid JSON" in stderr and "Traceback" not in stderr
    assert stdout == ""
    lines = part_lines(out)
    assert lines == local_lines(paths, fast_pipeline)
    assert len(set(_ids(lines))) == len(lines)
    assert manifest["complete"], json.dumps({k: v for k, v in manifest.items() if k != "partitions"})
    summaries = [json.loads(p.read_text()) for p in (out / "_parts").glob("part-*.json")]
    assert {s["worker"].split(":")[1] for s in summaries} <= {str(w.pid) for w in workers}
    assert any(s["worker"].endswith(f":{workers[1].pid}") for s in summaries)


def test_predict_narratives_on_dask_writes_the_local_prediction_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from narrascope.cli.main import main

    docs = str(Path(__file__).parent / "data" / "semeval_train" / "EN")
    local, dask = tmp_path / "local.txt", tmp_path / "dask.txt"
    runner = CliRunner()
    assert runner.invoke(main, ["predict", "narratives", docs, "--out", str(local)]).exit_code == 0
    result = runner.invoke(
        main, ["predict", "narratives", docs, "--out", str(dask), "--engine", "dask", "--scheduler", "local:1"]
    )
    assert result.exit_code == 0, result.output
    assert dask.read_text() == local.read_text() and local.read_text().count("\n") >= 5
    assert json.loads((tmp_path / "dask.txt.parts" / "_manifest.json").read_text())["complete"]


def test_a_rerun_after_the_client_was_killed_skips_the_complete_parts(
    tcp_cluster: tuple[str, list[subprocess.Popen[bytes]]],
    fast_pipeline: Pipeline,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address, _ = tcp_cluster
    monkeypatch.chdir(tmp_path)
    paths = build_corpus(tmp_path, copies=2)
    command = _cli_command(paths, address)
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = tmp_path / "out"
    _wait_for_parts(out, 3, first)
    first.kill()
    first.wait()
    assert not json.loads((out / "_manifest.json").read_text())["complete"]
    second = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert second.returncode == 1 and "feed.jsonl:5: not valid JSON" in second.stderr
    skipped = int(second.stderr.split(" already complete")[0].rsplit("(", 1)[1])
    assert skipped >= 3
    lines = part_lines(out)
    assert lines == local_lines(paths, fast_pipeline)
    assert len(set(_ids(lines))) == len(lines)
    assert json.loads((out / "_manifest.json").read_text())["complete"]


def _pid() -> int:
    return os.getpid()


def _double(x: int) -> int:
    return 2 * x


def test_a_result_lost_with_its_worker_is_waited_for_not_counted_as_failed() -> None:
    """The race behind a flaky run: a part finished, then its worker died before the client read the result."""
    from narrascope.engine.dask import settle

    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        first = sorted(client.scheduler_info()["workers"])[0]
        future = client.submit(_double, 21, workers=[first], allow_other_workers=True, pure=False)
        distributed.wait(future)
        os.kill(client.run(_pid, workers=[first])[first], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while future.status == "finished" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert future.status in ("lost", "pending")  # what the client's loop used to count as a failure
        settle(future)
        assert future.status == "finished" and future.result() == 42
