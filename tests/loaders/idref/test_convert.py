"""Golden tests for IdRef authorities: MARCXML, ISO 2709 (written by pymarc) and RDF/XML.

Regenerate with ``--regen-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, XSD

from loaders.base import FORMATS, Converted, RecordRejected
from ontology import COLLEX, SCHEMA
from tests.conftest import FIXTURES
from tests.golden import compare_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
IDREF = FIXTURES / "idref"
BASE = "http://127.0.0.1:8000/"
MARCXML = ["027058352.xml", "corporate-99000001X.xml", "congress-990000028.xml",
           "rameau-990000036.xml", "place-990000060.xml", "merged-990000087.xml"]
RDFXML = ["027059952.rdf", "organization-990000133.rdf"]
FILE_SPECIFIC = {COLLEX.sourceFormat, COLLEX.fileName, COLLEX.sha256}


def convert_file(path: Path) -> list[Converted]:
    fmt = FORMATS["idref"]
    return [fmt.convert(item, BASE) for item in fmt.parse(path.read_bytes(), path.name)]


def _compare(graph: Graph, name: str, regen: bool) -> None:
    compare_golden(graph, GOLDEN / (Path(name).stem + ".ttl"), regen)


def _without_file_triples(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        if t[1] not in FILE_SPECIFIC:
            out.add(t)
    return out


@pytest.mark.parametrize("name", MARCXML + RDFXML)
def test_golden(name: str, regen_golden: bool) -> None:
    (conv,) = convert_file(IDREF / name)
    _compare(conv.graph, name, regen_golden)


def test_iso2709_gives_the_same_graphs_as_marcxml() -> None:
    by_ppn = {c.record_id: c for c in convert_file(IDREF / "authorities.mrc")}
    for name in MARCXML:
        (xml,) = convert_file(IDREF / name)
        iso = by_ppn[xml.record_id]
        assert to_isomorphic(_without_file_triples(iso.graph)) == to_isomorphic(
            _without_file_triples(xml.graph)), name
        assert (URIRef(iso.graph_iri), COLLEX.sourceFormat,
                Literal("UNIMARC (ISO 2709)")) in iso.graph
    assert by_ppn["990000079"].deleted


def test_person_mapping_details() -> None:
    (c,) = convert_file(IDREF / "027058352.xml")
    e = URIRef("http://www.idref.fr/027058352/id")
    g = c.graph
    assert g.value(e, SKOS.prefLabel) == Literal("Paris, Gaston (1839-1903)")
    assert Literal("Paris, Bruno Paulin Gaston (1839-1903)") in set(g.objects(e, SKOS.altLabel))
    assert g.value(e, SCHEMA.birthDate) == Literal("1839-08-09", datatype=XSD.date)
    assert (e, OWL.sameAs, URIRef("http://viaf.org/viaf/39382261")) in g
    assert (e, OWL.sameAs, URIRef("http://d-nb.info/gnd/118789627")) in g
    assert str(g.value(e, DCTERMS.modified)) == "2023-04-12T10:15:12"


def test_rameau_hierarchy_and_unlinked_related() -> None:
    (c,) = convert_file(IDREF / "rameau-990000036.xml")
    e = URIRef("http://www.idref.fr/990000036/id")
    assert (e, SKOS.broader, URIRef("http://www.idref.fr/990000044/id")) in c.graph
    assert (e, SKOS.narrower, URIRef("http://www.idref.fr/990000052/id")) in c.graph
    assert (e, COLLEX.relatedHeading, Literal("Paléographie arabe")) in c.graph
    assert Literal("Arabe (langue) -- Manuscrits") in set(c.graph.objects(e, SKOS.altLabel))


def test_merged_record_keeps_old_iri_resolvable_and_partial_dates() -> None:
    (c,) = convert_file(IDREF / "merged-990000087.xml")
    old, new = (URIRef("http://www.idref.fr/990000095/id"),
                URIRef("http://www.idref.fr/990000087/id"))
    assert (old, DCTERMS.isReplacedBy, new) in c.graph and (old, OWL.sameAs, new) in c.graph
    assert c.graph.value(new, SCHEMA.birthDate) == Literal("18..")
    assert c.graph.value(new, SKOS.prefLabel) == Literal("Dupont, Jeanne (relieuse ; 18..-19..)")


def test_congress_and_corporate_body() -> None:
    (c,) = convert_file(IDREF / "congress-990000028.xml")
    e = URIRef("http://www.idref.fr/990000028/id")
    assert (e, RDF.type, COLLEX.Congress) in c.graph
    assert str(c.graph.value(e, SKOS.prefLabel)) == (
        "Congrès international des orientalistes (14 ; 1905 ; Alger)")


def test_deleted_record_is_a_deletion() -> None:
    (c,) = convert_file(IDREF / "deleted-990000079.xml")
    assert c.deleted and len(c.graph) == 0


def test_collection_in_marc21_namespace_and_oai_envelope() -> None:
    convs = convert_file(IDREF / "collection-marc21-namespace.xml")
    labels = sorted(str(c.graph.value(URIRef(c.collection_iri), SKOS.prefLabel)) for c in convs)
    assert labels == ["Louis XIV (roi de France ; 1638-1715)", "Rothschild (famille)"]
    oai = convert_file(IDREF / "oai-listrecords.xml")
    assert [(c.record_id, c.deleted) for c in oai] == [("990000125", False),
                                                       ("990000079", True)]
    assert str(oai[0].graph.value(URIRef(oai[0].collection_iri), SKOS.prefLabel)) == (
        "Reliure -- France -- 18e siècle")


def test_rdf_odd_type_fragment_is_accepted() -> None:
    (c,) = convert_file(IDREF / "organization-990000133.rdf")
    e = URIRef("http://www.idref.fr/990000133/id")
    assert (e, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Organization")) in c.graph
    assert c.graph.value(e, SKOS.prefLabel) is not None


@pytest.mark.parametrize(("ppn", "reason"), [("027058351", "check character should be 2"),
                                             ("12345", "not 8 digits")])
def test_invalid_ppn_in_001_is_rejected_never_minted(ppn: str, reason: str) -> None:
    xml = (IDREF / "027058352.xml").read_bytes().replace(b">027058352<", f">{ppn}<".encode())
    fmt = FORMATS["idref"]
    (item,) = fmt.parse(xml, "bad.xml")
    with pytest.raises(RecordRejected, match=reason):
        fmt.convert(item, BASE)
