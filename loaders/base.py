"""What every source format provides to the shared pipeline."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from loaders.fidelity import Fidelity
from loaders.rdf import RecordGraph


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
    fidelity: Fidelity | None = None  # source elements seen, mapped and not mapped


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


class EadFormat:
    name: str = "ead"
    extensions: tuple[str, ...] = (".xml", ".ead")

    def sniff(self, head: bytes) -> bool:
        return bool(_EAD_ROOT.search(head[:8192]))

    def parse(self, data: bytes, file: str) -> Sequence[Any]:
        from loaders.ead.parse import EadRejected, parse

        try:
            return parse(data, file)
        except EadRejected as exc:
            raise SourceRejected(str(exc)) from None

    def record_id(self, record: Any) -> str:
        return str(record.record_id)

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.ead.convert import convert

        return convert(record, base_iri)


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
        from loaders.lists.parse import column_name, kind_of

        first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace")
        kind = kind_of([column_name(c) for c in re.split(r"[,;\t]", first)])
        return 1 + ["institutions", "networks", "labels", "members"].index(kind or "members")

    def __init__(self) -> None:
        from loaders.lists.convert import ListsContext

        self.context = ListsContext()

    def sniff(self, head: bytes) -> bool:
        from loaders.lists.parse import sniff

        return sniff(head)

    def begin(self, store: Any) -> None:
        """Index the collections and networks already in the store."""
        from loaders.lists.convert import ListsContext

        self.context = ListsContext(checked=store is not None)
        self._scheme_sent = False
        if store is None:
            return
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
            records: list[Any] = [parse(data, file)]
        except ListRejected as exc:
            raise SourceRejected(str(exc)) from None
        if not getattr(self, "_scheme_sent", False):  # the disciplines the lists refer to
            self._scheme_sent = True
            records.append(_DISCIPLINES_SCHEME)
        return records

    def record_id(self, record: Any) -> str:
        return "disciplines scheme" if record is _DISCIPLINES_SCHEME else str(record.record_id)

    def convert(self, record: Any, base_iri: str) -> Converted:
        from loaders.lists.convert import convert, convert_scheme

        if record is _DISCIPLINES_SCHEME:
            return convert_scheme(base_iri)
        return convert(record, base_iri, self.context)


_DISCIPLINES_SCHEME = object()


FORMATS: dict[str, SourceFormat] = {"ead": EadFormat(), "idref": IdRefFormat(),
                                    "lists": ListsFormat()}


def detect(head: bytes) -> SourceFormat | None:
    """The format whose sniffing accepts these first bytes."""
    return next((f for f in FORMATS.values() if f.sniff(head)), None)
