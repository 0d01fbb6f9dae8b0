"""The chart pages on a store that follows many outlets, in real headless Chromium: a chart by outlet draws the
outlets with the most articles and says how many more it leaves out; a claim re-posted more often than the page
lists says how many more appearances there are, and shows them all on request; the entity page lists its first
articles the same way; a chart below the first screen is drawn when scrolled to.

Skipped, with the reason, only where the browser or Playwright is not installed (the rules of test_browser.py).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.serving import get_json, running_server
from tests.test_browser import _ready, browser_tab

COPIES = 110  # more than a claim page lists (100) and from more outlets than a chart draws (30)
OUTLETS = 36
DRAWN = 30


@pytest.fixture(scope="module")
def many_outlets_db(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory, asserting_pipeline: Any) -> Path:
    """The store corpus plus COPIES re-posts of article a2 by OUTLETS outlets, one a day (analysed once)."""
    from narrascope.article import Article
    from narrascope.store.db import Store
    from tests.conftest import STORE_CORPUS

    path = tmp_path_factory.mktemp("many-outlets") / "many.db"
    shutil.copy(corpus_db, path)
    record = next(r for r in map(json.loads, STORE_CORPUS.read_text("utf-8").splitlines()) if r["id"] == "a2")
    seed = asserting_pipeline(Article(raw_text=record["text"], id="a2-copy", title=record["title"]))
    copies = []
    for i in range(COPIES):
        article = dataclasses.replace(
            seed.article, id=f"a2-copy-{i:03d}", source=f"Outlet {i % OUTLETS:02d}",
            published=f"2023-{3 + i // 28:02d}-{1 + i % 28:02d}",
        )  # fmt: skip
        copies.append(dataclasses.replace(seed, article=article))
    store = Store(path)
    store.put_batch(copies)
    store.close()
    return path


@pytest.fixture(scope="module")
def base(many_outlets_db: Path) -> Iterator[str]:
    with running_server(str(many_outlets_db)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base: str) -> Iterator[Any]:
    with browser_tab(base) as tab:
        yield tab


def _widest_group(base: str) -> dict[str, Any]:
    _, groups = get_json(f"{base}/api/claims?limit=1")
    _, group = get_json(f"{base}/api/claims/{groups['items'][0]['id']}")
    return group


def test_a_claim_with_more_appearances_than_the_page_lists_says_how_many_more(page: Any, base: str) -> None:
    group = _widest_group(base)
    total = len(group["members"])
    assert total > 100
    page.goto(f"{base}/claim?id={group['id']}")
    _ready(page)
    assert page.locator("#members > li").count() == 100
    assert f"100 of {total} appearances shown, earliest first; {total - 100} more" in page.inner_text("#members-more")
    shown = page.locator("#members > li a").first.inner_text()
    assert shown == (group["members"][0]["title"] or group["members"][0]["article_id"])
    dated = sum(1 for o in group["per_outlet"] if o["first_day"])
    assert page.locator("#plot-timeline .point").count() == DRAWN  # the first outlets to carry it
    assert f"{dated - DRAWN} later outlets not drawn" in page.inner_text("#timeline-more")
    assert page.locator("#per-outlet tbody tr").count() == len(group["per_outlet"])  # the table keeps every outlet
    page.click("#members-more a:has-text('show all')")
    page.wait_for_url("**appearances=all*")
    _ready(page)
    assert page.locator("#members > li").count() == total
    assert page.locator("#members-more").count() == 0


def test_the_entity_page_lists_its_first_articles_and_charts_its_top_outlets(page: Any, base: str) -> None:
    _, found = get_json(f"{base}/api/entities?limit=1")
    actor = found["items"][0]
    _, framing = get_json(f"{base}/api/entity?name={quote(actor['actor_id'])}")
    listed = len(framing["articles"])
    assert listed > 100
    page.goto(f"{base}/entity?name={quote(actor['actor_id'])}")
    _ready(page)
    assert page.locator("#entity-articles tbody tr").count() == 100
    assert f"100 of {listed} articles shown, earliest first; {listed - 100} more" in page.inner_text(
        "#entity-articles-more"
    )
    outlets = {r["source"] for r in framing["by_source"]}
    assert page.locator("#plot-entity .bar-row").count() == DRAWN
    assert f"{len(outlets) - DRAWN} more outlet(s) not drawn" in page.inner_text("#entity-outlets-more")
    page.click("#entity-articles-more a:has-text('show all')")
    page.wait_for_url("**articles=all*")
    _ready(page)
    assert page.locator("#entity-articles tbody tr").count() == listed


def test_outlet_charts_draw_the_top_outlets_when_scrolled_to_and_say_how_many_more(page: Any, base: str) -> None:
    _, stats = get_json(f"{base}/api/stats/narratives?by=source")
    outlets = {r["bucket"] for r in stats["series"]}
    assert len(outlets) > DRAWN
    page.set_viewport_size({"width": 1000, "height": 500})
    try:
        page.goto(f"{base}/")
        _ready(page)
        assert page.locator("#plot-counts .bar-row").count() > 0  # on the first screen: drawn before ready
        assert page.locator("#plot-outlets .main-svg").count() == 0  # below it: not drawn yet
        page.locator("#plot-outlets").scroll_into_view_if_needed()
        page.wait_for_selector("#plot-outlets .main-svg")
        drawn = page.evaluate("new Set(document.getElementById('plot-outlets').data.flatMap((t) => t.x)).size")
        assert drawn == DRAWN
        note = page.locator("#plot-outlets + .more-outlets").inner_text()
        assert f"The {DRAWN} outlets with the most of these articles; and {len(outlets) - DRAWN} more" in note
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
