"""The corpus page's STIX button in real headless Chromium: it downloads the filtered articles as a STIX 2.1
bundle that the OASIS validator passes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.formats.stix import report_id
from tests.serving import serving_a_copy
from tests.test_browser import _ready, browser_tab
from tests.test_stix import validate


@pytest.fixture(scope="module")
def base(spread_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving_a_copy(spread_db, tmp_path_factory.mktemp("stix-ui")) as url:
        yield url


def test_corpus_page_stix_button_downloads_a_bundle_that_validates(base: str, tmp_path: Path) -> None:
    with browser_tab(base) as page:
        page.goto(base + "/?source=Relay%20Daily")
        _ready(page)
        button: Any = page.locator("#export-stix")
        assert button.inner_text() == "STIX 2.1"
        with page.expect_download() as download:
            button.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
    assert saved.name == "narrascope-bundle.json"
    validate(saved)
    reports = [o["id"] for o in json.loads(saved.read_text("utf-8"))["objects"] if o["type"] == "report"]
    assert reports == [report_id("a2-relay")]  # the page's filter went with it
