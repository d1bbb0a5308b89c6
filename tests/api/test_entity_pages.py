"""Entity pages: persons, bodies, places and subjects with their links and the collections and
components citing them, counted as SPARQL counts them, paged and faceted."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import THREE_BACKENDS

PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
PREFIX collex: <https://w3id.org/collex/def#>
"""
GASTON_PARIS = "http://www.idref.fr/027058352/id"
GEOPOLITIQUE = "http://www.idref.fr/027732428/id"
RELIGIONS_BNF = "http://data.bnf.fr/ark:/12148/cb11963568t#about"


def _count(base: str, query: str) -> int:
    r = httpx.post(base + "/sparql", data={"query": PREFIXES + query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _citing_collections(base: str, entity: str, extra: str = "") -> int:
    """Collections whose description or one of whose components cites the entity, counted
    by the endpoint (written apart from api/entity.py's queries)."""
    return _count(base, f"""SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{
        {{ ?c ?p <{entity}> }} UNION {{ ?x ?p <{entity}> . ?x rico:isOrWasIncludedIn+ ?c }}
        ?c a dcmitype:Collection . {extra}
        FILTER(?p IN (dcterms:subject, dcterms:creator, dcterms:contributor, dcterms:spatial,
                      dcterms:type, rico:hasOrganicProvenance, collex:formerOwner,
                      collex:function, collex:occupation)) }}""")


def _citing_components(base: str, entity: str) -> int:
    return _count(base, f"""SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{
        ?x ?p <{entity}> ; rico:isOrWasIncludedIn ?up .
        FILTER(?p IN (dcterms:subject, dcterms:creator, dcterms:contributor, dcterms:spatial,
                      dcterms:type, rico:hasOrganicProvenance, collex:formerOwner)) }}""")


def _heading(html: str, ident: str) -> str:
    m = re.search(rf'<h2 id="{ident}">(.*?)</h2>', html, re.S)
    assert m, ident
    return re.sub(r"<[^>]+>", "", m.group(1))


@THREE_BACKENDS
def test_a_person_page_lists_the_collections_citing_that_person(sample_server: str) -> None:
    api = httpx.get(sample_server + "/api/entity", params={"iri": GASTON_PARIS}).json()
    expected = _citing_collections(sample_server, GASTON_PARIS)
    assert expected >= 2
    assert api["kind"] == "person" and api["label"].startswith("Paris, Gaston")
    assert api["collections_total"] == expected == len(api["collections"])
    assert api["components_total"] == _citing_components(sample_server, GASTON_PARIS)
    assert {"label": "IdRef", "url": "https://www.idref.fr/027058352"} in api["links"]
    page = httpx.get(sample_server + "/agents/027058352", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert _heading(page.text, "citing-title").startswith(f"{expected} collections")
    assert '<a href="https://www.idref.fr/027058352" class="tag">IdRef</a>' in page.text
    for c in api["collections"]:
        assert f'href="{c["iri"]}"' in page.text
    # the institution facet: counts equal to SPARQL's, and a filter narrows the list
    base = api["collections"][0]["iri"].split("/id/")[0]  # the store's base IRI
    for facet in api["facets"]["institution"]:
        holder = f"<{base}/id/institution/{facet['value']}>"
        assert facet["count"] == _citing_collections(
            sample_server, GASTON_PARIS, f"?c rico:hasOrHadHolder {holder} .")
        narrowed = httpx.get(sample_server + "/api/entity", params={
            "iri": GASTON_PARIS, "institution": facet["value"]}).json()
        assert narrowed["collections_total"] == facet["count"]
    for facet in api["facets"]["network"]:
        net = f"<{base}/id/network/{facet['value']}>"
        assert facet["count"] == _citing_collections(
            sample_server, GASTON_PARIS, f"{net} collex:hasMember ?c .")


@THREE_BACKENDS
def test_a_person_named_only_in_a_component_leads_to_that_component(
        sample_server: str) -> None:
    base = httpx.get(sample_server + "/api/institutions").json()[0]["iri"].split("/id/")[0]
    iri = base + "/id/agent/didot-ambroise-firmin"
    api = httpx.get(sample_server + "/api/entity", params={"iri": iri}).json()
    assert api["collections_total"] == 1 == _citing_collections(sample_server, iri)
    only = api["collections"][0]
    assert only["direct"] is False and only["components"] == 1
    assert api["components_total"] == 1 == _citing_components(sample_server, iri)
    component = api["components"][0]
    assert component["iri"].startswith(only["iri"] + "/c/")
    page = httpx.get(sample_server + "/id/agent/didot-ambroise-firmin",  # our IRI: the page
                     headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h1>Didot, Ambroise Firmin</h1>" in page.text
    assert f'href="{component["iri"]}"' in page.text
    assert len(api["facets"]["institution"]) == 1 and api["facets"]["network"]
    assert _heading(page.text, "components-title").startswith("1 composante")


@THREE_BACKENDS
def test_subject_place_and_bnf_pages(sample_server: str) -> None:
    subject = httpx.get(sample_server + "/subjects/027732428", headers={"Accept": "text/html"})
    assert subject.status_code == 200 and "<h1>Géopolitique</h1>" in subject.text
    n = _citing_collections(sample_server, GEOPOLITIQUE)
    assert _heading(subject.text, "citing-title").startswith(f"{n} collections")
    place = httpx.get(sample_server + "/id/place/constantine-algerie",
                      headers={"Accept": "text/html"})
    assert place.status_code == 200 and "<h1>Constantine (Algérie)</h1>" in place.text
    assert '<p class="meta">Lieu' in place.text
    bnf = httpx.get(sample_server + "/entity", params={"iri": RELIGIONS_BNF})
    assert bnf.status_code == 200 and "<h1>Religions</h1>" in bnf.text
    assert 'class="tag">Catalogue BnF</a>' in bnf.text
    # the collection page sends BnF access points to that page, not off the site
    coll = httpx.get(sample_server + "/id/collection/calames-751132101-0005",
                     headers={"Accept": "text/html"}).text
    assert "/entity?iri=http%3A%2F%2Fdata.bnf.fr%2Fark%3A%2F12148%2Fcb11963568t%23about" in coll


@THREE_BACKENDS
def test_entity_paging_filters_and_errors(sample_server: str) -> None:
    second = httpx.get(sample_server + "/api/entity",
                       params={"iri": GEOPOLITIQUE, "page": 2}).json()
    assert second["page"] == 2 and second["collections"] == [] and \
        second["collections_total"] == _citing_collections(sample_server, GEOPOLITIQUE)
    html = httpx.get(sample_server + "/subjects/027732428",
                     params={"page": 2, "institution": "FR-751052116"}).text
    assert 'rel="prev"' in html and "Retirer le filtre FR-751052116" in html
    for path, status in [("/entity?iri=http://data.bnf.fr/none", 404),
                         ("/entity?iri=not%20an%20iri", 404),
                         ("/agents/027058351", 400),
                         ("/id/agent/didot-ambroise-firmin?page=0", 400),
                         ("/id/agent/didot-ambroise-firmin?network=Bad!", 400),
                         ("/api/entity?iri=" + GASTON_PARIS + "&institution=nope", 400)]:
        r = httpx.get(sample_server + path, headers={"Accept": "text/html"})
        assert r.status_code == status, (path, r.status_code)


@pytest.mark.parametrize("path", ["/agents/027058352", "/subjects/027732428",
                                  "/id/place/constantine-algerie"])
@THREE_BACKENDS
def test_entity_pages_embed_schema_org(sample_server: str, path: str) -> None:
    import json

    page = httpx.get(sample_server + path, headers={"Accept": "text/html"}).text
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert m
    data = json.loads(m.group(1))
    assert data["@context"] == "https://schema.org/" and data["name"]


@THREE_BACKENDS
def test_a_component_permalink_in_the_sample(sample_server: str) -> None:
    key = "calames-751052116-0001"
    page = httpx.get(sample_server + f"/id/collection/{key}/c/p-1.2",
                     headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<h1>Lettres de Joseph Bédier</h1>" in page.text
    crumbs = re.search(r'<nav aria-label="Fil d’Ariane".*?</nav>', page.text, re.S)
    assert crumbs and f"/id/collection/{key}/c/p-1\"" in crumbs.group(0)
    assert "Fonds Gaston Paris" in crumbs.group(0)
    assert re.search(r'<a href="[^"]*/id/agent/bedier-joseph" class="tag">Bédier, Joseph</a>',
                     page.text)
    assert f"/id/collection/{key}?open=p-1.2#tree" in page.text  # "show in the tree"
    listing = httpx.get(sample_server + f"/api/collections/{key}/components",
                        params={"parent": "p-1"}).json()
    bedier = next(i for i in listing["items"] if i["key"] == "p-1.2")
    assert [a["label"] for a in bedier["access_points"]] == ["Bédier, Joseph"]
