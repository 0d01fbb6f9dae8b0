"""The shared LLM client against a scripted OpenAI-compatible server on 127.0.0.1: retries, structured-output
fallbacks, repair, cache, probe errors, the API key. (The real llama.cpp server: tests/test_llm_e2e.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrascope.errors import LLMError
from narrascope.llm.client import LLMClient, LLMRequest, LLMSettings
from narrascope.llm.jsonout import extract_json, schema_problem
from narrascope.llm.quotes import locate
from tests.fake_openai import Reply, answer, completion, fake_openai

SCHEMA = {"type": "object", "properties": {"domain": {"type": "string"}}, "required": ["domain"]}
REQUEST = LLMRequest((("system", "Label it."), ("user", "An article.")), SCHEMA, max_tokens=20)


def client(url: str, tmp_path: Path, **options: Any) -> LLMClient:
    settings = {"url": url, "model": "fake-model", "cache_path": tmp_path / "cache.sqlite3", "backoff": 0.01}
    return LLMClient(LLMSettings(**(settings | options)))


def test_a_503_is_retried_with_backoff_and_the_answer_used(tmp_path: Path) -> None:
    replies = iter([(503, {"error": "busy"}), answer({"domain": "CC"})])
    with fake_openai(lambda body: next(replies)) as fake:
        llm = client(fake.url, tmp_path)
        assert llm.ask(REQUEST) == {"domain": "CC"}
    assert len(fake.chat_requests) == 2 and llm.stats.retries == 1 and llm.stats.requests == 2


def test_persistent_5xx_gives_a_one_line_error_naming_the_url(tmp_path: Path) -> None:
    with fake_openai(lambda body: (503, {"error": "down"})) as fake:
        llm = client(fake.url, tmp_path, retries=2)
        with pytest.raises(LLMError, match=f"at {fake.url} answered HTTP 503"):
            llm.ask(REQUEST)
    assert len(fake.chat_requests) == 3


def llama_cpp_like(body: dict[str, Any]) -> Reply:
    """llama.cpp's server: HTTP 500 for json_schema, json_object with a schema accepted."""
    kind = (body.get("response_format") or {}).get("type")
    if kind == "json_schema":
        return 500, {"error": {"message": "Input should be 'text' or 'json_object'"}}
    assert kind == "json_object" and body["response_format"]["schema"] == SCHEMA
    return answer({"domain": "URW"})


def test_json_schema_rejected_falls_back_to_json_object_and_stays_there(tmp_path: Path) -> None:
    with fake_openai(llama_cpp_like) as fake:
        llm = client(fake.url, tmp_path)
        assert llm.ask(REQUEST) == {"domain": "URW"}
        other = LLMRequest((("user", "Another article."),), SCHEMA)
        assert llm.ask(other) == {"domain": "URW"}
    kinds = [r["response_format"]["type"] for r in fake.chat_requests]
    assert kinds == ["json_schema", "json_object", "json_object"]  # the fallback is remembered


def test_no_structured_output_parses_json_from_text_with_one_repair(tmp_path: Path) -> None:
    texts = iter(["Sure! The domain is {domain: CC", 'Here it is:\n```json\n{"domain": "CC"}\n```'])

    def script(body: dict[str, Any]) -> Reply:
        if "response_format" in body:
            return 400, {"error": "response_format not supported"}
        return completion(next(texts))

    with fake_openai(script) as fake:
        llm = client(fake.url, tmp_path)
        assert llm.ask(REQUEST) == {"domain": "CC"}
    text_requests = [r for r in fake.chat_requests if "response_format" not in r]
    assert len(text_requests) == 2 and llm.stats.repairs == 1
    assert "JSON object of this schema" in text_requests[0]["messages"][-1]["content"]
    assert text_requests[1]["messages"][-2] == {"role": "assistant", "content": "Sure! The domain is {domain: CC"}


def test_an_answer_still_unusable_after_the_repair_is_none_and_counted(tmp_path: Path) -> None:
    with fake_openai(lambda body: completion("no idea")) as fake:
        llm = client(fake.url, tmp_path)
        assert llm.ask(REQUEST) is None
    assert llm.stats.unusable == 1 and llm.stats.repairs == 1


def test_rerun_sends_nothing_and_works_with_the_server_down(tmp_path: Path) -> None:
    with fake_openai(lambda body: answer({"domain": "CC"})) as fake:
        first = client(fake.url, tmp_path)
        assert first.ask_many([REQUEST, REQUEST]) == [{"domain": "CC"}] * 2
        first.close()
        url = fake.url
        again = client(url, tmp_path)
        assert again.ask(REQUEST) == {"domain": "CC"}
        assert len(fake.chat_requests) == 1 and again.stats.cache_hits == 1 and again.stats.requests == 0
    down = client(url, tmp_path)  # the server is gone now
    down.probe()
    assert down.warnings == [f"the LLM server at {url} is unreachable; answering from the cache only"]
    assert down.ask(REQUEST) == {"domain": "CC"}
    with pytest.raises(LLMError, match="unreachable and this request is not in the cache"):
        down.ask(LLMRequest((("user", "new"),), SCHEMA))


def test_probe_errors_name_the_url(tmp_path: Path) -> None:
    with fake_openai(lambda body: answer({})) as fake:
        url = fake.url
        with pytest.raises(LLMError, match=rf"at {url} does not serve model 'nope' \(it has fake-model\)"):
            client(url, tmp_path, model="nope").probe()
        assert fake.chat_requests == []
    with pytest.raises(LLMError, match=f"cannot reach the LLM server at {url}"):
        client(url, tmp_path).probe()


def test_the_api_key_is_sent_but_never_stored_or_shown(tmp_path: Path) -> None:
    key = "sk-secret-123456"
    with fake_openai(lambda body: answer({"domain": "CC"})) as fake:
        llm = client(fake.url, tmp_path, api_key=key)
        llm.ask(REQUEST)
        llm.close()
    assert fake.headers[0]["Authorization"] == f"Bearer {key}"
    assert key not in repr(llm.settings) and key not in llm.stats.summary()
    assert all(key.encode() not in p.read_bytes() for p in tmp_path.iterdir())


def test_concurrency_answers_in_request_order(tmp_path: Path) -> None:
    def script(body: dict[str, Any]) -> Reply:
        return answer({"domain": body["messages"][-1]["content"]})

    requests = [LLMRequest((("user", str(i)),), SCHEMA) for i in range(12)]
    with fake_openai(script) as fake:
        llm = client(fake.url, tmp_path, concurrency=4)
        assert [a["domain"] for a in llm.ask_many(requests)] == [str(i) for i in range(12)]


def test_json_extraction_and_schema_check() -> None:
    assert extract_json('noise {"a": [1, {"b": 2}]} tail') == {"a": [1, {"b": 2}]}
    assert extract_json("[1, 2]") is None and extract_json("nothing") is None
    schema = {
        "type": "object",
        "properties": {"xs": {"type": "array", "items": {"type": "string"}}},
        "required": ["xs"],
    }
    assert schema_problem({"xs": ["a"]}, schema) is None
    assert schema_problem({"xs": [1]}, schema) == "answer.xs[0] should be string, found int"
    assert schema_problem({}, schema) == "answer lacks the key 'xs'"


def test_quotes_are_located_in_the_raw_text_or_not_at_all() -> None:
    raw = "Title\n\nThe puppet regime in Kyiv obeys its\nWestern masters. Bread is cheap."
    exact = locate(raw, "The puppet regime in Kyiv")
    assert exact is not None and raw[exact.start : exact.end] == "The puppet regime in Kyiv"
    respaced = locate(raw, '"the puppet regime in Kyiv obeys its Western masters."')
    assert respaced is not None and raw[respaced.start : respaced.end] == (
        "The puppet regime in Kyiv obeys its\nWestern masters"
    )
    assert locate(raw, "The regime in Moscow obeys nobody") is None
    assert locate(raw, "Bread is") is None  # too short to verify anything
    assert json.dumps(locate(raw, "x" * 5000)) == "null"
