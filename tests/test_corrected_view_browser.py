"""The corrected view in real headless Chromium: an analyst rejects a narrative and adds one on the review page,
then the corpus filter, the narrative chart, the CSV export and /api/stats/narratives all count the corrected
view, and the header's "model's view" switch shows the model's judgments. Fixtures and skips as test_browser."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote, urlencode

from tests.serving import get_json
from tests.test_browser import _ready, base, page

__all__ = ["base", "page"]  # the browser and server fixtures of test_browser, a fresh copy for this module
ADDED = "URW: Praise of Russia"


def _counts(page: Any, base: str, label: str) -> dict[str, int]:
    """What each surface says about `label`: filtered articles, its chart bar, its CSV rows, its stats total."""
    page.goto(f"{base}/?{urlencode({'narrative': label})}")
    _ready(page)
    filtered = page.locator("#articles tbody tr").count()
    page.goto(base + "/")
    _ready(page)
    bars = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('#plot-counts .bar-row')]"
        ".map((row) => [row.dataset.label, Number(row.dataset.count)]))"
    )
    csv_text = page.evaluate("async (href) => (await fetch(href)).text()", "/api/export?format=csv")
    rows = [
        r for r in csv.DictReader(io.StringIO(csv_text)) if label in [v.strip() for v in r["narratives"].split(";")]
    ]
    _, stats = get_json(f"{base}/api/stats/narratives?by=source")
    total = next((t["articles"] for t in stats["totals"] if t["label"] == label), 0)
    return {"filter": filtered, "chart": int(bars.get(label, 0)), "csv": len(rows), "stats": total}


def test_reject_and_add_on_the_review_page_reach_filter_chart_csv_and_stats(page: Any, base: str) -> None:
    article_id = "a2"
    _, doc = get_json(f"{base}/api/article?id={article_id}")
    rejected = next(h["label"] for h in doc["narratives"] if h["level"] == "narrative" and h["label"] != "Other")
    before = {label: _counts(page, base, label) for label in (rejected, ADDED)}

    page.goto(f"{base}/review?id={quote(article_id)}")
    _ready(page)
    items = page.locator("#judgments li")
    index = next(i for i in range(items.count()) if items.nth(i).get_attribute("data-key") == rejected)
    for _ in range(index):
        page.keyboard.press("j")
    assert page.locator("#judgments li.focused").get_attribute("data-key") == rejected
    page.keyboard.press("r")
    page.wait_for_selector("#review-status:has-text('Stored: reject')")
    page.select_option("#add-narrative", ADDED)
    page.click("#add-narrative-button")
    page.wait_for_selector("#review-status:has-text('Stored: add')")

    after = {label: _counts(page, base, label) for label in (rejected, ADDED)}
    print(f"corrected view of {article_id}: before {before} after {after}")
    for surface in ("filter", "chart", "csv", "stats"):
        assert after[rejected][surface] == before[rejected][surface] - 1, (surface, before, after)
        assert after[ADDED][surface] == before[ADDED][surface] + 1, (surface, before, after)

    page.goto(f"{base}/?{urlencode({'narrative': ADDED})}")  # the list marks the analyst's judgment
    _ready(page)
    row = page.locator("#articles tbody tr", has_text=doc["title"] or article_id)
    assert "analyst: added" in row.inner_text()
    page.check("#model-view")  # the model's own view: the counts as before, every link keeps the choice
    page.wait_for_url("**view=model**")
    _ready(page)
    assert page.locator("#articles tbody tr").count() == before[ADDED]["filter"]
    assert "view=model" in (page.get_attribute("header nav a[href^='/entities']", "href") or "")
    assert page.errors == []
