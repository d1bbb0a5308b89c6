"""The ``collex`` command as a user runs it: exit codes, reports, acceptance scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, SAMPLE_RECORDS, CliRun
from tests.loaders.test_pipeline import SECRET, hostile_folder

COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a dcmitype:Collection }"
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(cli: CliRun, query: str) -> int:
    out = cli("query", query, "--format", "json")
    assert out.returncode == 0, out.stderr
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.shared
def test_archives_nationales_acceptance(cli: CliRun, an_ead: Path) -> None:
    first = cli("load", str(an_ead))
    assert first.returncode == 0, first.stderr
    assert _count(cli, COUNT) == 3
    triples = _count(cli, TRIPLES)
    again = cli("load", str(an_ead))
    assert again.returncode == 0
    assert _count(cli, TRIPLES) == triples
    csv = cli("query", COUNT)
    assert csv.stdout.split() == ["n", "3"]


def test_hostile_folder_exit_1_and_report(cli: CliRun, tmp_path: Path) -> None:
    expected = hostile_folder(tmp_path / "in")
    report_path = tmp_path / "report.json"
    out = cli("load", str(tmp_path / "in"), "--report", str(report_path))
    assert out.returncode == 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    names = {Path(r["file"]).name: r["message"] for r in report["rejected"]}
    assert set(names) == set(expected)
    assert "declares entities" in names["xxe.xml"]
    assert "REJECTED" in out.stderr and "xxe.xml" in out.stderr
    assert "Traceback" not in out.stderr
    assert _count(cli, COUNT) == 2
    dump = tmp_path / "all.nq"
    assert cli("dump", str(dump)).returncode == 0
    assert SECRET not in dump.read_text(encoding="utf-8")


def test_validate_does_not_write(cli: CliRun, tmp_path: Path) -> None:
    out = cli("validate", str(SAMPLE), "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["loaded"] == SAMPLE_RECORDS
    assert cli("stats").returncode == 2  # no store was created


def test_usage_and_runtime_errors_exit_2_without_traceback(cli: CliRun, tmp_path: Path) -> None:
    for args in (["load", str(tmp_path / "missing")], ["query", "SELECT"], ["frobnicate"],
                 ["stats"], ["restore", str(tmp_path / "nothing.nq")]):
        out = cli(*args)
        assert out.returncode == 2, (args, out.stderr)
        assert "Traceback" not in out.stderr
    bad = cli("stats", extra_env={"COLLEX_BASE_IRI": "ftp://x"})
    assert bad.returncode == 2 and "COLLEX_BASE_IRI" in bad.stderr


def test_stats_dump_restore_backup(cli: CliRun, tmp_path: Path) -> None:
    assert cli("load", str(SAMPLE)).returncode == 0
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["classes"]["http://purl.org/dc/dcmitype/Collection"] == 21
    graphs = stats["graphs"]
    entities = [g for g in graphs if "/graph/entity/" in g]
    # each source record, the related-collections and data-version graphs, the entities
    assert len(graphs) - len(entities) == SAMPLE_RECORDS + 2 and len(entities) > 30
    dump = tmp_path / "d.trig"
    assert cli("dump", str(dump)).returncode == 0
    assert cli("restore", str(dump)).returncode == 0
    assert json.loads(cli("stats", "--json").stdout)["triples"] == stats["triples"]
    assert cli("backup", str(tmp_path / "bk")).returncode == 0
    turtle = cli("query", "CONSTRUCT WHERE { ?c a dcmitype:Collection }", "--format", "turtle")
    assert turtle.returncode == 0
    assert turtle.stdout.count("http://purl.org/dc/dcmitype/Collection") == 21


def test_backup_while_the_server_runs_answers_the_same_counts(tmp_path: Path) -> None:
    import os
    import subprocess

    import httpx
    import pyoxigraph as ox

    from tests.conftest import COLLEX, _serve_loaded

    served = _serve_loaded(tmp_path, SAMPLE)
    url = next(served)
    try:
        env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
        out = subprocess.run([str(COLLEX), "backup", str(tmp_path / "bk")], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
        assert out.returncode == 0, out.stderr
        assert "checkpoint" in out.stderr
        status = httpx.get(url + "/api/status").json()
        backup = ox.Store.read_only(str(tmp_path / "bk"))
        assert len(backup) == status["triples"]
        collections = backup.query("SELECT (COUNT(?c) AS ?n) WHERE { GRAPH ?g { ?c a"
                                   " <http://purl.org/dc/dcmitype/Collection> } }")
        assert int(next(iter(collections))["n"].value) == 21  # type: ignore[index]
    finally:
        served.close()
