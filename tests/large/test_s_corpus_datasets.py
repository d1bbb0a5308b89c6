"""The generated S corpus (1,000 notices with their component trees, 10,000 IdRef records,
the lists) loaded, then exported as tables: `frictionless validate` passes (types, primary and
foreign keys of every table, CSV and Parquet), every foreign key resolves, and the counts are
SPARQL's. Run by `make test-large` (CI runs it)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.datasets import TABLES
from bench.generate import generate
from tests.conftest import COLLEX

pytestmark = pytest.mark.large
FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COLLEX), *args], env=env, capture_output=True, text=True,
                          timeout=1800, check=False)


def _count(env: dict[str, str], query: str) -> int:
    out = _run(env, "query", query, "--format", "json")
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


def test_the_s_corpus_exports_valid_tables(tmp_path: Path) -> None:
    generate("S", tmp_path / "corpus")
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store"),
           "COLLEX_MAX_FILE_BYTES": str(2**31)}
    for src in ("idref", "ead", "lists"):
        out = _run(env, "load", str(tmp_path / "corpus" / src), "--no-derive")
        assert out.returncode in (0, 1), out.stderr[-2000:]  # the corpus has bad records
    assert _run(env, "derive").returncode == 0
    out = _run(env, "export", "datasets", str(tmp_path / "datasets"))
    assert out.returncode == 0, out.stderr
    checked = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                             cwd=tmp_path / "datasets", capture_output=True, text=True,
                             timeout=1800, check=False)
    report = json.loads(checked.stdout)
    assert report["valid"], json.dumps(report)[:3000]
    rows: dict[str, list[dict[str, str]]] = {}
    for t in TABLES:
        with (tmp_path / "datasets" / f"{t.name}.csv").open(encoding="utf-8", newline="") as f:
            rows[t.name] = list(csv.DictReader(f))
    for t in TABLES:
        for column, ref, ref_column in t.foreign:
            targets = {r[ref_column] for r in rows[ref or t.name]}
            assert not {r[column] for r in rows[t.name] if r[column]} - targets, (t.name, column)
    assert len(rows["collections"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dcmitype:Collection }") > 900
    assert len(rows["components"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x rico:isOrWasIncludedIn ?p }") > 10_000
    # the institutions are spread over the territory: each placed in a department
    placed = [r for r in rows["institutions"] if r["department_code"]]
    assert len(placed) == len(rows["institutions"]) >= 9
    assert len({r["region_code"] for r in placed}) >= 8
