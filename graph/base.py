"""Store interfaces shared by every backend (embedded Oxigraph now, remote SPARQL 1.1 later)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import pyoxigraph as ox

from graph.spool import QuadSpool

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
SelectRow = dict[str, Term]
AnswerKind = Literal["select", "ask", "graph"]


def is_true(term: object) -> bool:
    """A boolean value bound in a query answer (``BIND(EXISTS {...} AS ?x)``,
    ``BIND(true AS ?x)``) is true when it reads ``"true"`` or ``"1"`` (both lexical forms of
    ``xsd:boolean`` true). Virtuoso answers boolean values as the integers 1 and 0 (its SQL
    heart has no boolean), so a test of ``== "true"`` alone read every one as false there."""
    return str(getattr(term, "value", "") or "") in ("true", "1")


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized query answer: its kind, media type and bytes."""

    kind: AnswerKind
    media_type: str
    body: bytes
    truncated: bool = False


@dataclass(frozen=True)
class QueryRequest:
    """One query as the protocol gives it.

    ``solutions_format`` serializes SELECT/ASK answers, ``graph_format`` CONSTRUCT/DESCRIBE
    ones; ``None`` means the client accepts no format for that kind of answer.
    """

    sparql: str
    default_graphs: Sequence[str] = field(default_factory=tuple)
    named_graphs: Sequence[str] = field(default_factory=tuple)
    solutions_format: str | None = "csv"
    graph_format: str | None = "turtle"
    row_cap: int | None = None
    base_iri: str | None = None
    union_default: bool = True  # False: the store's own default graph is the default graph


@dataclass(frozen=True)
class StoreStats:
    """Counts describing what a store holds."""

    triples: int
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    resources_per_class: dict[str, int] = field(default_factory=dict)


class ReadStore(Protocol):
    """What read-only code may do with a store."""

    def select(self, sparql: str) -> list[SelectRow]:
        """Run a SELECT query and return its rows (variables bound in each row)."""
        ...

    def iter_select(self, sparql: str) -> Iterator[SelectRow]:
        """``select``, one row at a time where the store can stream them (used for answers
        of a row per component or per mention: millions at national scale)."""
        ...

    def ask(self, sparql: str) -> bool:
        """Run an ASK query."""
        ...

    def run(self, request: QueryRequest) -> QueryAnswer:
        """Run any query and serialize its answer (formats: ``graph.results``), cut at the
        request's row cap. Raises ``QueryRejected`` on a syntax error or a format that does
        not apply, ``QueryTimeout`` past the deadline (server stores)."""
        ...

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def stats(self) -> StoreStats:
        """Triples per named graph and resources per class."""
        ...

    def dump(self, path: Path) -> int:
        """Write every quad to ``path`` (N-Quads, or TriG when the name ends with .trig).
        Returns the number of quads written."""
        ...


class WriteStore(ReadStore, Protocol):
    """What the load pipeline and the admin commands may do."""

    def replace_graphs(self, spool: QuadSpool) -> None:
        """Atomically replace every graph named in ``spool`` by the spool's content: either all
        graphs are replaced, or (on failure or kill) the store is left exactly as before."""
        ...

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 update as one transaction. Raises ``QueryRejected`` on bad
        syntax; the store is unchanged when it fails."""
        ...

    def drop_graphs(self, graphs: list[str]) -> None:
        """Atomically remove the named graphs."""
        ...

    def optimize(self) -> None:
        """Compact the storage after a batch of writes (a no-op where the store does it)."""
        ...

    def restore(self, path: Path) -> int:
        """Replace the whole store content by a dump (N-Quads or TriG). Atomic."""
        ...

    def backup(self, target: Path) -> None:
        """Write a consistent copy of the store into the new directory ``target``."""
        ...

    def reader(self) -> ReadStore:
        """A read-only view of this store."""
        ...
