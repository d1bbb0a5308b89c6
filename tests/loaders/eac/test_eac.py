"""EAC-CPF authority records: agents with names, dates and identifiers, linked from notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from collex.settings import Settings
from graph.embedded import open_write
from loaders.pipeline import Pipeline

pytestmark = pytest.mark.shared

NOTICE = """<ead><eadheader><eadid>FRAD033_IR_N</eadid></eadheader>
<archdesc level="fonds"><did><unitid>1 N</unitid><unittitle>Fonds du conseil général</unittitle>
<origination><corpname authfilenumber="{auth}">{name}</corpname></origination></did>
</archdesc></ead>"""


@pytest.fixture(scope="module")
def eac(shared: Path) -> Path:
    return shared / "samples" / "francearchives" / "eac"


def test_both_samples_load_as_agents_with_names_and_identifiers(
        eac: Path, settings: Settings) -> None:
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([eac], store)
    assert report.rejected == [] and report.loaded == 2
    an = "<https://rdf.archives-nationales.culture.gouv.fr/agent/010232>"
    gironde = "<http://127.0.0.1:8000/id/agent/auth-FRAD033_EAC_00001>"
    for node, name in ((an, "Etude CV"), (gironde, "Gironde. Conseil général")):
        assert store.ask(f"ASK {{ {node} a <http://xmlns.com/foaf/0.1/Organization> ;"
                         f' <http://xmlns.com/foaf/0.1/name> ?n FILTER(STR(?n) = "{name}") }}')
    assert store.ask(f'ASK {{ {gironde} <http://www.w3.org/2004/02/skos/core#altLabel> ?a'
                     ' FILTER(STR(?a) = "CG33") }')
    assert store.ask(f'ASK {{ {an} <http://purl.org/dc/terms/identifier>'
                     ' "FRDAFANCH00MC_NAETUDE_105" }')
    assert store.ask(f"ASK {{ {an} <https://www.ica.org/standards/RiC/ontology#beginningDate>"
                     ' "1559-01-01"^^<http://www.w3.org/2001/XMLSchema#date> }')
    # relations to other records of the Archives nationales point at their IRIs
    assert store.ask(f"ASK {{ {an} <https://www.ica.org/standards/RiC/ontology#"
                     "isAgentAssociatedWithAgent> <https://rdf.archives-nationales.culture.gouv"
                     ".fr/agent/010333> }")
    # the place of the Gironde record is the BnF authority its vocabularySource names
    assert store.ask(f"ASK {{ {gironde} <https://www.ica.org/standards/RiC/ontology#"
                     "agentHasOrHadLocation> <http://data.bnf.fr/ark:/12148/cb152418385#about> }")


def test_isni_in_an_archives_nationales_record_becomes_same_as(
        shared: Path, settings: Settings) -> None:
    store = open_write(settings.store_dir)
    Pipeline(settings, derive=False).run(
        [shared / "samples" / "an-rico-converter" / "eac" / "FRAN_NP_005422.xml"], store)
    assert store.ask("ASK { <https://rdf.archives-nationales.culture.gouv.fr/agent/005422>"
                     " <http://www.w3.org/2002/07/owl#sameAs>"
                     " <https://isni.org/isni/0000000122919454> }")


@pytest.mark.parametrize(("auth", "node"), [
    ("FRAD033_EAC_00001", "http://127.0.0.1:8000/id/agent/auth-FRAD033_EAC_00001"),
    ("FRAN_NP_010232", "https://rdf.archives-nationales.culture.gouv.fr/agent/010232"),
])
def test_a_notice_citing_the_producer_links_to_its_record(
        eac: Path, tmp_path: Path, settings: Settings, auth: str, node: str) -> None:
    notice = tmp_path / "notice.xml"
    notice.write_text(NOTICE.format(auth=auth, name="Producteur"), encoding="utf-8")
    store = open_write(settings.store_dir)
    report = Pipeline(settings, derive=False).run([eac, notice], store)
    assert report.rejected == []
    assert store.ask("ASK { <http://127.0.0.1:8000/id/collection/FRAD033_IR_N>"
                     " <https://www.ica.org/standards/RiC/ontology#hasOrganicProvenance>"
                     f" <{node}> ."
                     f" <{node}> <http://purl.org/dc/terms/identifier> ?id ;"
                     " <http://www.w3.org/ns/prov#wasDerivedFrom> ?eac }")
