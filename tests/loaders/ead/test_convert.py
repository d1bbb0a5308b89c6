"""Golden tests: converter output compared as graphs with the reviewed golden files.

Regenerate with ``pytest tests/loaders/ead/test_convert.py --regen-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from loaders.ead.convert import convert
from loaders.ead.parse import parse
from ontology import COLLEX, DCMITYPE, RICO
from tests.conftest import FIXTURES
from tests.golden import compare_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
BASE = "http://127.0.0.1:8000/"
AN_FILES = ["FRAN_IR_009555.xml", "FRAN_IR_021972.xml", "FRAN_IR_054848.xml"]
OWN_FILES = sorted(p.name for p in (FIXTURES / "ead").glob("*.xml"))


def _convert(path: Path) -> Graph:
    (record,) = parse(path.read_bytes(), path.name)
    return convert(record, BASE).graph


def _compare(graph: Graph, name: str, regen: bool) -> None:
    compare_golden(graph, GOLDEN / (Path(name).stem + ".ttl"), regen)


@pytest.mark.shared
@pytest.mark.parametrize("name", AN_FILES)
def test_archives_nationales_finding_aids_match_golden(
    name: str, an_ead: Path, regen_golden: bool
) -> None:
    _compare(_convert(an_ead / name), name, regen_golden)


@pytest.mark.parametrize("name", OWN_FILES)
def test_own_fixtures_match_golden(name: str, regen_golden: bool) -> None:
    _compare(_convert(FIXTURES / "ead" / name), name, regen_golden)


def test_same_input_gives_same_graph_across_runs() -> None:
    path = FIXTURES / "ead" / "calames-messy.xml"
    assert to_isomorphic(_convert(path)) == to_isomorphic(_convert(path))


def test_base_iri_is_configurable_and_idref_iris_are_not() -> None:
    (record,) = parse((FIXTURES / "ead" / "calames-messy.xml").read_bytes(), "x.xml")
    g = convert(record, "https://collex.example.org/kg/").graph
    colls = list(g.subjects(RDF.type, DCMITYPE.Collection))
    assert [str(c) for c in colls] == [
        "https://collex.example.org/kg/id/collection/751052116-calames-2024-4242"
    ]
    assert (colls[0], DCTERMS.creator, URIRef("http://www.idref.fr/027058352/id")) in g


@pytest.mark.shared
def test_nested_scopecontent_is_flattened_in_order(an_ead: Path) -> None:
    g = _convert(an_ead / "FRAN_IR_021972.xml")
    (desc,) = list(g.objects(None, DCTERMS.description))
    text = str(desc)
    assert text.index("DIRECTION DU LIVRE INTRODUCTION") < text.index("DIRECTION DU LIVRE SOMMAIRE")
    assert text.index("DIRECTION DU LIVRE SOMMAIRE") < text.index("Sommaire\nArt 1 : Généralités")


@pytest.mark.shared
def test_archives_nationales_thesaurus_terms_get_an_iris(an_ead: Path) -> None:
    g = _convert(an_ead / "FRAN_IR_009555.xml")
    livre = URIRef("https://rdf.archives-nationales.culture.gouv.fr/thing/"
                   "FRAN_RI_004-d3ndfrp3mg--1guedvf9xuow2")
    assert (livre, SKOS.prefLabel, Literal("livre")) in g
    # No repository in this file: the publisher is the holder.
    (holder,) = list(g.objects(None, RICO.hasOrHadHolder))
    assert str(holder).endswith("id/institution/local-archives-nationales")


def test_inline_names_in_title_are_access_points() -> None:
    g = _convert(FIXTURES / "ead" / "calames-messy.xml")
    (coll,) = list(g.subjects(RDF.type, DCMITYPE.Collection))
    assert (coll, DCTERMS.spatial, URIRef(BASE + "id/place/avignon")) in g
    assert (coll, DCTERMS.subject, URIRef("http://www.idref.fr/027058352/id")) in g


def test_invalid_ppn_is_never_minted_as_idref_iri() -> None:
    (record,) = parse((FIXTURES / "ead" / "calames-messy.xml").read_bytes(), "x.xml")
    conv = convert(record, BASE)
    assert not any("027058351" in str(s) for s in conv.graph.subjects())
    assert (None, COLLEX.invalidAuthorityIdentifier, Literal("027058351")) in conv.graph
    assert any("invalid IdRef PPN 027058351" in w for w in conv.warnings)


def test_ead3_structured_dates_and_extent() -> None:
    g = _convert(FIXTURES / "ead" / "ead3-basic.xml")
    assert Literal("14 boîtes", lang="fr") in set(g.objects(None, DCTERMS.extent))
    starts = {str(o) for o in g.objects(None, URIRef("http://www.w3.org/ns/dcat#startDate"))}
    assert starts == {"1965-01-01"}


def test_a_digital_object_described_in_bare_text_keeps_its_label() -> None:
    """<daodesc> with text and no <p> (as producers write it): an lxml element without
    children is false, and the label was lost."""
    (record,) = parse(b'<ead><eadheader><eadid>DAO-1</eadid></eadheader><archdesc level="fonds">'
                      b"<did><unittitle>Plans</unittitle></did><dao"
                      b' href="https://images.example.org/plan-1.jpg"><daodesc>Plan de 1790'
                      b"</daodesc></dao><dao href='https://images.example.org/plan-2.jpg'>"
                      b"<daodesc><p>Plan de 1791</p></daodesc></dao></archdesc></ead>", "d.xml")
    labels = {o.href: o.title for o in record.digital_objects}
    assert labels == {"https://images.example.org/plan-1.jpg": "Plan de 1790",
                      "https://images.example.org/plan-2.jpg": "Plan de 1791"}
