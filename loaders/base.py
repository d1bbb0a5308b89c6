"""What every source format provides to the shared pipeline."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rdflib import Graph


class SourceRejected(Exception):
    """A whole file gives no record; the message says why, for a curator."""


@dataclass
class Converted:
    """The RDF of one record and the named graph it goes to (one graph per source record)."""

    record_id: str
    graph_iri: str
    collection_iri: str
    graph: Graph
    warnings: list[str] = field(default_factory=list)


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


FORMATS: dict[str, SourceFormat] = {"ead": EadFormat()}


def detect(head: bytes) -> SourceFormat | None:
    """The format whose sniffing accepts these first bytes."""
    return next((f for f in FORMATS.values() if f.sniff(head)), None)
