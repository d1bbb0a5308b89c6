"""/docs in a real browser with every request off this server refused: Swagger UI comes from
local assets (issue #15, part 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.conftest import ServerFactory

pytestmark = pytest.mark.browser


def test_docs_render_with_the_network_off(browser: Browser, serve: ServerFactory) -> None:
    base = serve()
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.goto(base + "/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=15_000)
    expect(page.locator("body")).to_contain_text("/sparql")
    expect(page.locator("body")).to_contain_text("/api/collections")
    assert elsewhere == []
    context.close()


