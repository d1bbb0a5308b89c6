"""The map of the collections in Chromium: drawn from the server alone (every request to
another host is refused and recorded), counts equal to SPARQL counts, institutions drawn in
their departments, a click on a region opens the search filtered to it, by keyboard too.
(axe and the 360 px check: tests/browser/test_accessibility.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.browser

PREFIXES = """PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
PREFIX collex: <https://w3id.org/collex/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _per_area(base: str, prop: str, extra: str = "") -> dict[str, int]:
    """Collections per region or department of their holder, counted by the endpoint."""
    r = httpx.post(base + "/sparql", data={"query": PREFIXES + f"""
        SELECT ?code (COUNT(DISTINCT ?c) AS ?n) WHERE {{
          ?c a dcmitype:Collection ; rico:hasOrHadHolder ?i . {extra}
          ?i a collex:Institution ; collex:{prop} ?area .
          BIND(REPLACE(STR(?area), "^.*/", "") AS ?code) }} GROUP BY ?code"""},
        headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["code"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


@pytest.fixture
def offline_page(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    """A page that can reach only 127.0.0.1: any other request is aborted and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_local(route: Route) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", only_local)
    yield page, outside
    page.close()


def _areas(page: Page) -> dict[str, int]:
    return {a.get_attribute("data-code") or "": int(a.get_attribute("data-count") or -1)
            for a in page.locator("svg.map a.area").all()}


def test_the_map_counts_regions_as_sparql_does(offline_page: tuple[Page, list[str]],
                                               sample_server: str) -> None:
    page, outside = offline_page
    page.goto(sample_server + "/map")
    expect(page.locator("svg.map a.area")).to_have_count(18)  # the 18 regions
    expect(page.locator("svg.map path[class^=s]:not(.zoomed)")).to_have_count(101)
    expect(page.locator("svg.map path.zoomed")).to_have_count(4)  # Paris, inner ring
    shown = {code: n for code, n in _areas(page).items() if n}
    assert shown == _per_area(sample_server, "region") == {"11": 13, "44": 4, "84": 4}
    # the table says the same
    for code, n in shown.items():
        row = page.locator(f"#map-table + .table-wrap tr.region:has(a[href$='region={code}'])")
        expect(row.locator("td").last).to_have_text(str(n))
    assert outside == []


def test_institutions_are_drawn_in_their_departments(offline_page: tuple[Page, list[str]],
                                                     sample_server: str) -> None:
    page, outside = offline_page
    page.goto(sample_server + "/map?by=department")
    expect(page.locator("svg.map a.area")).to_have_count(101)
    assert {c: n for c, n in _areas(page).items() if n} == _per_area(sample_server,
                                                                     "department")
    r = httpx.post(sample_server + "/sparql", data={"query": PREFIXES + """
        SELECT DISTINCT ?i ?code WHERE { ?c rico:hasOrHadHolder ?i . ?i collex:department ?d .
          ?d skos:notation ?code }"""}, headers={"Accept": "application/sparql-results+json"})
    expected = {b["i"]["value"]: b["code"]["value"] for b in r.json()["results"]["bindings"]}
    holders = page.locator("svg.map a.holder")
    assert holders.count() == len(expected) == 6
    for i in range(holders.count()):
        holder = holders.nth(i)
        iri = holder.get_attribute("data-iri")
        # the department drawn under the circle's centre
        under = page.evaluate("""(a) => { const c = a.querySelector('circle');
            const b = c.getBoundingClientRect();
            return document.elementsFromPoint(b.x + b.width / 2, b.y + b.height / 2)
              .map(e => e.closest('a.area')).filter(Boolean).map(e => e.dataset.code)[0]; }""",
                              holder.element_handle())
        assert under == expected[iri], iri
    assert outside == []


def test_a_click_on_a_region_opens_the_search_filtered_to_it(browser: Browser,
                                                            sample_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sample_server + "/map?collex=yes")
    labelled = _per_area(sample_server, "region", "?c collex:hasLabel ?l .")
    area = page.locator("svg.map a.area[data-code='44']")
    assert int(area.get_attribute("data-count") or 0) == labelled["44"]
    area.click()
    expect(page).to_have_url(f"{sample_server}/search?collex=yes&region=44")
    n = labelled["44"]
    expect(page.locator("#results-title")).to_have_text(f"{n} collection{'s' if n != 1 else ''}")
    expect(page.locator("ol.results > li")).to_have_count(n)
    expect(page.locator("a.facet.active[data-facet=region]")).to_have_count(1)
    # by keyboard: the areas are links in the tab order
    page.goto(sample_server + "/map")
    page.locator("svg.map a.area").first.focus()
    first = page.evaluate("document.activeElement.dataset.code")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{sample_server}/search?region={first}")
    page.close()


def test_filters_change_the_counts(browser: Browser, sample_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sample_server + "/map")
    network = page.locator("select[name=network] option").nth(1)
    value = network.get_attribute("value")
    page.select_option("select[name=network]", value)
    page.locator("form.map-filters button").click()
    expect(page).to_have_url(f"{sample_server}/map?discipline=&network={value}&collex="
                             "&by=region")
    members = _per_area(sample_server, "region", f"<http://127.0.0.1:8000/id/network/{value}>"
                                                 " collex:hasMember ?c .")
    assert {c: n for c, n in _areas(page).items() if n} == members
    page.close()


def test_real_archives_without_coordinates_are_named(browser: Browser, fa_server: str) -> None:
    """The Vendée's departmental archives: placed by their service code (FRAD085), no
    coordinates: counted in Pays de la Loire, listed under the map as not drawn."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(fa_server + "/map")
    counts = _per_area(fa_server, "region")
    assert counts.get("52", 0) >= 1
    assert {c: n for c, n in _areas(page).items() if n} == counts
    expect(page.locator("p.note").filter(has_text="Sans coordonnées")).to_contain_text(
        "Vendée")
    page.close()
