"""The corrected view (analysts' corrections applied) is what every count, filter, chart, trend, alert, listing
and export reads, with `view=model` for the model's own judgments; through a real server and a real store."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from narrascope.store.alerts import Rule, Rules, evaluate
from narrascope.store.corrections import CorrectionIn, add_correction, undo_correction
from narrascope.store.db import Store
from narrascope.store.export import export
from tests.serving import get_json, request, running_server

JSON = {"Content-Type": "application/json"}
ADDED = "URW: Praise of Russia"


@pytest.fixture(scope="module")
def served(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("view") / "v.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db)) as url:
        yield url, db


def api(base: str, path: str, **query: Any) -> Any:
    status, found = get_json(f"{base}{path}?{urlencode(query)}")
    assert status == 200, found
    return found


def filtered(base: str, **query: Any) -> set[str]:
    return {a["id"] for a in api(base, "/api/articles", limit=500, **query)["items"]}


def totals(base: str, **query: Any) -> dict[str, int]:
    return {t["label"]: t["articles"] for t in api(base, "/api/stats/narratives", by="source", **query)["totals"]}


def csv_narratives(base: str, **query: Any) -> dict[str, set[str]]:
    status, _, body = request(f"{base}/api/export?{urlencode({'format': 'csv', **query})}")
    assert status == 200
    found: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(body.decode("utf-8"))):
        key = next(k for k in row if k in ("id", "article_id"))
        found.setdefault(row[key], set()).update(
            v.strip() for v in (row.get("narratives") or "").split(";") if v.strip()
        )
    return found


def correct(base: str, article_id: str, body: dict[str, Any]) -> dict[str, Any]:
    status, stored = get_json(f"{base}/api/articles/{quote(article_id)}/corrections", method="POST",
                              body=json.dumps(body).encode(), headers=JSON)  # fmt: skip
    assert status == 201, stored
    return dict(stored)


def test_a_rejected_and_an_added_narrative_reach_every_count_and_the_model_view_keeps_the_model(
    served: tuple[str, Path],
) -> None:
    base, _ = served
    article_id = "a2"
    doc = api(base, "/api/article", id=article_id)
    rejected = next(h["label"] for h in doc["narratives"] if h["level"] == "narrative" and h["label"] != "Other")
    before = {"rejected": filtered(base, narrative=rejected), "added": filtered(base, narrative=ADDED),
              "totals": totals(base), "csv": csv_narratives(base)}  # fmt: skip
    assert article_id in before["rejected"] and article_id not in before["added"]
    correct(base, article_id, {"layer": "narrative", "action": "reject", "label": rejected})
    correct(base, article_id, {"layer": "narrative", "action": "add", "label": ADDED})

    assert filtered(base, narrative=rejected) == before["rejected"] - {article_id}
    assert filtered(base, narrative=ADDED) == before["added"] | {article_id}
    after = totals(base)
    assert after.get(rejected, 0) == before["totals"][rejected] - 1
    assert after[ADDED] == before["totals"].get(ADDED, 0) + 1
    exported = csv_narratives(base)
    assert rejected not in exported[article_id] and ADDED in exported[article_id]
    listed = next(a for a in api(base, "/api/articles", narrative=ADDED)["items"] if a["id"] == article_id)
    assert listed["corrected"] == {ADDED: "add"} and rejected not in listed["narratives"]
    _, _, body = request(f"{base}/api/export?format=jsonl&narrative={quote(ADDED)}")
    line = next(json.loads(x) for x in body.decode().splitlines() if json.loads(x)["id"] == article_id)
    assert {h["label"] for h in line["narratives"]} >= {ADDED} and rejected not in {
        h["label"] for h in line["narratives"]
    }
    assert [c["action"] for c in line["corrections"]] == ["reject", "add"]

    # the model's own view is unchanged
    assert filtered(base, narrative=rejected, view="model") == before["rejected"]
    assert totals(base, view="model") == before["totals"]
    assert csv_narratives(base, view="model") == before["csv"]
    assert rejected in {h["label"] for h in api(base, "/api/article", id=article_id, view="model")["narratives"]}


def test_a_changed_role_and_a_rejected_span_leave_the_entity_and_technique_counts(
    corpus_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "roles.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    row = store.conn.execute(
        "SELECT article_id, entity, main_role FROM entities WHERE asserted = 1 ORDER BY article_id, entity LIMIT 1"
    ).fetchone()
    new_role = "Innocent" if row["main_role"] != "Innocent" else "Protagonist"
    add_correction(store, CorrectionIn("entity", "change", label=new_role, entity=row["entity"]),
                   article_id=row["article_id"], user="t")  # fmt: skip
    roles = {r[0]: r[1] for r in store.conn.execute(
        "SELECT COALESCE(analyst_role, main_role), analyst FROM entities WHERE article_id = ? AND entity = ?",
        (row["article_id"], row["entity"]))}  # fmt: skip
    assert roles == {new_role: "change"}
    from narrascope.store.queries import ArticleFilter, list_articles

    def ids(**kw: Any) -> set[str]:
        found = list_articles(store, ArticleFilter(**kw), limit=500, offset=0)["items"]
        return {str(a["id"]) for a in found}

    assert row["article_id"] in ids(entity=row["entity"], role=new_role)
    assert row["article_id"] not in ids(entity=row["entity"], role=new_role, view="model")
    span = store.conn.execute(
        "SELECT * FROM techniques t WHERE asserted = 1 AND NOT EXISTS (SELECT 1 FROM techniques o WHERE"
        " o.article_id = t.article_id AND o.technique = t.technique AND o.rowid != t.rowid) LIMIT 1"
    ).fetchone()
    given = CorrectionIn("technique", "reject", start=span["start"], end=span["end"], label=span["technique"])
    made = add_correction(store, given, article_id=span["article_id"], user="t")
    assert span["article_id"] not in ids(technique=span["technique"])
    assert span["article_id"] in ids(technique=span["technique"], view="model")
    undo_correction(store, made.id)
    assert span["article_id"] in ids(technique=span["technique"])
    store.close()


def test_alert_rules_and_file_exports_read_the_corrected_view(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "alerts.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    hit = store.conn.execute(
        "SELECT article_id, label FROM narratives WHERE level = 'narrative' AND asserted = 1 AND label != 'Other'"
        " ORDER BY article_id LIMIT 1"
    ).fetchone()
    add_correction(store, CorrectionIn("narrative", "reject", label=hit["label"]), article_id=hit["article_id"],
                   user="t")  # fmt: skip
    add_correction(store, CorrectionIn("narrative", "add", label=ADDED), article_id=hit["article_id"], user="t")
    rules = Rules([Rule("gone", "narrative", narrative=hit["label"], window_days=3660),
                   Rule("praise", "narrative", narrative=ADDED, window_days=3660)])  # fmt: skip
    fired = {(a["rule"], a["article_id"]) for a in evaluate(store, rules, round_started="2000-01-01")}
    assert ("gone", hit["article_id"]) not in fired and ("praise", hit["article_id"]) in fired
    export(store, "jsonl", tmp_path / "out.jsonl")
    export(store, "jsonl", tmp_path / "model.jsonl", view="model")
    store.close()

    def labels(path: Path) -> set[str]:
        docs = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
        return {h["label"] for d in docs if d["id"] == hit["article_id"] for h in d["narratives"]}

    assert ADDED in labels(tmp_path / "out.jsonl") and hit["label"] not in labels(tmp_path / "out.jsonl")
    assert hit["label"] in labels(tmp_path / "model.jsonl") and ADDED not in labels(tmp_path / "model.jsonl")


def test_a_reingest_keeps_the_corrected_view_of_the_new_rows(corpus_db: Path, tmp_path: Path) -> None:
    from narrascope.analysis import Analysis

    db = tmp_path / "again.db"
    shutil.copy(corpus_db, db)
    store = Store(db)
    article_id = "a2"
    add_correction(store, CorrectionIn("narrative", "add", label=ADDED), article_id=article_id, user="t")
    document = json.loads(store.conn.execute("SELECT analysis FROM articles WHERE id = ?", (article_id,)).fetchone()[0])
    document["title"] = "retitled"  # a changed input: the article row and its judgments are replaced
    analysis = Analysis.from_dict(document)
    analysis.article.meta.pop("content_hash", None)
    assert store.put_batch([analysis]).updated == [article_id]
    assert (
        store.conn.execute(
            "SELECT count(*) FROM narratives WHERE article_id = ? AND label = ? AND model = 0", (article_id, ADDED)
        ).fetchone()[0]
        == 1
    )
    store.close()
