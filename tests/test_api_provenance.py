"""Claim spread through the real API: groups counted in distinct outlets and stories, not in repeats."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import get_json, running_server


@pytest.fixture(scope="module")
def spread(spread_db: Path) -> Iterator[str]:
    with running_server(str(spread_db)) as url:
        yield url


def test_claim_groups_count_outlets_and_stories_not_repeats(spread: str) -> None:
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
    assert all(o["stance"] in ("endorses", "reports", "disputes", "unclear") and o["stances"] for o in per_outlet)
    assert {c["outlet"] for c in group["chains"]} == {o["outlet"] for o in per_outlet}
    assert sum(c["appearances"] for c in group["chains"]) == len(group["members"])
    assert all({"source", "relay", "outlet"} <= set(c) for c in group["chains"])
    assert {w["language"] for w in group["wordings"]} == {"en"}
    assert len(group["wordings"]) < len(group["members"])  # the copies' identical wording is listed once


def test_the_article_lists_its_story_copies(spread: str) -> None:
    status, doc = get_json(f"{spread}/api/articles/a2-relay")
    assert status == 200
    assert [c["id"] for c in doc["story"]["copies"]] == ["a2", "a2-again", "a2-mirror", "a2-relay"]
    assert doc["story"]["first_article"] == "a2"
    status, alone = get_json(f"{spread}/api/articles/a3")
    assert [c["id"] for c in alone["story"]["copies"]] == ["a3"]


def test_stories_lists_the_articles_stored_more_than_once(spread: str) -> None:
    status, found = get_json(f"{spread}/api/stories")
    assert status == 200
    assert [(s["first_article"], s["copies"], s["articles"]) for s in found["items"]] == [
        ("a2", 4, ["a2", "a2-again", "a2-mirror", "a2-relay"]),
        ("xss1", 2, ["xss1", "xss1-relay"]),
    ]
    assert found["total"] == 2
    members = found["items"][0]["members"]  # each copy with what the Stories page shows
    assert sorted(m["id"] for m in members) == ["a2", "a2-again", "a2-mirror", "a2-relay"]
    assert all({"title", "source", "published"} <= set(m) for m in members)
    status, page = get_json(f"{spread}/api/stories?limit=1&offset=1")
    assert [s["first_article"] for s in page["items"]] == ["xss1"] and page["total"] == 2
    assert get_json(f"{spread}/api/stories?limit=0")[0] == 422
