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


def _load(requests_total: int, concurrency: int, url: str, query: str) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[int] = []
    per_thread = requests_total // concurrency

    def worker() -> None:
        with httpx.Client(timeout=30) as client:
            for _ in range(per_thread):
                t = time.perf_counter()
                r = client.get(url, params={"query": query},
                               headers={"Accept": "application/sparql-results+json"})
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    if r.status_code != 200:
                        errors.append(r.status_code)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"{len(errors)} requests failed on {url}: {sorted(set(errors))}")
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "qps": len(latencies) / elapsed,
            "p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000, "p99_ms": q[98] * 1000}


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
            _load(args.concurrency * 10, args.concurrency, url, query)
        results = {"collex serve": _load(args.requests, args.concurrency, ours, query),
                   "oxigraph serve": _load(args.requests, args.concurrency, theirs, query)}
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
