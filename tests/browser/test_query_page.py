"""The query page in a real browser: an example runs and its results table appears."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

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


QUERY = ("SELECT ?holderName (COUNT(?c) AS ?n) WHERE { ?c <https://www.ica.org/standards/RiC/"
         "ontology#hasOrHadHolder>/<http://xmlns.com/foaf/0.1/name> ?holderName }"
         " GROUP BY ?holderName ORDER BY DESC(?n)")


def _editor_text(page: Page, engine: str) -> str:
    if engine == "yasgui":
        return str(page.evaluate(
            "document.querySelector('.CodeMirror').CodeMirror.getValue()"))
    return page.input_value("#query")


def test_protocol_urls_show_pages_in_a_browser(browser: Browser, serve: ServerFactory) -> None:
    base = serve()
    page = browser.new_page()
    for path, heading in (("/sparql", "Description du service SPARQL"),
                          ("/.well-known/void", "Description VoID"),
                          ("/void", "Description VoID")):
        answer = page.goto(base + path)  # a download would raise here
        assert answer is not None and answer.headers["content-type"].startswith("text/html")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(page.locator("pre.turtle")).to_contain_text("@prefix")


@pytest.mark.parametrize("editor", ["auto", "builtin"])
def test_a_query_url_opened_in_a_browser_shows_and_runs_it(
        browser: Browser, serve: ServerFactory, editor: str) -> None:
    base = serve()
    page = browser.new_page()
    page.goto(f"{base}/sparql?{urlencode({'query': QUERY})}")
    assert page.url.startswith(f"{base}/query?")
    if editor == "builtin":
        page.goto(page.url + "&editor=builtin")
    engine = page.get_attribute("#editor", "data-engine") or ""
    table = page.locator(".yasr table" if engine == "yasgui" else "#results table")
    expect(table).to_contain_text("Bibliothèque Diderot de Lyon", timeout=15_000)
    assert _editor_text(page, engine) == QUERY


def test_a_shared_link_opens_the_shared_query_in_a_fresh_browser(
        browser: Browser, serve: ServerFactory) -> None:
    base = serve()
    first = browser.new_context()
    page = first.new_page()
    page.goto(f"{base}/query?editor=builtin")
    page.fill("#query", QUERY)
    page.get_by_role("button", name="Lien de partage").click()
    link = page.input_value("#share-url")
    assert link.startswith(f"{base}/query?query=")
    first.close()
    fresh = browser.new_context()  # nothing kept from the first one
    other = fresh.new_page()
    other.goto(link)
    engine = other.get_attribute("#editor", "data-engine") or ""
    assert _editor_text(other, engine) == QUERY
    table = other.locator(".yasr table" if engine == "yasgui" else "#results table")
    expect(table).to_contain_text("Bibliothèque Diderot de Lyon", timeout=15_000)
    fresh.close()
