"""API documentation that is complete and works offline (issue #15, part 3): the protocol
routes documented with parameters, bodies and the bearer scheme, no operation that only
answers 405, one error shape for every 4xx/5xx, Swagger UI from local assets."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.app import create_app
from collex.settings import Settings


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    app = create_app(Settings(store_dir=tmp_path_factory.mktemp("docs") / "store"))
    try:
        return app.openapi()
    finally:
        app.state.changes.close()


def test_the_protocol_routes_are_documented(spec: dict) -> None:  # type: ignore[type-arg]
    sparql = spec["paths"]["/sparql"]
    assert set(sparql) == {"get", "post"}  # PUT, DELETE, PATCH answer 405: not operations
    assert {p["name"] for p in sparql["get"]["parameters"]} == {
        "query", "default-graph-uri", "named-graph-uri"}
    assert set(sparql["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded", "application/sparql-query",
        "application/sparql-update"}
    assert {"bearer": []} in sparql["post"]["security"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    store = spec["paths"]["/rdf-graph-store"]
    assert {p["name"] for p in store["get"]["parameters"]} == {"graph", "default"}
    assert "text/turtle" in store["put"]["requestBody"]["content"]
    assert store["delete"]["security"] == [{"bearer": []}]
    assert "requestBody" in spec["paths"]["/graph/{path}"]["post"]


def test_every_error_answer_has_the_one_shape(spec: dict) -> None:  # type: ignore[type-arg]
    errors = 0
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "422" not in op["responses"], (method, path)
            for code, answer in op["responses"].items():
                if code[0] in "45":
                    errors += 1
                    assert answer["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, (method, path, code)
    assert errors > 40
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_a_validation_error_is_shaped_like_every_other(sample_server: str) -> None:
    answer = httpx.get(sample_server + "/api/collections", params={"limit": 101})
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_input" and body["detail"].startswith("limit:")
    assert httpx.put(sample_server + "/sparql").status_code == 405


def test_docs_without_swagger_ui_list_the_operations(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from api import docs

    monkeypatch.setattr(docs, "SWAGGER", tmp_path / "none")
    with TestClient(create_app(Settings(store_dir=tmp_path / "store"))) as client:
        page = client.get("/docs").text
    assert "/openapi.json" in page and "<code>GET /api/collections</code>" in page
