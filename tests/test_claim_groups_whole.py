"""Claim groups that cannot chain: a claim joins a group only when it matches the group as a whole, and the
groups do not depend on the order articles arrive in (in one call or ingested one batch at a time)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from narrascope.analysis import Analysis
from narrascope.article import Article
from narrascope.claims.clustering import leader_clusters, most_linked
from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import claim_vectors
from narrascope.pipeline import load_pipeline
from narrascope.store.db import Store

DATA = Path(__file__).parent / "data" / "claims"


def test_claim_group_never_chains_through_one_neighbour() -> None:
    # A-B, B-C, C-D match pairwise, nothing else: connected components would make one group of four
    keys = [(f"2024-01-0{n}", "x", 0, "") for n in range(1, 5)]
    links = {(0, 1): 0.95, (1, 2): 0.95, (2, 3): 0.95}
    clusters = leader_clusters(keys, links)
    assert max(len(c) for c in clusters) <= 2
    assert [0, 1] in clusters


def test_a_claim_must_match_most_of_the_group_not_only_its_leader() -> None:
    keys = [(f"2024-01-0{n}", "x", 0, "") for n in range(1, 6)]
    # 0, 1, 2, 3 all match each other; 4 matches the leader 0 only
    links = {(i, j): 0.95 for i in range(4) for j in range(i + 1, 4)} | {(0, 4): 0.95}
    clusters = leader_clusters(keys, links)
    assert sorted(clusters) == [[0, 1, 2, 3], [4]]


def test_leader_clusters_do_not_depend_on_the_order_of_units() -> None:
    keys = [(f"2024-01-{n:02d}", "x", 0, "") for n in range(1, 13)]
    rng = random.Random(3)
    links = {(i, j): 0.95 for i in range(12) for j in range(i + 1, 12) if rng.random() < 0.5}
    expected = {frozenset(c) for c in leader_clusters(keys, links)}
    for seed in range(5):
        order = list(range(12))
        random.Random(seed).shuffle(order)
        back = {new: old for new, old in enumerate(order)}
        shuffled_keys = [keys[old] for old in order]
        where = {old: new for new, old in back.items()}
        shuffled_links = {(min(where[i], where[j]), max(where[i], where[j])): s for (i, j), s in links.items()}
        got = {frozenset(back[u] for u in c) for c in leader_clusters(shuffled_keys, shuffled_links)}
        assert got == expected


def test_the_canonical_is_the_member_that_matches_most_others() -> None:
    links = {(0, 1): 0.9, (1, 2): 0.9, (1, 3): 0.9, (0, 2): 0.9}
    assert most_linked([0, 1, 2, 3], links, dict.fromkeys(range(4), 0.0)) == 1


def _paraphrases() -> list[Article]:
    texts = {
        "p1": "The ministry said that 12 villages were liberated by Russian troops in the east this week.",
        "p2": "Officials said that Russian troops liberated 12 villages in the east this week.",
        "p3": "The governor said that 12 villages in the east were liberated by Russian troops this week.",
        "q1": "The SVR said that the US has recruited 60 terrorists to attack Russia.",
        "q2": "СВР заявила, что США завербовали 60 террористов для терактов в России.",
        "r1": "Analysts said that the sanctions on oil exports will not stop the war.",
    }
    language = {"q2": "ru"}
    return [
        Article(id=k, raw_text=v, language=language.get(k, "en"), published=f"2024-03-{n + 1:02d}")
        for n, (k, v) in enumerate(texts.items())
    ]


@pytest.fixture(scope="module")
def analyses() -> list[Analysis]:
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    seeds = [
        Article(id=p.name, raw_text=p.read_text("utf-8"), language="en", published=f"2023-02-1{n}")
        for n, p in enumerate(sorted(DATA.glob("seed_*_essential.txt")))
    ]
    return [pipeline(a) for a in seeds + _paraphrases()]


def _partition(store: Store) -> set[frozenset[tuple[str, int]]]:
    groups: dict[int, set[tuple[str, int]]] = {}
    for article, start, group in store.conn.execute("SELECT article_id, start, group_id FROM claims"):
        groups.setdefault(group, set()).add((article, start))
    return {frozenset(g) for g in groups.values()}


def test_store_claim_groups_do_not_depend_on_arrival_order(tmp_path: Path, analyses: list[Analysis]) -> None:
    partitions = []
    for n, order in enumerate((analyses, analyses[::-1], analyses[3:] + analyses[:3])):
        store = Store(tmp_path / f"order{n}.db")
        for analysis in order:  # one article a batch: every group grows incrementally
            store.put_batch([analysis])
        partitions.append(_partition(store))
        empty = store.conn.execute(
            "SELECT count(*) FROM claim_groups WHERE id NOT IN (SELECT group_id FROM claims)"
        ).fetchone()[0]
        assert empty == 0
        store.close()
    assert partitions[0] == partitions[1] == partitions[2]
    # and the same as grouping everything at once
    records = [
        ClaimRecord(c.text, a.id, published=a.article.published, source=c.source, start=c.start,
                    language=a.article.language)
        for a in analyses for c in a.claims
    ]  # fmt: skip
    at_once = group_claims(records, vectors=claim_vectors([r.text for r in records]))
    assert {frozenset((m.article_id, m.start) for m in g.members) for g in at_once} == partitions[0]
    paraphrase = next(g for g in partitions[0] if ("p1", 0) in {(a, 0) for a, _ in g})
    assert {a for a, _ in paraphrase} >= {"p1", "p2", "p3"}
