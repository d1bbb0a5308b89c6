"""Linking report and alignment candidates, through the real CLI and store."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

from tests.conftest import COLLEX, FIXTURES

IDREF = FIXTURES / "idref"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COLLEX), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _notice(path: Path, names: str, eadid: str = "n1", repo: str = "751052116") -> None:
    path.write_text(
        f'<ead><eadheader><eadid mainagencycode="{repo}">{eadid}</eadid></eadheader>'
        '<archdesc level="fonds"><did><unitid>MS 1</unitid><unittitle>Fonds</unittitle>'
        f'<repository><corpname authfilenumber="{repo}">Bibliothèque {repo}</corpname>'
        f"</repository></did><controlaccess>{names}</controlaccess></archdesc></ead>",
        encoding="utf-8")


def test_link_report_rates_unresolved_and_candidates(tmp_path: Path) -> None:
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    folder = tmp_path / "in"
    folder.mkdir()
    _notice(folder / "a.xml",
            '<persname>Paris, Gaston (1839-1903)</persname>'
            '<persname>Gaston Paris</persname>'
            '<persname>Paris, Gaston (1850-1900)</persname>'
            '<corpname>Société des anciens textes français</corpname>'
            '<subject authfilenumber="990000036">Manuscrits arabes</subject>'
            '<subject authfilenumber="990000044">Manuscrits</subject>'
            '<persname>Personne Inconnue</persname>')
    _notice(folder / "b.xml", '<subject>Sans lien</subject>', eadid="n2", repo="674822101")
    for name in ("027058352.xml", "corporate-99000001X.xml", "rameau-990000036.xml"):
        (folder / name).write_bytes((IDREF / name).read_bytes())
    assert _run(env, "load", str(folder)).returncode == 0
    csv_path = tmp_path / "candidates.csv"
    out = _run(env, "link-report", "--candidates", str(csv_path), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)  # the JSON alone on stdout
    rates = {r["name"]: r for r in report["institutions"]}
    assert rates["Bibliothèque 751052116"]["access_points"] == 7
    assert rates["Bibliothèque 751052116"]["idref_links"] == 2
    assert rates["Bibliothèque 751052116"]["resolved"] == 1
    assert rates["Bibliothèque 674822101"]["idref_links"] == 0
    assert report["unresolved"] == ["990000044"]
    best = {(c["local_label"], c["target"]): c["score"] for c in report["candidates"]}
    gaston = "http://www.idref.fr/027058352/id"
    assert best[("Paris, Gaston (1839-1903)", gaston)] == 1.0
    assert best[("Gaston Paris", gaston)] == 0.8
    assert best[("Paris, Gaston (1850-1900)", gaston)] == 0.5
    assert best[("Société des anciens textes français",
                 "http://www.idref.fr/99000001X/id")] == 0.9
    assert not any(c["local_label"] == "Personne Inconnue" for c in report["candidates"])
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert len(rows) == len(report["candidates"]) and rows[0]["decision"] == ""
    # Candidates are kept apart: their own graph, never asserted as links.
    graph = _run(env, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                 "<http://127.0.0.1:8000/graph/alignment/idref> { ?a a "
                 "collex:AlignmentCandidate } }", "--format", "json")
    assert json.loads(graph.stdout)["results"]["bindings"][0]["n"]["value"] == str(len(rows))
    asserted = _run(env, "query", "ASK { ?c dcterms:subject <http://www.idref.fr/027058352/id> }",
                    "--format", "json")
    assert json.loads(asserted.stdout)["boolean"] is False
    text = _run(env, "link-report")
    assert "Bibliothèque 751052116" in text.stdout and not text.stdout.startswith("{")


def test_damaged_iso2709_loads_the_others_and_exits_1(tmp_path: Path) -> None:
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    out = _run(env, "load", str(IDREF / "damaged.mrc"), "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    assert [r["record"] for r in report["rejected"]] == ["990000028"]
    assert "damaged ISO 2709 record at byte" in report["rejected"][0]["message"]
    assert report["loaded"] == 5 and report["deleted"] == 1
    ask = _run(env, "query", "SELECT ?e WHERE { ?e skos:prefLabel ?l } ORDER BY ?e",
               "--format", "json")
    loaded = [b["e"]["value"].split("/")[-2] for b in json.loads(ask.stdout)["results"][
        "bindings"]]
    assert loaded == ["027058352", "99000001X", "990000036", "990000060", "990000087"]


def test_deleted_record_removes_the_entity(tmp_path: Path) -> None:
    env = {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}
    live = tmp_path / "live.xml"
    live.write_bytes((IDREF / "deleted-990000079.xml").read_bytes().replace(
        b"<leader>     dx", b"<leader>     cx"))
    assert _run(env, "load", str(live)).returncode == 0
    ask = "ASK { <http://www.idref.fr/990000079/id> ?p ?o }"
    assert json.loads(_run(env, "query", ask, "--format", "json").stdout)["boolean"] is True
    out = _run(env, "load", str(IDREF / "deleted-990000079.xml"))
    assert out.returncode == 0 and "1 deleted" in out.stderr
    assert json.loads(_run(env, "query", ask, "--format", "json").stdout)["boolean"] is False
