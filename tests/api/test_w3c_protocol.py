"""The W3C SPARQL 1.1 Protocol test suite, read from ../shared/w3c-sparql11/protocol/manifest.ttl
and run against the app (real query worker processes, in-process HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from rdflib import Graph

from api.app import create_app
from collex.settings import Settings
from tests.api.w3c import ProtocolTest, load_manifest, status_matches
from tests.conftest import SHARED

TOKEN = "w3c-test-token-0123456789abcdef"
MANIFEST = SHARED / "w3c-sparql11" / "protocol" / "manifest.ttl"
TESTS = load_manifest(MANIFEST) if MANIFEST.exists() else []
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
             "application/ld+json": "json-ld", "application/n-quads": "nquads",
             "application/trig": "trig"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(store_dir=tmp_path_factory.mktemp("w3c") / "store",
                        admin_token=TOKEN, rate_limit=10_000, rate_burst=10_000)
    with TestClient(create_app(settings)) as c:
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


def _reset(client: TestClient, test: ProtocolTest) -> None:
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
def test_w3c_protocol(test: ProtocolTest, client: TestClient, shared: Path) -> None:
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
