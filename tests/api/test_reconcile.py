"""W3C Reconciliation Service API 0.2 at /reconcile (issue #15, part 5): every answer validates
against the specification's JSON Schemas (../shared/reconciliation-api-0.2/schemas/), names
typed without accents and in the other order find the right entity first, and property
constraints, suggest, preview and data extension work as OpenRefine uses them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from api.reconcile import fold

# (what a spreadsheet says, the label the entity has in the sample, its type)
NAMES = [
    ("Gaston Paris", "Paris, Gaston (1839-1903)", "person"),
    ("Michel Pastoureau", "Pastoureau, Michel (1947-....)", "person"),
    ("Paul Meyer", "Meyer, Paul", "person"),
    ("Ambroise Firmin Didot", "Didot, Ambroise Firmin", "person"),
    ("societe des anciens textes francais", "Société des anciens textes français", "corporate"),
    ("Rhone Lyon", "Lyon (Rhône)", "place"),
    ("ottoman Empire", "Empire ottoman", "place"),
    ("francais ancien", "Ancien français", "subject"),
    ("Bibliotheque interuniversitaire de sante", "Bibliothèque interuniversitaire de santé",
     "institution"),
    ("archives de la societe des anciens textes francais",
     "Archives de la Société des anciens textes français", "collection"),
]


@pytest.fixture(scope="module")
def schemas(shared: Path) -> dict[str, Draft7Validator]:
    folder = shared / "reconciliation-api-0.2" / "schemas"
    loaded = {p.stem: json.loads(p.read_text(encoding="utf-8"))
              for p in folder.glob("*.json") if p.stem != "openapi"}
    registry: Registry[Any] = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT7))
        for s in loaded.values())
    return {name: Draft7Validator(s, registry=registry) for name, s in loaded.items()}


def _valid(schemas: dict[str, Draft7Validator], name: str, document: object) -> None:
    errors = [e.message for e in schemas[name].iter_errors(document)]
    assert errors == [], (name, errors[:3])


def _entity(server: str, label: str) -> str:
    query = ("SELECT DISTINCT ?e WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel>|"
             "<http://xmlns.com/foaf/0.1/name>|<http://purl.org/dc/terms/title> ?l"
             f" FILTER(STR(?l) = {json.dumps(label)}) FILTER NOT EXISTS {{ ?e a"
             " <https://w3id.org/collex/def#Mention> } FILTER(!CONTAINS(STR(?e), \"/graph/\")) }")
    rows = httpx.get(server + "/sparql", params={"query": query}, headers={
        "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert len(rows) == 1, (label, rows)
    return str(rows[0]["e"]["value"])


def _reconcile(server: str, queries: dict[str, Any], post: bool = True) -> dict[str, Any]:
    body = {"queries": json.dumps(queries)}
    answer = (httpx.post(server + "/reconcile", data=body) if post
              else httpx.get(server + "/reconcile", params=body))
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_manifest(sample_server: str, schemas: dict[str, Draft7Validator]) -> None:
    answer = httpx.get(sample_server + "/reconcile", headers={"Origin": "http://example.org"})
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"  # the spec: CORS everywhere
    manifest = answer.json()
    _valid(schemas, "manifest", manifest)
    assert "0.2" in manifest["versions"]
    assert {t["id"] for t in manifest["defaultTypes"]} == {
        "collection", "institution", "person", "corporate", "place", "subject"}


def test_ten_names_without_accents_and_inverted_find_the_right_entity_first(
        sample_server: str, schemas: dict[str, Draft7Validator]) -> None:
    queries = {f"q{i}": {"query": asked} for i, (asked, _, _) in enumerate(NAMES)}
    assert all(fold(asked) == asked.lower() for asked, _, _ in NAMES)  # no accent left
    result = _reconcile(sample_server, queries)
    _valid(schemas, "reconciliation-result-batch", result)
    for i, (asked, label, type_id) in enumerate(NAMES):
        first = result[f"q{i}"]["result"][0]
        assert first["id"] == _entity(sample_server, label), asked
        assert first["name"] == label and first["type"][0]["id"] == type_id, asked
        assert first["match"] is True and first["score"] >= 90, (asked, first)
    # GET gives the same answer
    assert _reconcile(sample_server, queries, post=False) == result


def test_types_and_properties_constrain_and_score(sample_server: str,
                                                  schemas: dict[str, Draft7Validator]) -> None:
    collection = _entity(sample_server, "Archives de la Société des anciens textes français")
    queries = {
        # the same words, typed: the collection, not the society
        "typed": {"query": "societe des anciens textes francais", "type": "collection"},
        # a shelfmark alone finds its collection
        "shelfmark": {"properties": [{"pid": "shelfmark", "v": "msvc 120-147"}]},
        # the right holder (its ISIL) and dates agree
        "agree": {"query": "Archives de la Societe des anciens textes francais",
                  "type": "collection", "properties": [
                      {"pid": "isil", "v": "FR-751052105"}, {"pid": "dates", "v": "1900"}]},
        # a wrong holder: found, but not a match
        "disagree": {"query": "Archives de la Societe des anciens textes francais",
                     "type": "collection", "properties": [{"pid": "isil", "v": "FR-000000000"}]},
        "ppn": {"query": "027058352"},
        "iri": {"query": collection},
        "limit": {"query": "bibliotheque", "limit": 2},
        "nothing": {"query": "zzzz qqqq"},
    }
    result = _reconcile(sample_server, queries)
    _valid(schemas, "reconciliation-result-batch", result)
    typed = result["typed"]["result"]
    assert typed[0]["id"] == collection and {r["type"][0]["id"] for r in typed} == {"collection"}
    assert result["shelfmark"]["result"][0]["id"] == collection
    assert result["shelfmark"]["result"][0]["match"] is True
    agree = result["agree"]["result"][0]
    assert agree["id"] == collection and agree["match"] is True and agree["score"] == 100
    assert {f["id"]: f["value"] for f in agree["features"]}["isil"] is True
    disagree = result["disagree"]["result"][0]
    assert disagree["id"] == collection and disagree["match"] is False
    assert disagree["score"] < agree["score"]
    assert result["ppn"]["result"][0]["id"] == "http://www.idref.fr/027058352/id"
    assert result["iri"]["result"][0]["id"] == collection
    assert len(result["limit"]["result"]) == 2
    assert result["nothing"]["result"] == []


def test_suggest_preview_and_extend(sample_server: str,
                                    schemas: dict[str, Draft7Validator]) -> None:
    base = sample_server + "/reconcile"
    suggest = httpx.get(base + "/suggest/entity", params={"prefix": "pastour"}).json()
    _valid(schemas, "suggest-entities-response", suggest)
    assert suggest["result"][0]["id"] == "http://www.idref.fr/027059952/id"
    by_id = httpx.get(base + "/suggest/entity", params={"prefix": "027059952"}).json()
    assert by_id["result"][0]["id"] == "http://www.idref.fr/027059952/id"
    typed = httpx.get(base + "/suggest/entity", params={"prefix": "bibli",
                                                         "type": "institution"}).json()
    assert typed["result"] and all(r["notable"][0]["id"] == "institution"
                                   for r in typed["result"])
    types = httpx.get(base + "/suggest/type", params={"prefix": "pers"}).json()
    _valid(schemas, "suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["person"]
    props = httpx.get(base + "/suggest/property", params={"prefix": "co"}).json()
    _valid(schemas, "suggest-properties-response", props)
    assert "shelfmark" in {p["id"] for p in props["result"]}  # "Cote"
    proposal = httpx.get(base + "/properties", params={"type": "collection"}).json()
    _valid(schemas, "data-extension-property-proposal", proposal)
    manifest = httpx.get(base).json()
    preview = httpx.get(manifest["preview"]["url"].replace(
        "{{id}}", "http%3A%2F%2Fwww.idref.fr%2F027058352%2Fid"))
    assert preview.status_code == 200 and "Paris, Gaston" in preview.text
    assert httpx.get(base + "/preview", params={"id": "http://nowhere/x"}).status_code == 404
    collection = _entity(sample_server, "Archives de la Société des anciens textes français")
    person = "http://www.idref.fr/027059952/id"
    query = {"ids": [collection, person, "http://nowhere/x"], "properties": [
        {"id": p} for p in ("holder", "isil", "dates", "shelfmark", "idref", "bnf",
                            "networks")]}
    _valid(schemas, "data-extension-query", query)
    extended = httpx.post(base, data={"extend": json.dumps(query)}).json()
    _valid(schemas, "data-extension-response", extended)
    row = extended["rows"][collection]
    assert row["holder"][0]["name"] == "Bibliothèque interuniversitaire de la Sorbonne"
    assert row["isil"] == [{"str": "FR-751052105"}]
    assert row["shelfmark"] == [{"str": "MSVC 120-147"}]
    assert row["networks"][0]["name"] == "Philologie romane et études médiévales"
    assert extended["rows"][person]["idref"] == [{"str": person}]
    assert extended["rows"][person]["bnf"][0]["str"].startswith("http://data.bnf.fr/")
    assert extended["rows"]["http://nowhere/x"]["holder"] == []


@pytest.mark.parametrize(("method", "args", "status"), [
    ("get", {"queries": "not json"}, 400),
    ("get", {"queries": "[1, 2]"}, 400),
    ("get", {"queries": json.dumps({"q": 3})}, 400),
    ("get", {"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, 400),
    ("get", {"extend": json.dumps({"ids": ["x"], "properties": [{"id": "nope"}]})}, 400),
    ("get", {"extend": "{}"}, 400),
    ("get", {"queries": "{}", "extend": "{}"}, 400),
])
def test_bad_requests_are_400_with_a_reason(sample_server: str, method: str,
                                            args: dict[str, str], status: int) -> None:
    answer = httpx.request(method.upper(), sample_server + "/reconcile", params=args)
    assert answer.status_code == status
    assert answer.json()["error"] == "invalid_input" and answer.json()["detail"]
    assert httpx.post(sample_server + "/reconcile", json={"queries": {}}).status_code == 415
