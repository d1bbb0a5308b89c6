"""EAD bytes -> typed records. No side effects; never raises on bad input: it returns a
rejection (:class:`EadRejected`) or records carrying their warnings.

Namespaces are ignored (elements are matched on local names), so EAD 2002 without namespace,
EAD 2002 in ``urn:isbn:1-931666-22-9`` and EAD3 share one reader.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree

from loaders.text import flatten, one_line
from loaders.xmlsafe import XmlRejected, local_name, parse_xml

EAD3_NS = "http://ead3.archivists.org/schema/"
XLINK = "{http://www.w3.org/1999/xlink}"
_COMPONENT = re.compile(r"^c(0[1-9]|1[0-2])?$")

AGENT_TAGS = frozenset({"persname", "corpname", "famname", "name"})
ACCESS_TAGS = AGENT_TAGS | {"subject", "geogname", "genreform", "function", "occupation", "title"}
# archdesc children (outside did) read as notes: element -> note key
NOTE_TAGS = (
    "scopecontent", "bioghist", "custodhist", "acqinfo", "accessrestrict", "userestrict",
    "appraisal", "arrangement", "accruals", "separatedmaterial", "relatedmaterial",
    "otherfindaid", "originalsloc", "altformavail", "bibliography", "prefercite",
    "processinfo", "odd", "note", "phystech", "legalstatus", "fileplan", "materialspec",
)


@dataclass(frozen=True)
class AccessPoint:
    """A name, subject, place or genre attached to the collection."""

    kind: str  # persname | corpname | famname | name | subject | geogname | genreform | ...
    label: str
    context: str  # controlaccess | origination | unittitle
    authfilenumber: str | None = None
    source: str | None = None
    normal: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class UnitDate:
    text: str
    normal: str | None
    type: str | None = None


@dataclass(frozen=True)
class DigitalObject:
    href: str
    role: str | None
    title: str | None


@dataclass(frozen=True)
class Repository:
    label: str
    code: str | None
    source: str | None


@dataclass
class EadRecord:
    """One collection-level description (one ``archdesc``) with its finding-aid header."""

    file: str
    sha256: str
    flavour: str  # "EAD 2002" | "EAD 2002 (namespace)" | "EAD3"
    eadid: str | None = None
    agency_code: str | None = None
    agency_name: str | None = None
    eadid_url: str | None = None
    finding_aid_title: str | None = None
    publisher: str | None = None
    description_language: str | None = None
    level: str | None = None
    otherlevel: str | None = None
    unitids: list[tuple[str, str | None]] = field(default_factory=list)
    title: str | None = None
    dates: list[UnitDate] = field(default_factory=list)
    extents: list[str] = field(default_factory=list)
    physfacets: list[str] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    languages: list[tuple[str | None, str]] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    physloc: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    access_points: list[AccessPoint] = field(default_factory=list)
    repository: Repository | None = None
    digital_objects: list[DigitalObject] = field(default_factory=list)
    component_count: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def record_id(self) -> str:
        """How the report names this record."""
        return self.eadid or self.title or self.file


class EadRejected(Exception):
    """The file cannot give any record; the message says why."""


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if local_name(c) in names]


def _first(el: etree._Element | None, *path: str) -> etree._Element | None:
    node = el
    for name in path:
        if node is None:
            return None
        found = _children(node, name)
        node = found[0] if found else None
    return node


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    return one_line(el) or None


def _attr(el: etree._Element, *names: str) -> str | None:
    for name in names:
        value = el.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def is_ead(root: etree._Element) -> bool:
    return local_name(root) == "ead"


def parse(data: bytes, file: str) -> list[EadRecord]:
    """Parse one EAD file into its record. Raises :class:`EadRejected` with the reason."""
    try:
        doc = parse_xml(data, file)
    except XmlRejected as exc:
        raise EadRejected(str(exc)) from None
    root = doc.root
    if not is_ead(root):
        raise EadRejected(f"not an EAD document (root element is <{local_name(root)}>)")
    ns = etree.QName(root).namespace
    flavour = "EAD3" if ns == EAD3_NS else "EAD 2002 (namespace)" if ns else "EAD 2002"
    archdescs = [el for el in root.iter() if local_name(el) == "archdesc"]
    if not archdescs:
        raise EadRejected("no <archdesc>: the file describes no collection")
    if len(archdescs) > 1:
        raise EadRejected(f"{len(archdescs)} <archdesc> elements: an EAD file describes one")
    record = EadRecord(
        file=file, sha256=hashlib.sha256(data).hexdigest(), flavour=flavour,
        warnings=list(doc.warnings),
    )
    _read_header(root, record)
    _read_archdesc(archdescs[0], record)
    return [record]


def _read_header(root: etree._Element, r: EadRecord) -> None:
    header = _first(root, "eadheader")
    if header is not None:  # EAD 2002
        eadid = _first(header, "eadid")
        if eadid is not None:
            r.eadid = _text(eadid) or _attr(eadid, "identifier")
            r.agency_code = _attr(eadid, "mainagencycode")
            r.eadid_url = _attr(eadid, "url")
        r.finding_aid_title = _text(_first(header, "filedesc", "titlestmt", "titleproper"))
        r.publisher = _text(_first(header, "filedesc", "publicationstmt", "publisher"))
        lang = _first(header, "profiledesc", "langusage", "language")
        r.description_language = _attr(lang, "langcode") if lang is not None else None
        return
    control = _first(root, "control")  # EAD3
    if control is not None:
        r.eadid = _text(_first(control, "recordid"))
        r.agency_code = _text(_first(control, "maintenanceagency", "agencycode"))
        r.agency_name = _text(_first(control, "maintenanceagency", "agencyname"))
        r.finding_aid_title = _text(_first(control, "filedesc", "titlestmt", "titleproper"))
        r.publisher = _text(_first(control, "filedesc", "publicationstmt", "publisher"))
        lang = _first(control, "languagedeclaration", "language")
        r.description_language = _attr(lang, "langcode") if lang is not None else None


def _access_point(el: etree._Element, context: str) -> AccessPoint | None:
    label = one_line(el)
    if not label:
        return None
    return AccessPoint(
        kind=local_name(el),
        label=label,
        context=context,
        authfilenumber=_attr(el, "authfilenumber", "identifier"),
        source=_attr(el, "source", "rules"),
        normal=_attr(el, "normal"),
        role=_attr(el, "role", "relator"),
    )


def _read_archdesc(ad: etree._Element, r: EadRecord) -> None:
    r.level = _attr(ad, "level")
    r.otherlevel = _attr(ad, "otherlevel")
    did = _first(ad, "did")
    if did is not None:
        _read_did(did, r)
    for child in ad:
        name = local_name(child)
        if name in NOTE_TAGS:
            text = flatten(child)
            if text:
                r.notes.setdefault(name, []).append(text)
        elif name == "controlaccess":
            _read_controlaccess(child, r)
        elif name in {"dao", "daogrp", "daoset"}:
            _read_dao(child, r)
        elif name == "dsc":
            r.component_count += sum(1 for el in child.iter() if _COMPONENT.match(local_name(el)))


def _read_did(did: etree._Element, r: EadRecord) -> None:
    for child in did:
        name = local_name(child)
        if name == "unitid":
            value = _text(child)
            if value:
                r.unitids.append((value, _attr(child, "type", "localtype")))
        elif name == "unittitle" and r.title is None:
            r.title = one_line(child) or None
            for inline in child.iter():
                if inline is child:
                    continue
                iname = local_name(inline)
                if iname in ACCESS_TAGS - {"title"}:
                    ap = _access_point(inline, "unittitle")
                    if ap:
                        r.access_points.append(ap)
                elif iname == "unitdate":
                    _add_date(inline, r)
        elif name == "unitdate":
            _add_date(child, r)
        elif name == "unitdatestructured":
            _read_unitdatestructured(child, r)
        elif name in {"physdesc", "physdescstructured", "physdescset"}:
            _read_physdesc(child, r)
        elif name == "langmaterial":
            langs = [el for el in child.iter() if local_name(el) == "language"]
            for lang in langs:
                r.languages.append((_attr(lang, "langcode"), one_line(lang)))
            if not langs and one_line(child):
                r.languages.append((None, one_line(child)))
        elif name == "origination":
            found = False
            for el in child.iter():
                if local_name(el) in AGENT_TAGS:
                    ap = _access_point(el, "origination")
                    if ap:
                        r.access_points.append(ap)
                        found = True
            if not found and one_line(child):
                r.access_points.append(AccessPoint("name", one_line(child), "origination"))
        elif name == "repository":
            _read_repository(child, r)
        elif name == "physloc":
            if _text(child):
                r.physloc.append(one_line(child))
        elif name == "abstract":
            if flatten(child):
                r.abstract.append(flatten(child))
        elif name in {"dao", "daogrp", "daoset", "daoloc"}:
            _read_dao(child, r)


def _add_date(el: etree._Element, r: EadRecord) -> None:
    text = one_line(el)
    normal = _attr(el, "normal")
    if text or normal:
        r.dates.append(UnitDate(text, normal, _attr(el, "type", "unitdatetype")))


def _read_unitdatestructured(el: etree._Element, r: EadRecord) -> None:
    for rng in el.iter():
        name = local_name(rng)
        if name == "daterange":
            start = _first(rng, "fromdate")
            end = _first(rng, "todate")
            s = _attr(start, "standarddate") if start is not None else None
            e = _attr(end, "standarddate") if end is not None else None
            text = " - ".join(one_line(x) for x in (start, end) if x is not None and one_line(x))
            normal = f"{s or e}/{e or s}" if (s or e) else None
            r.dates.append(UnitDate(text, normal, _attr(el, "unitdatetype")))
        elif name == "datesingle":
            r.dates.append(UnitDate(one_line(rng), _attr(rng, "standarddate"),
                                    _attr(el, "unitdatetype")))


def _read_physdesc(el: etree._Element, r: EadRecord) -> None:
    found = False
    for child in el.iter():
        name = local_name(child)
        if name == "extent":
            text = one_line(child)
            unit = _attr(child, "unit")
            if text:
                r.extents.append(f"{text} {unit}" if unit and unit not in text else text)
                found = True
        elif name == "quantity":  # EAD3 physdescstructured
            unittype = _first(el, "unittype")
            label = one_line(unittype) if unittype is not None else ""
            r.extents.append(f"{one_line(child)} {label}".strip())
            found = True
        elif name == "physfacet" and one_line(child):
            r.physfacets.append(one_line(child))
            found = True
        elif name == "dimensions" and one_line(child):
            r.dimensions.append(one_line(child))
            found = True
        elif name == "genreform":
            ap = _access_point(child, "controlaccess")
            if ap:
                r.access_points.append(ap)
    if not found and local_name(el) == "physdesc" and one_line(el):
        r.extents.append(one_line(el))


def _read_repository(el: etree._Element, r: EadRecord) -> None:
    corp = next((c for c in el.iter() if local_name(c) in {"corpname", "name"}), None)
    if corp is not None:
        label = one_line(corp)
        code = _attr(corp, "authfilenumber", "identifier")
        source = _attr(corp, "source")
    else:
        label = flatten(el, skip=frozenset({"address"})).split("\n")[0]
        code = source = None
    if label or code:
        r.repository = Repository(label, code, source)


def _read_controlaccess(el: etree._Element, r: EadRecord) -> None:
    for child in el:
        name = local_name(child)
        if name == "controlaccess":
            _read_controlaccess(child, r)
        elif name in ACCESS_TAGS:
            ap = _access_point(child, "controlaccess")
            if ap:
                r.access_points.append(ap)


def _read_dao(el: etree._Element, r: EadRecord) -> None:
    for node in el.iter():
        if local_name(node) not in {"dao", "daoloc"}:
            continue
        href = _attr(node, "href", f"{XLINK}href")
        if not href:
            continue
        role = _attr(node, "role", f"{XLINK}role", "daotype", "otherdaotype", "localtype")
        title = _attr(node, "title", f"{XLINK}title")
        desc = _first(node, "daodesc") or _first(node, "descriptivenote")
        if title is None and desc is not None:
            title = one_line(desc) or None
        r.digital_objects.append(DigitalObject(href, role, title))
