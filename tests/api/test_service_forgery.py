"""SERVICE and LOAD cannot be smuggled past the allow-lists: forged queries and updates
against a real `collex serve`, and a listener on 127.0.0.1 that counts the connections the
engine would make. The control shows the engine does connect when nothing stops it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import ServerFactory

TOKEN = "forgery-test-token-0123456789"
SPACES = ["\u00a0", "\u1680", "\u2000", "\u2003", "\u2009", "\u200a", "\u2028", "\u2029",
          "\u202f", "\u205f", "\u3000", "\ufeff", "\u0085", "\u000b", "\u000c"]


class Listener:
    """A TCP listener on 127.0.0.1 that accepts and counts connections."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def forged_queries(port: int) -> list[str]:
    t = f"http://127.0.0.1:{port}/sparql"
    body = "{ ?s ?p ?o }"
    out = [
        f"SELECT * WHERE {{ SERVICE <{t}> {body} }}",
        f"select * where {{ service <{t}> {body} }}",
        f"SELECT * WHERE {{ SeRvIcE <{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE silent <{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE<{t}>{body} }}",
        f"SELECT * WHERE {{ SERVICE\t<{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE\n<{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE\r\n<{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n<{t}> {body} }}",
        f"SELECT * WHERE {{ # a comment ending with CR\rSERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ ?s ?p '#' . SERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ ?s ?p \"\\\"#\" . SERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ ?s ?p '''a\n#''' . SERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ SERV\\u0049CE <{t}> {body} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ \\U00000053ERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http\\u003A//127.0.0.1:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE \\u003C{t}\\u003E {body} }}",
        f"SELECT * WHERE {{ SERVICE <{t}\\u00a0#> {body} }}",
        f"PREFIX ex: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE ex:sparql {body} }}",
        f"PREFIX : <{t}> SELECT * WHERE {{ SERVICE : {body} }}",
        f"BASE <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE <sparql> {body} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ <{t}> }} SERVICE ?x {body} }}",
        f"SELECT * WHERE {{ BIND(<{t}> AS ?x) SERVICE ?x {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://allowed.invalid/> {{ SERVICE <{t}> {body} }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{t}> {body} }} }}",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{t}> {body} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{t}> {body} }} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{t}> {body} }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{t}> {body} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{t}> {body} }} }}",
        f"ASK {{ SERVICE <{t}> {body} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {body} }}",
        f"DESCRIBE ?s WHERE {{ SERVICE <{t}> {body} }}",
        f"SELECT * WHERE {{ SERVICE <HTTP://127.0.0.1:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/%73parql> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://localhost:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://127.1:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://2130706433:{port}/sparql> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://allowed.invalid@127.0.0.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://allowed.invalid:x@127.0.0.1:{port}/> {body} }}",
        f"SELECT * WHERE {{ SERVICE <http://allowed.invalid/../> {{ SERVICE <{t}> {body} }} }}",
    ]
    out += [f"SELECT * WHERE {{ SERVICE <{t}{sp}#> {body} }}" for sp in SPACES]
    out += [f"SELECT * WHERE {{ SERVICE{sp}<{t}> {body} }}" for sp in SPACES[:4]]
    return out


def forged_updates(port: int) -> list[str]:
    t = f"http://127.0.0.1:{port}/data.ttl"
    where = f"WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    return [
        f"LOAD <{t}>",
        f"load <{t}>",
        f"LOAD SILENT <{t}>",
        f"LOAD <{t}> INTO GRAPH <http://ex.org/g>",
        f"LO\\u0041D <{t}>",
        f"LOAD <{t}\u00a0#>",
        f"LOAD <{t}\u3000#> INTO GRAPH <http://ex.org/g>",
        f"# comment\rLOAD <{t}>",
        f"INSERT DATA {{ <http://ex.org/s> <http://ex.org/p> 1 }} ; LOAD <{t}>",
        f"PREFIX ex: <http://127.0.0.1:{port}/> LOAD ex:data.ttl",
        f"BASE <http://127.0.0.1:{port}/> LOAD <data.ttl>",
        f"LOAD <http://allowed.invalid@127.0.0.1:{port}/data.ttl>",
        f"INSERT {{ ?s ?p ?o }} {where}",
        f"DELETE {{ ?s ?p ?o }} {where}",
        f"DELETE {where}",
    ]


def test_the_engine_would_connect_without_the_checks(listener: Listener) -> None:
    """Control: the same query run straight on the engine reaches the listener."""
    store = ox.Store()
    with pytest.raises(OSError):
        list(store.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s>"
                         " { ?s ?p ?o } }"))
    assert listener.connections >= 1


@pytest.mark.parametrize("backend", ["embedded", "remote"], indirect=True)
def test_forged_service_and_load_never_connect(serve: ServerFactory,
                                               listener: Listener) -> None:
    base = serve({"COLLEX_ADMIN_TOKEN": TOKEN,
                  "COLLEX_SERVICE_ALLOWLIST": '["http://allowed.invalid"]',
                  "COLLEX_LOAD_ALLOWLIST": '["http://allowed.invalid"]'})
    queries, updates = forged_queries(listener.port), forged_updates(listener.port)
    assert len(queries) + len(updates) >= 50
    statuses = {}
    for i, query in enumerate(queries):
        if i % 3 == 0:
            r = httpx.get(base + "/sparql", params={"query": query})
        elif i % 3 == 1:
            r = httpx.post(base + "/sparql", data={"query": query})
        else:
            r = httpx.post(base + "/sparql", content=query.encode("utf-8"),
                           headers={"Content-Type": "application/sparql-query"})
        statuses[query] = r.status_code
    for update in updates:
        r = httpx.post(base + "/sparql", content=update.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-update",
                                "Authorization": f"Bearer {TOKEN}"})
        statuses[update] = r.status_code
    assert listener.connections == 0
    assert {q: s for q, s in statuses.items() if s != 400} == {}
