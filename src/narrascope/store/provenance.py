"""Claim provenance over the store: how far a claim spread, counted in outlets and stories, not repeats.

A claim said five times in one article, or carried by three stored copies of one syndicated article, has
spread to one story. Counts: `size` (appearances), `articles`, `stories` (copies counted once,
`store/stories.py`), `outlets` (distinct known outlets; an article of unknown outlet adds to
`unknown_outlet_stories` instead, as nothing says whether two of them are one outlet) and `languages`.
The claims list ranks by outlets, then stories, then articles.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from narrascope.store.claim_groups import fts_query
from narrascope.store.db import Store, rows

# an article stored before stories existed is its own story; read from the covering index of the articles' small
# columns (`f`), not the article's row, where story_id sits after the text
STORY = "COALESCE(f.story_id, -f.rowid)"
STANCE_ORDER = ("disputes", "endorses", "reports", "unclear")  # a tie names the stance that commits most
MAX_MEMBERS = 5000


def list_claim_groups(store: Store, *, q: str | None, min_size: int, limit: int, offset: int) -> dict[str, Any]:
    """Claim groups, widest spread first (distinct outlets, then stories, then articles), with their first day."""
    args: list[Any] = [min_size]
    extra = ""
    query = fts_query(q, joiner=" ") if q else None
    if q:
        extra = (
            " AND g.id IN (SELECT rowid FROM claim_groups_fts WHERE claim_groups_fts MATCH ?)" if query else " AND 0"
        )
        args += [query] if query else []
    found = rows(  # the spread kept as claims join and leave groups (schema: claim_group_spread)
        store.conn.execute(
            "SELECT g.id, g.canonical, g.source, s.size, s.articles, s.outlets, s.stories, s.unknown_outlet_stories,"
            " s.languages, (SELECT min(value) FROM claim_group_parts p WHERE p.group_id = g.id AND p.part = 'day')"
            " AS first_day FROM claim_group_spread s JOIN claim_groups g ON g.id = s.group_id"
            f" WHERE s.size >= ?{extra}"
            " ORDER BY s.outlets DESC, s.stories DESC, s.articles DESC, s.size DESC, g.id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
    )
    return {"limit": limit, "offset": offset, "order": ["outlets", "stories", "articles", "size"], "items": found}


def _ranked(members: list[dict[str, Any]], key: str) -> list[str]:
    counts = Counter(str(m[key]) for m in members if m[key])
    return sorted(counts, key=lambda k: (-counts[k], k))


def _stance(counts: Counter[str]) -> str:
    return min(counts, key=lambda s: (-counts[s], STANCE_ORDER.index(s) if s in STANCE_ORDER else 9, s))


def per_outlet(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per outlet (per story where the outlet is unknown), in order of first appearance.

    Each row: the first appearance (article, day, wording), the outlet's stance towards the claim (its most
    frequent one; `stances` has them all), and how many appearances, articles and stories it has.
    """
    found: dict[tuple[str, object], dict[str, Any]] = {}
    for m in members:  # members come in date order: the first seen is the first appearance
        key = ("outlet", m["outlet"]) if m["outlet"] else ("story", m["story_id"])
        row = found.get(key)
        if row is None:
            row = found[key] = {
                "outlet": m["outlet"], "story_id": m["story_id"], "first_article_id": m["article_id"],
                "first_title": m["title"], "first_day": m["day"], "first_published": m["published"],
                "first_text": m["text"], "language": m["language"], "appearances": 0, "stances": Counter(),
                "articles": set(), "stories": set(),
            }  # fmt: skip
        row["appearances"] += 1
        row["stances"][m["stance"]] += 1
        row["articles"].add(m["article_id"])
        row["stories"].add(m["story_id"])
    result = []
    for row in found.values():
        stances: Counter[str] = row["stances"]
        result.append(
            row | {"stance": _stance(stances), "stances": dict(stances.most_common()),
                   "articles": len(row["articles"]), "stories": len(row["stories"])}
        )  # fmt: skip
    return result


def chains(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Distinct source -> relay -> outlet chains (None where unknown), most frequent first."""
    counts: Counter[tuple[str | None, str | None, str | None]] = Counter(
        (m["source"], m["relay"], m["outlet"]) for m in members
    )
    first: dict[tuple[str | None, str | None, str | None], str | None] = {}
    for m in members:
        first.setdefault((m["source"], m["relay"], m["outlet"]), m["day"])
    ordered = sorted(counts, key=lambda k: (-counts[k], first[k] or "9999", [p or "" for p in k]))
    return [{"source": s, "relay": r, "outlet": o, "appearances": counts[(s, r, o)]} for s, r, o in ordered]


def wordings(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claim in each language and wording: distinct texts (spacing and case aside) per language."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for m in members:
        key = (m["language"] or "", " ".join(str(m["text"]).split()).casefold())
        row = found.setdefault(key, {"language": m["language"], "text": m["text"], "appearances": 0, "articles": set()})
        row["appearances"] += 1
        row["articles"].add(m["article_id"])
    ordered = sorted(found.values(), key=lambda r: (r["language"] or "~", -len(r["articles"]), r["text"]))
    return [r | {"articles": sorted(r["articles"])} for r in ordered]


def claim_group(store: Store, group_id: int) -> dict[str, Any] | None:
    """One group's provenance: appearances in date order, per-outlet first appearance and stance, chains, wordings."""
    group = store.conn.execute("SELECT id, canonical, source FROM claim_groups WHERE id = ?", (group_id,)).fetchone()
    if group is None:
        return None
    members = rows(
        store.conn.execute(
            "SELECT c.article_id, a.title, a.source AS outlet, a.published, a.day, a.language,"
            f" {STORY} AS story_id, c.source, c.relay, c.stance, c.stance_score, c.asserted AS stance_asserted,"
            ' c.start, c."end", c.text FROM claims c'
            " JOIN articles a ON a.id = c.article_id JOIN articles f INDEXED BY articles_facets ON f.id = c.article_id"
            " WHERE c.group_id = ?"
            " ORDER BY a.day IS NULL, a.day, a.published, c.article_id, c.start LIMIT ?",
            (group_id, MAX_MEMBERS),
        )
    )
    outlets = per_outlet(members)
    return {
        "id": group["id"],
        "canonical": group["canonical"],
        "first_appearance": members[0] if members else None,
        "counts": {
            "appearances": len(members),
            "articles": len({m["article_id"] for m in members}),
            "stories": len({m["story_id"] for m in members}),
            "outlets": len({m["outlet"] for m in members if m["outlet"]}),
            "unknown_outlet_stories": len({m["story_id"] for m in members if not m["outlet"]}),
            "languages": len({m["language"] for m in members if m["language"]}),
        },
        "sources": _ranked(members, "source"),
        "relays": _ranked(members, "relay"),
        "outlets": _ranked(members, "outlet"),
        "dates": sorted({str(m["day"]) for m in members if m["day"]}),
        "per_outlet": outlets,
        "chains": chains(members),
        "wordings": wordings(members),
        "members": members,
    }
