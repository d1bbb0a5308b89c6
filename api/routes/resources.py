"""Dereferencing our own IRIs: ``{base}id/...`` answers RDF to clients and HTML to browsers.

The answer is direct (200, no 303): the IRIs are hash-less resource IRIs whose description
is served at the same address, and hash IRIs (``#period-1``) are included in the description of
the IRI they hang on. The full content negotiation of every minted IRI is extended in the
discovery issue; this route already serves Turtle, N-Triples, JSON-LD and HTML.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api.conneg import negotiate
from api.deps import get_reader, get_settings
from api.jsonld import CONTEXT_PATH, compact, context
from api.pages import templates
from api.routes import pages
from collex.errors import Gone, InvalidInput, NotAcceptable, NotFound
from collex.settings import Settings
from graph.base import QueryRequest, ReadStore

router = APIRouter()

_OFFERS = [
    ("text/html", "html"), ("application/xhtml+xml", "html"),
    ("text/turtle", "turtle"), ("application/n-triples", "ntriples"),
    ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml"),
    # what RDF clients ask for (rdflib: text/plain for N-Triples, text/n3 for N3)
    ("text/plain", "ntriples"), ("text/n3", "turtle"), ("application/x-turtle", "turtle"),
    ("application/json", "jsonld"), ("application/xml", "rdfxml"),
]
# /id/{path}.ttl and friends: one format, whatever Accept says
SUFFIXES = {".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".rdf": "rdfxml"}
_MEDIA = {"turtle": "text/turtle", "ntriples": "application/n-triples",
          "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml"}


def alternates(path: str) -> str:
    """The ``Link`` header naming the RDF forms of ``/id/{path}`` by their suffix URLs.

    >>> alternates("collection/A").split(", ")[0]
    '</id/collection/A.ttl>; rel="alternate"; type="text/turtle"'
    """
    return ", ".join(f'</id/{path}{suffix}>; rel="alternate"; type="{_MEDIA[fmt]}"'
                     for suffix, fmt in SUFFIXES.items())


def _about(iri: str) -> str:
    """Graph pattern: the triples about ``iri`` and about the hash sub-resources it links to
    (``#period-1``). Both are point lookups on the subject (the index), never a scan.

    >>> "FILTER(?s" in _about("http://x/id/a")
    False
    """
    return (f"{{ BIND(<{iri}> AS ?s) <{iri}> ?p ?o }} UNION {{ <{iri}> ?link ?s . "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iri}#")) ?s ?p ?o }}')


@router.get("/id/{path:path}", summary="Describe one of our resources (HTML or RDF)",
            tags=["resources"], response_class=Response,
            responses={200: {"content": {"text/html": {}, "text/turtle": {},
                                         "application/n-triples": {},
                                         "application/ld+json": {},
                                         "application/rdf+xml": {}}},
                       404: {"description": "No such resource"},
                       410: {"description": "A collection whose notice was deleted"}})
def resource(
    request: Request,
    path: Annotated[str, PathParam(description="Path of the IRI under {base}id/",
                                   max_length=500)],
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Everything the graph says about ``{base}id/{path}`` (and its ``#`` sub-resources);
    410 for a collection whose notice was deleted (its tombstone, loaders/tombstones.py)."""
    try:
        return _resource(request, path, reader, settings)
    except NotFound:
        suffix = next((x for x in SUFFIXES if path.endswith(x)), "")
        iri = f"{settings.base_iri}id/{path[:len(path) - len(suffix)]}"
        rows = reader.select(
            "SELECT ?when WHERE { GRAPH ?t { ?t <https://w3id.org/collex/def#tombstoneOf>"
            f" <{iri}> ; <http://www.w3.org/ns/prov#invalidatedAtTime> ?when }} }} LIMIT 1")
        if rows:
            when = str(getattr(rows[0]["when"], "value", ""))
            raise Gone(f"{iri}: its notice was deleted ({when})") from None
        raise


def _resource(request: Request, path: str, reader: ReadStore, settings: Settings) -> Response:
    """Everything the graph says about ``{base}id/{path}`` (and its ``#`` sub-resources)."""
    if any(c in path for c in '<>"{}|\\^` '):
        raise InvalidInput("not a valid resource path")
    iri = f"{settings.base_iri}id/{path}"
    fmt: str | None = None
    suffix = next((x for x in SUFFIXES if path.endswith(x)), None)
    if suffix is not None and not reader.ask(f"ASK {{ <{iri}> ?p ?o }}"):
        path = path[: -len(suffix)]  # /id/collection/A.ttl: A in Turtle
        iri, fmt = f"{settings.base_iri}id/{path}", SUFFIXES[suffix]
    fmt = fmt or negotiate(request.headers.get("accept"), _OFFERS)
    if fmt is None:
        raise NotAcceptable("accept text/html or one of " + ", ".join(
            m for m, k in _OFFERS if k != "html"))
    links = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical", {alternates(path)}'}
    if fmt == "html":
        kind, _, key = path.partition("/")
        page: Response | None = None
        if kind == "collection" and key and "/" not in key:
            page = pages.render_collection_page(request, reader, settings, key)
        elif kind == "collection" and "/c/" in key:
            coll, _, ckey = key.partition("/c/")
            page = pages.render_component(request, reader, settings, coll, ckey)
        elif kind == "network" and key and "/" not in key:
            page = pages.render_network(request, reader, settings, key)
        elif kind == "institution" and key and "/" not in key:
            page = pages.render_institution(request, reader, settings, key)
        elif kind in ("agent", "place", "concept") and key:
            page = pages.render_entity_from_query(request, reader, settings, iri)
        if page is not None:
            page.headers.update(links)
            return page
    if fmt != "html":
        if not reader.ask(f"ASK {{ <{iri}> ?p ?o }}"):
            raise NotFound(f"no resource {iri}")
        if fmt == "jsonld":  # compact, with the published context
            answer = reader.run(QueryRequest(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_about(iri)} }}", graph_format="ntriples"))
            body = compact(answer.body, str(request.base_url).rstrip("/") + CONTEXT_PATH)
            return Response(body, media_type="application/ld+json", headers=links)
        answer = reader.run(QueryRequest(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_about(iri)} }}",
                                         graph_format=fmt))
        return Response(answer.body, media_type=answer.media_type, headers=links)
    rows = reader.select(f"SELECT ?s ?p ?o WHERE {{ {_about(iri)} }} ORDER BY ?s ?p ?o")
    if not rows:
        raise NotFound(f"no resource {iri}")
    triples = [{k: (getattr(v, "value", str(v)), type(v).__name__) for k, v in r.items()}
               for r in rows]
    labels: dict[str, str] = {}
    for row in reader.select(
        f"SELECT ?o ?label WHERE {{ {_about(iri)} ?o <http://www.w3.org/2004/02/skos/core#"
        "prefLabel>|<http://www.w3.org/2000/01/rdf-schema#label>|<http://xmlns.com/foaf/0.1/"
        "name> ?label }"
    ):
        labels.setdefault(str(getattr(row["o"], "value", "")), str(getattr(row["label"],
                                                                            "value", "")))
    return templates.TemplateResponse(request, "resource.html",
                                      {"iri": iri, "triples": triples, "labels": labels},
                                      headers=links)


@router.get(CONTEXT_PATH, summary="The JSON-LD context of the service's answers (version 1)",
            tags=["resources"], response_class=Response,
            responses={200: {"content": {"application/ld+json": {}}}})
def jsonld_context() -> Response:
    """Prefixes of the vocabularies, ``id`` for ``@id`` and ``type`` for ``@type``."""
    return Response(json.dumps(context(), indent=1), media_type="application/ld+json")
