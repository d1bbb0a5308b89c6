"""The query workers of `collex serve`: the deadline counts execution, not the wait for a
worker; the wait has its own bound (503 + Retry-After); a query that needs more memory than
the cap is stopped without taking the machine down."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.conftest import ServerFactory

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)

HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
         "?m ?n2 ?o }")
CHEAP = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def _in_thread(url: str, query: str, out: dict[str, object]) -> threading.Thread:
    def go() -> None:
        r = httpx.get(url + "/sparql", params={"query": query}, headers=JSON, timeout=60)
        out.update(status=r.status_code, body=r.text)

    thread = threading.Thread(target=go)
    thread.start()
    return thread


def _settled(base: str) -> None:
    """Wait until the server answers a cheap query at once three times in a row: its start
    (views, dumps, the search index) no longer holds the only worker or the CPU, so that
    the heavy query sent next is the one the worker takes."""
    deadline, quick, n = time.monotonic() + 60, 0, 0
    while quick < 3:
        assert time.monotonic() < deadline, "the server never settled"
        n += 1  # a new query each time: an answer from the cache would not need the worker
        started = time.monotonic()
        r = httpx.get(base + "/sparql", params={"query": f"ASK {{ ?s ?p {n} }}"},
                      headers=JSON, timeout=60)
        quick = quick + 1 if r.status_code == 200 and time.monotonic() - started < 0.1 else 0
        time.sleep(0.05)


def _quiet(serve: ServerFactory, env: dict[str, str]) -> str:
    """`collex serve` with ``env``, no dumps made in the background and no rate limit in the
    way, once settled: the scenes below time the workers, not the server's start."""
    base = serve({"COLLEX_DUMPS": "false", "COLLEX_RATE_LIMIT": "1000",
                  "COLLEX_RATE_BURST": "1000", **env})
    _settled(base)
    return base


def _cheap_behind_heavy(base: str) -> tuple[dict[str, object], httpx.Response, float]:
    """A cheap query sent while the only worker runs a heavy one: (the heavy query's
    outcome, the cheap query's answer, its seconds)."""
    heavy: dict[str, object] = {}
    thread = _in_thread(base, HEAVY, heavy)
    time.sleep(0.5)
    started = time.monotonic()
    cheap = httpx.get(base + "/sparql", params={"query": CHEAP}, headers=JSON, timeout=60)
    elapsed = time.monotonic() - started
    thread.join()
    return heavy, cheap, elapsed


def test_a_cheap_query_queued_behind_a_heavy_one_is_not_stopped(serve: ServerFactory) -> None:
    """One worker, a 3 s deadline: the heavy query is stopped at 3 s; the cheap one sent
    just after it waits for the worker, then runs and is answered (before, its wait counted
    in its deadline and it got 503 too)."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "3",
                  "COLLEX_QUERY_QUEUE_WAIT": "20"})
    heavy, cheap, waited = _cheap_behind_heavy(base)
    assert heavy["status"] == 503 and "deadline" in str(heavy["body"])
    assert waited > 1.5  # it did wait for the worker (about 2.5 s)
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True


def test_the_wait_for_a_worker_is_bounded_with_retry_after(serve: ServerFactory) -> None:
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "6",
                  "COLLEX_QUERY_QUEUE_WAIT": "1"})
    _, r, elapsed = _cheap_behind_heavy(base)
    assert r.status_code == 503 and r.json()["error"] == "busy"
    assert r.headers["Retry-After"] == "1"
    assert 0.9 < elapsed < 3.0


def test_a_query_past_the_memory_cap_is_stopped_and_the_next_one_served(
    serve: ServerFactory,
) -> None:
    """Three VALUES blocks of 1,000 joined to a pattern make the engine build a billion
    rows at once (23 GB before it was killed by the system, measured). Capped, the worker
    aborts, the client gets 503 naming the cap, and a new worker serves the next query."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "60",
                  "COLLEX_QUERY_MEMORY_MB": "600"})
    values = " ".join(str(i) for i in range(1000))
    bomb = (f"SELECT * WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }}"
            f" VALUES ?c {{ {values} }} ?s ?p ?o }}")
    started = time.monotonic()
    r = httpx.post(base + "/sparql", data={"query": bomb}, headers=JSON, timeout=90)
    assert r.status_code == 503, r.text
    assert "600 MiB" in r.json()["detail"]
    assert time.monotonic() - started < 60
    ok = httpx.get(base + "/sparql", params={"query": CHEAP}, headers=JSON, timeout=60)
    assert ok.status_code == 200 and ok.json()["boolean"] is True


def test_a_graph_store_write_does_not_wait_for_a_busy_worker(serve: ServerFactory) -> None:
    token = "pool-test-token-0123456789"
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "5",
                  "COLLEX_QUERY_QUEUE_WAIT": "10", "COLLEX_ADMIN_TOKEN": token})
    heavy: dict[str, object] = {}
    thread = _in_thread(base, HEAVY, heavy)
    time.sleep(0.3)
    started = time.monotonic()
    r = httpx.put(base + "/rdf-graph-store", params={"graph": "http://ex.org/g"},
                  content=b"<http://ex.org/s> <http://ex.org/p> \"1\" .",
                  headers={"Content-Type": "application/n-triples",
                           "Authorization": f"Bearer {token}"}, timeout=30)
    elapsed = time.monotonic() - started
    thread.join()
    assert r.status_code == 201, r.text
    assert elapsed < 2.0  # the worker stayed busy for 5 s


def test_a_syntax_error_is_answered_at_once_while_every_worker_is_busy(
    serve: ServerFactory,
) -> None:
    """One worker busy with a heavy query: a malformed query gets 400 at once (the engine's
    parser in a process of its own), a valid one still waits its turn."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "4",
                  "COLLEX_QUERY_QUEUE_WAIT": "20"})
    heavy: dict[str, object] = {}
    thread = _in_thread(base, HEAVY, heavy)
    time.sleep(0.5)
    started = time.monotonic()
    bad = httpx.get(base + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"},
                    headers=JSON, timeout=60)
    elapsed = time.monotonic() - started
    thread.join()
    assert bad.status_code == 400 and "syntax" in bad.json()["detail"]
    assert elapsed < 1.5, elapsed
    assert heavy["status"] == 503


def test_one_client_cannot_hold_every_worker(serve: ServerFactory) -> None:
    """Two workers; client 127.0.0.2 sends three heavy queries at once: they run one at a
    time, and client 127.0.0.3's query of a new shape waits for the first of them only, not
    for all three (round robin between clients), while its lookup of a shape known to be
    fast is answered at once on the worker kept for those."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "2", "COLLEX_QUERY_TIMEOUT": "3",
                  "COLLEX_QUERY_QUEUE_WAIT": "20", "COLLEX_RATE_BURST": "100"})

    def client(address: str) -> httpx.Client:
        return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60)

    with client("127.0.0.3") as c:
        assert c.get(base + "/sparql", params={"query": CHEAP}, headers=JSON).status_code == 200
    heavy: list[int] = []

    def hog() -> None:
        with client("127.0.0.2") as c:
            heavy.append(c.get(base + "/sparql", params={"query": HEAVY},
                               headers=JSON).status_code)

    threads = [threading.Thread(target=hog) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.8)
    with client("127.0.0.3") as c:
        started = time.monotonic()
        cheap = c.get(base + "/sparql", params={"query": CHEAP}, headers=JSON)
        fast = time.monotonic() - started
        started = time.monotonic()
        new = c.get(base + "/sparql", params={"query": "ASK { ?s ?p ?s }"}, headers=JSON)
        waited = time.monotonic() - started
    for t in threads:
        t.join()
    assert cheap.status_code == 200 and fast < 1.0, fast
    assert new.status_code == 200 and 1.0 < waited < 4.0, waited  # one heavy query, not 3
    assert heavy == [503, 503, 503]  # each ran, one at a time, to its deadline


def _hogs(base: str) -> tuple[list[int], list[threading.Thread]]:
    """Two clients (127.0.0.2 and .3) each send a heavy query; once they are under way:
    their statuses (filled as they end) and their threads."""
    heavy: list[int] = []

    def hog(address: str) -> None:
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address),
                          timeout=60) as c:
            heavy.append(c.get(base + "/sparql", params={"query": HEAVY},
                               headers=JSON).status_code)

    threads = [threading.Thread(target=hog, args=(a,)) for a in ("127.0.0.2", "127.0.0.3")]
    for t in threads:
        t.start()
    time.sleep(0.8)
    return heavy, threads


def test_heavy_queries_from_many_clients_leave_a_worker_to_known_fast_shapes(
    serve: ServerFactory,
) -> None:
    """Two workers: heavy queries from two clients could hold both; one worker is kept for
    queries whose shape is known to run fast (a lookup seen before, other IRIs), so a third
    client's lookup is answered at once while the heavy ones queue for the other worker."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "2", "COLLEX_QUERY_TIMEOUT": "3",
                  "COLLEX_QUERY_QUEUE_WAIT": "20"})

    def client(address: str) -> httpx.Client:
        return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=60)

    lookup = "SELECT ?p ?o WHERE {{ <http://example.org/{}> ?p ?o }}"
    with client("127.0.0.4") as c:
        for i in range(3):  # the shape becomes known fast
            assert c.get(base + "/sparql", params={"query": lookup.format(i)},
                         headers=JSON).status_code == 200
    heavy, threads = _hogs(base)
    with client("127.0.0.4") as c:
        started = time.monotonic()
        r = c.get(base + "/sparql", params={"query": lookup.format("other")}, headers=JSON)
        elapsed = time.monotonic() - started
    for t in threads:
        t.join()
    assert r.status_code == 200 and elapsed < 1.0, elapsed
    assert heavy == [503, 503]  # one after the other on the general worker, to the deadline


def test_a_lookup_not_seen_before_takes_the_worker_kept_for_fast_queries(
    serve: ServerFactory,
) -> None:
    """Right after a start no client query has been measured: a lookup of one resource (one
    triple pattern from a given IRI, its cost bounded) is presumed fast, so the first
    lookups do not wait behind heavy queries (a soak's first seconds: 503s after the queue
    wait); a heavy query is not presumed fast and queues for the general worker."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "2", "COLLEX_QUERY_TIMEOUT": "3",
                  "COLLEX_QUERY_QUEUE_WAIT": "20"})
    heavy, threads = _hogs(base)
    started = time.monotonic()
    r = httpx.get(base + "/sparql", headers=JSON, timeout=60, params={
        "query": "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?t WHERE"
                 " { <http://example.org/never-asked> dct:title ?t } LIMIT 5"})
    elapsed = time.monotonic() - started
    for t in threads:
        t.join()
    assert r.status_code == 200 and elapsed < 1.0, elapsed
    assert heavy == [503, 503]  # both heavy queries on the general worker, one after the other


def test_whole_store_views_do_not_wait_for_the_workers(serve: ServerFactory) -> None:
    """The only worker is held by a heavy query: VoID, the status, the networks list and a
    search are still answered, at once (the server's own reader, not the pool)."""
    base = _quiet(serve, {"COLLEX_QUERY_WORKERS": "1", "COLLEX_QUERY_TIMEOUT": "6",
                  "COLLEX_QUERY_QUEUE_WAIT": "20"})
    time.sleep(1.0)  # the start's warm-up queries go first
    heavy: dict[str, object] = {}
    thread = _in_thread(base, HEAVY, heavy)
    time.sleep(0.5)
    for path in ("/.well-known/void", "/api/status", "/api/networks",
                 "/api/collections?q=manuscrits"):
        started = time.monotonic()
        r = httpx.get(base + path, timeout=60)
        assert r.status_code == 200, (path, r.text)
        assert time.monotonic() - started < 3.0, path
    thread.join()
    assert heavy["status"] == 503
