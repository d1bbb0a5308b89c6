"""`/api/map` and the territorial filters, against a served sample: counts per region,
department and institution equal to SPARQL counts, filters combined, INSEE codes accepted."""

from __future__ import annotations

import contextlib
import re
import shutil
from pathlib import Path

import httpx

from tests.conftest import SAMPLE, _serve_loaded

PREFIXES = """PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
PREFIX collex: <https://w3id.org/collex/def#>
"""


def _per(base: str, group: str, extra: str = "") -> dict[str, int]:
    r = httpx.post(base + "/sparql", data={"query": PREFIXES + f"""
        SELECT ?k (COUNT(DISTINCT ?c) AS ?n) WHERE {{
          ?c a dcmitype:Collection ; rico:hasOrHadHolder ?i . ?i a collex:Institution . {extra}
          {group} }} GROUP BY ?k"""}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return {b["k"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def test_map_counts_equal_sparql(sample_server: str) -> None:
    data = httpx.get(sample_server + "/api/map").json()
    regions = {r["code"]: r["collections"] for r in data["regions"] if r["collections"]}
    departments = {d["code"]: d["collections"] for d in data["departments"]
                   if d["collections"]}
    code = 'BIND(REPLACE(STR(?a), "^.*/", "") AS ?k)'
    assert regions == _per(sample_server, f"?i collex:region ?a . {code}")
    assert departments == _per(sample_server, f"?i collex:department ?a . {code}")
    holders = {h["iri"]: h["collections"] for h in data["institutions"]}
    assert holders == _per(sample_server, "BIND(?i AS ?k)")
    assert data["total"] == 21 and data["unplaced"] == 0
    assert len(data["regions"]) == 18 and len(data["departments"]) == 101
    strasbourg = next(h for h in data["institutions"] if h["isil"] == "FR-674822101")
    assert strasbourg["department"] == "67" and strasbourg["latitude"] == 48.5866
    # a filter: labelled collections only
    labelled = httpx.get(sample_server + "/api/map", params={"collex": "yes"}).json()
    assert {r["code"]: r["collections"] for r in labelled["regions"] if r["collections"]} == (
        _per(sample_server, f"?i collex:region ?a . {code}", "?c collex:hasLabel ?l ."))


def test_territorial_filters_and_institution_fields(sample_server: str) -> None:
    per_region = _per(sample_server, '?i collex:region ?a . BIND(REPLACE(STR(?a), "^.*/", "")'
                      " AS ?k)")
    for code, n in per_region.items():
        found = httpx.get(sample_server + "/api/collections", params={"region": code}).json()
        assert found["total"] == n
    both = httpx.get(sample_server + "/api/collections",
                     params={"region": "84", "department": "67"}).json()
    assert both["total"] == 0  # AND across facets
    either = httpx.get(sample_server + "/api/collections",
                       params=[("department", "67"), ("department", "69")]).json()
    assert either["total"] == per_region["44"] + per_region["84"]  # OR within one
    inst = httpx.get(sample_server + "/api/institutions/FR-693872101").json()
    assert (inst["department"], inst["region"]) == ("69", "84")
    page = httpx.get(sample_server + "/id/institution/FR-693872101",
                     headers={"Accept": "text/html", "Accept-Language": "fr"}).text
    assert "Rhône (69)" in page and "Auvergne-Rhône-Alpes" in page
    assert httpx.get(sample_server + "/map", params={"by": "commune"}).status_code == 400


def test_institutions_not_drawn_are_named(tmp_path: Path) -> None:
    """Coordinates far from the institution's department (New York for a Paris library) and
    no coordinates at all: counted in their department, not drawn, named under the map."""
    sample = tmp_path / "sample"
    shutil.copytree(SAMPLE, sample)
    institutions = sample / "lists" / "institutions.csv"
    text = institutions.read_text(encoding="utf-8")
    text = text.replace("48.8487,2.3425", "40.7128,-74.0060").replace("45.7303,4.8331", ",")
    institutions.write_text(text, encoding="utf-8")
    with contextlib.ExitStack() as stack:
        base = stack.enter_context(contextlib.contextmanager(_serve_loaded)(tmp_path, sample))
        page = httpx.get(base + "/map", headers={"Accept-Language": "fr"}).text
        notes = re.findall(r'<p class="note">(.*?)</p>', page, re.S)
        assert any("hors de la carte" in n and "École nationale des chartes" in n
                   and "40.7128" in n for n in notes), notes
        assert any("Sans coordonnées" in n and "Diderot" in n for n in notes), notes
        assert page.count('class="holder"') == 4  # six holders, two not drawn
        data = httpx.get(base + "/api/map").json()
        regions = {r["code"]: r["collections"] for r in data["regions"] if r["collections"]}
        assert regions == {"11": 13, "44": 4, "84": 4}  # still counted where they are
