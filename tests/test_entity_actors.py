"""One actor, one entity: the forms of an actor in every language and script resolve to one actor, the store
lists one row per actor with its forms and languages, and analysts' merges and splits outlive re-ingests."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

from narrascope.analysis import Analysis, EntityMention, EntityRole
from narrascope.article import Article
from narrascope.entities.actors import actor_of, entity_label, latin_key
from narrascope.pipeline import Pipeline
from narrascope.store.db import Store
from tests.serving import get_json, request, running_server


def test_one_actor_across_inflections_scripts_titles_and_spellings() -> None:
    lavrov = {
        actor_of(name, [name], language).name
        for name, language in [("Лаврова", "ru"), ("Сергей Лавров", "ru"), ("Лавров", "bg"), ("Sergei Lavrov", "en"),
                               ("Lavrov", "pt"), ("लावरोव", "hi"), ("Serguei Lavrov", "pt")]
    }  # fmt: skip
    assert lavrov == {"Sergey Lavrov"}
    assert actor_of("президент Путин", ["президент Путин"], "ru").name == "Vladimir Putin"
    assert actor_of("President Putin", ["President Putin"], "en").name == "Vladimir Putin"
    # a name outside the table is its own actor, keyed the same in every script and case
    assert latin_key("Бербока") == latin_key("Бербок") == latin_key("Berbok")
    assert actor_of("Бербока", ["Бербока"], "ru").key == actor_of("Berbok", ["Berbok"], "en").key
    assert actor_of("Макрон", ["Макрон"], "ru").key != actor_of("Medvedev", ["Medvedev"], "en").key


def _article(article_id: str, language: str, name: str, forms: list[str], role: str = "Antagonist") -> Analysis:
    text = " ".join(forms) + " said so."
    analysis = Analysis(Article(raw_text=text, id=article_id, language=language))
    mentions, cursor = [], 0
    for form in forms:
        start = text.index(form, cursor)
        mentions.append(EntityMention(start, start + len(form), form, role, (), 0.6))
        cursor = start + len(form)
    actor = actor_of(name, forms, language)
    analysis.entities = [EntityRole(name, "PERSON", role, (), 0.6, tuple(mentions), candidate_role=role,
                                    actor=actor.name, actor_key=actor.key)]  # fmt: skip
    return analysis


def _post(url: str, body: dict[str, str]) -> tuple[int, dict[str, object]]:
    status, _, data = request(
        url, method="POST", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    return status, json.loads(data)


def test_the_store_lists_one_row_per_actor_and_keeps_merges_and_splits_across_reingests(tmp_path: Path) -> None:
    db = tmp_path / "actors.db"
    articles = [
        _article("a-ru", "ru", "Лавров", ["Лавров", "Лаврова"]),
        _article("a-en", "en", "Sergei Lavrov", ["Sergei Lavrov", "Lavrov"]),
        _article("a-hi", "hi", "लावरोव", ["लावरोव"]),
        _article("b-en", "en", "Berbok", ["Berbok"]),
        _article("c-en", "en", "Annalena Baerbock", ["Annalena Baerbock"]),
    ]
    store = Store(db)
    store.put_batch(articles)
    store.close()
    with running_server(str(db)) as base:
        _, listed = get_json(f"{base}/api/entities")
        rows = {item["entity"]: item for item in listed["items"]}
        assert rows["Sergey Lavrov"]["articles"] == 3
        assert rows["Sergey Lavrov"]["languages"] == ["en", "hi", "ru"]
        assert {f["form"] for f in rows["Sergey Lavrov"]["forms"]} == {"Лавров", "Лаврова", "Sergei Lavrov", "Lavrov",
                                                                        "लावरोव"}  # fmt: skip
        _, one = get_json(f"{base}/api/entity?name={urllib.parse.quote('Лавров')}")
        assert one["entity"] == "Sergey Lavrov" and len(one["articles"]) == 3
        _, filtered = get_json(f"{base}/api/articles?entity={urllib.parse.quote('Sergey Lavrov')}")
        assert sorted(a["id"] for a in filtered["items"]) == ["a-en", "a-hi", "a-ru"]
        # merge a misspelling into the actor it stands for; split an entity name out again
        berbok, baerbock = rows["Berbok"]["actor_id"], rows["Annalena Baerbock"]["actor_id"]
        status, merged = _post(f"{base}/api/actors/corrections", {"action": "merge", "actor": berbok, "into": baerbock})
        assert status == 201, merged
        _, listed = get_json(f"{base}/api/entities")
        rows = {item["entity"]: item for item in listed["items"]}
        assert "Berbok" not in rows and rows["Annalena Baerbock"]["articles"] == 2
        lavrov = rows["Sergey Lavrov"]["actor_id"]
        split_hindi = {"action": "split", "actor": lavrov, "entity": "लावरोव"}
        status, split = _post(f"{base}/api/actors/corrections", split_hindi)
        assert status == 201, split
        status, refused = _post(f"{base}/api/actors/corrections", {"action": "merge", "actor": lavrov, "into": lavrov})
        assert status == 422 and "itself" in json.dumps(refused)
    store = Store(db)  # a re-ingest of every article keeps both corrections
    store.put_batch(articles)
    counts = dict(store.conn.execute("SELECT actor_id, count(*) FROM entities GROUP BY actor_id").fetchall())
    assert counts[baerbock] == 2 and counts[lavrov] == 2 and berbok not in counts
    store.close()
    with running_server(str(db)) as base:
        status, undone = get_json(f"{base}/api/actors/corrections/1", method="DELETE")
        assert status == 200 and undone["undone_at"]
        _, listed = get_json(f"{base}/api/entities")
        assert {item["entity"] for item in listed["items"]} >= {"Berbok", "Annalena Baerbock", "लावरोव"}


def test_an_entity_is_typed_by_its_actor_and_a_place_noun_not_by_its_first_mention(pipeline: Pipeline) -> None:
    text = (
        "According to the SVR, the US is training terrorists in Syria's Al-Tanf base. The militants leave Al-Tanf "
        "base for Russia. Ursula von der Leyen said the European Commission would respond; Leyen called it a crime. "
        + "The war goes on, the sanctions hold and the troops wait for orders at the border. "
        * 3
    )
    bulgarian = "Байдън обвини Русия. Президентът Джо Байдън заяви, че Русия води война и говори за санкции. " + (
        "Войната продължава, санкциите остават, а войските чакат заповеди на границата. " * 5
    )
    labels: dict[tuple[str, str], str] = {}
    for language, body in (("en", text), ("bg", bulgarian)):
        analysis = pipeline(Article(raw_text=body, id=language, language=language))
        labels |= {(language, e.entity): e.label for e in analysis.entities}
    assert labels[("en", "Al-Tanf")] == "GPE"  # spaCy: PERSON
    assert labels[("bg", "Joe Biden")] == "PERSON"  # Байдън alone reads as a GPE by its shape
    assert labels[("en", "Ursula von der Leyen")] == "PERSON"
    assert labels[("en", "United States")] == "GPE" and labels[("en", "SVR")] == "ORG"
    # the table's type wins whatever the detector said; outside the table the mentions' most frequent label
    leyen = actor_of("Leyen", ["Leyen"], "en")
    assert entity_label("Leyen said so", [(0, 5, "GPE")], leyen) == "PERSON"
    tanf = actor_of("Al-Tanf", ["Al-Tanf"], "en")
    assert entity_label("Al-Tanf said so", [(0, 7, "PERSON")], tanf) == "PERSON"
