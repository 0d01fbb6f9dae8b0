"""The terminal table fits the terminal — one compact block per article, nothing wider than it."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from narrascope import analyze
from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.formats.table import print_table
from narrascope.pipeline import Pipeline
from narrascope.runner import Outcome

from .conftest import ARTICLES
from .test_abstention import GERMAN

LONG_ID = "outlet.example.org/2024/03/01/a-very-long-article-identifier-that-is-one-token_0123456789"
LONG_SENTENCE = " ".join(["The Kremlin said that Western instructors trained militants near the border"] * 6) + "."


@pytest.fixture(scope="module")
def analyses(pipeline: Pipeline) -> list[Analysis]:
    svr = (ARTICLES / "svr_claim.txt").read_text("utf-8")
    return [
        analyze(Article(raw_text=svr + "\n" + LONG_SENTENCE + "\n", id=LONG_ID), pipeline=pipeline),
        analyze(Article(raw_text=GERMAN, id="de.txt"), pipeline=pipeline),
        analyze(Article(raw_text="hi", id="hi.txt"), pipeline=pipeline),
    ]


def render(analyses: list[Analysis], width: int) -> list[str]:
    out = io.StringIO()
    console = Console(file=out, width=width, no_color=True, highlight=False)
    print_table([Outcome("x", analysis=a) for a in analyses], console)
    return out.getvalue().splitlines()


@pytest.mark.parametrize("width", [80, 60, 120])
def test_no_line_is_wider_than_the_terminal(analyses: list[Analysis], width: int) -> None:
    lines = render(analyses, width)
    assert max(cell_len(line) for line in lines) <= width


def test_ids_are_never_cut_and_long_sentences_end_in_an_ellipsis(analyses: list[Analysis]) -> None:
    lines = render(analyses, 80)
    assert LONG_ID in [line.strip() for line in lines] or any(LONG_ID[:80] == line[:80] for line in lines)
    assert any(line.rstrip().endswith("\u2026") for line in lines)
    assert not any(LONG_SENTENCE in line for line in lines)
    # one compact block per article: a few dozen lines, not one word a line
    assert len(lines) <= 90, len(lines)
    assert sum(1 for line in lines if len(line.split()) == 1) <= 12


def test_a_capability_that_abstains_says_why(analyses: list[Analysis]) -> None:
    text = "\n".join(render(analyses, 80))
    assert "entities:   not available for de" in text and "techniques: not available for de" in text
    assert "judgments:  none: too little text (1 word; at least 50 needed)" in text


def test_withheld_judgments_are_counted_not_shown(analyses: list[Analysis]) -> None:
    first = analyses[0]
    lines = render([first], 80)
    shown = {e.entity for e in first.shown_entities}
    hidden = [e.entity for e in first.entities if e.entity not in shown and len(e.entity) > 4]
    assert not any(h in line for h in hidden for line in lines if line.startswith(("entities", " ")))
