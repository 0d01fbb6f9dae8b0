"""Offsets an analyst cannot corrupt, in real headless Chromium: the API counts code points, the page UTF-16
units; spans after emoji, combining marks and right-to-left text are shown on the right words, and words an
analyst selects are stored as the right code points. Fixtures and skips as tests/test_browser.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from narrascope.cli.main import main
from tests.serving import get_json, running_server
from tests.test_browser import _ready, browser_tab

TEXT = (
    "Hello 👋🏽 from the e\u0301lite club 👨‍👩‍👧. The sanctions were imposed on Monday. "
    "قال الوزير إن العقوبات فشلت 🇺🇦 and the sanctions backfired, the minister said."
)
ARTICLE = "mixed"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("offsets")
    source = folder / "in.jsonl"
    source.write_text(json.dumps({"id": ARTICLE, "title": "Mixed scripts", "text": TEXT}) + "\n", "utf-8")
    db = folder / "o.db"
    result = CliRunner().invoke(main, ["ingest", str(source), "--db", str(db), "--components",
                                       "cleaning,language,sentences"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with running_server(str(db)) as url:
        yield url


def _add(base: str, word: str, occurrence: int, technique: str) -> None:
    start = -1
    for _ in range(occurrence):
        start = TEXT.index(word, start + 1)
    body = {"layer": "technique", "action": "add", "label": technique, "start": start, "end": start + len(word)}
    status, found = get_json(f"{base}/api/articles/{ARTICLE}/corrections", method="POST",
                             body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})  # fmt: skip
    assert status == 201, found


def test_spans_after_emoji_combining_marks_and_rtl_text_land_on_their_words(served: str) -> None:
    base = served
    words = [("e\u0301lite", 1, "Loaded_Language"), ("sanctions", 1, "Doubt"), ("العقوبات", 1, "Slogans"),
             ("sanctions", 2, "Repetition")]  # fmt: skip
    for word, occurrence, technique in words:
        _add(base, word, occurrence, technique)
    with browser_tab(base) as page:
        page.goto(f"{base}/article?id={quote(ARTICLE)}")
        _ready(page)
        shown = page.eval_on_selector_all("#raw-text [data-techniques]", "ns => ns.map(n => n.textContent)")
        assert shown == [w for w, _, _ in words]

        page.goto(f"{base}/review?id={quote(ARTICLE)}")  # select the second "sanctions" and mark it
        _ready(page)
        page.evaluate(
            """(word) => {
                const root = document.getElementById('raw-text');
                const all = root.textContent;
                const at = all.indexOf(word);
                const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                let seen = 0, range = document.createRange(), started = false;
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                    const len = n.textContent.length;
                    if (!started && at < seen + len) { range.setStart(n, at - seen); started = true; }
                    if (started && at + word.length <= seen + len) { range.setEnd(n, at + word.length - seen); break; }
                    seen += len;
                }
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
            }""",
            " the sanctions backfired",
        )
        page.select_option("#add-technique", "Doubt")
        page.click("#add-technique-button")
        page.wait_for_selector("#review-status:has-text('Stored: add')")
        assert page.errors == []
    _, listed = get_json(f"{base}/api/corrections?article={ARTICLE}")
    last = listed["items"][-1]
    assert TEXT[last["start"] : last["end"]] == " the sanctions backfired" == last["quote"]
