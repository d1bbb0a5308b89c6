"""Every page type checked by axe-core (WCAG 2.1 A and AA rules) in Chromium, on a desktop
and on a 360 px phone, where no page may scroll sideways; and the pages used by keyboard."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
        "resultTypes": ["violations"]}
KEY = "calames-751052116-0001"
PAGES = {  # page type: path (and what shows it is ready)
    "home": ("/", "h1"),
    "search": ("/search?q=manuscrits", ".facets a.facet"),
    "collection, tree open": (f"/id/collection/{KEY}?open=p-1.2", "#tree[data-ready=true]"),
    "component": (f"/id/collection/{KEY}/c/p-1", "#tree[data-ready=true]"),
    "network": ("/id/network/mondes-orientaux", "svg#graph[data-drawn]"),
    "networks": ("/networks", "h1"),
    "institution": ("/id/institution/FR-751052116", "h1"),
    "institutions": ("/institutions", "h1"),
    "person": ("/agents/027058352", "#citing-title"),
    "subject": ("/subjects/027732428", "#citing-title"),
    "place": ("/id/place/constantine-algerie", "#citing-title"),
    "other authority": ("/entity?iri=http%3A%2F%2Fdata.bnf.fr%2Fark%3A%2F12148%2Fcb11963568t"
                        "%23about", "#citing-title"),
    "query": ("/query", "h1"),
    "map": ("/map", "svg.map"),
    "map by department, filtered": ("/map?by=department&collex=yes", "svg.map"),
    "status": ("/status", "h1"),
    "widget example": ("/widget/example", "h1"),
    "404": ("/nowhere", "h1"),
}


def _violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in results.response["violations"]]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation_and_nothing_scrolls_sideways(
        browser: Browser, sample_server: str, name: str, width: int) -> None:
    path, ready = PAGES[name]
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sample_server + path)
    expect(page.locator(ready).first).to_be_attached()
    assert _violations(page) == [], name
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: {scroll} px wide at {width} px"
    assert errors == []
    page.close()


def test_the_tree_by_keyboard(browser: Browser, sample_server: str) -> None:
    """Tab to the first toggle, Enter unfolds it, the sub-components are links Tab reaches."""
    page = browser.new_page()
    page.goto(sample_server + f"/id/collection/{KEY}")
    expect(page.locator("#tree[data-ready=true]")).to_be_attached()
    toggle = page.locator("#tree button.toggle").first
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('toggle')"):
            break
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#tree ul ul li").first).to_be_visible()
    page.keyboard.press("Tab")  # to the first component's link (its permalink)
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused and f"/id/collection/{KEY}/c/" in focused
    page.keyboard.press("Enter")
    expect(page.locator("nav.crumbs")).to_be_visible()
    page.close()


def test_a_deep_link_opens_the_tree_at_the_component(browser: Browser,
                                                     sample_server: str) -> None:
    page = browser.new_page()
    page.goto(sample_server + f"/id/collection/{KEY}/c/p-1.2")
    page.get_by_role("link", name="Voir dans le plan de classement").click()
    expect(page.locator("#tree[data-ready=true]")).to_be_attached()
    target = page.locator("#tree li.target a").first
    expect(target).to_have_text("MS 813 — Lettres de Joseph Bédier")
    expect(target).to_be_focused()
    expect(page.locator("#tree li.target .tags a")).to_have_text("Bédier, Joseph")
    page.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_query_page_with_results(browser: Browser, sample_server: str, width: int) -> None:
    """The query editor (YASGUI when npm installed it, else the built-in one) and a table of
    results: no violation either."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(sample_server + "/query")
    page.locator("button.example").first.click()
    expect(page.locator("#editor table, #results table").first).to_be_visible(timeout=15_000)
    assert _violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


@pytest.mark.shared
@pytest.mark.parametrize("path", [
    "/id/collection/FRAD084_IR0000412?open=FRAD084_IR0000412_de-14",
    "/id/collection/FRAD084_IR0000412/c/FRAD084_IR0000412_de-14",
    "/id/collection/FRAD085_6Fi", "/search?q=vendee"])
def test_real_finding_aids_pages(browser: Browser, fa_server: str, path: str) -> None:
    """Pages of real finding aids (long notes, dozens of access points, 3,171 components)."""
    for width in (360, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(fa_server + path)
        expect(page.locator("h1")).to_be_visible()
        if page.locator("#tree").count():
            expect(page.locator("#tree[data-ready=true]")).to_be_attached(timeout=15_000)
        assert _violations(page) == [], (path, width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
        page.close()


def test_the_language_switch(browser: Browser, sample_server: str) -> None:
    """French for a French browser; the visible switch turns the site to English, which the
    next pages keep; English pages pass axe too."""
    page = browser.new_page()
    page.goto(sample_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Collections of excellence for research")
    assert _violations(page) == []
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Networks").click()
    expect(page.locator("h1")).to_have_text("Thematic networks")
    page.goto(sample_server + f"/id/collection/{KEY}?open=p-1.2")
    expect(page.locator("#tree[data-ready=true]")).to_be_attached()
    expect(page.locator("#tree button.toggle").first).to_have_attribute(
        "aria-label", "Expand: MS 812-820 — Correspondance reçue")
    assert _violations(page) == []
    page.get_by_role("link", name="Français", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.close()
