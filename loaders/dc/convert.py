"""A Dublin Core record -> a collection, with what simple DC can say. Pure.

The collection is marked ``collex:DublinCoreRecord``: it has no hierarchy, and its names,
subjects and places are plain labels (local nodes, alignment candidates), never authorities.
The mapping is in ``ontology/dc-mapping.md``.
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef

from loaders.base import Converted
from loaders.dates import normalise
from loaders.dc.parse import DcRecord
from loaders.rdf import RecordGraph, plain, source_record
from loaders.terms import (
    COLLEX,
    DCAT,
    DCMITYPE,
    DCTERMS,
    FOAF,
    ISO639,
    PROV,
    RDF,
    RDFS,
    RICO,
    SKOS,
    XSD,
)
from loaders.text import checked_iri, safe_segment, slug

_LEVELS = {"fonds", "collection", "series", "subfonds", "recordgrp", "file", "item"}
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def collection_key(record: DcRecord) -> str:
    return safe_segment(f"oai-{record.oai_identifier}", max_len=150)


def convert(record: DcRecord, base_iri: str) -> Converted:
    """The collection a Dublin Core record describes.

    >>> from loaders.dc.parse import DcRecord
    >>> r = DcRecord("a.xml", "oai:x:1", None, "", {"title": ["Fonds X"], "date": ["1865-1981"]})
    >>> c = convert(r, "http://ex.org/")
    >>> c.collection_iri, c.graph_iri
    ('http://ex.org/id/collection/oai-oai-x-1', 'http://ex.org/graph/dc/oai-oai-x-1')
    """
    key = collection_key(record)
    coll = URIRef(f"{base_iri}id/collection/{key}")
    graph_iri = f"{base_iri}graph/dc/{key}"
    src = URIRef(graph_iri)
    g = RecordGraph()
    warnings = list(record.warnings)
    v = record.values

    def lit(text: str) -> Literal:
        return plain(text, record.languages.get(text))

    source_record(g, src, "Dublin Core (oai_dc)", record.file, record.sha256, None,
                  record.oai_identifier, record.oai_datestamp)

    g.add((coll, RDF.type, DCMITYPE.Collection))
    g.add((coll, RDF.type, COLLEX.DublinCoreRecord))
    g.add((coll, PROV.wasDerivedFrom, src))
    titles = v.get("title", [])
    if titles:
        g.add((coll, DCTERMS.title, lit(titles[0])))
    for t in titles[1:]:
        g.add((coll, DCTERMS.alternative, lit(t)))
    for text in v.get("description", []):
        g.add((coll, DCTERMS.description, lit(text)))
    for value in v.get("identifier", []):
        iri = checked_iri(value)
        if iri:
            g.add((coll, RDFS.seeAlso, URIRef(iri)))
        g.add((coll, DCTERMS.identifier, plain(value)))
    for value in v.get("source", []):
        g.add((coll, DCTERMS.source, plain(value)))
    for value in v.get("type", []):
        if value.lower() in _LEVELS:
            g.add((coll, RDF.type, RICO.RecordSet))
            g.add((coll, COLLEX.descriptionLevel, plain(value.lower())))
        else:
            g.add((coll, DCTERMS.type, plain(value)))
    for value in v.get("format", []):
        g.add((coll, DCTERMS["format"], plain(value)))
    for value in v.get("rights", []):
        g.add((coll, DCTERMS.rights, lit(value)))
    for value in v.get("language", []):
        code = value.strip().lower()
        g.add((coll, DCTERMS.language, ISO639[code] if re.match(r"^[a-z]{3}$", code)
               else plain(value)))
    for value in v.get("relation", []):
        iri = checked_iri(value)
        g.add((coll, DCTERMS.relation, URIRef(iri) if iri else plain(value)))
    for n, value in enumerate(v.get("date", []), start=1):
        period = URIRef(f"{coll}#period-{n}")
        g.add((coll, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        g.add((period, RDFS.label, plain(value)))
        dmy = _DMY.match(value.strip())
        normal = (f"{dmy.group(3)}-{int(dmy.group(2)):02d}-{int(dmy.group(1)):02d}" if dmy
                  else value.strip() if _ISO_DATE.match(value.strip()) else None)
        rng = normalise(normal, value)
        if rng.problem:
            warnings.append(f"dc:date {value!r}: {rng.problem}; kept as text only")
        elif rng.start and rng.end:
            if rng.note:
                warnings.append(f"dc:date {value!r}: {rng.note}")
            g.add((period, DCAT.startDate, Literal(rng.start, datatype=XSD.date)))
            g.add((period, DCAT.endDate, Literal(rng.end, datatype=XSD.date)))
            g.add((period, COLLEX.startYear, Literal(int(rng.start[:4]))))
            g.add((period, COLLEX.endYear, Literal(int(rng.end[:4]))))
    for value in v.get("publisher", [])[:1]:  # the publisher of an archives' record: its holder
        inst = URIRef(f"{base_iri}id/institution/local-{slug(value)}")
        g.add((inst, RDF.type, COLLEX.Institution))
        g.add((inst, FOAF.name, plain(value)))
        g.add((coll, RICO.hasOrHadHolder, inst))
    for value in v.get("publisher", [])[1:]:
        g.add((coll, DCTERMS.publisher, plain(value)))
    for prop, name in ((DCTERMS.creator, "creator"), (DCTERMS.contributor, "contributor")):
        for value in v.get(name, []):
            agent = URIRef(f"{base_iri}id/agent/{slug(value)}")
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, FOAF.name, plain(value)))
            g.add((agent, RDFS.label, plain(value)))
            g.add((coll, prop, agent))
    for value in v.get("subject", []):
        concept = URIRef(f"{base_iri}id/concept/subject/{slug(value)}")
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, lit(value)))
        g.add((concept, RDFS.label, lit(value)))
        g.add((coll, DCTERMS.subject, concept))
    for value in v.get("coverage", []):
        if re.search(r"\d{3,4}", value):  # a period
            g.add((coll, DCTERMS.coverage, plain(value)))
            continue
        place = URIRef(f"{base_iri}id/place/{slug(value)}")
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, SKOS.prefLabel, lit(value)))
        g.add((place, RDFS.label, lit(value)))
        g.add((coll, DCTERMS.spatial, place))
    return Converted(record.record_id, graph_iri, str(coll), g, warnings,
                     own=(str(coll), graph_iri),
                     identity=record.oai_identifier, fidelity=record.fidelity)
