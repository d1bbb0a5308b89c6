"""``/oai``: the OAI-PMH 2.0 provider (``api/oai.py``), by GET or by a POSTed form."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import get_reader, get_settings
from api.oai import Provider
from collex.errors import InvalidInput, UnsupportedMediaType
from collex.settings import Settings
from graph.base import ReadStore

router = APIRouter()
MEDIA = "text/xml; charset=utf-8"
_DOC: dict[int | str, dict[str, Any]] = {
    200: {"description": "An OAI-PMH answer: the verb's element, or `<error code=...>` (the"
          " protocol answers its errors with 200)", "content": {"text/xml": {}}},
}


async def _answer(request: Request, reader: ReadStore, settings: Settings,
                  args: dict[str, list[str]]) -> Response:
    request.app.state.rate_limiter.check(request)
    provider = Provider(reader, settings.base_iri, f"{request.base_url}oai",
                        settings.admin_email)
    body = await run_in_threadpool(provider.answer, args)
    return Response(body, media_type=MEDIA)


_PARAMS = [
    {"name": "verb", "in": "query", "required": True, "description": "The OAI-PMH verb",
     "schema": {"type": "string", "enum": ["Identify", "ListMetadataFormats", "ListSets",
                                           "ListIdentifiers", "ListRecords", "GetRecord"]}},
    {"name": "metadataPrefix", "in": "query", "description": "oai_dc or rdf",
     "schema": {"type": "string", "maxLength": 100}},
    {"name": "identifier", "in": "query", "description": "A record: a collection IRI",
     "schema": {"type": "string", "maxLength": 2000}},
    {"name": "from", "in": "query", "description": "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)",
     "schema": {"type": "string", "maxLength": 20}},
    {"name": "until", "in": "query", "description": "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (UTC)",
     "schema": {"type": "string", "maxLength": 20}},
    {"name": "set", "in": "query", "description": "institution:ISIL, network:id or"
     " discipline:code", "schema": {"type": "string", "maxLength": 200}},
    {"name": "resumptionToken", "in": "query", "description": "The token of the previous"
     " answer (an exclusive argument)", "schema": {"type": "string", "maxLength": 4000}},
]


# the arguments are read from the query string as the protocol defines them (a repeated or
# unknown one is an OAI-PMH badArgument, not a 400): documented here, not declared
@router.get("/oai", tags=["reuse"], responses=_DOC, response_class=Response,
            openapi_extra={"parameters": _PARAMS})
async def oai_get(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """OAI-PMH 2.0 (records: the collections; sets: institutions, networks, disciplines;
    formats: oai_dc, rdf; deleted records persistent)."""
    args = parse_qs(request.url.query, keep_blank_values=True)
    return await _answer(request, reader, settings, args)


@router.post("/oai", tags=["reuse"], responses=_DOC, response_class=Response,
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {
                     "type": "object", "properties": {k: {"type": "string"} for k in (
                         "verb", "metadataPrefix", "identifier", "from", "until", "set",
                         "resumptionToken")}}}}}})
async def oai_post(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """OAI-PMH 2.0 with the arguments in an `application/x-www-form-urlencoded` body."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("OAI-PMH by POST takes an"
                                   " application/x-www-form-urlencoded body")
    raw = await request.body()
    try:
        args = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise InvalidInput("the form is not UTF-8") from None
    return await _answer(request, reader, settings, args)
