"""OAI-PMH answers: records read one by one from the envelope, deletions applied, oai_dc."""

from __future__ import annotations

from pathlib import Path

import pytest

from collex.settings import Settings
from graph.base import WriteStore
from graph.embedded import open_write
from loaders.pipeline import Pipeline

DCMI = "<http://purl.org/dc/dcmitype/Collection>"
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
<responseDate>2026-11-30T00:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="ead">https://archives.example.org/oai</request>
<ListRecords>{records}</ListRecords></OAI-PMH>"""
RECORD = """<record><header><identifier>{oai}</identifier><datestamp>2026-01-01</datestamp>
</header><metadata>{ead}</metadata></record>"""
EAD = """<ead{ns}><eadheader><eadid>{eadid}</eadid></eadheader><archdesc level="fonds"><did>
<unitid>{eadid}</unitid><unittitle>Fonds {eadid}</unittitle>
<repository><corpname>Archives départementales</corpname></repository></did>
<dsc><c><did><unittitle>Dossier 1</unittitle></did><c><did><unittitle>Pièce</unittitle></did>
</c></c></dsc></archdesc></ead>"""
DELETED = """<record><header status="deleted"><identifier>{oai}</identifier>
<datestamp>2026-02-01</datestamp></header></record>"""


def _titles(store: WriteStore) -> list[str]:
    return sorted(str(r["t"].value) for r in store.select(  # type: ignore[union-attr]
        f"SELECT ?t WHERE {{ ?c a {DCMI} ; <http://purl.org/dc/terms/title> ?t }}"))


def _load(settings: Settings, store: WriteStore, *paths: Path) -> object:
    return Pipeline(settings, derive=False).run(list(paths), store)


def test_records_of_an_envelope_load_one_by_one_even_with_the_oai_namespace_leaking(
        tmp_path: Path, settings: Settings) -> None:
    answer = tmp_path / "answer.xml"
    answer.write_text(ENVELOPE.format(records="".join([
        RECORD.format(oai="oai:ad:1", ead=EAD.format(ns="", eadid="FRAD001_1")),
        RECORD.format(oai="oai:ad:2", ead=EAD.format(
            ns=' xmlns="urn:isbn:1-931666-22-9"', eadid="FRAD001_2")),
        # no xmlns: the OAI default namespace applies to <ead> itself
        RECORD.format(oai="oai:ad:3", ead=EAD.format(ns="", eadid="")),
    ])), encoding="utf-8")
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([answer], store)
    assert report.rejected == [] and report.loaded == 3
    assert _titles(store) == ["Fonds", "Fonds FRAD001_1", "Fonds FRAD001_2"]
    # the record without eadid is identified by its OAI identifier
    assert store.ask(f"ASK {{ <http://127.0.0.1:8000/id/collection/oai-oai-ad-3> a {DCMI} }}")
    assert store.ask("ASK { ?x <https://www.ica.org/standards/RiC/ontology#isOrWasIncludedIn>+"
                     " <http://127.0.0.1:8000/id/collection/FRAD001_2> }")
    assert any("no eadid" in w.message for w in report.warnings)


def test_a_deleted_header_removes_the_notice_it_names(tmp_path: Path,
                                                       settings: Settings) -> None:
    first, second = tmp_path / "1.xml", tmp_path / "2.xml"
    first.write_text(ENVELOPE.format(records=RECORD.format(
        oai="oai:ad:9", ead=EAD.format(ns="", eadid="FRAD001_9"))), encoding="utf-8")
    second.write_text(ENVELOPE.format(records=DELETED.format(oai="oai:ad:9")
                                      + DELETED.format(oai="oai:ad:never-loaded")),
                      encoding="utf-8")
    store = open_write(settings.store_dir)
    _load(settings, store, first)
    assert _titles(store) == ["Fonds FRAD001_9"]
    report = Pipeline(settings, derive=False).run([second], store)
    assert report.deleted == 1 and report.rejected == []
    assert _titles(store) == []
    assert any("nothing to remove" in w.message for w in report.warnings)


def test_a_deletion_removes_only_the_record_of_its_own_repository(
        tmp_path: Path, settings: Settings) -> None:
    """OAI identifiers are unique within a repository only: two portals both number their
    records 1, 2, 3... A deletion from one leaves the other's record alone."""
    def answer(repo: str, records: str) -> str:
        return ENVELOPE.format(records=records).replace("https://archives.example.org/oai",
                                                         repo)
    a, b, gone = tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "gone.xml"
    a.write_text(answer("https://a.example.org/oai", RECORD.format(
        oai="1", ead=EAD.format(ns="", eadid="FRAD001_A"))), encoding="utf-8")
    b.write_text(answer("https://b.example.org/oai", RECORD.format(
        oai="1", ead=EAD.format(ns="", eadid="FRAD002_B"))), encoding="utf-8")
    gone.write_text(answer("https://a.example.org/oai", DELETED.format(oai="1")),
                    encoding="utf-8")
    store = open_write(settings.store_dir)
    _load(settings, store, a)
    _load(settings, store, b)
    assert _titles(store) == ["Fonds FRAD001_A", "Fonds FRAD002_B"]
    report = Pipeline(settings, derive=False).run([gone], store)
    assert report.deleted == 1
    assert _titles(store) == ["Fonds FRAD002_B"]
    assert store.ask("ASK { GRAPH ?g { ?g <https://w3id.org/collex/def#oaiRepository>"
                     " <https://b.example.org/oai> } }")
    # a record is named in reports by its OAI identifier
    assert [w.record for w in report.warnings] == ["1"]


def test_an_oai_error_answer_is_refused_with_its_code(tmp_path: Path,
                                                      settings: Settings) -> None:
    path = tmp_path / "error.xml"
    path.write_text('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>x'
                    '</responseDate><request verb="ListRecords" metadataPrefix="ead">u</request>'
                    '<error code="noRecordsMatch">nothing new</error></OAI-PMH>',
                    encoding="utf-8")
    report = Pipeline(settings).run([path], None)
    assert report.rejected and "noRecordsMatch" in report.rejected[0].message


def test_a_partial_list_says_so(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "page.xml"
    path.write_text(ENVELOPE.format(records=RECORD.format(
        oai="oai:ad:1", ead=EAD.format(ns="", eadid="FRAD001_1"))
        + "<resumptionToken>abc</resumptionToken>"), encoding="utf-8")
    report = Pipeline(settings).run([path], None)
    assert report.loaded == 1
    assert any("resumptionToken" in w.message for w in report.warnings)


@pytest.mark.shared
def test_first_updated_deleted_leave_what_the_last_answer_implies(
        shared: Path, settings: Settings) -> None:
    folder = shared / "samples" / "francearchives" / "oai_ead"
    store = open_write(settings.store_dir)
    for name in ("oai_ead_sample.xml", "oai_ead_sample_updated.xml",
                 "oai_ead_sample_deleted.xml"):
        report = Pipeline(settings, derive=False).run([folder / name], store)
        assert report.exit_code == 0, (name, report.rejected)
    rows = store.select(f"SELECT ?c WHERE {{ ?c a {DCMI} }}")
    assert sorted(str(r["c"].value) for r in rows) == [  # type: ignore[union-attr]
        "http://127.0.0.1:8000/id/collection/FRAD051_204M",
        "http://127.0.0.1:8000/id/collection/FRAD051_205M",
    ]
    # the deleted record (203M) is gone with its graph
    assert store.select("SELECT ?g WHERE { GRAPH ?g { ?g <https://w3id.org/collex/def#"
                        'oaiIdentifier> "86869/a011349628476eWWr7u" } }') == []


@pytest.mark.shared
def test_oai_dc_records_become_collections_marked_as_such(shared: Path,
                                                          settings: Settings) -> None:
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run(
        [shared / "samples" / "francearchives" / "oai_dc" / "oai_dc_sample.xml"], store)
    assert report.rejected == [] and report.loaded == 2
    rows = store.select("SELECT ?c ?t WHERE { ?c a <https://w3id.org/collex/def#"
                        "DublinCoreRecord> ; <http://purl.org/dc/terms/title> ?t }")
    assert sorted(str(r["t"].value) for r in rows) == [  # type: ignore[union-attr]
        "62J Ordre et syndicat des architectes", "62J1 Ordre et syndicat des architectes"]
    assert store.ask("ASK { ?c <http://purl.org/dc/terms/subject>/"
                     "<http://www.w3.org/2004/02/skos/core#prefLabel> \"Architecture\" }")
    assert store.ask("ASK { ?c <http://purl.org/dc/terms/temporal>/<http://www.w3.org/ns/dcat#"
                     "startDate> \"1865-02-02\"^^<http://www.w3.org/2001/XMLSchema#date> }")
