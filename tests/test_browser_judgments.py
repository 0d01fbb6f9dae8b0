"""Asserted judgments in real headless Chromium: the article page shows what was asserted, one role per entity, and the
withheld control reveals the rest. Same fixtures and skips as tests/test_browser.py (a real server over the
real store file)."""

from __future__ import annotations

import csv
import io
import urllib.parse
from typing import Any

from tests.serving import get_json
from tests.test_browser import _chart_drawn, _ready, base, page  # noqa: F401 (module fixtures: one server, one browser)

ROLES = ("Protagonist", "Antagonist", "Innocent")


def _technique_spans(tab: Any) -> set[int]:
    """Indices (into the API's `techniques`) of the technique spans highlighted on the page."""
    found = tab.eval_on_selector_all("#raw-text [data-techniques]", "ns => ns.map(n => n.dataset.techniques)")
    return {int(i) for value in found for i in value.split()}


def _entity_roles(tab: Any) -> dict[int, set[str]]:
    """For each entity (index into the API's `entities`) highlighted, the role classes of its mention pieces."""
    pieces = tab.eval_on_selector_all(
        "#raw-text [data-entity]", "ns => ns.map(n => [Number(n.dataset.entity), n.className])"
    )
    roles: dict[int, set[str]] = {}
    for index, classes in pieces:
        roles.setdefault(index, set()).update(c for c in classes.split() if c.startswith("role-"))
    return roles


def test_article_page_highlights_asserted_spans_one_role_per_entity(page: Any, base: str) -> None:  # noqa: F811
    for article_id in ("a2", "xss1"):
        _, doc = get_json(f"{base}/api/articles/{article_id}")
        page.goto(f"{base}/article?id={article_id}")
        _ready(page)
        asserted = {i for i, t in enumerate(doc["techniques"]) if t["asserted"]}
        assert _technique_spans(page) == asserted
        assert page.locator(".technique-withheld").count() == 0
        roles = _entity_roles(page)
        shown = {i for i, e in enumerate(doc["entities"]) if e["main_role"] in ROLES}
        assert set(roles) == shown
        for index, classes in roles.items():  # every mention of one entity: one role class, the entity's
            assert classes == {f"role-{doc['entities'][index]['main_role']}"}, doc["entities"][index]["entity"]
    assert len(doc["techniques"]) > len(asserted)  # xss1 has withheld spans to reveal
    # an entity with a mention whose own role disagrees (which article has one depends on the shipped models):
    # marked only when the reader asks
    ids = [a["id"] for a in get_json(f"{base}/api/articles?limit=500")[1]["items"]]
    docs = [get_json(f"{base}/api/articles/{urllib.parse.quote(i, safe='')}")[1] for i in ids]

    def disagreeing_of(d: dict[str, Any]) -> list[int]:
        return [
            i
            for i, e in enumerate(d["entities"])
            if e["main_role"] in ROLES
            and any(m["main_role"] in ROLES and m["main_role"] != e["main_role"] for m in e["mentions"])
        ]

    doc = next(d for d in docs if disagreeing_of(d))
    disagreeing = disagreeing_of(doc)
    page.goto(f"{base}/article?id={urllib.parse.quote(doc['id'], safe='')}")
    _ready(page)
    assert disagreeing and page.locator("#raw-text .disagrees").count() == 0
    page.check("#layer-disagreeing")
    marked = page.eval_on_selector_all("#raw-text .disagrees", "ns => ns.map(n => Number(n.dataset.entity))")
    assert set(marked) == set(disagreeing)
    assert {c for i in disagreeing for c in _entity_roles(page)[i]} == {
        f"role-{doc['entities'][i]['main_role']}" for i in disagreeing
    }


def test_withheld_control_reveals_the_rest_greyed_with_scores(page: Any, base: str) -> None:  # noqa: F811
    _, doc = get_json(f"{base}/api/articles/xss1")
    page.goto(f"{base}/article?id=xss1")
    _ready(page)
    withheld_entities = [e for e in doc["entities"] if e["main_role"] not in ROLES]
    assert page.locator("#side-entities > li").count() == len(doc["entities"]) - len(withheld_entities)
    page.check("#show-withheld")  # the header's one control
    page.wait_for_url("**include_withheld=true*", wait_until="commit")  # then the page says when it is ready
    _ready(page)
    assert page.is_checked("#show-withheld")
    assert _technique_spans(page) == set(range(len(doc["techniques"])))
    withheld_spans = [t for t in doc["techniques"] if not t["asserted"]]
    assert page.locator("#raw-text .technique-withheld").count() >= len(withheld_spans) > 0
    assert page.locator("#side-entities > li").count() == len(doc["entities"])
    greyed = page.locator("#side-entities > li.withheld")
    assert greyed.count() == len(withheld_entities) > 0
    assert f"{withheld_entities[0]['score']:.2f}" in greyed.first.inner_text()
    assert set(_entity_roles(page)) == set(range(len(doc["entities"])))
    # links carry the choice, so the corpus page opened from here counts withheld judgments too
    page.click("header nav a >> text=Corpus")
    page.wait_for_url("**/?include_withheld=true")  # the corpus page, not the article page still ready
    _ready(page)
    assert page.is_checked("#show-withheld")
    assert "withheld ones" in page.inner_text("#summary")


def test_evidence_only_for_the_narrative_the_reader_selects(page: Any, base: str) -> None:  # noqa: F811
    _, doc = get_json(f"{base}/api/articles/a2")
    page.goto(f"{base}/article?id=a2")
    _ready(page)

    def evidence() -> set[int]:
        pieces = page.eval_on_selector_all(
            "#raw-text .hl-evidence", "ns => ns.map(n => [Number(n.dataset.start), Number(n.dataset.end)])"
        )
        return {i for start, end in pieces for i in range(start, end)}

    def of(hits: list[dict[str, Any]]) -> set[int]:
        return {i for h in hits for ev in h["evidence"] for i in range(ev["start"], ev["end"])}

    with_evidence = [h for h in doc["narratives"] if h["evidence"]]
    assert evidence() == of(with_evidence[:1])
    page.select_option("#evidence-select", "none")
    assert evidence() == set()
    page.select_option("#evidence-select", "all")
    assert evidence() == of(with_evidence)
    pieces = page.eval_on_selector_all(
        "#raw-text .hl-evidence",
        "ns => ns.map(n => [Number(n.dataset.start), Number(n.dataset.end),"
        " [...n.classList].find(c => c.startsWith('evidence-'))])",
    )
    for start, end, colour in pieces:  # colour-coded per narrative; a sentence that is evidence of several: striped
        covering = {
            i
            for i, h in enumerate(doc["narratives"])
            if any(ev["start"] <= start and end <= ev["end"] for ev in h["evidence"])
        }
        assert colour == ("evidence-many" if len(covering) > 1 else f"evidence-{covering.pop() % 8}")
    page.select_option("#evidence-select", "none")
    page.click("#side-narratives .show-evidence >> nth=0")
    assert evidence() == of(with_evidence[:1])
    assert page.locator("#side-narratives li.selected").count() == 1


def test_corpus_page_counts_articles_charts_by_outlet_and_exports_the_list(page: Any, base: str) -> None:  # noqa: F811
    page.goto(f"{base}/")
    _ready(page)
    for plot in ("#plot-counts", "#plot-techniques", "#plot-outlets", "#plot-sub-outlets", "#plot-tech-outlets"):
        assert _chart_drawn(page, plot), f"{plot} has no chart"
    _, found = get_json(f"{base}/api/articles?technique=Loaded_Language")
    _, stats = get_json(f"{base}/api/stats/techniques?by=source")
    option = page.locator("#f-technique option[value='Loaded_Language']").inner_text()
    articles = {r["label"]: r["articles"] for r in stats["totals"]}["Loaded_Language"]
    assert option == f"Loaded_Language ({articles} articles)"  # a facet says what it counts
    assert "articles with at least one asserted judgment" in page.inner_text("#summary")
    _, coverage = get_json(f"{base}/api/coverage")
    assert f"techniques {coverage['techniques']} of {coverage['articles']}" in page.inner_text("#coverage")
    page.select_option("#f-technique", "Loaded_Language")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**technique=Loaded_Language*")
    _ready(page)
    assert page.locator("#articles tbody tr").count() == found["total"]
    href = page.get_attribute("#export-csv", "href")
    assert href is not None and "technique=Loaded_Language" in href and "format=csv" in href
    exported = page.evaluate("href => fetch(href).then(r => r.text())", href)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [r["id"] for r in rows] == sorted(a["id"] for a in found["items"])
