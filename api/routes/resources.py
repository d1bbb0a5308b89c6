"""Dereferencing our own IRIs: ``{base}id/...`` answers RDF to clients and HTML to browsers.

The answer is direct (200, no 303): the IRIs are hash-less resource IRIs whose description
is served at the same address, and hash IRIs (``#period-1``) are included in the description of
the IRI they hang on. The full content negotiation of every minted IRI is extended in the
discovery issue; this route already serves Turtle, N-Triples, JSON-LD and HTML.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.deps import get_reader, get_settings
from api.pages import templates
from collex.errors import InvalidInput, NotFound
from collex.settings import Settings
from graph.base import QueryRequest, ReadStore

router = APIRouter()

_RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
}


def _wanted(accept: str) -> str | None:
    """The RDF format asked for, or None for HTML (browsers, */*)."""
    best: tuple[float, str | None] = (0.0, None)
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml") and q > best[0]:
            best = (q, None)
        elif media in _RDF_TYPES and q > best[0]:
            best = (q, media)
    return best[1]


def _about(iri: str) -> str:
    """Graph pattern: the triples about ``iri`` and its hash sub-resources."""
    return f'?s ?p ?o FILTER(?s = <{iri}> || STRSTARTS(STR(?s), "{iri}#"))'


@router.get("/id/{path:path}", summary="Describe one of our resources (HTML or RDF)",
            tags=["resources"], response_class=Response,
            responses={200: {"content": {"text/html": {}, "text/turtle": {},
                                         "application/n-triples": {},
                                         "application/ld+json": {}}},
                       404: {"description": "No such resource"}})
def resource(
    request: Request,
    path: Annotated[str, PathParam(description="Path of the IRI under {base}id/",
                                   max_length=500)],
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Everything the graph says about ``{base}id/{path}`` (and its ``#`` sub-resources)."""
    if any(c in path for c in '<>"{}|\\^` '):
        raise InvalidInput("not a valid resource path")
    iri = f"{settings.base_iri}id/{path}"
    fmt = _wanted(request.headers.get("accept", "text/html"))
    rows = reader.select(f"SELECT ?s ?p ?o WHERE {{ {_about(iri)} }} ORDER BY ?s ?p ?o")
    if not rows:
        raise NotFound(f"no resource {iri}")
    if fmt is not None:
        answer = reader.run(QueryRequest(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_about(iri)} }}",
                                         graph_format=_RDF_TYPES[fmt]))
        return Response(answer.body, media_type=fmt, headers={"Vary": "Accept"})
    triples = [{k: (getattr(v, "value", str(v)), type(v).__name__) for k, v in r.items()}
               for r in rows]
    return templates.TemplateResponse(request, "resource.html",
                                      {"iri": iri, "triples": triples},
                                      headers={"Vary": "Accept"})
