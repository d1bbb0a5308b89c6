"""Headless Chromium (Debian package `chromium`) driven by Playwright. Required in CI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed when they are done (kept for the whole
    session, it went on using CPU under the tests that came after)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs the Debian package")
        pytest.skip("chromium not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield _French(browser)  # type: ignore[misc]
        browser.close()


class _French:
    """The browser of a French reader: pages and contexts in locale fr-FR (Accept-Language
    fr-FR, the pages' default language) unless a test asks for another."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser

    def new_page(self, **options: Any) -> Page:
        options.setdefault("locale", "fr-FR")
        return self._browser.new_page(**options)

    def new_context(self, **options: Any) -> BrowserContext:
        options.setdefault("locale", "fr-FR")
        return self._browser.new_context(**options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)
