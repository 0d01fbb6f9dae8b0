"""Accuracy of the claims component and of claim grouping on the hand-written fixture set.

    python benchmarks/claims.py [tests/data/claims/fixtures.json]
    python benchmarks/claims.py --scale 10000 --docs ../shared/data/semeval2025-task10   # grouping speed

A predicted claim matches a gold claim when its text contains the gold `contains` string. Sources and
relays are compared case-insensitively, without a leading "the" or a possessive, and a name matches a
longer form that ends with it ("Defence Ministry" ~ "Russia's Defence Ministry", "Naryshkin" ~
"Sergey Naryshkin"). Source/relay precision counts every predicted claim with a source/relay (a spurious
claim's source is a false positive), recall every gold claim with one. Grouping: pairwise precision,
recall and F1 over the matched gold claims.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from itertools import combinations
from pathlib import Path
from typing import Any

from narrascope.analysis import Analysis, Claim
from narrascope.article import Article
from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import claim_vectors
from narrascope.pipeline import load_pipeline

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "claims" / "fixtures.json"


def _pairwise(groups: list[Any], matched: list[Any]) -> tuple[int, int, int]:
    """(tp, fp, fn) over pairs of matched gold claims: same gold group against same predicted group."""
    predicted = {(m.article_id, m.start): n for n, group in enumerate(groups) for m in group.members}
    tp = fp = fn = 0
    for (_, ga, ca, aa), (_, gb, cb, ab) in combinations(matched, 2):
        gold_same = ga == gb
        pred_same = predicted[(aa.id, ca.start)] == predicted[(ab.id, cb.start)]
        tp += gold_same and pred_same
        fp += pred_same and not gold_same
        fn += gold_same and not pred_same
    return tp, fp, fn


def norm(name: str | None) -> str:
    if not name:
        return ""
    name = name.replace("\u2019", "'").lower()
    name = re.sub(r"^(the|a|an)\s+", "", name.strip())
    return re.sub(r"\s+", " ", name)


def same(pred: str | None, gold: str | None) -> bool:
    p, g = norm(pred), norm(gold)
    if not p or not g:
        return p == g
    return p == g or p.endswith(" " + g) or g.endswith(" " + p) or p.endswith("'s " + g)


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def analyse(fixtures: dict[str, Any]) -> list[tuple[dict[str, Any], Analysis]]:
    pipeline = load_pipeline(["cleaning", "language", "sentences", "claims"])
    out = []
    for item in fixtures["articles"]:
        article = Article(
            raw_text=item["text"],
            id=item["id"],
            source=item.get("outlet"),
            published=item.get("published"),
            cited_sources=list(item.get("cited_sources", [])),
        )
        out.append((item, pipeline(article)))
    return out


def evaluate(results: list[tuple[dict[str, Any], Analysis]], *, verbose: bool = False) -> dict[str, float]:
    counts = dict.fromkeys(["claim_tp", "pred", "gold", "src_tp", "src_pred", "src_gold"], 0)
    counts.update(dict.fromkeys(["rel_tp", "rel_pred", "rel_gold", "stance_ok", "matched"], 0))
    matched: list[tuple[dict[str, Any], str, Claim, Analysis]] = []
    for item, analysis in results:
        claims = list(analysis.claims)
        counts["pred"] += len(claims)
        counts["src_pred"] += sum(1 for c in claims if c.source)
        counts["rel_pred"] += sum(1 for c in claims if c.relay)
        used: set[int] = set()
        for n, gold in enumerate(item["claims"]):
            counts["gold"] += 1
            counts["src_gold"] += bool(gold["source"])
            counts["rel_gold"] += bool(gold["relay"])
            hit = next((i for i, c in enumerate(claims) if i not in used and gold["contains"] in c.text), None)
            if hit is None:
                if verbose:
                    print(f"  MISSED {item['id']}: {gold['contains']!r}")
                continue
            used.add(hit)
            c = claims[hit]
            counts["claim_tp"] += 1
            counts["matched"] += 1
            counts["src_tp"] += bool(gold["source"]) and same(c.source, gold["source"])
            counts["rel_tp"] += bool(gold["relay"]) and same(c.relay, gold["relay"])
            counts["stance_ok"] += c.stance == gold["stance"]
            group = gold["group"] or f"{item['id']}#{n}"
            matched.append((item, group, c, analysis))
            if verbose and (
                not same(c.source, gold["source"]) or not same(c.relay, gold["relay"]) or c.stance != gold["stance"]
            ):
                print(
                    f"  {item['id']}: source {c.source!r}/{gold['source']!r} relay {c.relay!r}/"
                    f"{gold['relay']!r} stance {c.stance}/{gold['stance']}"
                )
        if verbose:
            for i, c in enumerate(claims):
                if i not in used:
                    print(f"  SPURIOUS {item['id']}: {c.text!r} (source {c.source!r})")
    records = [
        ClaimRecord(c.text, a.id, a.article.source, a.article.published, c.source, c.relay, c.start, c.end)
        for _, _, c, a in matched
    ]
    groups = group_claims(records, vectors=claim_vectors([r.text for r in records]))
    if verbose:
        for group in groups:
            print(f"  GROUP: {[m.text[:50] for m in group.members]}")
    tp, fp, fn = _pairwise(groups, matched)
    words = _pairwise(group_claims(records), matched)
    metrics: dict[str, float] = {}
    for key, (t, p, g) in {
        "claims": (counts["claim_tp"], counts["pred"], counts["gold"]),
        "source": (counts["src_tp"], counts["src_pred"], counts["src_gold"]),
        "relay": (counts["rel_tp"], counts["rel_pred"], counts["rel_gold"]),
        "grouping": (tp, tp + fp, tp + fn),
        "grouping_by_words": (words[0], words[0] + words[1], words[0] + words[2]),
    }.items():
        metrics[f"{key}_p"], metrics[f"{key}_r"], metrics[f"{key}_f1"] = prf(t, p, g)
    metrics["stance_accuracy"] = counts["stance_ok"] / counts["matched"] if counts["matched"] else 0.0
    metrics["articles"] = len(results)
    metrics["gold_claims"] = counts["gold"]
    return metrics


def grouping_speed(n: int, docs: Path) -> None:
    """Group `n` distinct claim-like sentences (English sentences of `docs`, plus one-word-dropped variants)."""
    from narrascope.ingest.sentences import split_sentences

    rng = random.Random(0)
    found: set[str] = set()
    for path in sorted(docs.rglob("*.txt")):
        if "/EN/" not in str(path):
            continue
        text = path.read_text("utf-8", errors="replace")
        found |= {text[s:e] for s, e in split_sentences(text) if 40 < e - s < 300}
    sentences = sorted(found)
    pool = list(sentences)
    while len(pool) < n:
        words = rng.choice(sentences).split()
        del words[rng.randrange(len(words))]
        pool.append(" ".join(words))
    sources = ["SVR", "Kremlin", None, "NATO"]
    records = [
        ClaimRecord(t, f"a{i // 5}", f"o{i % 50}", f"2023-01-{1 + i % 28:02d}", rng.choice(sources))
        for i, t in enumerate(pool[:n])
    ]
    started = time.perf_counter()
    groups = group_claims(records)
    print(
        f"grouped {len(records)} claims ({len(sentences)} distinct sentences + variants) "
        f"in {time.perf_counter() - started:.1f} s: {len(groups)} groups"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fixtures", nargs="?", type=Path, default=FIXTURES)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    parser.add_argument("--scale", type=int, default=0, help="also time grouping this many claims")
    parser.add_argument("--docs", type=Path, default=Path("../shared/data/semeval2025-task10"))
    args = parser.parse_args()
    fixtures = json.loads(args.fixtures.read_text("utf-8"))
    metrics = evaluate(analyse(fixtures), verbose=args.verbose)
    print(f"articles: {metrics['articles']:.0f}   gold claims: {metrics['gold_claims']:.0f}")
    for key in ("claims", "source", "relay", "grouping", "grouping_by_words"):
        print(f"{key:<9} P {metrics[key + '_p']:.3f}   R {metrics[key + '_r']:.3f}   F1 {metrics[key + '_f1']:.3f}")
    print(f"stance accuracy {metrics['stance_accuracy']:.3f}")
    if args.scale:
        grouping_speed(args.scale, args.docs)


if __name__ == "__main__":
    main()
