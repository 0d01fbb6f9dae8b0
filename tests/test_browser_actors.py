"""The entities page lists one row per actor with its forms and languages, and the entity page merges two
actors (real headless Chromium; skipped only where the browser or Playwright is not installed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from narrascope.store.db import Store
from tests.serving import get_json, running_server
from tests.test_entity_actors import _article

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: run `make browser`")
from tests.test_browser import CHROMIUM, _ready, browser_tab  # noqa: E402

if not os.path.exists(CHROMIUM):
    pytest.skip("Debian chromium is not installed (run `make browser` as root)", allow_module_level=True)


def test_entities_page_shows_one_actor_with_its_forms_and_merges_from_the_entity_page(tmp_path: Path) -> None:
    db = tmp_path / "actors.db"
    store = Store(db)
    store.put_batch([
        _article("a-ru", "ru", "Лавров", ["Лавров", "Лаврова"]),
        _article("a-en", "en", "Sergei Lavrov", ["Sergei Lavrov"]),
        _article("b-en", "en", "Berbok", ["Berbok"]),
        _article("c-en", "en", "Annalena Baerbock", ["Annalena Baerbock"]),
    ])  # fmt: skip
    store.close()
    with running_server(str(db)) as base, browser_tab(base) as page:
        page.goto(f"{base}/entities")
        _ready(page)
        lavrov = page.locator("#entities tbody tr", has_text="Sergey Lavrov")
        assert lavrov.count() == 1
        assert "en, ru" in lavrov.locator("td.languages").inner_text()
        assert "Лаврова (ru, 1)" in lavrov.locator("td.forms").inner_text()
        page.click("#entities tbody tr:has-text('Berbok') a")
        page.wait_for_url("**/entity?name=*")
        _ready(page)
        page.fill("#merge-into", "Annalena Baerbock")
        page.click("#merge-actor button")
        page.wait_for_selector("#actor-status:has-text('Stored: merge')")
        _, listed = get_json(f"{base}/api/entities")
        assert [i["articles"] for i in listed["items"] if i["entity"] == "Annalena Baerbock"] == [2]
        assert not page.errors  # type: ignore[attr-defined]
