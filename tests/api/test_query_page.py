"""The query page and its gallery: every example runs on the sample data."""

from __future__ import annotations

import httpx
import pytest

from api.routes.query_page import GALLERY
from tests.conftest import ServerFactory


@pytest.fixture
def server(serve: ServerFactory) -> str:
    return serve()


def test_page_lists_the_gallery(server: str) -> None:
    page = httpx.get(server + "/query")
    assert page.status_code == 200 and '<html lang="fr">' in page.text
    for ex in GALLERY:
        assert ex.title_fr.replace("'", "&#39;") in page.text
    assert httpx.get(server + "/api/examples").json()[0]["id"] == GALLERY[0].id


@pytest.mark.parametrize("example", GALLERY, ids=[e.id for e in GALLERY])
def test_every_example_runs(server: str, example: object) -> None:
    query = example.query  # type: ignore[attr-defined]
    r = httpx.post(server + "/sparql", data={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"], example.id  # type: ignore[attr-defined]
