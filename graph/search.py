"""Full-text search and facets over collections: an embedded SQLite FTS5 index beside the store.

``SearchIndex`` is the interface (a server engine such as OpenSearch or Meilisearch can take
over at larger scale); ``SqliteSearchIndex`` implements it in one file next to the store
(``{COLLEX_STORE_DIR}.search.sqlite``). Documents are built from the store by SPARQL
(:func:`collect_documents`) and the index is rebuilt after every load, atomically (a new file
renamed over the old one); writes through the server update it in place
(:meth:`SqliteSearchIndex.update`, driven by ``api.searching``). The indexed text is kept in
``doc_text``, the FTS5 table's external content, so that a document can be deleted.

Text is analysed French-style (:func:`analyse`), in the index and in queries alike: case and
accents are ignored (``ecole`` finds ``École``), elided articles and pronouns dropped
(``l'école`` is ``école``), words reduced to their Snowball French stem (``manuscrit`` finds
``manuscrits``, ``archive`` finds ``Archives``); prefixes work (``manus*``). The index keeps
the analysed text for matching (``doc_stems``, the FTS5 table's external content) and the text
as written (``doc_text``) for the snippets that show why a result matched
(:func:`snippets`), components included: each component of a finding aid is one segment of
the ``components`` field (its title and access points), so a name found only in a component
is shown with that component.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import Stemmer

from graph.base import ReadStore
from graph.common import CONCEPT_CLASS, entity_kinds, scopes
from graph.search_arrays import Columns
from graph.search_terms import Terms
from ontology import SPARQL_PREFIXES

log = logging.getLogger("collex.search")

FIELDS = ("title", "description", "subjects", "agents", "places", "components")
WEIGHTS = (10.0, 2.0, 4.0, 3.0, 2.0, 1.5)  # bm25 column weights: titles, access points first
SCHEMA = "5"  # the index layout; an index of another layout is rebuilt (its version is None)
SEPARATOR = " | "  # between the values of one field (a component is one value)
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’ʼ]", re.IGNORECASE)
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = Stemmer.Stemmer("french")
_STEMS: dict[str, str] = {}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe").replace(
        "æ", "ae").replace("Æ", "ae")).encode("ascii", "ignore").decode()


def stem(word: str) -> str:
    """The Snowball French stem of a word, accents then removed.

    >>> [stem(w) for w in ("manuscrits", "Manuscrit", "archives", "École", "écoles")]
    ['manuscr', 'manuscr', 'archiv', 'ecol', 'ecol']
    """
    found = _STEMS.get(word)
    if found is None:
        lower = word.lower()
        # the plural first: Snowball alone gives "manuscrits" -> "manuscrit" but
        # "manuscrit" -> "manuscr"
        if len(lower) > 3 and lower[-1] in "sx" and lower[-2] not in "sx":
            lower = lower[:-1]
        found = _ascii(_STEMMER.stemWord(lower)) or _ascii(word.lower())
        if len(_STEMS) < 500_000:
            _STEMS[word] = found
    return found


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) of each word of ``text`` as written, elisions left out.

    >>> [(text[a:b], s) for text in ["L'École d’Athènes"] for a, b, s in words(text)]
    [('École', 'ecol'), ('Athènes', 'athen')]
    """
    out = []
    for m in _WORD.finditer(_ELISION.sub(lambda e: " " * len(e.group()), text)):
        token = m.group()
        if token.isdigit() or not token.isnumeric():
            out.append((m.start(), m.end(), stem(token)))
    return out


def analyse(text: str) -> str:
    """The text as the index matches it: the stems, space-separated.

    >>> analyse("Manuscrits de l'Observatoire (XVIIe-XIXe siècles)")
    'manuscr de observatoir xvii xix siecl'
    """
    return " ".join(s for _, _, s in words(text))


FACETS = ("discipline", "institution", "region", "department", "network", "subject", "level",
          "century", "language", "place", "collex")
SORTS = ("relevance", "title", "date")


@dataclass
class Document:
    """One collection as the search engine sees it."""

    id: str  # the collection IRI
    title: str
    text: dict[str, str]  # field -> text: description, subjects, agents, places
    facets: dict[str, list[tuple[str, str]]]  # facet -> [(value, label)]
    start: int | None = None  # first year, for sorting by date
    summary: dict[str, object] = field(default_factory=dict)  # what a result list shows
    graphs: list[str] = field(default_factory=list)  # the named graphs that describe it
    parts: list[str] = field(default_factory=list)  # component keys, one per components value


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResult:
    total: int
    items: list[dict[str, object]]
    facets: dict[str, list[FacetValue]]


class SearchIndex(Protocol):
    def rebuild(self, documents: Iterable[Document]) -> int:
        """Replace the whole index; returns the number of documents."""
        ...

    def update(self, documents: Iterable[Document], ids: Iterable[str]) -> int:
        """Replace the documents of the collections ``ids`` (removed when not in
        ``documents``); returns the number of documents written."""
        ...

    def search(self, text: str, filters: Mapping[str, Sequence[str]], *, sort: str = "relevance",
               offset: int = 0, limit: int = 20, facet_limit: int = 20) -> SearchResult:
        """Matching documents (AND across facets, OR within one) and facet counts."""
        ...


def query_terms(text: str) -> list[tuple[str, bool]]:
    """(stem, prefix) of each word of a user query (at most 32), analysed as the index is;
    a trailing ``*`` asks for prefix search (on the stem: stems only lose endings, so the
    stem of a prefix is a prefix of the words' stems).

    >>> query_terms("l'école Manuscrits sup* écoles*")
    [('ecol', False), ('manuscr', False), ('sup', True), ('ecol', True)]
    """
    terms: list[tuple[str, bool]] = []
    for m in re.finditer(r"[\w'’ʼ-]+\*?", text, flags=re.UNICODE):
        found = [(s, False) for _, _, s in words(m.group().rstrip("*")) if s]
        if found and m.group().endswith("*"):
            found[-1] = (found[-1][0], True)
        terms.extend(found)
    return terms[:32]


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from user text: the analysed words ANDed, quotes and operators
    neutralised, a trailing ``*`` kept for prefixes.

    >>> fts_query('École "normale"  sup*'), fts_query("  "), fts_query("OR AND")
    ('"ecol" "normal" "sup"*', None, '"or" "and"')
    """
    parts = [f'"{t}"' + ("*" if prefix else "") for t, prefix in query_terms(text)]
    return " ".join(parts) or None


def analysed_field(text: str) -> str:
    """A field as the index keeps it: each value (``SEPARATOR``-separated) analysed, the
    separators kept, so that value *i* of the analysed field is value *i* of the text."""
    return SEPARATOR.join(analyse(value) for value in text.split(SEPARATOR))


def snippets(fields: Mapping[str, str], stems: Mapping[str, str],
             terms: Sequence[tuple[str, bool]], limit: int = 3, width: int = 160,
             keys: Sequence[str] = ()) -> tuple[list[dict[str, object]], int]:
    """Why a document matched: up to ``limit`` values (a title, a subject, a component...)
    holding query words, each cut to about ``width`` characters around them, with the
    words' offsets (a component's with its ``component`` key, from ``keys``: the components
    field's values in order); and how many components hold one. ``stems`` are the fields as analysed
    (:func:`analysed_field`): values are matched there (a finding aid's 12,000 components
    are one field), and only the values shown are analysed again for the offsets.

    >>> text = {"components": "Lettres | Carnet de Victor Hugo"}
    >>> found, n = snippets(text, {k: analysed_field(v) for k, v in text.items()},
    ...                     [("hugo", False)])
    >>> found, n
    ([{'field': 'components', 'text': 'Carnet de Victor Hugo', 'highlights': [[17, 21]]}], 1)
    >>> snippets(text, {k: analysed_field(v) for k, v in text.items()}, [("hugo", False)],
    ...          keys=["c-1", "c-2"])[0][0]["component"]
    'c-2'
    """
    wanted = {t for t, prefix in terms if not prefix}
    prefixes = tuple(t for t, prefix in terms if prefix)

    def hit(stem_: str) -> bool:
        return stem_ in wanted or (bool(prefixes) and stem_.startswith(prefixes))

    out: list[dict[str, object]] = []
    components = 0
    for name in FIELDS:
        values = (fields.get(name) or "").split(SEPARATOR)
        analysed = (stems.get(name) or "").split(SEPARATOR)
        for i, analysed_value in enumerate(analysed):
            if i >= len(values) or not any(hit(x) for x in analysed_value.split()):
                continue
            if name == "components":
                components += 1
            # at most ``limit`` values, and the first component's beyond it (it leads into
            # the tree)
            if len(out) >= limit and (name != "components" or components > 1 or len(out) > limit):
                continue
            value = values[i]
            marks = [[a, b] for a, b, s in words(value) if hit(s)]
            if not marks:
                continue
            start = max(0, marks[0][0] - width // 3)
            end = min(len(value), max(marks[0][1] + width // 2, start + width))
            if start > 0:  # cut at a word boundary
                space = value.find(" ", start)
                start = space + 1 if 0 <= space < marks[0][0] else start
            text = ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")
            shift = start - (1 if start else 0)
            found: dict[str, object] = {"field": name, "text": text, "highlights": [
                [a - shift, b - shift] for a, b in marks if a >= start and b <= end]}
            if name == "components" and i < len(keys):
                found["component"] = keys[i]
            out.append(found)
    return out, components


class SqliteSearchIndex:
    """SQLite FTS5 implementation; readers open the file per call (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        return con

    def exists(self) -> bool:
        return self.path.exists()

    def version(self) -> str | None:
        """The data version the index was built from (see ``loaders.derived.state``)."""
        if not self.path.exists():
            return None
        try:
            con = self._connect()
            try:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            finally:
                con.close()
        except sqlite3.Error:
            return None
        if meta.get("schema") != SCHEMA:  # an index of an older layout: rebuilt
            return None
        return str(meta["version"]) if "version" in meta else None

    def rebuild(self, documents: Iterable[Document], version: str | None = None) -> int:
        tmp = self.path.with_name(self.path.name + ".part")
        tmp.unlink(missing_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(tmp)
        con.executescript("""
            CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT,
                               title_key TEXT, start INTEGER, summary TEXT);
            CREATE TABLE doc_text (rowid INTEGER PRIMARY KEY, title TEXT, description TEXT,
                                   subjects TEXT, agents TEXT, places TEXT, components TEXT);
            CREATE TABLE doc_stems (rowid INTEGER PRIMARY KEY, title TEXT, description TEXT,
                                    subjects TEXT, agents TEXT, places TEXT, components TEXT);
            CREATE VIRTUAL TABLE text USING fts5(title, description, subjects, agents, places,
                components, tokenize = 'unicode61 remove_diacritics 2',
                content = 'doc_stems', content_rowid = 'rowid');
            CREATE TABLE facets (rowid INTEGER, facet TEXT, value TEXT, label TEXT);
            CREATE TABLE doc_graphs (rowid INTEGER, graph TEXT);
            CREATE TABLE doc_parts (rowid INTEGER PRIMARY KEY, keys TEXT);
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        """)
        if version is not None:
            con.execute("INSERT INTO meta VALUES ('version', ?)", (version,))
        con.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
        con.execute("INSERT INTO meta VALUES ('state', ?)", (uuid.uuid4().hex,))
        n = 0
        for n, doc in enumerate(documents, start=1):
            self._insert(con, n, doc)
        con.executescript("CREATE INDEX doc_graphs_g ON doc_graphs (graph, rowid);"
                          "CREATE INDEX facets_fv ON facets (facet, value, rowid);"
                          "CREATE INDEX facets_row ON facets (rowid, facet, value);"
                          "CREATE TABLE facet_totals AS SELECT facet, value, MIN(label) AS label,"
                          " COUNT(*) AS n FROM facets GROUP BY facet, value;"
                          "CREATE UNIQUE INDEX facet_totals_fv ON facet_totals (facet, value);")
        con.commit()
        con.close()
        with self._lock:
            os.replace(tmp, self.path)
        return n

    @staticmethod
    def _insert(con: sqlite3.Connection, rowid: int, doc: Document) -> None:
        con.execute("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                    (rowid, doc.id, doc.title, _fold(doc.title), doc.start,
                     json.dumps(doc.summary, ensure_ascii=False)))
        fields = (doc.title, *(doc.text.get(f, "") for f in FIELDS[1:]))
        stems = tuple(analysed_field(f) for f in fields)
        con.execute("INSERT INTO doc_text VALUES (?, ?, ?, ?, ?, ?, ?)", (rowid, *fields))
        con.execute("INSERT INTO doc_stems VALUES (?, ?, ?, ?, ?, ?, ?)", (rowid, *stems))
        con.execute("INSERT INTO text (rowid, title, description, subjects, agents, places,"
                    " components) VALUES (?, ?, ?, ?, ?, ?, ?)", (rowid, *stems))
        con.executemany("INSERT INTO facets VALUES (?, ?, ?, ?)",
                        [(rowid, f, v, label) for f, values in doc.facets.items()
                         for v, label in values])
        con.executemany("INSERT INTO doc_graphs VALUES (?, ?)",
                        [(rowid, g) for g in sorted(set(doc.graphs))])
        if doc.parts:
            con.execute("INSERT INTO doc_parts VALUES (?, ?)", (rowid, "\n".join(doc.parts)))

    def update(self, documents: Iterable[Document], ids: Iterable[str],
               version: str | None = None) -> int:
        """Replace, in place and in one transaction, the documents of the collections
        ``ids``: those gone from the store are removed, ``documents`` (re)inserted, and the
        facet totals adjusted by what changed. Readers see the old state or the new one."""
        documents = list(documents)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            with con:
                changed: Counter[tuple[str, str]] = Counter()
                labels: dict[tuple[str, str], str] = {}
                for ident in set(ids) | {d.id for d in documents}:
                    row = con.execute("SELECT rowid FROM docs WHERE id = ?", (ident,)).fetchone()
                    if row is None:
                        continue
                    for facet, value in con.execute(
                            "SELECT facet, value FROM facets WHERE rowid = ?", (row[0],)):
                        changed[(facet, value)] -= 1
                    con.execute("INSERT INTO text (text, rowid, title, description, subjects,"
                                " agents, places, components) SELECT 'delete', rowid, title,"
                                " description, subjects, agents, places, components FROM"
                                " doc_stems WHERE rowid = ?", row)
                    for table in ("docs", "doc_text", "doc_stems", "facets", "doc_graphs",
                                  "doc_parts"):
                        con.execute(f"DELETE FROM {table} WHERE rowid = ?", row)
                for doc in documents:
                    rowid = con.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM docs"
                                        ).fetchone()[0]
                    self._insert(con, rowid, doc)
                    for facet, values in doc.facets.items():
                        for value, label in values:
                            changed[(facet, value)] += 1
                            labels.setdefault((facet, value), label)
                for (facet, value), delta in changed.items():
                    if delta == 0:
                        continue
                    con.execute("INSERT INTO facet_totals (facet, value, label, n) VALUES"
                                " (?, ?, ?, ?) ON CONFLICT (facet, value) DO UPDATE SET"
                                " n = n + excluded.n", (facet, value,
                                                        labels.get((facet, value), value), delta))
                con.execute("DELETE FROM facet_totals WHERE n <= 0")
                con.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)",
                            (uuid.uuid4().hex,))
                if version is not None:
                    con.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
        finally:
            con.close()
        return len(documents)

    def ids_in(self, graphs: Iterable[str]) -> set[str]:
        """The collections whose documents came from any of ``graphs``."""
        con = self._connect()
        try:
            out: set[str] = set()
            for g in set(graphs):
                out.update(r[0] for r in con.execute(
                    "SELECT d.id FROM doc_graphs g JOIN docs d ON d.rowid = g.rowid"
                    " WHERE g.graph = ?", (g,)))
            return out
        finally:
            con.close()

    def _columns(self, con: sqlite3.Connection) -> Columns:
        """The arrays of the state ``con`` reads, from now on in one read transaction."""
        return Columns.current(self.path, con, _state(con))

    def _terms(self, con: sqlite3.Connection, cols: Columns) -> Terms:
        """The words of the state ``con`` reads (after :meth:`_columns`)."""
        return Terms.current(self.path, con, cols.state, len(cols.present), "text",
                             dict(zip(FIELDS, WEIGHTS, strict=True)))

    def warm(self) -> None:
        """Read the arrays and the vocabulary of the index's current state now (after a
        rebuild or an update, in the thread that made it), not in the next search; then, in
        a thread of its own, the postings of its most frequent words (seconds at 100,000
        collections: neither the first search nor the follower of writes waits for them)."""
        if self.path.exists():
            con = self._connect()
            try:
                terms = self._terms(con, self._columns(con))
            finally:
                con.close()
            threading.Thread(target=self._read_ahead, args=(terms,), daemon=True,
                             name="collex-search-postings").start()

    def _read_ahead(self, terms: Terms) -> None:
        """The postings of ``terms``' most frequent words, read while that state is the
        index's (a newer state stops it: its own reading takes over)."""
        con = self._connect()

        def moved_on() -> bool:
            # one word per read transaction: a write's commit waits for one word at most, not
            # for the whole reading (seconds, during which every new search waited behind the
            # write's lock: 500s after SQLite's 5 s, a soak with writes, measured)
            con.commit()
            return _state(con) != terms.state or not terms.is_current(self.path)

        try:
            if _state(con) == terms.state:
                terms.warm(con, "text", until=moved_on)
        except sqlite3.Error as exc:  # a search reads the words it needs itself
            log.warning("could not read the search postings ahead: %s", exc)
        finally:
            con.close()

    def search(self, text: str, filters: Mapping[str, Sequence[str]], *, sort: str = "relevance",
               offset: int = 0, limit: int = 20, facet_limit: int = 20) -> SearchResult:
        if not self.path.exists():
            return SearchResult(0, [], {f: [] for f in FACETS})
        con = self._connect()
        try:
            cols = self._columns(con)
            terms = query_terms(text)
            match = fts_query(text)
            active = {f: [v for v in vs if v] for f, vs in filters.items()
                      if f in FACETS and any(vs)}
            score = None
            scored = self._terms(con, cols).score(con, "text", terms) if match else None
            if scored is not None:  # words found and scored on their postings
                hits, score = scored
            elif match:  # FTS5 finds and scores; the rest is counted on the arrays
                found = con.execute("SELECT rowid, bm25(text, " + ", ".join(map(str, WEIGHTS))
                                    + ") FROM text WHERE text MATCH ?", (match,)).fetchall()
                hits = np.zeros(len(cols.present), dtype=np.bool_)
                score = np.zeros(len(cols.present), dtype=np.float64)
                if found:
                    rowids = np.fromiter((r[0] for r in found), dtype=np.int64, count=len(found))
                    hits[rowids] = True
                    score[rowids] = np.fromiter((r[1] for r in found), dtype=np.float64,
                                                count=len(found))
            else:
                hits = cols.present.copy()
            for facet, values in active.items():
                hits &= cols.docs_of(facet, values)
            total = int(hits.sum())
            page = [int(r) for r in cols.page(hits, score, sort if match else (
                "title" if sort == "relevance" else sort), offset, limit)]
            shown: dict[int, tuple[str, str, str, int]] = {}
            for i in range(0, len(page), 10_000):  # an export asks for every hit
                chunk = page[i:i + 10_000]
                shown.update((r[3], r) for r in con.execute(
                    "SELECT id, title, summary, rowid FROM docs WHERE rowid IN"
                    f" ({','.join('?' * len(chunk))})", chunk))
            rows = [shown[r] for r in page]
            items = [{"id": r[0], "title": r[1], **json.loads(r[2])} for r in rows]
            if terms:  # why each shown result matched
                columns = ", ".join(FIELDS)
                for item, r in zip(items, rows, strict=True):
                    found_text = con.execute(f"SELECT {columns} FROM doc_text WHERE rowid = ?",
                                             (r[3],)).fetchone()
                    analysed = con.execute(f"SELECT {columns} FROM doc_stems"
                                           " WHERE rowid = ?", (r[3],)).fetchone()
                    parts = con.execute("SELECT keys FROM doc_parts WHERE rowid = ?",
                                        (r[3],)).fetchone()
                    matches, components = snippets(dict(zip(FIELDS, found_text, strict=True)),
                                                   dict(zip(FIELDS, analysed, strict=True)),
                                                   terms, keys=parts[0].split("\n")
                                                   if parts else ())
                    item["matches"] = matches
                    item["component_matches"] = components
            facets = {facet: [FacetValue(value, label, n) for value, label, n in pairs]
                      for facet, pairs in cols.counts(hits, FACETS, facet_limit).items()}
            return SearchResult(total, items, facets)
        finally:
            con.close()


def _state(con: sqlite3.Connection) -> str:
    """The index state ``con`` reads, from now on in one read transaction (every read that
    follows sees that state of the file)."""
    con.execute("BEGIN")
    state = con.execute("SELECT value FROM meta WHERE key = 'state'").fetchone()
    return str(state[0]) if state else ""


def _fold(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def index_path(store_dir: Path) -> Path:
    return store_dir.with_name(store_dir.name + ".search.sqlite")


LANGUAGES = {
    "fre": "français", "eng": "anglais", "ger": "allemand", "ita": "italien", "spa": "espagnol",
    "lat": "latin", "grc": "grec ancien", "gre": "grec moderne", "ara": "arabe",
    "per": "persan", "ota": "turc ottoman", "tur": "turc", "heb": "hébreu", "rus": "russe",
    "por": "portugais", "dut": "néerlandais", "chi": "chinois", "jpn": "japonais",
    "oci": "occitan", "bre": "breton", "syr": "syriaque", "cop": "copte", "arm": "arménien",
}


def refresh(reader: ReadStore, store_dir: Path, version: str | None = None) -> int:
    """Rebuild the search index of the store from its current content (``version``: the
    data version it reflects, recorded in the index)."""
    return SqliteSearchIndex(index_path(store_dir)).rebuild(collect_documents(reader), version)


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


_Q = SPARQL_PREFIXES
# A notice's mentions of entities (``{graph}#m-{hash}``, loaders/entities.py) and its dates
# (``{node}#period-{n}``) carry names and labels too; they are not what a search text needs.
_NOTICE_NODE = re.compile(r"#(?:m|period)-[^/#]*$")


def collect_documents(reader: ReadStore, only: Iterable[str] | None = None) -> list[Document]:
    """One document per loaded collection, with its searchable text and facet values; with
    ``only``, the documents of those collections alone (an incremental update after a write:
    every query is then bound to them, and the labels read are those of the entities they
    cite and of their broader subjects)."""
    docs: dict[str, Document] = {}
    chunks = scopes("c", only)

    def per_collection(query: str) -> Iterator[Mapping[str, object]]:
        for scope in chunks:
            yield from reader.iter_select(_Q + query.replace("{scope}", scope))

    for r in per_collection("""
        SELECT ?c (SAMPLE(?t) AS ?title) (SAMPLE(?lvl) AS ?level) (SAMPLE(?ext) AS ?extent)
               (SAMPLE(?ident) AS ?identifier) WHERE { {scope}
          ?c a dcmitype:Collection . OPTIONAL { ?c dcterms:title ?t }
          OPTIONAL { ?c collex:descriptionLevel ?lvl } OPTIONAL { ?c dcterms:extent ?ext }
          OPTIONAL { ?c dcterms:identifier ?ident } } GROUP BY ?c"""):
        c = _v(r, "c")
        docs[c] = Document(c, _v(r, "title") or c, {}, defaultdict(list),
                           summary={"identifier": _v(r, "identifier"),
                                    "extent": _v(r, "extent"), "level": _v(r, "level")})
        if _v(r, "level"):
            docs[c].facets["level"].append((_v(r, "level"), _v(r, "level")))
    for r in per_collection("SELECT DISTINCT ?c ?g WHERE { {scope} GRAPH ?g { ?c a"
                            " dcmitype:Collection } }"):
        if _v(r, "c") in docs:
            docs[_v(r, "c")].graphs.append(_v(r, "g"))
    texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))

    def add_text(c: str, field_name: str, value: str) -> None:
        if c in docs and value:
            texts[c][field_name].append(value)

    for r in per_collection("""
        SELECT ?c ?d WHERE { {scope} ?c a dcmitype:Collection .
          { ?c dcterms:description ?d } UNION { ?c dcterms:abstract ?d } UNION
          { ?c rico:history ?d } }"""):
        add_text(_v(r, "c"), "description", _v(r, "d"))
    # Subjects: own labels, IdRef variants, and the labels of broader RAMEAU subjects (so a
    # search for a broad subject finds collections about narrower ones).
    # Simple queries joined here (a big join with label alternatives is slow in the store).
    broader: dict[str, set[str]] = defaultdict(set)
    entities: set[str] | None = None  # the entities whose labels are read (None: all)
    if only is not None:
        entities = {_v(r, "s") for r in per_collection("""
            SELECT DISTINCT ?s WHERE { {scope} ?c a dcmitype:Collection .
              { ?c ?p ?s } UNION { ?s ?p ?c } UNION { GRAPH ?g { ?c a dcmitype:Collection .
                ?x rico:isOrWasIncludedIn ?y ; ?p ?s } } FILTER(isIRI(?s)) }""")}
        for scope in scopes("s", entities):
            for r in reader.iter_select(_Q + f"""SELECT DISTINCT ?n ?b WHERE {{ {scope}
                  ?s (skos:broader|^skos:narrower)* ?n .
                  {{ ?n skos:broader ?b }} UNION {{ ?b skos:narrower ?n }} }}"""):
                broader[_v(r, "n")].add(_v(r, "b"))
        entities |= {b for bs in broader.values() for b in bs}
    else:
        for r in reader.iter_select(_Q + "SELECT DISTINCT ?n ?b WHERE { { ?n skos:broader ?b }"
                                    " UNION { ?b skos:narrower ?n } }"):
            broader[_v(r, "n")].add(_v(r, "b"))
    pref: dict[str, str] = {}
    all_labels: dict[str, list[str]] = defaultdict(list)
    fr_labels: dict[str, str] = {}
    for scope in scopes("s", entities):
        for prop in ("skos:prefLabel", "foaf:name", "rdfs:label", "skos:altLabel"):
            for r in reader.iter_select(_Q + f"SELECT ?s ?l WHERE {{ {scope} ?s {prop} ?l }}"):
                s_, label_ = _v(r, "s"), _v(r, "l")
                if _NOTICE_NODE.search(s_):  # not an entity: skip (a million at M)
                    continue
                if prop != "skos:altLabel":
                    pref.setdefault(s_, label_)
                all_labels[s_].append(label_)
        fr_labels.update({_v(r, "s"): _v(r, "l") for r in reader.iter_select(
            _Q + f'SELECT ?s ?l WHERE {{ {scope} ?s skos:prefLabel ?l FILTER(LANG(?l) = "fr")'
            " }")})
    kinds = entity_kinds(reader, entities)

    def ancestors(s: str) -> set[str]:
        seen: set[str] = set()
        todo = list(broader.get(s, ()))
        while todo and len(seen) < 100:
            b = todo.pop()
            if b not in seen:
                seen.add(b)
                todo.extend(broader.get(b, ()))
        return seen

    # The text an entity brings to the collections citing it, computed once per entity
    # (popular subjects are cited thousands of times, with their whole broader chain).
    entity_text: dict[str, tuple[str, list[str]]] = {}

    def text_of(s: str) -> tuple[str, list[str]]:
        found = entity_text.get(s)
        if found is None:
            ks = kinds.get(s, set())
            field_name = ("agents" if any(k.endswith(("Person", "Organization", "Family",
                                                      "Agent")) for k in ks)
                          else "places" if any(k.endswith("Location") for k in ks)
                          else "subjects")
            labels = list(all_labels.get(s, []))
            if field_name == "subjects":  # a broad subject finds collections about narrower
                for b in ancestors(s):
                    labels.extend(all_labels.get(b, []))
            found = entity_text[s] = (field_name, [x for x in dict.fromkeys(labels) if x])
        return found

    for r in per_collection("""SELECT ?c ?s WHERE { {scope}
          VALUES ?p { dcterms:subject dcterms:creator dcterms:spatial dcterms:type
                      rico:hasOrganicProvenance } ?c ?p ?s . ?c a dcmitype:Collection }"""):
        c = _v(r, "c")
        if c in docs:
            field_name, labels = text_of(_v(r, "s"))
            if labels:
                texts[c][field_name].extend(labels)
    # The component tree: a person, place or subject named only in a component finds the
    # fonds, and so do the components' titles. A component's IRI is its collection's
    # followed by ``/c/{segment}``, the segment without a slash (ontology/ead-mapping.md):
    # its fonds is read from the IRI, with no map of the tree (a million components at M).

    def root(x: str) -> str | None:
        owner = x.rsplit("/c/", 1)[0] if "/c/" in x else None
        return owner if owner in docs else None

    # with ``only``, a collection's components are read from its own graph
    in_tree = ("" if only is None else "{scope} GRAPH ?g { ?c a dcmitype:Collection . ?x"
               " rico:isOrWasIncludedIn ?p0 } ")
    # each component is one value of the ``components`` field: its title, shelfmark and
    # access points (the snippets then name the component a word was found in)
    segments: dict[str, dict[str, str]] = defaultdict(dict)  # owner: {text: component key}
    parts: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: {"title": [], "ident": [], "points": []}))
    for r in per_collection("SELECT ?x ?t ?i WHERE { " + in_tree + "?x rico:isOrWasIncludedIn"
                            " ?p . { ?x dcterms:title ?t } UNION { ?x dcterms:identifier ?i }"
                            " }"):
        x = _v(r, "x")
        owner = root(x)
        if owner is not None:
            part = parts[owner][x]
            part["title" if _v(r, "t") else "ident"].append(_v(r, "t") or _v(r, "i"))
    for r in per_collection("""SELECT ?x ?s WHERE { """ + in_tree + """
          VALUES ?p { dcterms:subject dcterms:creator dcterms:spatial dcterms:type
                      rico:hasOrganicProvenance } ?x ?p ?s .
          ?x rico:isOrWasIncludedIn ?parent }"""):
        x = _v(r, "x")
        owner = root(x)
        if owner is not None:
            parts[owner][x]["points"].extend(text_of(_v(r, "s"))[1][:8])
    for owner, tree in parts.items():
        for x in sorted(tree):
            part = tree[x]
            head = " ".join(part["title"][:1] + [f"({i})" for i in part["ident"][:1]])
            segment = " — ".join(p for p in (head, " ; ".join(dict.fromkeys(part["points"])))
                                 if p)
            if segment:  # the first component of each text keeps its key
                segments[owner].setdefault(segment.replace(SEPARATOR, " / "),
                                           x.rsplit("/c/", 1)[1])
    facet_queries = {
        "subject": "?c dcterms:subject ?v .",  # concepts only: filtered below
        "place": "?c dcterms:spatial ?v .",
        "language": "?c dcterms:language ?v .",
        "institution": "?c rico:hasOrHadHolder ?v .",
        "discipline": "?c collex:discipline ?v .",
        "network": "?v collex:hasMember ?c ; a collex:ThematicNetwork .",
        "region": "?c rico:hasOrHadHolder ?i . ?i a collex:Institution ; collex:region ?v .",
        "department": "?c rico:hasOrHadHolder ?i . ?i a collex:Institution ;"
                      " collex:department ?v .",
    }
    from loaders.territory import territory_label
    for facet, pattern in facet_queries.items():
        for r in per_collection(f"SELECT DISTINCT ?c ?v WHERE {{ {{scope}} {pattern} ?c a "
                                "dcmitype:Collection . }"):
            c = _v(r, "c")
            if c in docs:
                value = _v(r, "v")
                if facet == "subject" and CONCEPT_CLASS not in kinds.get(value, ()):
                    continue
                label = (fr_labels.get(value) if facet == "discipline" else None) or (
                    territory_label(value) if facet in ("region", "department") else None
                ) or pref.get(value) or value.rsplit("/", 1)[-1]
                if facet == "language":
                    label = LANGUAGES.get(label, label)
                if all(v != value for v, _ in docs[c].facets[facet]):
                    docs[c].facets[facet].append((value, label))
    for r in per_collection("""
        SELECT ?c (MIN(?s) AS ?start) (MAX(?e) AS ?end) (SAMPLE(?lab) AS ?label) WHERE { {scope}
          ?c a dcmitype:Collection ; dcterms:temporal ?p .
          OPTIONAL { ?p collex:startYear ?s } OPTIONAL { ?p collex:endYear ?e }
          OPTIONAL { ?p rdfs:label ?lab } } GROUP BY ?c"""):
        c = _v(r, "c")
        if c not in docs:
            continue
        docs[c].summary["dates"] = _v(r, "label")
        if _v(r, "start") and _v(r, "end"):
            start, end = int(_v(r, "start")), int(_v(r, "end"))
            docs[c].start = start
            for century in range(start // 100, min(end // 100, start // 100 + 30) + 1):
                label = f"{century + 1}e siècle"
                docs[c].facets["century"].append((str(century + 1), label))
    for r in per_collection("SELECT DISTINCT ?c WHERE { {scope} ?c a dcmitype:Collection ;"
                            " collex:hasLabel ?l }"):
        if _v(r, "c") in docs:
            docs[_v(r, "c")].facets["collex"].append(("yes", "Labellisée CollEx"))
    for c, doc in docs.items():
        doc.text = {k: " | ".join(dict.fromkeys(v)) for k, v in texts[c].items()}
        if segments.get(c):
            doc.text["components"] = " | ".join(segments[c])
            doc.parts = list(segments[c].values())
        if not doc.facets["collex"]:
            doc.facets["collex"].append(("no", "Non labellisée"))
        holders = doc.facets.get("institution", [])
        doc.summary["holder"] = holders[0][1] if holders else ""
        doc.facets = dict(doc.facets)
    return [docs[c] for c in sorted(docs)]
