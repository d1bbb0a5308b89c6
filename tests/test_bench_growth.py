"""The bench's growth table (bench/run.py): each scale's latest run side by side, the factor
from one scale to the next and the exponent of figure = data^k."""

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
