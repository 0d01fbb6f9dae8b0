"""Analysts' corrections through a real server on 127.0.0.1, a real SQLite store and the official readers."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from narrascope.datasets.ptc import load_ptc
from narrascope.datasets.semeval import read_entity_annotations, read_narrative_annotations
from narrascope.store.corrections import Vocabulary, list_corrections
from narrascope.store.db import Store
from narrascope.store.gold import gold_entities, gold_narratives, gold_techniques
from narrascope.store.gold_export import corrected_documents, export_gold, file_name, ptc_id, reviewed_part
from narrascope.taxonomy import read_taxonomy_file
from tests.serving import get_json, request, running_server

JSON = {"Content-Type": "application/json"}
DATA = Path(__file__).parent / "data" / "corrections"


@pytest.fixture(scope="module")
def served(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("corrections") / "c.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db)) as url:
        yield url, db


def post(base: str, article: str, body: dict[str, Any], **headers: str) -> tuple[int, Any]:
    data = json.dumps(body).encode()
    return get_json(f"{base}/api/articles/{quote(article)}/corrections", method="POST", body=data,
                    headers={**JSON, **headers})  # fmt: skip


def article(base: str, article_id: str) -> dict[str, Any]:
    status, found = get_json(f"{base}/api/articles/{quote(article_id)}")
    assert status == 200
    return dict(found)


def count(db: Path) -> int:
    store = Store(db, readonly=True)
    try:
        return int(store.conn.execute("SELECT count(*) FROM corrections").fetchone()[0])
    finally:
        store.close()


def test_corrections_are_stored_listed_applied_and_undone(served: tuple[str, Path]) -> None:
    base, _ = served
    doc = article(base, "a2")
    narrative = next(h for h in doc["narratives"] if h["level"] == "narrative")
    status, stored = post(base, "a2", {"layer": "narrative", "action": "reject", "label": narrative["label"]},
                          **{"X-Narrascope-User": "maria"})  # fmt: skip
    assert status == 201, stored
    assert stored["user"] == "maria" and stored["model_said"]["score"] == narrative["score"]
    added = "URW: Discrediting the West, Diplomacy: The West is overreacting"
    status, second = post(base, "a2", {"layer": "narrative", "action": "add", "label": added, "user": "li"})
    assert status == 201 and second["user"] == "li"
    entity = next(e for e in doc["entities"] if e["main_role"] == "Antagonist")
    status, changed = post(base, "a2", {"layer": "entity", "action": "change", "entity": entity["entity"],
                                        "label": "Instigator"})  # fmt: skip
    assert status == 201 and changed["model_said"]["main_role"] == "Antagonist"
    span = doc["techniques"][0]
    assert (
        post(base, "a2", {"layer": "technique", "action": "reject", "start": span["start"], "end": span["end"]})[0]
        == 201
    )
    status, new_span = post(base, "a2", {"layer": "technique", "action": "add", "label": "Doubt", "start": 0, "end": 7})
    assert status == 201
    status, listed = get_json(f"{base}/api/corrections?article=a2")
    assert status == 200 and [c["id"] for c in listed["items"]] == [
        stored["id"],
        second["id"],
        changed["id"],
        listed["items"][3]["id"],
        new_span["id"],
    ]
    shown = article(base, "a2")
    rejected = next(h for h in shown["narratives"] if h["label"] == narrative["label"])
    assert rejected["rejected"] is True and rejected["correction"]["user"] == "maria"
    assert {h["label"]: h["source"] for h in shown["narratives"] if h.get("source")} == {
        added: "analyst",
        "URW: Discrediting the West, Diplomacy": "analyst",
    }
    role = next(e for e in shown["entities"] if e["entity"] == entity["entity"])
    assert (role["main_role"], role["fine_roles"]) == ("Antagonist", ["Instigator"])
    assert shown["techniques"][0]["rejected"] is True and shown["techniques"][-1]["source"] == "analyst"
    assert shown["reviewed"] is True
    status, undone = get_json(f"{base}/api/corrections/{second['id']}", method="DELETE")
    assert status == 200 and undone["undone"] is True
    assert added not in {h["label"] for h in article(base, "a2")["narratives"]}
    status, listed = get_json(f"{base}/api/corrections?article=a2")
    assert second["id"] not in [c["id"] for c in listed["items"]]
    assert get_json(f"{base}/api/corrections/99999", method="DELETE")[0] == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"layer": "narrative", "action": "add", "label": "URW: Aliens did it"}, "neither a narrative"),
        ({"layer": "technique", "action": "add", "label": "Doubt", "start": 10, "end": 10_000}, "raw text"),
        ({"layer": "technique", "action": "add", "label": "Sarcasm", "start": 0, "end": 5}, "technique classes"),
        ({"layer": "entity", "action": "change", "entity": "Atlantis", "label": "Guardian"}, "no entity"),
        ({"layer": "entity", "action": "change", "entity": "Russia", "label": "Villain"}, "not a role"),
        ({"layer": "entity", "action": "add", "entity": "Kyiv", "label": "Innocent"}, "offsets"),
        ({"layer": "narrative", "action": "change", "label": "Other"}, "action"),
        ({"layer": "technique", "action": "reject", "start": 0, "end": 3}, "no such technique span"),
        ({"layer": "narrative", "action": "reject"}, "label"),
        ({"layer": "narrative", "action": "accept", "label": "Other", "extra": 1}, "extra"),
    ],
)
def test_a_bad_correction_is_a_422_with_a_message_and_nothing_stored(
    served: tuple[str, Path], body: dict[str, Any], message: str
) -> None:
    base, db = served
    before = count(db)
    status, answer = post(base, "a2", body)
    assert status == 422 and message in answer["message"], answer
    assert count(db) == before


def test_writes_need_json_and_the_token(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    shutil.copy(corpus_db, db)
    body = json.dumps({"layer": "narrative", "action": "add", "label": "URW: Discrediting Ukraine"}).encode()
    with running_server(str(db), token="s3cret") as base:
        url = f"{base}/api/articles/a1/corrections"
        assert request(url, method="POST", body=body, headers=JSON)[0] == 401
        form = {"Authorization": "Bearer s3cret", "Content-Type": "text/plain"}
        assert request(url, method="POST", body=body, headers=form)[0] == 415
        assert request(f"{base}/api/articles/nope/corrections", method="POST", body=body,
                       headers={**JSON, "Authorization": "Bearer s3cret"})[0] == 404  # fmt: skip
        assert count(db) == 0
        status, _ = get_json(url, method="POST", body=body, headers={**JSON, "Authorization": "Bearer s3cret"})
        assert status == 201 and count(db) == 1


def test_reingest_keeps_corrections_and_shows_them(served: tuple[str, Path]) -> None:
    base, _ = served
    doc = article(base, "a4")
    label = next(h["label"] for h in doc["narratives"] if h["level"] == "narrative")
    assert post(base, "a4", {"layer": "narrative", "action": "reject", "label": label})[0] == 201
    payload = {"id": "a4", "text": doc["raw_text"], "title": f"{doc['title']} (updated)", "source": doc["source"]}
    status, result = get_json(f"{base}/api/articles", method="POST", body=json.dumps(payload).encode(),
                              headers=JSON)  # fmt: skip
    assert status == 200 or status == 201
    assert result["status"] == "updated"
    again = article(base, "a4")
    assert again["title"].endswith("(updated)")
    hit = next(h for h in again["narratives"] if h["label"] == label)
    assert hit["rejected"] is True and hit["correction"]["action"] == "reject"
    assert gold_narratives(again)[0] != gold_narratives(doc)[0]


def test_semeval_export_reads_back_identically(served: tuple[str, Path], tmp_path: Path) -> None:
    base, db = served
    doc = article(base, "a3")
    for e in doc["entities"][:1]:
        assert post(base, "a3", {"layer": "entity", "action": "reject", "entity": e["entity"]})[0] == 201
    assert post(base, "a3", {"layer": "entity", "action": "add", "entity": "the planet", "label": "Victim",
                             "start": 0, "end": 8})[0] == 201  # fmt: skip
    store = Store(db, readonly=True)
    done = export_gold(store, tmp_path / "gold", reviewed_only=True)
    expected = [reviewed_part(d) for d in corrected_documents(store, reviewed_only=True)]
    store.close()
    assert done.articles == len(expected) >= 2
    narratives = read_narrative_annotations(tmp_path / "gold" / "subtask-2-annotations.txt")
    assert [(r.file, r.narratives, r.subnarratives) for r in narratives] == [
        (file_name(d["id"]), *gold_narratives(d)) for d in expected if "narrative" in d["reviewed_layers"]
    ]
    entities = read_entity_annotations(tmp_path / "gold" / "subtask-1-annotations.txt")
    assert [(r.file, r.mention, r.start, r.end + 1, r.main_role, r.fine_roles) for r in entities] == [
        (file_name(d["id"]), *row) for d in expected for row in gold_entities(d)
    ]
    assert ("a3", "the pla", 0, 7, "Innocent", ["Victim"]) in [
        (r.file, r.mention[:7], r.start, r.end, r.main_role, r.fine_roles) for r in entities
    ] or any(r.mention == doc["raw_text"][0:8] and r.main_role == "Innocent" for r in entities)
    ptc = {a.id: a for a in load_ptc(tmp_path / "gold" / "ptc")}
    for d in expected:
        if "technique" not in d["reviewed_layers"]:
            assert ptc_id(file_name(d["id"])) not in ptc  # no technique reviewed: no PTC article
            continue
        found = ptc[ptc_id(file_name(d["id"]))]
        assert found.text == d["raw_text"]
        assert [(s.start, s.end, s.technique) for s in found.spans] == gold_techniques(d)
    raw = (tmp_path / "gold" / "raw-documents" / file_name("a3")).read_text("utf-8")
    assert raw == doc["raw_text"]


def test_hostile_ids_never_name_files() -> None:
    for hostile in ("../../etc/passwd", "/abs", ".hidden", "a/b", "x\ny", "..", "con:1"):
        name = file_name(hostile)
        assert "/" not in name and not name.startswith(".") and "\n" not in name
    assert file_name("EN_UA_001.txt") == "EN_UA_001.txt" and ptc_id("EN_UA_001.txt") == "EN_UA_001"


def test_team_taxonomy_checks_corrections(corpus_db: Path, tmp_path: Path) -> None:
    taxonomy = read_taxonomy_file(DATA / "team_taxonomy.txt")
    assert taxonomy.narratives == ("Security: Foreign powers train terrorists", "Security: Russia defends itself")
    assert "Security: Foreign powers train terrorists: Western intelligence arms militants" in taxonomy.subnarratives
    db = tmp_path / "team.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db), vocabulary=Vocabulary(taxonomy)) as base:
        assert post(base, "a2", {"layer": "narrative", "action": "add",
                                 "label": "Security: Russia defends itself"})[0] == 201  # fmt: skip
        assert post(base, "a2", {"layer": "narrative", "action": "add", "label": "URW: Discrediting Ukraine"})[0] == 422
    store = Store(db, readonly=True)
    assert [c.label for c in list_corrections(store)] == ["Security: Russia defends itself"]
    store.close()


def test_uncertainty_is_highest_at_a_coin_toss() -> None:
    from narrascope.learn.uncertainty import uncertainty

    assert uncertainty([]) == 0.0
    assert uncertainty([0.5]) == pytest.approx(1.0)
    assert uncertainty([0.97, 0.02]) < uncertainty([0.97, 0.4]) < uncertainty([0.55])


def test_gold_view_rejecting_a_narrative_takes_its_subnarratives() -> None:
    from narrascope.store.corrections import Correction
    from narrascope.store.gold import apply_corrections

    narrative, sub = "URW: Discrediting Ukraine", "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
    doc = {"raw_text": "x" * 20, "narratives": [
        {"label": narrative, "level": "narrative", "score": 0.6, "evidence": []},
        {"label": sub, "level": "subnarrative", "score": 0.5, "evidence": []},
    ]}  # fmt: skip
    reject = Correction(1, "d", "narrative", "reject", narrative, None, None, None, "u", "t", None)
    shown = apply_corrections(doc, [reject])
    assert [h.get("rejected") for h in shown["narratives"]] == [True, True]
    assert gold_narratives(shown) == (["Other"], ["Other"])
    assert gold_narratives(apply_corrections(doc, [])) == ([narrative], [sub])
    undone = Correction(1, "d", "narrative", "reject", narrative, None, None, None, "u", "t", None, "later")
    assert gold_narratives(apply_corrections(doc, [undone])) == ([narrative], [sub])
