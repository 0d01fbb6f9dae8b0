"""First screens drawn without Plotly, in real headless Chromium: the corpus page's bar charts, an entity's
framing per outlet and a claim's timeline are HTML whose numbers are the API's; Plotly runs only for the corpus
charts below the first screen, once one is scrolled to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.serving import get_json, serving_a_copy
from tests.test_browser import _ready, browser_tab


@pytest.fixture(scope="module")
def base(spread_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_a_copy(spread_db, tmp_path_factory.mktemp("first-screen")) as url:
        yield url


@pytest.fixture()
def page(base: str) -> Iterator[Any]:
    with browser_tab(base) as tab:
        yield tab


def _bars(page: Any, selector: str) -> dict[str, int]:
    rows = f"[...document.querySelectorAll('{selector} .bar-row[data-label]')]"
    return page.evaluate(f"() => Object.fromEntries({rows}.map((r) => [r.dataset.label, Number(r.dataset.count)]))")


def test_corpus_bars_are_the_stats_totals_drawn_before_plotly_runs(page: Any, base: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 500})  # the charts by month and outlet lie below the screen
    page.goto(f"{base}/")
    _ready(page)
    assert page.evaluate("typeof window.Plotly") == "undefined"  # the first screen did not wait for it
    _, narratives = get_json(f"{base}/api/stats/narratives?by=month")
    _, techniques = get_json(f"{base}/api/stats/techniques?by=source")
    assert _bars(page, "#plot-counts") == {t["label"]: t["articles"] for t in narratives["totals"][:15]}
    assert _bars(page, "#plot-techniques") == {t["label"]: t["articles"] for t in techniques["totals"][:15]}
    widths = page.evaluate(
        "[...document.querySelectorAll('#plot-counts .bar')].map((b) => b.getBoundingClientRect().width)"
    )
    assert widths == sorted(widths, reverse=True) and widths[0] > 0  # the biggest count, the longest bar
    page.locator("#plot-outlets").scroll_into_view_if_needed()
    page.wait_for_selector("#plot-outlets .main-svg")  # Plotly runs once a chart below is reached
    assert page.evaluate("typeof window.Plotly") == "object"


def test_a_narrative_bar_opens_the_corpus_filtered_by_it(page: Any, base: str) -> None:
    page.goto(f"{base}/?source={quote('Pravda Mirror')}")
    _ready(page)
    label = page.locator("#plot-counts .bar-row").first.get_attribute("data-label")
    page.click("#plot-counts .bar-row >> nth=0 >> a")
    page.wait_for_url("**narrative=*")
    _ready(page)
    assert page.input_value("#f-narrative") == label and page.input_value("#f-source") == "Pravda Mirror"
    _, expected = get_json(f"{base}/api/articles?source={quote('Pravda Mirror')}&narrative={quote(label)}")
    titles = page.locator("#articles tbody tr td:first-child a").all_inner_texts()
    assert expected["total"] > 0 and titles == [a["title"] or a["id"] for a in expected["items"]]


def test_entity_framing_bars_split_each_outlet_by_role(page: Any, base: str) -> None:
    _, entities = get_json(f"{base}/api/entities?include_withheld=true")
    name = entities["items"][0]["entity"]
    _, found = get_json(f"{base}/api/entity?name={quote(name)}&include_withheld=true")
    page.goto(f"{base}/entity?name={quote(name)}&include_withheld=true")
    _ready(page)
    per_outlet = Counter[str]()
    for row in found["by_source"]:
        per_outlet[row["source"]] += row["articles"]
    if len(per_outlet) < 2:
        pytest.skip("the fixture's top entity is framed in one outlet")
    assert _bars(page, "#plot-entity") == dict(per_outlet)
    parts = page.evaluate(
        "[...document.querySelectorAll('#plot-entity .part')].map((p) => p.dataset.part + ' ' + p.title)"
    )
    for row in found["by_source"]:
        assert f"{row['role']} {row['source']}: {row['role']} {row['articles']} articles" in parts


def test_claim_timeline_places_each_outlet_at_its_first_day(page: Any, base: str) -> None:
    _, groups = get_json(f"{base}/api/claims")
    top = groups["items"][0]
    _, group = get_json(f"{base}/api/claims/{top['id']}")
    page.goto(f"{base}/claim?id={top['id']}")
    _ready(page)
    rows = page.evaluate(
        "[...document.querySelectorAll('#plot-timeline .bar-row[data-day]')].map((r) => [r.dataset.label,"
        " r.dataset.day, r.querySelector('.point').getBoundingClientRect().left])"
    )
    dated = sorted((o["first_day"], o["outlet"]) for o in group["per_outlet"] if o["first_day"])
    assert sorted((day, outlet) for outlet, day, _ in rows) == dated
    by_day = sorted(rows, key=lambda r: r[1])
    lefts = [left for _, _, left in by_day]
    assert lefts == sorted(lefts) and lefts[0] < lefts[-1]  # a later first day sits further right
