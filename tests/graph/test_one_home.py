"""One fact, one place: every statement of the union default graph lives in one named graph,
so COUNT(*) counts what users think it counts and no answer repeats a row per notice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from api.routes.query_page import GALLERY
from collex.settings import Settings
from graph.base import WriteStore
from graph.embedded import open_write
from loaders.authority import idref_iri, ppn_check_char
from loaders.pipeline import Pipeline
from tests.conftest import ROOT, SAMPLE

SHARED_TRIPLES = ("SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s ?p ?o WHERE { GRAPH ?g"
                  " { ?s ?p ?o } } GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1) } }")
ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


def _n(store: WriteStore, query: str) -> int:
    return int(store.select(query)[0]["n"].value)  # type: ignore[union-attr]


def _assert_one_home(store: WriteStore) -> None:
    assert _n(store, SHARED_TRIPLES) == 0
    total = _n(store, ALL)
    assert total == _n(store, DISTINCT)
    assert store.stats().triples == total


def test_the_sample_has_one_home_per_statement(settings: Settings) -> None:
    store = open_write(settings.store_dir)
    assert Pipeline(settings).run([SAMPLE], store).exit_code == 0
    _assert_one_home(store)
    # reloading changes nothing
    before = _n(store, ALL)
    Pipeline(settings).run([SAMPLE], store)
    assert _n(store, ALL) == before
    _assert_one_home(store)


def test_gallery_queries_repeat_no_row_and_lyon_holds_4(settings: Settings) -> None:
    store = open_write(settings.store_dir)
    Pipeline(settings).run([SAMPLE], store)
    for example in GALLERY:
        rows = [tuple(sorted((k, str(v)) for k, v in r.items()))
                for r in store.select(example.query)]
        assert rows, example.id
        assert len(rows) == len(set(rows)), example.id
    (per,) = [e for e in GALLERY if e.id == "per-institution"]
    counts = {str(r["holderName"].value): int(r["collections"].value)  # type: ignore[union-attr]
              for r in store.select(per.query)}
    assert counts["Bibliothèque Diderot de Lyon"] == 4
    assert sum(counts.values()) == 21


def test_authorities_loaded_later_take_over_what_notices_said(settings: Settings) -> None:
    store = open_write(settings.store_dir)
    Pipeline(settings).run([SAMPLE / "ead"], store)
    gaston = "<http://www.idref.fr/027058352/id>"
    assert store.ask(f"ASK {{ GRAPH ?g {{ {gaston} a ?t }}"
                     ' FILTER(CONTAINS(STR(?g), "/graph/entity/")) }')
    Pipeline(settings).run([SAMPLE / "idref"], store)
    _assert_one_home(store)
    # the IdRef record is now the home of the person's type
    assert not store.ask(f"ASK {{ GRAPH ?g {{ {gaston} a ?t }}"
                         ' FILTER(CONTAINS(STR(?g), "/graph/entity/")) }')
    assert store.ask(f"ASK {{ GRAPH ?g {{ {gaston} a ?t }}"
                     ' FILTER(CONTAINS(STR(?g), "/graph/idref/")) }')


OAI = """<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-11-30T00:00:00Z
</responseDate><request verb="ListRecords" metadataPrefix="ead">https://ad.example.org/oai
</request><ListRecords>{record}</ListRecords></OAI-PMH>"""
NOTICE = """<record><header><identifier>oai:ad:1</identifier></header><metadata><ead>
<eadheader><eadid>FRAD999_1</eadid></eadheader><archdesc level="fonds"><did><unitid>1 J
</unitid><unittitle>Fonds Zénobie</unittitle><repository><corpname>Archives</corpname>
</repository></did><controlaccess><persname>Zénobie, Aurélienne</persname></controlaccess>
</archdesc></ead></metadata></record>"""
DELETED = """<record><header status="deleted"><identifier>oai:ad:1</identifier></header>
</record>"""


def test_an_entity_no_source_cites_any_more_is_removed(tmp_path: Path,
                                                       settings: Settings) -> None:
    store = open_write(settings.store_dir)
    (tmp_path / "1.xml").write_text(OAI.format(record=NOTICE), encoding="utf-8")
    (tmp_path / "2.xml").write_text(OAI.format(record=DELETED), encoding="utf-8")
    Pipeline(settings).run([tmp_path / "1.xml"], store)
    person = "<http://127.0.0.1:8000/id/agent/zenobie-aurelienne>"
    assert store.ask(f"ASK {{ {person} a <http://xmlns.com/foaf/0.1/Person> }}")
    assert store.ask(f"ASK {{ ?m <https://w3id.org/collex/def#mentions> {person} ;"
                     ' <http://xmlns.com/foaf/0.1/name> "Zénobie, Aurélienne" }')
    report = Pipeline(settings).run([tmp_path / "2.xml"], store)
    assert report.deleted == 1
    assert not store.ask(f"ASK {{ {person} ?p ?o }}")
    # nothing left but the derived graphs and the notice's tombstone (for the OAI provider)
    assert [g for g in store.named_graphs() if "/graph/derived/" not in g] == [
        "http://127.0.0.1:8000/graph/tombstone/ead/FRAD999_1"]


@pytest.mark.slow
def test_the_generated_s_corpus_has_one_home_per_statement(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--scale", "S",
                    "--out", str(corpus)], check=True, capture_output=True)
    settings = Settings(store_dir=tmp_path / "store")
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([corpus], store)
    assert report.loaded > 10_000
    _assert_one_home(store)


def test_a_reload_in_small_batches_gives_the_same_store(tmp_path: Path) -> None:
    """COLLEX_WRITE_BATCH_QUADS: a reload written in many steps ends as one transaction would."""
    whole = Settings(store_dir=tmp_path / "whole")
    steps = Settings(store_dir=tmp_path / "steps", write_batch_quads=100)
    stores = []
    for settings in (whole, steps):
        store = open_write(settings.store_dir, settings.write_batch_quads)
        Pipeline(settings).run([SAMPLE], store)
        Pipeline(settings).run([SAMPLE], store)  # every graph replaced
        _assert_one_home(store)
        stores.append(store)
    rows = [sorted((str(r["s"]), str(r["p"]), str(r["o"])) for r in s.select(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p != <http://www.w3.org/ns/prov#"
        "generatedAtTime> && ?p != <https://w3id.org/collex/def#dataVersion>"
        " && ?p != <https://w3id.org/collex/def#derivedFrom>) }")) for s in stores]
    assert rows[0] == rows[1]
    assert not (tmp_path / "steps.journal").exists()


def _entity_triples(store: WriteStore) -> set[tuple[str, str, str]]:
    return {(str(r["s"]), str(r["p"]), str(r["o"])) for r in store.select(
        'SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), "/graph/entity/"))'
        " }")}


def test_notices_loaded_after_the_authorities_describe_entities_as_one_load_would(
        tmp_path: Path) -> None:
    """A first load of notices into a store holding authorities only (no mention before it:
    the mentions of other records are not queried) gives the entity graphs of one load."""
    stores = []
    for name, runs in (("apart", [[SAMPLE / "idref"], [SAMPLE / "ead"]]),
                       ("together", [[SAMPLE / "idref", SAMPLE / "ead"]])):
        settings = Settings(store_dir=tmp_path / name)
        store = open_write(settings.store_dir)
        for paths in runs:
            assert Pipeline(settings, derive=False).run(paths, store).exit_code == 0
        stores.append(store)
    apart, together = (_entity_triples(s) for s in stores)
    assert apart and apart == together


def _notice(n: int, name: str, ppn: str) -> str:
    return OAI.format(record=NOTICE.replace("FRAD999_1", f"FRAD999_{n}").replace(
        "oai:ad:1", f"oai:ad:{n}").replace(
        "<persname>Zénobie, Aurélienne</persname>",
        f'<persname source="idref" authfilenumber="{ppn}">{name}</persname>'))


def test_a_later_load_counts_what_earlier_notices_said(tmp_path: Path,
                                                       settings: Settings) -> None:
    """The name most notices give wins, those of earlier loads counted: two notices say
    'Zzz' in a first load, one says 'Aaa' in a second (alone, it would win the tie-break)."""
    ppn = "09912345" + ppn_check_char("09912345")
    store = open_write(settings.store_dir)
    assert Pipeline(settings).run([SAMPLE / "idref"], store).exit_code == 0
    for n, name in ((1, "Zzz, Zoé"), (2, "Zzz, Zoé")):
        (tmp_path / f"{n}.xml").write_text(_notice(n, name, ppn), encoding="utf-8")
    assert Pipeline(settings).run([tmp_path / "1.xml", tmp_path / "2.xml"],
                                  store).exit_code == 0
    (tmp_path / "3.xml").write_text(_notice(3, "Aaa, Anne", ppn), encoding="utf-8")
    assert Pipeline(settings).run([tmp_path / "3.xml"], store).exit_code == 0
    person = f"<{idref_iri(ppn)}>"
    names = {(r["p"].value.rsplit("/", 1)[-1], r["o"].value) for r in store.select(  # type: ignore[union-attr]
        f"SELECT ?p ?o WHERE {{ GRAPH ?g {{ {person} ?p ?o }}"
        ' FILTER(CONTAINS(STR(?g), "/graph/entity/")) }')}
    assert ("name", "Zzz, Zoé") in names
    assert ("core#altLabel", "Aaa, Anne") in names
    _assert_one_home(store)
