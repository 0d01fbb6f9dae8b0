"""The local engine: worker processes, outputs in input order, a dead worker fails only its chunk."""

from __future__ import annotations

import copy
import gc
import io
import os
import sys
from pathlib import Path

import pytest

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.components import BaseComponent, register
from narrascope.engine.local import (
    CHUNK_SIZE,
    CHUNKS_IN_FLIGHT,
    PipelineSpec,
    analyze_chunk,
    chunk_for,
    jobs_for,
    run_batch,
)
from narrascope.formats.writers import JsonLinesWriter, json_line
from narrascope.ingest.records import ReadResult
from narrascope.pipeline import Pipeline
from narrascope.runner import Batch, analyze_result, analyze_results

from .conftest import STORE_CORPUS

FAST = ("cleaning", "language", "sentences")


@register("test_dies_on_marker")
class DiesOnMarker(BaseComponent):
    """Kills its own process on an article holding DIE: a worker lost to the OOM killer, say."""

    name = "test_dies_on_marker"
    requires = ("article.raw_text",)
    assigns = ()

    def __call__(self, analysis: Analysis) -> Analysis:
        if "DIE" in analysis.article.raw_text and os.getpid() != int(os.environ["NARRASCOPE_TEST_PARENT"]):
            os._exit(9)
        return analysis


@register("test_reports_frozen_objects")
class ReportsFrozenObjects(BaseComponent):
    """Notes how many objects the garbage collector of the process that analysed the article does not scan."""

    name = "test_reports_frozen_objects"
    requires = ("article.raw_text",)
    assigns = ()

    def __call__(self, analysis: Analysis) -> Analysis:
        analysis.article.meta["frozen_objects"] = gc.get_freeze_count()
        return analysis


def _corpus(path: Path, texts: list[str]) -> str:
    import json

    path.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    return str(path)


def test_the_worker_function_builds_the_pipeline_once_per_process(tmp_path: Path) -> None:
    spec = PipelineSpec(FAST)
    records = list(Batch([_corpus(tmp_path / "c.jsonl", ["T\n\nOne. Two.", "T\n\nThree."])]))
    first = analyze_chunk(spec, records)
    assert [o.analysis.id for o in first if o.analysis] == ["d0", "d1"]
    from narrascope.engine import local

    pipeline = local._PIPELINES[spec]
    analyze_chunk(spec, records[:1])
    assert local._PIPELINES[spec] is pipeline


def test_a_dead_worker_fails_its_documents_by_name_and_the_batch_goes_on(tmp_path: Path, monkeypatch: object) -> None:
    os.environ["NARRASCOPE_TEST_PARENT"] = str(os.getpid())
    texts = [f"T\n\nArticle {i}." for i in range(40)]
    texts[21] = "T\n\nDIE here."
    path = _corpus(tmp_path / "c.jsonl", texts)
    spec = PipelineSpec((*FAST, "test_dies_on_marker"))
    outcomes = list(run_batch(Batch([path]), spec, jobs=2, chunk_size=2))
    assert [o.origin for o in outcomes] == [f"{path}:{i + 1}" for i in range(40)]  # input order, none lost
    failed = [o for o in outcomes if o.error]
    assert f"{path}:22" in {o.origin for o in failed}
    assert all("a worker process died" in (o.error or "") for o in failed)
    assert outcomes[-1].analysis is not None and outcomes[0].analysis is not None
    assert len(failed) <= CHUNKS_IN_FLIGHT * 2 * 2  # the chunks in flight when it died, no more


def test_results_are_the_same_with_one_and_two_processes(tmp_path: Path) -> None:
    path = _corpus(
        tmp_path / "c.jsonl", [f"Title {i}\n\nThe minister said {i} things. Critics disagreed." for i in range(12)]
    )
    spec = PipelineSpec(FAST)
    one = [o.analysis.to_dict() for o in run_batch(Batch([path]), spec, jobs=1) if o.analysis]
    two = [o.analysis.to_dict() for o in run_batch(Batch([path]), spec, jobs=2) if o.analysis]
    assert one == two and len(one) == 12


def test_read_results_travel_between_processes(tmp_path: Path) -> None:
    result = ReadResult("x", error="x: bad", bytes_read=3)
    assert analyze_chunk(PipelineSpec(FAST), [result])[0].error == "x: bad"


@register("test_fails_on_marker")
class FailsOnMarker(BaseComponent):
    """Raises on an article holding FAIL."""

    name = "test_fails_on_marker"
    requires = ("article.raw_text",)
    assigns = ()

    def __call__(self, analysis: Analysis) -> Analysis:
        if "FAIL" in analysis.article.raw_text:
            raise ValueError("a bad article")
        return analysis


def test_a_chunk_analysed_together_gives_each_article_the_analysis_it_gets_alone(pipeline: Pipeline) -> None:
    import json

    records = [json.loads(line) for line in STORE_CORPUS.read_text("utf-8").splitlines()]
    results = [ReadResult("corpus.jsonl", Article(raw_text=r["text"], id=r["id"])) for r in records]
    results.insert(2, ReadResult("broken.txt", None, error="broken.txt: not readable"))
    together = analyze_results(pipeline, results)
    alone = [analyze_result(pipeline, copy.deepcopy(r)) for r in results]
    assert [o.analysis.to_dict() if o.analysis else o.error for o in together] == [
        o.analysis.to_dict() if o.analysis else o.error for o in alone
    ]
    assert sum(1 for o in together if o.analysis and o.analysis.entities) >= 2  # the models did run


def test_a_failing_article_in_a_chunk_fails_alone() -> None:
    spec = PipelineSpec((*FAST, "test_fails_on_marker"))
    chunk = [
        ReadResult(f"d{i}", Article(raw_text=f"Text {i} {'FAIL' if i == 1 else ''}", id=f"d{i}")) for i in range(3)
    ]
    outcomes = analyze_chunk(spec, chunk)
    assert [o.analysis is None for o in outcomes] == [False, True, False]
    assert "a bad article" in str(outcomes[1].error)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_forked_workers_leave_the_loaded_models_out_of_garbage_collection(tmp_path: Path) -> None:
    # a collection in a worker would write to every object it shares with the parent, copying their pages
    path = _corpus(tmp_path / "c.jsonl", [f"T\n\nArticle {i}." for i in range(8)])
    spec = PipelineSpec((*FAST, "test_reports_frozen_objects"))
    outcomes = list(run_batch(Batch([path]), spec, jobs=2, chunk_size=2))
    assert all(o.analysis is not None and o.analysis.article.meta["frozen_objects"] > 1000 for o in outcomes)
    assert gc.get_freeze_count() == 0  # the parent's collector sees everything again once the batch is done


def test_workers_that_write_the_analyses_out_give_the_same_json_lines(tmp_path: Path) -> None:
    path = _corpus(tmp_path / "c.jsonl", [f"Title {i}\n\nThe minister said {i} things." for i in range(6)] + [""])
    spec = PipelineSpec(FAST)
    for jobs in (1, 2):
        written = list(run_batch(Batch([path]), spec, jobs=jobs, chunk_size=2, render=json_line))
        analysed = list(run_batch(Batch([path]), spec, jobs=jobs, chunk_size=2))
        assert all(o.analysis is None for o in written)  # the text came back, not the analysis
        assert [o.rendered for o in written[:6]] == [json_line(o.analysis) for o in analysed[:6] if o.analysis]
        assert written[6].error is not None and written[6].rendered is None  # a failure stays a failure
        lines, whole = io.StringIO(), io.StringIO()
        for handle, outcomes in ((lines, written), (whole, analysed)):
            writer = JsonLinesWriter(handle)
            for outcome in outcomes:
                writer.write(outcome)
            assert writer.documents == 6
        assert lines.getvalue() == whole.getvalue()


def test_a_small_batch_gives_each_worker_a_chunk_and_a_large_one_full_chunks() -> None:
    assert jobs_for(40, 2) == 2 and jobs_for(20, 2) == 1 and jobs_for(None, 3) == 3
    assert chunk_for(40, 2) == 20  # two chunks of 20, not 32 and 8
    assert chunk_for(41, 2) == 21
    assert chunk_for(10_000, 2) == CHUNK_SIZE and chunk_for(None, 2) == CHUNK_SIZE and chunk_for(5, 1) == CHUNK_SIZE
