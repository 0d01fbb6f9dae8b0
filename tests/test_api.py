"""The REST API through a real uvicorn server on 127.0.0.1: filters, paging, errors, limits, token, headers."""

from __future__ import annotations

import http.client
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest

from narrascope.store.db import Store
from tests.serving import get_json, request, running_server


@pytest.fixture(scope="module")
def base(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("api") / "api.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db), max_body=200_000) as url:
        yield url


def test_articles_filter_and_page_in_a_stable_order(base: str) -> None:
    status, everything = get_json(f"{base}/api/articles?limit=500")
    assert status == 200 and everything["total"] >= 6
    ids = [a["id"] for a in everything["items"]]
    paged = [
        a["id"]
        for off in range(0, len(ids), 2)
        for a in get_json(f"{base}/api/articles?limit=2&offset={off}")[1]["items"]
    ]
    assert paged == ids
    status, found = get_json(f"{base}/api/articles?" + urlencode({"source": "Pravda Mirror", "q": "militants"}))
    assert [a["id"] for a in found["items"]] == ["a2"]
    narrative = next(a["narratives"][0] for a in everything["items"] if a["narratives"])
    status, found = get_json(f"{base}/api/articles?" + urlencode({"narrative": narrative}))
    assert found["total"] >= 1 and all(narrative in a["narratives"] for a in found["items"])
    _, a1 = get_json(f"{base}/api/articles/a1")
    entity = next(e for e in a1["entities"] if e["main_role"] in ("Protagonist", "Antagonist", "Innocent"))
    query = {"entity": entity["entity"], "role": entity["main_role"]}
    status, found = get_json(f"{base}/api/articles?" + urlencode(query))
    assert status == 200 and "a1" in [a["id"] for a in found["items"]]
    status, found = get_json(f"{base}/api/articles?" + urlencode({**query, "role": "no such role"}))
    assert "a1" not in [a["id"] for a in found["items"]]


def test_article_stats_entities_and_claims(base: str, corpus_db: Path) -> None:
    status, doc = get_json(f"{base}/api/articles/a2")
    assert status == 200 and doc["id"] == "a2"
    for span in doc["techniques"] + doc["claims"]:
        assert doc["raw_text"][span["start"] : span["end"]] == span["text"]
    assert all(isinstance(c["group"], int) for c in doc["claims"])
    status, stats = get_json(f"{base}/api/stats/narratives?by=source")
    assert status == 200 and {r["bucket"] for r in stats["series"]} >= {"Pravda Mirror", "Daily Wire Desk"}
    status, monthly = get_json(f"{base}/api/stats/narratives?by=month")
    # a month counts the articles with an asserted narrative, never `Other` (the absence of one)
    with sqlite3.connect(corpus_db) as db:
        months = {m for (m,) in db.execute(
            "SELECT DISTINCT substr(a.published, 1, 7) FROM articles a JOIN narratives n ON n.article_id = a.id"
            " WHERE n.level = 'narrative' AND n.label != 'Other' AND n.asserted = 1"
        )}  # fmt: skip
    assert {r["bucket"] for r in monthly["series"]} == months and {"2023-02", "2023-03"} <= months
    status, entity = get_json(f"{base}/api/entities/Russia?include_withheld=true")
    assert status == 200 and {r["source"] for r in entity["by_source"]} >= {"Pravda Mirror", "Euro Truth"}
    status, groups = get_json(f"{base}/api/claims?min_size=2")
    group = groups["items"][0]
    status, provenance = get_json(f"{base}/api/claims/{group['id']}")
    assert provenance["first_appearance"]["article_id"] == "a1" and len(provenance["members"]) == group["size"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles?limit=0",
        "/api/articles?limit=abc",
        "/api/articles?limit=99999999999999999999999",
        "/api/articles?offset=-1",
        "/api/articles?date_from=yesterday",
        "/api/articles?date_to=2023-13-45x",
        "/api/articles?q=" + "x" * 600,
        "/api/stats/narratives?by=year",
        "/api/claims/abc",
        "/api/claims/-3",
        "/api/claims/99999999999999999999999999",
        "/api/claims?min_size=0",
    ],
)
def test_a_bad_query_parameter_is_a_422_with_a_json_message(base: str, path: str) -> None:
    status, body = get_json(base + path)
    assert status == 422 and body["code"] == "invalid_request" and body["message"]


@pytest.mark.parametrize(
    "q", ['"', "*", "NEAR(a b)", "a AND", "title:x", "'; DROP TABLE articles; --", "\u0000", "%_\\"]
)
def test_hostile_search_text_never_breaks_a_query(base: str, q: str) -> None:
    for path in ("/api/articles", "/api/claims", "/api/entities", "/api/stats/narratives"):
        status, body = get_json(f"{base}{path}?q={quote(q)}")
        assert status == 200, (path, q, body)


def test_unknown_ids_are_404s(base: str) -> None:
    for path in ("/api/articles/nope", "/api/claims/987654", "/api/entities/Nobody%20At%20All", "/static/nope.js"):
        status, body = get_json(base + path)
        assert status == 404 and body["code"] == "not_found", path
    # a path that tries to climb out of the assets reaches no file
    status, _, _ = request(f"{base}/static/..%2f..%2fpyproject.toml")
    assert status == 404


def test_analyze_stores_nothing_and_articles_stores_once(base: str, corpus_db: Path) -> None:
    headers = {"Content-Type": "application/json"}
    before = get_json(f"{base}/api/articles")[1]["total"]
    body = json.dumps(
        {"text": "Gas prices\n\nThe sanctions against Russia backfired, the Kremlin said.", "source": "Test Wire"}
    )
    status, doc = get_json(f"{base}/api/analyze", method="POST", body=body.encode(), headers=headers)
    assert status == 200 and doc["source"] == "Test Wire" and doc["raw_text"].startswith("Gas prices")
    assert get_json(f"{base}/api/articles")[1]["total"] == before
    status, stored = get_json(f"{base}/api/articles", method="POST", body=body.encode(), headers=headers)
    assert status == 201 and stored["status"] == "added"
    status, again = get_json(f"{base}/api/articles", method="POST", body=body.encode(), headers=headers)
    assert status == 201 and again == {"id": stored["id"], "status": "present"}
    assert get_json(f"{base}/api/articles")[1]["total"] == before + 1
    slashed = json.dumps({"text": "Slash\n\nThe West is to blame.", "id": "outlet/2023/42"}).encode()
    assert get_json(f"{base}/api/articles", method="POST", body=slashed, headers=headers)[0] == 201
    status, doc = get_json(f"{base}/api/articles/{quote('outlet/2023/42', safe='')}")
    assert status == 200 and doc["id"] == "outlet/2023/42"
    status, problem = get_json(f"{base}/api/analyze", method="POST", body=b'{"text": ""}', headers=headers)
    assert status == 422 and problem["code"] == "invalid_request"
    status, problem = get_json(f"{base}/api/analyze", method="POST", body=b"{not json", headers=headers)
    assert status == 422


def test_request_bodies_are_bounded_with_or_without_a_length(base: str) -> None:
    big = json.dumps({"text": "a" * 300_000}).encode()
    status, body = get_json(
        f"{base}/api/analyze", method="POST", body=big, headers={"Content-Type": "application/json"}
    )
    assert status == 413 and body["code"] == "body_too_large"
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    conn.putrequest("POST", "/api/analyze")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    try:
        for start in range(0, len(big), 65536):
            chunk = big[start : start + 65536]
            conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before the whole body is sent
    response = conn.getresponse()
    assert response.status == 413 and json.loads(response.read())["code"] == "body_too_large"
    conn.close()


def test_security_headers_and_offline_assets(base: str) -> None:
    for path in ("/", "/article?id=a1", "/api/articles", "/docs"):
        status, headers, _ = request(base + path)
        csp = headers["content-security-policy"]
        assert (
            status == 200
            and "script-src 'self';" in csp
            and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        )
    status, headers, data = request(f"{base}/static/plotly-basic.min.js")
    assert status == 200 and b"plotly.js" in data[:200] and headers["content-type"].startswith("text/javascript")
    status, headers, _ = request(f"{base}/static/plotly-basic.min.js")
    assert "immutable" in headers["cache-control"]  # loaded once, then from the browser's cache
    for path in ("/", "/entity?name=x", "/claim?id=1", "/article?id=a1", "/entities", "/claims", "/stories", "/review"):
        assert b"plotly" not in request(base + path)[2], path  # no first screen waits for it: core.js loads it late
    status, _, page = request(f"{base}/docs")
    assert b'href="/"' in page  # a way back to the UI
    assert b"/static/swagger-ui-bundle.js" in page and b"http" not in page.split(b"<body")[0].replace(
        b"http-equiv", b""
    )
    status, spec = get_json(f"{base}/openapi.json")
    assert spec["openapi"].startswith("3.0.")  # what the bundled Swagger UI 4 can render
    assert {"/api/analyze", "/api/articles", "/api/articles/{article_id}", "/api/stats/narratives", "/api/entities",
            "/api/claims", "/api/claims/{group}"} <= set(spec["paths"])  # fmt: skip


def test_a_token_guards_every_api_route(corpus_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "token.db"
    shutil.copy(corpus_db, db)
    with running_server(str(db), token="s3cret") as url:
        for path in ("/api/articles", "/api/articles/a1", "/api/stats/narratives", "/api/entities", "/api/claims"):
            status, body = get_json(url + path)
            assert status == 401 and body["code"] == "unauthorized", path
            status, _ = get_json(url + path, headers={"Authorization": "Bearer wrong"})
            assert status == 401
            status, _ = get_json(url + path, headers={"Authorization": "Bearer s3cret"})
            assert status == 200
        status, _ = get_json(
            f"{url}/api/analyze", method="POST", body=b'{"text": "x"}', headers={"Content-Type": "application/json"}
        )
        assert status == 401
    assert Store(db, readonly=True).count("articles") == 6
