"""A spool of quads waiting to be written: a temporary N-Quads file plus the graphs it fills.

Writing through a file keeps memory flat whatever the size of a load, and lets the embedded
store ingest it with its fast bulk loader.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from rdflib.term import Node

from graph.ntriples import term


class QuadSink(Protocol):
    """Where a store may take the spool's quads while they are produced (see
    ``graph.embedded.BulkStream``). Nothing it receives is visible before ``commit``."""

    live: bool

    def accepts(self, graph: str) -> bool:
        """False when the graph needs replacing (not a plain addition): it is not sent to
        the sink, and the store replaces it from the spool file."""
        ...

    def write(self, lines: list[str]) -> None: ...

    def abort(self) -> None:
        """Give up: nothing the sink received is written."""
        ...


class QuadSpool:
    """Collects the content of whole named graphs before an atomic write.

    >>> from rdflib import Literal, URIRef
    >>> with QuadSpool() as spool:
    ...     spool.add_graph("http://ex.org/g", [(URIRef("http://ex.org/s"),
    ...                     URIRef("http://ex.org/p"), Literal("o"))])
    ...     spool.graphs
    1
    {'http://ex.org/g': 1}
    """

    def __init__(self, directory: Path | None = None) -> None:
        # the process id in the name: a spool left by a killed load is told from a live one
        # and removed by the next writer (graph.embedded.remove_stale_spools)
        fd, name = tempfile.mkstemp(prefix=f"collex-spool-{os.getpid()}-", suffix=".nq",
                                    dir=directory)
        self.path = Path(name)
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.graphs: dict[str, int] = {}
        self.quads = 0
        self.stream: QuadSink | None = None  # set by a store that ingests while we convert

    def add_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]],
                  append: bool = False) -> int:
        """Append the whole content of ``graph``. A graph may be added once only, unless
        each addition says ``append`` (a record written in parts)."""
        if graph in self.graphs and not append:
            raise ValueError(f"graph {graph} is already in this spool")
        tail = f" <{graph}> .\n"
        forms: dict[Node, str] = {}  # subjects and predicates repeat within a graph
        lines = []
        for s, p, o in triples:
            s_form = forms.get(s)
            if s_form is None:
                s_form = forms[s] = term(s)
            p_form = forms.get(p)
            if p_form is None:
                p_form = forms[p] = term(p)
            lines.append(f"{s_form} {p_form} {term(o)}{tail}")
        count = len(lines)
        self._file.writelines(lines)
        stream = self.stream
        if stream is not None and stream.live and stream.accepts(graph):
            stream.write(lines)  # a graph it does not accept is written from the spool file
        self.graphs[graph] = self.graphs.get(graph, 0) + count
        self.quads += count
        return count

    def close(self) -> Path:
        """Flush the file and return its path (the spool can still be read, not added to)."""
        if not self._file.closed:
            self._file.close()
        return self.path

    def discard(self) -> None:
        """Close and delete the spool file (and give up a stream not committed)."""
        if self.stream is not None and self.stream.live:
            self.stream.abort()
        self.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> QuadSpool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()
