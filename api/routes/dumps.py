"""``/dumps``: the downloadable dumps (``api/dumps.py``), their listing and DCAT catalogue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from api.deps import get_settings
from api.dumps import FILES, Dumps, catalog_turtle, listing
from api.rdfout import rdf_response
from collex.errors import Busy, NotFound
from collex.settings import Settings

router = APIRouter(tags=["reuse"])


def _dumps(request: Request) -> Dumps:
    dumps: Dumps = request.app.state.dumps
    if "dumps" in request.app.state.views.computations:  # COLLEX_DUMPS: follow the writes,
        request.app.state.views.refresh("dumps")  # a new set is made in the background
    return dumps


@router.get("/dumps", responses={200: {"content": {"application/json": {}}}},
            response_class=JSONResponse)
async def dumps_listing(request: Request) -> Response:
    """The published dumps: URL, size, SHA-256 and date of each file (empty when dumps are
    off or the first set is being made)."""
    dumps = _dumps(request)
    site = str(request.base_url)
    return JSONResponse(listing(dumps.current(), site))


@router.get("/dumps/catalog", response_class=Response, responses={200: {"content": {
    "text/turtle": {}, "application/ld+json": {}, "text/html": {}}}})
async def dumps_catalog(
    request: Request, settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """DCAT catalogue: the dataset, its SPARQL service and its downloads (size, checksum,
    date, licence)."""
    dumps = _dumps(request)
    turtle = catalog_turtle(dumps.current(), settings.base_iri,
                            str(request.base_url))
    return rdf_response(request, turtle, title="Catalogue DCAT / DCAT catalogue")


@router.get("/dumps/{name}", response_class=FileResponse, responses={
    200: {"content": {"application/gzip": {}, "text/csv": {}}}})
async def dump_file(
    request: Request,
    name: Annotated[str, Path(max_length=40, description=", ".join(FILES))],
) -> Response:
    """One dump file, at a stable URL (the newest set)."""
    dumps = _dumps(request)
    if name not in FILES:
        raise NotFound(f"no dump {name}")
    current = dumps.current()
    if current is None:
        if "dumps" not in request.app.state.views.computations:
            raise NotFound(f"no dump {name}: none made (COLLEX_DUMPS is off; `collex"
                           " publish` makes them)")
        raise Busy("the first dumps are being made; retry shortly", retry_after=30)
    path = dumps.path(current, name)
    if path is None:
        raise NotFound(f"no dump {name}")
    media, compression, _ = FILES[name]
    headers: dict[str, Any] = {"X-Collex-Dump-State": current.state,
                               "Digest": f"sha-256={_b64(current, name)}"}
    text = media.startswith("text/") or media == "application/n-quads"
    return FileResponse(path, media_type=compression or (f"{media}; charset=utf-8" if text
                                                         else media),
                        filename=name, headers=headers)


def _b64(current: Any, name: str) -> str:
    import base64

    digest = next(f.sha256 for f in current.files if f.name == name)
    return base64.b64encode(bytes.fromhex(digest)).decode()
