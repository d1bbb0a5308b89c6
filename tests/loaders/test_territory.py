"""Where institutions are: INSEE department and region from the list, the RCR, FranceArchives
codes or coordinates, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from loaders import territory
from tests.conftest import SAMPLE, CliRun

BASE = "http://127.0.0.1:8000/"
PLACES = """
SELECT ?i ?dep ?reg WHERE { ?i a collex:Institution ; collex:department ?d ; collex:region ?r .
  ?d skos:notation ?dep . ?r skos:notation ?reg . ?d skos:broader ?r }"""


def _rows(cli: CliRun, query: str) -> list[dict[str, str]]:
    out = cli("query", query, "--format", "json")
    assert out.returncode == 0, out.stderr
    return [{k: v["value"] for k, v in r.items()}
            for r in json.loads(out.stdout)["results"]["bindings"]]


def _places(cli: CliRun) -> dict[str, tuple[str, str]]:
    return {r["i"].rsplit("/", 1)[-1]: (r["dep"], r["reg"]) for r in _rows(cli, PLACES)}


def test_the_scheme_has_the_official_regions_and_departments(cli: CliRun) -> None:
    assert cli("load", str(SAMPLE)).returncode == 0
    counts = _rows(cli, "SELECT ?t (COUNT(?x) AS ?n) WHERE { ?x a ?t ; skos:inScheme "
                        "<https://w3id.org/collex/territory/> } GROUP BY ?t")
    got = {r["t"].rsplit("#", 1)[-1]: int(r["n"]) for r in counts}
    assert got == {"Concept": 119, "Region": 18, "Departement": 101}
    names = _rows(cli, "SELECT ?n ?r WHERE { <https://w3id.org/collex/territory/department/2A>"
                       " skos:prefLabel ?n ; skos:broader/skos:notation ?r }")
    assert names == [{"n": "Corse-du-Sud", "r": "94"}]
    # the sample's institutions, by their RCR: Paris (11), Strasbourg (44), Lyon (84)
    places = _places(cli)
    assert places["FR-751052116"] == ("75", "11")
    assert places["FR-674822101"] == ("67", "44")
    assert places["FR-693872101"] == ("69", "84")


def test_list_column_then_rcr_then_coordinates(cli: CliRun, tmp_path: Path) -> None:
    lists = tmp_path / "institutions.csv"
    lists.write_text(
        "isil,name,department,latitude,longitude\n"
        "FR-330632101,Bibliothèque de Bordeaux,,44.8378,-0.5792\n"     # RCR (33) = point
        "FR-130552101,Bibliothèque de Marseille,2a,,\n"                # the column wins
        "ZZ-TOULOUSE,Bibliothèque sans RCR,,43.6045,1.4440\n"          # the point: 31
        "FR-590092101,Bibliothèque de Lille,,48.1173,-1.6778\n"        # point in 35: warned
        "FR-670002101,Bibliothèque mal codée,999,,\n"                  # bad column: dropped
        "ZZ-NOWHERE,Bibliothèque inconnue,,,\n",                       # nothing: no place
        encoding="utf-8")
    out = cli("load", str(lists), "--json")
    assert out.returncode == 0, out.stderr  # values dropped or doubted: warnings
    report = json.loads(out.stdout)
    assert report["rejected"] == []
    warnings = out.stderr
    assert "column department: '999' is not the INSEE code of a department" in warnings
    assert "fall in department 35 (Ille-et-Vilaine), the RCR says 59 (Nord); kept 59" in warnings
    places = _places(cli)
    assert places["FR-330632101"] == ("33", "75")
    assert places["FR-130552101"] == ("2A", "94")
    assert places["ZZ-TOULOUSE"] == ("31", "76")
    assert places["FR-590092101"] == ("59", "32")
    assert places["FR-670002101"] == ("67", "44")  # from the RCR, the bad column left out
    assert "ZZ-NOWHERE" not in places


def test_francearchives_service_codes_place_their_archives(cli: CliRun,
                                                           tmp_path: Path, shared: Path) -> None:
    folder = tmp_path / "fa"
    folder.mkdir()
    for name in ("FRAD095_00259.XML", "FRAN_IR_000224.xml"):
        shutil.copy(shared / "samples" / "francearchives" / name, folder / name)
    assert cli("load", str(folder)).returncode in (0, 1)
    loaded = _rows(cli, "SELECT ?i ?d WHERE { ?c a dcmitype:Collection ; rico:hasOrHadHolder"
                        " ?i . ?i a collex:Institution . OPTIONAL { ?i collex:department ?d } }")
    found = {r["i"].rsplit("/", 1)[-1]: r.get("d", "").rsplit("/", 1)[-1] for r in loaded}
    # FRAD095_...: the Val-d'Oise's departmental archives, placed by the eadid's service code;
    # the Archives nationales have sites in two departments: none is claimed for them
    assert found["local-archives-departementales-du-val-d-oise"] == "95"
    assert [v for k, v in found.items() if k != "local-archives-departementales-du-val-d-oise"
            ] == [""]


def test_codes_and_points() -> None:
    assert territory.from_code("FRAD02B").department == "2B"
    assert territory.from_code("FRAD0999") is None and territory.from_code("FRAD999") is None
    assert territory.from_code("FR-FRAD971").department == "971"
    assert territory.from_code("2B0962101").department == "2B"
    assert territory.from_code("974112101").department == "974"
    assert territory.from_code("FRANMT").department == "59"
    assert territory.from_code("FR-AN") is None
    # a point in each overseas department, one in Corsica, one off the coast
    for (lat, lon), code in {(-21.115, 55.536): "974", (16.241, -61.533): "971",
                             (4.933, -52.33): "973", (14.616, -61.059): "972",
                             (-12.83, 45.14): "976", (41.919, 8.738): "2A"}.items():
        place = territory.from_coordinates(lat, lon)
        assert place is not None and place.department == code, (lat, lon, place)
    assert territory.from_coordinates(46.0, -5.0) is None  # the Atlantic
