"""List rows -> RDF. Pure, given the context (which collections and networks exist).

Every error names the file's row and column; a bad row is left out and reported, the good
rows of the same file are loaded. Each row is a source record of its own, in the graph
``{base}graph/lists/{kind}/{key}`` (the key of what the row describes: the ISIL, the network
identifier, collection and campaign, network and member), whatever the file is called or where
it is: a re-export replaces each row it holds, a rejected row keeps its previous version, and
rows missing from a re-export are removed only when the file was read whole, without error
(see ``ListsFormat.finish``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef

from loaders import territory
from loaders.authority import idref_iri, ppn_is_valid
from loaders.base import Converted
from loaders.lists.parse import ListFile, Row
from loaders.rdf import RecordGraph, source_record
from loaders.terms import COLLEX, DCMITYPE, DCTERMS, FOAF, OWL, PROV, RDF, RICO, SKOS, XSD
from loaders.text import safe_segment, slug
from ontology import disciplines_path

DISC = Namespace("https://w3id.org/collex/disciplines/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
ISIL = re.compile(r"^[A-Z]{2}-[A-Za-z0-9:/\-]{1,12}$")
FR_ISIL = re.compile(r"^FR-\d{9}$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
NETWORK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
ROLES = {"collex": "collex", "third-party": "third-party", "tierce": "third-party",
         "tiers": "third-party", "third party": "third-party"}


@dataclass
class CollectionIndex:
    """Finds a loaded collection from its IRI, its eadid, or ``ISIL|shelfmark``."""

    iris: set[str] = field(default_factory=set)
    by_eadid: dict[str, str] = field(default_factory=dict)
    by_holder_cote: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, iri: str, eadid: str | None, isil: str | None, cotes: list[str]) -> None:
        self.iris.add(iri)
        if eadid:
            self.by_eadid[eadid] = iri
        for cote in cotes:
            if isil:
                self.by_holder_cote[(isil, cote)] = iri

    def add_graph(self, g: RecordGraph) -> None:
        for coll in g.subjects(RDF.type, DCMITYPE.Collection):
            eadid = g.value(coll, COLLEX.findingAidIdentifier)
            holder = g.value(coll, RICO.hasOrHadHolder)
            isil = g.value(holder, COLLEX.isil) if holder is not None else None
            self.add(str(coll), str(eadid) if eadid else None, str(isil) if isil else None,
                     [str(c) for c in g.objects(coll, DCTERMS.identifier)])

    def find(self, ref: str) -> str | None:
        ref = ref.strip()
        if ref in self.iris:
            return ref
        if ref in self.by_eadid:
            return self.by_eadid[ref]
        if "|" in ref:
            isil, cote = (p.strip() for p in ref.split("|", 1))
            return self.by_holder_cote.get((isil, cote))
        return None


@dataclass
class ListsContext:
    collections: CollectionIndex = field(default_factory=CollectionIndex)
    networks: set[str] = field(default_factory=set)
    checked: bool = True  # False when no store is at hand (collex validate)


_DISCIPLINES: dict[str, str] | None = None


def disciplines() -> dict[str, str]:
    """Code -> IRI of the disciplines scheme shipped in ontology/disciplines.ttl."""
    global _DISCIPLINES
    if _DISCIPLINES is None:
        g = Graph().parse(disciplines_path(), format="turtle")
        _DISCIPLINES = {str(code): str(c) for c, code in g.subject_objects(SKOS.notation)}
    return _DISCIPLINES


class RowError(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column}: {message}")


def _need(row: Row, column: str) -> str:
    value = row.values.get(column, "").strip()
    if not value:
        raise RowError(column, "missing value")
    return value


def _isil(value: str, column: str) -> str:
    if not ISIL.match(value) or (value.startswith("FR-") and not FR_ISIL.match(value)):
        raise RowError(column, f"{value!r} is not an ISIL (FR- followed by the 9-digit RCR,"
                               " e.g. FR-751052116)")
    return value


def _url(value: str, column: str) -> URIRef:
    if not URL.match(value):
        raise RowError(column, f"{value!r} is not an http(s) address")
    return URIRef(value)


def _disciplines(value: str, column: str) -> list[URIRef]:
    codes = [c.strip() for c in re.split(r"[;,|]", value) if c.strip()]
    known = disciplines()
    bad = [c for c in codes if c not in known]
    if bad:
        raise RowError(column, f"unknown discipline code(s) {', '.join(bad)}"
                               " (codes: ontology/disciplines.ttl)")
    return [URIRef(known[c]) for c in codes]


def _institution_iri(base: str, isil: str) -> URIRef:
    return URIRef(f"{base}id/institution/{safe_segment(isil)}")


def convert_territories(base: str) -> Converted:
    """The territories scheme (INSEE regions and departments) as its own source graph."""
    g = RecordGraph()
    for t in territory.scheme_triples():
        g.add(t)
    gi = f"{base}graph/vocabulary/territories"
    g.add((URIRef(gi), RDF.type, PROV.Entity))
    g.add((URIRef(gi), RDF.type, COLLEX.SourceRecord))
    g.add((URIRef(gi), COLLEX.sourceFormat, Literal("SKOS (ontology/territories.json)")))
    g.add((URIRef(gi), COLLEX.fileName, Literal("territories.json")))
    return Converted("territories scheme", gi, str(territory.TERRITORY), g, authority=True,
                     synthetic=True)


def convert_scheme(base: str) -> Converted:
    """The disciplines SKOS scheme as its own source graph."""
    g = RecordGraph.of(Graph().parse(disciplines_path(), format="turtle"))
    gi = f"{base}graph/vocabulary/disciplines"
    g.add((URIRef(gi), RDF.type, PROV.Entity))
    g.add((URIRef(gi), RDF.type, COLLEX.SourceRecord))
    g.add((URIRef(gi), COLLEX.sourceFormat, Literal("SKOS (ontology/disciplines.ttl)")))
    g.add((URIRef(gi), COLLEX.fileName, Literal("disciplines.ttl")))
    return Converted("disciplines scheme", gi, str(DISC), g, authority=True, synthetic=True)


def row_graph(base: str, kind: str, key: str) -> str:
    """The graph of one list row: what the row describes, not the file it came from."""
    return f"{base}graph/lists/{kind}/{key}"


def convert_row(lf: ListFile, row: Row, base: str, ctx: ListsContext) -> Converted:
    """One row as its own source record. Raises :class:`RowError` (column and reason)."""
    handler = {"institutions": _institution, "labels": _label, "networks": _network,
               "members": _member}[lf.kind]
    g = RecordGraph()
    warnings: list[str] = []
    key, described = handler(g, row, base, ctx, warnings)
    gi = row_graph(base, lf.kind, key)
    g.add((described, PROV.wasDerivedFrom, URIRef(gi)))
    source_record(g, URIRef(gi), f"CollEx list ({lf.kind}, CSV)", Path(lf.file).name,
                  lf.sha256)
    return Converted(f"row {row.number}", gi, gi, g, warnings, authority=True,
                     identity=f"{lf.kind}/{key}")


def _institution(g: RecordGraph, row: Row, base: str, ctx: ListsContext, warnings: list[str]
                 ) -> tuple[str, URIRef]:
    isil = _isil(_need(row, "isil"), "isil")
    name = _need(row, "name")
    inst = _institution_iri(base, isil)
    notes: list[str] = []
    g.add((inst, RDF.type, COLLEX.Institution))
    g.add((inst, FOAF.name, Literal(name)))
    g.add((inst, COLLEX.isil, Literal(isil)))
    g.add((inst, DCTERMS.identifier, Literal(isil)))
    # Optional values: a bad one is left out with a warning; the institution loads.
    with _dropped(row, warnings):
        if rcr := row.values.get("rcr", ""):
            if not re.match(r"^\d{9}$", rcr) or (isil.startswith("FR-") and isil[3:] != rcr):
                raise RowError("rcr", f"{rcr!r} is not the 9-digit RCR of {isil}")
            g.add((inst, COLLEX.rcr, Literal(rcr)))
    if city := row.values.get("city", ""):
        g.add((inst, COLLEX.city, Literal(city)))
    with _dropped(row, warnings):
        if ppn := row.values.get("idref_ppn", ""):
            if not ppn_is_valid(ppn):
                raise RowError("idref_ppn", f"{ppn!r} is not a valid IdRef PPN")
            g.add((inst, OWL.sameAs, URIRef(idref_iri(ppn))))
    with _dropped(row, warnings):
        if site := row.values.get("website", ""):
            g.add((inst, FOAF.homepage, _url(site, "website")))
    point = None
    with _dropped(row, warnings):
        point = _coordinates(g, inst, row.values.get("latitude", ""),
                             row.values.get("longitude", ""))
    department = row.values.get("department", "").strip()
    with _dropped(row, warnings):
        if department and territory.normalise_department(department) is None:
            department = ""
            raise RowError("department", f"{row.values['department']!r} is not the INSEE code"
                                         " of a department (75, 2A, 974...)")
    place = territory.locate(department=department, codes=(isil,),
                             lat=point[0] if point else None, lon=point[1] if point else None,
                             warnings=notes)
    warnings += [f"row {row.number}, {n}" for n in notes]
    if place is not None:
        for t in territory.place_triples(inst, place):
            g.add(t)
    return safe_segment(isil), inst


@contextmanager
def _dropped(row: Row, warnings: list[str]) -> Iterator[None]:
    """An optional value that is not valid is left out, with a warning; the row loads."""
    try:
        yield
    except RowError as exc:
        warnings.append(f"row {row.number}, {exc}; the value is left out")


def _coordinates(g: RecordGraph, inst: URIRef, lat: str, lon: str
                 ) -> tuple[float, float] | None:
    if not (lat or lon):
        return None
    try:
        flat, flon = float(lat.replace(",", ".")), float(lon.replace(",", "."))
    except ValueError:
        raise RowError("latitude" if not _is_float(lat) else "longitude",
                       "coordinates must be decimal degrees") from None
    if not (-90 <= flat <= 90 and -180 <= flon <= 180) or flat != flat or flon != flon:
        raise RowError("latitude", "coordinates out of range")
    g.add((inst, GEO.lat, Literal(_decimal(flat), datatype=XSD.decimal)))
    g.add((inst, GEO.long, Literal(_decimal(flon), datatype=XSD.decimal)))
    return flat, flon


def _decimal(value: float) -> str:
    """xsd:decimal's form (no exponent: 1e-05 is a double, not a decimal)."""
    text = f"{value}"
    return f"{value:.8f}".rstrip("0") if "e" in text else text


def _is_float(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def _collection(ref: str, column: str, ctx: ListsContext) -> URIRef:
    found = ctx.collections.find(ref)
    if found is None:
        if not ctx.checked:  # collex validate without a store: references cannot be checked
            return URIRef(ref if ref.startswith("http") else f"urn:unchecked:{slug(ref)}")
        raise RowError(column, f"{ref!r} is not a loaded collection (give its IRI, its eadid,"
                               " or ISIL|shelfmark)")
    return URIRef(found)


def _label(g: RecordGraph, row: Row, base: str, ctx: ListsContext, warnings: list[str]
           ) -> tuple[str, URIRef]:
    coll = _collection(_need(row, "collection"), "collection", ctx)
    campaign = _need(row, "campaign")
    if not re.match(r"^(20[1-9]\d|2100)$", campaign):
        raise RowError("campaign", f"{campaign!r} is not a campaign year (2010-2100)")
    discs = _disciplines(_need(row, "disciplines"), "disciplines")
    key = f"{slug(str(coll).rsplit('/', 1)[-1])}-{campaign}"
    label = URIRef(f"{base}id/label/{key}")
    g.add((label, RDF.type, COLLEX.CollexLabel))
    g.add((label, COLLEX.labelledCollection, coll))
    g.add((label, COLLEX.campaign, Literal(campaign, datatype=XSD.gYear)))
    g.add((coll, COLLEX.hasLabel, label))
    for d in discs:
        g.add((label, COLLEX.discipline, d))
        g.add((coll, COLLEX.discipline, d))
    if note := row.values.get("note", ""):
        g.add((label, SKOS.note, Literal(note)))
    return key, label


def _network(g: RecordGraph, row: Row, base: str, ctx: ListsContext, warnings: list[str]
             ) -> tuple[str, URIRef]:
    ident = _need(row, "network")
    if not NETWORK_ID.match(ident):
        raise RowError("network", f"{ident!r}: use lower-case letters, digits and dashes")
    net = URIRef(f"{base}id/network/{ident}")
    g.add((net, RDF.type, COLLEX.ThematicNetwork))
    g.add((net, FOAF.name, Literal(_need(row, "name"))))
    g.add((net, DCTERMS.identifier, Literal(ident)))
    if desc := row.values.get("description", ""):
        g.add((net, DCTERMS.description, Literal(desc)))
    with _dropped(row, warnings):
        if discs := row.values.get("disciplines", ""):
            for d in _disciplines(discs, "disciplines"):
                g.add((net, COLLEX.discipline, d))
    with _dropped(row, warnings):
        if coord := row.values.get("coordinator", ""):
            g.add((net, COLLEX.coordinator,
                   _institution_iri(base, _isil(coord, "coordinator"))))
    with _dropped(row, warnings):
        if site := row.values.get("website", ""):
            g.add((net, FOAF.homepage, _url(site, "website")))
    return ident, net


def _member(g: RecordGraph, row: Row, base: str, ctx: ListsContext, warnings: list[str]
            ) -> tuple[str, URIRef]:
    ident = _need(row, "network")
    if ctx.checked and ident not in ctx.networks:
        raise RowError("network", f"{ident!r} is not a known network (networks list)")
    role = ROLES.get(_need(row, "role").lower())
    if role is None:
        raise RowError("role", f"{row.values['role']!r}: use collex or third-party")
    net = URIRef(f"{base}id/network/{ident}")
    ref = row.values.get("collection", "")
    holder = row.values.get("holder", "")
    if ref:
        member = _collection(ref, "collection", ctx)
        key = slug(str(member).rsplit("/", 1)[-1])
    else:
        title = _need(row, "title") if not ref else ""
        key = slug(title)
        member = URIRef(f"{base}id/external/{ident}-{key}")
        g.add((member, RDF.type, COLLEX.ExternalCollection))
        g.add((member, DCTERMS.title, Literal(title)))
        with _dropped(row, warnings):
            if url := row.values.get("url", ""):
                g.add((member, FOAF.page, _url(url, "url")))
        if not holder:
            raise RowError("holder", "missing value (name or ISIL of the holder of an external"
                                     " collection)")
    if holder:
        if re.match(r"^[A-Z]{2}-", holder):
            g.add((member, RICO.hasOrHadHolder,
                   _institution_iri(base, _isil(holder, "holder"))))
        else:
            g.add((member, COLLEX.holderName, Literal(holder)))
    g.add((net, COLLEX.hasMember, member))
    membership = URIRef(f"{base}id/network/{ident}/member/{key}")
    g.add((membership, RDF.type, COLLEX.Membership))
    g.add((membership, COLLEX.network, net))
    g.add((membership, COLLEX.member, member))
    g.add((membership, COLLEX.memberRole, Literal(role)))
    if note := row.values.get("note", ""):
        g.add((membership, SKOS.note, Literal(note)))
    return f"{ident}-{key}", membership
