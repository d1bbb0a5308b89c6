"""HTTP caching for GET (and HEAD) answers: strong ETags, 304s, and answers kept in memory.

The data change only when something is written, so an answer is a function of the request and
of the data's state. The state is a *token*: this process's start, the store's data version
(written with each load), the writes made through this server (the query pool's generation)
and the search index's rebuilds. Each GET answer gets

- ``ETag``: a hash of the token and of what selects the representation (path and query,
  ``Accept``, ``Accept-Language``, the page-language cookie, whether gzip is accepted,
  ``Origin``), strong: the same tag
  is always the same bytes;
- ``If-None-Match`` with that tag: ``304`` at once, without running anything;
- ``Last-Modified`` (the last change this process knows of), ``Cache-Control: public,
  max-age=0, must-revalidate`` (a shared cache keeps answers and revalidates each time: a
  ``304`` costs a hash), ``Vary`` on what the tag depends on;
- and, for answers of ``200`` up to ``COLLEX_ANSWER_CACHE_MB / 8``, a place in a memory-bounded
  LRU keyed by the tag: a repeated identical request (the same SPARQL GET from every visitor of
  a portal) is answered from memory until the next write (``X-Collex-Cache: hit``), unless it
  says ``Cache-Control: no-cache`` (or ``Pragma: no-cache``): then it is computed again.

``HEAD`` is answered wherever ``GET`` is: the request goes in as a ``GET`` and the body is
dropped (``Content-Length`` kept). Requests with an ``Authorization`` header and answers that
set cookies or their own ``Cache-Control: no-store`` are left alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.i18n import cookie_lang
from api.security import RateLimiter

_SKIP_PREFIXES = ("/static/", "/dumps")  # dumps change when made, not when written
_LIMITED = {"/sparql", "/rdf-graph-store", "/api/collections", "/oai"}  # and /graph/...
_VARY = "Accept, Accept-Encoding, Accept-Language, Origin, Cookie"  # Cookie: the page language


class AnswerCache:
    """Answers by tag, least recently used out first, within ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.item_bytes = max_bytes // 8
        self._items: OrderedDict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = (
            OrderedDict())
        self._size = 0
        self._lock = threading.Lock()
        self._token = ""

    def get(self, token: str, tag: str) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        with self._lock:
            if token != self._token:  # the data changed: nothing kept is true any more
                self._items.clear()
                self._size, self._token = 0, token
                return None
            found = self._items.get(tag)
            if found is not None:
                self._items.move_to_end(tag)
            return found

    def put(self, token: str, tag: str, status: int, headers: list[tuple[bytes, bytes]],
            body: bytes) -> None:
        if len(body) > self.item_bytes:
            return
        with self._lock:
            if token != self._token or tag in self._items:
                return
            self._items[tag] = (status, headers, body)
            self._size += len(body)
            while self._size > self.max_bytes and self._items:
                _, (_, _, old) = self._items.popitem(last=False)
                self._size -= len(old)


class HttpCache:
    """The ASGI middleware (see the module's docstring)."""

    def __init__(self, app: ASGIApp, state: DataState, max_bytes: int,
                 limiter: RateLimiter | None = None) -> None:
        self.app = app
        self.state = state
        self.limiter = limiter  # what the routes limit stays limited when answered here
        self.cache = AnswerCache(max_bytes) if max_bytes > 0 else None
        self.nonce = os.urandom(8).hex()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(_SKIP_PREFIXES):  # not tagged nor kept; HEAD still works
            if scope["method"] == "HEAD":
                await self.app({**scope, "method": "GET"}, receive, _bodiless(send))
            else:
                await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        head = scope["method"] == "HEAD"
        inner = {**scope, "method": "GET"} if head else scope
        if b"authorization" in headers:
            await self.app(inner, receive, _bodiless(send) if head else send)
            return
        known = self.state.peek()
        token, changed = known if known is not None else await run_in_threadpool(self.state)
        token = f"{self.nonce}-{token}"
        tag = _tag(token, scope, headers)
        quoted = f'"{tag}"'.encode()
        extra = [(b"etag", quoted), (b"last-modified", formatdate(changed, usegmt=True).encode()),
                 (b"cache-control", b"public, max-age=0, must-revalidate"),
                 (b"vary", _VARY.encode())]
        wanted = headers.get(b"if-none-match", b"")
        matched = bool(wanted) and (wanted.strip() == b"*" or quoted in [
            w.strip().removeprefix(b"W/") for w in wanted.split(b",")])
        fresh = b"no-cache" in headers.get(b"cache-control", b"").lower() or (
            b"no-cache" in headers.get(b"pragma", b"").lower())
        kept = None if matched or fresh or self.cache is None else self.cache.get(token, tag)
        if (matched or kept is not None) and await self._limited(scope, send):
            return
        if matched:
            await send({"type": "http.response.start", "status": 304, "headers": extra})
            await send({"type": "http.response.body", "body": b""})
            return
        if kept is not None:
            status, answer_headers, body = kept
            await send({"type": "http.response.start", "status": status,
                        "headers": [*answer_headers, (b"x-collex-cache", b"hit")]})
            await send({"type": "http.response.body", "body": b"" if head else body})
            return
        await self.app(inner, receive, self._recorder(send, token, tag, extra, head))

    async def _limited(self, scope: Scope, send: Send) -> bool:
        """Charge the client's rate limit for an answer given here on the paths whose routes
        are limited (the route charges the others); True when it answered 429."""
        path = scope["path"]
        if self.limiter is None or not (path in _LIMITED or path.startswith("/graph/")):
            return False
        client = scope.get("client")
        wait = self.limiter.take(str(client[0]) if client else "unknown")
        if not wait:
            return False
        body = json.dumps({"error": "rate_limited", "detail": "too many requests; retry in"
                           f" {wait} s"}).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", str(wait).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return True

    def _recorder(self, send: Send, token: str, tag: str, extra: list[tuple[bytes, bytes]],
                  head: bool) -> Send:
        """Add the caching headers to a 200 and keep its body when it is small enough."""
        started: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = [0]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message["status"]
                names = {k.lower() for k, _ in message.get("headers", [])}
                cacheable = status == 200 and b"set-cookie" not in names and not any(
                    k.lower() == b"cache-control" and b"no-store" in v.lower()
                    for k, v in message.get("headers", []))
                if cacheable:
                    kept = [(k, v) for k, v in message.get("headers", [])
                            if k.lower() not in (b"etag", b"last-modified", b"cache-control",
                                                 b"vary")]
                    message = {**message, "headers": [*kept, *extra]}
                    started.update(status=status, headers=message["headers"], keep=True)
                await send(message)
                return
            if message["type"] == "http.response.body":
                body = message.get("body", b"")
                if started.get("keep") and self.cache is not None:
                    size[0] += len(body)
                    if size[0] <= self.cache.item_bytes:
                        chunks.append(body)
                    else:
                        started["keep"] = False
                        chunks.clear()
                if not message.get("more_body", False) and started.get("keep") and (
                        self.cache is not None):
                    self.cache.put(token, tag, started["status"], started["headers"],
                                   b"".join(chunks))
                if head:
                    message = {**message, "body": b""}
            await send(message)

        return wrapped


def _bodiless(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return wrapped


def _tag(token: str, scope: Scope, headers: dict[bytes, bytes]) -> str:
    gzip = b"gzip" in headers.get(b"accept-encoding", b"").lower()
    key = b"\x00".join([
        token.encode(), scope["path"].encode(), scope.get("query_string", b""),
        headers.get(b"accept", b""), headers.get(b"accept-language", b""),
        b"gz" if gzip else b"id", headers.get(b"origin", b""),
        (cookie_lang(headers.get(b"cookie", b"").decode("latin-1")) or "").encode()])
    return hashlib.sha256(key).hexdigest()[:32]


class DataState:
    """The token and last-change time of the data this server answers from."""

    def __init__(self, generation: Callable[[], int], version: Callable[[], str | None],
                 search: Callable[[], int], loaded: Callable[[], float | None],
                 recheck: float | None = None) -> None:
        self._generation = generation
        self._version = version
        self._search = search
        self._loaded = loaded
        # a store other processes may write (remote): its data version is read again at
        # least this often; the embedded store has no other writer (it is locked)
        self._recheck = recheck
        self._checked = 0.0
        self._seen: tuple[int, int] | None = None
        self._version_seen: str | None = None
        self._token = ""
        self._changed = time.time()
        self._lock = threading.Lock()

    def peek(self) -> tuple[str, float] | None:
        """The token, or None when the data may have changed since it was made (then
        ``__call__``, which queries the store: off the event loop)."""
        now = (self._generation(), self._search())
        with self._lock:
            if now != self._seen or (self._recheck is not None
                                     and time.monotonic() - self._checked > self._recheck):
                return None
            return self._token, self._changed

    def __call__(self) -> tuple[str, float]:
        now = (self._generation(), self._search())
        with self._lock:
            stale = self._recheck is not None and (
                time.monotonic() - self._checked > self._recheck)
            if now != self._seen or stale:
                first = self._seen is None
                version = self._version() or "empty"
                self._checked = time.monotonic()
                if now != self._seen or version != self._version_seen:
                    self._seen, self._version_seen = now, version
                    self._token = f"{version}-{now[0]}-{now[1]}"
                    # the last load's time at start; then the moment a change was seen
                    self._changed = (self._loaded() or self._changed) if first else (
                        time.time())
            return self._token, self._changed


_LAST_LOAD = ("SELECT (MAX(?t) AS ?m) WHERE { GRAPH ?g {"
              " ?g <http://www.w3.org/ns/prov#generatedAtTime> ?t } }")


def last_load(reader: Any) -> float | None:
    """When the store's newest source record was written (Unix time), or None."""
    import datetime as dt

    rows = reader.select(_LAST_LOAD)
    value = getattr(rows[0].get("m"), "value", None) if rows else None
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
