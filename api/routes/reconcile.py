"""``/reconcile``: the W3C Reconciliation Service API 0.2 (``api/reconcile.py``) for OpenRefine
and other clients: manifest, batch queries (GET or POST form), suggest, preview, data
extension and its property proposals."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_reader, get_settings
from api.reconcile import (
    EXTEND,
    PROPERTIES,
    TYPES,
    NameIndex,
    Reconciler,
    fold,
    manifest,
    parse_json_argument,
)
from api.views import view
from collex import __version__
from collex.errors import InvalidInput, NotFound, UnsupportedMediaType
from collex.settings import Settings
from graph.base import ReadStore

router = APIRouter(tags=["reuse"])
_JSON: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}}}}


def _reconciler(request: Request, reader: ReadStore, settings: Settings) -> Reconciler:
    index: NameIndex = view(request, "reconcile")
    return Reconciler(index, reader, settings.base_iri)


async def _dispatch(request: Request, reader: ReadStore, settings: Settings,
                    queries: str | None, extend: str | None) -> Response:
    if queries is not None and extend is not None:
        raise InvalidInput("queries and extend: one at a time")
    if queries is None and extend is None:
        return JSONResponse(manifest(str(request.base_url), settings.base_iri, __version__))
    request.app.state.rate_limiter.check(request)
    rec = _reconciler(request, reader, settings)
    if queries is not None:
        batch = parse_json_argument("queries", queries)
        return JSONResponse(await run_in_threadpool(rec.batch, batch))
    return JSONResponse(await run_in_threadpool(rec.extend, parse_json_argument(
        "extend", extend or "")))


@router.get("/reconcile", responses=_JSON, response_class=JSONResponse)
async def reconcile_get(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
    queries: Annotated[str | None, Query(max_length=1_000_000, description="A reconciliation"
                                         " query batch (JSON)")] = None,
    extend: Annotated[str | None, Query(max_length=1_000_000, description="A data extension"
                                        " query (JSON)")] = None,
) -> Response:
    """Reconciliation: the manifest without parameters; a batch of queries (`queries`) or a
    data extension (`extend`)."""
    return await _dispatch(request, reader, settings, queries, extend)


@router.post("/reconcile", responses=_JSON, response_class=JSONResponse,
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "properties": {
                         "queries": {"type": "string"}, "extend": {"type": "string"}}}}}}})
async def reconcile_post(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Reconciliation by POST (the protocol's primary way): a form with `queries` or
    `extend`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("reconciliation by POST takes an"
                                   " application/x-www-form-urlencoded form (queries=... or"
                                   " extend=...)")
    try:
        form = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise InvalidInput("the form is not UTF-8") from None
    queries, extend = form.get("queries"), form.get("extend")
    return await _dispatch(request, reader, settings, queries[0] if queries else None,
                           extend[0] if extend else None)


def _matching(named: dict[str, tuple[str, str]], prefix: str, cursor: int,
              size: int = 10) -> dict[str, Any]:
    """A suggest answer: the (id, name, description) whose id or name starts with what was
    typed (case and accents aside), a page of ``size`` from ``cursor``."""
    want = fold(prefix)
    items = [{"id": k, "name": name, "description": text} for k, (name, text) in named.items()
             if not want or fold(k).startswith(want) or fold(name).startswith(want)]
    return {"result": items[cursor:cursor + size]}


@router.get("/reconcile/suggest/entity", responses=_JSON, response_class=JSONResponse)
async def suggest_entity(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
    prefix: Annotated[str, Query(max_length=500, description="What the user typed")] = "",
    cursor: Annotated[int, Query(ge=0, le=10_000, description="Suggestions to skip")] = 0,
    type: Annotated[str | None, Query(max_length=200, description="Restrict to a type id")
                    ] = None,
) -> Response:
    """Suggest entities as a name or an identifier is typed (prefix search)."""
    request.app.state.rate_limiter.check(request)
    rec = _reconciler(request, reader, settings)
    items = await run_in_threadpool(rec.suggest_entities, prefix, cursor,
                                    [type] if type else [])
    return JSONResponse({"result": items})


@router.get("/reconcile/suggest/type", responses=_JSON, response_class=JSONResponse)
async def suggest_type(
    prefix: Annotated[str, Query(max_length=500, description="What the user typed")] = "",
    cursor: Annotated[int, Query(ge=0, le=10_000, description="Suggestions to skip")] = 0,
) -> Response:
    """Suggest the types entities can be reconciled against."""
    return JSONResponse(_matching({k: (v[0], v[1]) for k, v in TYPES.items()}, prefix,
                                  cursor))


@router.get("/reconcile/suggest/property", responses=_JSON, response_class=JSONResponse)
async def suggest_property(
    prefix: Annotated[str, Query(max_length=500, description="What the user typed")] = "",
    cursor: Annotated[int, Query(ge=0, le=10_000, description="Suggestions to skip")] = 0,
) -> Response:
    """Suggest the properties queries can be constrained by (and extension can fetch)."""
    props = {k: (v[0], v[1]) for k, v in PROPERTIES.items()} | {
        k: v for k, v in EXTEND.items() if k not in PROPERTIES}
    return JSONResponse(_matching(props, prefix, cursor))


@router.get("/reconcile/properties", responses=_JSON, response_class=JSONResponse)
async def propose_properties(
    type: Annotated[str, Query(max_length=200, description="A type id")],
    limit: Annotated[int, Query(ge=1, le=100, description="Properties at most")] = 20,
) -> Response:
    """The properties data extension can fetch for entities of a type."""
    per_type = {
        "collection": ["holder", "isil", "shelfmark", "dates", "networks", "creators",
                       "subjects", "description", "idref"],
        "institution": ["isil", "city", "idref"],
        "person": ["idref", "bnf", "viaf", "wikidata", "dates", "description"],
        "corporate": ["idref", "bnf", "viaf", "wikidata", "dates", "description"],
        "place": ["idref", "bnf", "viaf", "wikidata"],
        "subject": ["idref", "bnf"],
    }
    key = type.rsplit("/", 1)[-1]
    props = per_type.get(key, list(EXTEND))
    return JSONResponse({"type": type, "limit": limit, "properties": [
        {"id": p, "name": EXTEND[p][0], "description": EXTEND[p][1]} for p in props[:limit]]})


@router.get("/reconcile/preview", response_class=HTMLResponse,
            responses={200: {"content": {"text/html": {}}}})
async def preview(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
    id: Annotated[str, Query(max_length=2000, description="An entity id (IRI)")],
) -> Response:
    """A small HTML preview of an entity, for an iframe."""
    rec = _reconciler(request, reader, settings)
    html = await run_in_threadpool(rec.preview, id)
    if html is None:
        raise NotFound(f"no entity {id}")
    return HTMLResponse(html)
