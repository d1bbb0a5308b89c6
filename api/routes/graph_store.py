"""SPARQL 1.1 Graph Store HTTP Protocol.

- indirect identification: ``/rdf-graph-store?graph=IRI`` or ``?default``;
- direct identification: ``/graph/{path}`` names the graph ``{COLLEX_BASE_IRI}graph/{path}``
  (so the named graph of every loaded source record dereferences to its content).

GET and HEAD are open to everyone; PUT, POST and DELETE need the admin bearer token. Every
write is one store transaction.
"""

from __future__ import annotations

import email.parser
import email.policy
import threading
import uuid
from typing import Annotated
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.conneg import GRAPHS, negotiate
from api.deps import get_reader, get_settings
from api.security import read_body, require_admin
from collex.errors import (
    InvalidInput,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    UnsupportedMediaType,
)
from collex.settings import Settings
from graph.base import QueryRequest, ReadStore, WriteStore

router = APIRouter()
_lock = threading.Lock()

RDF_INPUT = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "text/n3": ox.RdfFormat.N3,
}
DEFAULT = None  # the store's default graph


def _target(request: Request) -> tuple[str | None, bool]:
    """(graph IRI or DEFAULT, is_store_root) for an indirect request."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    graphs = params.get("graph", [])
    if "default" in params and graphs:
        raise InvalidInput("give either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise InvalidInput("give one ?graph=IRI")
    if graphs:
        iri = graphs[0]
        if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in '<>" '):
            raise InvalidInput(f"not an absolute IRI: {iri!r}")
        return iri, False
    if "default" in params:
        return DEFAULT, False
    return DEFAULT, True


def _parse(body: bytes, content_type: str, base: str) -> list[ox.Triple]:
    media = content_type.split(";")[0].strip().lower()
    if media == "multipart/form-data":
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        triples: list[ox.Triple] = []
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                triples += _parse(payload, str(part.get_content_type()), base)
        return triples
    fmt = RDF_INPUT.get(media)
    if fmt is None:
        raise UnsupportedMediaType(
            f"send RDF as one of {', '.join(RDF_INPUT)} or multipart/form-data (got {media})")
    try:
        return [ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(body, fmt, base_iri=base)]
    except SyntaxError as exc:
        raise InvalidInput(f"the RDF body does not parse: {exc}") from None


def _exists(reader: ReadStore, graph: str | None) -> bool:
    if graph is None:
        return True
    if getattr(reader, "keeps_empty_graphs", True):
        return reader.ask(f"ASK {{ GRAPH <{graph}> {{ }} }}")
    # Virtuoso: a graph is there while it holds a triple (and ``GRAPH <g> {}`` matches any g)
    return reader.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")


def _insert(graph: str | None, triples: list[ox.Triple]) -> str:
    data = "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
    if graph is None:
        return f"INSERT DATA {{ {data} }}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {data} }} }}"


def _read(request: Request, reader: ReadStore, graph: str | None) -> Response:
    fmt = negotiate(request.headers.get("accept"), GRAPHS)
    if fmt is None:
        raise NotAcceptable("accept one of " + ", ".join(m for m, _ in GRAPHS))
    if not _exists(reader, graph):
        raise NotFound(f"no graph {graph}")
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    answer = reader.run(QueryRequest(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
                                     graph_format=fmt, union_default=False))
    body = b"" if request.method == "HEAD" else answer.body
    return Response(body, media_type=answer.media_type, headers={"Vary": "Accept"})


def _write(request: Request, reader: ReadStore, settings: Settings, graph: str | None,
           root: bool, body: bytes) -> Response:
    require_admin(request, settings, "Graph Store writes")
    writer: WriteStore = request.app.state.writer
    method = request.method
    headers: dict[str, str] = {}
    if root and method == "POST":  # POST to the store: a new graph, named by the server
        graph = f"{settings.base_iri}graph/gsp/{uuid.uuid4()}"
        headers["Location"] = graph
    elif root:
        raise MethodNotAllowed(f"{method} needs ?graph=IRI or ?default", allow="GET, HEAD, POST")
    triples = ([] if method == "DELETE" else
               _parse(body, request.headers.get("content-type", ""), graph or settings.base_iri))
    with _lock:  # the writer answers the existence check: a write never waits on the read pool
        existed = _exists(writer, graph)
        if method == "DELETE":
            if not existed:
                raise NotFound(f"no graph {graph}")
            update = f"DROP GRAPH <{graph}>" if graph else "CLEAR DEFAULT"
        else:
            clear = (f"DROP SILENT GRAPH <{graph}> ;\n" if graph else "CLEAR DEFAULT ;\n") if (
                method == "PUT") else ""
            create = f"CREATE SILENT GRAPH <{graph}> ;\n" if graph else ""
            update = clear + create + _insert(graph, triples)
        writer.update(update)
        request.app.state.changes.data_changed()
        # the default graph is no notice graph: a write there rebuilds the search index
        request.app.state.search.changed([graph] if graph else None)
    status = 201 if (method in ("PUT", "POST") and not existed) else 204
    return Response(status_code=status, headers=headers)


async def _handle(request: Request, reader: ReadStore, settings: Settings,
                  graph: str | None, root: bool) -> Response:
    request.app.state.rate_limiter.check(request)
    if request.method in ("GET", "HEAD"):
        if root and request.method == "GET" and graph is None:
            raise InvalidInput("give ?graph=IRI or ?default")
        return await run_in_threadpool(_read, request, reader, graph)
    if request.method in ("PUT", "POST", "DELETE"):
        body = await read_body(request, settings.max_body_bytes)
        return await run_in_threadpool(_write, request, reader, settings, graph, root, body)
    raise MethodNotAllowed(f"{request.method} is not part of the Graph Store Protocol",
                           allow="GET, HEAD, PUT, POST, DELETE")


_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/turtle": {}}}, 201: {"description": "Graph created"},
    204: {"description": "Done"}, 404: {"description": "No such graph"},
    401: {"description": "Write without the admin token"},
}


async def indirect(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Read a graph (everyone) or write one (admin token)."""
    graph, root = _target(request)
    return await _handle(request, reader, settings, graph, root)


async def direct(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """The named graph whose IRI is this URL under the base IRI."""
    path = request.path_params["path"]
    if not path or any(c in path for c in '<>" {}|\\^`'):
        raise InvalidInput("not a valid graph path")
    return await _handle(request, reader, settings, f"{settings.base_iri}graph/{path}", False)



_ROUTES = (("/rdf-graph-store", indirect,
            "Graph Store Protocol, indirect identification (?graph= or ?default)"),
           ("/graph/{path:path}", direct,
            "Graph Store Protocol, direct identification of {base}graph/{path}"))
for _path, _func, _summary in _ROUTES:
    for _method in ("GET", "HEAD", "PUT", "POST", "DELETE"):  # one OpenAPI operation each
        router.add_api_route(_path, _func, methods=[_method],
                             name=f"{_func.__name__}_{_method.lower()}", summary=_summary,
                             tags=["sparql"], response_class=Response, responses=_RESPONSES)
