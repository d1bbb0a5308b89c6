"""Linked-data conventions (issue #15, part 4): what RDF clients ask for, suffix URLs, Link
headers and <link> tags, compact JSON-LD with a published context, the VoID dataset IRI,
robots.txt, sitemaps, favicon."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from collex.settings import Settings
from tests.conftest import COLLEX, SAMPLE

KEY = "FR-751052105-0003"
PATH = f"/id/collection/{KEY}"


def test_rdflib_parses_a_collection_iri_in_every_form(sample_server: str) -> None:
    url = sample_server + PATH
    graphs = {fmt: Graph().parse(url, format=fmt)
              for fmt in ("nt", "n3", "turtle", "json-ld", "xml")}
    reference = graphs["turtle"]
    assert len(reference) > 10
    for fmt, graph in graphs.items():
        assert isomorphic(graph, reference), fmt


def test_suffix_urls_give_one_form_each(sample_server: str) -> None:
    expected = {".ttl": "text/turtle", ".nt": "application/n-triples",
                ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml"}
    forms = {}
    for suffix, media in expected.items():
        answer = httpx.get(sample_server + PATH + suffix, headers={"Accept": "text/html"})
        assert answer.status_code == 200, suffix
        assert answer.headers["content-type"].startswith(media), suffix
        forms[suffix] = Graph().parse(data=answer.text, format={
            ".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}[suffix],
            publicID=sample_server + PATH) if suffix != ".jsonld" else None
    assert isomorphic(forms[".ttl"], forms[".nt"]) and isomorphic(forms[".nt"], forms[".rdf"])
    assert httpx.get(sample_server + "/id/collection/NOWHERE.ttl").status_code == 404


def test_link_headers_and_tags_name_the_forms(sample_server: str) -> None:
    turtle = httpx.get(sample_server + PATH, headers={"Accept": "text/turtle"})
    link = turtle.headers["link"]
    assert 'rel="canonical"' in link and KEY in link
    for suffix, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
                          (".rdf", "application/rdf+xml"), (".nt", "application/n-triples")):
        assert f'<{PATH}{suffix}>; rel="alternate"; type="{media}"' in link
    html = httpx.get(sample_server + PATH, headers={"Accept": "text/html"})
    assert html.headers["link"] == link
    assert f'<link rel="alternate" type="text/turtle" href="{PATH}.ttl">' in html.text
    assert re.search(rf'<link rel="canonical" href="http://127\.0\.0\.1:\d+{PATH}">', html.text)
    assert '<link rel="icon" href="/static/favicon.svg"' in html.text


def test_json_ld_is_compact_with_a_published_context(sample_server: str) -> None:
    answer = httpx.get(sample_server + PATH, headers={"Accept": "application/ld+json"}).json()
    assert answer["@context"] == sample_server + "/ns/context-v1.jsonld"
    text = str(answer)
    assert "dcterms:title" in text and "http://purl.org/dc/terms/title" not in text
    context = httpx.get(sample_server + "/ns/context-v1.jsonld")
    assert context.headers["content-type"].startswith("application/ld+json")
    assert context.json()["@context"]["dcterms"] == "http://purl.org/dc/terms/"


def test_the_void_dataset_iri_dereferences(sample_server: str) -> None:
    """The dataset is {COLLEX_BASE_IRI}void: its path answers its description."""
    for _ in range(120):  # whole once its counts are computed (before: without them)
        answer = httpx.get(sample_server + "/void", headers={"Accept": "text/turtle"})
        if "no-store" not in answer.headers.get("cache-control", ""):
            break
        time.sleep(0.5)
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format="turtle")
    dataset = URIRef("http://127.0.0.1:8000/void")  # the sample's base IRI
    assert (dataset, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in graph
    well_known = httpx.get(sample_server + "/.well-known/void",
                           headers={"Accept": "text/turtle"}).text
    assert isomorphic(graph, Graph().parse(data=well_known, format="turtle"))


def test_robots_sitemaps_and_favicon(sample_server: str) -> None:
    robots = httpx.get(sample_server + "/robots.txt").text
    assert f"Sitemap: {sample_server}/sitemap.xml" in robots and "Disallow: /sparql" in robots
    index = httpx.get(sample_server + "/sitemap.xml")
    assert index.headers["content-type"].startswith("application/xml")
    maps = re.findall(r"<loc>([^<]+)</loc>", index.text)
    assert maps == [f"{sample_server}/sitemaps/site.xml",
                    f"{sample_server}/sitemaps/collections-1.xml"]
    collections = httpx.get(maps[1]).text
    locs = re.findall(r"<loc>([^<]+)</loc>", collections)
    count = httpx.get(sample_server + "/sparql", params={
        "query": "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <http://purl.org/dc/dcmitype/"
                 "Collection> }"}, headers={"Accept": "application/sparql-results+json"}
                      ).json()["results"]["bindings"][0]["n"]["value"]
    assert len(locs) == len(set(locs)) == int(count) and len(locs) >= 20
    assert collections.count("<lastmod>") == len(locs)
    site = httpx.get(maps[0]).text
    assert f"<loc>{sample_server}/search</loc>" in site and "/id/network/" in site
    assert f"<loc>{sample_server}/map</loc>" in site
    assert httpx.get(sample_server + "/sitemaps/collections-9.xml").status_code == 404
    icon = httpx.get(sample_server + "/favicon.ico")
    assert icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00" and len(icon.content) > 4000
    assert httpx.get(sample_server + "/static/favicon.svg").status_code == 200


def test_sitemaps_are_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import create_app
    from api.routes import site

    store = tmp_path / "store"
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], check=True, capture_output=True,
                   env={"COLLEX_STORE_DIR": str(store), "PATH": "/usr/bin:/bin"})
    monkeypatch.setattr(site, "PAGE", 6)
    with TestClient(create_app(Settings(store_dir=store))) as client:
        maps = re.findall(r"<loc>[^<]*/sitemaps/(collections-\d+)\.xml</loc>",
                          client.get("/sitemap.xml").text)
        assert len(maps) == 4  # 21 collections, 6 a page
        locs = [loc for name in maps for loc in re.findall(
            r"<loc>([^<]+)</loc>", client.get(f"/sitemaps/{name}.xml").text)]
    assert len(locs) == len(set(locs)) == 21
