"""The counts kept at ingest say what the queries over every article say; the large-store paths use indexes.

A small scale check on a real SQLite file (the 100,000-article figures: `benchmarks/store_scale.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from narrascope.analysis import Analysis, Claim, EntityRole, NarrativeHit, TechniqueSpan
from narrascope.article import Article
from narrascope.learn.uncertainty import label_entropy, margin, review_key
from narrascope.store import counts, entity_queries, queries, stories
from narrascope.store.actors import actor_details, add_actor_correction, undo_actor_correction
from narrascope.store.corrected import refresh
from narrascope.store.correction_record import CorrectionIn
from narrascope.store.corrections import add_correction, undo_correction
from narrascope.store.db import Store
from narrascope.store.entity_queries import entity_framing, list_entities
from narrascope.store.judgments import CORRECTED, asserted_sql
from narrascope.store.provenance import list_claim_groups
from narrascope.store.queries import ArticleFilter, label_stats, list_articles
from narrascope.store.review import review_queue
from narrascope.store.trends import trends

TABLES = ("label_days", "label_outlets")
NARRATIVES = ("URW: Blaming the war on others", "CC: Criticism of institutions", "Other")
ROLES = ("Protagonist", "Antagonist", "uncertain")


class EveryArticle(ArticleFilter):
    """No filter, written so that the queries run over every article instead of reading the kept counts."""

    def where(self) -> tuple[str, list[Any]]:
        return "1 = 1", []


def _analysis(i: int, *, text: str = "") -> Analysis:
    article = Article(
        raw_text=text or f"Article {i} says the war was provoked by others, number {i * 7919}.",
        id=f"a{i:03d}",
        source=None if i % 5 == 0 else f"outlet-{i % 4}",
        published=None if i % 6 == 0 else f"2024-0{1 + i % 3}-{1 + i % 27:02d}",
    )
    narratives = [
        NarrativeHit(NARRATIVES[i % 3], "narrative", 0.3 + (i % 7) / 10),
        NarrativeHit(f"{NARRATIVES[i % 3]}: sub {i % 2}", "subnarrative", 0.55),
    ]
    if i % 4 == 0:
        narratives.append(NarrativeHit(NARRATIVES[(i + 1) % 3], "narrative", 0.2))
    entities = [
        EntityRole(f"Entity {i % 3}", "GPE", ROLES[i % 3], (), 0.6, (), candidate_role="Antagonist"),
        EntityRole("Entity 9", "ORG", ROLES[(i + 1) % 3], (), 0.4, (), candidate_role="Innocent"),
    ]
    techniques = [
        TechniqueSpan(0, 7, "Article", "Loaded_Language", 0.8, asserted=bool(i % 2)),
        TechniqueSpan(8, 10, str(i)[:2], "Doubt", 0.7),
    ]
    return Analysis(article, narratives=narratives, entities=entities, techniques=techniques)


def _store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "kept.db")
    for start in range(0, 60, 16):
        store.put_batch([_analysis(i) for i in range(start, min(60, start + 16))])
    # replaced articles: their old judgments leave the counts, their new ones enter
    store.put_batch([_analysis(i, text=f"Rewritten article {i}, now about something else.") for i in (3, 10, 44)])
    return store


def test_kept_counts_equal_the_counts_over_every_article(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for withheld in (False, True):
        for kind in ("narrative", "subnarrative", "technique"):
            for by in ("day", "week", "month", "source"):
                kept = label_stats(store, kind, by, ArticleFilter(include_withheld=withheld))
                live = label_stats(store, kind, by, EveryArticle(include_withheld=withheld))
                assert kept == live, (kind, by, withheld)
                assert kept["totals"], (kind, by)
    kept = [store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4").fetchall() for t in TABLES]
    with store.transaction():
        counts.rebuild(store.conn)  # what the migration counts in a store written before: the same
    assert [store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4").fetchall() for t in TABLES] == kept


def test_kept_counts_follow_an_analysts_rejection_and_its_undo(tmp_path: Path) -> None:
    store = _store(tmp_path)
    label = store.conn.execute(
        "SELECT label FROM narratives WHERE article_id = 'a007' AND level = 'narrative' AND asserted = 1"
    ).fetchone()[0]

    def both(label_filter: str) -> tuple[int, int]:
        kept = label_stats(store, "narrative", "source", ArticleFilter())["totals"]
        live = label_stats(store, "narrative", "source", EveryArticle())["totals"]
        assert kept == live
        return next((t["articles"] for t in kept if t["label"] == label_filter), 0), list_articles(
            store, ArticleFilter(narrative=label_filter), limit=1, offset=0
        )["total"]

    before = both(label)
    with store.transaction():
        store.conn.execute(
            "INSERT INTO corrections (article_id, layer, action, label, user, created_at) VALUES"
            " ('a007', 'narrative', 'reject', ?, 'ana', '2024-01-01')",
            (label,),
        )
        refresh(store.conn, ["a007"])
    assert both(label) == (before[0] - 1, before[1] - 1)  # the corrected view, kept and live alike
    model = label_stats(store, "narrative", "source", ArticleFilter(view="model"))["totals"]
    assert next(t["articles"] for t in model if t["label"] == label) == before[0]  # the model's own view
    with store.transaction():
        store.conn.execute("UPDATE corrections SET undone_at = '2024-01-02' WHERE article_id = 'a007'")
        refresh(store.conn, ["a007"])
    assert both(label) == before


def test_trends_read_only_the_two_periods(tmp_path: Path) -> None:
    store = _store(tmp_path)
    found = trends(store, period="week", until="2024-02-10", limit=10)
    narrative = found["kinds"]["narrative"]
    assert narrative and all(item["first_seen"] <= "2024-02-10" for item in narrative)
    earliest = store.conn.execute(
        "SELECT min(a.day) FROM narratives n JOIN articles a ON a.id = n.article_id WHERE n.label = ?"
        " AND n.level = 'narrative' AND n.asserted = 1",
        (narrative[0]["key"],),
    ).fetchone()[0]
    assert narrative[0]["first_seen"] == earliest and narrative[0]["new"] is False
    outlets = found["kinds"]["outlet"]
    assert outlets
    for outlet in outlets:
        first = store.conn.execute(
            "SELECT min(day) FROM articles WHERE source = ? AND day <= '2024-02-10'", (outlet["key"],)
        ).fetchone()[0]
        assert outlet["first_seen"] == first and outlet["new"] == (first >= found["current"]["from"])


def test_the_large_store_paths_read_indexes_not_every_article(tmp_path: Path) -> None:
    store = _store(tmp_path)

    def plan(sql: str, args: list[Any]) -> str:
        return " | ".join(str(r[3]) for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql, args))

    listing = plan("SELECT a.id FROM articles a WHERE 1 ORDER BY a.day IS NULL, a.day DESC, a.id LIMIT 25 OFFSET 5", [])
    assert "articles_listing" in listing and "TEMP B-TREE" not in listing
    page = list_articles(store, ArticleFilter(), limit=5, offset=5)
    days = [i["day"] for i in page["items"]]
    assert page["total"] == 60 and days == sorted(days, reverse=True)


def test_the_kept_claim_group_spread_equals_the_spread_over_every_claim(tmp_path: Path) -> None:
    store = Store(tmp_path / "spread.db")
    said = "The minister said that the sanctions against Russia have failed and will be lifted next year."
    other = "Farmers in Poland blocked the border crossings for a third week over cheap grain imports."
    for start in range(0, 30, 10):
        batch = []
        for i in range(start, start + 10):
            text = f"Report {i} on the economy, with figures {i * 31} and {i * 17}. {said}" if i % 3 else said
            article = Article(raw_text=text, id=f"c{i:02d}", source=None if i % 4 == 0 else f"outlet-{i % 5}",
                              published=f"2024-03-{1 + i % 20:02d}", language="en" if i % 7 else "de")  # fmt: skip
            claim = said if i % 2 else other
            claims = [Claim(0, len(claim), claim, "The minister", None, None, None, None, (), "reports", 0.8, 0.9)]
            batch.append(Analysis(article, claims=claims))
        store.put_batch(batch)
    store.put_batch([Analysis(Article(raw_text="Something else entirely, said nobody.", id="c05"))])  # replaced
    with store.transaction():  # two groups merged, as a bridging claim does
        first, second = [r[0] for r in store.conn.execute("SELECT id FROM claim_groups ORDER BY id LIMIT 2")]
        store.conn.execute("UPDATE claims SET group_id = ? WHERE group_id = ?", (first, second))
        store.conn.execute("DELETE FROM claim_groups WHERE id = ?", (second,))
    live = [
        dict(r)
        for r in store.conn.execute(
            "SELECT g.id, g.canonical, g.source, count(c.id) AS size, count(DISTINCT c.article_id) AS articles,"
            " count(DISTINCT a.source) AS outlets, count(DISTINCT COALESCE(a.story_id, -a.rowid)) AS stories,"
            " count(DISTINCT CASE WHEN a.source IS NULL THEN COALESCE(a.story_id, -a.rowid) END)"
            " AS unknown_outlet_stories, count(DISTINCT a.language) AS languages, min(a.day) AS first_day"
            " FROM claim_groups g JOIN claims c ON c.group_id = g.id JOIN articles a ON a.id = c.article_id"
            " GROUP BY g.id ORDER BY outlets DESC, stories DESC, articles DESC, size DESC, g.id"
        )
    ]
    assert live and list_claim_groups(store, q=None, min_size=1, limit=100, offset=0)["items"] == live
    kept = store.conn.execute("SELECT * FROM claim_group_parts ORDER BY 1, 2, 3").fetchall()
    assert all(r["claims"] > 0 for r in kept)


def test_a_filtered_page_is_the_same_read_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(tmp_path)
    filters = [
        ArticleFilter(narrative=NARRATIVES[0]), ArticleFilter(subnarrative=f"{NARRATIVES[1]}: sub 1"),
        ArticleFilter(technique="Loaded_Language"), ArticleFilter(technique="Loaded_Language", include_withheld=True),
        ArticleFilter(entity="Entity 9"), ArticleFilter(entity="Entity 1", role="Antagonist"),
        ArticleFilter(entity="Entity 9", role="Protagonist"), ArticleFilter(entity="Entity 9", role="Innocent"),
        ArticleFilter(entity="Entity 9", role="Antagonist", include_withheld=True),
        ArticleFilter(narrative=NARRATIVES[2], source="outlet-1"),
    ]  # fmt: skip
    found = []
    for flt in filters:
        where, args = flt.where()
        total = store.conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
        pages = []
        for frequent in (0, 10**9):  # looked up per article, or listed first
            monkeypatch.setattr(queries, "FREQUENT", frequent)
            pages.append(list_articles(store, flt, limit=7, offset=3))
        assert pages[0] == pages[1] and pages[0]["total"] == total, flt
        found.append(total)
    assert sum(1 for total in found if total > 3) >= len(filters) - 1  # only the Innocent one matches nothing


def _queue_over_every_article(store: Store) -> list[tuple[str, bool, bool, float, float]]:
    """The review queue's order ranked over every article, as the queue ranked it before its order was kept."""
    scores: dict[str, list[float]] = {}
    candidates: set[str] = set()
    for article_id, label, score, asserted in store.conn.execute(
        "SELECT article_id, label, score, asserted FROM narratives WHERE model = 1 AND level = 'narrative'"
    ):
        scores.setdefault(article_id, []).append(score)
        if not asserted and label != "Other":
            candidates.add(article_id)
    reviewed = {
        r[0]
        for r in store.conn.execute("SELECT article_id FROM corrections WHERE undone_at IS NULL AND stale_at IS NULL")
    }
    found = store.conn.execute("SELECT id, day, ingested_at FROM articles").fetchall()
    found.sort(key=lambda a: a[0])
    found.sort(key=lambda a: (a[1] or "", a[2] or ""), reverse=True)
    found.sort(key=lambda a: (a[0] in reviewed, a[0] not in candidates, *review_key(sorted(scores.get(a[0], [])))))
    return [
        (
            a[0],
            a[0] in reviewed,
            a[0] in candidates,
            margin(scores.get(a[0], [])),
            label_entropy(sorted(scores.get(a[0], []))),
        )
        for a in found
    ]


def _kept_equal_live(store: Store) -> None:
    """The kept review order and actors' counts say what the queries over every row say."""
    live = _queue_over_every_article(store)
    kept = review_queue(store, ArticleFilter(), limit=1000, offset=0)["items"]
    assert [(i["id"], i["reviewed"], bool(i["candidates"])) for i in kept] == [r[:3] for r in live]
    assert [(i["margin"], i["entropy"]) for i in kept] == [(round(r[3], 4), round(r[4], 4)) for r in live]
    page = review_queue(store, ArticleFilter(source="outlet-1"), limit=5, offset=2)
    sources = dict(store.conn.execute("SELECT id, source FROM articles").fetchall())
    assert [i["id"] for i in page["items"]] == [r[0] for r in live if sources[r[0]] == "outlet-1"][2:7]
    for withheld in (False, True):
        listed = list_entities(store, q=None, limit=100, offset=0, include_withheld=withheld)["items"]
        assert listed == entity_queries._live_entities(store, "", [], 100, 0, withheld, CORRECTED)
        assert listed and any(item["roles"] for item in listed)
        searched = list_entities(store, q="ntity 1", limit=100, offset=1, include_withheld=withheld)["items"]
        matched = " AND e.actor_id IN (SELECT actor_id FROM entities WHERE entity LIKE ?)"
        assert searched == entity_queries._live_entities(store, matched, ["%ntity 1%"], 100, 1, withheld, CORRECTED)
    actor = list_entities(store, q=None, limit=1, offset=0)["items"][0]["actor_id"]
    framing = entity_framing(store, actor)
    assert framing is not None
    for listed_actor in store.conn.execute("SELECT DISTINCT actor_id FROM entities WHERE actor_id IS NOT NULL"):
        for withheld in (False, True):  # each actor's framing by outlet, kept, is what its entity rows say
            kept_framing = entity_framing(store, listed_actor[0], include_withheld=withheld)
            live = entity_queries._live_by_source(store, listed_actor[0], withheld, CORRECTED)
            assert (kept_framing or {"by_source": []})["by_source"] == live
            judged = asserted_sql("e", include_withheld=withheld)
            role = entity_queries._shown_role(withheld, CORRECTED)
            for limit in (2, 5, 500):  # walking the articles by day finds the rows sorting the actor's rows finds
                walked, sorted_rows = (
                    store.conn.execute(entity_queries._by_day_sql(role, judged, limit, walk=walk), (listed_actor[0],))
                    .fetchall() for walk in (True, False)
                )  # fmt: skip
                assert [tuple(r) for r in walked] == [tuple(r) for r in sorted_rows]
    assert {k: framing[k] for k in ("entity", "entities", "forms", "languages")} == {
        k: v for k, v in actor_details(store.conn, actor, "1").items() if k != "actor_id"
    }
    kept = (("actor_articles", "articles"), ("actor_names", "rows"), ("actor_outlets", "articles"))
    kept_rows = [store.conn.execute(f"SELECT * FROM {t} WHERE {c} != 0 ORDER BY 1, 2, 3, 4").fetchall()
                 for t, c in kept]  # fmt: skip
    with store.transaction():
        counts.rebuild(store.conn)  # what the migration counts in a store written before: the same
    assert [store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4").fetchall()
            for t, _ in kept] == kept_rows  # fmt: skip


def test_the_kept_review_order_and_actor_counts_follow_corrections_merges_splits_and_undos(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _kept_equal_live(store)  # after ingest, with replaced articles
    made = [
        add_correction(store, CorrectionIn("entity", "reject", entity="Entity 9"), article_id="a004", user="ana"),
        add_correction(
            store, CorrectionIn("entity", "change", label="Innocent", entity="Entity 1"), article_id="a007", user="ana"
        ),
        add_correction(
            store,
            CorrectionIn("entity", "add", label="Antagonist", entity="Article", start=0, end=7),
            article_id="a012",
            user="ana",
        ),
    ]
    with store.transaction():  # a label outside the shipped taxonomy: written as add_correction writes it
        store.conn.execute(
            "INSERT INTO corrections (article_id, layer, action, label, user, created_at) VALUES"
            " ('a009', 'narrative', 'reject', ?, 'ana', '2024-01-01')",
            (NARRATIVES[0],),
        )
        refresh(store.conn, ["a009"])
    _kept_equal_live(store)  # reviewed articles leave the head of the queue; roles and counts follow
    merged = add_actor_correction(store.conn, "merge", "entity 1", into="entity 9")
    _kept_equal_live(store)
    split = add_actor_correction(store.conn, "split", "entity 9", entity="Entity 1")
    _kept_equal_live(store)
    store.put_batch([_analysis(7, text="Article 7, stored again with another text.")])  # re-ingest: both kept
    _kept_equal_live(store)
    undo_actor_correction(store.conn, split.id)
    undo_actor_correction(store.conn, merged.id)
    for number in [*(c.id for c in made), len(made) + 1]:
        undo_correction(store, number)
    _kept_equal_live(store)


def test_the_kept_articles_without_a_narrative_equal_the_count_over_every_article(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with store.transaction():  # an article the narrative model did not run on, and one whose label is rejected
        store.conn.execute("UPDATE articles SET not_covered = ' narratives ' WHERE id = 'a002'")
        counts.rebuild(store.conn)
        store.conn.execute(
            "INSERT INTO corrections (article_id, layer, action, label, user, created_at) VALUES"
            " ('a009', 'narrative', 'reject', ?, 'ana', '2024-01-01')",
            (NARRATIVES[0],),
        )
        refresh(store.conn, ["a009"])  # its one narrative rejected: it has none left
    store.put_batch([_analysis(i) for i in (61, 62, 63)])  # 62 has `Other` only
    store.put_batch([_analysis(13, text="Article 13 stored again with another text.")])
    found = set()
    for withheld in (False, True):
        for level in ("narrative", "subnarrative"):
            kept = queries.narrative_stats(store, "source", ArticleFilter(include_withheld=withheld), level=level)
            live = queries.narrative_stats(store, "source", EveryArticle(include_withheld=withheld), level=level)
            assert kept["articles_without"] == live["articles_without"], (withheld, level)
            assert kept == live  # and the whole corpus's articles, outlets and coverage
            found.add(kept["articles_without"])
    assert len(found) > 1  # the views and levels differ: the comparison can fail
    kept_coverage = queries.coverage(store, ArticleFilter())
    assert kept_coverage == queries.coverage(store, EveryArticle())
    assert kept_coverage["narratives"] == kept_coverage["articles"] - 1 == 62


def test_the_kept_story_copies_equal_the_count_over_every_article(tmp_path: Path) -> None:
    store = _store(tmp_path)
    wire = "A wire story about the grain corridor, re-posted word for word by many outlets across the region today."
    store.put_batch([_analysis(i, text=wire) for i in range(70, 76)])
    store.put_batch([_analysis(i, text=f"{wire} Another paragraph.") for i in range(80, 83)])
    store.put_batch([_analysis(72, text="Article 72 now says something else entirely.")])  # leaves its story
    live = store.conn.execute(
        "SELECT a.story_id, s.first_article, count(*) FROM articles a JOIN stories s ON s.id = a.story_id"
        " GROUP BY a.story_id HAVING count(*) > 1 ORDER BY 3 DESC, a.story_id"
    ).fetchall()
    kept = stories.stories_with_copies(store.conn, limit=100)
    assert [(s["id"], s["first_article"], s["copies"]) for s in kept] == [tuple(r) for r in live]
    assert live and live[0][2] >= 5 and stories.story_count(store.conn) == len(live)
    assert all(len(s["articles"]) == s["copies"] for s in kept)


def test_the_store_benchmark_runs_end_to_end_on_a_small_store(corpus_db: Path, tmp_path: Path) -> None:
    """`benchmarks/store_scale.py` builds, serves and times a store through the store's own write path: a change of
    `Store.put_batch` that the benchmark does not follow fails here, not in the 100,000-article run."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "store_scale.py"
    command = [sys.executable, str(script), "--n", "40", "--timed", "0", "--analyses", str(corpus_db)]
    command += ["--keep", str(tmp_path / "scale.db"), "--repeat", "1", "--pages", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "40 articles" in done.stdout and "over the target" in done.stdout, done.stdout[-2000:]
