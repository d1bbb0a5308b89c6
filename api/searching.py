"""The search index follows writes made through the server, off the request path.

A search never waits for the index to be rebuilt (before, the first search after a write
rebuilt the whole index in the request: 21 s p50 under a write every 0.5 s, measured). Each
write tells :class:`SearchFollower` which named graphs it changed; one background thread then
brings the index up to date, taking the writes that piled up meanwhile together:

- when they touched notice graphs only (``/graph/ead/``, ``/graph/dc/``), the documents of the
  collections described in those graphs, before or after the write, are collected again and
  replaced in place, facet totals adjusted (``SqliteSearchIndex.update``);
- otherwise (an authority, a list, an unknown graph, a SPARQL update whose graphs are not
  known), the whole index is rebuilt into a new file renamed over the old one.

The follower reads the store with the server's own reader (the newest snapshot, in process,
outside the query pool: heavy public queries cannot hold it back). Searches read the last
complete state meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

from api.views import release_memory
from graph.base import ReadStore
from graph.common import scopes
from graph.search import SqliteSearchIndex, collect_documents, index_path, refresh
from ontology import SPARQL_PREFIXES

log = logging.getLogger("collex.search")
NOTICE_GRAPHS = ("/graph/ead/", "/graph/dc/")
INCREMENTAL_MAX_GRAPHS = 200  # past this, a rebuild is cheaper than piecewise updates


class SearchFollower:
    def __init__(self, own: Callable[[], AbstractContextManager[ReadStore]], store_dir: Path,
                 version: Callable[[ReadStore], str | None]) -> None:
        self._own = own
        self.index = SqliteSearchIndex(index_path(store_dir))
        self._store_dir = store_dir
        self._version = version
        self._cv = threading.Condition()
        self._pending: set[str] | None = set()  # graphs changed; None: unknown, rebuild
        self._requested = 0
        self._applied = 0
        self._build_lock = threading.Lock()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._checked = False  # the index's data version was compared with the store's

    @property
    def applied(self) -> int:
        """How many rebuilds for writes this follower has applied (answers' caching keys)."""
        return self._applied

    def ensure_built(self) -> SqliteSearchIndex:
        """The index, built first (in the caller) if there is none or it reflects another
        data version than the store's (a load made by ``collex load`` since)."""
        if self.index.exists() and self._checked:
            return self.index
        with self._build_lock:
            if not self._checked or not self.index.exists():
                with self._own() as reader:
                    version = self._version(reader)
                    if not self.index.exists() or self.index.version() != version:
                        refresh(reader, self._store_dir, version)
                self.index.warm()
                self._checked = True
        return self.index

    def changed(self, graphs: Iterable[str] | None) -> None:
        """A write changed ``graphs`` (None: not known which)."""
        with self._cv:
            self._requested += 1
            if graphs is None or self._pending is None:
                self._pending = None
            else:
                self._pending.update(graphs)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="collex-search",
                                                daemon=True)
                self._thread.start()
            self._cv.notify_all()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def _run(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: self._closed or self._requested > self._applied)
                if self._closed:
                    return
                pending, self._pending = self._pending, set()
                target = self._requested
            try:
                self._apply(pending)
            except Exception:  # searches keep the last state; try once more from scratch
                log.exception("the search index could not follow a write; rebuilding it")
                try:
                    self._apply(None)
                except Exception:
                    log.exception("the search index could not be rebuilt")
            release_memory()
            with self._cv:
                self._applied = target
                self._cv.notify_all()

    def _apply(self, graphs: set[str] | None) -> None:
        self._follow(graphs)
        self.index.warm()  # the next search finds its facet arrays read

    def _follow(self, graphs: set[str] | None) -> None:
        with self._build_lock, self._own() as reader:
            if (graphs is None or not self.index.exists() or len(graphs) > INCREMENTAL_MAX_GRAPHS
                    or not all(any(k in g for k in NOTICE_GRAPHS) for g in graphs)):
                refresh(reader, self._store_dir, self._version(reader))
                self._checked = True
                return
            if not graphs:
                return
            ids = self.index.ids_in(graphs)
            for scope in scopes("g", graphs):
                ids.update(str(getattr(r["c"], "value", "")) for r in reader.iter_select(
                    SPARQL_PREFIXES + f"SELECT DISTINCT ?c WHERE {{ {scope} GRAPH ?g {{ ?c a"
                    " dcmitype:Collection } }"))
            if ids:
                self.index.update(collect_documents(reader, only=ids), ids)
