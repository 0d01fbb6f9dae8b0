"""The review page in real headless Chromium against a real server: keys make corrections via the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.serving import get_json
from tests.test_browser import _ready, _xss_did_not_run, base, page

__all__ = ["base", "page"]  # the browser and server fixtures of test_browser, a fresh copy for this module


def _corrections(base: str, article_id: str) -> list[dict[str, Any]]:
    status, found = get_json(f"{base}/api/corrections?article={quote(article_id)}")
    assert status == 200
    return list(found["items"])


def test_review_queue_and_keyboard_corrections(page: Any, base: str) -> None:
    page.goto(base + "/review")
    _ready(page)
    _, queue = get_json(f"{base}/api/review/queue")
    rows = page.locator("#review-queue tbody tr")
    assert rows.count() == queue["total"] == 6
    shown = [float(x) for x in page.locator("#review-queue tbody td.score").all_inner_texts()]
    assert shown == sorted(shown, reverse=True)  # most uncertain first
    assert page.inner_text("#review-progress").startswith("0 of 6 article(s) reviewed")
    first = queue["items"][0]["id"]
    page.click("#review-queue tbody tr:first-child a")
    page.wait_for_url("**/review?id=*")
    _ready(page)
    _xss_did_not_run(page)
    focused = page.locator("#judgments li.focused")
    layer, key = focused.get_attribute("data-layer"), focused.get_attribute("data-key")
    page.keyboard.press("r")
    page.wait_for_selector("#review-status:has-text('Stored')")
    made = _corrections(base, first)
    assert [(c["layer"], c["action"]) for c in made] == [(layer, "reject")]
    assert key in (made[0]["label"], made[0]["entity"]) or layer == "technique"
    assert page.locator("#judgments li.is-rejected").count() >= 1
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("n")
    page.keyboard.press("a")
    page.wait_for_selector("#review-status:has-text('Stored: accept')")
    assert [c["action"] for c in _corrections(base, first)] == ["reject", "accept"]
    assert "1 of 6 article(s) reviewed" in page.inner_text("#review-progress")
    page.keyboard.press("u")
    page.wait_for_selector("#review-status:has-text('Undone')")
    assert [c["action"] for c in _corrections(base, first)] == ["reject"]
    page.reload()  # nothing lost on a reload: the rejected judgment is still shown as rejected
    _ready(page)
    assert page.locator("#judgments li.is-rejected").count() >= 1
    assert page.evaluate("window.__xss") is None and page.errors == []
    if layer == "narrative":  # the article page shows the analyst's judgment instead of the model's
        page.goto(f"{base}/article?id={quote(first)}")
        _ready(page)
        assert key not in page.locator("#side-narratives .label").all_inner_texts()


def test_keys_act_on_the_highlighted_row_and_its_evidence_is_shown(page: Any, base: str) -> None:
    _, doc = get_json(f"{base}/api/article?id=a2")
    subs = [h for h in doc["narratives"] if h["level"] == "subnarrative"]
    page.goto(base + "/review")
    _ready(page)
    outlets = page.locator("#r-source option").all_inner_texts()  # the corpus page's dropdowns, with counts
    assert page.locator("select#r-narrative").count() == 1 and any("articles)" in o for o in outlets)
    page.goto(f"{base}/review?id=a2")
    _ready(page)
    items = page.locator("#judgments li")
    target = next(i for i in range(items.count()) if items.nth(i).get_attribute("data-key") == subs[0]["label"])
    start = int(page.locator("#judgments li.focused").get_attribute("data-index") or 0)  # kept from a last visit
    for _ in range(target - start):
        page.keyboard.press("j")
    for _ in range(start - target):
        page.keyboard.press("k")
    focused = page.locator("#judgments li.focused")
    assert focused.get_attribute("data-key") == subs[0]["label"]
    shown = page.locator("#review-evidence li q").all_inner_texts()
    assert shown == [ev["text"] for ev in subs[0]["evidence"]] and shown
    assert page.locator("#raw-text .evidence-0, [class*='evidence-']").count() >= 1
    page.keyboard.press("r")
    page.wait_for_selector("#review-status:has-text('Stored: reject')")
    made = _corrections(base, "a2")
    assert (made[-1]["layer"], made[-1]["action"], made[-1]["label"]) == ("narrative", "reject", subs[0]["label"])
    assert page.errors == []
