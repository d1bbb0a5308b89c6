"""The search index's facets and sort keys as arrays, for counting and ordering in memory.

SQLite FTS5 finds the documents that match words; what made a search slow at 100,000
collections was counting facets over the hits in SQL (a join of every hit with its facet rows
and a GROUP BY: 231 ms p50 when a word matched half the collections). Here the facet rows are
read once per state of the index file into two parallel arrays (document, facet value), and a
search counts them with one ``numpy.bincount`` over the entries of the hit documents; filters
are unions of each value's documents (a slice of the entries sorted by value), intersected
as boolean masks; pages are ordered on precomputed ranks (title, date) without SQL.

The arrays follow the index: every rebuild and update writes a new ``meta.state``, and
:meth:`Columns.current` reloads the arrays when the state a search reads is not the one they
were read from, so a search never counts facets of another state than the one its SQL reads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

_NO_DATE = np.iinfo(np.int64).max  # documents without a date sort last


_lock = threading.Lock()
_cache: dict[Path, Columns] = {}
_T = TypeVar("_T", bound="_HasState")


class _HasState(Protocol):
    state: str


def per_state(cache: dict[Path, _T], lock: threading.Lock, path: Path, state: str,
              read: Callable[[], _T]) -> _T:
    """What ``cache`` keeps for the index at ``path`` if it was read from ``state``, else
    ``read()`` (once: concurrent searches of a new state wait for the first to read it)."""
    cached = cache.get(path)
    if cached is not None and cached.state == state:
        return cached
    with lock:
        cached = cache.get(path)
        if cached is None or cached.state != state:
            cached = cache[path] = read()
        return cached


@dataclass
class Columns:
    """One state of the index, as arrays indexed by document rowid and by facet value id.

    Value ids are dense and ordered by (facet, value), so the values of one facet are one
    range of ids and ties of counts fall back to the value's order, as the SQL did."""

    state: str  # the index's ``meta.state``, new at every rebuild and update
    present: Mask  # rowid -> the document exists
    entry_doc: Ints  # the facet rows' documents, sorted by value id
    entry_value: Ints  # the facet rows' value ids (ascending)
    value_start: Ints  # value id -> its first entry (value_start[-1] = number of entries)
    values: list[tuple[str, str, str]]  # value id -> (facet, value, label)
    ids: dict[tuple[str, str], int]
    facet_ranges: dict[str, tuple[int, int]]  # facet -> [first id, last id + 1)
    title_rank: Ints  # rowid -> rank by (title key, id)
    date_key: Ints  # rowid -> first year (_NO_DATE when none)

    @classmethod
    def current(cls, path: Path, con: sqlite3.Connection, state: str) -> Columns:
        """The arrays of the index state ``con`` reads: ``state`` was read by ``con`` inside
        the read transaction it is still in, so no write can come between it and the reads
        (a rebuild renames a new file over the path: ``con`` keeps reading the old one)."""
        return per_state(_cache, _lock, path, state, lambda: cls._read(con, state))

    @classmethod
    def _read(cls, con: sqlite3.Connection, state: str) -> Columns:
        values = con.execute("SELECT rowid, facet, value, label FROM facet_totals"
                             " ORDER BY facet, value").fetchall()
        top = max((r[0] for r in values), default=0)
        dense = np.full(top + 1, -1, dtype=np.int64)  # facet_totals rowid -> value id
        dense[[r[0] for r in values]] = np.arange(len(values), dtype=np.int64)
        ranges: dict[str, tuple[int, int]] = {}
        for i, (_, facet, _, _) in enumerate(values):
            first, _ = ranges.get(facet, (i, i))
            ranges[facet] = (first, i + 1)
        pairs = con.execute("SELECT f.rowid, t.rowid FROM facets f JOIN facet_totals t"
                            " ON t.facet = f.facet AND t.value = f.value").fetchall()
        flat = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        docs_rows = con.execute("SELECT rowid, start FROM docs ORDER BY title_key, id"
                                ).fetchall()
        n = max((r[0] for r in docs_rows), default=0) + 1
        present = np.zeros(n, dtype=np.bool_)
        title_rank = np.zeros(n, dtype=np.int64)
        date_key = np.full(n, _NO_DATE, dtype=np.int64)
        if docs_rows:
            rowids = np.array([r[0] for r in docs_rows], dtype=np.int64)
            present[rowids] = True
            title_rank[rowids] = np.arange(len(rowids), dtype=np.int64)
            dated = [(r[0], r[1]) for r in docs_rows if r[1] is not None]
            if dated:
                d = np.array(dated, dtype=np.int64)
                date_key[d[:, 0]] = d[:, 1]
        entry_value = dense[flat[:, 1]] if len(flat) else np.zeros(0, dtype=np.int64)
        entry_doc = flat[:, 0] if len(flat) else np.zeros(0, dtype=np.int64)
        order = np.argsort(entry_value, kind="stable")
        entry_value, entry_doc = entry_value[order], entry_doc[order]
        value_start = np.searchsorted(entry_value, np.arange(len(values) + 1))
        return cls(state, present, entry_doc, entry_value, value_start,
                   [(f, v, label) for _, f, v, label in values],
                   {(f, v): i for i, (_, f, v, _) in enumerate(values)}, ranges, title_rank,
                   date_key)

    def docs_of(self, facet: str, values: list[str]) -> Mask:
        """The documents with any of ``values`` in ``facet``."""
        mask = np.zeros(len(self.present), dtype=np.bool_)
        for v in values:
            i = self.ids.get((facet, v))
            if i is not None:
                mask[self.entry_doc[self.value_start[i]:self.value_start[i + 1]]] = True
        return mask

    def counts(self, hits: Mask, facets: tuple[str, ...], limit: int
               ) -> dict[str, list[tuple[str, str, int]]]:
        """Per facet, its values among ``hits`` as (value, label, count), most frequent first
        (then by value), at most ``limit``."""
        per_value = np.bincount(self.entry_value[hits[self.entry_doc]],
                                minlength=len(self.values))
        out: dict[str, list[tuple[str, str, int]]] = {}
        for facet in facets:
            first, end = self.facet_ranges.get(facet, (0, 0))
            counts = per_value[first:end]
            found = np.flatnonzero(counts)
            if len(found) > limit:  # the limit-th largest count, then every value tied with it
                kth = -np.partition(-counts[found], limit - 1)[limit - 1]
                found = found[counts[found] >= kth]
            found = found[np.lexsort((found, -counts[found]))][:limit]
            out[facet] = [(self.values[first + i][1], self.values[first + i][2],
                           int(counts[i])) for i in found]
        return out

    def page(self, hits: Mask, score: npt.NDArray[np.float64] | None, sort: str, offset: int,
             limit: int) -> Ints:
        """The rowids of one page of ``hits``: by relevance (``score``, lower first, then
        title), by date (then title) or by title."""
        rows = np.flatnonzero(hits)
        want = offset + limit
        if sort == "relevance" and score is not None:
            primary: npt.NDArray[np.float64] | Ints = score[rows]
        elif sort == "date":
            primary = self.date_key[rows]
        else:
            primary = self.title_rank[rows]
        if 0 < want < len(rows):  # only what can reach the page is sorted
            kth = np.partition(primary, want - 1)[want - 1]
            keep = primary <= kth
            rows, primary = rows[keep], primary[keep]
        order = np.lexsort((self.title_rank[rows], primary))
        return rows[order][offset:want]
