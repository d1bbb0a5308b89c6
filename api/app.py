"""The web application: a status page and JSON at this stage; SPARQL and discovery come later.

The process opens the embedded store for writing (only one process may), keeps the write
handle to itself, and hands routes a read-only view.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import i18n
from api.caching import DataState, HttpCache, last_load
from api.data import institution_list, network_list
from api.docs import install as install_docs
from api.dumps import Dumps, dumps_dir, make_in_process
from api.map import holders as map_holders
from api.pages import error_page
from api.rdfout import wants_html
from api.reconcile import NameIndex
from api.routes import (
    collections,
    dumps,
    entities,
    graph_store,
    harvest,
    oai,
    pages,
    query_page,
    reconcile,
    resources,
    site,
    sparql,
    status,
    void,
)
from api.routes import map as map_routes
from api.searching import SearchFollower
from api.security import RateLimiter
from api.views import GenerationViews
from api.warmup import warm
from api.watcher import StoreWatcher
from collex import __version__
from collex.errors import CollexError
from collex.settings import Settings
from graph import EmbeddedStore, ReadStore, open_store_write
from graph.pool import CLIENT, Generation, PooledReader, QueryPool
from graph.sandbox import OfflineThread
from graph.sandbox import supported as sandbox_supported
from loaders.derived.state import bump_writes, change_marker, data_version, ensure

log = logging.getLogger("collex.api")


class _ClientMiddleware:
    """Names the client of each request for the query pool's per-client bound."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            client = scope.get("client")
            CLIENT.set(str(client[0]) if client else "unknown")
        await self.app(scope, receive, send)


class _Language:
    """Pages say their language (``Content-Language``); a page asked with ``?lang=`` keeps the
    choice in the ``collex_lang`` cookie for the next ones (``api/i18n.py``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        lang = i18n.choose(query, headers)
        asked = query.get("lang") in i18n.LANGS

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", []))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in out):
                    out.append((b"content-language", lang.encode()))
                    if asked:
                        out.append((b"set-cookie", f"{i18n.COOKIE}={lang}; Path=/; Max-Age="
                                    "31536000; SameSite=Lax".encode()))
                    message = {**message, "headers": out}
            await send(message)

        await self.app(scope, receive, wrapped)


class _GZip(GZipMiddleware):
    """gzip over 1 KB, but not for the dump files (already compressed, or large downloads
    served as they are stored, with their published size and checksum)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/dumps/"):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def whole_store_views(settings: Settings) -> dict[str, Callable[[ReadStore], object]]:
    """The views computed once per data generation (api.views), by name."""
    return {"status": status.compute_status,
            "graphs": lambda r: r.named_graphs(),
            "networks": lambda r: network_list(r, settings.base_iri),
            "institutions": institution_list,
            "holders": map_holders,
            "void": lambda r: void.build_void(r, settings, void.ENDPOINT),
            "reconcile": lambda r: NameIndex.build(r, settings.base_iri)}


def _changed_elsewhere(app: FastAPI) -> None:
    """Another process wrote to the shared store: the generation moves, the index follows."""
    app.state.changes.seen_elsewhere()
    app.state.search.changed(None)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app on the store named by ``settings``."""
    settings = settings or Settings()
    app = FastAPI(
        title="CollEx knowledge graph",
        version=__version__,
        description="Collections d'excellence: knowledge graph, SPARQL and discovery API.",
        docs_url=None, redoc_url=None,  # /docs from local assets: api/docs.py
    )
    writer = open_store_write(settings)
    ensure(writer, settings)  # a load killed after its main write left derived state stale
    changes: QueryPool | Generation
    if isinstance(writer, EmbeddedStore):
        changes = QueryPool(settings.store_dir, settings.query_workers, settings.query_timeout,
                            snapshot=writer.backup, queue_wait=settings.query_queue_wait,
                            memory_mb=settings.query_memory_mb,
                            offline=not settings.service_allowlist)
        reader: ReadStore = PooledReader(changes)
    else:  # a shared store: writes through us are told, writes by others are watched
        watcher = StoreWatcher(lambda: change_marker(reader, settings.base_iri),
                               lambda: _changed_elsewhere(app), settings.remote_poll_seconds)
        changes = Generation(lambda: watcher.own_write(bump_writes(writer, settings.base_iri)))
        reader = writer.reader()
        app.state.watcher = watcher
        app.router.add_event_handler("startup", watcher.start)
        app.router.add_event_handler("shutdown", watcher.close)
    app.state.settings = settings
    app.state.writer = writer
    app.state.changes = changes  # data_changed() after every write; .generation
    app.state.reader = reader
    own: Callable[[], AbstractContextManager[ReadStore]] = (
        reader.own if isinstance(reader, PooledReader) else lambda: nullcontext(reader))
    app.state.views = GenerationViews(lambda: changes.generation, own,
                                      computations=whole_store_views(settings))
    # downloadable dumps, made in the background for each data state (api/dumps.py)
    app.state.dumps = made = Dumps(dumps_dir(settings), settings.base_iri)

    def make_dumps(reader: ReadStore) -> object:
        writes = changes.generation
        if isinstance(changes, QueryPool):  # from a pinned snapshot, in a process of its own
            with changes.pinned() as snapshot:
                return make_in_process(snapshot, made.directory, settings.base_iri, writes)
        return made.make(reader, writes)

    if settings.dumps:  # else only what `collex publish` made is served
        app.state.views.computations["dumps"] = make_dumps
    app.state.search = SearchFollower(own, settings.store_dir,
                                      lambda r: data_version(r, settings.base_iri))
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_burst)
    # SPARQL updates on the embedded store run where the engine cannot open network sockets,
    # unless an allow-list asks for LOAD or SERVICE (graph.sandbox)
    app.state.offline = (OfflineThread() if isinstance(writer, EmbeddedStore)
                         and not (settings.load_allowlist or settings.service_allowlist)
                         else None)
    if isinstance(writer, EmbeddedStore) and not sandbox_supported():
        log.warning("this system cannot sandbox the engine's network access (seccomp on"
                    " Linux x86-64/arm64): SERVICE and LOAD are guarded by the query check only")
    if isinstance(changes, QueryPool):
        app.router.add_event_handler("startup", lambda: threading.Thread(
            target=warm, args=(reader, settings.base_iri, lambda: app.state.views.start_all(
                later=("reconcile", "dumps"))),
            name="collex-warmup", daemon=True).start())
    app.router.add_event_handler("shutdown", changes.close)
    app.router.add_event_handler("shutdown", app.state.search.close)
    if app.state.offline is not None:
        app.router.add_event_handler("shutdown", app.state.offline.close)
    # inside CORS: CORS headers go on 304s and kept answers too (Origin is in the tag)
    app.add_middleware(_GZip, minimum_size=1024, compresslevel=6)
    # a shared store: its change marker is read for every answer that could come from the
    # cache, so that a write made elsewhere is never answered from before it
    shared = not isinstance(writer, EmbeddedStore)
    data_state = DataState(lambda: changes.generation,
                           (lambda: change_marker(reader, settings.base_iri)) if shared else
                           (lambda: data_version(reader, settings.base_iri)),
                           lambda: app.state.search.applied, lambda: last_load(reader),
                           recheck=0.0 if shared else None)
    app.add_middleware(_Language)  # inside the cache: an answer setting a cookie is not kept
    app.add_middleware(HttpCache, state=data_state,
                       max_bytes=settings.answer_cache_mb * 1024 * 1024,
                       limiter=app.state.rate_limiter)
    app.add_middleware(
        CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=False,
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"], allow_headers=["*"],
        expose_headers=["X-Collex-Row-Cap", "X-Collex-Truncated", "Retry-After", "Location"],
    )

    @app.exception_handler(CollexError)
    async def _collex_error(request: Request, exc: CollexError) -> Response:
        if wants_html(request):
            return error_page(request, exc.status, exc.detail, exc.headers)
        return JSONResponse(exc.to_dict(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """Routing's own errors (no such route: 404; a method a route does not take: 405)
        in the one error shape, or a page for browsers."""
        detail = {404: "no such page or resource", 405: "method not allowed"}.get(
            exc.status_code, str(exc.detail))
        if wants_html(request):
            return error_page(request, exc.status_code, detail, exc.headers)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code,
                                                                  "http_error")
        return JSONResponse({"error": code, "detail": detail}, status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect) -> Response:
        client = request.client.host if request.client else "a client"
        log.info("%s disconnected before sending the whole request to %s", client,
                 request.url.path)
        return Response(status_code=400)  # nobody reads it

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        if wants_html(request):
            return error_page(request, 500, "unexpected server error")
        return JSONResponse({"error": "internal_error", "detail": "unexpected server error"},
                            status_code=500)

    app.add_middleware(_ClientMiddleware)
    app.include_router(status.router)
    app.include_router(harvest.router)
    app.include_router(resources.router)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(void.router)
    app.include_router(oai.router)
    app.include_router(reconcile.router)
    app.include_router(dumps.router)
    app.include_router(query_page.router)
    app.include_router(collections.router)
    app.include_router(entities.router)
    app.include_router(pages.router)
    app.include_router(map_routes.router)
    app.include_router(site.router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=query_page.STATIC), name="static")
    return app
