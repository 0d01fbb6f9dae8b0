"""What the Entities page and an actor's page read: actors by articles and role, and one actor's framing.

One row per actor (`store/actors.py`), read from the counts kept at ingest in the corrected view
(`store/counts.py`: `actor_articles`, `actor_names`, `actor_outlets`), from the entity rows in the model view.
"""

from __future__ import annotations

from typing import Any

from narrascope.store.actors import actor_details, actor_id_of, kept_details
from narrascope.store.db import Store, rows
from narrascope.store.judgments import CORRECTED, asserted_sql, role_sql
from narrascope.store.schema import ACTOR_ROLE, FACETS


def _shown_role(include_withheld: bool, view: str) -> str:
    """The role an entity row shows: with withheld ones, `uncertain`/`mentioned` unless an analyst set one."""
    if not include_withheld:
        return role_sql("e", view=view)
    return ACTOR_ROLE[1] if view == CORRECTED else "e.main_role"


def list_entities(
    store: Store, *, q: str | None, limit: int, offset: int, include_withheld: bool = False, view: str = CORRECTED
) -> dict[str, Any]:
    """Actors (one row each, however many names and languages: `store/actors.py`) by number of articles that
    cast them in an asserted role (any role with include_withheld), with how many articles cast each in each role,
    their surface forms and languages; a withheld role counts under `uncertain` or `mentioned`. `q` matches an
    actor's name, an entity name or a surface form. The corrected view reads the counts kept at ingest
    (`store/counts.py`), the model view the entity rows."""
    args: list[Any] = []
    matched = ""
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matched = (
            " AND {col} IN (SELECT actor_id FROM entities WHERE entity LIKE ? ESCAPE '\\'"
            " OR actor LIKE ? ESCAPE '\\' OR forms LIKE ? ESCAPE '\\')"
        )
        args += [pattern] * 3
    conn = store.conn
    if view == CORRECTED:
        w = int(include_withheld)
        found = rows(
            conn.execute(
                "SELECT actor_id, articles FROM actor_articles WHERE include_withheld = ? AND role = ''"
                f" AND articles > 0{matched.format(col='actor_id')} ORDER BY articles DESC, actor_id LIMIT ? OFFSET ?",
                [w, *args, limit, offset],
            )
        )
        items = []
        for item in found:
            details = kept_details(conn, str(item["actor_id"]), w)
            details["articles"] = item["articles"]
            details["roles"] = dict(
                conn.execute(
                    "SELECT role, articles FROM actor_articles WHERE actor_id = ? AND include_withheld = ?"
                    " AND role != '' AND articles > 0 ORDER BY 2 DESC, 1",
                    (item["actor_id"], w),
                ).fetchall()
            )
            items.append(details)
    else:
        items = _live_entities(store, matched.format(col="e.actor_id"), args, limit, offset, include_withheld, view)
    return {
        "limit": limit, "offset": offset, "counts": "articles", "include_withheld": include_withheld, "view": view,
        "items": items,
    }  # fmt: skip


def _live_entities(
    store: Store, matched: str, args: list[Any], limit: int, offset: int, include_withheld: bool, view: str
) -> list[dict[str, Any]]:
    """`list_entities` read from every entity row (the model view; the kept counts' reference)."""
    judged = asserted_sql("e", include_withheld=include_withheld, view=view)
    role = _shown_role(include_withheld, view)
    found = rows(
        store.conn.execute(
            f"SELECT e.actor_id, count(DISTINCT e.article_id) AS articles FROM entities e WHERE {judged}{matched}"
            " AND e.actor_id IS NOT NULL GROUP BY e.actor_id ORDER BY articles DESC, e.actor_id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
    )
    items = []
    for item in found:
        details = actor_details(store.conn, str(item["actor_id"]), judged)
        details["articles"] = item["articles"]
        details["roles"] = {
            r[0]: r[1]
            for r in store.conn.execute(
                f"SELECT {role}, count(DISTINCT e.article_id) FROM entities e WHERE e.actor_id = ? AND {judged}"
                " GROUP BY 1 ORDER BY 2 DESC, 1",
                (item["actor_id"],),
            )
        }
        items.append(details)
    return items


def _live_by_source(store: Store, actor: str, include_withheld: bool, view: str) -> list[dict[str, Any]]:
    """An actor's articles per outlet and role read from its entity rows (what `actor_outlets` keeps)."""
    judged = asserted_sql("e", include_withheld=include_withheld, view=view)
    return rows(
        store.conn.execute(
            f"SELECT COALESCE(a.source, '(unknown)') AS source, {_shown_role(include_withheld, view)} AS role,"
            f" count(DISTINCT a.id) AS articles FROM entities e JOIN {FACETS} ON a.id = e.article_id"
            f" WHERE e.actor_id = ? AND {judged} GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
            (actor,),
        )
    )


def _first_by_day(store: Store, actor: str, role: str, judged: str, limit: int = 500) -> str:
    """The SQL (one parameter: the actor) of an actor's first `limit` entity rows by day (undated last). An actor
    in a large share of the articles walks the articles by day and stops at `limit` (a few hundred lookups);
    any other reads its own rows and sorts them. The same rows either way; only the cost differs."""
    found = store.conn.execute(
        "SELECT (SELECT max(articles) FROM actor_articles WHERE actor_id = ? AND role = ''),"
        " (SELECT sum(articles) FROM article_counts)",
        (actor,),
    ).fetchone()
    mine, everyone = found[0] or 0, found[1] or 0
    return _by_day_sql(role, judged, limit, walk=mine * mine > limit * everyone)


def _by_day_sql(role: str, judged: str, limit: int, *, walk: bool) -> str:
    """`_first_by_day`'s SQL: walking the articles by day, or sorting the actor's rows."""
    columns = (
        f"a.id, a.day, {role} AS role, e.candidate_role, e.fine_roles, e.score, e.asserted, e.analyst, e.entity,"
        " e.rowid AS rid"
    )
    if not walk:
        return (
            f"SELECT {columns} FROM entities e JOIN {FACETS} ON a.id = e.article_id WHERE e.actor_id = ?1"
            f" AND {judged} ORDER BY a.day IS NULL, a.day, a.id, e.rowid LIMIT {limit}"
        )
    days = (
        f"SELECT {columns} FROM articles a INDEXED BY articles_day CROSS JOIN entities e"
        " ON e.actor_id = ?1 AND e.article_id = a.id"
    )
    return (
        f"SELECT * FROM ({days} WHERE a.day IS NOT NULL AND {judged} ORDER BY a.day, a.id, e.rowid LIMIT {limit})"
        f" UNION ALL SELECT * FROM ({days} WHERE a.day IS NULL AND {judged} ORDER BY a.id, e.rowid LIMIT {limit})"
        f" LIMIT {limit}"
    )


def entity_framing(
    store: Store, entity: str, *, include_withheld: bool = False, view: str = CORRECTED
) -> dict[str, Any] | None:
    """How each outlet casts one entity: articles per outlet and role, and the articles (asserted roles only,
    unless include_withheld; then a withheld role shows as `uncertain`/`mentioned` with its score)."""
    judged = asserted_sql("e", include_withheld=include_withheld, view=view)
    role = _shown_role(include_withheld, view)
    actor = actor_id_of(store.conn, entity)
    if actor is None:
        return None
    by_source = (
        rows(
            store.conn.execute(
                "SELECT source, role, articles FROM actor_outlets WHERE actor_id = ? AND include_withheld = ?"
                " AND articles > 0 ORDER BY 1, 3 DESC, 2",
                (actor, int(include_withheld)),
            )
        )
        if view == CORRECTED  # kept at ingest (store/counts.py)
        else _live_by_source(store, actor, include_withheld, view)
    )
    withheld = store.conn.execute(
        "SELECT count(DISTINCT article_id) FROM entities WHERE actor_id = ? AND model = 1 AND asserted = 0"
        + (" AND analyst IS NULL" if view == CORRECTED else ""),  # an analyst's decision is not withheld
        (actor,),
    ).fetchone()[0]
    if not by_source and not withheld:
        return None
    articles = rows(
        store.conn.execute(
            "SELECT p.id, b.title, b.source, b.published, p.role, p.candidate_role, p.fine_roles, p.score,"
            f" p.asserted, p.analyst, p.entity, b.language FROM ({_first_by_day(store, actor, role, judged)}) p"
            " JOIN articles b ON b.id = p.id ORDER BY p.day IS NULL, p.day, p.id, p.rid",
            (actor,),
        )
    )
    return {
        **kept_details(store.conn, actor, 2), "counts": "articles", "include_withheld": include_withheld,
        "view": view, "withheld_articles": withheld, "by_source": by_source, "articles": articles,
    }  # fmt: skip
