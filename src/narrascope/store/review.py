"""The review queue: which stored articles an analyst should look at first, and how the review is going.

Articles not reviewed yet come first, most uncertain first (`learn.uncertainty` over the calibrated scores of
the narratives and subnarratives the model asserted), then the reviewed ones. Progress counts the articles
with a correction in force and the agreement with the model so far: the share of the analysts' decisions
that accepted what the model said (a reject, a change or an added judgment the model missed disagrees).
"""

from __future__ import annotations

from typing import Any

from narrascope.learn.uncertainty import uncertainty
from narrascope.store.counts import needs_backfill
from narrascope.store.db import Store, rows
from narrascope.store.queries import ArticleFilter


def progress(store: Store, flt: ArticleFilter | None = None) -> dict[str, Any]:
    where, args = (flt or ArticleFilter()).where()
    conn = store.conn
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
    decisions = conn.execute(
        'SELECT c.id, c.article_id, c.layer, c.action, c.label, c.entity, c.start, c."end" FROM corrections c'
        f" JOIN articles a ON a.id = c.article_id WHERE c.undone_at IS NULL AND {where} ORDER BY c.id",
        args,
    ).fetchall()
    latest: dict[tuple[Any, ...], str] = {}
    for d in decisions:
        target = (d["article_id"], d["layer"], d["label"] if d["layer"] != "entity" else d["entity"], d["start"])
        latest[target] = d["action"]
    reviewed = len({d["article_id"] for d in decisions})
    accepted = sum(1 for action in latest.values() if action == "accept")
    agreement = accepted / len(latest) if latest else None
    return {"articles": total, "reviewed": reviewed, "decisions": len(latest), "accepted": accepted,
            "agreement": agreement}  # fmt: skip


def review_queue(store: Store, flt: ArticleFilter, *, limit: int, offset: int) -> dict[str, Any]:
    """A page of the queue (filters as the article list takes them) and the progress under those filters.

    The order is read from the index on the uncertainty kept at ingest (`store/counts.py`): a page costs its
    offset and length, not the corpus. A store whose older articles have no uncertainty yet (until it is next
    opened for writing) is ordered as it always was, in memory."""
    where, args = flt.where()
    conn = store.conn
    if needs_backfill(conn):
        return _queue_in_memory(store, flt, limit=limit, offset=offset)
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
    columns = "a.id, a.title, a.source, a.language, a.uncertainty"
    reviewed = "EXISTS (SELECT 1 FROM corrections c WHERE c.article_id = a.id AND c.undone_at IS NULL)"
    items: list[dict[str, Any]] = []
    skip = offset
    for done in (False, True):  # articles not reviewed first, then the reviewed ones
        if len(items) >= limit:
            break
        condition = reviewed if done else f"NOT {reviewed}"
        found = rows(
            conn.execute(
                f"SELECT {columns} FROM articles a WHERE {where} AND {condition}"
                " ORDER BY a.uncertainty DESC, a.id LIMIT ? OFFSET ?",
                [*args, limit - len(items), skip],
            )
        )
        if not found and skip:
            before = conn.execute(f"SELECT count(*) FROM articles a WHERE {where} AND {condition}", args)
            skip = max(0, skip - int(before.fetchone()[0]))
            continue
        skip = 0
        for item in found:
            item["reviewed"] = done
            item["narratives"] = [
                r[0]
                for r in conn.execute(
                    "SELECT label FROM narratives WHERE article_id = ? AND level = 'narrative' ORDER BY rowid",
                    (item["id"],),
                )
            ]
        items += found
    return {"total": total, "limit": limit, "offset": offset, "items": items, "progress": progress(store, flt)}


def _queue_in_memory(store: Store, flt: ArticleFilter, *, limit: int, offset: int) -> dict[str, Any]:
    where, args = flt.where()
    conn = store.conn
    articles = rows(conn.execute(f"SELECT a.id, a.title, a.source, a.language FROM articles a WHERE {where}", args))
    scores: dict[str, list[float]] = {}
    labels: dict[str, list[str]] = {}
    for row in conn.execute(
        f"SELECT n.article_id, n.label, n.level, n.score FROM narratives n JOIN articles a ON a.id = n.article_id"
        f" WHERE {where}",
        args,
    ):
        scores.setdefault(row["article_id"], []).append(float(row["score"]))
        if row["level"] == "narrative":
            labels.setdefault(row["article_id"], []).append(row["label"])
    reviewed = {r[0] for r in conn.execute("SELECT DISTINCT article_id FROM corrections WHERE undone_at IS NULL")}
    for item in articles:
        key = str(item["id"])
        item["uncertainty"] = round(uncertainty(scores.get(key, [])), 4)
        item["reviewed"] = key in reviewed
        item["narratives"] = labels.get(key, [])
    articles.sort(key=lambda a: (bool(a["reviewed"]), -float(a["uncertainty"]), str(a["id"])))  # type: ignore[arg-type]
    return {"total": len(articles), "limit": limit, "offset": offset, "items": articles[offset : offset + limit],
            "progress": progress(store, flt)}  # fmt: skip
