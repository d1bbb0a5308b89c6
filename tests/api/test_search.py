"""Search API: accent-insensitive full text, facets equal to SPARQL counts, paging, exports."""

from __future__ import annotations

import base64
import csv
import io
import sqlite3
import unicodedata
from pathlib import Path

import httpx
import pytest

from graph.search import Document, SqliteSearchIndex
from tests.conftest import THREE_BACKENDS


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _sparql(base: str, query: str) -> list[dict[str, dict[str, str]]]:
    r = httpx.post(base + "/sparql", data={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return list(r.json()["results"]["bindings"])


@THREE_BACKENDS
def test_ecole_finds_ecole(sample_server: str) -> None:
    r = httpx.get(sample_server + "/api/collections", params={"q": "ecole", "limit": 100})
    assert r.status_code == 200
    found = {i["id"] for i in r.json()["items"]}
    with_title = {b["c"]["value"] for b in _sparql(sample_server, """
        SELECT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> ;
          <http://purl.org/dc/terms/title> ?t FILTER(CONTAINS(?t, "École")) }""")}
    assert with_title and with_title <= found
    anywhere = {b["c"]["value"] for b in _sparql(sample_server, """
        SELECT DISTINCT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> ; ?p ?t .
          FILTER(isLiteral(?t) && CONTAINS(LCASE(STR(?t)), "école")) }""")}
    assert anywhere <= found
    assert r.json()["total"] == len(found)
    upper = httpx.get(sample_server + "/api/collections", params={"q": "ÉCOLE"}).json()
    assert upper["total"] == r.json()["total"]


@pytest.mark.parametrize(("facet", "pattern"), [
    ("institution", "?c <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> ?v"),
    ("discipline", "?c <https://w3id.org/collex/def#discipline> ?v"),
    ("network", "?v <https://w3id.org/collex/def#hasMember> ?c ."
                " ?v a <https://w3id.org/collex/def#ThematicNetwork>"),
    ("language", "?c <http://purl.org/dc/terms/language> ?v"),
    ("subject", "?c <http://purl.org/dc/terms/subject> ?v ."
                " ?v a <http://www.w3.org/2004/02/skos/core#Concept>"),
])
@THREE_BACKENDS
def test_facet_counts_equal_sparql_counts(sample_server: str, facet: str, pattern: str) -> None:
    page = httpx.get(sample_server + "/api/collections", params={"limit": 1}).json()
    facets = {v["value"]: v["count"] for v in page["facets"][facet]}
    rows = _sparql(sample_server, f"""
        SELECT ?v (COUNT(DISTINCT ?c) AS ?n) WHERE {{
          ?c a <http://purl.org/dc/dcmitype/Collection> . {pattern} }}
        GROUP BY ?v ORDER BY DESC(?n) ?v""")
    expected = {b["v"]["value"]: int(b["n"]["value"]) for b in rows}
    # the facet lists the 20 most frequent values
    for value, count in facets.items():
        assert expected[value] == count, (facet, value)
    assert len(facets) == min(20, len(expected))


@THREE_BACKENDS
def test_filtered_facets_match_sparql(sample_server: str) -> None:
    inst = "http://127.0.0.1:8000/id/institution/FR-751132101"
    page = httpx.get(sample_server + "/api/collections",
                     params={"institution": inst, "q": "manuscrits"}).json()
    rows = _sparql(sample_server, f"""
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ ?c a <http://purl.org/dc/dcmitype/Collection>;
          <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> <{inst}> ;
          <http://purl.org/dc/terms/title> ?t FILTER(CONTAINS(LCASE(?t), "manuscrits")) }}""")
    assert page["total"] >= int(rows[0]["n"]["value"]) > 0
    assert {v["value"] for v in page["facets"]["institution"]} == {inst}
    short = httpx.get(sample_server + "/api/collections",
                      params={"institution": "FR-751132101", "q": "manuscrits"}).json()
    assert short["total"] == page["total"]


@THREE_BACKENDS
def test_paging_cursor_sort_and_cap(sample_server: str) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 5, "sort": "title"}
    while True:
        page = httpx.get(sample_server + "/api/collections", params=params).json()
        seen += [i["id"] for i in page["items"]]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 21
    titles = [i["title"] for i in httpx.get(sample_server + "/api/collections",
                                            params={"sort": "title", "limit": 100}).json()["items"]]
    assert [_fold(t) for t in titles] == sorted(_fold(t) for t in titles)
    assert httpx.get(sample_server + "/api/collections", params={"limit": 101}).status_code == 400
    assert httpx.get(sample_server + "/api/collections", params={"cursor": "!!"}).status_code == 400


@pytest.mark.parametrize("payload", ['{"o": Infinity}', '{"o": 1e400}', '{"o": NaN}',
                                     '{"o": 1.5}', '{"o": true}', '{"o": -1}', '[1]',
                                     '{"o": 99999999999999999999999}', "[" * 5_000])
@THREE_BACKENDS
def test_a_forged_cursor_is_a_400(sample_server: str, payload: str) -> None:
    cursor = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    r = httpx.get(sample_server + "/api/collections", params={"cursor": cursor})
    assert r.status_code == 400 and "cursor" in r.text


@THREE_BACKENDS
def test_csv_and_jsonld_exports(sample_server: str) -> None:
    r = httpx.get(sample_server + "/api/collections", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 21 and rows[0]["iri"].startswith("http://127.0.0.1:8000/id/collection/")
    ld = httpx.get(sample_server + "/api/collections", params={"format": "jsonld", "q": "ecole"})
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert ld.json()["@type"] == "ItemList" and ld.json()["itemListElement"][0]["item"]["name"]


@THREE_BACKENDS
def test_entity_api(sample_server: str) -> None:
    net = httpx.get(sample_server + "/api/networks/mondes-orientaux").json()
    assert net["members"] == 5 and len(net["nodes"]) == 5
    assert {n["role"] for n in net["nodes"]} == {"collex", "third-party"}
    assert all(e["source"] in {n["id"] for n in net["nodes"]} for e in net["edges"])
    assert any(n["external"] for n in net["nodes"])
    coll = httpx.get(sample_server + "/api/collections/calames-751052116-0001").json()
    assert coll["holder"]["label"] == "Bibliothèque de l'École nationale des chartes"
    assert any(s["idref"] for s in coll["creators"])
    assert coll["related"] and coll["related"][0]["why"]
    # in words too: "Partagent la personne ou collectivité « Paris, Gaston (1839-1903) » ..."
    assert coll["related"][0]["reason"].startswith("Partagent ")
    assert "« Paris, Gaston (1839-1903) »" in coll["related"][0]["reason"]
    inst = httpx.get(sample_server + "/api/institutions/FR-751052116").json()
    assert inst["collections"] == 3 and inst["latitude"] == pytest.approx(48.8487)
    subj = httpx.get(sample_server + "/api/subjects/027732428").json()
    assert subj["label"] == "Géopolitique" and len(subj["collections"]) >= 5
    agent = httpx.get(sample_server + "/api/agents/027058352").json()
    assert agent["variants"]
    # the collections citing him (subject, creator, place, provenance), as SPARQL counts them
    cited = httpx.post(sample_server + "/sparql", data={"query": """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?c a <http://purl.org/dc/dcmitype/Collection> ;
             <http://purl.org/dc/terms/subject>|<http://purl.org/dc/terms/creator>|
             <http://purl.org/dc/terms/spatial>|
             <https://www.ica.org/standards/RiC/ontology#hasOrganicProvenance>
             <http://www.idref.fr/027058352/id> }"""},
        headers={"Accept": "application/sparql-results+json"}).json()
    n = int(cited["results"]["bindings"][0]["n"]["value"])
    assert len(agent["collections"]) == n >= 1
    assert httpx.get(sample_server + "/api/agents/027058351").status_code == 400
    assert httpx.get(sample_server + "/api/networks/none").status_code == 404


@THREE_BACKENDS
def test_pages_embed_schema_org(sample_server: str) -> None:
    import json
    import re

    for path in ("/search?q=ecole", "/id/collection/calames-751052116-0001",
                 "/id/network/mondes-orientaux", "/id/institution/FR-751052116",
                 "/subjects/027732428", "/agents/027058352", "/networks", "/institutions",
                 "/widget/example"):
        r = httpx.get(sample_server + path, headers={"Accept": "text/html"})
        assert r.status_code == 200, path
        assert '<html lang="fr">' in r.text
        if path != "/widget/example":
            m = re.search(r'<script type="application/ld\+json">(.*?)</script>', r.text, re.S)
            assert m, path
            assert json.loads(m.group(1))["@context"] == "https://schema.org/"


@THREE_BACKENDS
def test_a_person_named_only_in_a_component_finds_the_fonds(sample_server: str) -> None:
    # "Bédier, Joseph" is an access point of one file of the Gaston Paris fonds only
    r = httpx.get(sample_server + "/api/collections", params={"q": "bedier"})
    assert r.status_code == 200
    keys = [i["key"] for i in r.json()["items"]]
    assert "calames-751052116-0001" in keys
    # the snippet names the component, and leads to it (its permalink, the tree open there)
    item = next(i for i in r.json()["items"] if i["key"] == "calames-751052116-0001")
    component = next(m for m in item["matches"] if m["field"] == "components")
    assert component["component"] == "p-1.2" and "Bédier" in component["text"]
    page = httpx.get(sample_server + "/search", params={"q": "bedier"}).text
    assert 'href="/id/collection/calames-751052116-0001/c/p-1.2"' in page
    assert 'href="/id/collection/calames-751052116-0001?open=p-1.2#tree"' in page
    tree = httpx.get(sample_server + "/api/collections/calames-751052116-0001/components")
    assert tree.status_code == 200
    top = tree.json()
    assert top["total"] == 2 and [i["children"] for i in top["items"]] == [3, 2]
    first = httpx.get(sample_server + "/api/collections/calames-751052116-0001/components",
                      params={"parent": top["items"][0]["key"]}).json()
    assert [i["title"] for i in first["items"]][:2] == ["Lettres de Paul Meyer",
                                                       "Lettres de Joseph Bédier"]
    detail = httpx.get(sample_server + "/api/collections/calames-751052116-0001").json()
    assert detail["components"] == 7


def _ids(base: str, q: str) -> set[str]:
    r = httpx.get(base + "/api/collections", params={"q": q, "limit": 100})
    assert r.status_code == 200, r.text
    return {i["id"] for i in r.json()["items"]}


@THREE_BACKENDS
def test_french_words_match_their_forms(sample_server: str) -> None:
    # singular and plural, elided articles, accents and case: one word for the search
    manuscrits = _ids(sample_server, "manuscrits")
    assert manuscrits and _ids(sample_server, "manuscrit") == manuscrits
    assert _ids(sample_server, "MANUSCRIT") == manuscrits
    archives = {b["c"]["value"] for b in _sparql(sample_server, """
        SELECT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> ;
          <http://purl.org/dc/terms/title> ?t FILTER(STRSTARTS(?t, "Archives")) }""")}
    assert archives and archives <= _ids(sample_server, "archive")
    ecole = _ids(sample_server, "école")
    assert ecole and _ids(sample_server, "l'école") == ecole == _ids(sample_server, "l’ecole")
    assert _ids(sample_server, "manus*") == manuscrits  # prefixes still work


@THREE_BACKENDS
def test_results_say_why_they_matched(sample_server: str) -> None:
    found = httpx.get(sample_server + "/api/collections", params={"q": "manuscrit"}).json()
    first = found["items"][0]
    assert first["matches"], first
    for m in first["matches"]:
        words = [m["text"][a:b] for a, b in m["highlights"]]
        assert words and all(w.lower().startswith("manuscrit") for w in words), m
    # a person named only in a component: the snippet names the component
    bedier = httpx.get(sample_server + "/api/collections", params={"q": "joseph bedier"}).json()
    item = bedier["items"][0]
    assert item["key"] == "calames-751052116-0001" and item["component_matches"] == 1
    component = next(m for m in item["matches"] if m["field"] == "components")
    assert component["text"].startswith("Lettres de Joseph Bédier")
    assert [component["text"][a:b] for a, b in component["highlights"]][:2] == [
        "Joseph", "Bédier"]
    # no words, no snippets
    browse = httpx.get(sample_server + "/api/collections").json()
    assert all(i["matches"] == [] and i["component_matches"] == 0 for i in browse["items"])
    page = httpx.get(sample_server + "/search", params={"q": "joseph bedier"}).text
    assert "<mark>Bédier</mark>" in page and "1 composante du fonds contient ces mots" in page


def test_an_index_of_an_older_layout_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "store.search.sqlite"
    con = sqlite3.connect(path)  # the layout before French analysis: no schema key
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('version', 'v1')")
    con.commit()
    con.close()
    index = SqliteSearchIndex(path)
    assert index.version() is None  # so ensure() rebuilds it
    index.rebuild([Document("http://x/c", "Manuscrits", {}, {})], version="v1")
    assert index.version() == "v1"
    assert index.search("manuscrit", {}).total == 1


@THREE_BACKENDS
def test_search_pages_take_and_give_short_facet_urls(sample_server: str) -> None:
    for facet, short in (("network", "mondes-orientaux"), ("institution", "FR-751132101"),
                         ("discipline", "philologie")):
        api = httpx.get(sample_server + "/api/collections", params={facet: short}).json()
        assert api["total"] > 0, facet
        page = httpx.get(sample_server + "/search", params={facet: short}).text
        count = f'{api["total"]} collection{"s" if api["total"] != 1 else ""}</h2>'
        assert count in page, facet  # the same count as the API
        assert f'class="facet active" data-facet="{facet}" href="/search"' in page, facet
    page = httpx.get(sample_server + "/search").text
    assert "network=mondes-orientaux" in page and "id%2Fnetwork" not in page
