"""The web application, served for real by `collex serve`, and in-process for error paths."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from collex.settings import Settings
from tests.conftest import ServerFactory


@pytest.fixture
def server(serve: ServerFactory) -> str:
    return serve()


def test_served_home_page_lists_the_sample(server: str) -> None:
    page = httpx.get(server + "/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    text = html.unescape(page.text)
    # the front door: a search box, networks, disciplines, institutions with counts
    assert 'action="/search"' in page.text and 'name="q"' in page.text
    networks = httpx.get(server + "/api/networks").json()
    assert networks
    for n in networks:
        assert f'<a href="/id/network/{n["id"]}">{n["name"]}</a>' in text
        members = f'{n["members"]} membre{"s" if n["members"] != 1 else ""}'
        assert members in text
    facets = httpx.get(server + "/api/collections", params={"limit": 1}).json()["facets"]
    for facet in ("discipline", "institution"):
        for value in facets[facet]:
            # short forms in the links: a discipline code, an ISIL
            link = "/search?" + urlencode({facet: value["value"].rsplit("/", 1)[-1]})
            assert f'<a href="{link}">{value["label"]}</a> <span class="count">' \
                   f'{value["count"]}</span>' in text, value
    assert "Bibliothèque nationale et universitaire de Strasbourg" in page.text
    # the operators' table moved to /status
    table = httpx.get(server + "/status")
    assert table.status_code == 200 and "Fonds Gaston Paris" in table.text
    status = httpx.get(server + "/api/status").json()
    assert sum(1 for s in status["sources"] if s["collection"]) == 21
    assert sum(1 for s in status["sources"] if s["format"].startswith("UNIMARC")) == 5
    assert status["classes"]["http://purl.org/dc/dcmitype/Collection"] == 21
    assert httpx.get(server + "/openapi.json").json()["paths"]["/api/status"]["get"]["summary"]


def test_cors_is_open_without_credentials(server: str) -> None:
    r = httpx.get(server + "/api/status", headers={"Origin": "https://portal.example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


def test_unexpected_errors_never_leak_a_traceback(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/boom")
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error", "detail": "unexpected server error"}


def test_empty_store_home_page_says_how_to_load(tmp_path: Path) -> None:
    client = TestClient(create_app(Settings(store_dir=tmp_path / "store")))
    assert "collex load data/sample" in client.get("/").text
    assert "collex load data/sample" in client.get("/status").text


def test_errors_are_pages_for_browsers_and_json_for_clients(server: str) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    for path, status in (("/nowhere", 404), ("/id/collection/NOWHERE", 404),
                         ("/api/collections?limit=1000", 400)):
        page = httpx.get(server + path, headers=browser)
        assert page.status_code == status, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert '<nav aria-label="Navigation principale">' in page.text
        assert f"({status})" in page.text and 'action="/search"' in page.text
        answer = httpx.get(server + path)
        assert answer.status_code == status
        assert answer.json()["error"] in ("not_found", "invalid_input") and answer.json()[
            "detail"], path
    assert httpx.post(server + "/api/status").json()["error"] == "method_not_allowed"


def test_read_routes_get_a_read_only_handle(tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    app = create_app(settings)
    reader = app.state.reader
    assert not hasattr(reader, "replace_graphs") and not hasattr(reader, "restore")


def test_collection_iri_dereferences_by_content_negotiation(server: str) -> None:
    status = httpx.get(server + "/api/status").json()
    iri = next(s["collection"] for s in status["sources"]
               if s["collection"] and "0001" in s["collection"])
    assert iri.startswith("http://127.0.0.1:8000/id/collection/")
    path = iri.removeprefix("http://127.0.0.1:8000")
    turtle = httpx.get(server + path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS

    g = Graph().parse(data=turtle.text, format="turtle")
    assert str(g.value(URIRef(iri), DCTERMS.title)).startswith("Fonds Gaston Paris")
    assert any("#period-1" in str(s) for s in g.subjects())
    html = httpx.get(server + path, headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "Gaston Paris" in html.text
    nt = httpx.get(server + path, headers={"Accept": "text/html;q=0.5, application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    missing = httpx.get(server + "/id/collection/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_collection_page_shows_idref_links_with_their_labels(server: str) -> None:
    page = httpx.get(server + "/id/collection/calames-751052116-0001",
                     headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert ('<a href="/agents/027058352" class="tag idref">Paris, Gaston (1839-1903)</a>'
            in page.text)
    person = httpx.get(server + "/agents/027058352")
    assert "http://www.idref.fr/027058352/id" in person.text
