"""What every source format provides to the shared pipeline."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rdflib import URIRef

from loaders.fidelity import Fidelity
from loaders.rdf import RecordGraph, iri_problem
from loaders.terms import COLLEX


class SourceRejected(Exception):
    """A whole file gives no record; the message says why, for a curator."""


class RecordRejected(Exception):
    """One record cannot be converted; the message says why. The file's other records load."""


@dataclass
class Converted:
    """The RDF of one record and the named graph it goes to (one graph per source record)."""

    record_id: str
    graph_iri: str
    collection_iri: str
    graph: RecordGraph
    warnings: list[str] = field(default_factory=list)
    deleted: bool = False  # the source says the record is deleted: its graph is removed
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (part, reason) left out
    identity: str | None = None  # the source's own identifier (eadid...), to tell collisions
    # The IRIs the record owns (with what hangs under them, /... and #...), its main one
    # first; statements about anything else are mentions of shared entities (see
    # loaders/entities.py). None: the record owns every subject it describes.
    own: tuple[str, ...] | None = None
    authority: bool = False  # an authority record: its statements are the entity's home
    removes: list[str] | None = None  # graphs this record says are gone (a list re-export)
    fidelity: Fidelity | None = None  # source elements seen, mapped and not mapped
    synthetic: bool = False  # made by the loader, not read from the file (disciplines scheme)
    # A record too large to hold: the rest of its graph, a batch of (part, graph) at a time,
    # written after this head is accepted (see loaders.ead.convert.ComponentParts)
    parts: Any = None


class SourceFormat(Protocol):
    name: str
    extensions: tuple[str, ...]

    def sniff(self, head: bytes) -> bool:
        """True when the first bytes of a file look like this format."""
        ...

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        """Typed records; raises :class:`SourceRejected` when the file gives none."""
        ...

    def record_id(self, record: Any) -> str:
        """How the report names a record."""
        ...

    def convert(self, record: Any, base_iri: str) -> Converted:
        """The record's RDF. Pure."""
        ...


_EAD_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?ead[\s>/]")

EXPECTED = ("an EAD 2002, APE-EAD or EAD3 finding aid, an EAC-CPF record, an OAI-PMH answer,"
            " an IdRef authority in UNIMARC (MARCXML, ISO 2709) or RDF/XML, or a CollEx CSV"
            " list (institutions, networks, labels, members: ontology/lists-format.md)")
_MAGIC = ((b"PK\x03\x04", "a ZIP archive (an .xlsx, .docx or .odt document is one too):"
           " extract it, or export the sheet as CSV UTF-8"),
          (b"\x1f\x8b", "a gzip-compressed file: decompress it first"),
          (b"BZh", "a bzip2-compressed file: decompress it first"),
          (b"\xfd7zXZ", "an xz-compressed file: decompress it first"),
          (b"7z\xbc\xaf", "a 7-Zip archive: extract it first"),
          (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"),
          (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
          (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document (.xls, .doc): export the sheet"
           " as CSV UTF-8"))
_XML_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)")
_KNOWN_ROOTS = {b"TEI": "a TEI document", b"html": "an HTML page", b"svg": "an SVG image",
                b"mods": "a MODS record", b"mets": "a METS document",
                b"dc": "a bare Dublin Core record (harvest it inside an OAI-PMH answer)",
                b"RDF": "RDF/XML that is not an IdRef authority",
                b"marc": "a MARC record"}


def what_it_is(head: bytes, suffix: str = "") -> str:
    """What a file that no loader reads looks like, for the rejection message.

    >>> what_it_is(b"\\x1f\\x8b\\x08\\x00")
    'a gzip-compressed file: decompress it first'
    >>> what_it_is(b'<TEI xmlns="http://www.tei-c.org/ns/1.0">')
    'a TEI document'
    >>> what_it_is(b"nom,ville\\nBnF,Paris\\n", ".csv")
    'a CSV file whose header (nom, ville) is not one of our lists'
    """
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    from loaders.lists.parse import header_line
    from loaders.xmlsafe import sniff_xml

    if sniff_xml(head):
        lowered = head[:512].lower()
        if b"<!doctype html" in lowered or b"<html" in lowered:
            return "an HTML page (an error page saved instead of the file?)"
        m = _XML_ROOT.search(head)
        if m is None:
            return "XML without a root element"
        name = m.group(2)
        return _KNOWN_ROOTS.get(name, f"an XML document whose root element is"
                                      f" <{name.decode('ascii', 'replace')[:40]}>")
    if b"\x00" in head[:4096] or sum(b < 9 or 13 < b < 32 for b in head[:4096]) > 8:
        return "binary data"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "JSON"
    if re.match(rb"(?i)@?prefix\s|@base\s|<[^>]+>\s+<[^>]+>", stripped):
        return "Turtle or N-Triples"
    if stripped[:5].isdigit():
        return "ISO 2709 whose leader is damaged (no MARC leader in the first 24 bytes)"
    found = header_line(head)
    if found is not None and (suffix.lower() == ".csv" or found[1] in found[0]):
        first, delimiter = found
        columns = ", ".join(c.strip() for c in first.split(delimiter)[:8])
        return f"a CSV file whose header ({columns[:120]}) is not one of our lists"
    return "text that is none of these formats"


class EadFormat:
    name: str = "ead"
    extensions: tuple[str, ...] = (".xml", ".ead")

    def __init__(self) -> None:
        self.existing: dict[str, tuple[str, str | None]] = {}  # graph -> (file, identifier)
        # OAI identifier -> {repository base URL ("" unknown): graph}, store and this load
        self.oai_graphs: dict[str, dict[str, str]] = {}

    def sniff(self, head: bytes) -> bool:
        return bool(_EAD_ROOT.search(head[:8192]))

    def begin(self, store: Any) -> None:
        """Index the notices already in the store, to tell a reload from a key collision."""
        self.existing, self.oai_graphs = {}, {}
        if store is None:
            return
        for row in store.select(_SOURCES_QUERY):
            graph = str(getattr(row["g"], "value", ""))
            ident, oai, repo = row.get("id"), row.get("oai"), row.get("repo")
            self.existing[graph] = (str(getattr(row["f"], "value", "")),
                                    str(getattr(ident, "value", "")) if ident else None)
            if oai is not None:
                self.oai_graphs.setdefault(str(getattr(oai, "value", "")), {})[
                    str(getattr(repo, "value", "")) if repo is not None else ""] = graph

    def oai_graph(self, identifier: str, repository: str | None) -> str:
        """The graph of the record loaded under ``identifier`` from ``repository`` ("" when
        there is none). OAI identifiers are unique within a repository only: a record of
        another repository with the same identifier is not it."""
        found = self.oai_graphs.get(identifier, {})
        if repository and repository in found:
            return found[repository]
        if "" in found:  # loaded from a file whose answer did not name its repository
            return found[""]
        if not repository and len(found) == 1:
            return next(iter(found.values()))
        return ""

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.ead.parse import EadRejected, parse

        try:
            return parse(data, file)
        except EadRejected as exc:
            raise SourceRejected(str(exc)) from None

    def stream(self, path: Path, file: str) -> Iterator[Any] | None:
        """A notice too large to hold (over ``STREAM_BYTES``) read in two passes, or None
        when it is read whole: first its header and collection, then its components, a
        batch at a time, while they are converted and written."""
        from loaders.ead.parse import STREAM_BYTES

        if path.stat().st_size <= STREAM_BYTES:
            return None
        return self._streamed(path, file)

    def _streamed(self, path: Path, file: str) -> Iterator[Any]:
        from loaders.ead.parse import EadRejected, read_head

        sha = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                sha.update(block)
        try:
            head = read_head(path, file, sha.hexdigest())
        except EadRejected as exc:
            raise SourceRejected(str(exc)) from None
        yield _StreamedEad(head, path)

    def record_id(self, record: Any) -> str:
        return str(record.record_id)

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.ead.convert import ComponentParts, convert

        if isinstance(record, _StreamedEad):
            from loaders.ead.parse import stream_components

            conv = self.checked(convert(record.head, base_iri))
            path, head = record.path, record.head
            conv.parts = ComponentParts(head, base_iri, lambda warnings, fidelity:
                                        stream_components(path, head, warnings, fidelity))
            return conv
        return self.checked(convert(record, base_iri))

    def checked(self, conv: Converted) -> Converted:
        """Refuse a notice whose key is already taken in the store by another identifier;
        warn when a notice replaces one loaded from a file of another name."""
        before = _notices().existing.get(conv.graph_iri)
        if before is None:
            return conv
        old_file, old_id = before
        if old_id and conv.identity and old_id != conv.identity:
            raise RecordRejected(
                f"identifier collision: {conv.identity!r} gives the same IRI as {old_id!r},"
                f" already loaded from {old_file}; the loaded notice is kept (make the"
                " identifiers differ by more than punctuation)")
        new_file = conv.graph.value(URIRef(conv.graph_iri), COLLEX.fileName)
        if old_file and new_file is not None and str(new_file) != old_file:
            conv.warnings.append(f"replaces the notice of the same identifier loaded from"
                                 f" {old_file}")
        return conv


@dataclass
class _StreamedEad:
    """The first pass over a large notice (its head), and where to read the rest."""

    head: Any  # EadRecord without its components
    path: Path

    @property
    def record_id(self) -> str:
        return str(self.head.record_id)

    @property
    def fidelity(self) -> Fidelity:
        return self.head.fidelity  # type: ignore[no-any-return]


_SOURCES_QUERY = (
    "SELECT ?g ?f ?id ?oai ?repo WHERE { GRAPH ?g { ?g <https://w3id.org/collex/def#fileName> ?f"
    " OPTIONAL { ?g <http://purl.org/dc/terms/identifier> ?id }"
    " OPTIONAL { ?g <https://w3id.org/collex/def#oaiIdentifier> ?oai }"
    " OPTIONAL { ?g <https://w3id.org/collex/def#oaiRepository> ?repo } }"
    ' FILTER(CONTAINS(STR(?g), "/graph/ead/") || CONTAINS(STR(?g), "/graph/dc/")'
    ' || CONTAINS(STR(?g), "/graph/eac/")) }'
)


class EacFormat(EadFormat):
    """EAC-CPF authority records (one agent a file)."""

    name: str = "eac"
    extensions: tuple[str, ...] = (".xml",)

    def stream(self, path: Path, file: str) -> Iterator[Any] | None:
        return None  # an EAC-CPF record is read whole

    def sniff(self, head: bytes) -> bool:
        return bool(_EAC_ROOT.search(head[:8192])) and not _OAI_ROOT.search(head[:8192])

    def begin(self, store: Any) -> None:
        """The notices' index (see :meth:`EadFormat.begin`) serves every source record."""

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.eac.parse import EacRejected, parse

        try:
            return parse(data, file)
        except EacRejected as exc:
            raise SourceRejected(str(exc)) from None

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.eac.convert import convert

        return self.checked(convert(record, base_iri))


@dataclass
class OaiDeletion:
    """A deleted header: the record it names is removed."""

    identifier: str
    datestamp: str | None
    repository: str | None = None  # the base URL of the repository that deleted it

    @property
    def record_id(self) -> str:
        return self.identifier


@dataclass
class BadOaiRecord:
    identifier: str
    reason: str

    @property
    def record_id(self) -> str:
        return self.identifier


class OaiFormat:
    """OAI-PMH answers carrying EAD (``ead``, ``ape_ead``), Dublin Core (``oai_dc``) or
    EAC-CPF: the envelope yields the records, each format converts its own. Answers carrying
    MARC are IdRef's (see :class:`IdRefFormat`)."""

    name: str = "oai"
    extensions: tuple[str, ...] = (".xml",)

    def sniff(self, head: bytes) -> bool:
        text = head[:65536]
        return bool(_OAI_ROOT.search(text[:8192])) and bool(_OAI_NOT_MARC.search(text))

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.dc.parse import read as read_dc
        from loaders.eac.parse import EacRejected
        from loaders.eac.parse import read as read_eac
        from loaders.ead.parse import EadRejected
        from loaders.ead.parse import read as read_ead
        from loaders.oai.parse import OaiRejected, read
        from loaders.xmlsafe import XmlRejected, local_name, parse_xml

        try:
            doc = parse_xml(data, file)
            answer = read(doc.root)
        except (XmlRejected, OaiRejected) as exc:
            raise SourceRejected(str(exc)) from None
        out: list[Any] = []
        warnings = list(doc.warnings) + answer.warnings
        repository = answer.base_url if answer.base_url and not iri_problem(
            answer.base_url) and answer.base_url.startswith(("http://", "https://")) else None
        for rec in answer.records:
            h = rec.header
            if h.deleted:
                out.append(OaiDeletion(h.identifier, h.datestamp, repository))
                continue
            meta = rec.metadata
            if meta is None:
                out.append(BadOaiRecord(h.identifier, "no metadata in a record that is not"
                                        " deleted"))
                continue
            sha = hashlib.sha256(etree_bytes(meta)).hexdigest()
            kind = local_name(meta)
            try:
                if kind == "ead":
                    item: Any = read_ead(meta, file, sha, list(warnings), h.identifier,
                                         h.datestamp)
                elif kind == "dc":
                    item = read_dc(meta, file, h.identifier, h.datestamp, sha)
                    item.warnings[:0] = warnings
                elif kind == "eac-cpf":
                    item = read_eac(meta, file, sha, list(warnings), h.identifier,
                                    h.datestamp)
                else:
                    item = BadOaiRecord(h.identifier, f"metadata <{kind}> is not a format"
                                        " this loader reads (EAD, oai_dc, EAC-CPF)")
            except (EadRejected, EacRejected) as exc:
                item = BadOaiRecord(h.identifier, str(exc))
            if not isinstance(item, BadOaiRecord):
                item.oai_repository = repository
            warnings = []  # the file's warnings are reported once, with its first record
            out.append(item)
        if not out:
            raise SourceRejected("the OAI-PMH answer holds no record")
        if out and answer.envelope.seen:
            first = next((x for x in out if getattr(x, "fidelity", None) is not None), None)
            if first is not None:
                first.fidelity += answer.envelope
        return out

    def record_id(self, record: Any) -> str:
        return str(getattr(record, "oai_identifier", None) or record.record_id)

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.dc.convert import convert as convert_dc
        from loaders.dc.parse import DcRecord
        from loaders.eac.parse import EacRecord

        if isinstance(record, BadOaiRecord):
            raise RecordRejected(record.reason)
        if isinstance(record, OaiDeletion):
            graph = _notices().oai_graph(record.identifier, record.repository)
            return Converted(record.identifier, graph, "", RecordGraph(), deleted=True)
        ead = _notices()
        if isinstance(record, DcRecord):
            conv = ead.checked(convert_dc(record, base_iri))
        elif isinstance(record, EacRecord):
            conv = FORMATS["eac"].convert(record, base_iri)
        else:
            conv = ead.convert(record, base_iri)
        oai_id = getattr(record, "oai_identifier", None)
        if oai_id:
            repository = getattr(record, "oai_repository", None)
            ead.oai_graphs.setdefault(oai_id, {})[repository or ""] = conv.graph_iri
            if repository:
                conv.graph.add((URIRef(conv.graph_iri), COLLEX.oaiRepository,
                                URIRef(repository)))
            conv.record_id = oai_id  # harvested records are named as their repository does
        return conv


def _notices() -> EadFormat:
    """The EAD format of the registry: it holds the index of the source records loaded."""
    ead = FORMATS["ead"]
    assert isinstance(ead, EadFormat)
    return ead


def etree_bytes(el: Any) -> bytes:
    from lxml import etree

    return bytes(etree.tostring(el))


_EAC_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?eac-cpf[\s>/]")
_OAI_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?OAI-PMH[\s>/]")
_OAI_NOT_MARC = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:ead|dc|eac-cpf)[\s>/]"
    rb"|metadataPrefix=[\"'](?:ead|ape_ead|oai_dc|eac|eac-cpf|eac_cpf|apeEAC)[\"']")


@dataclass
class _IdRefItem:
    record: Any
    file: str
    source_format: str
    sha256: str
    warnings: list[str]


class IdRefFormat:
    name: str = "idref"
    extensions: tuple[str, ...] = (".xml", ".rdf", ".mrc", ".iso", ".iso2709", ".marc")

    def sniff(self, head: bytes) -> bool:
        from loaders.idref.parse import sniff

        return sniff(head) is not None

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.idref.parse import IdRefRejected, parse, sniff

        try:
            parsed = parse(data, file)
        except IdRefRejected as exc:
            raise SourceRejected(str(exc)) from None
        kind = sniff(data)
        label = {"marcxml": "UNIMARC (MARCXML)", "iso2709": "UNIMARC (ISO 2709)",
                 "rdfxml": "IdRef RDF/XML"}.get(kind or "", "UNIMARC")
        items = [_IdRefItem(r, file, label, parsed.sha256, []) for r in parsed.records]
        if items:
            items[0].warnings = list(parsed.warnings)
        return items

    def stream(self, path: Path, file: str) -> Iterator[Any] | None:
        """The file's records read piece by piece (MARCXML, ISO 2709), or None when it is
        read whole. Raises :class:`SourceRejected` on the first ``next`` if nothing can be
        read."""
        from loaders.idref.parse import IdRefRejected, sniff, stream

        records = stream(path, file)
        if records is None:
            return None
        sha = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(65536)
            sha.update(head)
            while block := fh.read(1 << 20):
                sha.update(block)
        digest = sha.hexdigest()
        label = ("UNIMARC (ISO 2709)" if sniff(head) == "iso2709" else "UNIMARC (MARCXML)")

        def items() -> Iterator[Any]:
            count = 0
            try:
                for record, warnings in records:
                    count += 1
                    yield _IdRefItem(record, file, label, digest, warnings)
            except IdRefRejected as exc:
                raise SourceRejected(str(exc)) from None
            if not count:
                raise SourceRejected("the file holds no authority record")

        return items()

    def record_id(self, record: Any) -> str:
        return str(record.record.record_id)

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.idref.convert import convert
        from loaders.idref.parse import BadRecord

        inner = record.record
        if isinstance(inner, BadRecord):
            raise RecordRejected(inner.reason)
        converted = convert(inner, base_iri, record.file, record.source_format, record.sha256)
        converted.warnings[:0] = record.warnings
        return converted


class ListsFormat:
    """Curators' CSV lists. Loaded after the notices of the same run, whose collections
    they may refer to (see ``rank``)."""

    name: str = "lists"
    extensions: tuple[str, ...] = (".csv",)

    def rank(self, head: bytes) -> int:
        """Institutions, then networks, then labels, then members, after the notices."""
        from loaders.lists.parse import column_name, header_line, kind_of

        first, delimiter = header_line(head) or ("", ",")
        kind = kind_of([column_name(c) for c in first.split(delimiter)])
        return 1 + ["institutions", "networks", "labels", "members"].index(kind or "members")

    def __init__(self) -> None:
        from loaders.lists.convert import ListsContext

        self.context = ListsContext()
        self._kinds: dict[str, _KindState] = {}
        self._existing: dict[str, set[str]] = {}

    def sniff(self, head: bytes) -> bool:
        from loaders.lists.parse import sniff

        return sniff(head)

    def begin(self, store: Any) -> None:
        """Index the collections and networks already in the store."""
        from loaders.lists.convert import ListsContext

        self.context = ListsContext(checked=store is not None)
        self._scheme_sent = False
        self._kinds = {}
        self._existing = {}
        if store is None:
            return
        for row in store.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g <https://w3id.org/collex/def#sourceFormat>"
            ' ?f } FILTER(CONTAINS(STR(?g), "/graph/lists/")) }'
        ):
            graph = str(getattr(row["g"], "value", ""))
            parts = graph.split("/graph/lists/", 1)[1].split("/")
            if len(parts) == 2:
                self._existing.setdefault(parts[0], set()).add(graph)
        # The holder's ISIL apart: each notice graph repeats its institution's description,
        # and the union default graph joins every copy (a hundredfold product at scale).
        isil_of = {
            str(getattr(row["h"], "value", "")): str(getattr(row["isil"], "value", ""))
            for row in store.select("SELECT DISTINCT ?h ?isil WHERE"
                                    " { ?h <https://w3id.org/collex/def#isil> ?isil }")
        }
        for row in store.select(
            "SELECT ?c ?eadid ?h ?cote WHERE { ?c a <http://purl.org/dc/dcmitype/Collection>"
            " OPTIONAL { ?c <https://w3id.org/collex/def#findingAidIdentifier> ?eadid }"
            " OPTIONAL { ?c <https://www.ica.org/standards/RiC/ontology#hasOrHadHolder> ?h }"
            " OPTIONAL { ?c <http://purl.org/dc/terms/identifier> ?cote } }"
        ):
            value = {k: str(getattr(v, "value", v)) for k, v in row.items()}
            self.context.collections.add(value["c"], value.get("eadid"),
                                         isil_of.get(value.get("h", "")),
                                         [value["cote"]] if "cote" in value else [])
        for row in store.select(
            "SELECT ?id WHERE { ?n a <https://w3id.org/collex/def#ThematicNetwork> ;"
            " <http://purl.org/dc/terms/identifier> ?id }"
        ):
            self.context.networks.add(str(getattr(row["id"], "value", "")))

    def observe(self, converted: Converted) -> None:
        """A record accepted in this run (its collections become referable)."""
        self.context.collections.add_graph(converted.graph)

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.lists.parse import ListRejected, parse

        try:
            lf = parse(data, file)
        except ListRejected as exc:
            raise SourceRejected(str(exc)) from None
        if lf.missing_columns:
            raise SourceRejected(
                "; ".join(f"row 1, column {c}: required column missing from the header"
                          for c in lf.missing_columns)
                + ": no row of this file is loaded, the loaded list is unchanged")
        state = self._kinds.setdefault(lf.kind, _KindState())
        state.files.append(file)
        if lf.damage:
            state.faults.append(f"{file}: {lf.damage}")
        if lf.kind == "networks":  # members in the same load may refer to these networks
            self.context.networks.update(r.values.get("network", "") for r in lf.rows)
        records: list[Any] = [_ListRow(lf, row) for row in lf.rows]
        if lf.damage:
            records.append(_ListDamage(lf))
        if not getattr(self, "_scheme_sent", False):  # the disciplines the lists refer to
            self._scheme_sent = True
            records += [_DISCIPLINES_SCHEME, _TERRITORIES_SCHEME]
        return records

    def record_id(self, record: Any) -> str:
        if record is _DISCIPLINES_SCHEME:
            return "disciplines scheme"
        if record is _TERRITORIES_SCHEME:
            return "territories scheme"
        if isinstance(record, _ListDamage):
            return "rest of the file"
        return f"row {record.row.number}"

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.lists.convert import RowError, convert_row, convert_scheme, convert_territories

        if record is _DISCIPLINES_SCHEME:
            return convert_scheme(base_iri)
        if record is _TERRITORIES_SCHEME:
            return convert_territories(base_iri)
        if isinstance(record, _ListDamage):
            raise RecordRejected(f"the file is damaged at {record.list.damage}")
        state = self._kinds[record.list.kind]
        if record.row.problem:
            state.faults.append(f"{record.list.file}: row {record.row.number}")
            raise RecordRejected(f"row {record.row.number}: {record.row.problem}")
        try:
            conv = convert_row(record.list, record.row, base_iri, self.context)
        except RowError as exc:
            state.faults.append(f"{record.list.file}: row {record.row.number}")
            raise RecordRejected(f"row {record.row.number}, {exc}") from None
        if record.row is record.list.rows[0]:
            conv.warnings[:0] = [f"row 1, column {c}: unknown column, ignored"
                                 for c in record.list.unknown_columns] + record.list.warnings
        state.written.add(conv.graph_iri)
        return conv

    def finish(self) -> list[tuple[str, Converted]]:
        """After the lists of a kind: the rows that a whole, error-free list no longer holds
        are removed (one record listing them); otherwise nothing is removed, and a warning
        says why."""
        out = []
        for kind, state in self._kinds.items():
            if state.done:
                continue
            state.done = True
            missing = sorted(self._existing.get(kind, set()) - state.written)
            if not missing:
                continue
            files = ", ".join(state.files)
            conv = Converted(f"{kind} list", "", "", RecordGraph(), removes=[])
            if state.faults or not state.written or len(state.files) > 1:
                why = ("it has errors: " + "; ".join(state.faults[:5]) if state.faults
                       else "no row of it was loaded" if not state.written
                       else "several files of that list were loaded together")
                conv.warnings.append(f"{len(missing)} {kind} loaded before and missing from"
                                     f" {files} are kept, because {why}")
            else:
                conv.removes = missing
            out.append((files, conv))
        return out


@dataclass
class _ListRow:
    list: Any  # ListFile
    row: Any  # Row

    @property
    def record_id(self) -> str:
        return f"row {self.row.number}"


@dataclass
class _ListDamage:
    """Where a list file stops being readable: rejected as a record of its own."""

    list: Any  # ListFile

    @property
    def record_id(self) -> str:
        return "damage"


@dataclass
class _KindState:
    files: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    written: set[str] = field(default_factory=set)
    done: bool = False


_DISCIPLINES_SCHEME = object()
_TERRITORIES_SCHEME = object()


FORMATS: dict[str, SourceFormat] = {"oai": OaiFormat(), "ead": EadFormat(),
                                    "eac": EacFormat(), "idref": IdRefFormat(),
                                    "lists": ListsFormat()}


def detect(head: bytes) -> SourceFormat | None:
    """The format whose sniffing accepts these first bytes (none for an archive, a PDF or an
    image, whatever text they carry: a ZIP may store an EAD file uncompressed)."""
    if any(head.startswith(magic) for magic, _ in _MAGIC):
        return None
    return next((f for f in FORMATS.values() if f.sniff(head)), None)
