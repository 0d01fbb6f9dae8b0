"""Alert rules (a TOML file), their evaluation over the store, and the `alerts` table where each hit lives once.

A rules file:

    [webhook]                       # optional: every new alert is POSTed there as JSON
    url = "https://hooks.example.org/narrascope"

    [[rules]]
    name = "tass-relays"            # unique; part of each alert's key
    kind = "narrative"              # narrative N (or a subnarrative) from outlets O with score >= s
    narrative = "URW: Blaming the war on others rather than the invader"
    outlets = ["Eastern Wire"]      # optional: any outlet when absent
    min_score = 0.3                 # optional, default 0

    [[rules]]
    name = "spreading"
    kind = "claim_growth"           # a claim group reached by >= k new outlets in the window
    min_outlets = 2
    window_days = 7                 # optional (every kind), default 7

    [[rules]]
    name = "nato-villain"
    kind = "entity_role"            # a watched entity cast in a role (any outlet, or `outlets`)
    entity = "NATO"
    role = "Antagonist"

A rule fires on what is *new*: articles first stored after the rule's baseline and published within its window.
The baseline (`alert_baselines`) is set the first time the rule is evaluated, to the start of that round
(`evaluate(..., round_started=)`), so the first round on a store already full of articles, or on a feed full of
old items, alerts only on the round's own new articles, never on history. The window is `window_days` days
ending on the corpus's newest published day (today at the latest): an item from a feed's archive is not new, and
an undated article never is. `claim_growth` counts the outlets that carry a claim group for the first time in new
articles (an outlet that carried it before the baseline does not count). Each alert lists the articles that
caused it (`articles`, `links` to their pages; a claim's `links` open its provenance first), and narratives,
roles and claims count in the corrected view (`store/judgments.py`).

Each hit has a key (rule name + article, or + claim group and its new outlets); the key is UNIQUE in the table,
so a hit is written, logged and sent once however often the rules are evaluated.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from narrascope.errors import FormatError
from narrascope.store.db import Store, rows
from narrascope.store.judgments import asserted_sql, role_sql, stance_sql
from narrascope.taxonomy import OTHER, load_taxonomy

KINDS = ("narrative", "claim_growth", "entity_role")
ROLES = ("Protagonist", "Antagonist", "Innocent")
_FIELDS = {
    "narrative": {"name", "kind", "narrative", "outlets", "min_score", "window_days"},
    "claim_growth": {"name", "kind", "min_outlets", "outlets", "window_days"},
    "entity_role": {"name", "kind", "entity", "role", "outlets", "window_days"},
}
WINDOW_DAYS = 7


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    narrative: str | None = None
    outlets: tuple[str, ...] = ()
    min_score: float = 0.0
    min_outlets: int = 1
    entity: str | None = None
    role: str | None = None
    window_days: int = WINDOW_DAYS


@dataclass(frozen=True)
class Window:
    """What counts as new for one rule: stored at or after `since`, published from `first` to `last` (days)."""

    since: str
    first: str
    last: str

    def sql(self, args: list[Any]) -> str:
        args.extend([self.since, self.first, self.last])
        return " AND a.ingested_at >= ? AND a.day IS NOT NULL AND a.day BETWEEN ? AND ?"


@dataclass
class Rules:
    rules: list[Rule] = field(default_factory=list)
    webhook: str | None = None


def load_rules(path: str | Path) -> Rules:
    """Read and check a rules file; any problem is a FormatError of one line naming the file and the rule."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except OSError as exc:
        raise FormatError(f"{where}: cannot read the rules file ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"{where}: not valid TOML ({exc})") from None
    unknown = set(data) - {"rules", "webhook"}
    if unknown:
        raise FormatError(f"{where}: unknown section {sorted(unknown)[0]!r} (expected [[rules]] and [webhook])")
    webhook = data.get("webhook", {})
    if not isinstance(webhook, dict) or not isinstance(webhook.get("url", ""), str) or set(webhook) - {"url"}:
        raise FormatError(f'{where}: [webhook] takes one key, url = "https://..."')
    raw = data.get("rules", [])
    if not isinstance(raw, list) or not raw:
        raise FormatError(f"{where}: no rules (add [[rules]] tables with name and kind)")
    rules: list[Rule] = []
    for number, table in enumerate(raw, 1):
        rule = _rule(table, f"{where}: rule {number}")
        if any(r.name == rule.name for r in rules):
            raise FormatError(f"{where}: rule {number}: the name {rule.name!r} is used twice")
        rules.append(rule)
    return Rules(rules, webhook.get("url") or None)


def _rule(table: Any, where: str) -> Rule:
    if not isinstance(table, dict):
        raise FormatError(f"{where}: expected a table")
    name, kind = table.get("name"), table.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise FormatError(f"{where}: needs a name (a non-empty string)")
    where = f"{where} ({name})"
    if kind not in KINDS:
        raise FormatError(f"{where}: kind must be one of {', '.join(KINDS)}, found {kind!r}")
    extra = set(table) - _FIELDS[kind]
    if extra:
        raise FormatError(f"{where}: unknown key {sorted(extra)[0]!r} for a {kind} rule")
    outlets = table.get("outlets", [])
    if not isinstance(outlets, list) or not all(isinstance(o, str) and o for o in outlets):
        raise FormatError(f"{where}: outlets must be a list of outlet names")
    window = table.get("window_days", WINDOW_DAYS)
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 3660:
        raise FormatError(f"{where}: window_days must be a whole number of days from 1 to 3660, found {window!r}")
    return _with_window(_kind_rule(table, where, name, kind, tuple(outlets)), window)


def _with_window(rule: Rule, window: int) -> Rule:
    return Rule(rule.name, rule.kind, rule.narrative, rule.outlets, rule.min_score, rule.min_outlets, rule.entity,
                rule.role, window)  # fmt: skip


def _kind_rule(table: dict[str, Any], where: str, name: str, kind: str, outlets: tuple[str, ...]) -> Rule:
    if kind == "narrative":
        label = table.get("narrative")
        taxonomy = load_taxonomy()
        if label not in {*taxonomy.narratives, *taxonomy.subnarratives, OTHER}:
            raise FormatError(
                f"{where}: unknown narrative {label!r} (a narrative or subnarrative label of the taxonomy)"
            )
        score = table.get("min_score", 0.0)
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise FormatError(f"{where}: min_score must be a number from 0 to 1, found {score!r}")
        return Rule(name, kind, narrative=label, outlets=outlets, min_score=float(score))
    if kind == "claim_growth":
        k = table.get("min_outlets")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise FormatError(f"{where}: min_outlets must be a whole number >= 1, found {k!r}")
        return Rule(name, kind, outlets=outlets, min_outlets=k)
    entity, role = table.get("entity"), table.get("role")
    if not isinstance(entity, str) or not entity.strip():
        raise FormatError(f'{where}: needs entity = "name"')
    if role not in ROLES:
        raise FormatError(f"{where}: role must be one of {', '.join(ROLES)}, found {role!r}")
    return Rule(name, kind, entity=entity.strip(), role=role, outlets=outlets)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def baselines(store: Store, rules: Rules, start: str) -> dict[str, str]:
    """Each rule's baseline: when it was first evaluated (`start` for a rule evaluated now for the first time)."""
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO alert_baselines (rule, since) VALUES (?, ?)", [(r.name, start) for r in rules.rules]
        )
    return {r[0]: r[1] for r in store.conn.execute("SELECT rule, since FROM alert_baselines")}


def window_end(store: Store) -> date:
    """The last day of every window: the newest published day in the store, today at the latest."""
    today = datetime.now(UTC).date()
    newest = store.conn.execute("SELECT max(day) FROM articles WHERE day IS NOT NULL").fetchone()[0]
    try:
        return min(today, date.fromisoformat(str(newest))) if newest else today
    except ValueError:
        return today


def evaluate(store: Store, rules: Rules, *, round_started: str | None = None) -> list[dict[str, Any]]:
    """Check every rule against the new articles of its window; the alerts not written before are inserted and
    returned. `round_started` (ISO time) is the baseline of a rule evaluated for the first time (default: now)."""
    since = baselines(store, rules, round_started or datetime.now(UTC).isoformat(timespec="microseconds"))
    last = window_end(store)
    hits: list[dict[str, Any]] = []
    for rule in rules.rules:
        window = Window(since[rule.name], (last - timedelta(days=rule.window_days - 1)).isoformat(), last.isoformat())
        found = _HITS[rule.kind](store, rule, window)
        hits.extend({"rule": rule.name, "kind": rule.kind, **hit} for hit in found)
    created = _now()
    new: list[dict[str, Any]] = []
    with store.transaction() as conn:
        for hit in hits:
            details = {k: v for k, v in hit.items() if k not in ("key", "rule", "kind", "subject", "message")}
            cursor = conn.execute(
                "INSERT OR IGNORE INTO alerts (key, rule, kind, created_at, article_id, subject, message, details)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (hit["key"], hit["rule"], hit["kind"], created, hit.get("article_id"), hit["subject"],
                 hit["message"], json.dumps(details, ensure_ascii=False)),
            )  # fmt: skip
            if cursor.rowcount == 1:
                new.append({"id": cursor.lastrowid, "created_at": created, **hit})
    return new


def _outlets(rule: Rule, args: list[Any]) -> str:
    if not rule.outlets:
        return ""
    args.extend(rule.outlets)
    return f" AND a.source IN ({','.join('?' * len(rule.outlets))})"


def article_link(article_id: str) -> str:
    """The web UI's page of an article (a query, so any id survives)."""
    return f"/article?id={quote(article_id, safe='')}"


def _hit(rule: Rule, r: Any, subject: object, what: str) -> dict[str, Any]:
    """One alert hit of `rule` on the article of row `r`: "<outlet> <what>: <title>"."""
    return {
        "key": f"{rule.name}|{r['article_id']}", "article_id": r["article_id"], "subject": subject,
        "message": f"{r['source'] or 'unknown outlet'} {what}: {r['title'] or r['article_id']}",
        "outlet": r["source"], "title": r["title"], "url": r["url"], "day": r["day"], "score": r["score"],
        "articles": [r["article_id"]], "links": [article_link(str(r["article_id"]))],
    }  # fmt: skip


def _narrative_hits(store: Store, rule: Rule, window: Window) -> list[dict[str, Any]]:
    args: list[Any] = [rule.narrative, rule.min_score]
    sql = (
        "SELECT n.article_id, n.label, max(n.score) AS score, a.source, a.title, a.url, a.day FROM narratives n"
        " JOIN articles a ON a.id = n.article_id WHERE n.label = ? AND n.score >= ?"
    )
    sql += (
        f" AND {asserted_sql('n', include_withheld=False)}"
        + _outlets(rule, args)
        + window.sql(args)
        + " GROUP BY n.article_id, n.label ORDER BY a.day, n.article_id"
    )
    return [
        _hit(rule, r, r["label"], f"pushes {r['label']} (score {r['score']:.2f})")
        for r in rows(store.conn.execute(sql, args))
    ]


def _claim_hits(store: Store, rule: Rule, window: Window) -> list[dict[str, Any]]:
    args: list[Any] = []
    where = _outlets(rule, args)
    found = rows(
        store.conn.execute(
            "SELECT DISTINCT c.group_id, a.source, a.id, a.ingested_at, a.day FROM claims c"
            " JOIN articles a ON a.id = c.article_id"
            f" WHERE c.group_id IS NOT NULL AND a.source IS NOT NULL{where} AND {stance_sql('c')}"
            " ORDER BY c.group_id, a.source, a.id",
            args,
        )
    )
    old: set[tuple[int, str]] = set()
    new: dict[int, dict[str, list[str]]] = {}
    for r in found:
        group, outlet = int(str(r["group_id"])), str(r["source"])
        if str(r["ingested_at"]) < window.since:
            old.add((group, outlet))
        elif r["day"] is not None and window.first <= str(r["day"]) <= window.last:
            new.setdefault(group, {}).setdefault(outlet, []).append(str(r["id"]))
    hits = []
    for group, by_outlet in sorted(new.items()):
        outlets = sorted(o for o in by_outlet if (group, o) not in old)
        if len(outlets) < rule.min_outlets:
            continue
        canonical = store.conn.execute("SELECT canonical FROM claim_groups WHERE id = ?", (group,)).fetchone()
        text = canonical[0] if canonical else f"claim group {group}"
        articles = sorted({a for o in outlets for a in by_outlet[o]})
        hits.append(
            {
                "key": f"{rule.name}|group:{group}|{'|'.join(outlets)}", "subject": text, "group": group,
                "day": window.last, "outlets": outlets, "articles": articles,
                "links": [f"/claim?id={group}", *(article_link(a) for a in articles)],
                "message": f"claim reached {len(outlets)} new outlet(s) ({', '.join(outlets)}) in the"
                f" {rule.window_days} day(s) to {window.last}: {text}",
            }
        )  # fmt: skip
    return hits


def _entity_hits(store: Store, rule: Rule, window: Window) -> list[dict[str, Any]]:
    args: list[Any] = [rule.entity, rule.role]
    sql = (
        "SELECT e.article_id, e.entity, max(e.score) AS score, a.source, a.title, a.url, a.day FROM entities e"
        f" JOIN articles a ON a.id = e.article_id WHERE lower(e.entity) = lower(?) AND {role_sql('e')} = ?"
        f" AND {asserted_sql('e', include_withheld=False)}"
    )
    sql += _outlets(rule, args) + window.sql(args) + " GROUP BY e.article_id ORDER BY a.day, e.article_id"
    return [
        _hit(rule, r, r["entity"], f"casts {r['entity']} as {rule.role}") for r in rows(store.conn.execute(sql, args))
    ]


_HITS = {"narrative": _narrative_hits, "claim_growth": _claim_hits, "entity_role": _entity_hits}


def list_alerts(store: Store, *, limit: int = 100, offset: int = 0, rule: str | None = None) -> dict[str, Any]:
    """Alerts, newest first, with their details decoded."""
    where, args = ("WHERE rule = ?", [rule]) if rule else ("", [])
    total = store.conn.execute(f"SELECT count(*) FROM alerts {where}", args).fetchone()[0]
    items = rows(
        store.conn.execute(f"SELECT * FROM alerts {where} ORDER BY id DESC LIMIT ? OFFSET ?", [*args, limit, offset])
    )
    for item in items:
        item["details"] = json.loads(str(item["details"]))
    return {"total": total, "limit": limit, "offset": offset, "items": items}
