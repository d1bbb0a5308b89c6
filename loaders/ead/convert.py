"""EAD record -> RDF. Pure: the same record and base IRI always give the same graph.

The mapping is documented element by element in ``ontology/ead-mapping.md``.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from loaders.authority import AuthorityRef, classify
from loaders.base import Converted
from loaders.dates import normalise
from loaders.ead.parse import AccessPoint, EadRecord
from loaders.rdf import RecordGraph, plain
from loaders.terms import (
    COLLEX,
    DCAT,
    DCMITYPE,
    DCTERMS,
    FOAF,
    IIIF,
    ISO639,
    OWL,
    PROV,
    RDF,
    RDFS,
    RICO,
    RST,
    SKOS,
    XSD,
)
from loaders.text import bcp47, safe_segment, slug

_LEVELS = {
    "fonds": RST.Fonds, "collection": RST.Collection, "series": RST.Series,
    "subseries": RST.Series, "recordgrp": RST.Collection, "subgrp": RST.Collection,
    "file": RST.File,
}
_KIND_CLASSES = {
    "persname": [FOAF.Person, RICO.Person],
    "corpname": [FOAF.Organization, RICO.CorporateBody],
    "famname": [RICO.Family, FOAF.Group],
    "name": [FOAF.Agent],
    "subject": [SKOS.Concept],
    "genreform": [SKOS.Concept],
    "function": [SKOS.Concept],
    "occupation": [SKOS.Concept],
    "title": [SKOS.Concept],
    "geogname": [DCTERMS.Location, RICO.Place],
}
_LOCAL_PATH = {
    "persname": "agent", "corpname": "agent", "famname": "agent", "name": "agent",
    "geogname": "place",
}
_CONTROLACCESS_PROPERTY = {
    "persname": DCTERMS.subject, "corpname": DCTERMS.subject, "famname": DCTERMS.subject,
    "name": DCTERMS.subject, "subject": DCTERMS.subject, "title": DCTERMS.subject,
    "geogname": DCTERMS.spatial, "genreform": DCTERMS.type,
    "function": COLLEX.function, "occupation": COLLEX.occupation,
}
_NOTE_PROPERTY = {
    "scopecontent": DCTERMS.description,
    "bioghist": RICO.history,
    "custodhist": DCTERMS.provenance,
    "acqinfo": COLLEX.acquisitionInformation,
    "accessrestrict": DCTERMS.accessRights,
    "userestrict": RICO.conditionsOfUse,
    "appraisal": COLLEX.appraisal,
    "arrangement": COLLEX.arrangement,
    "accruals": COLLEX.accruals,
    "separatedmaterial": COLLEX.separatedMaterial,
    "relatedmaterial": COLLEX.relatedMaterial,
    "otherfindaid": COLLEX.otherFindingAid,
    "originalsloc": COLLEX.originalsLocation,
    "altformavail": COLLEX.alternativeForm,
    "bibliography": COLLEX.bibliography,
    "prefercite": COLLEX.preferredCitation,
    "processinfo": COLLEX.processingInformation,
    "odd": COLLEX.note,
    "note": COLLEX.note,
    "phystech": COLLEX.physicalCharacteristics,
    "legalstatus": COLLEX.legalStatus,
    "fileplan": COLLEX.note,
    "materialspec": COLLEX.note,
}
# Relator codes (UNIMARC, BnF 4-digit) and French terms that mean "creator of the fonds".
_CREATOR_ROLES = {"070", "0070", "auteur", "author", "producteur", "creator", "créateur"}
_FORMER_OWNER_ROLES = {"390", "0390", "ancien possesseur", "former owner", "provenance"}
_IRI_OK = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_ISIL = re.compile(r"^[A-Z]{2}-[A-Za-z0-9:/\-]{1,12}$")


def collection_key(record: EadRecord) -> str:
    """The stable key of a notice: agency code + eadid, else the file name."""
    if record.eadid:
        key = record.eadid
        agency = record.agency_code
        if agency and agency.removeprefix("FR-") not in key:
            key = f"{agency}-{key}"
        return safe_segment(key)
    stem = record.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return safe_segment(f"file-{stem}")


def convert(record: EadRecord, base_iri: str) -> Converted:
    """Build the graph of one notice.

    >>> from loaders.ead.parse import parse
    >>> rec = parse(b'<ead><eadheader><eadid>X1</eadid></eadheader><archdesc level="fonds">'
    ...             b'<did><unitid>Ms 1</unitid><unittitle>Fonds Dupont</unittitle>'
    ...             b'<unitdate normal="1850/1900">1850-1900</unitdate></did></archdesc></ead>',
    ...             "x.xml")[0]
    >>> c = convert(rec, "http://example.org/")
    >>> c.collection_iri, len(c.graph) > 5
    ('http://example.org/id/collection/X1', True)
    """
    key = collection_key(record)
    coll = URIRef(f"{base_iri}id/collection/{key}")
    graph_iri = f"{base_iri}graph/ead/{key}"
    src = URIRef(graph_iri)
    lang = bcp47(record.description_language)
    warnings = list(record.warnings)
    if not record.eadid:
        warnings.append("no eadid: the collection IRI is derived from the file name")
    g = RecordGraph()

    def lit(text: str) -> Literal:
        return plain(text, lang)

    # The source record (the finding aid file) this graph comes from.
    g.add((src, RDF.type, PROV.Entity))
    g.add((src, RDF.type, COLLEX.SourceRecord))
    g.add((src, COLLEX.sourceFormat, plain(record.flavour)))
    g.add((src, COLLEX.fileName, plain(record.file)))
    g.add((src, COLLEX.sha256, plain(record.sha256)))
    if record.eadid:
        g.add((src, DCTERMS.identifier, plain(record.eadid)))
    if record.finding_aid_title:
        g.add((src, DCTERMS.title, lit(record.finding_aid_title)))
    if record.publisher:
        g.add((src, DCTERMS.publisher, plain(record.publisher)))
    if record.eadid_url and _IRI_OK.match(record.eadid_url):
        g.add((src, RDFS.seeAlso, URIRef(record.eadid_url)))

    # The collection.
    g.add((coll, RDF.type, DCMITYPE.Collection))
    g.add((coll, RDF.type, RICO.RecordSet))
    g.add((coll, PROV.wasDerivedFrom, src))
    level = (record.level or "").lower()
    if level in _LEVELS:
        g.add((coll, RICO.hasRecordSetType, _LEVELS[level]))
    if level:
        g.add((coll, COLLEX.descriptionLevel, plain(record.otherlevel or level)))
    if record.title:
        g.add((coll, DCTERMS.title, lit(record.title)))
    for value, kind in record.unitids:
        if kind and kind.lower().replace("-", "_") in {"ancienne_cote", "ancienne cote", "former"}:
            g.add((coll, COLLEX.formerIdentifier, plain(value)))
        else:
            g.add((coll, DCTERMS.identifier, plain(value)))
    if record.eadid:
        g.add((coll, COLLEX.findingAidIdentifier, plain(record.eadid)))

    for n, date in enumerate(record.dates, start=1):
        rng = normalise(date.normal, date.text)
        period = URIRef(f"{coll}#period-{n}")
        g.add((coll, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if date.text:
            g.add((period, RDFS.label, plain(date.text)))
        if date.type:
            g.add((period, COLLEX.dateType, plain(date.type)))
        if rng.problem:
            # Kept as an untyped value: the shapes reject it with a message the curator reads.
            raw = date.normal or date.text
            g.add((period, DCAT.startDate, plain(raw)))
            warnings.append(rng.problem)
        elif rng.start and rng.end:
            g.add((period, DCAT.startDate, Literal(rng.start, datatype=XSD.date)))
            g.add((period, DCAT.endDate, Literal(rng.end, datatype=XSD.date)))
            g.add((period, COLLEX.startYear, Literal(int(rng.start[:4]))))
            g.add((period, COLLEX.endYear, Literal(int(rng.end[:4]))))

    for text in record.extents:
        g.add((coll, DCTERMS.extent, lit(text)))
    for text in record.physfacets:
        g.add((coll, COLLEX.physicalCharacteristics, lit(text)))
    for text in record.dimensions:
        g.add((coll, COLLEX.dimensions, plain(text)))
    for code, label in record.languages:
        if code and re.match(r"^[a-z]{3}$", code.lower()):
            g.add((coll, DCTERMS.language, ISO639[code.lower()]))
        elif label:
            g.add((coll, DCTERMS.language, plain(label)))
    for text in record.abstract:
        g.add((coll, DCTERMS.abstract, lit(text)))
    for text in record.physloc:
        g.add((coll, COLLEX.physicalLocation, lit(text)))
    for tag, texts in record.notes.items():
        for text in texts:
            g.add((coll, _NOTE_PROPERTY[tag], lit(text)))
    if record.component_count:
        g.add((coll, COLLEX.componentCount, Literal(record.component_count)))

    _holder(g, coll, record, base_iri, warnings)
    for ap in record.access_points:
        _access_point(g, coll, ap, base_iri, lang, warnings)
    for dao in record.digital_objects:
        href = dao.href.strip().replace(" ", "%20")
        if not _IRI_OK.match(href):
            warnings.append(f"digital object link {dao.href!r} is not an http(s) IRI: skipped")
            continue
        obj = URIRef(href)
        role = (dao.role or "").lower()
        if "iiif" in role or "manifest" in role or href.endswith(("/manifest", "manifest.json")):
            g.add((coll, COLLEX.iiifManifest, obj))
            g.add((obj, RDF.type, IIIF.Manifest))
        else:
            g.add((coll, COLLEX.digitalObject, obj))
            g.add((obj, RDF.type, FOAF.Document))
        if dao.title:
            g.add((obj, RDFS.label, lit(dao.title)))
    return Converted(record.record_id, graph_iri, str(coll), g, warnings)


def _holder(g: RecordGraph, coll: URIRef, r: EadRecord, base: str, warnings: list[str]) -> None:
    """rico:hasOrHadHolder from <repository>, else the header's agency code, else publisher."""
    repo = r.repository
    ref: AuthorityRef | None = None
    if repo and repo.code:
        ref = classify(repo.code, repo.source, repository=True)
        if ref and ref.problem:
            warnings.append(f"repository: {ref.problem}")
            ref = None
    if ref is None and r.agency_code:
        ref = classify(r.agency_code, None, repository=True)
        if ref and ref.system not in {"rcr", "isil"}:
            ref = None
    label = (repo.label if repo and repo.label else None) or r.agency_name or r.publisher
    if ref is not None and ref.system in {"rcr", "isil"} and not ref.problem:
        isil = f"FR-{ref.identifier}" if ref.system == "rcr" else ref.identifier
        inst = URIRef(f"{base}id/institution/{safe_segment(isil)}")
        g.add((inst, DCTERMS.identifier, plain(isil)))
        g.add((inst, COLLEX.isil, plain(isil)))
        if ref.system == "rcr":
            g.add((inst, COLLEX.rcr, plain(ref.identifier)))
    elif label:
        inst = URIRef(f"{base}id/institution/local-{slug(label)}")
    else:
        return
    g.add((inst, RDF.type, COLLEX.Institution))
    if label:
        g.add((inst, FOAF.name, plain(label)))
    g.add((coll, RICO.hasOrHadHolder, inst))


def _access_point(
    g: RecordGraph, coll: URIRef, ap: AccessPoint, base: str, lang: str | None, warnings: list[str]
) -> None:
    ref = classify(ap.authfilenumber, ap.source)
    if ref and ref.problem:
        warnings.append(f"{ap.kind} {ap.label!r}: {ref.problem}; kept as a local name")
    if ref and ref.iri:
        node = URIRef(ref.iri)
    elif ref and not ref.problem:
        node = URIRef(f"{base}id/{_local_path(ap.kind)}/{slug(ref.system)}-"
                      f"{safe_segment(ref.identifier)}")
    else:
        node = URIRef(f"{base}id/{_local_path(ap.kind)}/{slug(ap.label)}")
    for cls in _KIND_CLASSES.get(ap.kind, [SKOS.Concept]):
        g.add((node, RDF.type, cls))
    label = plain(ap.label, lang)
    g.add((node, RDFS.label, label))
    if ap.kind in {"subject", "genreform", "function", "occupation", "title", "geogname"}:
        g.add((node, SKOS.prefLabel, label))
    else:
        g.add((node, FOAF.name, label))
    if ap.normal:
        g.add((node, COLLEX.authorisedForm, plain(ap.normal)))
    if ref and ref.problem:
        g.add((node, COLLEX.invalidAuthorityIdentifier, plain(ref.identifier)))
    elif ref:
        g.add((node, DCTERMS.identifier, plain(ref.identifier)))
        g.add((node, COLLEX.authoritySystem, plain(ref.system)))
        if ref.system == "bnf" and ref.iri:
            g.add((node, OWL.sameAs, URIRef(f"https://catalogue.bnf.fr/{ref.identifier}")))
    role = (ap.role or "").strip().lower()
    is_agent = ap.kind in {"persname", "corpname", "famname", "name"}
    if ap.context == "origination" and is_agent:
        g.add((coll, DCTERMS.creator, node))
        g.add((coll, RICO.hasOrganicProvenance, node))
    else:
        g.add((coll, _CONTROLACCESS_PROPERTY.get(ap.kind, DCTERMS.subject), node))
        if is_agent and role in _CREATOR_ROLES:
            g.add((coll, DCTERMS.creator, node))
        if is_agent and role in _FORMER_OWNER_ROLES:
            g.add((coll, COLLEX.formerOwner, node))
    if ap.role:
        g.add((node, COLLEX.roleNote, plain(ap.role)))


def _local_path(kind: str) -> str:
    return _LOCAL_PATH.get(kind, f"concept/{kind}")
