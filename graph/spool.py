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
from typing import IO

from rdflib.term import Node

from graph.ntriples import term


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
        fd, name = tempfile.mkstemp(prefix="collex-spool-", suffix=".nq", dir=directory)
        self.path = Path(name)
        self._file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.graphs: dict[str, int] = {}
        self.quads = 0

    def add_graph(self, graph: str, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Append the whole content of ``graph``. A graph may be added once only."""
        if graph in self.graphs:
            raise ValueError(f"graph {graph} is already in this spool")
        g = f"<{graph}>"
        count = 0
        lines = []
        for s, p, o in triples:
            lines.append(f"{term(s)} {term(p)} {term(o)} {g} .\n")
            count += 1
        self._file.writelines(lines)
        self.graphs[graph] = count
        self.quads += count
        return count

    def close(self) -> Path:
        """Flush the file and return its path (the spool can still be read, not added to)."""
        if not self._file.closed:
            self._file.close()
        return self.path

    def discard(self) -> None:
        """Close and delete the spool file."""
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
