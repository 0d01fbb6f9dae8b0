"""Read queries behind the REST API: filtered article lists, trends, entities (claims: `provenance.py`).

Every value from a request is a bound parameter; full-text queries are rebuilt from quoted words, so no
request text is ever read as SQL or FTS syntax.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from narrascope.store.claim_groups import fts_query
from narrascope.store.db import Store, rows
from narrascope.store.stories import story_of

BUCKETS = {
    "day": "a.day",
    "week": "strftime('%Y-W%W', a.day)",
    "month": "substr(a.day, 1, 7)",
    "source": "COALESCE(a.source, '(unknown)')",
}


@dataclass
class ArticleFilter:
    narrative: str | None = None
    subnarrative: str | None = None
    entity: str | None = None
    role: str | None = None
    technique: str | None = None
    source: str | None = None
    language: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    q: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for label, level in ((self.narrative, "narrative"), (self.subnarrative, "subnarrative")):
            if label:
                clauses.append("a.id IN (SELECT article_id FROM narratives WHERE label = ? AND level = ?)")
                args += [label, level]
        if self.entity or self.role:
            sub = "SELECT article_id FROM entities WHERE 1"
            if self.entity:
                sub += " AND entity = ?"
                args.append(self.entity)
            if self.role:
                sub += " AND main_role = ?"
                args.append(self.role)
            clauses.append(f"a.id IN ({sub})")
        if self.technique:
            clauses.append("a.id IN (SELECT article_id FROM techniques WHERE technique = ?)")
            args.append(self.technique)
        for column, value in (("source", self.source), ("language", self.language)):
            if value:
                clauses.append(f"a.{column} = ?")
                args.append(value)
        if self.date_from:
            clauses.append("a.day >= ?")
            args.append(self.date_from)
        if self.date_to:
            clauses.append("a.day <= ?")
            args.append(self.date_to)
        if self.q:
            query = fts_query(self.q, joiner=" ")
            if query is None:
                clauses.append("0")
            else:
                clauses.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
                args.append(query)
        return (" AND ".join(clauses) or "1"), args


def list_articles(store: Store, flt: ArticleFilter, *, limit: int, offset: int) -> dict[str, Any]:
    """A page of articles, newest day first then by id (a stable order for paging), and the total."""
    where, args = flt.where()
    conn = store.conn
    total = conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
    items = rows(
        conn.execute(
            f"SELECT a.id, a.title, a.source, a.url, a.published, a.day, a.language FROM articles a WHERE {where}"
            " ORDER BY a.day IS NULL, a.day DESC, a.id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
    )
    for item in items:
        item["narratives"] = [
            r[0]
            for r in conn.execute(
                "SELECT label FROM narratives WHERE article_id = ? AND level = 'narrative' ORDER BY score DESC",
                (item["id"],),
            )
        ]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def get_article(store: Store, article_id: str) -> dict[str, Any] | None:
    row = store.conn.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    document: dict[str, Any] = json.loads(row[0])
    groups = store.conn.execute(
        'SELECT start, "end", group_id FROM claims WHERE article_id = ? ORDER BY start', (article_id,)
    ).fetchall()
    by_span = {(g["start"], g["end"]): g["group_id"] for g in groups}
    for claim in document.get("claims", []):
        claim["group"] = by_span.get((claim["start"], claim["end"]))
    document["story"] = story_of(store.conn, article_id)
    return document


def narrative_stats(store: Store, by: str, flt: ArticleFilter) -> dict[str, Any]:
    """Articles per narrative and bucket (day, ISO-ish week, month or source), and totals per narrative."""
    bucket = BUCKETS[by]
    where, args = flt.where()
    dated = " AND a.day IS NOT NULL" if by != "source" else ""
    series = rows(
        store.conn.execute(
            f"SELECT n.label AS narrative, {bucket} AS bucket, count(DISTINCT a.id) AS articles FROM articles a"
            f" JOIN narratives n ON n.article_id = a.id AND n.level = 'narrative' WHERE {where}{dated}"
            " GROUP BY n.label, bucket ORDER BY bucket, n.label",
            args,
        )
    )
    totals = rows(
        store.conn.execute(
            "SELECT n.label AS narrative, count(DISTINCT a.id) AS articles FROM articles a"
            f" JOIN narratives n ON n.article_id = a.id AND n.level = 'narrative' WHERE {where}"
            " GROUP BY n.label ORDER BY articles DESC, n.label",
            args,
        )
    )
    total = store.conn.execute(f"SELECT count(*) FROM articles a WHERE {where}", args).fetchone()[0]
    return {"by": by, "articles": total, "totals": totals, "series": series}


def list_entities(store: Store, *, q: str | None, limit: int, offset: int) -> dict[str, Any]:
    """Entities by number of articles, with how often each is cast in each role."""
    args: list[Any] = []
    where = "1"
    if q:
        where = "entity LIKE ? ESCAPE '\\'"
        args.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    found = rows(
        store.conn.execute(
            f"SELECT entity, count(DISTINCT article_id) AS articles FROM entities WHERE {where}"
            " GROUP BY entity ORDER BY articles DESC, entity LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
    )
    for item in found:
        item["roles"] = {
            r[0]: r[1]
            for r in store.conn.execute(
                "SELECT main_role, count(*) FROM entities WHERE entity = ? GROUP BY main_role ORDER BY 2 DESC",
                (item["entity"],),
            )
        }
    return {"limit": limit, "offset": offset, "items": found}


def entity_framing(store: Store, entity: str) -> dict[str, Any] | None:
    """How each outlet casts one entity: roles per source, and the articles."""
    by_source = rows(
        store.conn.execute(
            "SELECT COALESCE(a.source, '(unknown)') AS source, e.main_role AS role, count(*) AS articles"
            " FROM entities e JOIN articles a ON a.id = e.article_id WHERE e.entity = ?"
            " GROUP BY 1, 2 ORDER BY 1, 3 DESC",
            (entity,),
        )
    )
    if not by_source:
        return None
    articles = rows(
        store.conn.execute(
            "SELECT a.id, a.title, a.source, a.published, e.main_role AS role, e.fine_roles, e.score"
            " FROM entities e JOIN articles a ON a.id = e.article_id WHERE e.entity = ?"
            " ORDER BY a.day IS NULL, a.day, a.id LIMIT 500",
            (entity,),
        )
    )
    return {"entity": entity, "by_source": by_source, "articles": articles}
