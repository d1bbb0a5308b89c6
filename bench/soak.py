"""`make soak`: many clients on a real `collex serve` for minutes, with the traffic an
operator sees, reporting per category counts, statuses and latencies, and the server's RSS
over time. Local only (127.0.0.1), bounded in time and traffic.

    .venv/bin/python bench/soak.py [--minutes 10] [--clients 50] [--store DIR]
                                   [--write-every 0] [--report FILE]

Each client has its own loopback address (127.0.1.N), as distinct users would, and loops
over a weighted mix with a think time (0.1-0.4 s):

- ``search`` 30%: ``/api/collections`` with words and facets;
- ``lookup`` 25%: a SPARQL SELECT of one collection's statements;
- ``entity`` 20%: ``/id/...`` pages (HTML), Turtle descriptions, ``/api/agents/...``;
- ``construct`` 10%: a SPARQL CONSTRUCT of one collection, as Turtle;
- ``heavy`` 5%: a query that runs to the deadline (answered 503);
- ``malformed`` 5%: SPARQL syntax errors and bad parameters (answered 4xx);
- ``other`` 5%: the query page, VoID, the service description, networks.

With ``--write-every S``, a writer replaces a notice graph through the Graph Store Protocol
every S seconds (admin token set by the soak), and the end checks that the last write is in
the store and in the search. Without ``--store``, the S corpus is generated and loaded into
``var/soak/`` once (kept for the next run).

Verdicts (issue "The server under load"): no 5xx but the heavy category's deadline 503s;
lookups, searches and entity pages at least 99.5% answered 200; the server's RSS after the
last minute within 10% of its RSS after minute 2 (runs of 3 minutes or more); with writes,
zero read errors, search p95 under 100 ms and the final state checked.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = secrets.token_hex(16)  # writes are enabled for this run only
JSON = {"Accept": "application/sparql-results+json"}
P = ("PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX dcmitype: <http://purl.org/dc/dcmitype/>"
     " PREFIX rico: <https://www.ica.org/standards/RiC/ontology#> ")
HEAVY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
         "?m ?n2 ?o }")
WORDS = ["manuscrits", "correspondance", "archives", "medecine", "philo*", "heraldique",
         "photographies", "cartes", "musique", "theatre", "voyage", "sciences", "droit",
         "histoire", "botanique", "orient", "papiers", "fonds", "ecole", "guerre"]
FACETS = [{}, {"century": "19"}, {"collex": "yes"}, {"language": "fre"}, {"level": "fonds"}]
MALFORMED = ["SELECT ?x WHERE { ?x", "SELEC * WHERE { ?s ?p ?o }", "ASK { ?s ?p }",
             "SELECT * WHERE { ?s ?p ?o } LIMIT x", "PREFIX : <x> SELECT * { :a :b }"]
MIX = [("search", 30), ("lookup", 25), ("entity", 20), ("construct", 10), ("heavy", 5),
       ("malformed", 5), ("other", 5)]
RELIABLE = ("lookup", "search", "entity")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(store: Path | None) -> Path:
    """A store holding the S corpus: ``store`` as given, or var/soak/store made once."""
    if store is not None:
        return store
    work = ROOT / "var" / "soak"
    store = work / "store"
    if (work / "ready").exists():
        return store
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    subprocess.run([str(BIN / "python"), str(ROOT / "bench" / "generate.py"), "--scale", "S",
                    "--out", str(corpus)], check=True)
    env = {**os.environ, "COLLEX_STORE_DIR": str(store), "COLLEX_MAX_FILE_BYTES": str(2**31)}
    for source in ("idref", "ead", "lists"):
        subprocess.run([str(BIN / "collex"), "load", str(corpus / source)], env=env,
                       check=False, capture_output=True)
    (work / "ready").write_text("S\n")
    return store


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Soak:
    def __init__(self, base: str, seconds: float, clients: int, seed: int = 7) -> None:
        self.base = base
        self.seconds = seconds
        self.clients = clients
        self.rnd = random.Random(seed)
        self.results: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self.failures: dict[str, list[dict[str, object]]] = defaultdict(list)
        self.start = time.monotonic()
        self.lock = threading.Lock()
        with httpx.Client(timeout=60) as c:
            rows = c.get(base + "/sparql", headers=JSON, params={"query": P + (
                "SELECT ?c ?a WHERE { ?c a dcmitype:Collection . OPTIONAL { ?c dcterms:creator"
                " ?a FILTER(STRSTARTS(STR(?a), \"http://www.idref.fr/\")) } } LIMIT 300")}
                         ).json()["results"]["bindings"]
        self.collections = sorted({r["c"]["value"] for r in rows})
        self.agents = sorted({r["a"]["value"].split("/")[-2] for r in rows if "a" in r})

    def request(self, client: httpx.Client, rnd: random.Random, kind: str) -> httpx.Response:
        b = self.base
        coll = rnd.choice(self.collections)
        path = "/id/" + coll.split("/id/", 1)[1]
        if kind == "search":
            params = {"q": rnd.choice(WORDS), **rnd.choice(FACETS)} if rnd.random() < 0.8 \
                else rnd.choice(FACETS)
            return client.get(b + "/api/collections", params=params)
        if kind == "lookup":
            return client.get(b + "/sparql", headers=JSON, params={
                "query": f"SELECT ?p ?o WHERE {{ <{coll}> ?p ?o }}"})
        if kind == "entity":
            pick = rnd.random()
            if pick < 0.4:
                return client.get(b + path, headers={"Accept": "text/html"})
            if pick < 0.8 or not self.agents:
                return client.get(b + path, headers={"Accept": "text/turtle"})
            return client.get(b + f"/api/agents/{rnd.choice(self.agents)}")
        if kind == "construct":
            return client.get(b + "/sparql", headers={"Accept": "text/turtle"}, params={
                "query": f"CONSTRUCT {{ <{coll}> ?p ?o }} WHERE {{ <{coll}> ?p ?o }}"})
        if kind == "heavy":
            return client.get(b + "/sparql", headers=JSON, params={"query": HEAVY})
        if kind == "malformed":
            if rnd.random() < 0.7:
                return client.get(b + "/sparql", headers=JSON,
                                  params={"query": rnd.choice(MALFORMED)})
            return client.get(b + "/api/collections", params={"limit": "-5"})
        target = rnd.choice(["/query", "/.well-known/void", "/sparql", "/api/networks"])
        return client.get(b + target)

    def client(self, n: int, end: float) -> None:
        rnd = random.Random(self.rnd.random())
        kinds = [k for k, w in MIX for _ in range(w)]
        address = f"127.0.1.{n + 1}"
        with httpx.Client(timeout=90, transport=httpx.HTTPTransport(local_address=address)) as c:
            while time.monotonic() < end:
                kind = rnd.choice(kinds)
                t = time.perf_counter()
                answer: httpx.Response | None = None
                try:
                    answer = self.request(c, rnd, kind)
                    status = answer.status_code
                except httpx.HTTPError:
                    status = 0  # no answer at all
                with self.lock:
                    self.results[kind].append((status, time.perf_counter() - t))
                    if status >= 500 and answer is not None and len(self.failures[kind]) < 5:
                        # why: the first answers of each kind that were not given
                        self.failures[kind].append({
                            "status": status, "after_s": round(time.monotonic() - self.start, 1),
                            "path": answer.request.url.path, "body": answer.text[:300]})
                time.sleep(rnd.uniform(0.1, 0.4))


def writer(base: str, every: float, end: float, out: dict[str, object]) -> None:
    """Replaces one notice graph every ``every`` seconds; records the last title written."""
    graph = base.replace("http://127.0.0.1", "http://soak.invalid") + "/graph/ead/soak-writer"
    coll = "http://soak.invalid/id/collection/soak-writer"
    n = 0
    failures = 0
    with httpx.Client(timeout=60) as c:
        while time.monotonic() < end:
            n += 1
            title = f"Fonds soak numero {n} zqwrite{n}"
            body = (f"<{coll}> a <http://purl.org/dc/dcmitype/Collection> ; "
                    f"<http://purl.org/dc/terms/title> \"{title}\" .")
            r = c.put(base + "/rdf-graph-store", params={"graph": graph}, content=body,
                      headers={"Content-Type": "text/turtle",
                               "Authorization": f"Bearer {TOKEN}"})
            failures += r.status_code not in (201, 204)
            out.update(writes=n, failures=failures, last=f"zqwrite{n}", graph=graph, coll=coll)
            time.sleep(every)


def quantiles(latencies: list[float]) -> dict[str, float]:
    if len(latencies) < 2:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    q = statistics.quantiles(latencies, n=100)
    return {"p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1),
            "p99_ms": round(q[98] * 1000, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--store", type=Path, help="a loaded store (default: var/soak/store)")
    parser.add_argument("--write-every", type=float, default=0.0,
                        help="seconds between graph-store writes (0: no writes)")
    parser.add_argument("--report", type=Path, help="write the JSON report there too")
    args = parser.parse_args()
    store = prepare(args.store)
    port = _free_port()
    env = {**os.environ, "COLLEX_STORE_DIR": str(store), "COLLEX_ADMIN_TOKEN": TOKEN}
    log = (args.report or ROOT / "var" / "soak" / "report.json").with_suffix(".serve.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen([str(BIN / "collex"), "serve", "--port", str(port)], env=env,
                              stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.poll() is not None:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                print("soak: collex serve exited at start:", *tail, sep="\n", file=sys.stderr)
                return 2
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        httpx.get(base + "/api/collections", params={"q": "fonds"}, timeout=300)  # index
        soak = Soak(base, args.minutes * 60, args.clients)
        start = soak.start = time.monotonic()
        end = start + args.minutes * 60
        threads = [threading.Thread(target=soak.client, args=(n, end), daemon=True)
                   for n in range(args.clients)]
        written: dict[str, object] = {}
        if args.write_every > 0:
            threads.append(threading.Thread(target=writer, daemon=True,
                                            args=(base, args.write_every, end, written)))
        for t in threads:
            t.start()
        rss: list[tuple[float, float]] = []
        while time.monotonic() < end:
            rss.append((round(time.monotonic() - start, 1), round(rss_mb(server.pid), 1)))
            time.sleep(min(10.0, max(0.1, end - time.monotonic())))
        for t in threads:
            t.join(timeout=120)
        rss.append((round(time.monotonic() - start, 1), round(rss_mb(server.pid), 1)))
        report: dict[str, object] = {"minutes": args.minutes, "clients": args.clients,
                                     "store": str(store), "categories": {}, "rss_mb": rss}
        for kind, rows in sorted(soak.results.items()):
            statuses = Counter(str(s) for s, _ in rows)
            report["categories"][kind] = {  # type: ignore[index]
                "requests": len(rows), "statuses": dict(sorted(statuses.items())),
                "ok_share": round(statuses.get("200", 0) / max(1, len(rows)), 4),
                **quantiles([d for _, d in rows])}
        verdicts: list[tuple[str, bool, object]] = []
        cats: dict[str, Any] = report["categories"]  # type: ignore[assignment]
        bad = {k: {s: n for s, n in v["statuses"].items() if s.startswith("5") or s == "0"}
               for k, v in cats.items()}
        bad = {k: v for k, v in bad.items() if v and not (k == "heavy" and set(v) == {"503"})}
        verdicts.append(("no 5xx but the heavy category's 503s", not bad, bad or "none"))
        for kind in RELIABLE:
            share = cats.get(kind, {}).get("ok_share", 0.0)
            verdicts.append((f"{kind} answered 200 >= 99.5%", share >= 0.995, share))
        if args.minutes >= 3:
            at2 = next(m for s, m in rss if s >= 120)
            last = rss[-1][1]
            # a leak grows; memory given back (a background computation ending) is not one
            verdicts.append(("RSS at the end at most 10% above minute 2",
                             last <= 1.1 * at2, f"{at2} MB -> {last} MB"))
        if written:
            search_p95 = cats.get("search", {}).get("p95_ms", 0.0)
            reads_bad = sum(n for k, v in cats.items() if k in RELIABLE
                            for s, n in v["statuses"].items() if s != "200")
            verdicts.append(("zero read errors during writes", reads_bad == 0, reads_bad))
            verdicts.append(("search p95 under 100 ms during writes", search_p95 < 100,
                             search_p95))
            final = final_state(base, written)
            verdicts.append(("every write applied (final state)", final[0], final[1]))
        report["failures"] = dict(sorted(soak.failures.items()))
        report["verdicts"] = [{"check": c, "pass": bool(ok), "value": str(v)}
                              for c, ok, v in verdicts]
        text = json.dumps(report, indent=1, ensure_ascii=False)
        if args.report:
            args.report.write_text(text + "\n")
        print(text)
        print("\n".join(f"{'pass' if ok else 'FAIL'}: {c} ({v})" for c, ok, v in verdicts))
        return 0 if all(ok for _, ok, _ in verdicts) else 1
    finally:
        server.terminate()
        server.wait(timeout=60)


def final_state(base: str, written: dict[str, object]) -> tuple[bool, str]:
    """The last write is the store's state, and the search index caught up with it."""
    with httpx.Client(timeout=60) as c:
        rows = c.get(base + "/sparql", headers=JSON, params={"query": (
            f"SELECT ?t WHERE {{ GRAPH <{written['graph']}> {{ <{written['coll']}>"
            " <http://purl.org/dc/terms/title> ?t } }")}).json()["results"]["bindings"]
        titles = [r["t"]["value"] for r in rows]
        found = 0
        for _ in range(300):
            found = c.get(base + "/api/collections",
                          params={"q": str(written["last"])}).json()["total"]
            if found == 1:
                break
            time.sleep(0.2)
    ok = (len(titles) == 1 and titles[0].endswith(str(written["last"]))
          and found == 1 and written.get("failures") == 0)
    return ok, (f"{written.get('writes')} writes, {written.get('failures')} failed; store"
                f" title {titles}; search finds the last: {found == 1}")


if __name__ == "__main__":
    sys.exit(main())
