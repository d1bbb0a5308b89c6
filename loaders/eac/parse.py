"""EAC-CPF 2010 (with or without namespace, apeEAC-CPF included) -> a typed record. Pure;
never raises on a bad value: it is left out with a warning.

>>> r = parse(b'<eac-cpf><control><recordId>R1</recordId></control><cpfDescription>'
...           b'<identity><entityType>person</entityType><nameEntry><part>Hugo, Victor</part>'
...           b'</nameEntry></identity></cpfDescription></eac-cpf>', "a.xml")[0]
>>> r.record_id, r.entity_type, r.names[0].text
('R1', 'person', 'Hugo, Victor')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from lxml import etree

from loaders.fidelity import Fidelity, Tracker
from loaders.text import flatten, one_line
from loaders.xmlsafe import XmlRejected, local_name, parse_xml

XLINK = "{http://www.w3.org/1999/xlink}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class EacRejected(Exception):
    """Not an EAC-CPF record, or one that cannot be identified."""


@dataclass(frozen=True)
class Name:
    text: str
    authorized: bool
    lang: str | None


@dataclass(frozen=True)
class Dates:
    text: str
    start: str | None  # @standardDate (or the text when it is a plain date)
    end: str | None


@dataclass(frozen=True)
class Term:
    """A place, function, occupation... with its vocabulary link and role, when given."""

    label: str
    source: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Relation:
    kind: str  # cpfRelation | resourceRelation
    type: str | None  # @cpfRelationType / @resourceRelationType
    href: str | None
    label: str | None
    dates: Dates | None = None
    note: str | None = None


@dataclass
class EacRecord:
    file: str
    sha256: str
    record_id: str
    agency_code: str | None = None
    agency_name: str | None = None
    entity_type: str | None = None  # person | corporateBody | family
    entity_ids: list[str] = field(default_factory=list)
    other_record_ids: list[str] = field(default_factory=list)
    names: list[Name] = field(default_factory=list)
    exist_dates: list[Dates] = field(default_factory=list)
    places: list[Term] = field(default_factory=list)
    functions: list[Term] = field(default_factory=list)
    occupations: list[Term] = field(default_factory=list)
    legal_statuses: list[Term] = field(default_factory=list)
    mandates: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # biogHist, generalContext...
    relations: list[Relation] = field(default_factory=list)
    sources: list[tuple[str | None, str | None]] = field(default_factory=list)  # (href, text)
    language: str | None = None
    control_notes: dict[str, list[str]] = field(default_factory=dict)
    oai_identifier: str | None = None
    oai_datestamp: str | None = None
    oai_repository: str | None = None  # the base URL of the repository it came from
    warnings: list[str] = field(default_factory=list)
    fidelity: Fidelity = field(default_factory=Fidelity)


def _kids(el: etree._Element | None, *names: str) -> list[etree._Element]:
    if el is None:
        return []
    return [c for c in el.iterchildren(etree.Element) if local_name(c) in names]


def _first(el: etree._Element | None, *path: str) -> etree._Element | None:
    node = el
    for name in path:
        found = _kids(node, name)
        node = found[0] if found else None
    return node


def parse(data: bytes, file: str) -> list[EacRecord]:
    """The record of an EAC-CPF file. Raises :class:`EacRejected` with the reason."""
    try:
        doc = parse_xml(data, file)
    except XmlRejected as exc:
        raise EacRejected(str(exc)) from None
    return [read(doc.root, file, hashlib.sha256(data).hexdigest(), list(doc.warnings))]


def read(root: etree._Element, file: str, sha256: str, warnings: list[str],
         oai_identifier: str | None = None, oai_datestamp: str | None = None) -> EacRecord:
    """The record of one ``eac-cpf`` element (a file, or an OAI-PMH record's metadata)."""
    if local_name(root) != "eac-cpf":
        raise EacRejected(f"not an EAC-CPF record (root element is <{local_name(root)}>)")
    t = Tracker()
    t.use(root)
    control = _first(root, "control")
    t.use(control)
    rid_el = _first(control, "recordId")
    t.use_tree(rid_el)
    rid = one_line(rid_el) if rid_el is not None else ""
    if not rid:
        rid = oai_identifier or ""
    if not rid:
        raise EacRejected("no control/recordId: the record cannot be identified")
    r = EacRecord(file=file, sha256=sha256, record_id=rid, warnings=warnings,
                  oai_identifier=oai_identifier, oai_datestamp=oai_datestamp)
    for el in _kids(control, "otherRecordId"):
        t.use_tree(el)
        if one_line(el) and one_line(el) != rid:
            r.other_record_ids.append(one_line(el))
    agency = _first(control, "maintenanceAgency")
    t.use(agency)
    for el in _kids(agency, "agencyCode", "agencyName"):
        t.use_tree(el)
    r.agency_code = _line(_first(agency, "agencyCode"))
    r.agency_name = _line(_first(agency, "agencyName"))
    lang = _first(control, "languageDeclaration", "language")
    if lang is not None:
        r.language = lang.get("languageCode")
        t.use_tree(_first(control, "languageDeclaration"))
    for el in _kids(control, "sources"):
        t.use_tree(el)
        for src in _kids(el, "source"):
            r.sources.append((src.get(f"{XLINK}href") or src.get("href"),
                              one_line(src) or None))
    for el in (control.iterchildren(etree.Element) if control is not None else []):
        key = {"conventionDeclaration": "descrules", "localTypeDeclaration": "descrules",
               "rightsDeclaration": "rights", "maintenanceHistory": "revision",
               "localControl": "note", "maintenanceStatus": "status",
               "publicationStatus": "status"}.get(local_name(el))
        if key:
            t.use_tree(el)
            text = flatten(el)
            if text:
                r.control_notes.setdefault(key, []).append(" ".join(text.split("\n")))
    desc = _first(root, "cpfDescription")
    t.use(desc)
    identity = _first(desc, "identity")
    t.use(identity)
    for el in _kids(identity, "entityId"):
        t.use_tree(el)
        if one_line(el):
            r.entity_ids.append(one_line(el))
    etype = _first(identity, "entityType")
    t.use_tree(etype)
    r.entity_type = one_line(etype) if etype is not None else None
    for el in _kids(identity, "nameEntry", "nameEntryParallel"):
        entries = [el] if local_name(el) == "nameEntry" else _kids(el, "nameEntry")
        t.use_tree(el)
        for entry in entries:
            parts = [one_line(p) for p in _kids(entry, "part") if one_line(p)]
            if not parts:
                continue
            authorized = (entry.get("localType") == "authorized"
                          or bool(_kids(entry, "authorizedForm"))
                          or bool(_kids(el, "authorizedForm")))
            lang_ = next((p.get(XML_LANG) for p in _kids(entry, "part") if p.get(XML_LANG)),
                         entry.get(XML_LANG))
            r.names.append(Name(", ".join(parts), authorized, lang_))
    if r.names and not any(n.authorized for n in r.names):
        first = r.names[0]
        r.names[0] = Name(first.text, True, first.lang)
    description = _first(desc, "description")
    t.use(description)
    for el in (description.iterchildren(etree.Element) if description is not None else []):
        name = local_name(el)
        if name == "existDates":
            t.use_tree(el)
            r.exist_dates.extend(_dates(el))
        elif name in {"place", "places"}:
            t.use_tree(el)
            for place in ([el] if name == "place" else _kids(el, "place")):
                place_entry = _first(place, "placeEntry")
                if place_entry is not None and one_line(place_entry):
                    role = _first(place, "placeRole")
                    r.places.append(Term(one_line(place_entry),
                                         place_entry.get("vocabularySource"),
                                         one_line(role) if role is not None else None))
        elif name in {"function", "functions", "occupation", "occupations",
                      "legalStatus", "legalStatuses", "localDescription",
                      "localDescriptions"}:
            t.use_tree(el)
            single = name.rstrip("s") if name.endswith("s") and name != "legalStatus" else name
            single = {"legalStatuse": "legalStatus"}.get(single, single)
            items = [el] if name == single else _kids(el, single)
            target = {"function": r.functions, "occupation": r.occupations,
                      "legalStatus": r.legal_statuses,
                      "localDescription": r.functions}[single]
            for item in items:
                term = _first(item, "term")
                if term is not None and one_line(term):
                    target.append(Term(one_line(term), term.get("vocabularySource")))
                note = _first(item, "descriptiveNote")
                if note is not None and flatten(note):
                    r.notes.setdefault(single, []).append(flatten(note))
        elif name in {"mandate", "mandates"}:
            t.use_tree(el)
            for item in ([el] if name == "mandate" else _kids(el, "mandate")):
                text = flatten(item)
                if text:
                    r.mandates.append(text)
        elif name in {"biogHist", "generalContext", "structureOrGenealogy",
                      "languagesUsed", "languageUsed"}:
            t.use_tree(el)
            text = flatten(el)
            if text:
                r.notes.setdefault(name, []).append(text)
    relations = _first(desc, "relations")
    t.use(relations)
    for rel in _kids(relations, "cpfRelation", "resourceRelation", "functionRelation"):
        t.use_tree(rel)
        rel_entry = _first(rel, "relationEntry")
        note = _first(rel, "descriptiveNote")
        dates = _dates(rel)
        r.relations.append(Relation(
            kind=local_name(rel),
            type=rel.get("cpfRelationType") or rel.get("resourceRelationType")
            or rel.get("functionRelationType"),
            href=(rel.get(f"{XLINK}href") or rel.get("href") or "").strip() or None,
            label=_line(rel_entry),
            dates=dates[0] if dates else None,
            note=flatten(note) if note is not None and flatten(note) else None,
        ))
    r.fidelity = t.account(root)
    return r


def _dates(el: etree._Element) -> list[Dates]:
    out = []
    for node in el.iter(etree.Element):
        name = local_name(node)
        if name == "dateRange":
            frm, to = _first(node, "fromDate"), _first(node, "toDate")
            text = " - ".join(one_line(x) for x in (frm, to) if x is not None and one_line(x))
            out.append(Dates(text, _std(frm), _std(to)))
        elif name == "date" and not any(local_name(a) == "dateRange"
                                        for a in node.iterancestors()):
            out.append(Dates(one_line(node), _std(node), _std(node)))
    return out


def _line(el: etree._Element | None) -> str | None:
    return (one_line(el) or None) if el is not None else None


def _std(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    value = el.get("standardDate") or one_line(el)
    return value.strip() or None
