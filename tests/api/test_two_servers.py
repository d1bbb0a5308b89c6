"""Several API servers, one store: two `collex serve` on one Virtuoso. A write through one
is in the other's SPARQL answers at once (cached answers included: a shared store's change
marker is read for every answer that could come from the cache), and in its search within
the documented delay (``COLLEX_REMOTE_POLL_SECONDS`` plus a rebuild of the index); so is a
load made by `collex load` beside both."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import COLLEX, SAMPLE, remote_store, serving

TOKEN = "two-servers-token-0123456789abcdef"
BASE = "http://127.0.0.1:8000/"
POLL = 1.0
DELAY = POLL + 10.0  # the poll, then a rebuild of the sample's index (about a second here)
COLLECTION = "http://purl.org/dc/dcmitype/Collection"


def _total(base: str, q: str) -> int:
    r = httpx.get(base + "/api/collections", params={"q": q}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def _ask(base: str, query: str) -> bool:
    r = httpx.get(base + "/sparql", params={"query": query}, timeout=30,
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return bool(r.json()["boolean"])


def _within(check: object, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds + 5:
        if check():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError("not followed")


def test_a_write_through_one_server_is_seen_by_the_other(tmp_path: Path) -> None:
    with remote_store("virtuoso", tmp_path) as env:
        env = {**env, "COLLEX_ADMIN_TOKEN": TOKEN, "COLLEX_BASE_IRI": BASE,
               "COLLEX_REMOTE_POLL_SECONDS": str(POLL)}
        subprocess.run([str(COLLEX), "load", str(SAMPLE)], check=True, capture_output=True,
                       env={**os.environ, **env, "COLLEX_STORE_DIR": str(tmp_path / "cli")})
        with serving(tmp_path / "a", env) as a, serving(tmp_path / "b", env) as b:
            coll = f"{BASE}id/collection/two-servers"
            ask = f"ASK {{ <{coll}> a <{COLLECTION}> }}"
            assert not _ask(b, ask)  # answered, and kept in B's answer cache
            assert _total(b, "zyxwvut") == 0
            turtle = (f"<{coll}> a <{COLLECTION}> ;"
                      ' <http://purl.org/dc/terms/title> "Fonds Zyxwvut, papiers de voyage" .')
            r = httpx.put(a + "/rdf-graph-store", params={"graph": f"{BASE}graph/ead/two"},
                          content=turtle, timeout=30, headers={
                              "Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"})
            assert r.status_code == 201, r.text
            assert _ask(b, ask)  # at once, though B answered the same query before
            seconds = _within(lambda: _total(b, "zyxwvut") == 1, DELAY)
            assert seconds < DELAY
            print(f"B's search followed A's write in {seconds:.2f} s")
            assert _total(a, "zyxwvut") == 1
            # a load by `collex load`, beside both servers: both follow
            extra = tmp_path / "extra.csv"
            extra.write_text("isil,name,city\nFR-999999999,Bibliothèque Qwertzu,Lyon\n",
                             encoding="utf-8")
            done = subprocess.run([str(COLLEX), "load", str(extra)], capture_output=True,
                                  text=True,
                                  env={**os.environ, **env, "COLLEX_STORE_DIR": str(tmp_path
                                                                                   / "cli")})
            assert done.returncode == 0, done.stderr
            for server in (a, b):
                r = httpx.get(server + "/api/institutions/FR-999999999", timeout=30)
                assert r.status_code == 200 and "Qwertzu" in r.text


def test_behind_a_reverse_proxy_each_client_is_limited_on_its_own(
        serve: Callable[..., str]) -> None:
    """README, "Running at national scale": a reverse proxy on the same machine passes the
    client's address in `X-Forwarded-For`, which the server trusts from 127.0.0.1 (uvicorn's
    `FORWARDED_ALLOW_IPS` for a proxy elsewhere): rate limits hold per client, not for the
    proxy as a whole, and a client cannot pose as another by sending the header itself from
    an address not trusted."""
    base = serve({"COLLEX_RATE_LIMIT": "0.5", "COLLEX_RATE_BURST": "3"}, load=False)

    def ask(client: str) -> int:
        return httpx.get(base + "/sparql", params={"query": "ASK {}"},
                         headers={"X-Forwarded-For": client}).status_code

    assert [ask("192.0.2.1") for _ in range(4)] == [200, 200, 200, 429]
    assert ask("192.0.2.2") == 200
    # from an address the server does not trust, the header is not believed
    outside = serve({"COLLEX_RATE_LIMIT": "0.5", "COLLEX_RATE_BURST": "3",
                     "FORWARDED_ALLOW_IPS": "192.0.2.254"}, load=False)
    codes = [httpx.get(outside + "/sparql", params={"query": "ASK {}"},
                       headers={"X-Forwarded-For": f"192.0.2.{k}"}).status_code
             for k in range(1, 5)]
    assert codes == [200, 200, 200, 429]
