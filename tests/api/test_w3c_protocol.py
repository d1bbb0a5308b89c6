"""The W3C SPARQL 1.1 Protocol test suite, read from ../shared/w3c-sparql11/protocol/manifest.ttl
and run against the app (real query worker processes, in-process HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from rdflib import Graph

from api.app import create_app
from collex.settings import Settings
from tests.api.w3c import ProtocolTest, load_manifest, status_matches
from tests.conftest import SHARED, remote_store, serving

TOKEN = "w3c-test-token-0123456789abcdef"
MANIFEST = SHARED / "w3c-sparql11" / "protocol" / "manifest.ttl"
TESTS = load_manifest(MANIFEST) if MANIFEST.exists() else []
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/n-quads": "nquads",
             "application/trig": "trig"}


@pytest.fixture(scope="module", params=["embedded", "remote", "virtuoso"])
def client(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """The app on each backend: in process on the embedded store; a real `collex serve`
    on `oxigraph serve` and on Virtuoso."""
    tmp = tmp_path_factory.mktemp("w3c")
    if request.param == "embedded":
        settings = Settings(store_dir=tmp / "store", admin_token=TOKEN, rate_limit=10_000,
                            rate_burst=10_000)
        with TestClient(create_app(settings)) as c:
            yield c
        return
    with remote_store(request.param, tmp) as env, \
            serving(tmp / "store", {**env, "COLLEX_ADMIN_TOKEN": TOKEN}) as url, \
            httpx.Client(base_url=url, timeout=30) as c:
        yield c


def _boolean(resp: Response) -> bool:
    ctype = resp.headers["content-type"].split(";")[0]
    text = resp.text
    if ctype in ("application/sparql-results+json", "application/json"):
        return bool(json.loads(text)["boolean"])
    if "xml" in ctype:
        return "<boolean>true</boolean>" in text
    return text.strip().splitlines()[-1].strip() == "true"


def _check_format(resp: Response, fmt: str) -> None:
    ctype = resp.headers["content-type"].split(";")[0].strip()
    if fmt == "boolean":
        assert ctype in TABULAR, ctype
        _boolean(resp)
    elif fmt == "tabular":
        assert ctype in TABULAR, ctype
    elif fmt == "RDF":
        assert ctype in RDF_TYPES, ctype
        Graph().parse(data=resp.text, format=RDF_TYPES[ctype])


def _reset(client: httpx.Client, test: ProtocolTest) -> None:
    if not isinstance(client, TestClient):  # a served app: through its own endpoint
        updates = ["DROP ALL"] + [
            f"INSERT DATA {{ GRAPH <{graph}> {{ "
            f"{(MANIFEST.parent / path.name).read_text(encoding='utf-8')} }} }}"
            for path, graph in test.graph_data]
        for update in updates:
            r = client.post("/sparql", data={"update": update},
                            headers={"Authorization": f"Bearer {TOKEN}"})
            assert r.status_code < 300, r.text
        return
    app = client.app
    writer = app.state.writer  # type: ignore[attr-defined]
    writer.update("DROP ALL")
    for path, graph in test.graph_data:
        data = (MANIFEST.parent / path.name).read_text(encoding="utf-8")
        writer.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}")
    app.state.changes.data_changed()  # type: ignore[attr-defined]


@pytest.mark.shared
def test_manifest_has_34_tests(shared: Path) -> None:
    assert len(TESTS) == 34


@pytest.mark.shared
@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_w3c_protocol(test: ProtocolTest, client: httpx.Client, shared: Path) -> None:
    _reset(client, test)
    for req in test.requests:
        path = req.path.replace("/sparql/", "/sparql", 1)
        headers = {**req.headers, "Authorization": f"Bearer {TOKEN}"}
        resp = client.request(req.method, path, headers=headers, content=req.body)
        assert status_matches(resp.status_code, req.expected_status), (
            f"{test.name}: {req.method} {path} -> {resp.status_code} {resp.text[:300]}")
        if req.expected_format:
            _check_format(resp, req.expected_format)
        if req.expected_boolean is not None:
            assert _boolean(resp) is req.expected_boolean, resp.text
