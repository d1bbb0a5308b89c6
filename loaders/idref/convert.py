"""UNIMARC authority record -> RDF. Pure. The mapping is documented in
``ontology/idref-mapping.md``.

>>> from loaders.idref.parse import DataField, MarcRecord
>>> rec = MarcRecord("00000cx  a2200000   45  ", {"001": "027058352", "008": "Tp5"},
...                  [DataField("200", " ", "1", [("a", "Paris"), ("b", "Gaston"),
...                                                ("f", "1839-1903")])], "record 1")
>>> c = convert(rec, "http://example.org/", "x.xml", "UNIMARC (MARCXML)", "0" * 64)
>>> c.collection_iri, c.graph_iri
('http://www.idref.fr/027058352/id', 'http://example.org/graph/idref/027058352')
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from loaders.authority import ppn_check_char, ppn_is_valid
from loaders.base import Converted, RecordRejected
from loaders.idref.parse import DataField, MarcRecord, RdfRecord
from loaders.rdf import RecordGraph, plain, source_record
from loaders.terms import (
    COLLEX,
    DCTERMS,
    FOAF,
    ISO639,
    OWL,
    PROV,
    RDF,
    RDFS,
    RICO,
    SCHEMA,
    SKOS,
    XSD,
)

IDREF = "http://www.idref.fr/"

_HEADINGS = ("200", "210", "215", "216", "220", "230", "240", "250", "280")
_KIND_BY_008 = {"Tp": "200", "Tb": "210", "Tg": "215", "Ta": "220", "Td": "250", "Tu": "230",
                "Tq": "240", "Tm": "216", "Tf": "280"}
_CLASSES = {
    "200": [FOAF.Person, RICO.Person],
    "210": [FOAF.Organization, RICO.CorporateBody],
    "215": [DCTERMS.Location, RICO.Place, SKOS.Concept],
    "216": [SKOS.Concept],
    "220": [RICO.Family, FOAF.Group],
    "230": [SKOS.Concept],
    "240": [SKOS.Concept],
    "250": [SKOS.Concept],
    "280": [SKOS.Concept],
}
_KIND_NAMES = {"200": "person", "210": "corporate body", "215": "place", "216": "brand",
               "220": "family", "230": "uniform title", "240": "name/title",
               "250": "RAMEAU subject", "280": "form/genre"}
_DATE = re.compile(r"^(-?\d{4})(\d{2})?(\d{2})?$")
_VIAF = re.compile(r"(\d{4,})")
_WIKIDATA = re.compile(r"(Q\d+)")
_ISNI = re.compile(r"(\d{15}[\dX])")


def heading(field: DataField) -> str:
    """The display form of a 2XX/4XX/5XX heading, in IdRef's style.

    >>> heading(DataField("200", " ", "1", [("a", "Louis"), ("d", "XIV"),
    ...                   ("c", "roi de France"), ("f", "1638-1715")]))
    'Louis XIV (roi de France ; 1638-1715)'
    >>> heading(DataField("250", " ", " ", [("a", "Manuscrits arabes"), ("z", "17e siècle")]))
    'Manuscrits arabes -- 17e siècle'
    """
    family = field.tag[1:]
    get = field.get
    if family == "00":  # person
        name = get("a") or ""
        if get("b"):
            name += f", {get('b')}"
        if get("d"):
            name += f" {get('d')}"
        qualifiers = field.all("c") + field.all("f")
        return f"{name} ({' ; '.join(qualifiers)})" if qualifiers else name
    if family == "10":  # corporate body or congress
        name = ". ".join([get("a") or "", *field.all("b")]).strip(". ")
        qualifiers = field.all("c") + field.all("d") + field.all("f") + field.all("e")
        return f"{name} ({' ; '.join(qualifiers)})" if qualifiers else name
    if family == "20":  # family
        name = get("a") or ""
        qualifiers = field.all("c") + field.all("f")
        return f"{name} ({' ; '.join(qualifiers)})" if qualifiers else name
    main = " ".join(v for c, v in field.subfields if c in "ab").strip()
    subdivisions = [v for c, v in field.subfields if c in "xyzj"]
    return " -- ".join([main, *subdivisions]) if subdivisions else main


def _source_record(g: RecordGraph, graph_iri: str, entity: URIRef, ppn: str, source_format: str,
                   file: str, sha256: str) -> None:
    """The source record (the graph's own description) and the entity's bookkeeping."""
    src = URIRef(graph_iri)
    ident = plain(ppn)
    source_record(g, src, source_format, file, sha256, ppn)
    g.add((entity, PROV.wasDerivedFrom, src))
    g.add((entity, DCTERMS.identifier, ident))
    g.add((entity, COLLEX.authoritySystem, plain("idref")))



def _own(entity: URIRef, graph_iri: str) -> tuple[str, ...]:
    """What an IdRef record owns: its entity first, everything IdRef mints under its PPN
    (``/id``, events...), and its graph."""
    return str(entity), str(entity).removesuffix("/id"), graph_iri


def _graph() -> RecordGraph:
    return RecordGraph()


def _date(value: str) -> Literal:
    """Typed when exact (xsd:date, gYearMonth, gYear), plain text when partial (``18..``)."""
    value = value.strip()
    m = _DATE.match(value)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if day and month and day != "00" and month != "00":
            return Literal(f"{year}-{month}-{day}", datatype=XSD.date)
        if month and month != "00":
            return Literal(f"{year}-{month}", datatype=XSD.gYearMonth)
        return Literal(year, datatype=XSD.gYear)
    return Literal(value)


def _modified(value: str) -> Literal | None:
    m = re.match(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", value)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    return Literal(f"{y}-{mo}-{d}T{h}:{mi}:{s}", datatype=XSD.dateTime)


def _same_as(url: str) -> URIRef | None:
    url = url.strip()
    ark = re.search(r"(ark:/12148/c[bg][0-9a-z]{8,10})", url)
    if ark:
        return URIRef(f"http://data.bnf.fr/{ark.group(1)}#about")
    if "isni" in url.lower():
        m = _ISNI.search(url.replace(" ", ""))
        return URIRef(f"https://isni.org/isni/{m.group(1)}") if m else None
    if "viaf.org" in url:
        m = _VIAF.search(url)
        return URIRef(f"http://viaf.org/viaf/{m.group(1)}") if m else None
    if "wikidata.org" in url:
        m = _WIKIDATA.search(url)
        return URIRef(f"http://www.wikidata.org/entity/{m.group(1)}") if m else None
    if re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
        return URIRef(url)
    return None


_UNIMARC_HEADINGS = {"200", "210", "215", "216", "220", "230", "235", "240",
                     "250", "260", "280"}
_MARC21_HEADINGS = {"100", "110", "111", "130", "147", "148", "150", "151", "155", "162"}
_BIB_TYPES, _BIB_LEVELS = set("acdefgijkmoprt"), set("abcdims")


def not_unimarc_authority(record: MarcRecord) -> str | None:
    """Why a MARC record is not a UNIMARC authority (what it is instead), or None.

    The leader tells bibliographic records (type ``a``, ``m``... at 06, level at 07) from
    authorities; the fields tell MARC21 from UNIMARC (MARC21 authorities put their heading
    in 1XX and a 40-character 008; UNIMARC puts general data in 100 and the heading in 2XX).

    >>> from loaders.idref.parse import MarcRecord, DataField
    >>> bib = MarcRecord("00000nam a2200000 i 4500", {"001": "123456789",
    ...                  "008": "240101s2020    fr            000 0 fre d"},
    ...                  [DataField("245", "1", "0", [("a", "Un livre")])], "record 1")
    >>> not_unimarc_authority(bib)[:64]
    "a MARC21 bibliographic record (leader/06 'a', leader/07 'm'), no"
    """
    leader = record.leader.ljust(24)
    tags = {f.tag for f in record.datafields}
    # MARC21's leader ends with its entry map "4500"; UNIMARC's with "450" and a blank
    marc21 = sum((leader[20:24] == "4500", "245" in tags, "040" in tags,
                  len(record.controlfields.get("008", "")) >= 32,
                  any(f.tag in _MARC21_HEADINGS and not _unimarc_100(f)
                      for f in record.datafields)))
    unimarc = sum((leader[20:23] == "450" and leader[23] == " ", "801" in tags,
                   any(_unimarc_100(f) for f in record.datafields),
                   bool(tags & _UNIMARC_HEADINGS)))
    flavour = "MARC21" if marc21 > unimarc else "UNIMARC"
    kind, level = leader[6], leader[7]
    if kind in _BIB_TYPES and level in _BIB_LEVELS:
        return (f"a {flavour} bibliographic record (leader/06 {kind!r}, leader/07 {level!r}),"
                " not an authority: only IdRef authority records (UNIMARC) are read")
    if flavour == "MARC21":
        what = ("holdings record" if kind in "uvxy" and "852" in tags else "authority record"
                if kind == "z" or tags & _MARC21_HEADINGS else "record")
        return (f"a MARC21 {what} (leader, 1XX heading, 008 of 40 characters), not UNIMARC:"
                " IdRef publishes UNIMARC authorities (idref.fr/{PPN}.xml)")
    return None


def _unimarc_100(f: DataField) -> bool:
    """UNIMARC's 100 (general processing data: $a starts with an 8-digit date)."""
    return f.tag == "100" and bool(re.match(r"^\d{8}", f.get("a") or ""))


def convert(record: MarcRecord | RdfRecord, base_iri: str, file: str, source_format: str,
            sha256: str) -> Converted:
    """The RDF of one authority record (a deleted record gives an empty, ``deleted`` graph)."""
    if isinstance(record, RdfRecord):
        return _convert_rdf(record, base_iri, file, sha256)
    if (other := not_unimarc_authority(record)) is not None:
        raise RecordRejected(other)
    ppn = record.ppn
    if not ppn:
        raise RecordRejected("no PPN in 001")
    if not ppn_is_valid(ppn):
        detail = (f"check character should be {ppn_check_char(ppn[:8])}"
                  if re.match(r"^\d{8}[\dXx]$", ppn, re.ASCII)
                  else "not 8 digits and a check character")
        raise RecordRejected(f"invalid PPN {ppn!r} in 001 ({detail}): not loaded")
    ppn = ppn.upper()
    graph_iri = f"{base_iri}graph/idref/{ppn}"
    entity = URIRef(f"{IDREF}{ppn}/id")
    if record.deleted:
        return Converted(ppn, graph_iri, str(entity), RecordGraph(), [], deleted=True)
    warnings: list[str] = []
    g = _graph()
    _source_record(g, graph_iri, entity, ppn, source_format, file, sha256)
    g.add((entity, RDFS.seeAlso, URIRef(f"{IDREF}{ppn}")))
    if record.controlfields.get("005") and (mod := _modified(record.controlfields["005"])):
        g.add((entity, DCTERMS.modified, mod))

    head = next((f for f in record.fields(*_HEADINGS)), None)
    kind = head.tag if head else _KIND_BY_008.get(record.controlfields.get("008", "")[:2])
    if kind is None:
        raise RecordRejected("no heading (200, 210, 215, 220, 230, 250...) and no kind in 008")
    for cls in _CLASSES[kind]:
        g.add((entity, RDF.type, cls))
    if kind == "210" and head is not None and head.ind1 == "1":
        g.add((entity, RDF.type, COLLEX.Congress))
    g.add((entity, COLLEX.authorityKind, plain(_KIND_NAMES[kind])))
    display = next((f.get("a") for f in record.fields("900") if f.get("a")), None)
    pref = display or (heading(head) if head else None)
    if not pref:
        raise RecordRejected(f"empty heading in {kind}")
    g.add((entity, SKOS.prefLabel, Literal(pref)))
    if kind in ("200", "210", "220"):
        g.add((entity, FOAF.name, Literal(pref)))
    if kind == "200" and head is not None:
        if head.get("a"):
            g.add((entity, FOAF.familyName, plain(head.get("a") or "")))
        if head.get("b"):
            g.add((entity, FOAF.givenName, plain(head.get("b") or "")))
    for f in record.fields("400", "410", "415", "416", "420", "430", "440", "450", "480"):
        alt = heading(f)
        if alt and alt != pref:
            g.add((entity, SKOS.altLabel, Literal(alt)))

    for f in record.fields("103"):
        start, end = f.get("a"), f.get("b")
        birth, death = ((SCHEMA.birthDate, SCHEMA.deathDate) if kind == "200" else
                        (SCHEMA.foundingDate, SCHEMA.dissolutionDate))
        if start and start.strip():
            g.add((entity, birth, _date(start)))
        if end and end.strip():
            g.add((entity, death, _date(end)))
    for f in record.fields("120"):
        code = (f.get("a") or " ")[:1]
        gender = {"a": "female", "b": "male"}.get(code)
        if gender:
            g.add((entity, FOAF.gender, plain(gender)))
    for f in record.fields("101"):
        for code in f.all("a"):
            if re.match(r"^[a-z]{3}$", code):
                g.add((entity, DCTERMS.language, ISO639[code]))
    for f in record.fields("102"):
        for code in f.all("a"):
            g.add((entity, COLLEX.country, plain(code)))
    for f in record.fields("340"):
        if f.get("a"):
            g.add((entity, RICO.history, Literal(" ".join(f.all("a")))))
    for f in record.fields("300"):
        if f.get("a"):
            g.add((entity, SKOS.note, Literal(" ".join(f.all("a")))))
    for f in record.fields("810"):
        text = " : ".join(v for v in (f.get("a"), f.get("b")) if v)
        if text:
            g.add((entity, DCTERMS.source, plain(text)))

    for f in record.fields("033"):
        if f.get("a") and (target := _same_as(f.get("a") or "")):
            g.add((entity, OWL.sameAs, target))
    for f in record.fields("035"):
        value = (f.get("a") or "").strip()
        source = (f.get("2") or "").strip().lower()
        if not value:
            continue
        if (f.get("9") or "").strip().lower() == "sudoc":
            old = value.upper()
            if ppn_is_valid(old) and old != ppn:
                old_iri = URIRef(f"{IDREF}{old}/id")
                g.add((entity, DCTERMS.replaces, old_iri))
                g.add((old_iri, DCTERMS.isReplacedBy, entity))
                g.add((old_iri, OWL.sameAs, entity))
            elif old != ppn:
                warnings.append(f"035 $9 sudoc: merged PPN {value!r} is not a valid PPN")
            continue
        target = None
        if source == "viaf" and (m := _VIAF.search(value)):
            target = URIRef(f"http://viaf.org/viaf/{m.group(1)}")
        elif source == "wikidata" and (m := _WIKIDATA.search(value)):
            target = URIRef(f"http://www.wikidata.org/entity/{m.group(1)}")
        elif source == "isni" and (m := _ISNI.search(value.replace(" ", ""))):
            target = URIRef(f"https://isni.org/isni/{m.group(1)}")
        elif value.startswith("http"):
            target = _same_as(value)
        if target is not None:
            g.add((entity, OWL.sameAs, target))
        else:
            g.add((entity, COLLEX.otherIdentifier, Literal(f"{source}:{value}" if source else
                                                           value)))

    for f in record.fields("500", "510", "515", "520", "530", "550", "580"):
        code = (f.get("5") or "  ")[:1]
        target_ppn = (f.get("3") or "").strip().upper()
        label = heading(f)
        if target_ppn and ppn_is_valid(target_ppn):
            target = URIRef(f"{IDREF}{target_ppn}/id")
            if f.tag == "550" and code == "g":
                g.add((entity, SKOS.broader, target))
            elif f.tag == "550" and code == "h":
                g.add((entity, SKOS.narrower, target))
            else:
                g.add((entity, SKOS.related, target))
        else:
            if target_ppn:
                warnings.append(f"{f.tag} {label!r}: invalid PPN {target_ppn!r} in $3")
            if label:
                g.add((entity, COLLEX.relatedHeading, plain(label)))
    return Converted(ppn, graph_iri, str(entity), g, warnings, own=_own(entity, graph_iri),
                     authority=True)


def _convert_rdf(record: RdfRecord, base_iri: str, file: str, sha256: str) -> Converted:
    """IdRef RDF/XML as published, plus its source record and a prefLabel when missing."""
    g = RecordGraph.of(Graph(bind_namespaces="none").parse(data=record.ntriples, format="nt"))
    entities = sorted({s for s in g.subjects() if isinstance(s, URIRef)
                       and re.match(r"^http://www\.idref\.fr/\d{8}[\dX]/id$", str(s))})
    if not entities:
        raise RecordRejected("no IdRef entity (http://www.idref.fr/{PPN}/id) in the RDF")
    entity = entities[0]
    ppn = str(entity).split("/")[-2]
    if not ppn_is_valid(ppn):
        raise RecordRejected(f"invalid PPN {ppn!r} in the entity IRI: not loaded")
    # IdRef writes some types with an odd fragment (<...#foaf:Organization>): normalise them.
    for s, o in list(g.subject_objects(RDF.type)):
        text = str(o)
        if "#foaf:" in text:
            g.add((s, RDF.type, FOAF[text.rsplit("#foaf:", 1)[1]]))
    if g.value(entity, SKOS.prefLabel) is None:
        name = g.value(entity, FOAF.name) or g.value(entity, RDFS.label)
        if name is not None:
            g.add((entity, SKOS.prefLabel, Literal(str(name))))
    graph_iri = f"{base_iri}graph/idref/{ppn}"
    _source_record(g, graph_iri, entity, ppn, "IdRef RDF/XML", file, sha256)
    return Converted(ppn, graph_iri, str(entity), g, [], own=_own(entity, graph_iri),
                     authority=True)
