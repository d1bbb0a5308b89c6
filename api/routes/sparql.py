"""The SPARQL 1.1 Protocol endpoint: ``/sparql``.

- query: GET ``?query=``, POST form (``application/x-www-form-urlencoded``), POST direct
  (``application/sparql-query``), with ``default-graph-uri`` / ``named-graph-uri``;
- update: POST form or ``application/sparql-update`` only, with ``using-graph-uri`` /
  ``using-named-graph-uri``, and only with the admin bearer token;
- results by content negotiation (406 when nothing fits), row cap signalled in headers,
  a deadline that stops the query (503), SERVICE and LOAD refused unless allow-listed;
- GET without a query: the service description.
"""

from __future__ import annotations

import re
import threading
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api.conneg import GRAPHS, SOLUTIONS, negotiate
from api.deps import get_reader, get_settings
from api.rdfout import rdf_response, wants_html
from api.security import read_body, require_admin
from api.views import view
from collex.errors import (
    InvalidInput,
    MethodNotAllowed,
    NotAcceptable,
    QueryRejected,
    UnsupportedMediaType,
)
from collex.settings import Settings
from graph.base import QueryRequest, ReadStore, WriteStore
from graph.sandbox import OfflineThread
from graph.sparql_text import add_using, has_dataset_clause, loads, query_form, services
from loaders.rdf import iri_problem

router = APIRouter()
_write_lock = threading.Lock()

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise InvalidInput(f"the request has {len(values)} '{name}' parameters; send one")
    return values[0] if values else None


def _content_type(request: Request) -> tuple[str, str | None]:
    raw = request.headers.get("content-type", "")
    media, *params = [p.strip() for p in raw.split(";")]
    charset = None
    for p in params:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _utf8(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not supported: send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the request body is not valid UTF-8") from None


def _endpoint(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


async def sparql(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    """Query with GET or POST; update with POST (admin token). GET alone describes the
    service."""
    request.app.state.rate_limiter.check(request)
    url_params = parse_qs(request.url.query, keep_blank_values=True)
    if request.method not in ("GET", "POST"):
        raise MethodNotAllowed(f"{request.method} is not part of the SPARQL protocol")
    if request.method == "GET":
        if "update" in url_params:
            raise InvalidInput("updates must be sent with POST")
        query = _one(url_params, "query")
        if query is not None and wants_html(request):
            # a person opened a query link: the query page shows it and runs it
            return RedirectResponse(f"/query?{urlencode({'query': query})}", status_code=303,
                                    headers={"Vary": "Accept"})
        if query is None:
            return await run_in_threadpool(service_description, request, reader, settings)
        return await run_in_threadpool(_query, request, reader, settings, query, url_params)
    media, charset = _content_type(request)
    body = await read_body(request, settings.max_body_bytes)
    if media == FORM:
        form = parse_qs(_utf8(body, charset), keep_blank_values=True)
        params = {k: url_params.get(k, []) + form.get(k, []) for k in set(url_params) | set(form)}
        query, update = _one(params, "query"), _one(params, "update")
        if (query is None) == (update is None):
            raise InvalidInput("a form request carries exactly one 'query' or 'update'")
        if query is not None:
            return await run_in_threadpool(_query, request, reader, settings, query, params)
        assert update is not None
        return await run_in_threadpool(_update, request, settings, update, params)
    if media == QUERY_TYPE:
        return await run_in_threadpool(_query, request, reader, settings,
                                       _utf8(body, charset), url_params)
    if media == UPDATE_TYPE:
        return await run_in_threadpool(_update, request, settings, _utf8(body, charset),
                                       url_params)
    raise UnsupportedMediaType(
        f"POST needs Content-Type {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}"
        f" (got {media or 'none'})"
    )


_PLAIN_IRI = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:[/?#][!-~]*)?")


def _allowed(target: str, allowlist: list[str]) -> bool:
    """An absolute http(s) IRI of printable ASCII, without user info, dot segments nor
    escapes, under an allow-listed prefix that ends at a path boundary (``http://a.org``
    does not allow ``http://a.org.evil.net``).

    >>> _allowed("http://a.org/sparql", ["http://a.org"]), _allowed("http://a.org.x/", ["http://a.org"])
    (True, False)
    >>> _allowed("http://a.org@b.net/", ["http://a.org"]), _allowed("http://a.org/../x", ["http://a.org/"])
    (False, False)
    """
    if not _PLAIN_IRI.fullmatch(target) or "/." in target or "\\" in target:
        return False
    for prefix in allowlist:
        if target == prefix or (target.startswith(prefix) and (
                prefix.endswith(("/", "?", "#")) or target[len(prefix)] in "/?#")):
            return True
    return False


def _query(request: Request, reader: ReadStore, settings: Settings, query: str,
           params: dict[str, list[str]]) -> Response:
    for target in services(query):
        if not _allowed(target, settings.service_allowlist):
            raise QueryRejected(f"SERVICE {target} is not allowed on this server"
                                " (COLLEX_SERVICE_ALLOWLIST)")
    accept = request.headers.get("accept")
    solutions = negotiate(accept, SOLUTIONS)
    graphs = negotiate(accept, GRAPHS)
    form = query_form(query)
    if form in ("SELECT", "ASK") and solutions is None:
        raise NotAcceptable("no acceptable format for a result table: accept one of "
                            + ", ".join(m for m, _ in SOLUTIONS))
    if form in ("CONSTRUCT", "DESCRIBE") and graphs is None:
        raise NotAcceptable("no acceptable format for a graph: accept one of "
                            + ", ".join(m for m, _ in GRAPHS))
    answer = reader.run(QueryRequest(
        query,
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
        solutions_format=solutions, graph_format=graphs,
        row_cap=settings.row_cap, base_iri=_endpoint(request),
    ))
    headers = {"Vary": "Accept", "X-Collex-Row-Cap": str(settings.row_cap)}
    if answer.truncated:
        headers["X-Collex-Truncated"] = "true"
        headers["Warning"] = f'199 - "answer cut at the row cap of {settings.row_cap}"'
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _graph_iris(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    """The graph IRIs of a protocol dataset parameter; one that is not an IRI is the
    client's mistake (400), not the store's (it failed with 503).

    >>> _graph_iris({"named-graph-uri": ["http://a.org/g"]}, "named-graph-uri")
    ('http://a.org/g',)
    """
    values = tuple(params.get(name, []))
    for value in values:
        problem = iri_problem(value) if value else "empty"
        if problem is not None or ":" not in value:
            raise InvalidInput(f"{name} {value[:80]!r} is not an absolute IRI"
                               + (f" ({problem})" if problem else ""))
    return values


def _update(request: Request, settings: Settings, update: str,
            params: dict[str, list[str]]) -> Response:
    require_admin(request, settings, "SPARQL update")
    using = list(_graph_iris(params, "using-graph-uri"))
    using_named = list(_graph_iris(params, "using-named-graph-uri"))
    if (using or using_named) and has_dataset_clause(update):
        raise InvalidInput("the update has USING or WITH clauses and the request also gives"
                           " using-graph-uri/using-named-graph-uri: send one or the other")
    for target in loads(update):
        if not _allowed(target, settings.load_allowlist):
            raise QueryRejected(f"LOAD {target} is not allowed on this server"
                                " (COLLEX_LOAD_ALLOWLIST)")
    for target in services(update):
        if not _allowed(target, settings.service_allowlist):
            raise QueryRejected(f"SERVICE {target} is not allowed on this server")
    writer: WriteStore = request.app.state.writer
    offline: OfflineThread | None = request.app.state.offline
    text, base = add_using(update, using, using_named), _endpoint(request)
    with _write_lock:
        if offline is not None:
            offline.run(writer.update, text, base_iri=base)
        else:
            writer.update(text, base_iri=base)
        request.app.state.changes.data_changed()
        request.app.state.search.changed(None)  # which graphs an update touched is not known
    return Response(status_code=204)


SD_FORMATS = [
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG",
]


def service_description(request: Request, reader: ReadStore, settings: Settings) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint."""
    endpoint = _endpoint(request)
    graphs: list[str] = view(request, "graphs")
    formats = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in SD_FORMATS)
    named = "".join(
        f"  sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ] ;\n" for g in graphs[:1000]
    )
    turtle = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  dcterms:title "CollEx knowledge graph SPARQL endpoint" ;
  sd:supportedLanguage sd:SPARQL11Query{", sd:SPARQL11Update" if settings.admin_token else ""} ;
  sd:resultFormat {formats} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultEntailmentRegime <http://www.w3.org/ns/entailment/Simple> ;
  sd:defaultDataset [
    a sd:Dataset ;
    sd:defaultGraph [ a sd:Graph ] ;
{named}  ] .
"""
    return rdf_response(request, turtle,
                        title="Description du service SPARQL / SPARQL service description")



_SUMMARY = "SPARQL 1.1 Protocol endpoint (query, update, service description)"
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"application/sparql-results+json": {}, "text/turtle": {}}},
    204: {"description": "Update done"},
    400: {"description": "Bad request or SPARQL syntax error"},
    401: {"description": "Update without the admin token"},
    406: {"description": "No acceptable result format"},
    413: {"description": "Request body too large"},
    429: {"description": "Rate limited (see Retry-After)"},
    503: {"description": "Query deadline passed; query stopped"},
}
for _method in ("GET", "POST", "PUT", "DELETE", "PATCH"):  # one OpenAPI operation per method
    # PUT, DELETE and PATCH answer 405 (not part of the protocol): routed, not documented
    router.add_api_route("/sparql", sparql, methods=[_method], name=f"sparql_{_method.lower()}",
                         summary=_SUMMARY, tags=["sparql"], response_class=Response,
                         responses=_RESPONSES, include_in_schema=_method in ("GET", "POST"))
