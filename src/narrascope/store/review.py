"""The review queue: which stored articles an analyst should look at first, and how the review is going.

Articles not reviewed yet come first: those with withheld narrative candidates (picked by the task's decoding,
below the assertion threshold) to confirm or reject first, then the others; within each, most uncertain first;
then the reviewed ones. Uncertain is
`learn.uncertainty.review_key` over the calibrated scores of every narrative label the model scored (asserted
or withheld): the margin between the two most probable narratives, then the entropy over all of them, then the
most recent article (published day, then when it was stored), then the id, so no two articles tie.

Progress counts the articles with a correction in force and the agreement with the model so far: the share of
the analysts' decisions that accepted what the model said (a reject, a change or an added judgment the model
missed disagrees).
"""

from __future__ import annotations

from typing import Any

from narrascope.store.db import Store
from narrascope.store.queries import ArticleFilter, facets
from narrascope.store.review_rank import ORDER
from narrascope.taxonomy import OTHER


def progress(store: Store, flt: ArticleFilter | None = None) -> dict[str, Any]:
    where, args = (flt or ArticleFilter()).where()
    conn = store.conn
    total = conn.execute(f"SELECT count(*) FROM {facets(where)} WHERE {where}", args).fetchone()[0]
    decisions = conn.execute(
        'SELECT c.id, c.article_id, c.layer, c.action, c.label, c.entity, c.start, c."end" FROM corrections c'
        f" JOIN articles a ON a.id = c.article_id WHERE c.undone_at IS NULL AND c.stale_at IS NULL AND {where}"
        " ORDER BY c.id",
        args,
    ).fetchall()
    latest: dict[tuple[Any, ...], str] = {}
    for d in decisions:
        target = (d["article_id"], d["layer"], d["label"] if d["layer"] != "entity" else d["entity"], d["start"])
        latest[target] = d["action"]
    reviewed = len({d["article_id"] for d in decisions})
    accepted = sum(1 for action in latest.values() if action == "accept")
    agreement = accepted / len(latest) if latest else None
    stale = conn.execute(
        "SELECT count(*) FROM corrections c JOIN articles a ON a.id = c.article_id WHERE c.undone_at IS NULL"
        f" AND c.stale_at IS NOT NULL AND {where}",
        args,
    ).fetchone()[0]
    return {"articles": total, "reviewed": reviewed, "decisions": len(latest), "accepted": accepted,
            "agreement": agreement, "stale": stale}  # fmt: skip


def review_queue(store: Store, flt: ArticleFilter, *, limit: int, offset: int) -> dict[str, Any]:
    """A page of the queue (filters as the article list takes them) and the progress under those filters, read
    in the order kept at ingest (`store/review_rank.py`)."""
    where, args = flt.where()
    conn = store.conn
    total = conn.execute(f"SELECT count(*) FROM {facets(where)} WHERE {where}", args).fetchone()[0]
    page = conn.execute(
        "SELECT a.id, a.title, a.source, a.language, a.day, r.margin, r.entropy, r.reviewed FROM review_rank r"
        f" JOIN articles a ON a.id = r.article_id WHERE {where} ORDER BY {ORDER} LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    articles = []
    for article_id, title, source, language, day, margin, entropy, reviewed in page:
        found = conn.execute(
            "SELECT label, score, asserted FROM narratives WHERE article_id = ? AND model = 1"
            " AND level = 'narrative' ORDER BY rowid",
            (article_id,),
        ).fetchall()
        candidates = [{"label": r[0], "score": r[1]} for r in found if not r[2] and r[0] != OTHER]
        articles.append({
            "id": article_id, "title": title, "source": source, "language": language, "day": day,
            "margin": round(margin, 4), "entropy": round(entropy, 4),
            "uncertainty": round(1 - margin, 4),  # shown: 1 - margin, so higher is less sure
            "reviewed": bool(reviewed), "narratives": [r[0] for r in found if r[2]],
            "candidates": sorted(candidates, key=lambda c: -float(c["score"])),
        })  # fmt: skip
    return {"total": total, "limit": limit, "offset": offset, "items": articles, "progress": progress(store, flt)}
