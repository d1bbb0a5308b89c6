"""Side-by-side SPARQL lookup benchmark: `collex serve` against `oxigraph serve` on the same
data, measured in one run with the same bounded load generator on 127.0.0.1.

    .venv/bin/python bench/sparql_lookup.py [--requests 2000] [--concurrency 8]

Loads data/sample into both servers, sends the same simple lookup (one collection by IRI,
JSON results) from N client threads, and prints queries/s and p50/p95/p99 latency for each,
with the ratio. Every request must answer 200 or the run fails.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOKUP = ("SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str) -> None:
    for _ in range(200):
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not start")


def load_test(url: str, queries: list[tuple[str, str]], requests: int,
              concurrency: int, mode: str = "post", max_error_share: float = 0.01,
              timeout: float = 60.0) -> dict[str, Any]:
    """A bounded load generator: ``requests`` SPARQL queries (JSON results) from
    ``concurrency`` threads, rotating over ``queries``; fails the run on any error. Each
    thread is a client of its own (loopback address 127.0.2.k), as concurrent users are: the
    server bounds what one client address may hold. ``mode``: ``post`` (a form POST, never
    cached), ``get`` (GET, as links and portals send), or ``revalidate`` (GET with the
    ``If-None-Match`` of the answer the thread last had, as a shared cache in front of the
    service would send; a 304 counts as an answer). Answers other than 200/304, and requests
    without an answer within ``timeout`` seconds, are counted and the first ones kept (status
    and body) in the figures, and not in ``qps`` (answers per second); past
    ``max_error_share`` of the requests the run fails."""
    latencies: list[float] = []
    errors: list[int] = []
    samples: list[str] = []
    not_modified = [0]
    lock = threading.Lock()

    def worker(k: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.2.{k + 1}")
        tags: dict[str, str] = {}
        with httpx.Client(timeout=timeout, transport=transport) as client:
            for i in range(requests // concurrency):
                _, q = queries[(i + k) % len(queries)]
                headers = {"Accept": "application/sparql-results+json"}
                t = time.perf_counter()
                try:
                    if mode == "post":
                        r = client.post(url, data={"query": q}, headers=headers)
                    else:
                        if mode == "revalidate" and q in tags:
                            headers["If-None-Match"] = tags[q]
                        r = client.get(url, params={"query": q}, headers=headers)
                        if "etag" in r.headers:
                            tags[q] = r.headers["etag"]
                except httpx.TransportError as exc:  # a timeout: not answered, counted
                    with lock:
                        latencies.append(time.perf_counter() - t)
                        errors.append(0)
                        if len(samples) < 3:
                            samples.append(f"no answer: {type(exc).__name__} after"
                                           f" {time.perf_counter() - t:.0f} s")
                    continue
                with lock:
                    latencies.append(time.perf_counter() - t)
                    if r.status_code == 304:
                        not_modified[0] += 1
                    elif r.status_code != 200:
                        errors.append(r.status_code)
                        if len(samples) < 3:
                            samples.append(f"{r.status_code}: {r.text[:300]}")

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if len(errors) > len(latencies) * max_error_share:
        raise SystemExit(f"{len(errors)} of {len(latencies)} SPARQL requests failed on {url}:"
                         f" {samples}")
    q = statistics.quantiles(latencies, n=100)
    return {"qps": (len(latencies) - len(errors)) / elapsed, "p50_ms": q[49] * 1000,
            "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000, "not_modified": not_modified[0],
            "errors": len(errors), "error_samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="collex-bench-"))
    env = {**os.environ, "COLLEX_STORE_DIR": str(work / "store"),
           "COLLEX_RATE_LIMIT": "1000000", "COLLEX_RATE_BURST": "1000000"}
    subprocess.run([str(BIN / "collex"), "load", str(ROOT / "data" / "sample")], env=env,
                   check=True, capture_output=True)
    dump = work / "data.nq"
    subprocess.run([str(BIN / "collex"), "dump", str(dump)], env=env, check=True,
                   capture_output=True)
    ours_port, ox_port = _free_port(), _free_port()
    procs = [
        subprocess.Popen([str(BIN / "collex"), "serve", "--port", str(ours_port)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file",
                    str(dump)], check=True, capture_output=True)
    procs.append(subprocess.Popen(
        [str(BIN / "oxigraph"), "serve", "--location", str(work / "ox"), "--bind",
         f"127.0.0.1:{ox_port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        ours = f"http://127.0.0.1:{ours_port}/sparql"
        theirs = f"http://127.0.0.1:{ox_port}/query"
        _wait(f"http://127.0.0.1:{ours_port}/healthz")
        _wait(theirs + "?query=ASK%7B%7D")
        iri = json.loads(httpx.get(ours, params={
            "query": "SELECT ?c WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> } LIMIT 1"},
            headers={"Accept": "application/sparql-results+json"}).text
        )["results"]["bindings"][0]["c"]["value"]
        query = LOOKUP.format(iri=iri)
        for url in (ours, theirs):  # warm-up
            load_test(url, [("lookup", query)], args.concurrency * 10, args.concurrency)
        lookup = [("lookup", query)]
        results = {"collex serve": load_test(ours, lookup, args.requests, args.concurrency),
                   "oxigraph serve": load_test(theirs, lookup, args.requests,
                                               args.concurrency)}
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
    print(f"Simple lookup ({args.requests} requests, {args.concurrency} client threads,"
          f" {os.cpu_count()} cores)")
    print("| server | queries/s | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['qps']:.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f}"
              f" | {r['p99_ms']:.1f} |")
    ratio = results["collex serve"]["qps"] / results["oxigraph serve"]["qps"]
    print(f"throughput ratio collex/oxigraph: {ratio:.2f}")


if __name__ == "__main__":
    main()
