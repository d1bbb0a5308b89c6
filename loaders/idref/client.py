"""A polite IdRef client: disk cache, timeouts, retries with backoff on 5xx and 429 (honouring
Retry-After), a rate limit, redirects followed only to allow-listed hosts, 404 kept as
"unknown" (so it is not asked again). Also fetches entities from a SPARQL endpoint
(data.idref.fr style) with SPARQLWrapper.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urljoin, urlparse

import requests

from loaders.authority import ppn_is_valid
from loaders.http import USER_AGENT, RateLimiter, retry_after

Status = Literal["ok", "unknown", "error", "invalid"]


@dataclass
class FetchResult:
    ppn: str
    status: Status
    data: bytes | None = None
    from_cache: bool = False
    message: str = ""
    final_url: str | None = None


class IdRefClient:
    """Fetches ``{base_url}{PPN}.xml`` (or ``.rdf``) politely, through a disk cache."""

    def __init__(self, base_url: str, cache_dir: Path, *, rate: float = 5.0,
                 timeout: float = 20.0, retries: int = 4,
                 allowed_hosts: list[str] | None = None,
                 session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.retries = retries
        self.allowed_hosts = {h.lower() for h in (allowed_hosts or ["www.idref.fr"])}
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.limiter = RateLimiter(rate, sleep)
        self._sleep = sleep
        self.http_requests = 0
        if not self.allowed(self.base_url):
            raise ValueError(f"{self.base_url} is not on the IdRef host allow-list")

    def allowed(self, url: str) -> bool:
        """True for an http(s) URL on one of the allowed hosts."""
        parts = urlparse(url)
        return parts.scheme in ("http", "https") and (parts.hostname or "") in self.allowed_hosts

    def _cache(self, ppn: str, kind: str) -> tuple[Path, Path]:
        return self.cache_dir / f"{ppn}.{kind}", self.cache_dir / f"{ppn}.{kind}.unknown"

    def fetch(self, ppn: str, kind: str = "xml") -> FetchResult:
        """One record, from the cache when it was seen before (a 404 included)."""
        ppn = ppn.strip().upper()
        if not ppn_is_valid(ppn):
            return FetchResult(ppn, "invalid", message=f"invalid PPN {ppn!r}: not fetched")
        data_path, unknown_path = self._cache(ppn, kind)
        if data_path.exists():
            return FetchResult(ppn, "ok", data_path.read_bytes(), from_cache=True)
        if unknown_path.exists():
            return FetchResult(ppn, "unknown", from_cache=True,
                               message="unknown to IdRef (404, cached)")
        result = self._get(ppn, f"{self.base_url}{ppn}.{kind}")
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        if result.status == "ok" and result.data is not None:
            tmp = data_path.with_suffix(data_path.suffix + ".part")
            tmp.write_bytes(result.data)
            tmp.replace(data_path)
        elif result.status == "unknown":
            unknown_path.write_text(result.message + "\n", encoding="utf-8")
        return result

    def _get(self, ppn: str, url: str) -> FetchResult:
        attempt = 0
        while True:
            try:
                response, final = self._follow(url)
            except _Refused as exc:
                return FetchResult(ppn, "error", message=str(exc))
            except requests.RequestException as exc:
                if attempt >= self.retries:
                    return FetchResult(ppn, "error", message=f"{type(exc).__name__}: {exc}")
                self._sleep(self._backoff(attempt, None))
                attempt += 1
                continue
            code = response.status_code
            if code == 200:
                return FetchResult(ppn, "ok", response.content, final_url=final)
            if code in (404, 410):
                return FetchResult(ppn, "unknown", message=f"unknown to IdRef ({code})",
                                   final_url=final)
            if code == 429 or code >= 500:
                if attempt >= self.retries:
                    return FetchResult(ppn, "error",
                                       message=f"IdRef answered {code} after {attempt + 1} tries")
                self._sleep(self._backoff(attempt, retry_after(response.headers.get(
                    "Retry-After"))))
                attempt += 1
                continue
            return FetchResult(ppn, "error", message=f"IdRef answered {code}")

    def _backoff(self, attempt: int, hinted: float | None) -> float:
        if hinted is not None:
            return float(min(hinted, 120.0))
        return float(min(0.5 * 2**attempt, 30.0))

    def _follow(self, url: str) -> tuple[requests.Response, str]:
        for _ in range(6):
            if not self.allowed(url):
                raise _Refused(f"refused to contact {url}: host not on the allow-list")
            self.limiter.wait()
            self.http_requests += 1
            response = self.session.get(url, timeout=(5, self.timeout), allow_redirects=False)
            if response.status_code in (301, 302, 303, 307, 308) and "Location" in response.headers:
                url = urljoin(url, response.headers["Location"])
                continue
            return response, url
        raise _Refused(f"too many redirects from {url}")


class _Refused(Exception):
    pass


def fetch_sparql(endpoint: str, ppns: list[str], *, timeout: float = 30.0,
                 batch: int = 50) -> dict[str, str]:
    """N-Triples of each entity ``http://www.idref.fr/{PPN}/id`` from a SPARQL endpoint."""
    from rdflib import Graph, URIRef
    from SPARQLWrapper import TURTLE, SPARQLWrapper

    out: dict[str, str] = {}
    for i in range(0, len(ppns), batch):
        chunk = [p for p in ppns[i:i + batch] if ppn_is_valid(p)]
        if not chunk:
            continue
        values = " ".join(f"<http://www.idref.fr/{p}/id>" for p in chunk)
        client = SPARQLWrapper(endpoint)
        client.setTimeout(int(timeout))
        client.setQuery(f"CONSTRUCT {{ ?e ?p ?o }} WHERE {{ VALUES ?e {{ {values} }} ?e ?p ?o }}")
        client.setReturnFormat(TURTLE)
        raw = client.query().convert()
        g = Graph()
        g.parse(data=raw if isinstance(raw, (str, bytes)) else str(raw), format="turtle")
        for p in chunk:
            triples = Graph()
            for t in g.triples((URIRef(f"http://www.idref.fr/{p}/id"), None, None)):
                triples.add(t)
            if len(triples):
                out[p] = triples.serialize(format="xml")
    return out
