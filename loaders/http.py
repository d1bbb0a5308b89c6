"""Polite HTTP for the clients that fetch from producers (IdRef, OAI-PMH repositories): a rate
limit per host shared by every client of the process, ``Retry-After`` read in both of its
forms, and bodies read with a size cap (a repository that streams without end is stopped at
the cap, not held in memory).
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import requests

USER_AGENT = "collex-graph/0.1 (CollEx knowledge graph; +https://w3id.org/collex)"


class RateLimiter:
    """At most ``rate`` request starts per second, across threads."""

    def __init__(self, rate: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self.interval
        if delay > 0:
            self._sleep(delay)


_HOSTS: dict[tuple[str, float], RateLimiter] = {}
_HOSTS_LOCK = threading.Lock()


def host_limiter(url: str, rate: float) -> RateLimiter:
    """The limiter of ``url``'s host at ``rate`` requests per second, one per process: two
    sources on the same host share it, so together they stay under the rate.

    >>> host_limiter("https://a.example/oai", 2.0) is host_limiter("https://A.example/x", 2.0)
    True
    """
    key = ((urlparse(url).hostname or "").lower(), rate)
    with _HOSTS_LOCK:
        limiter = _HOSTS.get(key)
        if limiter is None:
            limiter = _HOSTS[key] = RateLimiter(rate)
        return limiter


def retry_after(header: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date).

    >>> retry_after("3"), retry_after(None), retry_after("soon")
    (3.0, None, None)
    """
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class TooLarge(Exception):
    """A response body over the size cap."""


def read_capped(response: requests.Response, max_bytes: int) -> bytes:
    """The body of a streamed response (``stream=True``), refused past ``max_bytes``: a
    declared ``Content-Length`` over the cap is refused before reading anything."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise TooLarge(f"the answer declares {int(declared)} bytes, over the cap of"
                       f" {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        size += len(chunk)
        if size > max_bytes:
            response.close()
            raise TooLarge(f"the answer runs over the cap of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
