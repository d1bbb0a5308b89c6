"""The W3C SPARQL 1.1 Graph Store Protocol tests (indirect and direct identification), read
from ../shared/w3c-sparql11/graph-store-protocol/ and run against the app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from api.app import create_app
from collex.settings import Settings
from tests.api.w3c import ProtocolTest, load_manifest, status_matches
from tests.conftest import SHARED

TOKEN = "gsp-test-token-0123456789abcdef"
FOLDER = SHARED / "w3c-sparql11" / "graph-store-protocol"
TESTS: list[tuple[str, ProtocolTest]] = []
for kind in ("indirect", "direct"):
    if (FOLDER / f"manifest-{kind}.ttl").exists():
        TESTS += [(kind, t) for t in load_manifest(FOLDER / f"manifest-{kind}.ttl")]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(store_dir=tmp_path_factory.mktemp("gsp") / "store",
                        admin_token=TOKEN, rate_limit=10_000, rate_burst=10_000)
    with TestClient(create_app(settings)) as c:
        yield c


def _path(kind: str, path: str) -> str:
    if kind == "direct":
        return path.replace("/gsp/", "/graph/", 1)
    return path.replace("/gsp", "/rdf-graph-store", 1)


@pytest.mark.shared
def test_manifests_are_read(shared: Path) -> None:
    assert len(TESTS) == 13


@pytest.mark.shared
@pytest.mark.parametrize(("kind", "test"), TESTS, ids=[t.name for _, t in TESTS])
def test_w3c_graph_store(kind: str, test: ProtocolTest, client: TestClient,
                         shared: Path) -> None:
    client.app.state.writer.update("DROP ALL")  # type: ignore[attr-defined]
    client.app.state.changes.data_changed()  # type: ignore[attr-defined]
    location = ""
    for req in test.requests:
        path = _path(kind, req.path.replace("$LOCATION$", location))
        body = req.body.replace(b"$LOCATION$", location.encode()) if req.body else req.body
        headers = {**req.headers, "Authorization": f"Bearer {TOKEN}"}
        resp = client.request(req.method, path, headers=headers, content=body)
        assert status_matches(resp.status_code, req.expected_status), (
            f"{test.name}: {req.method} {path} -> {resp.status_code} {resp.text[:300]}")
        if req.expected_location:
            location = resp.headers["location"]
        if req.expected_content_type and req.method != "HEAD":
            assert resp.headers["content-type"].split(";")[0] == (
                req.expected_content_type.split(";")[0])
        if req.expected_body and req.method == "GET":
            expected = Graph().parse(data=req.expected_body, format="turtle")
            got = Graph().parse(data=resp.text, format="turtle")
            assert isomorphic(expected, got), resp.text
