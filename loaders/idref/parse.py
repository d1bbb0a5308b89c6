"""IdRef bytes -> typed authority records. No side effects.

Reads every form IdRef data comes in:
- MARCXML: a bare ``<record>`` without namespace (``/{PPN}.xml``), a ``<collection>``, records
  in the MARC21-slim namespace, OAI-PMH ``GetRecord``/``ListRecords`` envelopes (a deleted OAI
  header becomes a deletion);
- ISO 2709 (UTF-8): records are cut at the record terminator, so a damaged record is reported
  and the reader goes on with the next one (pymarc loses the records after a fatal length
  error unless it re-synchronises);
- IdRef RDF/XML (``/{PPN}.rdf``).

A damaged record never stops the file: it comes back as a :class:`BadRecord` with its reason.
MARCXML and ISO 2709 files are also read piece by piece (:func:`stream`), in flat memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from loaders.xmlsafe import XmlDocument, XmlRejected, iter_elements, local_name, parse_xml

RT, FT, SF = b"\x1d", b"\x1e", b"\x1f"
_OAI_ID = re.compile(r"(\d{8}[\dXx])\s*$")


class IdRefRejected(Exception):
    """The whole file gives no record; the message says why."""


@dataclass
class DataField:
    tag: str
    ind1: str
    ind2: str
    subfields: list[tuple[str, str]]

    def get(self, code: str) -> str | None:
        for c, v in self.subfields:
            if c == code:
                return v
        return None

    def all(self, code: str) -> list[str]:
        return [v for c, v in self.subfields if c == code]


@dataclass
class MarcRecord:
    """One UNIMARC authority record."""

    leader: str
    controlfields: dict[str, str]
    datafields: list[DataField]
    position: str  # where in the file: "record 3" / "line 12" / "byte 5120"
    deleted_by_envelope: bool = False  # OAI-PMH header status="deleted"

    @property
    def ppn(self) -> str | None:
        return (self.controlfields.get("001") or "").strip() or None

    @property
    def deleted(self) -> bool:
        return self.deleted_by_envelope or (len(self.leader) > 5 and self.leader[5] == "d")

    def fields(self, *tags: str) -> list[DataField]:
        """The data fields with these tags, in record order."""
        if len(tags) == 1:
            return self._by_tag().get(tags[0], [])
        return [f for f in self.datafields if f.tag in tags]

    def _by_tag(self) -> dict[str, list[DataField]]:
        index: dict[str, list[DataField]] | None = self.__dict__.get("_index")
        if index is None:
            index = {}
            for f in self.datafields:
                index.setdefault(f.tag, []).append(f)
            self.__dict__["_index"] = index
        return index

    @property
    def record_id(self) -> str:
        return self.ppn or self.position


@dataclass
class RdfRecord:
    """IdRef RDF/XML for one or more entities (the N-Triples text, parsed safely)."""

    ntriples: str
    position: str
    record_id: str


@dataclass
class BadRecord:
    """A record that could not be read; the rest of the file still loads."""

    record_id: str
    reason: str


IdRefRecord = MarcRecord | RdfRecord | BadRecord


@dataclass
class ParsedFile:
    records: list[IdRefRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sha256: str = ""


def sniff(head: bytes) -> str | None:
    """'marcxml', 'rdfxml', 'iso2709' or None."""
    text = head[:4096]
    if re.search(rb"<(?:[\w.-]+:)?RDF[\s>]", text) and b"rdf-syntax-ns" in text:
        return "rdfxml"
    if re.search(rb"<(?:[\w.-]+:)?(?:record|collection|OAI-PMH)[\s>]", text) and (
        b"leader" in head[:65536] or b"OAI-PMH" in text or b"controlfield" in head[:65536]
    ):
        return "marcxml"
    stripped = text.lstrip(b"\xef\xbb\xbf")
    # the leader: a length, the indicator and subfield-code counts ("22" in every MARC)
    # and a base address; the directory may run past the first kilobytes
    if len(stripped) >= 24 and stripped[:5].isdigit() and (
            FT in text or (stripped[10:12] == b"22" and stripped[12:17].isdigit())):
        return "iso2709"
    return None


def parse(data: bytes, file: str) -> ParsedFile:
    """Parse any IdRef form. Raises :class:`IdRefRejected` when nothing can be read."""
    kind = sniff(data)
    out = ParsedFile(sha256=hashlib.sha256(data).hexdigest())
    if kind == "iso2709":
        out.records = list(parse_iso2709(data))
    elif kind == "marcxml":
        doc = _xml(data, file)
        out.warnings = doc.warnings
        out.records = list(_marcxml_records(doc.root))
    elif kind == "rdfxml":
        _xml(data, file)  # hardened check first: no entity declarations, well-formed
        out.records = [_rdf(data)]
    else:
        raise IdRefRejected("not an IdRef record (MARCXML, ISO 2709 or RDF/XML expected)")
    if not out.records:
        raise IdRefRejected("the file holds no authority record")
    return out


def _xml(data: bytes, file: str) -> XmlDocument:
    try:
        return parse_xml(data, file)
    except XmlRejected as exc:
        raise IdRefRejected(str(exc)) from None


_MARC_TAGS = ("record", "header")  # MARC records, and OAI-PMH headers (deletions)


def _marcxml_records(root: etree._Element) -> list[IdRefRecord]:
    return list(_marc_records(root.iter(*(f"{{*}}{t}" for t in _MARC_TAGS))))


def _marc_records(elements: Iterable[etree._Element]) -> Iterator[IdRefRecord]:
    """Records from the ``record`` and ``header`` elements of a MARCXML or OAI-PMH document."""
    n = 0
    for el in elements:
        name = local_name(el)
        if name == "header" and el.get("status") == "deleted":  # OAI-PMH deletion
            ident = next((c for c in el if local_name(c) == "identifier"), None)
            m = _OAI_ID.search((ident.text or "") if ident is not None else "")
            n += 1
            if m:
                yield MarcRecord("     d    ", {"001": m.group(1)}, [], f"record {n}",
                                 deleted_by_envelope=True)
            else:
                yield BadRecord(f"record {n}", "deleted OAI header without a PPN")
            continue
        if name != "record":
            continue
        leader: str | None = None
        controls: dict[str, str] = {}
        fields: list[DataField] = []
        conflict: str | None = None
        for child in el:
            cname = local_name(child)
            if cname == "leader":
                leader = child.text or ""
            elif cname == "controlfield":
                tag, value = child.get("tag", ""), child.text or ""
                if tag == "001" and tag in controls and controls[tag].strip() != value.strip():
                    conflict = (f"two 001 fields ({controls[tag].strip()!r} and"
                                f" {value.strip()!r}): the record has no single PPN; not loaded"
                                " (no authority is replaced by it)")
                controls.setdefault(tag, value)
            elif cname == "datafield":
                subs = [(s.get("code", ""),
                         "".join(map(str, s.itertext())) if len(s) else (s.text or ""))
                        for s in child if local_name(s) == "subfield"]
                fields.append(DataField(child.get("tag", ""), child.get("ind1", " "),
                                        child.get("ind2", " "), subs))
        if leader is None and not controls:
            continue  # an OAI <record> envelope: its MARC record is found further down
        n += 1
        leader = leader or ""
        line = el.sourceline
        if conflict is not None:
            yield BadRecord(f"record {n} (line {line})", conflict)
            continue
        yield MarcRecord(leader, controls, fields, f"record {n} (line {line})")


def stream(path: Path, file: str) -> Iterator[tuple[IdRefRecord, list[str]]] | None:
    """The records of a MARCXML or ISO 2709 file read piece by piece, with the warnings met
    while reading each; None for a form that is read whole (RDF/XML, or not IdRef at all).

    Memory stays flat whatever the size of the file (IdRef exports run to gigabytes). A file
    that breaks after some records gives those records, then a BadRecord saying where the
    rest was lost. Raises :class:`IdRefRejected` (on the first ``next``) when nothing can be
    read at all.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    kind = sniff(head)
    if kind == "marcxml":
        return _stream_marcxml(path, file)
    if kind == "iso2709":
        return ((r, []) for r in _stream_iso2709(path))
    return None


def _stream_marcxml(path: Path, file: str) -> Iterator[tuple[IdRefRecord, list[str]]]:
    warnings: list[str] = []
    last = "the start of the file"
    count = 0
    try:
        for record in _marc_records(iter_elements(path, _MARC_TAGS, warnings)):
            count += 1
            last = record.record_id if isinstance(record, BadRecord) else record.position
            yield record, warnings[:]
            warnings.clear()
    except XmlRejected as exc:
        if count == 0:
            raise IdRefRejected(str(exc)) from None
        yield BadRecord(f"after {last}", f"{exc}; the rest of the file is not read"), []


def _stream_iso2709(path: Path, chunk_size: int = 1 << 20) -> Iterator[IdRefRecord]:
    """ISO 2709 records split on the record terminator, read a megabyte at a time."""
    with path.open("rb") as fh:
        pending = b""
        offset = 0  # file offset of ``pending``
        n = 0
        while True:
            block = fh.read(chunk_size)
            data = pending + block
            parts = data.split(RT)
            pending = parts.pop() if block else b""
            for chunk in parts:
                start = offset
                offset += len(chunk) + 1
                n, record = _iso_chunk(chunk, start, n)
                if record is not None:
                    yield record
            if not block:  # the end: the last part was processed with the others
                return


def parse_iso2709(data: bytes) -> list[IdRefRecord]:
    """Records of an ISO 2709 stream; a damaged one becomes a BadRecord, the next ones load.

    >>> raw = b"00048cx  a2200037   45  001001000000" + FT + b"027182800" + FT + RT
    >>> rec = parse_iso2709(raw)[0]
    >>> rec.ppn
    '027182800'
    """
    out: list[IdRefRecord] = []
    offset = 0
    n = 0
    for chunk in data.split(RT):
        start = offset
        offset += len(chunk) + 1
        n, record = _iso_chunk(chunk, start, n)
        if record is not None:
            out.append(record)
    return out


def _iso_chunk(chunk: bytes, start: int, n: int) -> tuple[int, IdRefRecord | None]:
    """The record of one chunk between record terminators (None for blank space), and the
    running record count."""
    chunk = chunk.lstrip(b"\r\n\xef\xbb\xbf")
    if not chunk.strip(b" \t\r\n\x00"):  # blank lines or NUL padding (tape blocks)
        return n, None
    n += 1
    try:
        return n, _iso_record(chunk + RT, f"record {n} (byte {start})")
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        ppn = _guess_ppn(chunk)
        return n, BadRecord(ppn or f"record {n} (byte {start})",
                            f"damaged ISO 2709 record at byte {start}: {exc}")


def _guess_ppn(chunk: bytes) -> str | None:
    m = re.search(rb"(?<!\d)(\d{8}[\dX])(?!\d)", chunk[24:400])
    return m.group(1).decode() if m else None


def _iso_record(raw: bytes, position: str) -> MarcRecord:
    if len(raw) < 25:
        raise ValueError("record shorter than its leader")
    leader = raw[:24].decode("ascii")
    declared = int(leader[0:5])
    if declared != len(raw):
        raise ValueError(f"leader says {declared} bytes, record has {len(raw)}")
    base = int(leader[12:17])
    directory = raw[24:base - 1]
    if len(directory) % 12:
        raise ValueError("directory length is not a multiple of 12")
    controls: dict[str, str] = {}
    fields: list[DataField] = []
    for i in range(0, len(directory), 12):
        entry = directory[i:i + 12].decode("ascii")
        tag, length, start = entry[:3], int(entry[3:7]), int(entry[7:12])
        body = raw[base + start: base + start + length]
        if not body.endswith(FT):
            raise ValueError(f"field {tag} does not end with a field terminator")
        body = body[:-1]
        if tag < "010" and tag.isdigit():
            controls[tag] = body.decode("utf-8")
            continue
        parts = body.split(SF)
        indicators = parts[0].decode("utf-8").ljust(2)
        subs = [(p[:1].decode("utf-8"), p[1:].decode("utf-8")) for p in parts[1:] if p]
        fields.append(DataField(tag, indicators[0], indicators[1], subs))
    return MarcRecord(leader, controls, fields, position)


def _rdf(data: bytes) -> RdfRecord:
    import pyoxigraph as ox

    try:
        quads = list(ox.parse(data, ox.RdfFormat.RDF_XML, base_iri="http://www.idref.fr/"))
    except SyntaxError as exc:
        raise IdRefRejected(f"RDF/XML does not parse: {exc}") from None
    lines = [f"{q.subject} {q.predicate} {q.object} ." for q in quads]
    ids = sorted({str(q.subject.value) for q in quads if isinstance(q.subject, ox.NamedNode)
                  and re.match(r"^http://www\.idref\.fr/\d{8}[\dX]/id", q.subject.value)})
    return RdfRecord("\n".join(lines), "RDF/XML", ids[0] if ids else "RDF/XML")
