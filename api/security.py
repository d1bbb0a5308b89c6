"""Safety helpers for HTTP routes: admin token, per-client rate limit, request body cap."""

from __future__ import annotations

import hmac
import math
import threading
import time

from fastapi import Request

from collex.errors import Forbidden, RateLimited, TooLarge, Unauthorized
from collex.settings import Settings


def require_admin(request: Request, settings: Settings, what: str) -> None:
    """Writes need ``COLLEX_ADMIN_TOKEN`` set and ``Authorization: Bearer <token>``."""
    if not settings.admin_token:
        raise Forbidden(f"{what} is disabled on this server (no COLLEX_ADMIN_TOKEN configured)")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.admin_token.encode()
    ):
        raise Unauthorized(f"{what} needs the admin bearer token")


class RateLimiter:
    """Token bucket per client address. Thread-safe.

    >>> rl = RateLimiter(rate=1.0, burst=2)
    >>> rl.take("a"), rl.take("a"), rl.take("a") > 0
    (0, 0, True)
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> int:
        """0 if the request may go; otherwise the seconds to wait (for Retry-After)."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > 100_000:  # forget idle clients
                    self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
                return 0
            self._buckets[client] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def check(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        wait = self.take(client)
        if wait:
            raise RateLimited(f"too many requests from {client}; retry in {wait} s", wait)


async def read_body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 past ``cap`` bytes (COLLEX_MAX_BODY_BYTES)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TooLarge(f"request body over {cap} bytes (COLLEX_MAX_BODY_BYTES)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge(f"request body over {cap} bytes (COLLEX_MAX_BODY_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)
