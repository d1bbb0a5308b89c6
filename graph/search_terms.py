"""Words found and scored on arrays: FTS5's bm25, computed from postings kept in memory.

What was left of a word search's cost at 100,000 collections (#18) was FTS5 itself: a frequent
word ("fonds" is in 99% of the collections) made ``bm25()`` decode its doclist and its
positions and score every hit, 324 ms for one word. Here each word's postings (the rowids of
the documents holding it, and its frequency there weighted by column, as ``bm25()`` sums it)
are read once per state of the index from FTS5's own vocabulary (the ``fts5vocab`` instance
table), the most frequent words ahead of the first search (:meth:`Terms.warm`), the others at
their first search; a search then finds and scores its words with a few numpy operations over
their postings, the formula of FTS5's ``bm25()`` (``ext/fts5/fts5_aux.c``) evaluated in the
same order of operations, so the scores are those FTS5 gives, to the last bit. FTS5 still
serves what this does not cover (a word the index tokenizes in several parts, a prefix that
opens on many words).

Postings follow the index state as :class:`graph.search_arrays.Columns` do: they are read
through the connection of a search, inside the read transaction that read the state.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from graph.search_arrays import per_state

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

K1, B = 1.2, 0.75  # the constants of FTS5's bm25()
KEPT = 4_000_000  # postings kept per index state (16 bytes each): past it, read per search
WARM = 2_000_000  # postings read ahead, most frequent words first...
WARM_WORDS = 1_000  # ... at most so many words (a rare word is read fast at its first search)
EXPANSIONS = 64  # a prefix opening on more words not yet read is left to FTS5
_TOKEN = re.compile(r"[a-z0-9]+")  # a query word FTS5's unicode61 keeps as one token

_lock = threading.Lock()
_cache: dict[Path, Terms] = {}


def _varints(blob: bytes) -> list[int]:
    """The SQLite varints of an FTS5 ``docsize`` record (one token count per column)."""
    out, value, i = [], 0, 0
    while i < len(blob):
        byte = blob[i]
        i += 1
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            out.append(value)
            value = 0
    return out


@dataclass
class Terms:
    """The words of one index state: vocabulary, document lengths, postings read so far."""

    state: str
    vocab: list[str]  # every word of the index, sorted
    df: Ints  # word (vocab order) -> documents holding it
    length: Floats  # rowid -> tokens in the document, all columns (bm25's D)
    rows: int  # documents in the index
    avgdl: float
    weights: dict[str, float]  # column -> bm25 weight
    postings: dict[str, tuple[Ints, Floats]] = field(default_factory=dict)
    kept: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def current(cls, path: Path, con: sqlite3.Connection, state: str, size: int, table: str,
                weights: dict[str, float]) -> Terms:
        """The words of the index state ``con`` reads (in the read transaction that read
        ``state``), read once per state."""
        return per_state(_cache, _lock, path, state,
                         lambda: cls.read(con, state, size, table, weights))

    def is_current(self, path: Path) -> bool:
        """These are the words kept for the index at ``path`` (no newer state read since)."""
        return _cache.get(path) is self

    @classmethod
    def read(cls, con: sqlite3.Connection, state: str, size: int, table: str,
             weights: dict[str, float]) -> Terms:
        """The vocabulary and document lengths of the FTS5 ``table`` (``size``: one more
        than the largest rowid)."""
        _vocab_tables(con, table)
        vocab = con.execute(f"SELECT term, doc FROM temp.{table}_rows ORDER BY term").fetchall()
        length = np.zeros(size, dtype=np.float64)
        sizes = con.execute(f"SELECT id, sz FROM {table}_docsize").fetchall()
        if sizes:
            ids = np.fromiter((r[0] for r in sizes), dtype=np.int64, count=len(sizes))
            blob = b"".join(r[1] for r in sizes)
            columns = len(weights)
            if len(blob) == columns * len(sizes) and max(blob) < 0x80:  # one byte each
                counts = np.frombuffer(blob, dtype=np.uint8).reshape(-1, columns).sum(axis=1)
            else:
                counts = np.array([sum(_varints(r[1])) for r in sizes], dtype=np.int64)
            length[ids] = counts
        rows = len(sizes)
        avgdl = float(length.sum()) / rows if rows else 1.0
        return cls(state, [r[0] for r in vocab],
                   np.fromiter((r[1] for r in vocab), dtype=np.int64, count=len(vocab)),
                   length, rows, avgdl, weights)

    def expand(self, term: str, prefix: bool) -> list[int]:
        """The vocabulary positions a query word matches: itself, or every word it opens."""
        i = bisect_left(self.vocab, term)
        if not prefix:
            return [i] if i < len(self.vocab) and self.vocab[i] == term else []
        j = i
        while j < len(self.vocab) and self.vocab[j].startswith(term):
            j += 1
        return list(range(i, j))

    def _postings(self, con: sqlite3.Connection, table: str, word: str
                  ) -> tuple[Ints, Floats]:
        """The documents holding ``word`` (ascending) and its weighted frequency in each."""
        found = self.postings.get(word)
        if found is not None:
            return found
        case = " ".join(f"WHEN '{c}' THEN {w!r}" for c, w in self.weights.items())
        rows = con.execute(f"SELECT doc, CASE col {case} ELSE 1.0 END FROM"
                           f" temp.{table}_instances WHERE term = ?", (word,)).fetchall()
        pairs = np.array(rows, dtype=np.float64).reshape(-1, 2)
        read = _summed(pairs[:, 0].astype(np.int64), pairs[:, 1])
        with self.lock:
            if self.kept + len(read[0]) <= KEPT and word not in self.postings:
                self.postings[word] = read
                self.kept += len(read[0])
        return read

    def warm(self, con: sqlite3.Connection, table: str, budget: int = WARM,
             words: int = WARM_WORDS, until: Callable[[], bool] | None = None) -> int:
        """Read the postings of the most frequent words, up to ``budget`` documents and
        ``words`` words in all, or until ``until()``; returns how many words were read."""
        _vocab_tables(con, table)
        n, spent = 0, 0
        for i in np.argsort(-self.df, kind="stable")[:words]:
            if spent + int(self.df[i]) > budget or (until is not None and until()):
                break
            self._postings(con, table, self.vocab[i])
            spent += int(self.df[i])
            n += 1
        return n

    def score(self, con: sqlite3.Connection, table: str,
              terms: Sequence[tuple[str, bool]]) -> tuple[Mask, Floats] | None:
        """The documents holding every query word (a prefix: any word it opens) and their
        ``bm25()`` as FTS5 computes it for the same query; None when FTS5 should answer
        (a word FTS5 splits, a prefix opening on many words not yet read)."""
        size = len(self.length)
        _vocab_tables(con, table)  # for the words not read yet
        matched: list[tuple[Ints, Floats]] = []
        for term, prefix in terms:
            if not _TOKEN.fullmatch(term):
                return None
            words = [self.vocab[i] for i in self.expand(term, prefix)]
            if sum(1 for w in words if w not in self.postings) > EXPANSIONS:
                return None
            parts = [self._postings(con, table, w) for w in words]
            if not parts:
                return np.zeros(size, dtype=np.bool_), np.zeros(size, dtype=np.float64)
            if len(parts) == 1:
                matched.append(parts[0])
            else:  # a prefix is one phrase: its words' frequencies add up in a document
                matched.append(_summed(np.concatenate([p[0] for p in parts]),
                                       np.concatenate([p[1] for p in parts])))
        count = np.zeros(size, dtype=np.int64)
        for docs, _ in matched:
            count[docs] += 1
        hits = count == len(matched)
        score = np.zeros(size, dtype=np.float64)
        for docs, freq in matched:
            idf = math.log((self.rows - len(docs) + 0.5) / (len(docs) + 0.5))
            if idf <= 0.0:
                idf = 1e-6
            keep = hits[docs]
            docs, f = docs[keep], freq[keep]
            # bm25() of fts5_aux.c, operation for operation:
            # idf * ((f * (k1 + 1)) / (f + k1 * (1 - b + b * D / avgdl)))
            norm = K1 * ((1 - B) + (B * self.length[docs]) / self.avgdl)
            score[docs] += idf * ((f * (K1 + 1.0)) / (f + norm))
        score[hits] = -1.0 * score[hits]
        return hits, score


def _summed(docs: npt.NDArray[np.int64], freq: npt.NDArray[np.float64]
            ) -> tuple[Ints, Floats]:
    """Each document once (ascending), with the sum of its frequencies."""
    unique, inverse = np.unique(docs, return_inverse=True)
    return (unique.astype(np.int64),
            np.bincount(inverse, weights=freq, minlength=len(unique)).astype(np.float64))


def _vocab_tables(con: sqlite3.Connection, table: str) -> None:
    """This connection's views of FTS5's vocabulary (temporary: the file is not changed)."""
    con.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_rows USING"
                f" fts5vocab(main, {table}, row)")
    con.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{table}_instances USING"
                f" fts5vocab(main, {table}, instance)")
