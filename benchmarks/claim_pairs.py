"""Same claim or not: precision / recall / F1 of the claim matcher on the labelled pairs, per language.

    python benchmarks/claim_pairs.py            # the held-out half, shipped thresholds, beside today's grouping
    python benchmarks/claim_pairs.py --tune     # grid-search the thresholds on the tune half, then as above

`benchmarks/data/claim_pairs.jsonl` (written before any tuning): side `a` is a real sentence of SemEval-2025
Task 10 train (its document named), side `b` a real sentence, a paraphrase or translation written for the
set, or an edited copy (hard negatives: another figure, another actor, a negation, another predicate); and
150 pairs of claims of two different articles of the unlabeled corpus that e5 finds close (kind "same-topic":
the same topic, actors and weeks, labelled by reading; 148 say different things). Rows
where `lang_a != lang_b` are the cross-lingual column. "word overlap (before)" is the grouping before
embeddings: TF-IDF cosine with number and negation rules, no encoder. The matcher's own checks (figures, actors,
edited copies: `claims/agreement.py`) apply to both the e5 score and the word-overlap links, as in grouping.
Embeddings are cached under /tmp.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from narrascope.claims.agreement import disagree, facts_of
from narrascope.claims.grouping import ClaimRecord, evidence_vectors, group_claims
from narrascope.claims.matching import PARAMS, MatchParams, is_match, match_score, quotes
from narrascope.learn.encoder import sentence_encoder

DATA = Path(__file__).parent / "data" / "claim_pairs.jsonl"
GROUPS = ("EN", "BG", "HI", "PT", "RU", "cross")


def embeddings(texts: list[str]) -> dict[str, np.ndarray]:
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    cache = Path(f"/tmp/narrascope-claim-pairs-q-{key}.npy")
    if cache.exists():
        vectors = np.load(cache)
    else:
        start = time.perf_counter()
        vectors = sentence_encoder().encode(texts, query=True)
        print(f"embedded {len(texts)} texts in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        np.save(cache, vectors)
    return dict(zip(texts, vectors, strict=True))


def features(rows: list[dict]) -> None:
    texts = sorted({r["a"] for r in rows} | {r["b"] for r in rows})
    vectors = embeddings(texts)
    lexical, unquoted = evidence_vectors(texts)  # shared wording; outside quotations when both quote
    at = {t: i for i, t in enumerate(texts)}
    for r in rows:
        r["semantic"] = float(vectors[r["a"]] @ vectors[r["b"]])
        words = unquoted if quotes(r["a"]) and quotes(r["b"]) else lexical
        r["lexical"] = float(words[at[r["a"]]].multiply(words[at[r["b"]]]).sum())
        r["facts"] = (facts_of(r["a"], r["lang_a"]), facts_of(r["b"], r["lang_b"]))
        r["group"] = "cross" if r["lang_a"] != r["lang_b"] else r["lang_a"]
        before = group_claims([ClaimRecord(text=r["a"], article_id="a"), ClaimRecord(text=r["b"], article_id="b")])
        r["before"] = len(before) == 1


def predict(r: dict, params: MatchParams) -> bool:
    """As `group_claims` with embeddings decides a pair: by meaning, or by shared words when figures and actors
    agree."""
    fa, fb = r["facts"]
    by_words = r["before"] and disagree(fa, fb) is None
    return by_words or is_match(r["semantic"], r["lexical"], fa, fb, same_language=r["group"] != "cross", params=params)


def prf(rows: list[dict], said: list[bool]) -> tuple[float, float, float, int]:
    gold = [r["label"] == "same" for r in rows]
    tp = sum(g and s for g, s in zip(gold, said, strict=True))
    fp = sum(s and not g for g, s in zip(gold, said, strict=True))
    fn = sum(g and not s for g, s in zip(gold, said, strict=True))
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0, len(rows)


def table(rows: list[dict], params: MatchParams) -> None:
    before = f"{'word overlap (before) P':>23} {'R':>5} {'F1':>5}"
    print(f"{'pairs':<7}{'n':>4}  {'matcher P':>9} {'R':>5} {'F1':>5}   {before}")
    for name in (*GROUPS, "all"):
        sub = [r for r in rows if name == "all" or r["group"] == name]
        p, rc, f, n = prf(sub, [predict(r, params) for r in sub])
        bp, br, bf, _ = prf(sub, [r["before"] for r in sub])
        print(f"{name:<7}{n:>4}  {p:>9.2f} {rc:>5.2f} {f:>5.2f}   {bp:>23.2f} {br:>5.2f} {bf:>5.2f}")


def _f1(said: np.ndarray, gold: np.ndarray, beta: float = 0.5) -> np.ndarray:
    """F-beta of each column of `said` (pairs x settings); beta 0.5 weighs precision twice as much as recall
    (the target is precision 0.90 at recall 0.70)."""
    tp = (said & gold[:, None]).sum(axis=0)
    b2 = beta * beta
    return (1 + b2) * tp / np.maximum(said.sum(axis=0) + b2 * gold.sum(), 1)


def tune(rows: list[dict]) -> MatchParams:
    """The settings with the best F0.5 averaged over the five language columns (each column counts the same),
    then the cross-lingual threshold with the best F0.5 on the cross-lingual pairs.

    (Choosing instead the best precision at a recall >= 0.8 on the tune half did worse on the held-out half:
    with ~10 same pairs per language column, precision on the tune half is mostly noise.)
    """
    best: tuple[float, MatchParams] | None = None
    same_rows = [r for r in rows if r["group"] != "cross"]
    gold = np.array([r["label"] == "same" for r in same_rows])
    masks = [np.array([r["group"] == lang for r in same_rows]) for lang in GROUPS[:-1]]
    thresholds = np.arange(0.86, 0.99, 0.0025)
    for weight, bonus, neg, knee, malus, floor, alone in itertools.product(
        (0.0, 0.05, 0.1), (0.0, 0.02, 0.04), (0.0, 0.03, 0.06), (0.3, 0.4, 0.5), (0.0, 0.15, 0.3),
        (0.0, 0.1, 0.15, 0.2, 0.25), (0.94, 0.96, 2.0),
    ):  # fmt: skip
        params = replace(
            PARAMS, same_language=0.0, cross_language=0.0, lexical_weight=weight, number_bonus=bonus,
            negation_malus=neg, copy_knee=knee, copy_malus=malus, lexical_floor=floor, semantic_alone=alone,
        )  # fmt: skip
        said = np.array([_score(r, params) for r in same_rows])[:, None] >= thresholds[None, :]
        mean = sum(_f1(said[m], gold[m]) for m in masks) / len(masks)
        k = int(np.argmax(mean))
        if best is None or mean[k] > best[0] + 1e-9:
            best = (float(mean[k]), replace(params, same_language=round(float(thresholds[k]), 4)))
    assert best is not None
    params = best[1]
    cross = [r for r in rows if r["group"] == "cross"]
    gold = np.array([r["label"] == "same" for r in cross])
    across: tuple[float, MatchParams] | None = None
    for malus in (0.0, 0.02, 0.04, 0.06, 0.08):
        params = replace(params, negation_across=malus)
        said = np.array([_score(r, params) for r in cross])[:, None] >= thresholds[None, :]
        scores = _f1(said, gold)
        k = int(np.argmax(scores))
        if across is None or scores[k] > across[0] + 1e-9:
            across = (float(scores[k]), replace(params, cross_language=round(float(thresholds[k]), 4)))
    assert across is not None
    return across[1]


def _score(r: dict, params: MatchParams) -> float:
    fa, fb = r["facts"]
    return match_score(r["semantic"], r["lexical"], fa, fb, params, same_language=r["group"] != "cross")


def main() -> None:
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    features(rows)
    params = PARAMS
    if "--tune" in sys.argv:
        params = tune([r for r in rows if r["split"] == "tune"])
        print(f"tuned on the tune half: {params}")
    held = [r for r in rows if r["split"] == "heldout"]
    n_cross = sum(r["group"] == "cross" for r in rows)
    n_diff = sum(r["label"] == "different" for r in rows)
    print(f"{len(rows)} pairs ({n_cross} cross-lingual, {n_diff} different); held-out half: {len(held)}")
    print(f"thresholds: {params}\n")
    table(held, params)


if __name__ == "__main__":
    main()
