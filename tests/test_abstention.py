"""No judgment without enough text, and no silent empty section for a language a capability lacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope import analyze
from narrascope.analysis import Analysis
from narrascope.cli.main import main
from narrascope.components import MIN_WORDS
from narrascope.pipeline import Pipeline

from .conftest import ARTICLES

# German: a language no entity detector or technique model covers (Russian is covered now)
GERMAN = "Überschrift\n\n" + "Die Regierung in Berlin hat neue Maßnahmen beschlossen, sagte der Sprecher heute. " * 8
SHORT = {
    "title.txt": "Title only\n",
    "hi.html": "<html><head><title></title></head><body><p>hi</p></body></html>",
    "three.txt": "Russia attacks Ukraine\n",
}


@pytest.fixture(scope="module")
def short_documents(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    folder = tmp_path_factory.mktemp("short")
    for name, text in SHORT.items():
        (folder / name).write_text(text, "utf-8")
    out = CliRunner().invoke(main, ["analyze", "--format", "json", "--jobs", "1", *sorted(map(str, folder.iterdir()))])
    assert out.exit_code == 0, out.output
    documents: list[dict[str, object]] = json.loads(out.stdout)["documents"]
    return documents


def test_short_texts_get_no_judgments_and_a_warning_each(short_documents: list[dict[str, object]]) -> None:
    assert sorted(d["id"] for d in short_documents) == sorted(SHORT)  # type: ignore[type-var]
    for document in short_documents:
        assert document["narratives"] == [] and document["entities"] == [] and document["techniques"] == []
        warnings = document["warnings"]
        assert isinstance(warnings, list) and len(warnings) == 1 and "too little text to judge" in warnings[0]
        assert f"at least {MIN_WORDS} needed" in warnings[0]
        reasons = {(n["capability"], n["reason"]) for n in document["not_available"]}  # type: ignore[attr-defined]
        assert reasons == {("narratives", "too_short"), ("entities", "too_short"), ("techniques", "too_short")}


def test_a_full_article_is_still_judged(pipeline: Pipeline) -> None:
    analysis = analyze((ARTICLES / "svr_claim.txt").read_text("utf-8"), pipeline=pipeline)
    assert len(analysis.article.clean_text.split()) >= MIN_WORDS
    assert analysis.narratives and analysis.entities and not analysis.not_available


def test_uncovered_language_is_recorded_per_capability(pipeline: Pipeline) -> None:
    analysis = analyze(GERMAN, pipeline=pipeline)
    assert analysis.article.language == "de"
    described = [n.describe() for n in analysis.not_available]
    assert "entities: not available for de" in described and "techniques: not available for de" in described
    assert all(
        not n.capability.startswith("narratives") for n in analysis.not_available
    )  # narratives cover any language
    again = Analysis.from_dict(json.loads(json.dumps(analysis.to_dict())))
    assert again.not_available == analysis.not_available


def test_pipe_equals_call_around_abstentions(pipeline: Pipeline, tmp_path: Path) -> None:
    texts = [GERMAN, "Title only\n", (ARTICLES / "svr_claim.txt").read_text("utf-8")]
    called = [analyze(t, pipeline=pipeline).to_dict() for t in texts]
    from narrascope.article import Article

    piped = [a.to_dict() for a in pipeline.pipe([Article(raw_text=t) for t in texts], batch_size=2)]
    assert piped == called
