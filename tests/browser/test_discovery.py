"""Discovery in a real browser: search and facets, a collection page, the network graph, and
the widget embedded in a page served from another origin."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def test_search_facet_and_open_a_collection(browser: Browser, sample_server: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sample_server + "/search")
    page.get_by_label("Mots").fill("ecole")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#results-title")).to_have_text("7 collections")
    page.locator("a.facet[data-facet=institution]",
                 has_text="Bibliothèque universitaire des langues et civilisations").click()
    expect(page.locator("#results-title")).to_have_text("4 collections")
    expect(page.locator("a.facet.active")).to_have_count(1)
    page.get_by_role("link", name="Fonds persan de l'École des langues orientales").click()
    expect(page.locator("h1")).to_have_text("Fonds persan de l'École des langues orientales")
    expect(page.locator("article p.meta").first).to_contain_text(
        "Bibliothèque universitaire des langues")
    page.keyboard.press("Tab")  # keyboard: the skip link comes first
    expect(page.locator("a.skip")).to_be_focused()
    assert errors == []


def test_front_door_search_with_snippets_and_a_404_page(browser: Browser,
                                                        sample_server: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(sample_server + "/")
    page.get_by_label("Rechercher dans les collections").fill("l'école manuscrit")
    page.keyboard.press("Enter")
    expect(page.locator("#results-title")).to_have_text("4 collections")
    expect(page.locator(".results mark").first).to_be_visible()
    page.goto(sample_server + "/search?q=joseph+bedier")
    expect(page.locator(".results .snippet").first).to_contain_text("Lettres de Joseph Bédier")
    expect(page.locator(".results .meta").last).to_contain_text("1 composante du fonds")
    page.goto(sample_server + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, width  # no horizontal scroll on a phone
    answer = page.goto(sample_server + "/nowhere")
    assert answer is not None and answer.status == 404
    expect(page.locator("h1")).to_have_text("Page introuvable (404)")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()
    assert errors == []


@pytest.mark.parametrize("width", [360, 1200])
def test_network_graph_uses_the_frame_with_readable_labels(browser: Browser, sample_server: str,
                                                           width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(sample_server + "/id/network/mondes-orientaux")
    expect(page.locator("svg#graph")).to_have_attribute("data-drawn", "5")
    expect(page.locator("svg#graph circle")).to_have_count(5)
    assert page.locator("svg#graph line").count() >= 1
    frame = page.locator("svg#graph").bounding_box()
    assert frame
    circles = [page.locator("svg#graph circle").nth(k).bounding_box() for k in range(5)]
    xs = [c["x"] + c["width"] / 2 for c in circles if c]
    ys = [c["y"] + c["height"] / 2 for c in circles if c]
    # the layout uses the frame: the nodes span most of it, none on its border
    assert max(xs) - min(xs) > 0.5 * frame["width"] and max(ys) - min(ys) > 0.5 * frame["height"]
    for c in circles:
        assert c and c["x"] > frame["x"] and c["x"] + c["width"] < frame["x"] + frame["width"]
    # every label inside the frame, on at most two lines, with the full title on hover
    labels = page.locator("svg#graph text")
    for k in range(labels.count()):
        box = labels.nth(k).bounding_box()
        assert box and frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + \
            frame["width"] + 0.5, (k, box, frame)
        assert labels.nth(k).locator("tspan").count() <= 2
    titles = page.locator("svg#graph a.node > title").all_text_contents()
    assert "Manuscrits arabes de la mission de Constantine — Bibliothèque universitaire des " \
        "langues et civilisations" in titles
    # relations explained in words, not in scores
    reasons = page.locator("svg#graph line > title").all_text_contents()
    assert any("Partagent le sujet IdRef « Géopolitique »" in r for r in reasons), reasons
    expect(page.locator("ul.related")).to_contain_text("Partagent le sujet")
    expect(page.locator("ul.related")).not_to_contain_text("subject-idref")
    # keyboard: the members' nodes are reachable by Tab, after the page's links
    page.locator("svg#graph a.node").first.focus()
    assert page.evaluate("document.activeElement.getAttribute('class')") == "node"


@pytest.fixture
def other_origin(sample_server: str) -> Iterator[str]:
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Portail de test</title></head><body><h1>Portail d'une bibliothèque</h1>
<script src="{sample_server}/widget.js" defer></script>
<collex-search network="mondes-orientaux" limit="3"></collex-search>
</body></html>""".encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_widget_works_from_another_origin(browser: Browser, other_origin: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(other_origin)
    widget = page.locator("collex-search")
    expect(widget.locator("[role=status]")).to_have_text("4 collections")  # CollEx members
    expect(widget.locator("ol li")).to_have_count(3)
    widget.locator("input").fill("persan")
    widget.locator("button").click()
    expect(widget.locator("[role=status]")).to_have_text("1 collection")
    expect(widget.locator("ol li a")).to_have_text("Fonds persan de l'École des langues orientales")
    assert errors == []


@pytest.mark.shared
def test_the_component_tree_unfolds_lazily(browser: Browser, fa_server: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/components" in r.url else None)
    page.goto(fa_server + "/id/collection/FRAD085_6Fi")
    expect(page.locator("h2", has_text="Plan de classement")).to_contain_text(
        "3\u202f171 composantes")  # French: a narrow no-break space between thousands
    first = page.locator("#tree > ul > li").first
    expect(first).to_be_visible()
    assert len(fetched) == 1  # only the top of the tree
    toggle = page.locator("#tree button.toggle").first
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#tree ul ul li").first).to_be_visible()
    assert len(fetched) == 2
    assert errors == []


@pytest.mark.parametrize("facet,value", [("network", "mondes-orientaux"),
                                         ("institution", "FR-751052116"),
                                         ("discipline", "medecine")])
def test_short_facet_urls_give_the_api_counts_in_the_browser(
        browser: Browser, sample_server: str, facet: str, value: str) -> None:
    import httpx

    total = httpx.get(sample_server + "/api/collections", params={facet: value}).json()["total"]
    assert total > 0
    page = browser.new_page()
    page.goto(sample_server + f"/search?{facet}={value}")
    expect(page.locator("#results-title")).to_have_text(
        f"{total} collection{'s' if total != 1 else ''}")
    expect(page.locator("ol.results > li")).to_have_count(total)
    active = page.locator(f"a.facet.active[data-facet={facet}]")
    expect(active).to_have_count(1)
    everything = httpx.get(sample_server + "/api/collections").json()["total"]
    active.click()  # the filter removed: every collection again
    expect(page.locator("#results-title")).to_have_text(f"{everything} collections")
    page.close()
