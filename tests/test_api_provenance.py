"""Claim spread through the real API: groups counted in distinct outlets and stories, not in repeats."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from narrascope.article import Article
from narrascope.pipeline import Pipeline
from narrascope.store.db import Store
from tests.conftest import STORE_CORPUS
from tests.serving import get_json, running_server


def _record(article_id: str) -> dict[str, str]:
    return next(r for r in map(json.loads, STORE_CORPUS.read_text("utf-8").splitlines()) if r["id"] == article_id)


@pytest.fixture(scope="module")
def spread(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[str]:
    """The store corpus plus copies of a2: twice more from its own outlet, once relayed by another outlet."""
    db = tmp_path_factory.mktemp("provenance") / "spread.db"
    shutil.copy(corpus_db, db)
    a2 = _record("a2")
    copies = [("a2-again", "Pravda Mirror", "2023-02-15"), ("a2-mirror", "Pravda Mirror", "2023-02-16"),
              ("a2-relay", "Relay Daily", "2023-02-20")]  # fmt: skip
    store = Store(db)
    store.put_batch(
        [
            pipeline(Article(raw_text=a2["text"], id=i, source=s, published=p, title=a2["title"], language="en"))
            for i, s, p in copies
        ]
    )
    store.close()
    with running_server(str(db)) as url:
        yield url


def test_issue20_claim_groups_count_outlets_and_stories_not_repeats(spread: str) -> None:
    status, groups = get_json(f"{spread}/api/claims?min_size=2")
    assert status == 200 and groups["order"] == ["outlets", "stories", "articles", "size"]
    top = groups["items"][0]
    # the 60-militants claim: a1 (Daily Wire Desk), a2 + three copies (Pravda Mirror x3, Relay Daily), a5 (Euro Truth)
    assert (top["articles"], top["stories"], top["outlets"]) == (6, 3, 4), top
    assert top["unknown_outlet_stories"] == 0 and top["size"] >= top["articles"]
    ranks = [(g["outlets"], g["stories"], g["articles"], g["size"]) for g in groups["items"]]
    assert ranks == sorted(ranks, reverse=True)
    status, group = get_json(f"{spread}/api/claims/{top['id']}")
    assert status == 200
    assert group["counts"] | {"appearances": 0} == {
        "appearances": 0, "articles": 6, "stories": 3, "outlets": 4, "unknown_outlet_stories": 0, "languages": 1,
    }  # fmt: skip
    per_outlet = group["per_outlet"]
    assert [o["outlet"] for o in per_outlet] == ["Daily Wire Desk", "Pravda Mirror", "Relay Daily", "Euro Truth"]
    pravda = per_outlet[1]
    assert (pravda["first_article_id"], pravda["first_day"], pravda["articles"], pravda["stories"]) == (
        "a2", "2023-02-14", 3, 1,
    )  # fmt: skip
    assert all(o["stance"] in ("endorses", "reports", "disputes") and o["stances"] for o in per_outlet)
    assert {c["outlet"] for c in group["chains"]} == {o["outlet"] for o in per_outlet}
    assert sum(c["appearances"] for c in group["chains"]) == len(group["members"])
    assert all({"source", "relay", "outlet"} <= set(c) for c in group["chains"])
    assert {w["language"] for w in group["wordings"]} == {"en"}
    assert len(group["wordings"]) < len(group["members"])  # the copies' identical wording is listed once


def test_issue20_the_article_lists_its_story_copies(spread: str) -> None:
    status, doc = get_json(f"{spread}/api/articles/a2-relay")
    assert status == 200
    assert [c["id"] for c in doc["story"]["copies"]] == ["a2", "a2-again", "a2-mirror", "a2-relay"]
    assert doc["story"]["first_article"] == "a2"
    status, alone = get_json(f"{spread}/api/articles/a3")
    assert [c["id"] for c in alone["story"]["copies"]] == ["a3"]
