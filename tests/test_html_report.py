"""The HTML report shows each article once, with CSS-only layers, one role per entity, a legend."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from narrascope import analyze
from narrascope.analysis import Analysis
from narrascope.formats.html import to_html
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.runner import Outcome

from .conftest import DATA
from .test_abstention import GERMAN

FRAMING = Path(DATA / "framing" / "pro_kremlin.txt")


@pytest.fixture(scope="module")
def svr() -> Analysis:
    # every narrative pick asserted: the layers are under test, not the shipped rule (which withholds them here)
    analysis = analyze(FRAMING.read_text("utf-8"), pipeline=load_pipeline(min_scores={"narratives": 0.0}))
    assert analysis.shown_entities and analysis.narratives and analysis.shown_techniques
    return analysis


@pytest.fixture(scope="module")
def page(svr: Analysis, pipeline: Pipeline) -> str:
    german = analyze(GERMAN, pipeline=pipeline)
    return to_html([Outcome("svr", analysis=svr), Outcome("de", analysis=german)])


def test_each_article_text_is_shown_once_with_layers(svr: Analysis, page: str) -> None:
    sentence = max(svr.sentences, key=lambda s: len(s.text)).text
    first, second = (re.escape(html.escape(w)) for w in sentence.split()[:2])  # marks may cut between words
    assert len(re.findall(first + r"(?:<[^>]*>|\s)*" + second, page)) == 1
    assert "<script" not in page.lower() and "script-src" not in page  # the CSP allows no script at all
    for layer in ("a1-ev0", "a1-tech", "a1-ent"):
        assert f"id='{layer}'" in page
    assert "#a1-ev0:checked ~ .text .ev0{background:" in page


def test_one_role_per_entity_on_all_its_mentions_with_a_legend(svr: Analysis, page: str) -> None:
    assert "one role per entity, on all its mentions" in page
    pieces = re.findall(r'<span class="([^"]*\bent\b[^"]*)" title="([^"]*)">([^<]*)</span>', page)
    for entity in svr.shown_entities:  # every mention carries its entity's one role, whatever its own says
        said = f"{html.escape(entity.entity)}: {entity.main_role}"
        mine = [(classes, text) for classes, title, text in pieces if said in title.split("; ")]
        assert {c for classes, _ in mine for c in classes.split() if c.startswith("role-")} == {
            f"role-{entity.main_role.lower()}"
        }
        assert {html.escape(m.text) for m in entity.mentions} <= {text for _, text in mine}
    withheld = [e for e in svr.entities if e not in svr.shown_entities]
    assert all(f'title="{e.entity}: ' not in page for e in withheld)


def test_a_capability_that_abstains_says_why_in_the_report(page: str) -> None:
    assert "entities: not available for de" in page and "techniques: not available for de" in page
