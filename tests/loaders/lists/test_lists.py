"""Curators' lists, related collections, suggestions and quality, through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import COLLEX, FIXTURES, SAMPLE

SUBJECT_TO_NETWORKS = """
SELECT ?network ?name ?member ?title ?about WHERE {
  ?about (skos:broader|^skos:narrower)* <%s> .
  ?member dcterms:subject ?about .
  ?network a collex:ThematicNetwork ; collex:hasMember ?member ; foaf:name ?name .
  OPTIONAL { ?member dcterms:title ?title }
} ORDER BY ?name ?title"""


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COLLEX), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "COLLEX_STORE_DIR": str(tmp_path / "store")}


def _json(out: subprocess.CompletedProcess[str]) -> list[dict[str, dict[str, str]]]:
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["results"]["bindings"])


def test_sample_networks_load_and_subject_query(env: dict[str, str]) -> None:
    load = _run(env, "load", str(SAMPLE))
    assert load.returncode == 0 and "0 rejected" in load.stderr
    rows = _json(_run(env, "query", SUBJECT_TO_NETWORKS % "http://www.idref.fr/027732428/id",
                      "--format", "json"))
    found = {(r["name"]["value"], r["title"]["value"]) for r in rows}
    assert ("Géopolitique et relations internationales",
            "Archives du Centre de recherches sur la géopolitique de la Méditerranée") in found
    assert ("Mondes arabes, persans et ottomans",
            "Manuscrits ottomans et documents de chancellerie") in found
    third = _json(_run(env, "query", "SELECT ?m ?title WHERE { ?ms collex:memberRole "
                       '"third-party" ; collex:member ?m . ?m a collex:ExternalCollection ; '
                       "dcterms:title ?title }", "--format", "json"))
    assert {r["title"]["value"] for r in third} == {
        "Papiers de Paul Meyer", "Manuscrits arabes de la Bibliothèque municipale de Lyon"}
    labelled = _json(_run(env, "query", "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c "
                          "collex:hasLabel ?l }", "--format", "json"))
    assert labelled[0]["n"]["value"] == "12"


def test_narrower_subject_reaches_the_network(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("rameau-990000036.xml",):
        shutil.copy(FIXTURES / "idref" / name, folder / name)
    (folder / "enlumines.xml").write_text(
        '<ead><eadheader><eadid mainagencycode="751132101">enl-1</eadid></eadheader>'
        '<archdesc level="fonds"><did><unitid>MS 9</unitid><unittitle>Manuscrits enluminés'
        '</unittitle><repository><corpname authfilenumber="751132101">BULAC</corpname>'
        '</repository></did><controlaccess><subject authfilenumber="990000052">Manuscrits'
        " arabes enluminés</subject></controlaccess></archdesc></ead>", encoding="utf-8")
    (folder / "net.csv").write_text("network,name\narabe,Réseau arabe\n", encoding="utf-8")
    (folder / "mem.csv").write_text("network,collection,role\narabe,enl-1,collex\n",
                                    encoding="utf-8")
    assert _run(env, "load", str(folder)).returncode == 0
    rows = _json(_run(env, "query", SUBJECT_TO_NETWORKS % "http://www.idref.fr/990000036/id",
                      "--format", "json"))
    assert [(r["name"]["value"], r["title"]["value"]) for r in rows] == [
        ("Réseau arabe", "Manuscrits enluminés")]


def test_bad_rows_are_named_and_valid_rows_load(env: dict[str, str], tmp_path: Path) -> None:
    assert _run(env, "load", str(SAMPLE)).returncode == 0
    bad = tmp_path / "members-bad.csv"
    bad.write_text(
        "network,collection,title,holder,url,role\n"
        "geopolitique,calames-751132101-0019,,,,collex\n"          # row 2: valid
        "geopolitique,,Fonds X,FR-12,,third-party\n"                # row 3: bad ISIL
        "geopolitique,FR-751052105-0017,,,,\n"                      # row 4: missing role
        "geopolitique,no-such-notice,,,,collex\n"                   # row 5: unknown collection
        "geopolitique,,Fonds Y,Bibliothèque Z,https://example.org/y,tierce\n",  # row 6: valid
        encoding="utf-8")
    out = _run(env, "load", str(bad), "--json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    messages = {r["record"]: r["message"] for r in report["rejected"]}
    assert set(messages) == {"row 3", "row 4", "row 5"}
    assert all(str(bad) == r["file"] for r in report["rejected"])
    assert "column holder: 'FR-12' is not an ISIL" in messages["row 3"]
    assert "column role: missing value" in messages["row 4"]
    assert "column collection: 'no-such-notice' is not a loaded collection" in messages["row 5"]
    members = _json(_run(env, "query", "SELECT ?m WHERE { <http://127.0.0.1:8000/id/network/"
                         "geopolitique> collex:hasMember ?m }", "--format", "json"))
    got = {r["m"]["value"].rsplit("/", 1)[-1] for r in members}
    assert {"calames-751132101-0019", "geopolitique-fonds-y"} <= got
    # reloading the file without its bad rows replaces what it said before
    bad.write_text("network,collection,role\ngeopolitique,FR-751052105-0017,collex\n",
                   encoding="utf-8")
    assert _run(env, "load", str(bad)).returncode == 0
    members = _json(_run(env, "query", "SELECT ?m WHERE { <http://127.0.0.1:8000/id/network/"
                         "geopolitique> collex:hasMember ?m }", "--format", "json"))
    got = {r["m"]["value"].rsplit("/", 1)[-1] for r in members}
    assert "geopolitique-fonds-y" not in got and "FR-751052105-0017" in got


def test_missing_required_column(env: dict[str, str], tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("collection;campaign\nx;2020\n", encoding="utf-8")
    out = _run(env, "load", str(labels), "--json")
    assert out.returncode == 1
    (rej,) = json.loads(out.stdout)["rejected"]
    assert "row 1, column disciplines: required column missing" in rej["message"]
    assert "the loaded list is unchanged" in rej["message"]


def test_related_suggestions_and_quality_are_explained_and_reproducible(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert _run(env, "load", str(SAMPLE)).returncode == 0
    rel = _json(_run(env, "query", "SELECT ?score ?why WHERE { GRAPH <http://127.0.0.1:8000/"
                     "graph/derived/related> { ?r collex:relates <http://127.0.0.1:8000/id/"
                     "collection/FR-751052105-0003>, <http://127.0.0.1:8000/id/collection/"
                     "calames-751052116-0001> ; collex:score ?score ; collex:explanation ?why"
                     " } }", "--format", "json"))
    assert "Paris, Gaston (1839-1903) (agent" in rel[0]["why"]["value"]
    words = _json(_run(env, "query", "SELECT ?lang ?text WHERE { ?r collex:relates <http://"
                       "127.0.0.1:8000/id/collection/FR-751052105-0003>, <http://127.0.0.1:8000/"
                       "id/collection/calames-751052116-0001> ; rdfs:comment ?text BIND(LANG("
                       "?text) AS ?lang) } ORDER BY ?lang", "--format", "json"))
    assert [w["lang"]["value"] for w in words] == ["en", "fr"]
    assert words[0]["text"]["value"].startswith("Share the person or body “Paris, Gaston")
    assert words[1]["text"]["value"].startswith(
        "Partagent la personne ou collectivité « Paris, Gaston (1839-1903) »")
    first = _run(env, "suggest-members", "geopolitique")
    second = _run(env, "suggest-members", "geopolitique")
    assert first.returncode == 0 and first.stdout == second.stdout
    assert "Manuscrits ottomans et documents de chancellerie" in first.stdout
    assert "Géopolitique (subject-idref" in first.stdout
    assert _run(env, "suggest-members", "nope").returncode == 2
    csv_path = tmp_path / "q.csv"
    q1 = _run(env, "quality", "--csv", str(csv_path))
    q2 = _run(env, "quality")
    assert q1.returncode == 0 and q1.stdout == q2.stdout
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("holder,name,notices,idref_subjects_count")
    assert len(lines) == 7  # six institutions
    assert "Bibliothèque de l'École nationale des chartes,3,0,3,3,3,3,1" in csv_path.read_text(
        encoding="utf-8")


def test_schema_file_matches_the_parser() -> None:
    from loaders.lists.parse import SPECS

    schema = json.loads((Path(__file__).resolve().parents[3] / "ontology" /
                         "lists.schema.json").read_text(encoding="utf-8"))
    for res in schema["resources"]:
        spec = SPECS[res["name"]]
        fields = {f["name"]: f["constraints"]["required"] for f in res["schema"]["fields"]}
        assert fields == {**{c: True for c in spec.required}, **{c: False for c in spec.optional}}
