"""The API's documentation: a complete OpenAPI document and Swagger UI that works offline.

FastAPI documents the routes it validates; the protocol routes (SPARQL 1.1 Protocol, Graph
Store Protocol) read their requests themselves, so their parameters, bodies and the bearer
scheme of writes are written here. Every error answer has the one shape the service uses,
``{"error": code, "detail": message}`` (request validation errors included: 400, not
FastAPI's 422 list). Swagger UI is served from ``api/static/vendor/swagger-ui`` (the npm
package ``swagger-ui-dist``, installed by ``make install``), never from a CDN; without it,
``/docs`` lists the operations and links the OpenAPI document.
"""

from __future__ import annotations

import html
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.pages import error_page
from api.rdfout import wants_html
from api.routes.query_page import STATIC

SWAGGER = STATIC / "vendor" / "swagger-ui"
ERROR = {"$ref": "#/components/schemas/Error"}
_GRAPH_MEDIA = ["text/turtle", "application/n-triples", "application/rdf+xml",
                "application/ld+json", "application/n-quads", "application/trig"]
_DATASET = [
    ("default-graph-uri", "A graph of the query's default graph (protocol dataset; repeatable)"),
    ("named-graph-uri", "A named graph of the query's dataset (repeatable)"),
]


def _param(name: str, description: str, *, many: bool = False,
           required: bool = False) -> dict[str, Any]:
    item = {"type": "string", "maxLength": 100_000}
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "array", "items": item, "maxItems": 100} if many else item}


def _sparql(spec: dict[str, Any]) -> None:
    ops = spec["paths"].get("/sparql", {})
    get, post = ops.get("get"), ops.get("post")
    if get is not None:
        get["parameters"] = [
            _param("query", "The SPARQL 1.1 query (absent: the service description)"),
            *(_param(n, d, many=True) for n, d in _DATASET)]
        get["description"] = ("Query by GET (SPARQL 1.1 Protocol §2.1.1). Without `query`: the"
                              " service description. The answer format follows `Accept`:"
                              " SELECT/ASK as JSON, XML, CSV or TSV results, graphs as"
                              " Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads or TriG.")
    if post is not None:
        form = {"type": "object", "properties": {
            "query": {"type": "string", "maxLength": 1_000_000},
            "update": {"type": "string", "maxLength": 1_000_000},
            **{n: {"type": "array", "items": {"type": "string"}} for n in (
                "default-graph-uri", "named-graph-uri", "using-graph-uri",
                "using-named-graph-uri")}}}
        post["requestBody"] = {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": form},
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}}}}
        post["parameters"] = [*(_param(n, d, many=True) for n, d in _DATASET),
                              _param("using-graph-uri", "USING graph of an update", many=True),
                              _param("using-named-graph-uri", "USING NAMED graph of an update",
                                     many=True)]
        post["description"] = ("Query (form or `application/sparql-query`) or update (form or"
                               " `application/sparql-update`, with the admin bearer token).")
        post["security"] = [{}, {"bearer": []}]


def _graph_store(spec: dict[str, Any]) -> None:
    target = [_param("graph", "IRI of the graph (indirect identification)"),
              {"name": "default", "in": "query", "required": False,
               "description": "The default graph (present, empty)",
               "schema": {"type": "string", "maxLength": 0}}]
    body = {"required": True, "content": {m: {"schema": {"type": "string"}}
                                          for m in _GRAPH_MEDIA}}
    for path, ops in spec["paths"].items():
        if path not in ("/rdf-graph-store", "/graph/{path}"):
            continue
        for method, op in ops.items():
            if path == "/rdf-graph-store":
                op["parameters"] = [*target]
            if method in ("put", "post"):
                op["requestBody"] = body
            if method in ("put", "post", "delete"):
                op["security"] = [{"bearer": []}]


def _errors(spec: dict[str, Any]) -> None:
    """One error shape everywhere: 422 becomes 400; every 4xx/5xx answer is an Error."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = {"type": "object", "required": ["error", "detail"], "properties": {
        "error": {"type": "string", "description": "Error code (invalid_input, not_found...)"},
        "detail": {"type": "string", "description": "What went wrong, for people"}}}
    for ops in spec["paths"].values():
        for op in ops.values():
            answers = op.setdefault("responses", {})
            if "422" in answers:
                answers.pop("422")
                answers.setdefault("400", {"description": "Invalid input"})
            for code, answer in answers.items():
                if code[0] in "45":
                    answer["content"] = {"application/json": {"schema": ERROR}}


def install(app: FastAPI) -> None:
    """Give ``app`` its complete OpenAPI, one error shape for validation, and ``/docs``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)
            spec.setdefault("components", {})["securitySchemes"] = {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "COLLEX_ADMIN_TOKEN: SPARQL updates and Graph Store writes"}}
            _sparql(spec)
            _graph_store(spec)
            _errors(spec)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
        detail = "; ".join(parts)[:1000]
        if wants_html(request):
            return error_page(request, 400, detail)
        return JSONResponse({"error": "invalid_input", "detail": detail}, status_code=400)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if (SWAGGER / "swagger-ui-bundle.js").exists():
            return get_swagger_ui_html(
                openapi_url="/openapi.json", title=f"{app.title} — API",
                swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                swagger_favicon_url="/static/favicon.svg")
        spec = app.openapi()
        rows = "".join(
            f"<li><code>{html.escape(m.upper())} {html.escape(p)}</code> —"
            f" {html.escape(str(op.get('summary', '')))}</li>"
            for p, ops in spec["paths"].items() for m, op in ops.items())
        return HTMLResponse(f"<!doctype html><html lang='en'><meta charset='utf-8'><title>"
                            f"{html.escape(app.title)} — API</title><h1>API</h1><p>Swagger UI"
                            " is not installed (npm was not available at install): the"
                            " operations are listed below, and the whole contract is"
                            " <a href='/openapi.json'>/openapi.json</a>.</p>"
                            f"<ul>{rows}</ul></html>")
