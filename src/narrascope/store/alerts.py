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
    kind = "claim_growth"           # a claim group reached by >= k new outlets on one day
    min_outlets = 2

    [[rules]]
    name = "nato-villain"
    kind = "entity_role"            # a watched entity cast in a role (any outlet, or `outlets`)
    entity = "NATO"
    role = "Antagonist"

Each hit has a key (rule name + article, or + claim group and day); the key is UNIQUE in the table, so a hit
is written, logged and sent once however often the rules are evaluated.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from narrascope.errors import FormatError
from narrascope.store.db import Store, rows
from narrascope.store.judgments import asserted_sql, role_sql, stance_sql
from narrascope.taxonomy import OTHER, load_taxonomy

KINDS = ("narrative", "claim_growth", "entity_role")
ROLES = ("Protagonist", "Antagonist", "Innocent")
_FIELDS = {
    "narrative": {"name", "kind", "narrative", "outlets", "min_score"},
    "claim_growth": {"name", "kind", "min_outlets", "outlets"},
    "entity_role": {"name", "kind", "entity", "role", "outlets"},
}


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
        return Rule(name, kind, narrative=label, outlets=tuple(outlets), min_score=float(score))
    if kind == "claim_growth":
        k = table.get("min_outlets")
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise FormatError(f"{where}: min_outlets must be a whole number >= 1, found {k!r}")
        return Rule(name, kind, outlets=tuple(outlets), min_outlets=k)
    entity, role = table.get("entity"), table.get("role")
    if not isinstance(entity, str) or not entity.strip():
        raise FormatError(f'{where}: needs entity = "name"')
    if role not in ROLES:
        raise FormatError(f"{where}: role must be one of {', '.join(ROLES)}, found {role!r}")
    return Rule(name, kind, entity=entity.strip(), role=role, outlets=tuple(outlets))


def evaluate(store: Store, rules: Rules) -> list[dict[str, Any]]:
    """Check every rule against the store; the alerts not written before are inserted and returned."""
    hits: list[dict[str, Any]] = []
    for rule in rules.rules:
        hits.extend({"rule": rule.name, "kind": rule.kind, **hit} for hit in _HITS[rule.kind](store, rule))
    created = datetime.now(UTC).isoformat(timespec="seconds")
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


def _hit(rule: Rule, r: Any, subject: object, what: str) -> dict[str, Any]:
    """One alert hit of `rule` on the article of row `r`: "<outlet> <what>: <title>"."""
    return {
        "key": f"{rule.name}|{r['article_id']}", "article_id": r["article_id"], "subject": subject,
        "message": f"{r['source'] or 'unknown outlet'} {what}: {r['title'] or r['article_id']}",
        "outlet": r["source"], "title": r["title"], "url": r["url"], "day": r["day"], "score": r["score"],
    }  # fmt: skip


def _narrative_hits(store: Store, rule: Rule) -> list[dict[str, Any]]:
    args: list[Any] = [rule.narrative, rule.min_score]
    sql = (
        "SELECT n.article_id, n.label, max(n.score) AS score, a.source, a.title, a.url, a.day FROM narratives n"
        " JOIN articles a ON a.id = n.article_id WHERE n.label = ? AND n.score >= ?"
    )
    sql += (
        f" AND {asserted_sql('n', include_withheld=False)}"
        + _outlets(rule, args)
        + " GROUP BY n.article_id, n.label ORDER BY a.day, n.article_id"
    )
    return [
        _hit(rule, r, r["label"], f"pushes {r['label']} (score {r['score']:.2f})")
        for r in rows(store.conn.execute(sql, args))
    ]


def _claim_hits(store: Store, rule: Rule) -> list[dict[str, Any]]:
    args: list[Any] = []
    where = _outlets(rule, args)
    firsts = rows(
        store.conn.execute(
            "SELECT c.group_id, a.source, min(a.day) AS day FROM claims c JOIN articles a ON a.id = c.article_id"
            f" WHERE c.group_id IS NOT NULL AND a.day IS NOT NULL AND a.source IS NOT NULL{where}"
            f" AND {stance_sql('c')}"
            " GROUP BY c.group_id, a.source",
            args,
        )
    )
    by_day: dict[tuple[int, str], list[str]] = {}
    for r in firsts:
        by_day.setdefault((int(str(r["group_id"])), str(r["day"])), []).append(str(r["source"]))
    hits = []
    for (group, day), outlets in sorted(by_day.items()):
        if len(outlets) < rule.min_outlets:
            continue
        canonical = store.conn.execute("SELECT canonical FROM claim_groups WHERE id = ?", (group,)).fetchone()
        text = canonical[0] if canonical else f"claim group {group}"
        hits.append(
            {
                "key": f"{rule.name}|group:{group}|{day}", "subject": text, "group": group, "day": day,
                "outlets": sorted(outlets),
                "message": f"claim reached {len(outlets)} new outlet(s) on {day}: {text}",
            }
        )  # fmt: skip
    return hits


def _entity_hits(store: Store, rule: Rule) -> list[dict[str, Any]]:
    args: list[Any] = [rule.entity, rule.role]
    sql = (
        "SELECT e.article_id, e.entity, max(e.score) AS score, a.source, a.title, a.url, a.day FROM entities e"
        f" JOIN articles a ON a.id = e.article_id WHERE lower(e.entity) = lower(?) AND {role_sql('e')} = ?"
        f" AND {asserted_sql('e', include_withheld=False)}"
    )
    sql += _outlets(rule, args) + " GROUP BY e.article_id ORDER BY a.day, e.article_id"
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
