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

from narrascope.learn.uncertainty import label_entropy, margin, review_key
from narrascope.store.db import Store, rows
from narrascope.store.queries import ArticleFilter
from narrascope.taxonomy import OTHER


def progress(store: Store, flt: ArticleFilter | None = None) -> dict[str, Any]:
    where, args = (flt or ArticleFilter()).where()
    conn = store.conn
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
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
    """A page of the queue (filters as the article list takes them) and the progress under those filters."""
    where, args = flt.where()
    conn = store.conn
    articles = rows(
        conn.execute(
            f"SELECT a.id, a.title, a.source, a.language, a.day, a.ingested_at FROM articles a WHERE {where}", args
        )
    )
    scores: dict[str, list[float]] = {}
    labels: dict[str, list[str]] = {}
    candidates: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(
        f"SELECT n.article_id, n.label, n.level, n.score, n.asserted FROM narratives n"
        f" JOIN articles a ON a.id = n.article_id WHERE n.model = 1 AND n.level = 'narrative' AND {where}",
        args,
    ):
        scores.setdefault(row["article_id"], []).append(float(row["score"]))
        if row["asserted"]:
            labels.setdefault(row["article_id"], []).append(row["label"])
        elif row["label"] != OTHER:
            candidates.setdefault(row["article_id"], []).append({"label": row["label"], "score": row["score"]})
    reviewed = {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT article_id FROM corrections WHERE undone_at IS NULL AND stale_at IS NULL"
        )
    }
    ranks: dict[str, tuple[bool, bool, float, float]] = {}
    for item in articles:
        key = str(item["id"])
        found = scores.get(key, [])
        item["margin"] = round(margin(found), 4)
        item["entropy"] = round(label_entropy(found), 4)
        item["uncertainty"] = round(1 - margin(found), 4)  # shown: 1 - margin, so higher is less sure
        item["reviewed"] = key in reviewed
        item["narratives"] = labels.get(key, [])
        item["candidates"] = sorted(candidates.get(key, []), key=lambda c: -float(c["score"]))
        # not reviewed first; among them, articles with withheld candidates to confirm or reject first
        ranks[key] = (bool(item["reviewed"]), not item["candidates"], *review_key(found))
    articles.sort(key=lambda a: str(a["id"]))
    articles.sort(key=lambda a: (str(a["day"] or ""), str(a.pop("ingested_at") or "")), reverse=True)  # recency
    articles.sort(key=lambda a: ranks[str(a["id"])])  # stable: the recency order breaks ties
    return {"total": len(articles), "limit": limit, "offset": offset, "items": articles[offset : offset + limit],
            "progress": progress(store, flt)}  # fmt: skip
