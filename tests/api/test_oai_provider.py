"""The OAI-PMH 2.0 provider at /oai (issue #15, part 6): the protocol's verbs, arguments and
errors; a complete harvest by an independent client (oaipmh-scythe) across resumption
tokens, a token that survives a restart, and the tombstone of a deleted notice in an
incremental harvest."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from oaipmh_scythe import Scythe

from api.oai import PAGE, decode_token, encode_token
from loaders.xmlsafe import parse_xml
from tests.conftest import COLLEX, SAMPLE, serving

NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/",
      "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"}
BASE = "http://127.0.0.1:8000/"
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-11-30T00:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="ead">https://archives.example.org/oai</request>
<ListRecords>{records}</ListRecords></OAI-PMH>"""
RECORD = """<record><header><identifier>oai:ad:{n}</identifier><datestamp>2026-01-01
</datestamp></header><metadata><ead><eadheader><eadid>FRAD001_{n}</eadid></eadheader>
<archdesc level="fonds"><did><unitid>FRAD001_{n}</unitid><unittitle>Fonds n° {n}</unittitle>
<unitdate normal="1800/1850">1800-1850</unitdate>
<repository><corpname>Archives départementales</corpname></repository></did>
</archdesc></ead></metadata></record>"""
DELETED = """<record><header status="deleted"><identifier>oai:ad:{n}</identifier>
<datestamp>2026-02-01</datestamp></header></record>"""
RECORDS = 2 * PAGE["ListRecords"] + 30  # three pages of ListRecords


def _xml(answer: httpx.Response) -> etree._Element:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/xml")
    return parse_xml(answer.content, "answer").root


def _texts(node: etree._Element, path: str) -> list[str]:
    return [str(x) for x in node.xpath(path, namespaces=NS)]  # type: ignore[union-attr]


def _error(answer: httpx.Response) -> str | None:
    error = _xml(answer).find("o:error", NS)
    return None if error is None else str(error.get("code"))


# ------------------------------------------------------------------ on the sample


def test_identify_formats_and_sets(sample_server: str) -> None:
    oai = sample_server + "/oai"
    identify = _xml(httpx.get(oai, params={"verb": "Identify"}))
    assert identify.findtext("o:Identify/o:baseURL", namespaces=NS) == oai
    assert identify.findtext("o:Identify/o:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("o:Identify/o:granularity", namespaces=NS) == (
        "YYYY-MM-DDThh:mm:ssZ")
    assert "@" in identify.findtext("o:Identify/o:adminEmail", default="", namespaces=NS)
    earliest = identify.findtext("o:Identify/o:earliestDatestamp", namespaces=NS) or ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", earliest)
    request = identify.find("o:request", NS)
    assert request is not None and request.get("verb") == "Identify"
    formats = _xml(httpx.get(oai, params={"verb": "ListMetadataFormats"}))
    assert _texts(formats, "//o:metadataPrefix/text()") == ["oai_dc", "rdf"]
    sets = _xml(httpx.get(oai, params={"verb": "ListSets"}))
    specs = dict(zip(_texts(sets, "//o:setSpec/text()"),
                     _texts(sets, "//o:setName/text()"), strict=True))
    assert specs["network:mondes-orientaux"] == "Mondes arabes, persans et ottomans"
    assert specs["institution:FR-751052105"] == "Bibliothèque interuniversitaire de la Sorbonne"
    assert specs["discipline:philologie"] == "Philologie"


def test_a_set_holds_what_sparql_says(sample_server: str) -> None:
    oai = sample_server + "/oai"
    for spec, pattern in (
            ("network:mondes-orientaux",
             f"<{BASE}id/network/mondes-orientaux> collex:hasMember ?c ."),
            ("institution:FR-751052105",
             f"?c rico:hasOrHadHolder <{BASE}id/institution/FR-751052105> ."),
            ("discipline:philologie",
             "?c collex:discipline <https://w3id.org/collex/disciplines/philologie> .")):
        listed = _xml(httpx.get(oai, params={"verb": "ListIdentifiers", "set": spec,
                                              "metadataPrefix": "oai_dc"}))
        got = set(_texts(listed, "//o:header/o:identifier/text()"))
        query = ("PREFIX collex: <https://w3id.org/collex/def#> PREFIX rico: "
                 "<https://www.ica.org/standards/RiC/ontology#> SELECT DISTINCT ?c WHERE { "
                 f"{pattern} ?c a <http://purl.org/dc/dcmitype/Collection> . "
                 "GRAPH ?g { ?c a <http://purl.org/dc/dcmitype/Collection> }"
                 f' FILTER(STRSTARTS(STR(?g), "{BASE}graph/ead/")) }}')
        rows = httpx.get(sample_server + "/sparql", params={"query": query}, headers={
            "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        assert got == {r["c"]["value"] for r in rows} and got, spec
        assert all(spec in _texts(h, "o:setSpec/text()")
                   for h in listed.iterfind(".//o:header", NS))


def test_get_record_in_both_formats(sample_server: str) -> None:
    oai = sample_server + "/oai"
    iri = f"{BASE}id/collection/FR-751052105-0003"
    dc = _xml(httpx.get(oai, params={"verb": "GetRecord", "identifier": iri,
                                     "metadataPrefix": "oai_dc"}))
    record = dc.find("o:GetRecord/o:record", NS)
    assert record is not None
    assert record.findtext("o:header/o:identifier", namespaces=NS) == iri
    meta = record.find("o:metadata/oai_dc:dc", NS)
    assert meta is not None
    assert meta.findtext("dc:title", namespaces=NS) == (
        "Archives de la Société des anciens textes français")
    assert meta.findtext("dc:publisher", namespaces=NS) == (
        "Bibliothèque interuniversitaire de la Sorbonne")
    assert "MSVC 120-147" in _texts(meta, "dc:identifier/text()")
    assert meta.findtext("dc:date", namespaces=NS) == "1875-1950"
    rdf = httpx.get(oai, params={"verb": "GetRecord", "identifier": iri,
                                 "metadataPrefix": "rdf"})
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS

    root = _xml(rdf).find("o:GetRecord/o:record/o:metadata", NS)
    assert root is not None
    graph = Graph().parse(data=etree.tostring(root[0]), format="xml")
    assert str(graph.value(URIRef(iri), DCTERMS.title)) == (
        "Archives de la Société des anciens textes français")


def test_post_is_the_same_as_get(sample_server: str) -> None:
    oai = sample_server + "/oai"
    args = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    by_get = _texts(_xml(httpx.get(oai, params=args)), "//o:identifier/text()")
    by_post = _texts(_xml(httpx.post(oai, data=args)), "//o:identifier/text()")
    assert by_get == by_post and len(by_get) == 21
    assert httpx.post(oai, json=args).status_code == 415
    assert httpx.head(oai, params=args).status_code == 200


@pytest.mark.parametrize(("query", "code"), [
    ("", "badVerb"),
    ("verb=Nonsense", "badVerb"),
    ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=Identify&extra=1", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=rdf", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=30/11/2026", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-01-01T00:00:00Z",
     "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=x", "badArgument"),
    ("verb=ListRecords&resumptionToken=notatoken", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=x", "badResumptionToken"),
    ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
    ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:nowhere:1", "idDoesNotExist"),
    (f"verb=GetRecord&metadataPrefix=oai_dc&identifier={BASE}id/collection/NOPE",
     "idDoesNotExist"),
    (f"verb=GetRecord&metadataPrefix=oai_dc&identifier={BASE}id/collection/a>b",
     "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=oai:nowhere:1", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=network:nowhere", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=nonsense", "noRecordsMatch"),
    # control characters XML cannot carry (found by the contract test: they were a 500)
    ("verb=ListRecords&metadataPrefix=EL%C2%A5%10%C3%8FSH%00&from=%0C%C2%B1", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=a%01b", "badArgument"),
    ("verb=List%00Records&metadataPrefix=oai_dc", "badVerb"),
    ("verb=ListRecords&meta%0BdataPrefix=oai_dc", "badArgument"),
])
def test_protocol_errors(sample_server: str, query: str, code: str) -> None:
    answer = httpx.get(sample_server + "/oai?" + query)
    assert _error(answer) == code
    request = _xml(answer).find("o:request", NS)
    assert request is not None
    if code in ("badVerb", "badArgument"):  # the protocol: no attributes then
        assert len(request.attrib) == 0


def test_tokens_are_checked() -> None:
    state: dict[str, object] = {"v": "ListRecords", "m": "oai_dc", "f": None, "u": None, "s": None,
             "a": ["2026-01-01T00:00:00Z", "http://x/1"], "n": 100, "t": 230}
    assert decode_token(encode_token(state), "ListRecords") == state
    from api.oai import OaiError
    for bad in ({**state, "v": "ListIdentifiers"}, {**state, "m": "marc"},
                {**state, "a": ["yesterday", "x"]}, {**state, "s": "a b"},
                {**state, "n": "100"}):
        with pytest.raises(OaiError):
            decode_token(encode_token(bad), "ListRecords")


# ------------------------------------------------------------------ harvested by oaipmh-scythe


def _serving(store: Path) -> contextlib.AbstractContextManager[str]:
    return serving(store, {"COLLEX_ADMIN_EMAIL": "collex@example.org"})


def _load(store: Path, *paths: Path) -> None:
    subprocess.run([str(COLLEX), "load", *map(str, paths)], check=True, capture_output=True,
                   env={**os.environ, "COLLEX_STORE_DIR": str(store)})


def _records(url: str, verb: str = "ListRecords", **args: Any) -> list[tuple[str, bool, str]]:
    """(identifier, deleted, title) of every record of a list, tokens followed by the client."""
    client: Any
    with Scythe(url + "/oai") as client:
        if verb == "ListIdentifiers":
            return [(h.identifier, h.deleted, "") for h in client.list_identifiers(**args)]
        return [(r.header.identifier, r.deleted, "" if r.deleted else r.metadata["title"][0])
                for r in client.list_records(**args)]


def test_oaipmh_scythe_harvests_everything_and_then_the_tombstone(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first, second = tmp_path / "records.xml", tmp_path / "deleted.xml"
    first.write_text(ENVELOPE.format(records="".join(
        RECORD.format(n=n) for n in range(RECORDS))), encoding="utf-8")
    _load(store, SAMPLE, first)
    with _serving(store) as url:
        identify: Any
        with Scythe(url + "/oai") as scythe:
            identify = scythe.identify()
            assert identify.adminEmail == "collex@example.org"
        records = _records(url, metadata_prefix="oai_dc")
        started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids = [i for i, _, _ in records]
        assert len(ids) == len(set(ids)) == RECORDS + 21
        assert {f"Fonds n° {n}" for n in range(RECORDS)} <= {t for _, _, t in records}
        assert not any(deleted for _, deleted, _ in records)
        assert len(_records(url, "ListIdentifiers", metadata_prefix="oai_dc")) == RECORDS + 21
        # a token taken before a restart is good after it
        page = _xml(httpx.get(url + "/oai", params={"verb": "ListRecords",
                                                    "metadataPrefix": "oai_dc"}))
        token = page.find("o:ListRecords/o:resumptionToken", NS)
        assert token is not None and token.get("completeListSize") == str(RECORDS + 21)
        assert token.get("cursor") == "0"
        page_ids = _texts(page, "//o:header/o:identifier/text()")
        assert len(page_ids) == PAGE["ListRecords"]
    second.write_text(ENVELOPE.format(records=DELETED.format(n=7)), encoding="utf-8")
    _load(store, second)
    gone = f"{BASE}id/collection/FRAD001_7"
    with _serving(store) as url:
        after = _xml(httpx.get(url + "/oai", params={"verb": "ListRecords",
                                                     "resumptionToken": token.text or ""}))
        next_ids = _texts(after, "//o:header/o:identifier/text()")
        assert next_ids and not set(next_ids) & set(page_ids)
        next_token = after.find("o:ListRecords/o:resumptionToken", NS)
        assert next_token is not None and next_token.get("cursor") == str(PAGE["ListRecords"])
        changed = _records(url, metadata_prefix="oai_dc", from_=started)
        assert changed == [(gone, True, "")]
        assert _records(url, "ListIdentifiers", metadata_prefix="oai_dc", from_=started) == [
            (gone, True, "")]
        whole = _records(url, metadata_prefix="oai_dc")
        assert len(whole) == RECORDS + 21
        assert [i for i, deleted, _ in whole if deleted] == [gone]
        record = _xml(httpx.get(url + "/oai", params={
            "verb": "GetRecord", "identifier": gone, "metadataPrefix": "oai_dc"}))
        header = record.find("o:GetRecord/o:record/o:header", NS)
        assert header is not None and header.get("status") == "deleted"
        assert record.find("o:GetRecord/o:record/o:metadata", NS) is None
        # its IRI says it is gone, not that it never existed
        for suffix in ("", ".ttl"):
            answer = httpx.get(url + "/id/collection/FRAD001_7" + suffix,
                               headers={"Accept": "text/turtle"})
            assert answer.status_code == 410 and answer.json()["error"] == "gone"
        assert httpx.get(url + "/id/collection/FRAD001_NEVER").status_code == 404
    _load(store, first)  # the notice comes back: its tombstone goes
    with _serving(store) as url:
        whole = _records(url, metadata_prefix="oai_dc")
        assert len(whole) == RECORDS + 21 and not any(deleted for _, deleted, _ in whole)
