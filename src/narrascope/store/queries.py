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
from narrascope.store.judgments import (
    CAPABILITIES,
    CORRECTED,
    asserted_sql,
    covered,
    covered_sql,
    not_covered,
    role_sql,
)
from narrascope.store.schema import FACETS, article_count_rows
from narrascope.store.stories import story_of
from narrascope.taxonomy import OTHER


def facets(where: str) -> str:
    """`FACETS` for a filtered read; the whole corpus (`where` "1") is left to the planner (an index of one
    column: outlets, coverage)."""
    return "articles a" if where == "1" else FACETS


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
    include_withheld: bool = False  # count withheld judgments (below the threshold) too
    view: str = CORRECTED  # the analysts' corrections applied, or "model": the model's judgments as stored

    def judged(self, alias: str) -> str:
        """The condition on a judgment table's alias: asserted only, unless `include_withheld`, in the view."""
        return asserted_sql(alias, include_withheld=self.include_withheld, view=self.view)

    def where(self, *, per_article: bool = False) -> tuple[str, list[Any]]:
        """Articles with a judgment of each label asked for (asserted ones only, unless include_withheld).

        `per_article`: the same condition written as a lookup per article (EXISTS) instead of a list of every
        matching article (IN): cheaper for a page read in the index's order when the labels are frequent."""

        def matching(sub: str, column: str) -> str:
            if per_article:
                return f"EXISTS ({sub.replace('SELECT article_id FROM', 'SELECT 1 FROM', 1)} AND {column} = a.id)"
            return f"a.id IN ({sub})"

        clauses: list[str] = []
        args: list[Any] = []
        for label, level in ((self.narrative, "narrative"), (self.subnarrative, "subnarrative")):
            if label:
                sub = f"SELECT article_id FROM narratives n WHERE label = ? AND level = ? AND {self.judged('n')}"
                clauses.append(matching(sub, "n.article_id"))
                args += [label, level]
        if self.entity or self.role:
            role = f" AND {role_sql('e', view=self.view)} = ?" if self.role else ""
            sub = f"SELECT article_id FROM entities e WHERE {self.judged('e')}{role}"
            if self.entity and not per_article:  # an entity name, or an actor's name or id: the actor's articles
                # in every language; three index lookups (an OR of the three columns reads every entity row; an
                # actor's name is indexed where it is not the entity's own)
                names = ("entity = ?", "actor = ? AND actor != entity", "actor_id = ?")
                sub = " UNION ".join(f"{sub} AND {name}" for name in names)
                args += [*([self.role] if self.role else []), self.entity] * 3
            elif self.entity:
                sub += " AND (entity = ? OR actor = ? OR actor_id = ?)"
                args += [*([self.role] if self.role else []), *[self.entity] * 3]
            else:
                args.append(self.role)
            clauses.append(matching(sub, "e.article_id"))
        if self.technique:
            sub = f"SELECT article_id FROM techniques t WHERE technique = ? AND {self.judged('t')}"
            clauses.append(matching(sub, "t.article_id"))
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
    kept = _kept_total(store, flt)
    total = (
        kept if kept is not None else conn.execute(f"SELECT count(*) FROM {FACETS} WHERE {where}", args).fetchone()[0]
    )
    # a frequent label: walk the articles in the listing's order, looking each up (stops after the page); a rare
    # one: list its articles first
    per_article = kept is not None and kept >= FREQUENT
    page_where, page_args = flt.where(per_article=per_article)
    # the page's ids first (an entity's or a search's articles: sorted from the covering index, not their rows),
    # then only the page's rows
    listed = FACETS if (flt.entity or flt.role or flt.q) and not per_article else "articles a"
    page = (
        f"SELECT a.id, a.day FROM {listed} WHERE {page_where} ORDER BY a.day IS NULL, a.day DESC, a.id LIMIT ? OFFSET ?"
    )
    items = rows(
        conn.execute(
            "SELECT a.id, a.title, a.source, a.url, a.published, a.day, a.language FROM articles a"
            f" JOIN ({page}) p ON p.id = a.id ORDER BY p.day IS NULL, p.day DESC, p.id",
            [*page_args, limit, offset],
        )
    )
    for item in items:
        counted = asserted_sql("n", include_withheld=False, view=flt.view)
        found = conn.execute(
            f"SELECT label, score, {counted} AS counted, analyst FROM narratives n WHERE article_id = ?"
            f" AND level = 'narrative' AND {flt.judged('n')} ORDER BY counted DESC, score DESC",
            (item["id"],),
        ).fetchall()
        item["narratives"] = [r["label"] for r in found if r["counted"]]
        if flt.view == CORRECTED:  # which of them an analyst decided: accept, add (a reject is not listed)
            item["corrected"] = {r["label"]: r["analyst"] for r in found if r["counted"] and r["analyst"]}
        if flt.include_withheld:
            item["withheld_narratives"] = [
                {"label": r["label"], "score": r["score"]} for r in found if not r["counted"]
            ]
    return {"total": total, "limit": limit, "offset": offset, "counts": "articles", "items": items}


FREQUENT = 1000  # articles with a label from which a page is read by lookups (see `list_articles`)


def _kept_total(store: Store, flt: ArticleFilter) -> int | None:
    """The articles matching a filter of one label alone, from the counts kept at ingest (the corrected view);
    None for other filters and for the model view."""
    if flt.view != CORRECTED:
        return None
    given = {k: v for k, v in vars(flt).items() if v and k not in ("include_withheld", "view")}
    if len(given) != 1 or not ({"narrative", "subnarrative", "technique"} & set(given)):
        return None
    ((kind, label),) = given.items()
    sql = "SELECT sum(articles) FROM label_days WHERE kind = ? AND label = ? AND include_withheld = ?"
    found = store.conn.execute(sql, (kind, label, int(flt.include_withheld))).fetchone()
    return int(found[0] or 0)


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
    document["not_covered"] = not_covered(document)
    return document


LABELS = {  # what a chart counts: (table alias and join condition, label column)
    "narrative": ("narratives n ON n.article_id = a.id AND n.level = 'narrative'", "n", "n.label"),
    "subnarrative": ("narratives n ON n.article_id = a.id AND n.level = 'subnarrative'", "n", "n.label"),
    "technique": ("techniques t ON t.article_id = a.id", "t", "t.technique"),
}


def label_stats(store: Store, kind: str, by: str, flt: ArticleFilter) -> dict[str, Any]:
    """Articles (not labels) per narrative, subnarrative or technique, per bucket (day, week, month or source),
    and totals per label; an article counts once per label however many spans or sentences carry it."""
    where, args = flt.where()
    if where == "1" and flt.view == CORRECTED:  # the whole corpus: the counts kept at ingest (store/counts.py)
        series, totals = _kept_label_counts(store, kind, by, flt.include_withheld)
    else:  # one query: an article has one bucket, so its label's total is the sum over buckets (undated ones too)
        join, alias, label = LABELS[kind]
        found = store.conn.execute(
            f"SELECT {label} AS label, {BUCKETS[by]} AS bucket, count(DISTINCT a.id) AS articles FROM {FACETS}"
            f" JOIN {join} AND {flt.judged(alias)} WHERE {where} GROUP BY 1, 2",
            args,
        ).fetchall()
        dated = sorted((r for r in found if r[1] is not None), key=lambda r: (r[1], r[0]))
        series = [{"label": r[0], "bucket": r[1], "articles": r[2]} for r in dated]
        summed: dict[str, int] = {}
        for r in found:
            summed[r[0]] = summed.get(r[0], 0) + int(r[2])
        totals = [{"label": k, "articles": v} for k, v in sorted(summed.items(), key=lambda x: (-x[1], x[0]))]
    facts = _article_facts(store, where, args)
    outlet_articles = _outlet_articles(facts)
    return {
        "kind": kind, "by": by, "counts": "articles", "include_withheld": flt.include_withheld, "view": flt.view,
        "articles": sum(f[3] for f in facts), "dated_articles": sum(f[3] for f in facts if f[1]),
        "outlets": len(outlet_articles), "outlet_articles": outlet_articles,
        "covered_articles": _coverage_of(facts)[LABEL_CAPABILITY[kind]],
        "totals": totals, "series": series,
    }  # fmt: skip


def _article_facts(store: Store, where: str, args: list[Any]) -> list[tuple[str, int, str, int]]:
    """(outlet or '', dated, capabilities not covered, articles) of the filtered articles, in one read: the whole
    corpus (`where` "1") from the counts kept at ingest (`article_counts`, the same in either view)."""
    if where == "1":
        return store.conn.execute("SELECT source, dated, not_covered, articles FROM article_counts").fetchall()
    return store.conn.execute(article_count_rows(FACETS, where), args).fetchall()


def _outlet_articles(facts: list[tuple[str, int, str, int]]) -> list[dict[str, object]]:
    summed: dict[str, int] = {}
    for source, _, _, count in facts:
        if source:
            summed[source] = summed.get(source, 0) + count
    return [{"label": k, "articles": v} for k, v in sorted(summed.items(), key=lambda x: (-x[1], x[0])) if v > 0]


def _coverage_of(facts: list[tuple[str, int, str, int]]) -> dict[str, int]:
    found = {"articles": sum(f[3] for f in facts)}
    for capability in CAPABILITIES:
        found[capability] = sum(f[3] for f in facts if covered(f[2], capability))
    return found


KEPT_BUCKETS = {  # `BUCKETS` over the kept counts' day or outlet ('' for none)
    "day": "day",
    "week": "strftime('%Y-W%W', day)",
    "month": "substr(day, 1, 7)",
    "source": "CASE WHEN source = '' THEN '(unknown)' ELSE source END",
}


def _kept_label_counts(
    store: Store, kind: str, by: str, include_withheld: bool
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """`label_stats`' series and totals of the whole corpus, from `label_days` and `label_outlets`."""
    table, dated = ("label_outlets", "") if by == "source" else ("label_days", " AND day != ''")
    args = (kind, int(include_withheld))
    series = rows(
        store.conn.execute(
            f"SELECT label, {KEPT_BUCKETS[by]} AS bucket, sum(articles) AS articles FROM {table}"
            f" WHERE kind = ? AND include_withheld = ? AND articles > 0{dated} GROUP BY 1, 2 ORDER BY 2, 1",
            args,
        )
    )
    totals = rows(
        store.conn.execute(
            "SELECT label, sum(articles) AS articles FROM label_days WHERE kind = ? AND include_withheld = ?"
            " AND articles > 0 GROUP BY 1 ORDER BY 2 DESC, 1",
            args,
        )
    )
    return series, totals


def narrative_stats(store: Store, by: str, flt: ArticleFilter, *, level: str = "narrative") -> dict[str, Any]:
    """`label_stats` of (sub)narratives, with each row's label also under `narrative` (the API's first field)."""
    found = label_stats(store, level, by, flt)
    for row in found["totals"] + found["series"]:
        row["narrative"] = row["label"]
    # the articles the narrative model ran on that count under no label: nothing asserted (or only `Other`)
    where, args = flt.where()
    if where == "1" and flt.view == CORRECTED:  # the whole corpus: kept at ingest (store/counts.py)
        kept = store.conn.execute(
            "SELECT articles FROM label_gaps WHERE level = ? AND include_withheld = ?",
            (level, int(flt.include_withheld)),
        ).fetchone()
        found["articles_without"] = int(kept[0]) if kept else 0
        return found
    found["articles_without"] = store.conn.execute(
        f"SELECT count(*) FROM {FACETS} WHERE {where} AND {covered_sql('narratives')} AND NOT EXISTS (SELECT 1"
        f" FROM narratives n WHERE n.article_id = a.id AND n.level = ? AND n.label != ? AND {flt.judged('n')})",
        [*args, level, OTHER],
    ).fetchone()[0]
    return found


LABEL_CAPABILITY = {"narrative": "narratives", "subnarrative": "narratives", "technique": "techniques"}


def coverage(store: Store, flt: ArticleFilter) -> dict[str, int]:
    """How many of the filtered articles each capability ran on (entities and techniques cover some languages)."""
    where, args = flt.where()
    return _coverage_of(_article_facts(store, where, args))
