"""What is new and growing: per narrative, subnarrative, claim group and outlet, this period against the last.

A period is a day or a week (7 days) ending on `until` (inclusive; today by default); the previous period is
the one just before it. Counts are distinct articles by published day (`articles.day`; undated articles are
counted apart, in `undated`), so each number matches the corpus page filtered by the same label and dates;
only asserted judgments count, in the corrected view unless `view="model"` (`store/judgments.py`;
`include_withheld` counts the withheld ones too, as the corpus page's control does).
`first_seen` is the first published day over the whole corpus; an item is `new` when that day falls in the
current period. "Other" (no narrative found) is not an item. Ranking: new items first, then by growth, then
by the current count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from narrascope.errors import FormatError
from narrascope.store.db import Store
from narrascope.store.judgments import CORRECTED, asserted_sql, stance_sql
from narrascope.store.schema import FACETS

PERIODS = {"day": 1, "week": 7}
KINDS = ("narrative", "subnarrative", "claim", "outlet")

# the two periods' articles first (index on day), then their labels: a scan of a narratives index in label order,
# which the planner would pick to group by label, reads every narrative of the store
_NARRATIVES = "articles a CROSS JOIN narratives n ON n.article_id = a.id"
# kind -> (the key column, the FROM clause joining it to its articles, an extra condition)
_SOURCES = {
    "narrative": ("n.label", _NARRATIVES, "n.level = 'narrative' AND n.label != 'Other'"),
    "subnarrative": ("n.label", _NARRATIVES, "n.level != 'narrative' AND n.label != 'Other'"),
    "claim": ("c.group_id", "claims c JOIN articles a ON a.id = c.article_id", "c.group_id IS NOT NULL"),
    "outlet": ("a.source", "articles a", "a.source IS NOT NULL"),
}


def period_bounds(period: str, until: str | None) -> tuple[tuple[str, str], tuple[str, str]]:
    """(from, to) of the current and the previous period, as ISO days."""
    days = PERIODS[period]
    try:
        end = date.fromisoformat(until) if until else datetime.now(UTC).date()
        start = end - timedelta(days=days - 1)
        previous_end = start - timedelta(days=1)
        previous_start = previous_end - timedelta(days=days - 1)
    except (ValueError, OverflowError):
        raise FormatError(f"until={until!r}: expected a calendar day YYYY-MM-DD from 0001-01-15 on") from None
    return (start.isoformat(), end.isoformat()), (previous_start.isoformat(), previous_end.isoformat())


def trends(
    store: Store,
    *,
    period: str = "day",
    until: str | None = None,
    kinds: tuple[str, ...] = KINDS,
    limit: int = 50,
    include_withheld: bool = False,
    view: str = CORRECTED,
) -> dict[str, Any]:
    """The ranked items of each kind with current, previous, growth and first_seen (see the module doc)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    (cur_from, cur_to), (prev_from, prev_to) = period_bounds(period, until)
    out: dict[str, Any] = {
        "period": period,
        "current": {"from": cur_from, "to": cur_to},
        "previous": {"from": prev_from, "to": prev_to},
        "undated": int(store.conn.execute("SELECT count(*) FROM articles WHERE day IS NULL").fetchone()[0]),
        "kinds": {},
    }
    for kind in kinds:
        current, previous = (cur_from, cur_to), (prev_from, prev_to)
        out["kinds"][kind] = _ranked(store, kind, current, previous, limit, include_withheld, view)
    return out


def _ranked(
    store: Store, kind: str, current: tuple[str, str], previous: tuple[str, str], limit: int, include_withheld: bool,
    view: str,
) -> list[dict[str, Any]]:  # fmt: skip
    key, source, condition = _SOURCES[kind]
    if kind == "claim":
        condition += f" AND {stance_sql('c', include_withheld=include_withheld)}"
    elif kind != "outlet":
        condition += f" AND {asserted_sql('n', include_withheld=include_withheld, view=view)}"
    outlets = "count(DISTINCT CASE WHEN a.day BETWEEN ? AND ? THEN a.source END)"
    sql = (  # the two periods' articles only (index on day); each key's first day is looked up apart
        f"SELECT {key} AS key, count(DISTINCT CASE WHEN a.day BETWEEN ? AND ? THEN a.id END) AS current,"
        f" count(DISTINCT CASE WHEN a.day BETWEEN ? AND ? THEN a.id END) AS previous,"
        f" {outlets} AS current_outlets, {outlets} AS previous_outlets"
        f" FROM {source} WHERE {condition} AND a.day BETWEEN ? AND ? GROUP BY {key}"
        " HAVING current > 0 OR previous > 0"
    )
    args = [*current, *previous, *current, *previous, previous[0], current[1]]
    items: list[dict[str, Any]] = []
    for row in store.conn.execute(sql, args).fetchall():
        # a claim group's first day is read for the items kept only (a group can have thousands of claims);
        # whether it is new, from its first claim seen before the current period
        first_seen = (
            None if kind == "claim" else _first_seen(store, kind, row["key"], current[1], include_withheld, view)
        )
        new = (
            first_seen >= current[0]
            if first_seen
            else not _seen_before(store, row["key"], current[0], include_withheld)
        )
        item = {
            "key": row["key"], "label": row["key"], "current": row["current"], "previous": row["previous"],
            "growth": row["current"] - row["previous"], "first_seen": first_seen,
            "new": new, "current_outlets": row["current_outlets"],
            "previous_outlets": row["previous_outlets"],
        }  # fmt: skip
        item["ratio"] = None if row["previous"] == 0 else round(row["current"] / row["previous"], 3)
        items.append(item)
    items.sort(key=lambda i: (not i["new"], -i["growth"], -i["current"], str(i["key"])))
    items = items[:limit]
    if kind == "claim":
        for item in items:
            item["first_seen"] = _first_seen(store, kind, item["key"], current[1], include_withheld, view)
            found = store.conn.execute("SELECT canonical FROM claim_groups WHERE id = ?", (item["key"],)).fetchone()
            item["label"] = found[0] if found else f"claim group {item['key']}"
    return items


def _first_seen(store: Store, kind: str, key: Any, until: str, include_withheld: bool, view: str) -> str:
    """The first published day (up to `until`) of an item: from the counts kept at ingest for labels (the
    corrected view; the model view reads its judgments), the outlet's index for outlets, the group's claims for
    claim groups."""
    if kind in ("narrative", "subnarrative") and view != CORRECTED:
        sql = (
            "SELECT min(a.day) FROM narratives n JOIN articles a ON a.id = n.article_id WHERE n.level = ?"
            f" AND n.label = ? AND {asserted_sql('n', include_withheld=include_withheld, view=view)}"
            " AND a.day IS NOT NULL AND a.day <= ?"
        )
        found = store.conn.execute(sql, (kind, key, until)).fetchone()
    elif kind in ("narrative", "subnarrative"):
        sql = (
            "SELECT min(day) FROM label_days WHERE kind = ? AND label = ? AND include_withheld = ? AND day != ''"
            " AND day <= ? AND articles > 0"
        )
        found = store.conn.execute(sql, (kind, key, int(include_withheld), until)).fetchone()
    elif kind == "outlet":
        sql = "SELECT min(day) FROM articles WHERE source = ? AND day IS NOT NULL AND day <= ?"
        found = store.conn.execute(sql, (key, until)).fetchone()
    else:
        sql = (
            f"SELECT min(a.day) FROM claims c JOIN {FACETS} ON a.id = c.article_id WHERE c.group_id = ?"
            f" AND {stance_sql('c', include_withheld=include_withheld)} AND a.day IS NOT NULL AND a.day <= ?"
        )
        found = store.conn.execute(sql, (key, until)).fetchone()
    return str(found[0])


def _seen_before(store: Store, group_id: Any, day: str, include_withheld: bool) -> bool:
    """Whether a claim group has a claim in an article published before `day`."""
    sql = (
        f"SELECT 1 FROM claims c JOIN {FACETS} ON a.id = c.article_id WHERE c.group_id = ?"  # day from the index
        f" AND {stance_sql('c', include_withheld=include_withheld)} AND a.day < ? LIMIT 1"
    )
    return store.conn.execute(sql, (group_id, day)).fetchone() is not None
