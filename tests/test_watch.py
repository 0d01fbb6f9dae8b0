"""Watching sources against a real hostile web on 127.0.0.1 (tests/watch_server.py).

One watch round over all feeds is shared by the module (`watched`); the tests read its summary, the store,
the server's request log and the webhook receiver's POSTs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from narrascope.errors import FormatError
from narrascope.pipeline import Pipeline, load_pipeline
from narrascope.sources.alerting import AlertSink
from narrascope.sources.fetch import FetchOptions
from narrascope.sources.net import RefusedError, pin
from narrascope.sources.round import RoundSummary, run_round
from narrascope.sources.watch import WatchOptions, parse_duration, read_sources, watch
from narrascope.store.alerts import evaluate, load_rules
from narrascope.store.db import Store
from narrascope.store.queries import ArticleFilter, list_articles
from narrascope.store.trends import trends
from tests.serving import get_json, running_server
from tests.watch_server import ARTICLES, HUGE_FEED_ITEMS, Web, serving

MAX_ITEMS = 8
OPTIONS = FetchOptions(timeout=2.5, delay=0.0, backoff=0.01, allow_private=True)
PLANTED = "URW: Blaming the war on others rather than the invader"
LIGHT = "cleaning,language,sentences,narratives,claims"


def _rules(path: Path, base: str) -> Path:
    path.write_text(
        f'[webhook]\nurl = "{base}/hook"\n\n[[rules]]\nname = "planted"\nkind = "narrative"\n'
        f'narrative = "{PLANTED}"\noutlets = ["Planted Outlet"]\nmin_score = 0.2\n',
        "utf-8",
    )
    return path


@pytest.fixture(scope="module")
def web() -> Iterator[Web]:
    with serving() as found:
        yield found


@pytest.fixture(scope="module")
def watched(web: Web, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    # every narrative pick asserted: alerts and trends are under test, not the shipped rule (which withholds the
    # planted article's narrative)
    pipeline = load_pipeline(min_scores={"narratives": 0.0})
    folder = tmp_path_factory.mktemp("watch")
    store = Store(folder / "w.db")
    rules = load_rules(_rules(folder / "rules.toml", web.base))
    sink = AlertSink(folder / "alerts.jsonl", rules.webhook, allow_private=True, backoff=0.01)
    rounds: list[tuple[RoundSummary, list[dict[str, object]]]] = []
    options = WatchOptions(once=True, max_items=MAX_ITEMS, batch_size=2, fetch=OPTIONS)
    watch(web.sources(), store, pipeline, options=options, rules=rules, sink=sink,
          on_round=lambda n, s, a: rounds.append((s, a)))  # fmt: skip
    sink.close(wait=10)
    return {"store": store, "summary": rounds[0][0], "alerts": rounds[0][1], "rules": rules, "folder": folder}


def test_every_good_article_stored_once_with_outlet_and_date(watched: dict[str, Any], web: Web) -> None:
    store = watched["store"]
    found = {r["id"]: dict(r) for r in store.conn.execute("SELECT id, source, published, title FROM articles")}
    expected = {f"{web.base}/news/{a['slug']}.html": a for a in ARTICLES}
    expected[f"{web.base}/news/flaky-recovered.html"] = {**ARTICLES[0], "title": "Flaky page came back"}
    assert set(found) == set(expected)  # canonical URLs: the atom item with ?utm_source and the /gen/ pages map here
    for url, article in expected.items():
        assert found[url]["source"] == article["outlet"]
        assert found[url]["published"].startswith(article["published"])
    assert watched["summary"].added == len(expected)


def test_robots_txt_keeps_out_of_the_disallowed_path(watched: dict[str, Any], web: Web) -> None:
    assert web.requested("/private/") == []
    assert len(web.requested("/robots.txt")) == 1  # once per host
    assert all("narrascope" in str(r["user_agent"]) for r in web.log)


def test_every_bad_url_is_one_line_and_the_rest_go_on(watched: dict[str, Any], web: Web) -> None:
    failed = watched["summary"].failed
    assert [line.split(": ", 1)[1] for line in watched["summary"].skipped] == ["disallowed by robots.txt"]
    reasons = {
        "169.254.169.254": "link-local",
        "/big.html": "byte limit",
        "/loop/a": "more than 5 redirects",
        "/slow.html": "no answer within 2.5 s",
        "/malformed.xml": "not a well-formed feed",
    }
    for where, reason in reasons.items():
        lines = [line for line in failed if where in line.split(": ", 1)[0]]
        assert len(lines) == 1 and reason in lines[0] and "\n" not in lines[0], (where, failed)
    assert len(failed) == len(reasons)
    assert [r["path"] for r in web.requested("/flaky.html")] == ["/flaky.html"] * 2  # 500, then retried: 200


def test_a_huge_feed_is_capped_per_round(watched: dict[str, Any], web: Web) -> None:
    assert len(web.requested("/gen/")) <= MAX_ITEMS
    assert watched["summary"].deferred >= HUGE_FEED_ITEMS - MAX_ITEMS


def test_second_round_adds_nothing_with_conditional_requests(
    watched: dict[str, Any], web: Web, pipeline: Pipeline
) -> None:
    store = watched["store"]
    before = len(web.log)
    again = run_round(web.sources(), store, pipeline, options=OPTIONS, max_items=MAX_ITEMS)
    assert again.added == 0 and again.updated == 0
    # rss, atom, sitemap: 304; the malformed feed failed again; the huge one has a backlog, so it is read whole
    assert again.not_modified == 3 and again.deferred == HUGE_FEED_ITEMS - 2 * MAX_ITEMS
    second = web.log[before:]
    rss = [r for r in second if r["path"] == "/rss.xml"]
    assert rss and rss[0]["if_none_match"] and rss[0]["if_modified_since"]
    assert not [r for r in second if r["path"].startswith("/news/")]
    huge = [r for r in second if r["path"] == "/huge.xml"]
    assert huge and huge[0]["if_none_match"] is None
    feeds = {r["url"]: dict(r) for r in store.conn.execute("SELECT * FROM feeds")}
    assert feeds[f"{web.base}/malformed.xml"]["failures"] == 2 and feeds[f"{web.base}/rss.xml"]["failures"] == 0


def test_alert_fires_once_and_reaches_the_webhook(watched: dict[str, Any], web: Web) -> None:
    planted = f"{web.base}/news/svr-relay.html"
    assert [a["article_id"] for a in watched["alerts"]] == [planted]
    assert evaluate(watched["store"], watched["rules"]) == []  # evaluated again: nothing new
    assert [h["article_id"] for h in web.hooks] == [planted] and web.hooks[0]["rule"] == "planted"
    logged = (watched["folder"] / "alerts.jsonl").read_text("utf-8").splitlines()
    assert len(logged) == 1 and planted in logged[0]


def test_trends_count_what_the_article_list_shows(watched: dict[str, Any]) -> None:
    store = watched["store"]
    week = trends(store, period="week", until="2026-12-03")
    outlets = {i["key"]: i for i in week["kinds"]["outlet"]}
    assert outlets["Northern Courier"]["current"] == 3 and outlets["Northern Courier"]["new"]
    day = trends(store, period="day", until="2026-12-03")
    eastern = next(i for i in day["kinds"]["outlet"] if i["key"] == "Eastern Wire")
    assert (eastern["current"], eastern["previous"], eastern["first_seen"]) == (1, 0, "2026-12-01")
    assert not eastern["new"]
    for item in day["kinds"]["narrative"]:
        flt = ArticleFilter(narrative=item["key"], date_from="2026-12-03", date_to="2026-12-03")
        assert list_articles(store, flt, limit=1, offset=0)["total"] == item["current"]
    assert all(i["key"] != "Other" for i in day["kinds"]["narrative"])


def test_trends_count_only_asserted_judgments(watched: dict[str, Any]) -> None:
    store = watched["store"]
    item = trends(store, period="week", until="2026-12-03")["kinds"]["narrative"][0]
    one = store.conn.execute(
        "SELECT n.article_id FROM narratives n JOIN articles a ON a.id = n.article_id WHERE n.label = ?"
        " AND n.asserted = 1 AND a.day BETWEEN '2026-11-20' AND '2026-12-03'",
        (item["key"],),
    )
    article = one.fetchone()[0]
    store.conn.execute("UPDATE narratives SET asserted = 0 WHERE label = ? AND article_id = ?", (item["key"], article))
    try:
        withheld = trends(store, period="week", until="2026-12-03")["kinds"]["narrative"]
        counted = next((i["current"] + i["previous"] for i in withheld if i["key"] == item["key"]), 0)
        assert counted == item["current"] + item["previous"] - 1
        shown = trends(store, period="week", until="2026-12-03", include_withheld=True)["kinds"]["narrative"]
        assert next(i for i in shown if i["key"] == item["key"])["current"] == item["current"]
    finally:
        store.conn.execute(
            "UPDATE narratives SET asserted = 1 WHERE label = ? AND article_id = ?", (item["key"], article)
        )


def test_api_serves_trends_alerts_and_feeds(watched: dict[str, Any]) -> None:
    with running_server(watched["store"].path) as base:
        status, body = get_json(f"{base}/api/trends?period=week&until=2026-12-03&kind=outlet")
        assert status == 200 and list(body["kinds"]) == ["outlet"] and body["current"]["from"] == "2026-11-27"
        status, body = get_json(f"{base}/api/alerts")
        assert status == 200 and body["total"] == 1 and body["items"][0]["rule"] == "planted"
        status, body = get_json(f"{base}/api/feeds")
        assert status == 200 and len(body["items"]) == 5
        status, body = get_json(f"{base}/api/trends?period=month")
        assert status == 422


def test_metadata_and_internal_addresses_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    for url in ("http://169.254.169.254/latest/meta-data/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/"):
        with pytest.raises(RefusedError, match="link-local"):
            pin(url, allow_private=True)  # even with --allow-private
    for url in ("http://127.0.0.1:9/", "http://10.1.2.3/", "http://localhost/"):
        with pytest.raises(RefusedError, match="--allow-private"):
            pin(url, allow_private=False)
    with pytest.raises(RefusedError, match="only http and https"):
        pin("file:///etc/passwd", allow_private=True)
    # DNS rebinding: every address of a name is checked, and the request goes to the checked one.
    infos = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 80)) for a in ("93.184.216.34", "192.168.1.1")]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: infos)
    with pytest.raises(RefusedError, match="192.168.1.1"):
        pin("http://rebind.example/x", allow_private=False)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: infos[:1])
    pinned = pin("https://rebind.example/x?y=1", allow_private=False)
    assert pinned.url == "https://93.184.216.34/x?y=1" and pinned.host_header == "rebind.example"
    assert pinned.extensions == {"sni_hostname": "rebind.example"}


def test_rules_and_feeds_files_fail_in_one_line(tmp_path: Path, runner: CliRunner) -> None:
    cases = {
        "[[rules]\n": "not valid TOML",
        '[[rules]]\nname = "x"\nkind = "weather"\n': "kind must be one of",
        '[[rules]]\nname = "x"\nkind = "narrative"\nnarrative = "Aliens"\n': "unknown narrative",
        '[[rules]]\nname = "x"\nkind = "claim_growth"\nmin_outlets = 0\n': "min_outlets must be",
        '[[rules]]\nname = "x"\nkind = "entity_role"\nentity = "NATO"\nrole = "Hero"\n': "role must be one of",
        '[webhook]\nurl = 3\n[[rules]]\nname = "x"\nkind = "claim_growth"\nmin_outlets = 1\n': "[webhook]",
    }
    for number, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"r{number}.toml"
        path.write_text(text, "utf-8")
        with pytest.raises(FormatError, match=message.replace("[", r"\[")) as info:
            load_rules(path)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# comment\nhttp://a.example/rss\n\nftp://b.example/x\n", "utf-8")
    with pytest.raises(FormatError, match=r"feeds.txt:4: expected one http\(s\) URL"):
        read_sources(feeds)
    assert parse_duration("30m") == 1800 and parse_duration("2h") == 7200
    result = runner.invoke(main, ["watch", "--feeds", str(feeds), "--db", str(tmp_path / "x.db"), "--every", "soon"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "duration" in result.output


def test_ingest_urls_from_the_command_line(web: Web, tmp_path: Path, runner: CliRunner) -> None:
    db = str(tmp_path / "i.db")
    page, refused = f"{web.base}/news/climate-hoax.html", "http://169.254.169.254/latest/"
    args = ["ingest", page, refused, "--db", db, "--allow-private", "--per-host-delay", "0", "--components", LIGHT]
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "1 added" in result.output and result.output.count("link-local") == 1
    result = runner.invoke(main, args[:2] + args[3:])
    assert result.exit_code == 0 and "0 added" in result.output and "1 not modified" not in result.output
    listed = runner.invoke(main, ["alerts", "--db", db])
    assert listed.exit_code == 0 and "0 alert(s)" in listed.output


def _watch_process(feeds: Path, db: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "narrascope.cli.main", "watch", "--feeds", str(feeds), "--db", str(db)]
    command += ["--allow-private", "--per-host-delay", "0", "--timeout", "2.5", "--max-items", str(MAX_ITEMS)]
    command += ["--batch-size", "1", "--components", LIGHT, "--every", "1h"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1] / "src"), *sys.path])}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for_articles(db: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if db.exists():
            try:
                store = Store(db, readonly=True)
                found = store.count("articles")
                store.close()
            except Exception:
                found = 0
            if found >= count:
                return
        time.sleep(0.1)
    raise AssertionError(f"no {count} article(s) stored: {process.stderr.read() if process.stderr else ''}")


def test_sigterm_then_kill_9_mid_round_then_rerun_nothing_lost_nothing_twice(
    web: Web, tmp_path: Path, pipeline: Pipeline
) -> None:
    feeds, db = tmp_path / "feeds.txt", tmp_path / "w.db"
    feeds.write_text("\n".join(web.sources()) + "\n", "utf-8")
    process = _watch_process(feeds, db)  # SIGTERM: the round stops after the article in hand, exit 0
    _wait_for_articles(db, 2, process)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "(stopped)" in err, err
    store = Store(db, readonly=True)
    stopped = store.count("articles")
    store.close()
    process = _watch_process(feeds, db)  # resumes, then SIGKILL: at most the batch in hand is lost
    _wait_for_articles(db, stopped + 1, process)
    process.kill()
    process.communicate(timeout=60)
    store = Store(db)
    kept = store.count("articles")
    summary = run_round(web.sources(), store, pipeline, options=OPTIONS, max_items=MAX_ITEMS)
    titles = [r[0] for r in store.conn.execute("SELECT title FROM articles")]
    assert len(titles) == len(set(titles)) == len(ARTICLES) + 1  # the flaky page's own title
    assert summary.added == len(titles) - kept
    store.close()


def test_ui_shows_the_alert_and_what_is_new(watched: dict[str, Any], web: Web) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: run `make browser`")
    from tests.test_browser import ARGS, CHROMIUM

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed (run `make browser` as root)")
    with running_server(watched["store"].path) as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, timeout=60_000)
        tab = browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(f"{base}/alerts")
        tab.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
        rows = tab.locator("#alerts tbody tr")
        assert rows.count() == 1 and "Planted Outlet pushes" in rows.first.inner_text()
        rows.first.get_by_role("link", name="article").click()
        tab.wait_for_selector("body[data-ready='1'] #title", timeout=20_000)
        assert "Washington trains ISIS" in tab.inner_text("#title")
        tab.goto(f"{base}/trends?period=week&until=2026-12-03")
        tab.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
        courier = tab.locator("#trends-outlet tr", has_text="Northern Courier")
        assert courier.locator("td").nth(2).inner_text() == "3"
        courier.locator("td").nth(2).get_by_role("link").click()  # the articles behind the number
        tab.wait_for_selector("body[data-ready='1'] #articles", timeout=20_000)
        assert tab.locator("#articles tbody tr").count() == 3
        assert "source=Northern+Courier" in tab.url and "date_from=2026-11-27" in tab.url
        assert errors == []
        browser.close()


def test_feed_formats_rdf_rss091_and_a_broken_feed() -> None:
    from narrascope.sources.feeds import FeedError, parse_feed

    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>R</title>'
        b"</channel><item><title>One</title><link>/a.html</link><dc:date>2026-12-01T10:00:00Z</dc:date>"
        b"<dc:creator>Ann</dc:creator></item></rdf:RDF>"
    )
    feed = parse_feed(rdf, "http://x.example/feed.rdf")
    assert feed.kind == "rdf" and feed.items[0].url == "http://x.example/a.html"
    assert feed.items[0].published == "2026-12-01T10:00:00+00:00" and feed.items[0].author == "Ann"
    rss091 = b'<rss version="0.91"><channel><title>T</title><item><title>Two</title><link>http://x.example/b</link></item></channel></rss>'
    assert [i.url for i in parse_feed(rss091, "http://x.example/").items] == ["http://x.example/b"]
    broken = b'<rss version="2.0"><channel><item><title>Three &nbsp; x</title><link>http://x.example/c</link></item></channel></rss>'
    assert [i.url for i in parse_feed(broken, "http://x.example/").items] == ["http://x.example/c"]  # feedparser
    with pytest.raises(FeedError, match="malformed XML"):
        parse_feed(b"<<<not xml", "http://x.example/")
    with pytest.raises(FeedError, match="not an RSS, Atom or RDF feed"):
        parse_feed(b"<?xml version='1.0'?><catalog><book/></catalog>", "http://x.example/")


def test_a_sitemap_index_is_followed(web: Web, tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    summary = run_round([f"{web.base}/sitemap-index.xml"], store, Pipeline([]), options=OPTIONS)
    slugs = [a["slug"] for a in ARTICLES[4:]]
    assert sorted(store.ids()) == sorted(f"{web.base}/news/{s}.html" for s in slugs)
    assert summary.failed == [f"{web.base}/gone.xml: HTTP 404"]
    store.close()


def test_a_host_name_is_resolved_checked_and_pinned(web: Web) -> None:
    import asyncio

    from narrascope.sources.fetch import Fetcher

    port = web.base.rsplit(":", 1)[1]

    async def fetch(allow_private: bool) -> int:
        fetcher = Fetcher(FetchOptions(timeout=5, delay=0, allow_private=allow_private))
        try:
            return (await fetcher.get(f"http://localhost:{port}/news/gas-freeze.html")).status
        finally:
            await fetcher.aclose()

    assert asyncio.run(fetch(True)) == 200  # connected to the checked address, Host: localhost:PORT
    with pytest.raises(RefusedError, match="localhost resolves to .*loopback"):
        asyncio.run(fetch(False))


def test_watch_keeps_polling_until_stopped(web: Web, tmp_path: Path) -> None:
    import threading

    store = Store(tmp_path / "p.db")
    stop = threading.Event()
    rounds: list[RoundSummary] = []

    def on_round(number: int, summary: RoundSummary, alerts: list[dict[str, object]]) -> None:
        rounds.append(summary)
        if number == 3:
            stop.set()

    options = WatchOptions(every=0.2, max_items=MAX_ITEMS, fetch=OPTIONS)
    done = watch([f"{web.base}/sitemap.xml"], store, Pipeline([]), options=options, stop=stop, on_round=on_round)
    assert done == 3 and [r.added for r in rounds] == [2, 0, 0] and rounds[2].not_modified == 1
    store.close()
