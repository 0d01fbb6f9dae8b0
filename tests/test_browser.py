"""The web UI in real headless Chromium (Debian `chromium`, driven by Playwright; `make browser` installs both).

Skipped, with the reason, only where the browser or Playwright is not installed.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.serving import get_json, serving_a_copy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: run `make browser`")
if not os.path.exists(CHROMIUM):
    pytest.skip("Debian chromium is not installed (run `make browser` as root)", allow_module_level=True)


@pytest.fixture(scope="module")
def base(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_a_copy(corpus_db, tmp_path_factory.mktemp("ui")) as url:
        yield url


@contextmanager
def browser_tab(base: str) -> Iterator[Any]:
    """A headless Chromium tab that may reach only `base`, recording dialogs and page errors."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        context = browser.new_context()
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        tab.dialogs = []  # type: ignore[attr-defined]
        tab.errors = []  # type: ignore[attr-defined]
        tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        tab.on("pageerror", lambda e: tab.errors.append(str(e)))
        yield tab
        browser.close()


@pytest.fixture(scope="module")
def page(base: str) -> Iterator[Any]:
    with browser_tab(base) as tab:
        yield tab


def _ready(page: Any) -> None:
    page.wait_for_selector("body[data-ready]", state="attached")
    assert page.evaluate("document.body.dataset.ready") == "1", page.inner_text("main")


def _chart_drawn(page: Any, selector: str) -> bool:
    """Whether the chart at `selector` draws: a Plotly chart below the first screen is drawn once scrolled to; a
    first screen's bar chart is HTML rows."""
    page.locator(selector).scroll_into_view_if_needed()
    drawn = f"{selector} .main-svg, {selector} .bar-row"
    page.wait_for_selector(drawn, state="attached")
    return bool(page.locator(drawn).count())


def _xss_did_not_run(page: Any) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.dialogs == [] and page.errors == []
    injected = "#main img, #main script, #main iframe, #main [onerror], #main [onload], a[href^='javascript:']"
    assert page.locator(injected).count() == 0


def test_corpus_page_plots_filters_and_opens_an_article(page: Any, base: str) -> None:
    page.goto(base + "/")
    _ready(page)
    for plot in ("#plot-counts", "#plot-time", "#plot-outlets"):
        assert _chart_drawn(page, plot), f"{plot} has no chart"
    assert page.locator("#articles tbody tr").count() == 6
    page.select_option("#f-source", "Pravda Mirror")
    page.fill("#f-q", "militants")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/?*source=Pravda*")
    _ready(page)
    titles = page.locator("#articles tbody tr td:first-child a").all_inner_texts()
    _, expected = get_json(f"{base}/api/articles?source=Pravda%20Mirror&q=militants")
    assert titles == [a["title"] for a in expected["items"]] == ["Kremlin: US trained 60 militants"]
    page.click("#articles tbody a")
    page.wait_for_url("**/article?id=a2")
    _ready(page)
    assert page.inner_text("#title") == "Kremlin: US trained 60 militants"


def _covered(page: Any, kind: str) -> set[int]:
    pieces = page.eval_on_selector_all(
        f"#raw-text .hl-{kind}", "ns => ns.map(n => [Number(n.dataset.start), Number(n.dataset.end), n.textContent])"
    )
    return {i for start, end, _ in pieces for i in range(start, end)}


@pytest.mark.parametrize("article_id", ["a2", "xss1"])
def test_highlights_sit_at_the_api_offsets_and_hostile_text_stays_inert(page: Any, base: str, article_id: str) -> None:
    _, doc = get_json(f"{base}/api/articles/{article_id}")
    page.goto(f"{base}/article?id={article_id}")
    _ready(page)
    raw = doc["raw_text"]
    pieces = page.eval_on_selector_all(
        "#raw-text .hl", "ns => ns.map(n => [Number(n.dataset.start), Number(n.dataset.end), n.textContent])"
    )
    assert pieces and all(raw[start:end] == text for start, end, text in pieces)
    assert page.inner_text("#raw-text").replace("\r", "") == raw.strip("\n") or page.text_content("#raw-text") == raw
    shown_entities = [e for e in doc["entities"] if e["main_role"] in ("Protagonist", "Antagonist", "Innocent")]
    selected = next(n for n in doc["narratives"] if n["evidence"])  # the top narrative's evidence, until one is picked
    expected = {  # asserted judgments only
        "technique": {i for t in doc["techniques"] if t["asserted"] for i in range(t["start"], t["end"])},
        "entity": {i for e in shown_entities for m in e["mentions"] for i in range(m["start"], m["end"])},
        "evidence": {i for ev in selected["evidence"] for i in range(ev["start"], ev["end"])},
    }
    for kind, positions in expected.items():
        assert _covered(page, kind) == positions, kind
    assert expected["entity"] and expected["evidence"] and (expected["technique"] or article_id == "xss1")
    assert page.locator("#side-narratives > li").count() == len(doc["narratives"])
    assert page.locator("#side-entities > li").count() == len(shown_entities)
    assert page.locator("#side-claims > li").count() == len(doc["claims"])
    _xss_did_not_run(page)
    if article_id == "xss1":
        assert "<script>" in page.inner_text("#title")  # shown as text
        assert page.locator(".meta span.muted", has_text="javascript:window.__xss=3").count() == 1  # not a link


def test_entity_claims_and_paste_pages(page: Any, base: str) -> None:
    page.goto(f"{base}/entity?name=Russia&include_withheld=true")  # asserted in one outlet only: no chart
    _ready(page)
    assert page.locator("#plot-entity .bar-row").count() > 0
    page.goto(f"{base}/claims")
    _ready(page)
    page.click("#claims tbody tr:first-child a")
    page.wait_for_url("**/claim?id=*")
    _ready(page)
    assert page.locator("#plot-timeline .point").count() > 0
    assert page.locator("#members > li").count() == 3
    page.goto(f"{base}/analyze")
    _ready(page)
    page.fill("#paste-text", 'Title <img src=x onerror="window.__xss=9">\n\nNATO provoked the war, the Kremlin said.')
    page.click("#paste-analyze")
    page.wait_for_selector("#paste-result #raw-text")
    assert "onerror" in page.inner_text("#paste-result #title")
    _xss_did_not_run(page)
