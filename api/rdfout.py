"""Answering a small RDF document (written as Turtle) in the format the client accepts."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from api.conneg import GRAPHS, negotiate
from graph.results import GRAPH_MEDIA

_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
            "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def rdf_response(request: Request, turtle: str) -> Response:
    """``turtle`` re-serialized by content negotiation (Turtle when anything goes)."""
    want = negotiate(request.headers.get("accept"), GRAPHS) or "turtle"
    if want == "turtle":
        return Response(turtle, media_type=GRAPH_MEDIA["turtle"], headers={"Vary": "Accept"})
    quads = list(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE))
    items = quads if want in ("nquads", "trig") else [
        ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    body = ox.serialize(items, format=_FORMATS[want]) or b""
    return Response(body, media_type=GRAPH_MEDIA[want], headers={"Vary": "Accept"})
