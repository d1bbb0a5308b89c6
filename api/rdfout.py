"""Answering a small RDF document (written as Turtle) in the format the client accepts."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from api.conneg import GRAPHS, SOLUTIONS, negotiate, parse_accept
from graph.results import GRAPH_MEDIA

_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
            "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD,
            "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


def wants_html(request: Request) -> bool:
    """True for a browser: ``text/html`` asked by name, at least as much as any RDF form
    asked by name (``*/*`` alone, as curl and protocol clients send, is not a browser).

    >>> from starlette.requests import Request as R
    >>> def req(accept: str) -> R:
    ...     return R({"type": "http", "headers": [(b"accept", accept.encode())]})
    >>> wants_html(req("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))
    True
    >>> wants_html(req("*/*")), wants_html(req("text/turtle, text/html;q=0.5"))
    (False, False)
    """
    ranges = parse_accept(request.headers.get("accept"))
    html = max((q for m, q in ranges if m in ("text/html", "application/xhtml+xml")),
               default=0.0)
    named = {m for m, _ in GRAPHS + SOLUTIONS}
    other = max((q for m, q in ranges if m in named and m != "application/xml"), default=0.0)
    return html > 0 and html >= other


def rdf_response(request: Request, turtle: str, title: str | None = None) -> Response:
    """``turtle`` re-serialized by content negotiation (Turtle when anything goes); a browser
    gets a page showing it (``title``), not a file to download."""
    if title is not None and wants_html(request):
        from api.pages import templates

        return templates.TemplateResponse(request, "rdf_view.html",
                                          {"title": title, "turtle": turtle},
                                          headers={"Vary": "Accept"})
    want = negotiate(request.headers.get("accept"), GRAPHS) or "turtle"
    if want == "turtle":
        return Response(turtle, media_type=GRAPH_MEDIA["turtle"], headers={"Vary": "Accept"})
    quads = list(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE))
    items = quads if want in ("nquads", "trig") else [
        ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    body = ox.serialize(items, format=_FORMATS[want]) or b""
    return Response(body, media_type=GRAPH_MEDIA[want], headers={"Vary": "Accept"})
