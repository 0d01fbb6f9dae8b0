"""Claim grouping across articles: the number and entity rules, provenance, blocking."""

from __future__ import annotations

import numpy as np

from narrascope.claims.blocking import candidate_pairs
from narrascope.claims.grouping import ClaimRecord, _vectors, group_claims


def rec(text: str, article: str, *, source: str | None = None, published: str | None = None) -> ClaimRecord:
    return ClaimRecord(text, article, outlet=f"{article}.example", published=published, source=source)


def together(groups: list, a: str, b: str) -> bool:
    for g in groups:
        ids = {m.article_id for m in g.members}
        if a in ids or b in ids:
            return a in ids and b in ids
    return False


def test_same_number_paraphrase_matches_but_another_number_does_not() -> None:
    records = [
        rec("The US has recruited 60 militants to attack Russia", "a", source="SVR"),
        rec("The US has recruited 60 terrorists to attack Russia", "b", source="SVR"),
        rec("The US has recruited 600 terrorists to attack Russia", "c", source="SVR"),
        rec("Global temperatures have risen by 1.1 degrees", "d"),
    ]
    groups = group_claims(records)
    assert together(groups, "a", "b")
    assert not together(groups, "a", "c")
    assert not together(groups, "b", "c")


def test_same_number_and_source_tie_looser_paraphrases() -> None:
    records = [
        rec("60 experienced militants were selected in January", "a", source="SVR"),
        rec("the US has recruited 60 terrorists with combat experience", "b", source="SVR"),
        rec("the US has recruited 60 terrorists with combat experience", "c", source="NATO"),
    ]
    groups = group_claims(records)
    assert together(groups, "a", "b")


def test_different_entities_and_negation_do_not_match() -> None:
    records = [
        rec("Hackers linked to the GRU targeted Ukrainian energy companies", "a"),
        rec("Hackers tied to the GRU targeted energy companies in Ukraine", "b"),
        rec("The GRU has never targeted Ukrainian energy companies", "c"),
        rec("Hackers linked to Hamas targeted Israeli water companies", "d"),
    ]
    groups = group_claims(records)
    assert together(groups, "a", "b")
    assert not together(groups, "a", "c")
    assert not together(groups, "a", "d")


def test_group_provenance_earliest_chain_and_canonical() -> None:
    records = [
        ClaimRecord("The US trains militants at Al-Tanf", "late", "tfi.example", "2023-02-14", "SVR", "Euronews"),
        ClaimRecord(
            "The US trains militants at Al-Tanf base", "early", "republic.example", "2023-02-13", "SVR", "TASS"
        ),
        ClaimRecord("the US trains militants at the Al-Tanf base", "mid", "x.example", "2023-02-13", "SVR", "TASS"),
    ]
    (group,) = group_claims(records)
    assert group.earliest.article_id == "early"
    assert group.sources == ["SVR"]
    assert group.relays == ["TASS", "Euronews"]
    assert group.chain.startswith("SVR \u2192 TASS, Euronews \u2192 ")
    assert group.canonical in {r.text for r in records}
    data = group.to_dict()
    assert data["earliest"]["article_id"] == "early" and len(data["members"]) == 3


def test_identical_texts_group_and_empty_input() -> None:
    assert group_claims([]) == []
    groups = group_claims([rec("Same words here", "a"), rec("same  words here", "b")])
    assert len(groups) == 1


def test_blocking_finds_the_exact_pairs_above_the_floor() -> None:
    rng = np.random.default_rng(1)
    words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron".split()
    texts = [" ".join(rng.choice(words, 6)) for _ in range(300)]
    matrix = _vectors(texts)
    exact = (matrix @ matrix.T).toarray()
    want = {(i, j) for i, j in zip(*np.nonzero(exact >= 0.6), strict=True) if i < j}
    got = {(int(i), int(j)) for i, j, _ in candidate_pairs(matrix, 0.6)}
    assert got <= want
    assert len(got) >= 0.97 * len(want)
