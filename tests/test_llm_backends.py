"""The LLM backends of narratives, entities and explanations, and their CLI, against a scripted
OpenAI-compatible server on 127.0.0.1: labels outside the taxonomy dropped and counted, quotes located in the
raw text or dropped, the hierarchy kept, the same `Analysis` out, SemEval files written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from narrascope.analysis import SCHEMA_VERSION, Analysis
from narrascope.article import Article
from narrascope.cli.main import main
from narrascope.datasets.examples import load_narrative_examples
from narrascope.datasets.semeval import (
    read_entity_annotations,
    read_entity_mentions,
    read_explanations,
    read_narrative_annotations,
)
from narrascope.llm.client import LLMClient, LLMSettings
from narrascope.narratives.model import NarrativeModel
from narrascope.pipeline import load_pipeline, with_backend
from narrascope.taxonomy import load_taxonomy
from tests.fake_openai import Reply, answer, fake_openai, prompt_of

DATA = Path(__file__).parent / "data"
EN = DATA / "semeval_train" / "EN"
PUPPET = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"
QUOTE = "The puppet regime in Kyiv obeys its Western masters"
TEXT = (
    "Kyiv regime is a Western puppet\n\n"
    f"Ukraine's government takes orders from Washington. {QUOTE} and does what London demands.\n\n"
    "Officials in Kyiv met foreign envoys again this week to discuss the next package of aid, and the talks "
    "were described by both sides as long and difficult. More meetings are planned for next month, when the "
    "ministers will return to the capital."
)  # at least components.MIN_WORDS words: shorter articles get no judgments


def teacher(body: dict[str, Any]) -> Reply:
    """A well-behaved model, with a few labels and quotes that must be dropped."""
    prompt = prompt_of(body)
    if "Which domain" in prompt:
        return answer({"domain": "URW"})
    if "Which of these narratives" in prompt:
        return answer({"narratives": [
            {"label": "URW: Discrediting Ukraine", "quote": QUOTE.lower() + "."},
            {"label": "URW: Made-up narrative", "quote": QUOTE},
            {"label": "CC: Criticism of institutions and authorities", "quote": "x"},
        ]})  # fmt: skip
    if "Which of these subnarratives" in prompt:
        return answer({"subnarratives": [PUPPET, "URW: Discrediting Ukraine: Invented"]})
    if "explain why" in prompt:
        return answer(
            {"explanation": "It calls Kyiv a puppet. " * 50, "quotes": [QUOTE, "Kyiv is a lovely city to visit"]}
        )
    if "main role" in prompt:
        return answer({"main_role": "Antagonist", "fine_roles": ["Instigator", "Guardian"]})
    return 400, {"error": "unexpected prompt"}


def llm(url: str, tmp_path: Path) -> LLMClient:
    return LLMClient(LLMSettings(url=url, model="fake-model", cache_path=tmp_path / "cache.sqlite3", backoff=0.01))


def run(names: list[str], client: LLMClient, text: str = TEXT) -> Analysis:
    return load_pipeline(with_backend(names, "llm"), llm=client)(Article(raw_text=text, id="a.txt"))


def test_hierarchical_narratives_drop_unknown_labels_and_unlocated_quotes(tmp_path: Path) -> None:
    with fake_openai(teacher) as fake:
        client = llm(fake.url, tmp_path)
        analysis = run(["cleaning", "language", "sentences", "narratives", "explanations"], client)
    taxonomy = load_taxonomy()
    assert analysis.labels("narrative") == ["URW: Discrediting Ukraine"]
    assert analysis.labels("subnarrative") == [PUPPET]
    assert all(h.label in taxonomy.narratives + taxonomy.subnarratives for h in analysis.narratives)
    (evidence,) = analysis.narratives[0].evidence
    assert analysis.article.raw_text[evidence.start : evidence.end] == QUOTE
    assert all(h.asserted for h in analysis.narratives)  # its quote was found in the text
    # domain, narratives, one subnarrative request per chosen narrative, the explanation
    assert len(fake.chat_requests) == 4
    subs_prompt = prompt_of(fake.chat_requests[2])
    assert PUPPET in subs_prompt and "Amplifying war-related fears" not in subs_prompt
    assert client.stats.dropped_labels == 3  # a made-up narrative, another domain's, a made-up subnarrative
    explanation = analysis.explanation
    assert explanation is not None and explanation.source == "llm"
    assert len(explanation.text.split()) <= 81 and explanation.narrative == "URW: Discrediting Ukraine"
    assert [analysis.article.raw_text[q.start : q.end] for q in explanation.quotes] == [QUOTE]
    assert client.stats.dropped_quotes == 1  # the lovely city is not in the text (a dropped label's quote is not read)


def test_an_llm_narrative_whose_quote_is_not_in_the_text_is_withheld(tmp_path: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if "Which of these narratives" in prompt_of(body):
            return answer({"narratives": [{"label": "URW: Discrediting Ukraine", "quote": "Words never written"}]})
        return teacher(body)

    with fake_openai(script) as fake:
        analysis = run(["cleaning", "language", "sentences", "narratives"], llm(fake.url, tmp_path))
    assert analysis.labels("narrative") == ["URW: Discrediting Ukraine"]  # the task's output keeps the pick
    assert analysis.labels("subnarrative") == [PUPPET]
    assert analysis.labels("narrative", asserted_only=True) == []
    assert analysis.labels("subnarrative", asserted_only=True) == []  # withheld with its narrative


def test_an_llm_answer_of_other_asserts_nothing(tmp_path: Path) -> None:
    with fake_openai(lambda body: answer({"domain": "Other"})) as fake:
        analysis = run(["cleaning", "language", "sentences", "narratives"], llm(fake.url, tmp_path))
    assert analysis.labels("narrative") == ["Other"] and analysis.shown_narratives == []


def test_explanation_without_a_located_quote_falls_back_to_the_extractive_one(tmp_path: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        if "explain why" in prompt_of(body):
            return answer({"explanation": "Because.", "quotes": ["Words the article never says at all"]})
        return teacher(body)

    with fake_openai(script) as fake:
        analysis = run(["cleaning", "language", "sentences", "narratives", "explanations"], llm(fake.url, tmp_path))
    assert analysis.explanation is not None and analysis.explanation.source == "extractive"
    assert any("quoted no sentence" in w for w in analysis.warnings)
    for quote in analysis.explanation.quotes:
        assert analysis.article.raw_text[quote.start : quote.end] == quote.text


def test_entity_roles_keep_the_hierarchy(tmp_path: Path) -> None:
    with fake_openai(teacher) as fake:
        analysis = run(["cleaning", "language", "sentences", "entities"], llm(fake.url, tmp_path))
    assert analysis.entities, "spaCy finds Kyiv, Washington, London"
    for entity in analysis.entities:
        assert (entity.main_role, entity.fine_roles) == ("Antagonist", ("Instigator",))  # Guardian is a Protagonist's
        for mention in entity.mentions:
            assert analysis.article.raw_text[mention.start : mention.end] == mention.text
    assert "main role" in prompt_of(fake.chat_requests[0]) and "[[" in prompt_of(fake.chat_requests[0])


def test_an_invalid_main_role_drops_the_entity(tmp_path: Path) -> None:
    with fake_openai(lambda body: answer({"main_role": "Villain", "fine_roles": ["Instigator"]})) as fake:
        client = llm(fake.url, tmp_path)
        analysis = run(["cleaning", "language", "sentences", "entities"], client)
    assert analysis.entities == [] and client.stats.dropped_labels == len(fake.chat_requests) > 0


def test_prompts_are_data_a_folder_overrides(tmp_path: Path) -> None:
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "narratives_domain.txt").write_text("Be brief.\n---user---\nWhich domain? $title // $domains\n", "utf-8")
    with fake_openai(lambda body: answer({"domain": "Other"})) as fake:
        settings = LLMSettings(url=fake.url, model="fake-model", cache_path=tmp_path / "c.sqlite3", prompts_dir=folder)
        analysis = run(["cleaning", "language", "sentences", "narratives"], LLMClient(settings))
    assert fake.chat_requests[0]["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Which domain? Kyiv regime is a Western puppet // CC, URW, Other"},
    ]
    assert analysis.labels("narrative") == ["Other"]


def cli(args: list[str], url: str, cache: Path) -> Any:
    common = ["--backend", "llm", "--llm-url", url, "--llm-model", "fake-model", "--llm-cache", str(cache)]
    return CliRunner().invoke(main, [*args, *common])


def test_analyze_backend_llm_then_from_cache_then_server_down_with_a_new_cache(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, "utf-8")
    components = "cleaning,language,sentences,narratives,explanations"
    args = ["analyze", str(article), "--components", components, "--format", "json"]
    with fake_openai(teacher) as fake:
        url = fake.url
        first = cli(args, url, tmp_path / "cache.sqlite3")
        assert first.exit_code == 0, first.output
        sent = len(fake.chat_requests)
    document = json.loads(first.stdout)["documents"][0]
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["components"][3:] == ["narratives-llm", "explanations-llm"]
    assert document["explanation"]["quotes"][0]["text"] == QUOTE
    assert f"LLM: {sent} request(s), 0 cache hit(s)" in first.stderr
    again = cli(args, url, tmp_path / "cache.sqlite3")  # the server is down now
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["documents"][0]["narratives"] == document["narratives"]
    assert f"LLM: 0 request(s), {sent} cache hit(s)" in again.stderr
    fresh = cli(args, url, tmp_path / "new.sqlite3")
    assert fresh.exit_code == 2
    assert fresh.stderr.strip().splitlines() == [
        f"narrascope: error: cannot reach the LLM server at {url} (ConnectError); start it or fix --llm-url"
    ]


def test_missing_url_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NARRASCOPE_LLM_URL", raising=False)
    result = CliRunner().invoke(main, ["analyze", str(tmp_path), "--backend", "llm", "--llm-model", "m"])
    assert result.exit_code == 2 and "needs a server URL: --llm-url or NARRASCOPE_LLM_URL" in result.stderr


def test_teacher_labels_train_the_student(tmp_path: Path) -> None:
    """predict --backend llm writes SemEval files; train narratives takes that folder beside gold ones."""
    silver = tmp_path / "silver" / "EN"
    (silver / "raw-documents").mkdir(parents=True)
    for doc in sorted((EN / "raw-documents").glob("EN_UA_*.txt")):
        (silver / "raw-documents" / doc.name).write_bytes(doc.read_bytes())
    with fake_openai(teacher) as fake:
        labelled = cli(["predict", "narratives", str(silver / "raw-documents"), "--out",
                        str(silver / "subtask-2-annotations.txt")], fake.url, tmp_path / "c.sqlite3")  # fmt: skip
        assert labelled.exit_code == 0, labelled.output
        explained = cli(["predict", "explanations", str(silver / "raw-documents"), "--out",
                         str(tmp_path / "explanations.txt")], fake.url, tmp_path / "c.sqlite3")  # fmt: skip
        assert explained.exit_code == 0, explained.output
    rows = read_narrative_annotations(silver / "subtask-2-annotations.txt")
    assert len(rows) == 4 and all(r.subnarratives == [PUPPET] for r in rows)
    explanations = read_explanations(tmp_path / "explanations.txt")
    assert len(explanations) == 4 and all(e.narrative == "URW: Discrediting Ukraine" for e in explanations)
    model = tmp_path / "student"
    trained = CliRunner().invoke(main, ["train", "narratives", "--data", str(EN), "--data", str(silver.parent),
                                        "--out", str(model)])  # fmt: skip
    assert trained.exit_code == 0, trained.output
    examples = load_narrative_examples([EN, silver.parent])
    assert len(examples) == 12 + 4 and [e.subnarratives for e in examples[12:]] == [(PUPPET,)] * 4
    student = NarrativeModel.load(model)
    assert PUPPET in student.labels.subnarratives


def test_evaluate_with_the_llm_backend_scores_against_gold(tmp_path: Path) -> None:
    with fake_openai(teacher) as fake:
        narratives = cli(["evaluate", "narratives", "--data", str(EN), "--no-labels"], fake.url, tmp_path / "c.db")
        entities = cli(["evaluate", "entities", "--data", str(EN)], fake.url, tmp_path / "c.db")
    assert narratives.exit_code == 0, narratives.output
    assert "EN" in narratives.stdout and "12" in narratives.stdout
    assert entities.exit_code == 0, entities.output
    assert "main acc" in entities.stdout


def test_predict_entities_with_given_mentions_and_the_llm_backend(tmp_path: Path) -> None:
    out = tmp_path / "roles.txt"
    mentions = EN / "subtask-1-entity-mentions.txt"
    args = ["predict", "entities", str(EN / "raw-documents"), "--mentions", str(mentions), "--out", str(out)]
    with fake_openai(teacher) as fake:
        result = cli(args, fake.url, tmp_path / "c.sqlite3")
    assert result.exit_code == 0, result.output
    rows = read_entity_annotations(out)
    assert len(rows) == len(read_entity_mentions(mentions)) == len(fake.chat_requests)
    assert all((r.main_role, r.fine_roles) == ("Antagonist", ["Instigator"]) for r in rows)


def test_offline_narratives_with_the_llm_explanation(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, "utf-8")
    components = "cleaning,language,sentences,narratives,explanations-llm"
    with fake_openai(teacher) as fake:
        result = CliRunner().invoke(main, ["analyze", str(article), "--components", components, "--format", "json",
                                           "--llm-url", fake.url, "--llm-model", "fake-model",
                                           "--llm-cache", str(tmp_path / "c.sqlite3")])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)["documents"][0]
    assert document["components"][3:] == ["narratives", "explanations-llm"]
    assert [prompt_of(r).count("explain why") for r in fake.chat_requests] == [1]
    assert document["explanation"]["source"] == "llm"
