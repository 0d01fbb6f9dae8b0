"""Stories on a real SQLite file: copies of one article found at ingest, incrementally and inside the batch."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.ingest.near_duplicates import THRESHOLD, band_keys, find_copies, shingles, signature, similarity
from narrascope.pipeline import Pipeline
from narrascope.store import db as store_db
from narrascope.store import stories
from narrascope.store.db import Store
from narrascope.store.ingest import ingest
from narrascope.store.queries import get_article
from narrascope.store.schema import MIGRATIONS

ORIGINAL = (
    "Picking losers: choosing nuclear over renewables will make the climate crisis worse\n\n"
    "One of the world's leading energy experts has debunked the claims that nuclear energy is essential to meet"
    " climate goals, saying that choosing nuclear over renewables and efficiency will make the crisis worse."
    " Carbon-free power is necessary but not sufficient; we also need cheap and fast, says Lovins, the co-founder"
    " of the Rocky Mountain Institute, who has been advising governments and companies for fifty years. New"
    " reactors take a decade or more to build, cost several times what wind and solar farms cost per unit of"
    " energy, and so buy less climate protection per dollar and per year, he told the conference in Vienna.\n"
)
# the same story relayed by another site: its own spacing, quotes and a line of its own at the end
RELAYED = ORIGINAL.replace("Lovins,", "“Lovins”,").replace("\n\n", "\n \n") + "Republished with permission.\n"
OTHER = (
    "Europe freezes as gas runs out\n\nEuropeans are freezing because of the sanctions against Russia, the"
    " commentator wrote, and the governments that imposed them will fall one by one before the spring comes."
)


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")


def _stories(store: Store) -> dict[str, int]:
    return {row[0]: row[1] for row in store.conn.execute("SELECT id, story_id FROM articles")}


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    assert shingles("One, two  THREE “four” five six") == shingles("one two three four five\nsix!")
    assert shingles("") == set() and signature("  ...  ") is None
    a, b, c = signature(ORIGINAL), signature(RELAYED), signature(OTHER)
    assert a is not None and b is not None and c is not None
    assert similarity(a, b) > 0.8 and similarity(a, c) < 0.1
    assert find_copies([("x", ORIGINAL), ("y", OTHER), ("z", RELAYED)]) == {"x": "x", "y": "y", "z": "x"}


def test_three_copies_are_one_story_across_two_ingest_runs(tmp_path: Path, pipeline: Pipeline) -> None:
    store = Store(tmp_path / "stories.db")
    _write(tmp_path / "run1", "CC_TEST_00001.txt", ORIGINAL)
    _write(tmp_path / "run1", "OTHER_1.txt", OTHER)
    first = ingest([str(tmp_path / "run1")], store, pipeline=pipeline)
    assert first.added == 2
    signatures_before = store.conn.execute("SELECT article_id, signature FROM story_signatures").fetchall()
    _write(tmp_path / "run2", "CC_TEST_00018.txt", ORIGINAL)
    _write(tmp_path / "run2", "EN_CC_300106.txt", RELAYED)
    second = ingest([str(tmp_path / "run2")], store, pipeline=pipeline)
    assert (second.added, second.present) == (2, 0)
    found = _stories(store)
    cc = {k: v for k, v in found.items() if "CC_" in k}
    assert len(cc) == 3 and len(set(cc.values())) == 1, found  # one story
    assert found["OTHER_1.txt"] not in cc.values()  # a different article is not merged
    assert store.count("stories") == 2
    # incremental: what the first run stored is untouched, and the story is named by its first article
    assert store.conn.execute("SELECT article_id, signature FROM story_signatures").fetchall()[:2] == signatures_before
    story = store.conn.execute("SELECT first_article FROM stories WHERE id = ?", (cc["CC_TEST_00001.txt"],)).fetchone()
    assert story[0] == "CC_TEST_00001.txt"
    # the article page lists the copies
    document = get_article(store, "EN_CC_300106.txt")
    assert document is not None
    assert [c["id"] for c in document["story"]["copies"]] == [
        "CC_TEST_00001.txt",
        "CC_TEST_00018.txt",
        "EN_CC_300106.txt",
    ]
    assert json.dumps(document)  # plain JSON


def test_a_failed_batch_leaves_no_story_behind(
    tmp_path: Path, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "killed.db")
    store.put_batch([pipeline(Article(raw_text=OTHER, id="other"))])
    analyses = [pipeline(Article(raw_text=ORIGINAL, id="a")), pipeline(Article(raw_text=RELAYED, id="b"))]

    def fail(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")  # the batch dies after its stories were placed

    monkeypatch.setattr(store_db, "assign_groups", fail)
    with pytest.raises(sqlite3.OperationalError):
        store.put_batch(analyses)
    counts = [store.count(t) for t in ("articles", "stories")]
    assert counts == [1, 1]
    assert store.conn.execute("SELECT count(*) FROM story_bands WHERE article_id != 'other'").fetchone()[0] == 0
    monkeypatch.undo()
    store.put_batch(analyses)  # the rerun finds them as if nothing had happened
    found = _stories(store)
    assert found["a"] == found["b"] != found["other"]


def test_a_replaced_article_leaves_its_story(tmp_path: Path) -> None:
    store = Store(tmp_path / "replaced.db")
    store.put_batch([Analysis(Article(raw_text=ORIGINAL, id="a")), Analysis(Article(raw_text=RELAYED, id="b"))])
    story = _stories(store)["a"]
    store.put_batch([Analysis(Article(raw_text=OTHER, id="a"))])  # "a" now says something else
    found = _stories(store)
    assert found["b"] == story and found["a"] != story
    assert store.conn.execute("SELECT first_article FROM stories WHERE id = ?", (story,)).fetchone()[0] == "b"
    assert store.count("stories") == 2


def test_articles_stored_before_stories_get_one(tmp_path: Path) -> None:
    store = Store(tmp_path / "legacy.db")
    store.put_batch([Analysis(Article(raw_text=ORIGINAL, id="a")), Analysis(Article(raw_text=OTHER, id="o"))])
    with store.transaction():  # as an older narrascope left them: no story, no signature
        store.conn.execute("UPDATE articles SET story_id = NULL")
        store.conn.execute("DELETE FROM story_signatures")
        store.conn.execute("DELETE FROM story_bands")
        store.conn.execute("DELETE FROM stories")
    store.put_batch([Analysis(Article(raw_text=RELAYED, id="b"))])
    found = _stories(store)
    assert found["a"] == found["b"] != found["o"] and None not in found.values()
    expected = {"id": found["a"], "first_article": "a", "copies": 2, "articles": ["a", "b"]}
    assert stories.stories_with_copies(store.conn) == [expected]


def test_a_story_holds_each_band_key_once_so_a_large_story_costs_no_more_per_copy(tmp_path: Path) -> None:
    store = Store(tmp_path / "wire.db")
    exact = [Article(raw_text=ORIGINAL, id=f"copy-{i:03d}") for i in range(30)]  # a wire story re-posted unchanged
    for start in range(0, len(exact), 7):
        store.put_batch([Analysis(a) for a in exact[start : start + 7]])
    assert len(set(_stories(store).values())) == 1 and store.count("stories") == 1
    indexed = [r[0] for r in store.conn.execute("SELECT DISTINCT article_id FROM story_bands")]
    assert indexed == ["copy-000"]  # exact copies add no key: whatever finds them finds the first article
    edited = [Article(raw_text=f"{RELAYED}\nCopy {i}.", id=f"edit-{i:03d}") for i in range(10)]
    store.put_batch([Analysis(a) for a in edited])
    assert len(set(_stories(store).values())) == 1
    repeated = store.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM story_bands b JOIN articles a ON a.id = b.article_id"
        " GROUP BY a.story_id, b.band, b.key HAVING count(*) > 1)"
    ).fetchone()[0]
    assert repeated == 0  # one holder per key and story
    values = signature(RELAYED + "\nCopy 40.")
    assert values is not None
    keys = band_keys(values)
    matches = stories._matches(store.conn, keys)
    assert len(matches) <= len(keys)  # at most one article of the story per band, whatever the story's size
    placement = stories.place(store.conn, "edit-040", RELAYED + "\nCopy 40.")
    assert placement.story_id == _stories(store)["copy-000"] and placement.similarity is not None
    assert set(placement.keys).isdisjoint((m[3], m[4]) for m in matches)  # it records only what the story lacks
    # a store written before kept its first and 8 most recent copies' keys; its migration dropped the older ones
    assert any(f"recent > {stories.RECENT_COPIES}" in m for m in MIGRATIONS)


def test_a_copy_of_an_edited_copy_finds_its_story_through_the_edits_keys(tmp_path: Path) -> None:
    store = Store(tmp_path / "drift.db")
    words = ORIGINAL.split()
    drafts = [" ".join(words)]
    for step in range(4):  # each re-post replaces a further 12 words of the one before
        words = [*words[: 12 * step], *(f"edit{step}x{j}" for j in range(12)), *words[12 * step + 12 :]]
        drafts.append(" ".join(words))
    first, last = signature(drafts[0]), signature(drafts[-1])
    assert first is not None and last is not None and similarity(first, last) < THRESHOLD  # not a copy of the first
    for i, text in enumerate(drafts):
        store.put_batch([Analysis(Article(raw_text=text, id=f"draft-{i}"))])
    found = _stories(store)
    assert len(set(found.values())) == 1, found
    assert store.conn.execute("SELECT count(DISTINCT article_id) FROM story_bands").fetchone()[0] > 1


def test_a_new_first_article_gets_its_band_keys_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "moved.db")
    store.put_batch([Analysis(Article(raw_text=f"{ORIGINAL}\nCopy {i}.", id=f"c{i:02d}")) for i in range(12)])
    store.put_batch([Analysis(Article(raw_text=OTHER, id="c00"))])  # the first article now says something else
    first = store.conn.execute("SELECT first_article FROM stories WHERE first_article != 'c00'").fetchone()[0]
    assert first == "c01"
    assert store.conn.execute("SELECT count(*) FROM story_bands WHERE article_id = 'c01'").fetchone()[0] == 25
