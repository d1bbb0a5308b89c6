"""EAC-CPF record -> the agent it describes, with its names, dates, places, functions and
relations. Pure. The mapping is in ``ontology/eac-mapping.md``.

The agent's IRI is the one the finding aids already use for it: the Archives nationales'
IRI for a ``FRAN_NP_`` record, the IdRef IRI for a PPN, else
``{base}id/agent/auth-{recordId}``, the node an EAD access point whose ``@authfilenumber``
is that record id points to (``loaders.ead.convert.local_authority_iri``).
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from loaders.authority import classify
from loaders.base import Converted
from loaders.dates import normalise
from loaders.eac.parse import EacRecord, Term
from loaders.ead.convert import MAX_KEY, local_authority_iri
from loaders.rdf import RecordGraph, plain, source_record
from loaders.terms import COLLEX, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, RICO, SKOS, XSD
from loaders.text import bcp47, checked_iri, safe_segment, slug

_CLASSES = {
    "person": [FOAF.Person, RICO.Person],
    "corporatebody": [FOAF.Organization, RICO.CorporateBody],
    "family": [RICO.Family, FOAF.Group],
}
_ISNI = re.compile(r"(?:isni[\s:]*)?((?:\d{4}\s?){3}\d{3}[\dX])$", re.IGNORECASE)
_VIAF = re.compile(r"viaf\.org/viaf/(\d+)")
_WIKIDATA = re.compile(r"(?:wikidata\.org/(?:wiki|entity)/)?(Q\d+)$")
_RELATIONS = {
    "hierarchical-parent": RICO.isOrWasSubordinateTo,
    "hierarchical-child": RICO.hasOrHadSubordinate,
    "temporal-earlier": RICO.isSuccessorOf,
    "temporal-later": RICO.hasSuccessor,
    "family": RICO.hasFamilyAssociationWith,
}
_CONTROL = {"descrules": COLLEX.descriptionRules, "rights": DCTERMS.rights,
            "revision": COLLEX.revisionNote, "note": COLLEX.note, "status": COLLEX.note}
_NOTES = {"biogHist": RICO.history, "generalContext": COLLEX.generalContext,
          "structureOrGenealogy": COLLEX.structureOrGenealogy,
          "languagesUsed": COLLEX.languageNote, "languageUsed": COLLEX.languageNote,
          "function": COLLEX.note, "occupation": COLLEX.note, "legalStatus": COLLEX.note,
          "localDescription": COLLEX.note}


def agent_iri(record_id: str, base: str) -> str:
    """The IRI of the agent an EAC-CPF record describes.

    >>> agent_iri("FRAN_NP_010232", "http://ex.org/")
    'https://rdf.archives-nationales.culture.gouv.fr/agent/010232'
    >>> agent_iri("FRAD033_EAC_00001", "http://ex.org/")
    'http://ex.org/id/agent/auth-FRAD033_EAC_00001'
    """
    ref = classify(record_id, None)
    if ref is not None and ref.iri and not ref.problem:
        return ref.iri
    return local_authority_iri(base, record_id)


def same_as(value: str) -> str | None:
    """The global IRI an identifier or URL names (IdRef, BnF, ISNI, VIAF, Wikidata, AN).

    >>> same_as("ISNI : 0000 0001 2291 9454"), same_as("https://www.idref.fr/027058352")
    ('https://isni.org/isni/0000000122919454', 'http://www.idref.fr/027058352/id')
    """
    text = value.strip()
    ref = classify(text, None)
    if ref is not None and ref.iri and not ref.problem:
        return ref.iri
    if m := _ISNI.search(text):
        return f"https://isni.org/isni/{m.group(1).replace(' ', '').upper()}"
    if m := _VIAF.search(text):
        return f"http://viaf.org/viaf/{m.group(1)}"
    if (m := _WIKIDATA.search(text)) and ("wikidata" in text or text.startswith("Q")):
        return f"http://www.wikidata.org/entity/{m.group(1)}"
    return None


def convert(record: EacRecord, base_iri: str) -> Converted:
    """The agent's graph.

    >>> from loaders.eac.parse import parse
    >>> r = parse(b'<eac-cpf><control><recordId>R1</recordId></control><cpfDescription>'
    ...   b'<identity><entityType>person</entityType><nameEntry><part>Hugo, Victor</part>'
    ...   b'</nameEntry></identity></cpfDescription></eac-cpf>', "a.xml")[0]
    >>> c = convert(r, "http://ex.org/")
    >>> c.collection_iri, c.graph_iri
    ('http://ex.org/id/agent/auth-R1', 'http://ex.org/graph/eac/R1')
    """
    agent = URIRef(agent_iri(record.record_id, base_iri))
    graph_iri = f"{base_iri}graph/eac/{safe_segment(record.record_id, max_len=MAX_KEY)}"
    src = URIRef(graph_iri)
    lang = bcp47(record.language)
    g = RecordGraph()
    warnings = list(record.warnings)

    source_record(g, src, "EAC-CPF", record.file, record.sha256, record.record_id,
                  record.oai_identifier, record.oai_datestamp)
    if record.agency_name or record.agency_code:
        g.add((src, DCTERMS.publisher, plain(record.agency_name or record.agency_code or "")))
    for key, texts in record.control_notes.items():
        for text in texts:
            g.add((src, _CONTROL[key], plain(text)))
    g.add((agent, PROV.wasDerivedFrom, src))

    kind = (record.entity_type or "").lower()
    classes = _CLASSES.get(kind)
    if classes is None:
        warnings.append(f"entityType {record.entity_type!r} is not person, corporateBody or"
                        " family: typed as an agent")
        classes = [FOAF.Agent]
    for cls in classes:
        g.add((agent, RDF.type, cls))
    if not record.names:
        warnings.append("no nameEntry: the agent has no name")
    for name in record.names:
        label = plain(name.text, bcp47(name.lang) or lang)
        if name.authorized:
            g.add((agent, FOAF.name, label))
            g.add((agent, RDFS.label, label))
            g.add((agent, SKOS.prefLabel, label))
        else:
            g.add((agent, SKOS.altLabel, label))
    for ident in [record.record_id, *record.other_record_ids, *record.entity_ids]:
        g.add((agent, DCTERMS.identifier, plain(ident)))
        ident_iri = same_as(ident)
        if ident_iri and ident_iri != str(agent):
            g.add((agent, OWL.sameAs, URIRef(ident_iri)))
    for src_href, src_text in record.sources:
        source_iri = same_as(src_href) if src_href else None
        if source_iri and source_iri != str(agent):
            g.add((agent, OWL.sameAs, URIRef(source_iri)))
        elif src_text or src_href:
            g.add((agent, DCTERMS.source, plain(src_text or src_href or "")))
    for dates in record.exist_dates:
        if dates.text:
            g.add((agent, COLLEX.existenceDates, plain(dates.text)))
        for value, prop, end in ((dates.start, RICO.beginningDate, False),
                                 (dates.end, RICO.endDate, True)):
            if not value:
                continue
            rng = normalise(value, None)
            if rng.problem or not rng.start or not rng.end:
                if value.lower() not in {"unknown", "open", "inconnu", "?"}:
                    warnings.append(f"existDates {value!r}: {rng.problem or 'not a date'};"
                                    " kept as text only")
                continue
            g.add((agent, prop, Literal(rng.end if end else rng.start, datatype=XSD.date)))
    for place in record.places:
        node = _term_node(g, base_iri, "place", place, lang)
        g.add((node, RDF.type, DCTERMS.Location))
        g.add((node, RDF.type, RICO.Place))
        g.add((agent, RICO.agentHasOrHadLocation, node))
        if place.role:
            g.add((node, COLLEX.roleNote, plain(place.role)))
    for prop, terms in ((COLLEX.function, record.functions),
                        (COLLEX.occupation, record.occupations)):
        for term in terms:
            g.add((agent, prop, _term_node(g, base_iri, "concept/function" if
                                           prop == COLLEX.function else
                                           "concept/occupation", term, lang)))
    for term in record.legal_statuses:
        g.add((agent, COLLEX.legalStatus, plain(term.label, lang)))
    for text in record.mandates:
        g.add((agent, COLLEX.mandate, plain(text, lang)))
    for key, texts in record.notes.items():
        for text in texts:
            g.add((agent, _NOTES[key], plain(text, lang)))
    for rel in record.relations:
        target = _relation_target(rel.href, rel.label, base_iri)
        if target is None:
            warnings.append(f"{rel.kind} {rel.label or rel.href!r}: no target to link to;"
                            " kept as text")
            if rel.label:
                g.add((agent, COLLEX.note,
                       plain(f"{rel.type or 'relation'}: {rel.label}", lang)))
            continue
        if rel.kind == "resourceRelation":
            prop = (RICO.isOrWasCreatorOf if (rel.type or "").lower() == "creatorof"
                    else RICO.isAgentAssociatedWithRecordResource)
        elif rel.kind == "functionRelation":
            prop = COLLEX.function
        else:
            prop = _RELATIONS.get((rel.type or "").lower(), RICO.isAgentAssociatedWithAgent)
            if rel.label and not str(target).startswith(("http://www.idref.fr/",)):
                g.add((target, RDFS.label, plain(rel.label, lang)))
        g.add((agent, prop, target))
    return Converted(record.record_id, graph_iri, str(agent), g, warnings,
                     own=(str(agent), graph_iri), authority=True,
                     identity=record.record_id, fidelity=record.fidelity)


def _term_node(g: RecordGraph, base: str, path: str, term: Term, lang: str | None) -> URIRef:
    vocab = checked_iri(term.source or "")
    node = URIRef(same_as(term.source or "") or vocab or f"{base}id/{path}/{slug(term.label)}")
    label = plain(term.label, lang)
    if path.startswith("concept"):
        g.add((node, RDF.type, SKOS.Concept))
    g.add((node, SKOS.prefLabel, label))
    g.add((node, RDFS.label, label))
    return node


def _relation_target(href: str | None, label: str | None, base: str) -> URIRef | None:
    if href:
        global_iri = same_as(href)
        if global_iri:
            return URIRef(global_iri)
        iri = checked_iri(href)
        if iri:
            return URIRef(iri)
        if re.match(r"^[A-Za-z0-9][\w.-]*$", href):  # another record of the same agency
            return URIRef(local_authority_iri(base, href))
    return None
