"""EAD bytes -> typed records. No side effects; never raises on bad input: it returns a
rejection (:class:`EadRejected`) or records carrying their warnings.

Namespaces are ignored (elements are matched on local names), so EAD 2002 without namespace,
EAD 2002 in ``urn:isbn:1-931666-22-9`` and EAD3 share one reader.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from loaders.fidelity import Fidelity, Tracker
from loaders.text import flatten, one_line
from loaders.xmlsafe import XmlRejected, local_name, parse_xml, xml_events

EAD3_NS = "http://ead3.archivists.org/schema/"
EAD2002_NS = "urn:isbn:1-931666-22-9"
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


@dataclass(kw_only=True)
class Unit:
    """What a level of description says: the collection (``archdesc``) or a component."""

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
    containers: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    access_points: list[AccessPoint] = field(default_factory=list)
    digital_objects: list[DigitalObject] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # extptr / extref / ref hrefs


@dataclass(kw_only=True)
class Component(Unit):
    """One ``c`` / ``c01``..``c12`` of the finding aid's tree."""

    key: str  # stable within its notice: c@id when present and unique, else p-{positions}
    parent: int | None  # index of the parent component in EadRecord.components; None: top
    order: int  # position among its siblings, from 1
    tag: str
    parent_key: str | None = None  # the parent component's key; None: under the collection


@dataclass(kw_only=True)
class EadRecord(Unit):
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
    header_notes: dict[str, list[str]] = field(default_factory=dict)
    repository: Repository | None = None
    components: list[Component] = field(default_factory=list)
    oai_identifier: str | None = None  # the OAI-PMH header identifier, when harvested
    oai_datestamp: str | None = None
    oai_repository: str | None = None  # the base URL of the repository it came from
    warnings: list[str] = field(default_factory=list)
    fidelity: Fidelity = field(default_factory=Fidelity)

    @property
    def component_count(self) -> int:
        return len(self.components)

    @property
    def record_id(self) -> str:
        """How the report names this record."""
        return self.eadid or self.oai_identifier or self.title or self.file


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


def _attr(el: etree._Element, *names: str) -> str | None:
    for name in names:
        value = el.get(name)
        if value is not None and value.strip():
            return value.strip()
    return None


def is_ead(root: etree._Element) -> bool:
    return local_name(root) == "ead"


# Header elements kept as notes on the source record: element -> note key.
HEADER_NOTES = {
    "author": "author", "subtitle": "subtitle", "sponsor": "sponsor",
    "editionstmt": "edition", "seriesstmt": "series", "notestmt": "note",
    "creation": "creation", "descrules": "descrules", "revisiondesc": "revision",
    "date": "date", "address": "address",
}
EAD_LEVELS = frozenset({"class", "collection", "file", "fonds", "item", "otherlevel",
                        "recordgrp", "series", "subfonds", "subgrp", "subseries"})
MAX_COMPONENTS = 200_000


def parse(data: bytes, file: str) -> list[EadRecord]:
    """Parse one EAD file into its record. Raises :class:`EadRejected` with the reason."""
    try:
        doc = parse_xml(data, file)
    except XmlRejected as exc:
        raise EadRejected(str(exc)) from None
    root = doc.root
    if not is_ead(root):
        raise EadRejected(f"not an EAD document (root element is <{local_name(root)}>)")
    return [read(root, file, hashlib.sha256(data).hexdigest(), list(doc.warnings))]


def read(root: etree._Element, file: str, sha256: str, warnings: list[str],
         oai_identifier: str | None = None, oai_datestamp: str | None = None) -> EadRecord:
    """The record of one ``ead`` element (a whole file, or the metadata of an OAI-PMH record).
    Raises :class:`EadRejected` when it describes no collection."""
    ns = etree.QName(root).namespace
    flavour = ("EAD3" if ns == EAD3_NS else "EAD 2002" if ns in (None, OAI_NS)
               else "EAD 2002 (namespace)")
    if ns not in (None, OAI_NS, EAD3_NS, EAD2002_NS):
        warnings = [*warnings, f"the <ead> element is in the namespace {ns!r}, neither EAD 2002's"
                    f" ({EAD2002_NS}) nor EAD3's: read as EAD 2002"]
    archdescs = [el for el in root.iter(etree.Element) if local_name(el) == "archdesc"]
    if not archdescs:
        raise EadRejected("no <archdesc>: the file describes no collection")
    if len(archdescs) > 1:
        raise EadRejected(f"{len(archdescs)} <archdesc> elements: an EAD file describes one")
    record = EadRecord(file=file, sha256=sha256, flavour=flavour, warnings=warnings,
                       oai_identifier=oai_identifier, oai_datestamp=oai_datestamp)
    reader = _Reader(record)
    reader.tracker.use(root)
    reader.header(root)
    reader.archdesc(archdescs[0])
    record.fidelity = reader.tracker.account(root)
    return record


OAI_NS = "http://www.openarchives.org/OAI/2.0/"


class _Reader:
    """Reads one ``ead`` into an :class:`EadRecord`, marking what it maps."""

    def __init__(self, record: EadRecord) -> None:
        self.r = record
        self.tracker = Tracker()

    # -- helpers that read text and mark it as mapped
    def text(self, el: etree._Element | None) -> str | None:
        if el is None:
            return None
        self.tracker.use_tree(el)
        return one_line(el) or None

    def block(self, el: etree._Element) -> str:
        self.tracker.use_tree(el)
        return flatten(el)

    def header(self, root: etree._Element) -> None:
        r, use = self.r, self.tracker.use
        header = _first(root, "eadheader")
        if header is not None:  # EAD 2002
            use(header)
            eadids = _children(header, "eadid")
            values = {v for e in eadids if (v := one_line(e) or _attr(e, "identifier"))}
            if len(values) > 1:
                raise EadRejected(f"{len(eadids)} <eadid> elements with different values"
                                  f" ({', '.join(repr(v) for v in sorted(values))}): a finding"
                                  " aid has one identifier; not loaded (no notice is replaced)")
            eadid = eadids[0] if eadids else None
            for extra in eadids[1:]:
                use(extra)
            if eadid is not None:
                use(eadid)
                r.eadid = one_line(eadid) or _attr(eadid, "identifier")
                r.agency_code = _attr(eadid, "mainagencycode")
                r.eadid_url = _attr(eadid, "url")
            for part in header.iterchildren(etree.Element):
                name = local_name(part)
                if name in {"filedesc", "profiledesc"}:
                    use(part)
                    for el in part.iterchildren(etree.Element):
                        self._header_part(el)
                elif name != "eadid":
                    self._header_part(part)
            return
        control = _first(root, "control")  # EAD3
        if control is not None:
            use(control)
            r.eadid = self.text(_first(control, "recordid"))
            r.agency_code = self.text(_first(control, "maintenanceagency", "agencycode"))
            r.agency_name = self.text(_first(control, "maintenanceagency", "agencyname"))
            use(_first(control, "maintenanceagency"))
            r.finding_aid_title = self.text(_first(control, "filedesc", "titlestmt",
                                                   "titleproper"))
            r.publisher = self.text(_first(control, "filedesc", "publicationstmt", "publisher"))
            for path in (("filedesc",), ("filedesc", "titlestmt"),
                         ("filedesc", "publicationstmt")):
                use(_first(control, *path))
            lang = _first(control, "languagedeclaration", "language")
            r.description_language = _attr(lang, "langcode") if lang is not None else None
            self.tracker.use_tree(_first(control, "languagedeclaration"))

    def _header_part(self, el: etree._Element) -> None:
        """One part of ``filedesc``/``profiledesc`` (or a header child): mapped or noted."""
        r, name = self.r, local_name(el)
        if name in {"titlestmt", "publicationstmt"}:
            self.tracker.use(el)
            for child in el.iterchildren(etree.Element):
                cname = local_name(child)
                if cname == "titleproper" and r.finding_aid_title is None:
                    r.finding_aid_title = self.text(child)
                elif cname == "publisher" and r.publisher is None:
                    r.publisher = self.text(child)
                elif cname in HEADER_NOTES or cname in {"titleproper", "publisher", "p"}:
                    text = self.block(child)
                    if text:
                        key = HEADER_NOTES.get(cname, "subtitle" if cname == "titleproper"
                                               else "publication")
                        r.header_notes.setdefault(key, []).append(text)
        elif name == "langusage":
            lang = _first(el, "language")
            if lang is not None and r.description_language is None:
                r.description_language = _attr(lang, "langcode")
            text = self.block(el)
            if text:
                r.header_notes.setdefault("langusage", []).append(text)
        elif name in HEADER_NOTES:
            text = self.block(el)
            if text:
                r.header_notes.setdefault(HEADER_NOTES[name], []).append(text)

    def access_point(self, el: etree._Element, context: str) -> AccessPoint | None:
        self.tracker.use_tree(el)
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

    def archdesc(self, ad: etree._Element) -> None:
        """The collection, then its component tree (iteratively: any depth, flat stack)."""
        self.tracker.use(ad)
        self.unit(ad, self.r)
        used_keys: set[str] = set()
        # (element, parent index, positions path) for each component, in document order
        stack: list[tuple[etree._Element, int | None, str]] = []
        for dsc in _children(ad, "dsc"):
            self.tracker.use(dsc)
            self._push_children(dsc, None, "", stack)
        while stack:
            el, parent, path = stack.pop()
            if len(self.r.components) >= MAX_COMPONENTS:
                self.r.warnings.append(f"more than {MAX_COMPONENTS} components: the rest of the"
                                       " tree is not read")
                break
            cid = _attr(el, "id")
            key = cid if cid and cid not in used_keys else f"p-{path}"
            if cid and cid in used_keys:
                self.r.warnings.append(f"component id {cid!r} is used twice: the second is"
                                       f" identified by its position ({key})")
            used_keys.add(key)
            comp = Component(key=key, parent=parent, order=int(path.rsplit(".", 1)[-1]),
                             tag=local_name(el),
                             parent_key=None if parent is None else self.r.components[parent].key)
            self.tracker.use(el)
            self.unit(el, comp)
            self.r.components.append(comp)
            self._push_children(el, len(self.r.components) - 1, path, stack)

    def _push_children(self, el: etree._Element, parent: int | None, path: str,
                       stack: list[tuple[etree._Element, int | None, str]]) -> None:
        kids = [c for c in el.iterchildren(etree.Element) if _COMPONENT.match(local_name(c))]
        prefix = f"{path}." if path else ""
        for n in range(len(kids), 0, -1):  # reversed: popped in document order
            stack.append((kids[n - 1], parent, f"{prefix}{n}"))

    def unit(self, el: etree._Element, u: Unit) -> None:
        """Level, did, notes, access points and digital objects of one level of description."""
        u.level = _attr(el, "level")
        u.otherlevel = _attr(el, "otherlevel")
        if u.level and u.level.lower() not in EAD_LEVELS:
            self.r.warnings.append(f"{local_name(el)}@level {u.level!r} is not an EAD level:"
                                   " kept as written")
        for child in el.iterchildren(etree.Element):
            name = local_name(child)
            if name == "did":
                self.tracker.use(child)
                self.did(child, u)
            elif name in NOTE_TAGS:
                text = self.block(child)
                if text:
                    u.notes.setdefault(name, []).append(text)
                self.links(child, u)
            elif name == "controlaccess":
                self.controlaccess(child, u)
            elif name in {"dao", "daogrp", "daoset"}:
                self.dao(child, u)
            elif name == "langmaterial":  # outside did: APE-EAD and some exports put it here
                self.langmaterial(child, u)
            elif name == "head":
                self.tracker.use_tree(child)  # the heading of a component: its title repeats

    def did(self, did: etree._Element, u: Unit) -> None:
        for child in did.iterchildren(etree.Element):
            name = local_name(child)
            if name == "unitid":
                value = self.text(child)
                if value:
                    u.unitids.append((value, _attr(child, "type", "localtype")))
                self.links(child, u)
            elif name == "unittitle":
                text = self.text(child)
                if u.title is None:
                    u.title = text
                elif text:
                    u.notes.setdefault("unittitle", []).append(text)
                for inline in child.iter(etree.Element):
                    if inline is child:
                        continue
                    iname = local_name(inline)
                    if iname in ACCESS_TAGS - {"title"}:
                        ap = self.access_point(inline, "unittitle")
                        if ap:
                            u.access_points.append(ap)
                    elif iname == "unitdate":
                        self.date(inline, u)
            elif name == "unitdate":
                self.date(child, u)
            elif name == "unitdatestructured":
                self.tracker.use_tree(child)
                self.unitdatestructured(child, u)
            elif name in {"physdesc", "physdescstructured", "physdescset"}:
                self.tracker.use_tree(child)
                self.physdesc(child, u)
            elif name == "langmaterial":
                self.langmaterial(child, u)
            elif name == "origination":
                self.tracker.use_tree(child)
                found = False
                for x in child.iter(etree.Element):
                    if local_name(x) in AGENT_TAGS:
                        ap = self.access_point(x, "origination")
                        if ap:
                            u.access_points.append(ap)
                            found = True
                if not found and one_line(child):
                    u.access_points.append(AccessPoint("name", one_line(child), "origination"))
            elif name == "repository":
                self.repository(child, u)
            elif name == "physloc":
                if self.text(child):
                    u.physloc.append(one_line(child))
            elif name == "container":
                value = self.text(child)
                if value:
                    kind = _attr(child, "type", "localtype")
                    u.containers.append(f"{kind} {value}" if kind else value)
            elif name in {"abstract", "note", "materialspec", "didnote"}:
                text = self.block(child)
                if text:
                    if name == "abstract":
                        u.abstract.append(text)
                    else:
                        u.notes.setdefault("note", []).append(text)
            elif name in {"dao", "daogrp", "daoset", "daoloc"}:
                self.dao(child, u)
            elif name == "head":
                self.tracker.use_tree(child)

    def langmaterial(self, el: etree._Element, u: Unit) -> None:
        self.tracker.use_tree(el)
        langs = [x for x in el.iter(etree.Element) if local_name(x) == "language"]
        for lang in langs:
            u.languages.append((_attr(lang, "langcode"), one_line(lang)))
        if not langs and one_line(el):
            u.languages.append((None, one_line(el)))

    def links(self, el: etree._Element, u: Unit) -> None:
        for x in el.iter(etree.Element):
            if local_name(x) in {"extptr", "extref", "ref", "archref", "bibref"}:
                href = _attr(x, "href", f"{XLINK}href")
                if href:
                    u.links.append(href)

    def date(self, el: etree._Element, u: Unit) -> None:
        self.tracker.use_tree(el)
        text = one_line(el)
        normal = _attr(el, "normal")
        if text or normal:
            u.dates.append(UnitDate(text, normal, _attr(el, "type", "unitdatetype")))

    def unitdatestructured(self, el: etree._Element, u: Unit) -> None:
        for rng in el.iter(etree.Element):
            name = local_name(rng)
            if name == "daterange":
                start = _first(rng, "fromdate")
                end = _first(rng, "todate")
                s = _attr(start, "standarddate") if start is not None else None
                e = _attr(end, "standarddate") if end is not None else None
                text = " - ".join(one_line(x) for x in (start, end)
                                  if x is not None and one_line(x))
                normal = f"{s or e}/{e or s}" if (s or e) else None
                u.dates.append(UnitDate(text, normal, _attr(el, "unitdatetype")))
            elif name == "datesingle":
                u.dates.append(UnitDate(one_line(rng), _attr(rng, "standarddate"),
                                        _attr(el, "unitdatetype")))

    def physdesc(self, el: etree._Element, u: Unit) -> None:
        found = False
        for child in el.iter(etree.Element):
            name = local_name(child)
            if name == "extent":
                text = one_line(child)
                unit = _attr(child, "unit")
                if text:
                    u.extents.append(f"{text} {unit}" if unit and unit not in text else text)
                    found = True
            elif name == "quantity":  # EAD3 physdescstructured
                unittype = _first(el, "unittype")
                label = one_line(unittype) if unittype is not None else ""
                u.extents.append(f"{one_line(child)} {label}".strip())
                found = True
            elif name == "physfacet" and one_line(child):
                u.physfacets.append(one_line(child))
                found = True
            elif name == "dimensions" and one_line(child):
                u.dimensions.append(one_line(child))
                found = True
            elif name == "genreform":
                ap = self.access_point(child, "controlaccess")
                if ap:
                    u.access_points.append(ap)
                    found = True
        if not found and local_name(el) == "physdesc" and one_line(el):
            u.extents.append(one_line(el))

    def repository(self, el: etree._Element, u: Unit) -> None:
        self.tracker.use(el)
        corp = next((c for c in el.iter(etree.Element)
                     if local_name(c) in {"corpname", "name"}), None)
        if corp is not None:
            self.tracker.use_tree(corp)
            label = one_line(corp)
            code = _attr(corp, "authfilenumber", "identifier")
            source = _attr(corp, "source")
        else:
            for x in el.iter(etree.Element):
                if local_name(x) != "address" and not any(
                        local_name(a) == "address" for a in x.iterancestors()):
                    self.tracker.use(x)
            label = flatten(el, skip=frozenset({"address"})).split("\n")[0]
            code = source = None
        address = _first(el, "address")
        if address is not None:
            text = self.block(address)
            if text and isinstance(u, EadRecord):
                u.header_notes.setdefault("repository-address", []).append(text)
        if isinstance(u, EadRecord):
            if label or code:
                u.repository = Repository(label, code, source)
        elif label:  # a component held elsewhere than the collection: kept as a note
            u.notes.setdefault("repository", []).append(label)

    def controlaccess(self, el: etree._Element, u: Unit) -> None:
        self.tracker.use(el)
        for child in el.iterchildren(etree.Element):
            name = local_name(child)
            if name == "controlaccess":
                self.controlaccess(child, u)
            elif name in ACCESS_TAGS:
                ap = self.access_point(child, "controlaccess")
                if ap:
                    u.access_points.append(ap)
            elif name == "head":
                self.tracker.use_tree(child)

    def dao(self, el: etree._Element, u: Unit) -> None:
        self.tracker.use_tree(el)
        for node in el.iter(etree.Element):
            if local_name(node) not in {"dao", "daoloc"}:
                continue
            href = _attr(node, "href", f"{XLINK}href")
            if not href:
                continue
            role = _attr(node, "role", f"{XLINK}role", "daotype", "otherdaotype", "localtype")
            title = _attr(node, "title", f"{XLINK}title")
            desc = _first(node, "daodesc")  # an element is false when it has no children
            if desc is None:
                desc = _first(node, "descriptivenote")
            if title is None and desc is not None:
                title = one_line(desc) or None
            u.digital_objects.append(DigitalObject(href, role, title))


# ---------------------------------------------------------------- notices too large to hold

STREAM_BYTES = 16 << 20  # a notice larger than this is read in two streaming passes
COMPONENT_TAGS = ("c", *(f"c{n:02d}" for n in range(1, 13)))
MAX_STREAMED_COMPONENTS = 5_000_000


def read_head(path: Path, file: str, sha256: str) -> EadRecord:
    """First pass over a large notice: its header and collection-level description, each
    component dropped as soon as it is parsed (memory holds what is not a component)."""
    warnings: list[str] = []
    found: list[etree._Element] = []
    try:
        for _, el in xml_events(path, COMPONENT_TAGS, warnings, root=found):
            el.clear()
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
    except XmlRejected as exc:
        raise EadRejected(str(exc)) from None
    root = found[0]
    if not is_ead(root):
        raise EadRejected(f"not an EAD document (root element is <{local_name(root)}>)")
    return read(root, file, sha256, warnings)


def stream_components(path: Path, record: EadRecord, warnings: list[str], fidelity: Fidelity,
                      batch: int = 2000) -> Iterator[list[Component]]:
    """Second pass: the components of a large notice, a batch at a time, each read when it
    ends and then freed (its children were read and freed before it). Keys are given in
    document order as :meth:`_Reader.archdesc` gives them, so both passes name a component
    alike. ``fidelity`` receives what the components kept; ``warnings`` what they say."""
    # a scratch record takes the readers' warnings; the fidelity goes to the real one
    reader = _Reader(EadRecord(file=record.file, sha256=record.sha256,
                               flavour=record.flavour, warnings=warnings))
    used: set[str] = set()
    stack: list[tuple[str, str, list[int]]] = []  # (key, positions, children counter)
    top = [0]
    out: list[Component] = []
    count = 0
    ignored: list[str] = []
    try:
        for event, el in xml_events(path, COMPONENT_TAGS, ignored, events=("start", "end")):
            if event == "start":
                counter = stack[-1][2] if stack else top
                counter[0] += 1
                path_ = f"{stack[-1][1]}.{counter[0]}" if stack else str(counter[0])
                cid = _attr(el, "id")
                key = cid if cid and cid not in used else f"p-{path_}"
                if cid and cid in used:
                    warnings.append(f"component id {cid!r} is used twice: the second is"
                                    f" identified by its position ({key})")
                used.add(key)
                stack.append((key, path_, [0]))
                continue
            key, path_, _ = stack.pop()
            count += 1
            if count > MAX_STREAMED_COMPONENTS:
                warnings.append(f"more than {MAX_STREAMED_COMPONENTS} components: the rest"
                                " of the tree is not read")
                break
            comp = Component(key=key, parent=None, order=int(path_.rsplit(".", 1)[-1]),
                             tag=local_name(el), parent_key=stack[-1][0] if stack else None)
            reader.tracker = Tracker()
            reader.tracker.use(el)
            reader.unit(el, comp)
            fidelity += reader.tracker.account(el, name="c")
            out.append(comp)
            el.clear()
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
            if len(out) >= batch:
                yield out
                out = []
    except XmlRejected as exc:
        warnings.append(f"the component tree stops being readable: {exc}; the components"
                        " before it are kept")
    if out:
        yield out
