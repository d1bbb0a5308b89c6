"""The bench's report (bench/run.py): its verdicts against the README's targets, and the
growth table (each scale's latest run side by side, the factor from one scale to the next
and the exponent of figure = data^k)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def run() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(scale: str, triples: int, seconds: float, trees: bool = True,
         search: float | None = 10.0, date: str = "2026-12-02 05:00 UTC") -> dict[str, Any]:
    ead_records = 1000
    r: dict[str, Any] = {
        "scale": scale, "date": date,
        "ingest": {"idref": {"triples": triples // 10, "seconds": seconds / 10},
                   "ead": {"records": ead_records,
                           "triples": triples - triples // 10 if trees else ead_records * 60,
                           "seconds": seconds * 9 / 10}},
        "raw_bulk_load": {"triples_per_s": 200_000.0}, "peak_rss_mb": 700.0,
        "store_mb": triples / 3000, "derive_seconds": seconds / 2}
    if search is not None:
        r["search"] = {"p95_ms": search, "facets_p95_ms": search / 2}
        r["sparql"] = {"collex serve": {"qps": 100.0}, "oxigraph serve": {"qps": 10.0}}
    return r


def _row(text: str, name: str) -> list[str]:
    line = next(li for li in text.splitlines() if li.startswith(f"| {name} |"))
    return [c.strip() for c in line.strip("|").split("|")][1:]


def test_factors_and_exponents(run: ModuleType) -> None:
    text = run.growth({"S": _run("S", 3_000_000, 50.0),
                       "M": _run("M", 30_000_000, 500.0, search=40.0)})
    assert "| Figure | S | M | S → M factor | k |" in text
    # ingest time ten times for ten times the data: linear
    assert _row(text, "ingest s (idref + ead + lists)") == ["50.0", "500", "10.00", "1.00"]
    # search p95 four times for ten times the data: k = log 4 / log 10
    assert _row(text, "search words p95 ms") == ["10.0", "40.0", "4.00", "0.60"]
    assert _row(text, "ingest triples/s") == ["60,000", "60,000", "1.00", "0.00"]
    assert _row(text, "dumps s (`collex publish`)") == ["—", "—", "—", "—"]


def test_runs_of_another_kind_are_not_compared(run: ModuleType) -> None:
    text = run.growth({"S": _run("S", 3_000_000, 50.0),
                       "M": _run("M", 30_000_000, 500.0),
                       "L": _run("L", 25_000_000, 300.0, trees=False, search=None)})
    assert "L 2026-12-02 05:00 UTC (no component trees, ingest only)" in text
    ingest = _row(text, "ingest s (idref + ead + lists)")
    assert ingest[:5] == ["50.0", "500", "300", "10.00", "1.00"] and ingest[5:] == ["—", "—"]
    assert _row(text, "search words p95 ms")[2] == "—"


def test_latest_run_of_each_scale_goes_into_the_readme(run: ModuleType, tmp_path: Path
                                                      ) -> None:
    for name, r in [("S-20261201T000000", _run("S", 1_000, 1.0)),
                    ("S-20261202T000000", _run("S", 3_000_000, 50.0)),
                    ("M-20261130T000000", _run("M", 30_000_000, 500.0))]:
        (tmp_path / f"{name}.json").write_text(json.dumps(r), encoding="utf-8")
    runs = run.latest_runs(tmp_path)
    assert sorted(runs) == ["M", "S"] and runs["S"]["store_mb"] == 1000.0
    body = run.replace_block("# Benchmarks\n\nintro\n", "growth", run.growth(runs))
    again = run.replace_block(body, "growth", run.growth(runs))
    assert again == body and body.count("<!-- growth -->") == 1 and "intro" in body


def test_verdicts_follow_the_readme_targets(run: ModuleType) -> None:
    """README, Performance: at M ingest 0.5x, SPARQL 0.7x (1.0x revalidated), search p95
    30 ms, `/id/` 20 ms; at L search 100 ms, RSS 2 GB, the whole run 60 minutes."""
    def verdict(r: dict[str, Any], figure: str) -> str:
        return next(v for name, _, _, v in run.verdicts(r) if name == figure)

    m = {**_run("M", 30_000_000, 500.0, search=30.0), "ingest_ratio": 0.5,
         "sparql_ratio": 0.7, "sparql_cached_ratio": 1.0, "deref": {"p95_ms": 20.0},
         "total_seconds": 5000.0}
    assert {v for _, _, _, v in run.verdicts(m)} == {"pass", "(target at L)"}
    for key, value, figure in [
            ("ingest_ratio", 0.49, "ingest vs raw bulk_load (triples/s)"),
            ("sparql_ratio", 0.69, "SPARQL throughput vs oxigraph serve"),
            ("sparql_cached_ratio", 0.99,
             "SPARQL, a shared cache revalidating (ETag) vs oxigraph serve GET"),
            ("search", {"p95_ms": 30.1, "facets_p95_ms": 1.0}, "search API p95, words"),
            ("search", {"p95_ms": 1.0, "facets_p95_ms": 30.1}, "search API p95, facets only"),
            ("deref", {"p95_ms": 20.1}, "`/id/...` as Turtle p95")]:
        assert verdict({**m, key: value}, figure) == "FAIL", key
    s = {**m, "scale": "S", "ingest_ratio": 0.1}
    assert verdict(s, "ingest vs raw bulk_load (triples/s)") == "(target at M)"
    big = {**m, "scale": "L", "search": {"p95_ms": 99.0, "facets_p95_ms": 99.0},
           "peak_rss_mb": 2048.0, "total_seconds": 3600.0}
    assert verdict(big, "search API p95, words") == "pass"
    assert verdict(big, "peak RSS during ingest") == "pass"
    assert verdict(big, "the whole run") == "pass"
    assert verdict({**big, "total_seconds": 3601.0}, "the whole run") == "FAIL"
    assert verdict({**big, "peak_rss_mb": 2049.0}, "peak RSS during ingest") == "FAIL"
    assert verdict({**big, "search": {"p95_ms": 100.1, "facets_p95_ms": 1.0}},
                   "search API p95, words") == "FAIL"


def test_unanswered_requests_are_counted_not_fatal(run: ModuleType) -> None:
    """A request past the client's timeout is counted as not answered (with a sample) and
    left out of the answers per second; it neither kills its client thread nor the run."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from sparql_lookup import load_test

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if b"slow" in body:
                time.sleep(1.5)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:
                pass  # the client gave up

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        queries = [("fast", "ASK {}"), ("slow", "ASK { ?slow ?p ?o }")]
        got = load_test(url, queries, 8, 2, max_error_share=1.0, timeout=0.5)
        assert got["errors"] == 4 and "ReadTimeout" in got["error_samples"][0]
        with pytest.raises(SystemExit, match="4 of 8 SPARQL requests failed"):
            load_test(url, queries, 8, 2, timeout=0.5)
        all_fast = load_test(url, queries[:1], 8, 2, timeout=0.5)
        assert all_fast["errors"] == 0 and all_fast["qps"] > 0
    finally:
        server.shutdown()
