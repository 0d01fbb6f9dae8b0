"""Claims in five languages, the same claim by meaning, attribution per claim.

The seed test reads the seeds' essential sentences (tests/data/claims/seed_*_essential.txt, written for this
test from the two seed articles) through `narrascope claims --format json`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from narrascope.article import Article
from narrascope.claims.agreement import actors_of, disagree, facts_of, numbers_of
from narrascope.claims.grouping import ClaimRecord, group_claims
from narrascope.claims.matching import claim_vectors
from narrascope.cli.main import main
from narrascope.pipeline import load_pipeline
from narrascope.store.db import Store

DATA = Path(__file__).parent / "data" / "claims"
SEEDS = sorted(DATA.glob("seed_*_essential.txt"))


@pytest.fixture(scope="module")
def seed_groups() -> list[dict]:
    result = CliRunner().invoke(main, ["claims", *map(str, SEEDS), "--format", "json"])
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout)["groups"])


def _group_of(groups: list[dict], words: str) -> dict:
    return next(g for g in groups if any(words in m["text"] for m in g["members"]))


def _articles(group: dict) -> set[str]:
    return {m["article_id"] for m in group["members"]}


@pytest.mark.parametrize(
    "words",
    ["recruiting members of Islamic State", "60 experienced militants", "small groups", "Al-Tanf base"],
)
def test_each_seed_claim_is_one_group_spanning_both_seeds(seed_groups: list[dict], words: str) -> None:
    assert _articles(_group_of(seed_groups, words)) == {s.name for s in SEEDS}


def test_the_60_group_holds_both_wordings_and_not_600(seed_groups: list[dict]) -> None:
    texts = [m["text"] for m in _group_of(seed_groups, "60 experienced militants")["members"]]
    assert any("recruited 60 terrorists" in t for t in texts)


def test_going_after_diplomats_is_not_recruiting(seed_groups: list[dict]) -> None:
    diplomats = _group_of(seed_groups, "go after diplomats")
    assert not any("recruiting members" in m["text"] for m in diplomats["members"])


def test_relays_are_per_claim(seed_groups: list[dict]) -> None:
    members = [m for g in seed_groups for m in g["members"]]
    radev = next(m for m in members if m["text"].startswith("Bulgaria cannot consent"))
    assert radev["source"] == "Rumen Radev" and radev["relay"] is None
    levada = next(m for m in members if "Levada" in (m["source"] or ""))
    assert levada["relay"] is None
    assert any(m["relay"] == "USA Today" and "Minsk" in m["text"] for m in members)
    tass = next(m for m in members if m["text"].startswith("60 experienced militants"))
    assert tass["relay"] == "TASS"  # its paragraph cites TASS


def test_fragments_get_their_subject_back(seed_groups: list[dict]) -> None:
    texts = [m["text"] for g in seed_groups for m in g["members"]]
    assert not any(t.startswith(("is ", "are ")) for t in texts)
    assert any(t.startswith("The White House, according to") for t in texts)
    assert not any(t.endswith("(CIS") for t in texts)


@pytest.mark.parametrize(
    ("language", "text", "source", "claim"),
    [
        ("ru", "Министр обороны Андрей Белоусов заявил, что российские войска освободили 12 населённых пунктов.",
         "Министр обороны Андрей Белоусов", "российские войска освободили 12 населённых пунктов"),
        ("ru", "«Мы не позволим разместить ракеты у наших границ», — заявил Песков журналистам.",
         "Песков", "Мы не позволим разместить ракеты у наших границ"),  # the speaker, not "to journalists"
        ("bg", "Според Министерството на отбраната, ракетите са били изстреляни от Украйна.",
         "Министерството на отбраната", "ракетите са били изстреляни от Украйна"),
        ("pt", "O porta-voz do Kremlin, Dmitry Peskov, disse que a Rússia não vai negociar sob ameaça.",
         "Dmitry Peskov", "a Rússia não vai negociar sob ameaça"),
        ("hi", "रक्षा मंत्री ने कहा कि सेना हर चुनौती के लिए तैयार है।", "रक्षा मंत्री", "सेना हर चुनौती के लिए तैयार है"),
    ],
)  # fmt: skip
def test_claims_in_other_languages(language: str, text: str, source: str, claim: str) -> None:
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    analysis = pipeline(Article(id="x", raw_text=text, language=language))
    assert [(c.source, c.text) for c in analysis.claims] == [(source, claim)]
    assert text[analysis.claims[0].start : analysis.claims[0].end] == claim  # raw offsets


def test_numbers_and_actors_must_agree() -> None:
    assert numbers_of("1,5 mil milhões de euros") == numbers_of("1.5 billion euros") == {1.5e9}
    assert numbers_of("23 लाख लोग") == numbers_of("2.3 million people")
    assert actors_of("Washington intends to deploy")["United States"] == 1
    assert actors_of("В Минобороны РФ сообщили")["Russia"] == 1
    us, russia = facts_of("the US recruits 60 terrorists"), facts_of("Russia recruits 60 terrorists")
    assert disagree(us, russia) == "actors"
    assert disagree(us, facts_of("the US recruits 600 terrorists")) == "numbers"
    assert disagree(us, facts_of("60 militants were selected")) is None


def test_a_translation_is_the_same_claim_and_another_figure_is_not() -> None:
    records = [
        ClaimRecord("the US has recruited 60 terrorists to attack Russia", "en", language="en"),
        ClaimRecord("США завербовали 60 террористов для терактов в России", "ru", language="ru"),
        ClaimRecord("США завербовали 600 террористов для терактов в России", "ru2", language="ru"),
        ClaimRecord("Bulgaria will veto sanctions on the nuclear industry", "bg", language="en"),
    ]
    groups = group_claims(records, vectors=claim_vectors([r.text for r in records]))
    by_article = {m.article_id: n for n, g in enumerate(groups) for m in g.members}
    assert by_article["en"] == by_article["ru"]
    assert len({by_article["en"], by_article["ru2"], by_article["bg"]}) == 3


def test_the_store_groups_a_translation_incrementally(tmp_path: Path) -> None:
    pipeline = load_pipeline(["cleaning", "sentences", "claims"])
    store = Store(tmp_path / "s.db")
    english = "The SVR said that the US has recruited 60 terrorists to attack Russia."
    russian = "СВР заявила, что США завербовали 60 террористов для терактов в России."
    store.put_batch([pipeline(Article(id="en", raw_text=english, language="en"))])
    group = store.conn.execute("SELECT group_id FROM claims WHERE article_id = 'en'").fetchone()[0]
    blob = store.conn.execute("SELECT embedding FROM claim_groups WHERE id = ?", (group,)).fetchone()[0]
    assert blob is not None and len(blob) == 384 * 2  # float16
    store.put_batch([pipeline(Article(id="ru", raw_text=russian, language="ru"))])
    rows = dict(store.conn.execute("SELECT article_id, group_id FROM claims").fetchall())
    assert rows == {"en": group, "ru": group}
    store.close()


def test_the_default_pipeline_extracts_claims_of_a_long_russian_article() -> None:
    # 50 words and more: the pipeline checks the language against what `claims` covers (abstention)
    text = "Заголовок статьи\n\n" + (
        "Министр обороны Андрей Белоусов заявил, что российские войска освободили 12 населённых пунктов. "
        + "Жители региона рассказали журналистам о ситуации в городе и о работе местных служб. " * 6
    )
    analysis = load_pipeline(["cleaning", "language", "sentences", "claims"])(Article(id="ru", raw_text=text))
    assert analysis.article.language == "ru" and not analysis.not_available
    assert ("Министр обороны Андрей Белоусов", "российские войска освободили 12 населённых пунктов") in [
        (c.source, c.text) for c in analysis.claims
    ]
