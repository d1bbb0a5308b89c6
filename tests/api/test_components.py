"""The component tree over HTTP: counts, lazy pages, and search by what only a component names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

pytestmark = pytest.mark.shared
PREFIXES = ("PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>\n"
            "PREFIX collex: <https://w3id.org/collex/def#>\n")


def test_the_whole_tree_is_read_page_by_page(fa_server: str) -> None:
    detail = httpx.get(fa_server + "/api/collections/FRAD085_6Fi").json()
    assert detail["components"] == 3171
    seen, requests, largest = 0, 0, 0
    todo: list[str | None] = [None]
    with httpx.Client(base_url=fa_server, timeout=30) as client:
        while todo:
            parent = todo.pop()
            offset = 0
            while True:
                params: dict[str, str | int] = {"limit": 200, "offset": offset}
                if parent:
                    params["parent"] = parent
                r = client.get("/api/collections/FRAD085_6Fi/components", params=params)
                requests += 1
                assert r.status_code == 200, r.text
                largest = max(largest, len(r.content))
                page = r.json()
                orders = [i["order"] for i in page["items"]]
                assert orders == sorted(orders)
                seen += len(page["items"])
                todo.extend(i["key"] for i in page["items"] if i["children"])
                offset += len(page["items"])
                if offset >= page["total"] or not page["items"]:
                    break
    assert seen == 3171
    assert largest < 200_000  # pages, never the 3 MB tree in one answer


def test_unknown_parent_and_bad_keys(fa_server: str) -> None:
    base = fa_server + "/api/collections/FRAD085_6Fi/components"
    assert httpx.get(base, params={"parent": "no-such"}).status_code == 404
    assert httpx.get(fa_server + "/api/collections/nope/components").status_code == 404
    assert httpx.get(base, params={"limit": 500}).status_code == 400


def test_a_person_named_only_in_a_component_finds_the_fonds(fa_server: str,
                                                             shared: Path) -> None:
    path = shared / "samples" / "francearchives" / "ir_data" / "FRAD084_IR0000412.xml"
    root = etree.parse(str(path), etree.XMLParser(load_dtd=False, no_network=True)).getroot()

    def in_component(el: etree._Element) -> bool:
        return any(etree.QName(a).localname in {"c", "c01", "c02", "c03"}
                   for a in el.iterancestors())

    persnames = [p for p in root.iter(etree.Element) if etree.QName(p).localname == "persname"]
    top = {" ".join((p.text or "").split()) for p in persnames if not in_component(p)}
    inner = [" ".join((p.text or "").split()) for p in persnames if in_component(p)]
    name = next(n for n in inner if n and n not in top and "," in n)
    surname = name.split(",")[0]
    r = httpx.get(fa_server + "/api/collections", params={"q": surname})
    assert r.status_code == 200
    ids = [i["id"] for i in r.json()["items"]]
    assert "http://127.0.0.1:8000/id/collection/FRAD084_IR0000412" in ids, (surname, ids)


def test_a_component_dereferences(fa_server: str) -> None:
    r = httpx.get(fa_server + "/id/collection/FRAD085_6Fi/c/de-355",
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert "isOrWasIncludedIn" in r.text and "1 Num 1/67-18" in r.text


def _literals(server: str, iri: str) -> list[str]:
    r = httpx.post(server + "/sparql", data={"query": f"SELECT ?o WHERE {{ <{iri}> ?p ?o "
                                             "FILTER(isLiteral(?o)) }"},
                   headers={"Accept": "application/sparql-results+json"})
    return [b["o"]["value"] for b in r.json()["results"]["bindings"]]


def test_a_component_page_shows_its_whole_description(fa_server: str) -> None:
    """Every literal a component carries (shelfmark, dates, notes, locations...) is on its
    permalink page, digital objects are links, and its ancestors lead up to the fonds."""
    rows = httpx.post(fa_server + "/sparql", data={"query": PREFIXES + """
        SELECT ?x (COUNT(?o) AS ?n) WHERE { ?x rico:isOrWasIncludedIn ?up ; ?p ?o .
          ?x collex:digitalObject|collex:iiifManifest ?d .
          FILTER(isLiteral(?o)) } GROUP BY ?x ORDER BY DESC(?n) ?x LIMIT 3"""},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert rows, "the real finding aids have components with digital objects"
    import html as html_lib

    for row in rows:
        iri = row["x"]["value"]
        path = iri.split("/id/", 1)[1]
        page = httpx.get(fa_server + "/id/" + path, headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        text = html_lib.unescape(page.text)
        for value in _literals(fa_server, iri):
            if value.isdigit() and len(value) < 4:  # collex:order, not shown as such
                continue
            assert value in text, (iri, value)
        key, ckey = path.removeprefix("collection/").split("/c/", 1)
        data = httpx.get(f"{fa_server}/api/collections/{key}/components/{ckey}").json()
        assert data["collection"]["iri"].endswith("/id/collection/" + key)
        assert all(a["iri"] in page.text for a in data["ancestors"])
        objects = httpx.post(fa_server + "/sparql", data={"query": PREFIXES + f"""
            SELECT ?d WHERE {{ <{iri}> collex:digitalObject|collex:iiifManifest ?d }}"""},
            headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        for d in objects:
            assert f'href="{html_lib.escape(d["d"]["value"])}"' in page.text, d


def test_component_api_and_errors(fa_server: str) -> None:
    one = httpx.get(fa_server + "/api/collections/FRAD085_6Fi/components/de-355")
    assert one.status_code == 200
    data = one.json()
    assert data["identifier"] == "1 Num 1/67-18" and data["id"].endswith("/c/de-355")
    listing = httpx.get(fa_server + "/api/collections/FRAD085_6Fi/components",
                        params={"parent": data["ancestors"][-1]["iri"].rsplit("/c/", 1)[1]
                                if data["ancestors"] else None}).json()
    assert "access_points" in listing["items"][0] and "digital_objects" in listing["items"][0]
    for path, status in [("/api/collections/FRAD085_6Fi/components/nope", 404),
                         ("/api/collections/nope/components/de-355", 404),
                         ("/api/collections/FRAD085_6Fi/components/a%20b", 400),
                         ("/id/collection/FRAD085_6Fi/c/nope", 404)]:
        assert httpx.get(fa_server + path).status_code == status, path


def test_a_collection_page_shows_every_element_of_its_notice(fa_server: str) -> None:
    import html as html_lib

    rows = httpx.post(fa_server + "/sparql", data={"query": """
        SELECT DISTINCT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> }"""},
        headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert len(rows) >= 5
    for row in rows:
        iri = row["c"]["value"]
        page = httpx.get(fa_server + "/id/" + iri.split("/id/", 1)[1],
                         headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        text = html_lib.unescape(page.text)
        for value in _literals(fa_server, iri):
            if value.isdigit():  # collex:componentCount, in the tree's heading
                continue
            assert value in text, (iri, value)
