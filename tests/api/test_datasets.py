"""`collex export datasets DIR`: tidy tables as CSV and Parquet with a Frictionless Data
Package descriptor, validated by `frictionless validate` (types, keys, foreign keys), equal to
what SPARQL counts, and the README's analysis example run as written."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from api.datasets import TABLES
from tests.conftest import COLLEX, ROOT, SAMPLE

FRICTIONLESS = Path(sys.executable).parent / "frictionless"


def _run(env: dict[str, str], *args: str, cwd: Path | None = None
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COLLEX), *args], env=env, capture_output=True, text=True,
                          timeout=600, check=False, cwd=cwd)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    tmp = tmp_path_factory.mktemp("datasets")
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp / "store")}
    assert _run(env, "load", str(SAMPLE)).returncode == 0
    out = _run(env, "export", "datasets", str(tmp / "datasets"))
    assert out.returncode == 0, out.stderr
    return env, tmp / "datasets"


def _count(env: dict[str, str], query: str) -> int:
    out = _run(env, "query", query, "--format", "json")
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_frictionless_validates_the_package(exported: tuple[dict[str, str], Path]) -> None:
    _, folder = exported
    out = subprocess.run([str(FRICTIONLESS), "validate", "--json", "datapackage.json"],
                         cwd=folder, capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(out.stdout)
    assert report["valid"], json.dumps(report)[:3000]
    tasks = {t["name"]: t for t in report["tasks"]}
    assert set(tasks) == {t.name for t in TABLES} | {f"{t.name}-parquet" for t in TABLES}
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["path"].startswith("https://www.etalab.gouv.fr/")
    assert package["created"] and package["version"]
    fks = [r for r in package["resources"] if r["schema"]["foreignKeys"]]
    assert len(fks) >= 16  # collections→institutions, components→collections and parents...


def test_foreign_keys_resolve_and_counts_match_sparql(
        exported: tuple[dict[str, str], Path]) -> None:
    env, folder = exported
    tables = {t.name: _rows(folder, t.name) for t in TABLES}
    for t in TABLES:
        ids = {tuple(r[k] for k in t.key) for r in tables[t.name]}
        assert len(ids) == len(tables[t.name]), f"{t.name}: primary key not unique"
        for column, ref, ref_column in t.foreign:
            targets = {r[ref_column] for r in tables[ref or t.name]}
            missing = {r[column] for r in tables[t.name] if r[column]} - targets
            assert not missing, (t.name, column, missing)
    assert len(tables["collections"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a dcmitype:Collection }")
    assert len(tables["components"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x rico:isOrWasIncludedIn ?p }")
    assert len(tables["networks"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a collex:ThematicNetwork }")
    assert len(tables["memberships"]) == _count(
        env, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?x ?m WHERE {"
             " ?x a collex:ThematicNetwork ; collex:hasMember ?m } }")
    assert sum(r["collex_label"] == "true" for r in tables["collections"]) == 12
    assert len(tables["labels"]) == _count(
        env, "SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a collex:CollexLabel }") == 12
    assert len(tables["label_disciplines"]) == _count(
        env, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?l ?d WHERE {"
             " ?l a collex:CollexLabel ; collex:discipline ?d } }")
    assert len(tables["network_disciplines"]) == _count(
        env, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?x ?d WHERE {"
             " ?x a collex:ThematicNetwork ; collex:discipline ?d } }")
    # every citation of an agent or subject by a collection's own description
    direct = sum(r["in_description"] == "true" for name in ("collection_agents",
                 "collection_subjects") for r in tables[name])
    assert direct == _count(env, """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?c ?p ?o
        WHERE { VALUES ?p { dcterms:subject dcterms:creator dcterms:contributor dcterms:spatial
                dcterms:type rico:hasOrganicProvenance collex:formerOwner collex:function
                collex:occupation } ?c a dcmitype:Collection ; ?p ?o FILTER(isIRI(?o)) } }""")
    # a known row, both formats
    row = next(r for r in tables["collections"] if r["key"] == "FR-751052105-0003")
    assert row["title"] == "Archives de la Société des anciens textes français"
    holder = next(r for r in tables["institutions"]
                  if r["institution_id"] == row["holder_id"])
    assert (holder["isil"], holder["department_code"], holder["region_code"]) == (
        "FR-751052105", "75", "11")
    parquet = pq.read_table(folder / "collections.parquet").to_pylist()
    assert len(parquet) == len(tables["collections"])
    twin = next(r for r in parquet if r["key"] == "FR-751052105-0003")
    assert twin["collex_label"] is True and twin["title"] == row["title"]
    assert isinstance(twin["components"], int)


def test_the_export_refuses_a_folder_that_is_not_an_export(
        exported: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, folder = exported
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    out = _run(env, "export", "datasets", str(tmp_path))
    assert out.returncode == 2 and "not empty and holds no export" in out.stderr
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
    again = _run(env, "export", "datasets", str(folder))  # a previous export: replaced
    assert again.returncode == 0, again.stderr
    missing = _run({**env, "COLLEX_STORE_DIR": str(tmp_path / "none")}, "export", "datasets",
                   str(tmp_path / "out"))
    assert missing.returncode == 2 and not (tmp_path / "out").exists()


def test_the_readme_analysis_example_runs(exported: tuple[dict[str, str], Path],
                                          tmp_path: Path) -> None:
    """The README's example, as written, run where `collex export datasets datasets` left
    its tables; it prints the number of collections per region, equal to SPARQL's."""
    env, folder = exported
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- analysis-example -->\s*```python\n(.*?)```", readme, re.S)
    assert m, "README: the analysis example is missing"
    (tmp_path / "datasets").symlink_to(folder)
    (tmp_path / "example.py").write_text(m.group(1), encoding="utf-8")
    out = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    printed = dict(re.findall(r"^(.+?)\s+(\d+)\s*$", out.stdout, re.M))
    out2 = _run(env, "query", """SELECT ?name (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?c a dcmitype:Collection ; rico:hasOrHadHolder/collex:region ?r .
        ?r skos:prefLabel ?name } GROUP BY ?name""", "--format", "json")
    expected = {b["name"]["value"]: b["n"]["value"]
                for b in json.loads(out2.stdout)["results"]["bindings"]}
    assert {k.strip(): v for k, v in printed.items()} == expected == {
        "Île-de-France": "13", "Grand Est": "4", "Auvergne-Rhône-Alpes": "4"}
