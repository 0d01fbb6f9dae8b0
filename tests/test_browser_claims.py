"""The claim pages in real headless Chromium: spread by outlets and stories, provenance, story copies.

Skipped, with the reason, only where the browser or Playwright is not installed (the rules of test_browser.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serving import get_json, running_server
from tests.test_browser import _ready, _xss_did_not_run, browser_tab


@pytest.fixture(scope="module")
def base(spread_db: Path) -> Iterator[str]:
    with running_server(str(spread_db)) as url:
        yield url


@pytest.fixture(scope="module")
def page(base: str) -> Iterator[Any]:
    with browser_tab(base) as tab:
        yield tab


def test_claims_list_ranks_by_outlets_and_the_claim_page_shows_provenance(page: Any, base: str) -> None:
    _, groups = get_json(f"{base}/api/claims?limit=100")
    page.goto(f"{base}/claims")
    _ready(page)
    cells = page.locator("#claims tbody tr:first-child td").all_inner_texts()
    top = groups["items"][0]
    assert cells[2:5] == [str(top["outlets"]), str(top["stories"]), str(top["articles"])] == ["4", "3", "6"]
    page.click("#claims tbody tr:first-child a")
    page.wait_for_url(f"**/claim?id={top['id']}")
    _ready(page)
    assert page.inner_text("#spread").startswith("Spread: 4 outlets · 3 stories · 6 articles")
    rows = page.locator("#per-outlet tbody tr")
    assert rows.count() == 4
    assert [r.split("\t")[0] for r in rows.all_inner_texts()] == [
        "Daily Wire Desk", "Pravda Mirror", "Relay Daily", "Euro Truth",
    ]  # fmt: skip
    assert page.locator("#per-outlet .stance").count() == 4
    assert page.locator("#plot-timeline .point").count() == 4  # one first appearance per outlet
    assert page.locator("#chains > li").count() >= 4 and " → " in page.inner_text("#chains")
    assert page.locator("#wordings dt").all_inner_texts()[0].startswith("en")
    _xss_did_not_run(page)


def test_story_copies_and_hostile_outlets_stay_text(page: Any, base: str) -> None:
    page.goto(f"{base}/article?id=a2")
    _ready(page)
    copies = page.locator("#story-copies a").all_inner_texts()
    assert copies == ["Pravda Mirror (2023-02-15)", "Pravda Mirror (2023-02-16)", "Relay Daily (2023-02-20)"]
    page.goto(f"{base}/article?id=xss1")
    _ready(page)
    assert 'onload="window.__xss=7"' in page.inner_text("#story-copies")  # the hostile outlet, as text
    _xss_did_not_run(page)
    _, doc = get_json(f"{base}/api/articles/xss1-relay")
    assert doc["claims"]
    for group in {c["group"] for c in doc["claims"]}:
        page.goto(f"{base}/claim?id={group}")
        _ready(page)
        assert "window.__xss=7" in page.inner_text("#per-outlet")
        _xss_did_not_run(page)


def test_the_stories_page_lists_each_copy_with_outlet_and_links_to_it(page: Any, base: str) -> None:
    page.goto(f"{base}/stories")
    _ready(page)
    assert page.inner_text("#stories-summary").startswith("2 stories published more than once")
    first = page.locator("section.card").first
    assert first.locator("h2").inner_text() == "4 copies"
    assert "Pravda Mirror" in first.inner_text() and "Relay Daily" in first.inner_text()
    assert "/static/plotly-basic.min.js" not in page.content()  # no chart on this page: no 1.2 MB script
    page.goto(f"{base}/stories")
    _ready(page)
    page.locator("section.card").nth(1).locator("a").first.click()
    _ready(page)
    assert "/article?id=xss1" in page.url
    _xss_did_not_run(page)
