"""`make bench SCALE=S|M|L`: one run measuring ingest, SPARQL and search side by side with
Oxigraph itself, writing bench/results/{scale}-{date}.json and the table in bench/README.md.

Targets (README, performance section; issue #18), at M unless said: ingest at least 0.5x raw
bulk_load triples/s; SPARQL throughput at least 0.7x `oxigraph serve` on the mix, and 1.0x
its GETs when a shared cache revalidates (ETag); search p95 (words, and facets only) at most
30 ms at M and 100 ms at L; `/id/...` as Turtle p95 at most 20 ms; at L, peak RSS at most
2 GB and the whole run within 60 minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from sparql_lookup import _free_port, _wait, load_test  # noqa: E402

TARGETS = {"ingest_ratio": 0.5, "sparql_ratio": 0.7, "sparql_cached_ratio": 1.0,
           "search_p95_ms_at_M": 30.0, "search_p95_ms_at_L": 100.0, "deref_p95_ms_at_M": 20.0,
           "peak_rss_mb_at_L": 2048.0, "run_seconds_at_L": 3600.0}
P = ("PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX dcmitype: <http://purl.org/dc/dcmitype/>"
     " PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>"
     " PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
     " PREFIX collex: <https://w3id.org/collex/def#> PREFIX foaf: <http://xmlns.com/foaf/0.1/> ")


SOURCES = ("idref", "ead", "lists")  # the corpus's folders, each loaded with its own format


def mix(collection: str, subject: str, network: str) -> list[tuple[str, str]]:
    """The discovery-style SPARQL mix: lookup, facet counts, subject hierarchy, network."""
    return [
        ("lookup", P + f"SELECT ?p ?o WHERE {{ <{collection}> ?p ?o }}"),
        ("facet counts", P + "SELECT ?h (COUNT(?c) AS ?n) WHERE { ?c a dcmitype:Collection ;"
                             " rico:hasOrHadHolder ?h } GROUP BY ?h ORDER BY DESC(?n) LIMIT 20"),
        ("subject hierarchy", P + f"SELECT ?c ?t WHERE {{ ?s (skos:broader|^skos:narrower)* "
                                  f"<{subject}> . ?c dcterms:subject ?s ; dcterms:title ?t }}"
                                  " LIMIT 100"),
        ("network traversal", P + f"SELECT ?m ?t ?h WHERE {{ <{network}> collex:hasMember ?m ."
                                  " OPTIONAL { ?m dcterms:title ?t } OPTIONAL { ?m "
                                  "rico:hasOrHadHolder/foaf:name ?h } }"),
    ]


def timed_load(env: dict[str, str], path: Path, fmt: str) -> dict[str, float]:
    proc = subprocess.run(["/usr/bin/time", "-v", str(BIN / "collex"), "load", str(path),
                           "--format", fmt, "--json", "--no-derive"], env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-3000:])
    report = json.loads(proc.stdout)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    return {"records": report["loaded"], "rejected": report["rejected_count"],
            "triples": report["triples"], "seconds": report["seconds"],
            "records_per_s": report["records_per_second"],
            "triples_per_s": report["triples_per_second"],
            "peak_rss_mb": int(rss.group(1)) / 1024 if rss else float("nan")}


def raw_bulk_load(dump: Path, work: Path) -> dict[str, float]:
    """pyoxigraph bulk_load of the same triples as N-Triples, in a fresh process."""
    nt = work / "raw.nt"
    code = (
        "import pyoxigraph as ox, sys\n"
        f"with open({str(nt)!r}, 'wb') as out:\n"
        f"    for q in ox.parse(path={str(dump)!r}, format=ox.RdfFormat.N_QUADS):\n"
        "        out.write(f'{q.subject} {q.predicate} {q.object} .\\n'.encode())\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    code = (
        "import pyoxigraph as ox, time, json\n"
        f"s = ox.Store({str(work / 'raw-store')!r}); t = time.perf_counter()\n"
        f"s.bulk_load(path={str(nt)!r}, format=ox.RdfFormat.N_TRIPLES); s.flush()\n"
        "print(json.dumps({'triples': len(s), 'seconds': time.perf_counter() - t}))\n")
    out = json.loads(subprocess.run([sys.executable, "-c", code], check=True,
                                    capture_output=True, text=True).stdout)
    out["triples_per_s"] = out["triples"] / out["seconds"]
    return out


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def serve_until_searchable(env: dict[str, str], timeout: float = 600
                           ) -> tuple[subprocess.Popen[bytes], str, float]:
    """``collex serve`` started on ``env``'s store: the process, its URL and the seconds to
    its first search answer (a cold start: the search index is built from the store)."""
    port = _free_port()
    t = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "collex"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t < timeout:
        try:
            if httpx.get(base + "/api/collections", params={"q": "manuscrits"},
                         timeout=5).status_code == 200:
                return proc, base, round(time.perf_counter() - t, 2)
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    proc.terminate()
    raise SystemExit(f"collex serve did not answer a search within {timeout:g} s")


def run(scale: str, requests: int, concurrency: int, ingest_only: bool = False,
        backend: str = "embedded") -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"collex-bench-{scale}-"))
    store = work / "store"
    env = {**os.environ, "COLLEX_STORE_DIR": str(store), "COLLEX_RATE_LIMIT": "1000000",
           "COLLEX_RATE_BURST": "1000000", "COLLEX_MAX_FILE_BYTES": str(2**31),
           "COLLEX_QUERY_TIMEOUT": "120",
           # the dumps are timed on their own (publish_seconds), not under the query mixes
           "COLLEX_DUMPS": "false"}
    t = time.perf_counter()
    corpus = generate(scale, work / "corpus")
    result: dict[str, object] = {"scale": scale, "corpus": corpus,
                                 "generate_seconds": round(time.perf_counter() - t, 1)}
    ingest = {src: timed_load(env, work / "corpus" / src, src) for src in SOURCES}
    if not ingest_only:
        t = time.perf_counter()
        subprocess.run([str(BIN / "collex"), "derive"], env=env, check=True,
                       capture_output=True)
        result["derive_seconds"] = round(time.perf_counter() - t, 1)
    dump = work / "dump.nq"
    subprocess.run([str(BIN / "collex"), "dump", str(dump)], env=env, check=True,
                   capture_output=True)
    raw = raw_bulk_load(dump, work)
    total_triples = sum(float(v["triples"]) for v in ingest.values())
    total_seconds = sum(float(v["seconds"]) for v in ingest.values())
    ours = total_triples / total_seconds
    result["ingest"] = ingest
    result["raw_bulk_load"] = raw
    result["ingest_ratio"] = round(ours / raw["triples_per_s"], 3)
    result["peak_rss_mb"] = max(float(v["peak_rss_mb"]) for v in ingest.values())
    result["store_mb"] = round(dir_size(store) / 1e6, 1)
    if ingest_only:
        shutil.rmtree(work, ignore_errors=True)
        return result
    t = time.perf_counter()
    subprocess.run([str(BIN / "collex"), "publish"], env=env, check=True, capture_output=True)
    result["publish_seconds"] = round(time.perf_counter() - t, 1)
    result["dumps_mb"] = round(dir_size(store.with_name(store.name + ".dumps")) / 1e6, 1)
    result["search_index_mb"] = round(
        (store.with_name(store.name + ".search.sqlite").stat().st_size / 1e6), 1)
    # the analysis tables: export, then the Frictionless validation (foreign keys included)
    t = time.perf_counter()
    subprocess.run([str(BIN / "collex"), "export", "datasets", str(work / "datasets")],
                   env=env, check=True, capture_output=True)
    result["export_seconds"] = round(time.perf_counter() - t, 1)
    result["export_mb"] = round(dir_size(work / "datasets") / 1e6, 1)
    t = time.perf_counter()
    checked = subprocess.run([str(BIN / "frictionless"), "validate", "--json",
                              "datapackage.json"], cwd=work / "datasets", capture_output=True,
                             text=True, check=False)
    result["export_valid"] = bool(json.loads(checked.stdout or "{}").get("valid"))
    result["validate_seconds"] = round(time.perf_counter() - t, 1)
    # Servers: ours (cold start measured) and oxigraph serve on the same data.
    ox_port = _free_port()
    ours_proc, base, result["cold_start_seconds"] = serve_until_searchable(env)
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file",
                    str(dump)], check=True, capture_output=True)
    ox_proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(work / "ox"),
                                "--bind", f"127.0.0.1:{ox_port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D")
        first = httpx.post(base + "/sparql", data={"query": P + (
            "SELECT ?c ?s ?n WHERE { ?c a dcmitype:Collection ; dcterms:subject ?s . "
            "?n collex:hasMember ?c } LIMIT 1")},
            headers={"Accept": "application/sparql-results+json"}).json()["results"][
            "bindings"][0]
        queries = mix(first["c"]["value"], first["s"]["value"], first["n"]["value"])
        for url in (base + "/sparql", f"http://127.0.0.1:{ox_port}/query"):
            load_test(url, queries, len(queries) * concurrency, concurrency,
                      max_error_share=1.0)  # warm-up: a cold server may still be busy
        sparql_ours = load_test(base + "/sparql", queries, requests, concurrency)
        # the reference server's requests left unanswered are reported, they do not stop
        # the run (at M, its subject-hierarchy queries passed the client's 60 s)
        sparql_ox = load_test(f"http://127.0.0.1:{ox_port}/query", queries, requests,
                              concurrency, max_error_share=1.0)
        # as a portal's shared cache would ask: GET, revalidating with If-None-Match
        # (oxigraph serve sends no ETag: its best is the same GETs answered in full)
        cached_ours = load_test(base + "/sparql", queries, requests, concurrency,
                                mode="revalidate")
        cached_ox = load_test(f"http://127.0.0.1:{ox_port}/query", queries, requests,
                              concurrency, mode="get", max_error_share=1.0)
        result["sparql"] = {"collex serve": sparql_ours, "oxigraph serve": sparql_ox,
                            "collex serve, GET revalidated (ETag)": cached_ours,
                            "oxigraph serve, GET": cached_ox,
                            "queries": [name for name, _ in queries]}
        result["sparql_ratio"] = round(sparql_ours["qps"] / sparql_ox["qps"], 3)
        result["sparql_cached_ratio"] = round(cached_ours["qps"] / cached_ox["qps"], 3)
        search_mix = [{"q": "manuscrits"}, {"q": "correspondance archives"},
                      {"q": "medecine"}, {"q": "philo*"}, {"q": "heraldique"}]
        facet_mix = [{}, {"century": "19"}, {"collex": "yes"}, {"language": "fre"}]
        with httpx.Client(timeout=30) as client:
            def timings(params_list: list[dict[str, str]], n: int) -> list[float]:
                out = []
                for i in range(n):
                    t0 = time.perf_counter()
                    # no-cache: the search itself is measured, not the answers kept
                    r = client.get(base + "/api/collections", params=params_list[i % len(
                        params_list)], headers={"Cache-Control": "no-cache"})
                    out.append(time.perf_counter() - t0)
                    assert r.status_code == 200, r.text
                return out
            timings(search_mix + facet_mix, 20)
            s_lat, f_lat = timings(search_mix, 200), timings(facet_mix, 200)
            # dereferencing: collections, agents and institutions as Turtle, by point lookups
            paths = ["/id/" + b[k]["value"].split("/id/", 1)[1] for b in client.get(
                base + "/sparql", headers={"Accept": "application/sparql-results+json"},
                params={"query": P + "SELECT ?c ?a ?i WHERE { ?c a dcmitype:Collection ; "
                        "rico:hasOrHadHolder ?i . OPTIONAL { ?c dcterms:creator ?a "
                        'FILTER(CONTAINS(STR(?a), "/id/")) } } LIMIT 40'}).json()["results"][
                "bindings"] for k in ("c", "a", "i") if k in b]
            d_lat = []
            for i in range(300):
                t0 = time.perf_counter()
                r = client.get(base + paths[i % len(paths)], headers={
                    "Accept": "text/turtle", "Cache-Control": "no-cache"})
                d_lat.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.text
            m_lat = []  # the map page, filtered or not
            for i in range(100):
                t0 = time.perf_counter()
                r = client.get(base + "/map", params=[{}, {"collex": "yes"},
                                                      {"by": "department"}][i % 3],
                               headers={"Cache-Control": "no-cache"})
                m_lat.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.text
        mq = statistics.quantiles(m_lat, n=100)
        result["map"] = {"p50_ms": mq[49] * 1000, "p95_ms": mq[94] * 1000}
        sq, fq = statistics.quantiles(s_lat, n=100), statistics.quantiles(f_lat, n=100)
        dq = statistics.quantiles(d_lat, n=100)
        result["deref"] = {"p50_ms": dq[49] * 1000, "p95_ms": dq[94] * 1000,
                           "resources": len(set(paths))}
        result["search"] = {"p50_ms": sq[49] * 1000, "p95_ms": sq[94] * 1000,
                            "facets_p50_ms": fq[49] * 1000, "facets_p95_ms": fq[94] * 1000}
    finally:
        for proc in (ours_proc, ox_proc):
            proc.terminate()
            proc.wait(timeout=20)
        if "search" in result:  # the idle figures are in: the same store under load
            result["under_load"] = under_load(store, work, env)
            if backend == "virtuoso":  # the same corpus and mix on Virtuoso, next to these
                try:
                    result["virtuoso"] = on_virtuoso(work, env, queries, requests,
                                                     concurrency, search_mix)
                except (OSError, RuntimeError, SystemExit, subprocess.SubprocessError,
                        httpx.HTTPError, AssertionError, KeyError, ValueError) as exc:
                    # the embedded figures are kept; the table says what stopped this part
                    detail = getattr(exc, "stderr", None) or str(exc)
                    result["virtuoso"] = {"error": f"{type(exc).__name__}: {detail}"[-1500:]}
        shutil.rmtree(work, ignore_errors=True)
    return result


def on_virtuoso(work: Path, env: dict[str, str], queries: list[tuple[str, str]],
                requests: int, concurrency: int, search_mix: list[dict[str, str]],
                memory_gb: float = 4.0) -> dict[str, object]:
    """``--backend=virtuoso``: the same corpus loaded by ``collex load`` into a Virtuoso
    started here (Debian's ``virtuoso-t``, its buffers sized for ``memory_gb``; writes by the
    Graph Store Protocol), derived, compared with the embedded store by ``collex stats``, then
    served by ``collex serve`` on it: ingest, derive, the SPARQL mix through ``collex serve``
    and on Virtuoso's own ``/sparql``, and the search API."""
    from graph.virtuoso import Server

    venv = {**env, "COLLEX_STORE_DIR": str(work / "vstore")}  # journal and index beside it
    out: dict[str, object] = {"memory_gb": memory_gb}
    with Server(work / "virtuoso", _free_port(), _free_port(), memory_gb=memory_gb) as v:
        venv.update(v.env())
        out["ingest"] = {src: timed_load(venv, work / "corpus" / src, src) for src in SOURCES}
        t = time.perf_counter()
        subprocess.run([str(BIN / "collex"), "derive"], env=venv, check=True,
                       capture_output=True)
        out["derive_seconds"] = round(time.perf_counter() - t, 1)
        stats = [json.loads(subprocess.run([str(BIN / "collex"), "stats", "--json"], env=e,
                                           check=True, capture_output=True, text=True).stdout)
                 for e in (env, venv)]
        out["same_stats_as_embedded"] = stats[0] == stats[1]
        if stats[0] != stats[1]:
            out["stats"] = {"embedded": stats[0], "virtuoso": stats[1]}
        out["store_mb"] = round(sum(f.stat().st_size for f in (work / "virtuoso").glob(
            "virtuoso*.db")) / 1e6, 1)
        proc, base, out["cold_start_seconds"] = serve_until_searchable(venv)
        try:
            for url in (base + "/sparql", v.query_url):
                load_test(url, queries, len(queries) * concurrency, concurrency,
                          max_error_share=1.0)  # warm-up: a cold server may still be busy
            out["sparql"] = {
                "collex serve on Virtuoso": load_test(base + "/sparql", queries, requests,
                                                      concurrency),
                "Virtuoso's /sparql": load_test(v.query_url, queries, requests, concurrency,
                                                max_error_share=1.0)}
            with httpx.Client(timeout=30) as client:
                lat = []
                for i in range(200):
                    t0 = time.perf_counter()
                    r = client.get(base + "/api/collections", params=search_mix[i % len(
                        search_mix)], headers={"Cache-Control": "no-cache"})
                    lat.append(time.perf_counter() - t0)
                    assert r.status_code == 200, r.text
            q = statistics.quantiles(lat, n=100)
            out["search"] = {"p50_ms": q[49] * 1000, "p95_ms": q[94] * 1000}
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    # the other road for a first load (README, "Running at national scale"): the embedded
    # store's dump through Virtuoso's bulk loader, into a Virtuoso of its own
    (work / "bulk").mkdir()
    os.link(work / "dump.nq", work / "bulk" / "collex.nq")
    with Server(work / "virtuoso-bulk", _free_port(), _free_port(), memory_gb=memory_gb,
                dirs_allowed=(work / "bulk",)) as b:
        t = time.perf_counter()
        b.bulk_load(work / "bulk")
        out["bulk_load_seconds"] = round(time.perf_counter() - t, 1)
        benv = {**env, **b.env(), "COLLEX_STORE_DIR": str(work / "bstore")}
        bulk = json.loads(subprocess.run([str(BIN / "collex"), "stats", "--json"], env=benv,
                                         check=True, capture_output=True, text=True).stdout)
        out["bulk_triples"] = bulk["triples"]
        out["bulk_same_stats_as_embedded"] = bulk == stats[0]
    return out


def under_load(store: Path, work: Path, env: dict[str, str], minutes: float = 2.0,
               clients: int = 50) -> dict[str, object]:
    """The soak's mix (bench/soak.py: searches, lookups, entity pages, CONSTRUCTs, heavy and
    malformed queries) by 50 clients for 2 minutes on the same store: throughput, p95 and
    the share answered 200 per category, and the soak's verdicts."""
    report = work / "soak.json"
    done = subprocess.run([str(BIN / "python"), str(HERE / "soak.py"), "--minutes",
                           str(minutes), "--clients", str(clients), "--store", str(store),
                           "--report", str(report)], env=env, capture_output=True, text=True,
                          check=False, timeout=minutes * 60 + 900)
    if not report.exists():
        return {"error": (done.stderr or done.stdout).strip()[-500:]}
    data = json.loads(report.read_text(encoding="utf-8"))
    seconds = minutes * 60
    return {"minutes": minutes, "clients": clients,
            "categories": {k: {"requests": v["requests"],
                               "per_s": round(v["requests"] / seconds, 1),
                               "p50_ms": v["p50_ms"], "p95_ms": v["p95_ms"],
                               "ok_share": v["ok_share"]}
                           for k, v in data["categories"].items()},
            "verdicts": data["verdicts"]}


def verdicts(r: dict[str, object]) -> list[tuple[str, str, str, str]]:
    """Each figure against its target (issue #18): a verdict at the scale the target names,
    "(target at M)" elsewhere."""
    scale = str(r["scale"])

    def at(target_scale: str, ok: bool) -> str:
        return ("pass" if ok else "FAIL") if scale == target_scale else (
            f"(target at {target_scale})")

    ratio = float(r["ingest_ratio"])  # type: ignore[arg-type]
    rows = [("ingest vs raw bulk_load (triples/s)", f"{ratio:.2f}x", "≥ 0.5x at M",
             at("M", ratio >= TARGETS["ingest_ratio"]))]
    if "search" not in r:  # an ingest-only run
        rows.append(("SPARQL throughput vs oxigraph serve", "not measured", "≥ 0.7x at M",
                     "(ingest-only run)"))
        rows.append(("search API p95", "not measured", "≤ 30 ms at M, ≤ 100 ms at L",
                     "(ingest-only run)"))
    else:
        search = r["search"]
        sparql = float(r["sparql_ratio"])  # type: ignore[arg-type]
        rows.append(("SPARQL throughput vs oxigraph serve", f"{sparql:.2f}x", "≥ 0.7x at M",
                     at("M", sparql >= TARGETS["sparql_ratio"])))
        if "sparql_cached_ratio" in r:
            cached = float(r["sparql_cached_ratio"])  # type: ignore[arg-type]
            rows.append(("SPARQL, a shared cache revalidating (ETag) vs oxigraph serve GET",
                         f"{cached:.2f}x", "≥ 1.0x at M",
                         at("M", cached >= TARGETS["sparql_cached_ratio"])))
        for name, key in (("search API p95, words", "p95_ms"),
                          ("search API p95, facets only", "facets_p95_ms")):
            p95 = float(search[key])  # type: ignore[index]
            limit = TARGETS["search_p95_ms_at_L" if scale == "L" else "search_p95_ms_at_M"]
            rows.append((name, f"{p95:.1f} ms", "≤ 30 ms at M, ≤ 100 ms at L",
                         ("pass" if p95 <= limit else "FAIL") if scale in ("M", "L")
                         else "(target at M)"))
        if "deref" in r:
            d95 = float(r["deref"]["p95_ms"])  # type: ignore[index]
            rows.append(("`/id/...` as Turtle p95", f"{d95:.1f} ms", "≤ 20 ms at M",
                         at("M", d95 <= TARGETS["deref_p95_ms_at_M"])))
    rss = float(r["peak_rss_mb"])  # type: ignore[arg-type]
    rows.append(("peak RSS during ingest", f"{rss:.0f} MB", "≤ 2 GB at L",
                 at("L", rss <= TARGETS["peak_rss_mb_at_L"])))
    if "total_seconds" in r:
        total = float(r["total_seconds"])  # type: ignore[arg-type]
        rows.append(("the whole run", f"{total / 60:.1f} min", "≤ 60 min at L",
                     at("L", total <= TARGETS["run_seconds_at_L"])))
    return rows


def table(r: dict[str, object]) -> str:
    ingest = r["ingest"]  # type: ignore[index]
    lines = [f"### Scale {r['scale']} — {r['date']} — {r['machine']}", "",
             f"Corpus: {r['corpus']}; generated in {r['generate_seconds']} s.", "",
             "| Source | records | rejected | triples | s | records/s | triples/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|"]
    for src, v in ingest.items():  # type: ignore[union-attr]
        lines.append(f"| {src} | {v['records']} | {v['rejected']} | {v['triples']} |"
                     f" {v['seconds']:.1f} | {v['records_per_s']:.0f} | {v['triples_per_s']:.0f}"
                     f" | {v['peak_rss_mb']:.0f} |")
    raw = r["raw_bulk_load"]  # type: ignore[index]
    if "search" not in r:
        lines += ["", f"Raw pyoxigraph bulk_load of the same triples: {raw['triples_per_s']:.0f}"
                  f" triples/s. Store {r['store_mb']} MB. Ingest-only run (`--ingest-only`):"
                  " derived graphs, SPARQL and search not measured.", "",
                  "| Figure | measured | target | verdict |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(r)]
        return "\n".join(lines) + "\n"
    sp = r["sparql"]  # type: ignore[index]
    se = r["search"]  # type: ignore[index]
    lines += ["", f"Raw pyoxigraph bulk_load of the same triples: {raw['triples_per_s']:.0f}"
              f" triples/s. Derived graphs, search index and compaction: {r['derive_seconds']} s."
              f" Store {r['store_mb']} MB, search index {r['search_index_mb']} MB. Cold start to"
              f" first search answer: {r['cold_start_seconds']} s."
              + (f" Dumps (`collex publish`: N-Quads gzip and collections CSV):"
                 f" {r['publish_seconds']} s, {r['dumps_mb']} MB." if "publish_seconds" in r
                 else "")
              + (f" Tables for analysis (`collex export datasets`, CSV and Parquet):"
                 f" {r['export_seconds']} s, {r['export_mb']} MB; `frictionless validate`"
                 f" {'valid' if r['export_valid'] else 'INVALID'} in {r['validate_seconds']} s."
                 if "export_seconds" in r else "")
              + (f" Map page (`/map`): p50 {r['map']['p50_ms']:.1f} ms,"  # type: ignore[index]
                 f" p95 {r['map']['p95_ms']:.1f} ms." if "map" in r else ""), "",
              "| SPARQL mix (" + ", ".join(sp["queries"]) + ") | queries/s | p50 ms | p95 ms |"
              " p99 ms |", "|---|---|---|---|---|"]
    for name in ("collex serve", "oxigraph serve", "collex serve, GET revalidated (ETag)",
                 "oxigraph serve, GET"):
        if name not in sp:
            continue
        v = sp[name]
        lines.append(f"| {name} | {v['qps']:.0f} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |"
                     f" {v['p99_ms']:.1f} |")
    lines += not_answered(sp)
    lines += ["", f"Search API: words p50 {se['p50_ms']:.1f} ms, p95 {se['p95_ms']:.1f} ms;"
              f" facets only p50 {se['facets_p50_ms']:.1f} ms, p95 {se['facets_p95_ms']:.1f} ms."
              + (f" Dereferencing `/id/...` as Turtle ({r['deref']['resources']} resources):"  # type: ignore[index]
                 f" p50 {r['deref']['p50_ms']:.1f} ms, p95 {r['deref']['p95_ms']:.1f} ms."  # type: ignore[index]
                 if "deref" in r else ""),
              "", "| Figure | measured | target | verdict |", "|---|---|---|---|"]
    load = r.get("under_load")
    if isinstance(load, dict) and "categories" in load:
        idle = {"search": se["p95_ms"], "entity": r["deref"]["p95_ms"] if "deref" in r  # type: ignore[index]
                else None}
        lines[-2:-2] = [f"Under load: the soak's mix (`bench/soak.py`), {load['clients']}"
                        f" clients for {load['minutes']:g} minutes on the same store.", "",
                        "| Category | requests/s | p50 ms | p95 ms | answered 200 |"
                        " idle p95 ms |", "|---|---|---|---|---|---|",
                        *[f"| {k} | {v['per_s']} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |"
                          f" {v['ok_share']:.1%} | "
                          + (f"{idle[k]:.1f}" if idle.get(k) is not None else "—") + " |"
                          for k, v in load["categories"].items()],
                        "", "Verdicts of the soak: " + "; ".join(
                            f"{v['check']}: {'pass' if v['pass'] else 'FAIL'}"
                            for v in load["verdicts"]) + ".", ""]
    elif isinstance(load, dict):
        lines[-2:-2] = [f"Under load: not measured ({load.get('error', '')}).", ""]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in verdicts(r)]
    if isinstance(r.get("virtuoso"), dict):
        lines += ["", *virtuoso_table(r)]
    return "\n".join(lines) + "\n"


def virtuoso_table(r: dict[str, object]) -> list[str]:
    """``--backend=virtuoso``: the same corpus on Virtuoso, next to the embedded store."""
    v: dict = r["virtuoso"]  # type: ignore[assignment,type-arg]
    if "error" in v:
        return [f"On Virtuoso (`--backend=virtuoso`): not measured, the run stopped:"
                f" {v['error']}"]
    ours: dict = r["ingest"]  # type: ignore[assignment,type-arg]
    lines = [f"On Virtuoso (`--backend=virtuoso`: Debian's `virtuoso-t`, buffers for"
             f" {v['memory_gb']:g} GB, written through the Graph Store Protocol), the same corpus:"
             f" `collex stats` {'the same as' if v['same_stats_as_embedded'] else 'DIFFERENT from'}"
             " the embedded store's"
             + (f"; loaded from the dump by the bulk loader:"
                f" {'the same' if v['bulk_same_stats_as_embedded'] else 'DIFFERENT'}"
                if "bulk_same_stats_as_embedded" in v else "") + ".", "",
             "| Stage | embedded s | Virtuoso s | Virtuoso triples/s |", "|---|---|---|---|"]
    for src, w in v["ingest"].items():
        lines.append(f"| load {src} | {ours[src]['seconds']:.1f} | {w['seconds']:.1f} |"
                     f" {w['triples_per_s']:.0f} |")
    lines.append(f"| derive | {r['derive_seconds']} | {v['derive_seconds']} | |")
    if "bulk_load_seconds" in v:
        lines.append(f"| or: `collex dump` of the embedded store through Virtuoso's bulk"
                     f" loader | | {v['bulk_load_seconds']} |"
                     f" {float(v['bulk_triples']) / float(v['bulk_load_seconds']):.0f} |")
    lines += ["", f"Virtuoso database {v['store_mb']} MB (embedded store {r['store_mb']} MB);"
              f" `collex serve` on it: cold start to first search answer"
              f" {v['cold_start_seconds']} s, search API words p50 {v['search']['p50_ms']:.1f}"
              f" ms, p95 {v['search']['p95_ms']:.1f} ms.", "",
              "| SPARQL mix | queries/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    sp: dict = r["sparql"]  # type: ignore[assignment,type-arg]
    for name, w in [("collex serve (embedded)", sp["collex serve"]),
                    *v["sparql"].items()]:
        lines.append(f"| {name} | {w['qps']:.0f} | {w['p50_ms']:.1f} | {w['p95_ms']:.1f} |"
                     f" {w['p99_ms']:.1f} |")
    return lines + not_answered(v["sparql"])


def not_answered(mixes: object) -> list[str]:
    """A line under a SPARQL table for the requests a server did not answer 200 or 304 (at
    most 1% of a run, or the run fails), with what it said."""
    if not isinstance(mixes, dict):
        return []
    out = [f"{name}: {m['errors']} of the requests not answered"
           f" ({'; '.join(m['error_samples'])})"
           for name, m in mixes.items() if isinstance(m, dict) and m.get("errors")]
    return ["", *out] if out else []


# (figure, how to read it from a run's results); each stage's cost against the data's size
GROWTH: list[tuple[str, Callable[[dict[str, Any]], float | None]]] = [
    ("triples loaded", lambda r: sum(v["triples"] for v in r["ingest"].values())),
    ("ingest s (idref + ead + lists)", lambda r: sum(v["seconds"] for v in r["ingest"].values())),
    ("ingest triples/s", lambda r: sum(v["triples"] for v in r["ingest"].values())
     / sum(v["seconds"] for v in r["ingest"].values())),
    ("raw bulk_load triples/s", lambda r: r["raw_bulk_load"]["triples_per_s"]),
    ("peak RSS of a load, MB", lambda r: r["peak_rss_mb"]),
    ("derive s (derived graphs, search index, compaction)", lambda r: r.get("derive_seconds")),
    ("store MB", lambda r: r["store_mb"]),
    ("search index MB", lambda r: r.get("search_index_mb")),
    ("dumps s (`collex publish`)", lambda r: r.get("publish_seconds")),
    ("tables s (`collex export datasets`)", lambda r: r.get("export_seconds")),
    ("cold start s", lambda r: r.get("cold_start_seconds")),
    ("search words p95 ms", lambda r: r["search"]["p95_ms"] if "search" in r else None),
    ("search facets p95 ms",
     lambda r: r["search"]["facets_p95_ms"] if "search" in r else None),
    ("`/id/...` Turtle p95 ms", lambda r: r["deref"]["p95_ms"] if "deref" in r else None),
    ("SPARQL mix queries/s, collex serve",
     lambda r: r["sparql"]["collex serve"]["qps"] if "sparql" in r else None),
    ("SPARQL mix queries/s, oxigraph serve",
     lambda r: r["sparql"]["oxigraph serve"]["qps"] if "sparql" in r else None),
    ("whole run s", lambda r: r.get("total_seconds")),
]


def _figure(read: Callable[[dict[str, Any]], float | None], r: dict[str, Any] | None
            ) -> float | None:
    if r is None:
        return None
    try:
        value = read(r)
    except (KeyError, TypeError, ZeroDivisionError):
        return None
    return float(value) if value is not None else None


def _shown(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.1f}" if abs(x) >= 10 else f"{x:.2f}"


def growth(runs: dict[str, dict[str, Any]]) -> str:
    """The growth table: each scale's latest figures side by side, the factor from one
    scale to the next, and the exponent k of cost = data^k (data = triples loaded): k = 1 is
    linear, k = 0 flat, so the next order of magnitude costs about 10^k times more."""
    scales = [s for s in ("S", "M", "L") if s in runs]
    lines = ["### Growth S → M → L", "",
             "Each scale's latest run: " + "; ".join(
                 f"{s} {runs[s]['date']} ("
                 + ("component trees" if _trees(runs[s]) else "no component trees")
                 + (", ingest only" if "search" not in runs[s] else "") + ")" for s in scales)
             + ". Factor: the next scale's figure over this one's; k: the exponent of"
             " figure = data^k, data being the triples loaded (for a cost, k = 1 is linear;"
             " for a rate, k < 0 is a slowdown). Runs of corpora of different kinds (one"
             " without component trees) are not compared.",
             "", "| Figure | " + " | ".join(scales) + " | " + " | ".join(
                 f"{a} → {b} factor | k" for a, b in itertools.pairwise(scales)) + " |",
             "|---|" + "---|" * (len(scales) + 2 * max(0, len(scales) - 1))]
    size = {s: _figure(GROWTH[0][1], runs[s]) for s in scales}
    for name, read in GROWTH:
        values = {s: _figure(read, runs[s]) for s in scales}
        cells = [_shown(values[s]) for s in scales]
        for a, b in itertools.pairwise(scales):
            va, vb, da, db = values[a], values[b], size[a], size[b]
            if va and vb and da and db and va > 0 and vb > 0 and db != da and (
                    _trees(runs[a]) == _trees(runs[b])):
                factor = vb / va
                cells += [f"{factor:.2f}", f"{math.log(factor) / math.log(db / da):.2f}"]
            else:
                cells += ["—", "—"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _trees(r: dict[str, Any]) -> bool:
    """The corpus had component trees (hundreds of triples per notice, not tens)."""
    ead = r["ingest"].get("ead", {})
    return bool(ead.get("records")) and ead["triples"] / ead["records"] > 500


def latest_runs(results: Path) -> dict[str, dict[str, Any]]:
    """The latest results file of each scale (by the time in its name)."""
    runs: dict[str, dict[str, Any]] = {}
    for scale in ("S", "M", "L"):
        files = sorted(results.glob(f"{scale}-*.json"))
        if files:
            runs[scale] = json.loads(files[-1].read_text(encoding="utf-8"))
    return runs


def replace_block(body: str, name: str, text: str) -> str:
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{begin}\n{text}{end}"
    if begin in body:
        return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda m: block, body,
                      flags=re.S)
    return body.rstrip() + "\n\n" + block + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["S", "M", "L"], default="S")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--ingest-only", action="store_true",
                        help="measure the loads only (the L scale's RSS target needs no more)")
    parser.add_argument("--backend", choices=["embedded", "virtuoso"], default="embedded",
                        help="virtuoso: also load, derive and serve the same corpus on a"
                             " Virtuoso started for the run (Debian's virtuoso-t), reported"
                             " next to the embedded store")
    args = parser.parse_args()
    if args.backend == "virtuoso" and args.ingest_only:
        parser.error("--backend=virtuoso measures the whole run: not with --ingest-only")
    started = time.perf_counter()
    r = run(args.scale, args.requests, args.concurrency, args.ingest_only, args.backend)
    r["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    r["machine"] = (f"{platform.machine()}, {os.cpu_count()} cores,"
                    f" Python {platform.python_version()}")
    r["total_seconds"] = round(time.perf_counter() - started, 1)
    out = HERE / "results" / f"{args.scale}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(r, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    text = table(r)
    print(text)
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    body = replace_block(body, f"scale {args.scale}", text)
    body = replace_block(body, "growth", growth(latest_runs(HERE / "results")))
    readme.write_text(body, encoding="utf-8")
    print(f"total {r['total_seconds']} s; results in {out}")


if __name__ == "__main__":
    main()
