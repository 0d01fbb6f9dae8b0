"""Alerts that mean something: a rule fires on the new articles of its window, never on what the store held
before its first round, never on an undated article; each alert names the articles that caused it; and
`claim_growth` fires when a claim reaches new outlets, over a real feed on 127.0.0.1 (tests/watch_server.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from narrascope.pipeline import Pipeline
from narrascope.sources.fetch import FetchOptions
from narrascope.sources.watch import WatchOptions, watch
from narrascope.store.alerts import Rule, Rules, evaluate
from narrascope.store.db import Store
from narrascope.store.ingest import ingest
from tests.watch_server import serving

OPTIONS = FetchOptions(timeout=5, delay=0.0, backoff=0.01, allow_private=True)
TODAY = datetime.now(UTC).date()
BODY = (
    "The West is arming terrorists to destabilise the region, the agency said. NATO is an aggressive bloc that"
    " provoked the war in Ukraine and now wants to weaken Russia from within. Western officials dismissed this."
)
CLAIM = "According to the SVR, sixty militants were selected in November and will be sent across the border."


def _article(slug: str, outlet: str, day: str, lead: str) -> dict[str, Any]:
    return {"slug": slug, "title": f"{outlet}: militants", "outlet": outlet, "author": "Desk", "published": day,
            "text": f"{lead} {CLAIM} {BODY}"}  # fmt: skip


def _round(web: Any, store: Store, pipeline: Pipeline, rules: Rules) -> list[dict[str, Any]]:
    found: list[list[dict[str, Any]]] = []
    options = WatchOptions(once=True, max_items=20, batch_size=4, fetch=OPTIONS)
    watch([f"{web.base}/all.xml"], store, pipeline, options=options, rules=rules,
          on_round=lambda n, s, a: found.append(list(a)))  # fmt: skip
    return found[0]


def test_first_round_alerts_only_new_articles_and_claim_growth_fires_when_the_claim_spreads(
    asserting_pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline = asserting_pipeline  # the rule matches an asserted narrative of these short articles
    store = Store(tmp_path / "w.db")
    history = tmp_path / "history.jsonl"  # what the store held before watching: same claim, one dated, one not
    records = [
        {"id": "old-dated", "title": "Old Wire: militants", "source": "Old Wire", "published": TODAY.isoformat(),
         "text": f"Officials spoke on Monday. {CLAIM} {BODY}"},
        {"id": "old-undated", "title": "Undated: militants", "source": "Undated Post",
         "text": f"Officials spoke on Friday. {CLAIM} {BODY}"},
    ]  # fmt: skip
    history.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    assert ingest([str(history)], store, pipeline=pipeline).added == 2
    label = store.conn.execute(
        "SELECT label FROM narratives WHERE article_id = 'old-dated' AND level = 'narrative' AND asserted = 1"
        " ORDER BY score DESC LIMIT 1"
    ).fetchone()[0]
    rules = Rules([Rule("pushes", "narrative", narrative=label), Rule("spreads", "claim_growth", min_outlets=2)])
    old_day = (TODAY - timedelta(days=30)).isoformat()
    articles = [_article("x-first", "X Courier", TODAY.isoformat(), "Officials spoke on Tuesday."),
                _article("archive", "Archive Daily", old_day, "Officials spoke a month ago.")]  # fmt: skip
    with serving(articles=articles) as web:
        first = _round(web, store, pipeline, rules)
        # the round's one new, dated, in-window article alerts; the stored history and the feed's archive do not
        assert [(a["rule"], a["article_id"]) for a in first] == [("pushes", f"{web.base}/news/x-first.html")]
        assert first[0]["links"] == [f"/article?id={quote(web.base + '/news/x-first.html', safe='')}"]
        web.articles["y-relay"] = _article("y-relay", "Y Relay", TODAY.isoformat(), "Officials spoke on Wednesday.")
        web.articles["z-news"] = _article("z-news", "Z News", TODAY.isoformat(), "Officials spoke on Thursday.")
        second = _round(web, store, pipeline, rules)
    growth = [a for a in second if a["rule"] == "spreads"]
    assert any("sixty militants" in a["subject"] for a in growth), second
    for alert in growth:  # the article's claims, each once: Old Wire carried them before the baseline, not new
        assert alert["outlets"] == ["X Courier", "Y Relay", "Z News"]
        assert set(alert["articles"]) == {f"{web.base}/news/{s}.html" for s in ("x-first", "y-relay", "z-news")}
        assert alert["links"][0] == f"/claim?id={alert['group']}"
    assert {a["article_id"] for a in second if a["rule"] == "pushes"} <= {
        f"{web.base}/news/{s}.html" for s in ("y-relay", "z-news")
    }
    assert evaluate(store, rules) == []  # evaluated again: nothing new
    store.close()
