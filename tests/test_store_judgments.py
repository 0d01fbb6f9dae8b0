"""Asserted judgments in the store and the API: one rule for what is counted (asserted judgments of articles), a switch
for the rest, the outlet from the URL, coverage per capability, the filtered export. A real SQLite file and a
real server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.analysis import Analysis, EntityMention, EntityRole, TechniqueSpan
from narrascope.article import Article
from narrascope.store.db import Store
from narrascope.store.judgments import asserted_sql, outlet
from narrascope.store.schema import MIGRATIONS
from tests.serving import get_json, request, running_server

ROLES = ("Protagonist", "Antagonist", "Innocent")


@pytest.fixture(scope="module")
def served(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    db = tmp_path_factory.mktemp("judged") / "judged.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db)) as url:
        ids = [a["id"] for a in get_json(f"{url}/api/articles?limit=500")[1]["items"]]
        yield url, [get_json(f"{url}/api/articles/{i}")[1] for i in ids]


def _total(base: str, **query: str) -> int:
    status, found = get_json(f"{base}/api/articles?{urllib.parse.urlencode({'limit': 1, **query})}")
    assert status == 200
    return int(found["total"])


def test_filters_count_articles_with_asserted_judgments_unless_withheld_asked(served: Any) -> None:
    base, docs = served
    techniques = {t["technique"] for d in docs for t in d["techniques"]}
    withheld_somewhere = 0
    for label in techniques:
        asserted = sum(any(t["technique"] == label and t["asserted"] for t in d["techniques"]) for d in docs)
        anyway = sum(any(t["technique"] == label for t in d["techniques"]) for d in docs)
        withheld_somewhere += anyway > asserted
        assert _total(base, technique=label) == asserted, label
        assert _total(base, technique=label, include_withheld="true") == anyway, label
        _, stats = get_json(f"{base}/api/stats/techniques?by=source")
        assert {r["label"]: r["articles"] for r in stats["totals"]}.get(label, 0) == asserted
        assert stats["counts"] == "articles"
    assert withheld_somewhere  # the fixture has labels whose spans are all withheld in some article
    # roles: an entity whose role is withheld is found by its candidate role only with include_withheld
    pairs = [
        (e["entity"], e.get("candidate_role") or e["main_role"], e["main_role"] in ROLES)
        for d in docs
        for e in d["entities"]
    ]
    entity, role, _ = next(p for p in pairs if not p[2] and p[1] in ROLES)
    asserted = sum(any(e["entity"] == entity and e["main_role"] == role for e in d["entities"]) for d in docs)
    anyway = sum(
        any(e["entity"] == entity and (e.get("candidate_role") or e["main_role"]) == role for e in d["entities"])
        for d in docs
    )
    assert anyway > asserted
    assert _total(base, entity=entity, role=role) == asserted
    assert _total(base, entity=entity, role=role, include_withheld="true") == anyway


def test_entity_listings_count_asserted_roles_and_say_what_they_count(served: Any) -> None:
    base, docs = served
    _, listed = get_json(f"{base}/api/entities?limit=500")
    _, everything = get_json(f"{base}/api/entities?limit=500&include_withheld=true")
    assert listed["counts"] == "articles"
    shown = {(d["id"], e["entity"]) for d in docs for e in d["entities"] if e["main_role"] in ROLES}
    assert {i["entity"] for i in listed["items"]} == {name for _, name in shown}
    assert all(role in ROLES for i in listed["items"] for role in i["roles"])
    assert {i["entity"] for i in everything["items"]} == {e["entity"] for d in docs for e in d["entities"]}
    withheld_only = next(i["entity"] for i in everything["items"] if i["entity"] not in {n for _, n in shown})
    status, framing = get_json(f"{base}/api/entities/{urllib.parse.quote(withheld_only)}")
    assert status == 200 and framing["articles"] == [] and framing["withheld_articles"] >= 1
    _, framing = get_json(f"{base}/api/entities/{urllib.parse.quote(withheld_only)}?include_withheld=true")
    assert framing["articles"] and all(a["asserted"] == 0 for a in framing["articles"])


def test_export_of_the_filtered_list_streams_csv_and_jsonl(served: Any) -> None:
    base, docs = served
    label = next(t["technique"] for d in docs for t in d["techniques"] if t["asserted"])
    expected = sorted(d["id"] for d in docs if any(t["technique"] == label and t["asserted"] for t in d["techniques"]))
    query = urllib.parse.urlencode({"technique": label})
    status, headers, body = request(f"{base}/api/export?format=csv&{query}")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert sorted(r["id"] for r in rows) == expected
    status, headers, body = request(f"{base}/api/export?format=jsonl&{query}")
    lines = body.decode("utf-8").splitlines()
    assert status == 200 and sorted(json.loads(line)["id"] for line in lines) == expected
    assert request(f"{base}/api/export?format=xml")[0] == 422


def _analysis(*, url: str | None = None, source: str | None = None, language: str = "en") -> Analysis:
    text = "Russia attacked. NATO said so."
    article = Article(raw_text=text, id=f"t-{language}-{url}", url=url, source=source, language=language)
    analysis = Analysis(article)
    analysis.techniques = [
        TechniqueSpan(0, 6, "Russia", "Loaded_Language", 0.9, True),
        TechniqueSpan(17, 21, "NATO", "Loaded_Language", 0.1, False),
    ]
    mention = EntityMention(0, 6, "Russia", "Antagonist", ("Instigator",), 0.4)
    analysis.entities = [EntityRole("Russia", "GPE", "uncertain", (), 0.4, (mention,), candidate_role="Antagonist")]
    if language != "en":
        analysis.warnings = [
            f"{article.id}: entity detection needs English text (found {language}); use ...",
            f"{article.id}: the persuasion technique model is English-only (found {language}); no techniques tagged",
        ]
        analysis.techniques, analysis.entities = [], []
    return analysis


def test_outlet_from_the_url_coverage_and_flags_in_one_place(tmp_path: Path) -> None:
    assert outlet(Article(raw_text="x", url="https://www.tass.com/politics/1")) == "tass.com"
    assert outlet(Article(raw_text="x", url="https://tass.com/", source=" TASS ")) == "TASS"
    assert outlet(Article(raw_text="x", url="not a url")) is None
    assert asserted_sql("t", include_withheld=False, view="model") == "(t.model = 1 AND t.asserted = 1)"
    assert "t.rejected = 0" in asserted_sql("t", include_withheld=False)  # the corrected view, by default
    with pytest.raises(ValueError):
        asserted_sql("t; DROP TABLE x", include_withheld=False)
    db = tmp_path / "s.db"
    with running_server(str(db)) as base:
        store = Store(db)
        store.put_batch([_analysis(url="https://www.euronews.com/a"), _analysis(language="bg")])
        flags = store.conn.execute("SELECT text, asserted, score FROM techniques ORDER BY start").fetchall()
        assert [tuple(r) for r in flags] == [("Russia", 1, 0.9), ("NATO", 0, 0.1)]
        row = store.conn.execute("SELECT asserted, candidate_role FROM entities").fetchone()
        assert tuple(row) == (0, "Antagonist")
        store.close()
        _, doc = get_json(f"{base}/api/articles/t-en-https%3A%2F%2Fwww.euronews.com%2Fa")
        assert doc["source"] == "euronews.com" and doc["meta"]["source_from"] == "url"
        assert _total(base, source="euronews.com") == 1
        _, bg = get_json(f"{base}/api/articles/t-bg-None")
        assert bg["not_covered"] == {"entities": "bg", "techniques": "bg"}
        _, cov = get_json(f"{base}/api/coverage")
        assert cov == {"articles": 2, "narratives": 2, "entities": 1, "techniques": 1, "claims": 2}
        _, stats = get_json(f"{base}/api/stats/techniques?by=source")
        assert stats["covered_articles"] == 1 and stats["outlets"] == 1


def test_a_store_from_before_is_migrated_with_flags_read_from_its_analyses(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(f"{MIGRATIONS[0]}; PRAGMA user_version = 1;")
    for analysis in (_analysis(), _analysis(language="bg")):  # rows as the first schema's insert wrote them
        a = analysis.article
        conn.execute(
            "INSERT INTO articles (id, content_hash, raw_text, analysis, ingested_at, language)"
            " VALUES (?, 'h', ?, ?, 'now', ?)",
            (a.id, a.raw_text, json.dumps(analysis.to_dict()), a.language),
        )
        conn.executemany(
            'INSERT INTO techniques (article_id, technique, start, "end", text, score) VALUES (?, ?, ?, ?, ?, ?)',
            [(a.id, t.technique, t.start, t.end, t.text, t.score) for t in analysis.techniques],
        )
        conn.executemany(
            "INSERT INTO entities (article_id, entity, ner_label, main_role, fine_roles, score, mentions)"
            " VALUES (?, ?, ?, ?, '', ?, 1)",
            [(a.id, e.entity, e.label, e.main_role, e.score) for e in analysis.entities],
        )
    conn.commit()
    conn.close()
    store = Store(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    flags = [tuple(r) for r in store.conn.execute("SELECT text, asserted FROM techniques ORDER BY start")]
    assert flags == [("Russia", 1), ("NATO", 0)]
    assert tuple(store.conn.execute("SELECT asserted, candidate_role FROM entities").fetchone()) == (0, "Antagonist")
    covered = dict(store.conn.execute("SELECT language, not_covered FROM articles").fetchall())
    assert covered == {"en": "", "bg": " entities techniques "}
    store.close()


def test_not_covered_reads_the_analysis_not_available_records() -> None:
    from narrascope import analyze
    from narrascope.store.judgments import not_covered, not_covered_column

    german = (
        "Überschrift\n\n" + "Die Regierung in Berlin hat neue Maßnahmen beschlossen, sagte der Sprecher heute. " * 8
    )
    analysis = analyze(german, components=["cleaning", "language", "sentences", "entities", "techniques"])
    assert not_covered(analysis.to_dict()) == {"entities": "de", "techniques": "de"}
    assert not_covered_column(analysis) == " entities techniques "
