"""The query page in a real browser: an example runs and its results table appears."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import ServerFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("editor", ["auto", "builtin"])
def test_example_query_shows_results(browser: Browser, serve: ServerFactory,
                                     editor: str) -> None:
    base = serve()
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/query?editor={editor}")
    engine = page.get_attribute("#editor", "data-engine")
    page.get_by_role("button", name="Nombre de collections par établissement").click()
    table = page.locator(".yasr table" if engine == "yasgui" else "#results table")
    expect(table).to_contain_text("Bibliothèque Diderot de Lyon", timeout=15_000)
    assert errors == []
