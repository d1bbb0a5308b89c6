"""W3C Reconciliation Service API 0.2 (what OpenRefine speaks): match a spreadsheet's names,
shelfmarks and identifiers against the graph's collections, institutions, persons, corporate
bodies, places and subjects.

The names are indexed once per data generation (``api.views``) into a SQLite file of their
own (FTS5 over names folded for matching: case, accents and punctuation dropped), so a query
costs an index lookup and a scoring of at most ``CANDIDATES`` names, whatever the store's
size. Scoring (``score``, 0-100):

- ``name``: the best RapidFuzz ``token_sort_ratio`` between the query and one of the entity's
  names (preferred and variant forms), with and without a name's qualifier in parentheses
  (``Paris, Gaston (1839-1903)`` is also ``paris gaston``): word order, accents and case do
  not matter;
- each property of the query (``shelfmark``, ``isil``, ``holder``, ``ppn``, ``dates``) is a
  feature, true or false; with properties, the score is 70% name and 30% properties (100%
  properties when there is no name);
- ``match`` is true when the best candidate scores at least 90 with every property agreeing,
  and the next one is at least 10 points behind.

A query that is an entity's IRI or an IdRef PPN finds that entity with score 100.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
import threading
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from collex.errors import InvalidInput
from graph.base import ReadStore
from ontology import SPARQL_PREFIXES

P = SPARQL_PREFIXES
DISCIPLINES = "https://w3id.org/collex/disciplines/"
CANDIDATES = 200  # names scored per query at most
MAX_LIMIT = 100
BATCH_SIZE = 100
TYPES = {  # id: (name, description, SPARQL pattern binding ?e)
    "collection": ("Collection", "Fonds, collections (notices de fonds)",
                   "?e a dcmitype:Collection"),
    "institution": ("Établissement", "Bibliothèques et institutions (ISIL)",
                    "?e a collex:Institution"),
    "person": ("Personne", "Personnes (IdRef et noms des notices)", "?e a foaf:Person"),
    "corporate": ("Collectivité", "Collectivités, organismes (IdRef et notices)",
                  "?e a foaf:Organization FILTER NOT EXISTS { ?e a collex:Institution }"),
    "place": ("Lieu", "Lieux (IdRef et notices)", "?e a rico:Place"),
    "subject": ("Sujet", "Sujets (RAMEAU et vedettes des notices)",
                "?e a skos:Concept FILTER NOT EXISTS { ?e a rico:Place }"
                " FILTER NOT EXISTS { ?e a foaf:Person } FILTER NOT EXISTS { ?e a"
                f' foaf:Organization }} FILTER(!STRSTARTS(STR(?e), "{DISCIPLINES}"))'),
}
NAMES = ("skos:prefLabel", "foaf:name", "dcterms:title", "skos:altLabel", "rdfs:label")
PROPERTIES = {  # id: (name, description, types it applies to)
    "shelfmark": ("Cote", "Shelfmark (unitid) of a collection", ("collection",)),
    "isil": ("ISIL", "ISIL of an institution, or of a collection's holder",
             ("collection", "institution")),
    "holder": ("Établissement détenteur", "The holder of a collection (ISIL, RCR, name or"
               " reconciled id)", ("collection",)),
    "ppn": ("PPN IdRef", "IdRef record number (9 characters)",
            ("person", "corporate", "place", "subject", "institution")),
    "dates": ("Dates", "A year or a span (1802-1885): collection dates, life dates",
              ("collection", "person", "corporate")),
}
EXTEND = {  # id: (name, description)
    "idref": ("IdRef", "The IdRef IRI (the entity's, or its owl:sameAs)"),
    "bnf": ("BnF", "The data.bnf.fr IRI (owl:sameAs)"),
    "viaf": ("VIAF", "The VIAF IRI (owl:sameAs)"),
    "wikidata": ("Wikidata", "The Wikidata IRI (owl:sameAs)"),
    "holder": ("Établissement détenteur", "The holder of a collection"),
    "isil": ("ISIL", "ISIL of an institution, or of a collection's holder"),
    "shelfmark": ("Cote", "Shelfmarks of a collection"),
    "dates": ("Dates", "Dates of a collection, life dates of a person"),
    "city": ("Ville", "City of an institution"),
    "networks": ("Réseaux thématiques", "Thematic networks a collection belongs to"),
    "creators": ("Producteurs", "Creators of a collection"),
    "subjects": ("Sujets", "Subjects of a collection"),
    "description": ("Description", "Scope and content, biographical note"),
}
_PPN = re.compile(r"\d{8}[\dXx]")
_PAREN = re.compile(r"\([^)]*\)")
_YEAR = re.compile(r"(?<!\d)(\d{3,4})(?!\d)")


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, one space between words.

    >>> fold("Hugo, Victor (1802-1885)"), fold("L'Œuvre d’Élisée")
    ('hugo victor 1802 1885', 'l oeuvre d elisee')
    """
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "OE")
                                 .replace("æ", "ae").replace("Æ", "AE").replace("ß", "ss"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def _years(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


# ---------------------------------------------------------------------------- the index


class NameIndex:
    """The names of the reconcilable entities, in a SQLite file deleted with the object."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        weakref.finalize(self, _unlink, path)

    def connect(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                  check_same_thread=False)
            self._local.con = con
        return con

    @classmethod
    def build(cls, reader: ReadStore, base: str, directory: Path | None = None) -> NameIndex:
        fd, name = tempfile.mkstemp(prefix="collex-reconcile-", suffix=".sqlite",
                                    dir=directory)
        os.close(fd)
        path = Path(name)
        try:
            con = sqlite3.connect(path)
            con.executescript("""
                PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
                CREATE TABLE entity (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, type TEXT
                    NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
                    UNIQUE (iri, type));
                CREATE TABLE name (entity INTEGER NOT NULL, folded TEXT NOT NULL,
                    bare TEXT NOT NULL);
                CREATE TABLE prop (entity INTEGER NOT NULL, pid TEXT NOT NULL,
                    value TEXT NOT NULL);
                CREATE VIRTUAL TABLE words USING fts5 (folded, content='name',
                    content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
            """)
            _fill(con, reader, base)
            con.executescript("""
                INSERT INTO words (words) VALUES ('rebuild');
                CREATE INDEX prop_value ON prop (pid, value);
                CREATE INDEX name_entity ON name (entity);
                CREATE INDEX entity_iri ON entity (iri);
            """)
            con.commit()
            con.close()
        except BaseException:
            _unlink(path)
            raise
        return cls(path)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fill(con: sqlite3.Connection, reader: ReadStore, base: str) -> None:
    ids: dict[tuple[str, str], int] = {}
    for type_id, (_, _, pattern) in TYPES.items():
        names: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for rank, prop in enumerate(NAMES):  # one query per property: a join Oxigraph does
            # fast (a VALUES of properties made it scan every label: 3 s a type at S)
            for r in reader.iter_select(P + f"SELECT ?e ?n WHERE {{ {pattern} . ?e {prop} ?n"
                                        " FILTER(isLITERAL(?n)) }"):
                iri = _v(r, "e")
                if iri and not iri.startswith("_:"):
                    names[iri].append((rank, _v(r, "n")))
        descriptions = _descriptions(reader, type_id, pattern)
        for iri, found in names.items():
            found.sort()
            entity = len(ids) + 1
            ids[(iri, type_id)] = entity
            con.execute("INSERT INTO entity VALUES (?, ?, ?, ?, ?)", (
                entity, iri, type_id, found[0][1], descriptions.get(iri, "")))
            seen = set()
            for _, text in found:
                folded = fold(text)
                if folded and folded not in seen:
                    seen.add(folded)
                    con.execute("INSERT INTO name (entity, folded, bare) VALUES (?, ?, ?)",
                                (entity, folded, fold(_PAREN.sub(" ", text))))
        for pid, (iri, value) in _properties(reader, type_id, pattern, base):
            entity_id = ids.get((iri, type_id))
            if entity_id is not None:
                con.execute("INSERT INTO prop VALUES (?, ?, ?)", (entity_id, pid, value))


def _descriptions(reader: ReadStore, type_id: str, pattern: str) -> dict[str, str]:
    """A line telling namesakes apart: holder and dates of a collection, city of an
    institution, life dates or note of a person or body."""
    if type_id == "collection":
        query = f"""SELECT ?e (SAMPLE(?h) AS ?a) (SAMPLE(?d) AS ?b) WHERE {{ {pattern}
            OPTIONAL {{ ?e rico:hasOrHadHolder/foaf:name ?h }}
            OPTIONAL {{ ?e dcterms:temporal/rdfs:label ?d }} }} GROUP BY ?e"""
    elif type_id == "institution":
        query = f"""SELECT ?e (SAMPLE(?c) AS ?a) (SAMPLE(?i) AS ?b) WHERE {{ {pattern}
            OPTIONAL {{ ?e collex:city ?c }} OPTIONAL {{ ?e collex:isil ?i }} }} GROUP BY ?e"""
    else:
        query = f"""SELECT ?e (SAMPLE(?h) AS ?a) ("" AS ?b) WHERE {{ {pattern}
            OPTIONAL {{ ?e rico:history|skos:note|skos:scopeNote ?h }} }} GROUP BY ?e"""
    out = {}
    for r in reader.iter_select(P + query):
        text = " — ".join(x for x in (_v(r, "a"), _v(r, "b")) if x)
        out[_v(r, "e")] = text[:300]
    return out


def _properties(reader: ReadStore, type_id: str, pattern: str, base: str
                ) -> Iterable[tuple[str, tuple[str, str]]]:
    """(pid, (entity IRI, folded value)) of the properties queries may constrain."""
    queries: list[tuple[str, str]] = []
    if type_id == "collection":
        queries = [
            ("shelfmark", "?e dcterms:identifier ?v"),
            ("isil", "?e rico:hasOrHadHolder/collex:isil ?v"),
            ("holder", "?e rico:hasOrHadHolder ?v"),
            ("holder", "?e rico:hasOrHadHolder/(foaf:name|rdfs:label) ?v"),
            ("holder", "?e rico:hasOrHadHolder/collex:isil ?v"),
            ("holder", "?e rico:hasOrHadHolder/collex:rcr ?v"),
            ("dates", "?e dcterms:temporal ?t . ?t collex:startYear ?s ; collex:endYear ?f"
                      ' BIND(CONCAT(STR(?s), "-", STR(?f)) AS ?v)'),
        ]
    elif type_id == "institution":
        queries = [("isil", "?e collex:isil ?v"), ("ppn", "?e owl:sameAs ?v")]
    if type_id in ("person", "corporate", "place", "subject"):
        queries += [("ppn", "BIND(?e AS ?v)"), ("ppn", "?e owl:sameAs ?v")]
    if type_id in ("person", "corporate"):
        queries += [("dates", "?e schema:birthDate|schema:deathDate ?v")]
    for pid, where in queries:
        for r in reader.iter_select(P + f"SELECT DISTINCT ?e ?v WHERE {{ {pattern} . {where} }}"):
            value = _v(r, "v")
            if pid == "ppn":
                m = re.fullmatch(r"https?://www\.idref\.fr/(\d{8}[\dXx])(/id)?", value)
                if not m:
                    continue
                value = m.group(1).upper()
            elif pid == "holder" and value.startswith("http"):
                pass  # the holder's IRI, as reconciled ids give it
            elif pid == "dates":
                value = "-".join(str(y) for y in _years(value))
                if not value:
                    continue
            else:
                value = fold(value)
            yield pid, (_v(r, "e"), value)


# ---------------------------------------------------------------------------- queries


@dataclass
class Candidate:
    entity: int
    iri: str
    type: str
    name: str
    description: str
    score: float = 0.0
    features: list[dict[str, Any]] = field(default_factory=list)
    agrees: bool = True


def _types(value: object) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        text = str(item)
        key = text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        out.append(key if key in TYPES else text)
    return out


def _fts(words: Sequence[str], prefix: bool = False) -> str:
    terms = [f'"{w}"' for w in words if w]
    if prefix and terms:
        terms[-1] += "*"
    return " OR ".join(terms)


class Reconciler:
    """Answers reconciliation, suggest, extend and preview requests from a name index and
    the store."""

    def __init__(self, index: NameIndex, reader: ReadStore, base: str) -> None:
        self.index = index
        self.reader = reader
        self.base = base

    # ------------------------------------------------------------------ reconcile
    def batch(self, queries: Mapping[str, Any]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        if not isinstance(queries, Mapping):
            raise InvalidInput("queries: a JSON object of queries is expected")
        if len(queries) > BATCH_SIZE:
            raise InvalidInput(f"queries: at most {BATCH_SIZE} queries in a batch")
        return {str(key): {"result": self.one(q)} for key, q in queries.items()}

    def one(self, q: Any) -> list[dict[str, Any]]:
        if not isinstance(q, Mapping):
            raise InvalidInput("queries: each query is a JSON object")
        text = q.get("query", "")
        text = str(text) if isinstance(text, (str, int, float)) else ""
        try:
            limit = max(1, min(MAX_LIMIT, int(q.get("limit") or 5)))
        except (TypeError, ValueError):
            raise InvalidInput("queries: limit must be a number") from None
        types = _types(q.get("type"))
        strict = q.get("type_strict") or "any"
        props = [(str(p.get("pid", "")), p.get("v")) for p in q.get("properties") or []
                 if isinstance(p, Mapping)]
        con = self.index.connect()
        found = self._lookup(con, text, props)
        if text.strip():
            found.update(self._by_name(con, text, types if strict != "should" else []))
        candidates = list(found.values())
        if types and strict != "should":
            candidates = [c for c in candidates if c.type in types]
        query_words = fold(text)
        names, known = self._details(con, [c.entity for c in candidates])
        for c in candidates:
            self._score(c, names.get(c.entity, []), known.get(c.entity, {}), query_words,
                        text, props, types)
        candidates.sort(key=lambda c: (-c.score, c.name, c.iri))
        candidates = candidates[:limit]
        out = []
        for i, c in enumerate(candidates):
            runner_up = candidates[i + 1].score if i + 1 < len(candidates) else 0.0
            match = (i == 0 and c.score >= 90 and c.agrees and c.score - runner_up >= 10)
            item: dict[str, Any] = {
                "id": c.iri, "name": c.name, "score": round(c.score, 2), "match": match,
                "type": [{"id": c.type, "name": TYPES[c.type][0]}], "features": c.features}
            if c.description:
                item["description"] = c.description
            out.append(item)
        return out

    def _candidates(self, con: sqlite3.Connection, where: str, args: Sequence[object]
                    ) -> dict[int, Candidate]:
        return {row[0]: Candidate(*row) for row in con.execute(
            "SELECT id, iri, type, name, description FROM entity WHERE " + where,  # noqa: S608
            args)}

    def _lookup(self, con: sqlite3.Connection, text: str,
                props: Sequence[tuple[str, Any]]) -> dict[int, Candidate]:
        """Entities named by an identifier: the query as an IRI or a PPN, and the values of
        identifying properties (shelfmark, ISIL, PPN)."""
        found: dict[int, Candidate] = {}
        text = text.strip()
        if text.startswith(("http://", "https://")):
            found.update(self._candidates(con, "iri = ?", (text,)))
        if _PPN.fullmatch(text):
            found.update(self._candidates(con, "iri = ?", (
                f"http://www.idref.fr/{text.upper()}/id",)))
        for pid, value in props:
            if pid in ("shelfmark", "isil", "ppn"):
                for v in _values(value):
                    key = v.upper() if pid == "ppn" else fold(v)
                    found.update(self._candidates(
                        con, "id IN (SELECT entity FROM prop WHERE pid = ? AND value = ?)",
                        (pid, key)))
        return found

    def _by_name(self, con: sqlite3.Connection, text: str, types: Sequence[str]
                 ) -> dict[int, Candidate]:
        words = fold(text).split()
        if not words:
            return {}
        typed = [t for t in types if t in TYPES]
        filter_ = (f" AND e.type IN ({','.join('?' * len(typed))})" if typed else "")
        sql = ("SELECT DISTINCT e.id, e.iri, e.type, e.name, e.description FROM (SELECT"  # noqa: S608
               " rowid, rank FROM words WHERE words MATCH ? ORDER BY rank LIMIT ?) w JOIN name"
               " n ON n.rowid = w.rowid JOIN entity e ON e.id = n.entity WHERE 1" + filter_)
        rows = con.execute(sql, (_fts(words), CANDIDATES, *typed))
        return {row[0]: Candidate(*row) for row in rows}

    @staticmethod
    def _details(con: sqlite3.Connection, entities: list[int]
                 ) -> tuple[dict[int, list[tuple[str, str]]], dict[int, dict[str, set[str]]]]:
        """The names and the property values of the candidates, two queries for all."""
        names: dict[int, list[tuple[str, str]]] = defaultdict(list)
        known: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for start in range(0, len(entities), 500):
            chunk = entities[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for entity, folded, bare in con.execute(
                    f"SELECT entity, folded, bare FROM name WHERE entity IN ({marks})",  # noqa: S608
                    chunk):
                names[entity].append((folded, bare))
            for entity, pid, value in con.execute(
                    f"SELECT entity, pid, value FROM prop WHERE entity IN ({marks})",  # noqa: S608
                    chunk):
                known[entity][pid].add(value)
        return names, known

    def _score(self, c: Candidate, names: list[tuple[str, str]],
               known: Mapping[str, set[str]], words: str, text: str,
               props: Sequence[tuple[str, Any]], types: Sequence[str]) -> None:
        name_score = 0.0
        if text.strip() and (text.strip() == c.iri or (
                _PPN.fullmatch(text.strip()) and c.iri.endswith(f"/{text.strip().upper()}/id"))):
            name_score = 100.0
        elif words:
            for folded, bare in names:
                name_score = max(name_score, fuzz.token_sort_ratio(words, folded),
                                 fuzz.token_sort_ratio(words, bare) if bare else 0.0)
        c.features = [{"id": "name", "value": round(name_score, 2)}]
        if types:
            c.features.append({"id": "type", "value": c.type in types})
        agreed = 0
        for pid, value in props:
            ok = _agrees(pid, value, known)
            c.features.append({"id": pid, "value": ok})
            agreed += ok
            c.agrees = c.agrees and ok
        if props:
            share = 100.0 * agreed / len(props)
            c.score = share if not words else 0.7 * name_score + 0.3 * share
        else:
            c.score = name_score

    # ------------------------------------------------------------------ suggest
    def suggest_entities(self, prefix: str, cursor: int, types: Sequence[str],
                         limit: int = 10) -> list[dict[str, Any]]:
        con = self.index.connect()
        text = prefix.strip()
        found = self._lookup(con, text, [])
        words = fold(text).split()
        if words:
            typed = [t for t in types if t in TYPES]
            filter_ = (f" AND e.type IN ({','.join('?' * len(typed))})" if typed else "")
            sql = ("SELECT e.id, e.iri, e.type, e.name, e.description FROM (SELECT"  # noqa: S608
                   " rowid, rank FROM words WHERE words MATCH ? ORDER BY rank LIMIT 2000) w"
                   " JOIN name n ON n.rowid = w.rowid JOIN entity e ON e.id = n.entity"
                   " WHERE 1" + filter_ + " GROUP BY e.id ORDER BY MIN(w.rank), e.name")
            match = " AND ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])
            for row in con.execute(sql, (match, *typed)):
                found.setdefault(row[0], Candidate(*row))
        ordered = list(found.values())[cursor:cursor + limit]
        out = []
        for c in ordered:
            item: dict[str, Any] = {"id": c.iri, "name": c.name,
                                    "notable": [{"id": c.type, "name": TYPES[c.type][0]}]}
            if c.description:
                item["description"] = c.description
            out.append(item)
        return out

    # ------------------------------------------------------------------ extend
    def extend(self, query: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(query, Mapping) or not isinstance(query.get("ids"), list) or not \
                isinstance(query.get("properties"), list):
            raise InvalidInput("extend: a JSON object with ids and properties is expected")
        ids = [str(i) for i in query["ids"]][:1000]
        props = [str(p.get("id")) for p in query["properties"] if isinstance(p, Mapping)]
        unknown = [p for p in props if p not in EXTEND]
        if unknown:
            raise InvalidInput(f"extend: no property {unknown[0]!r} (properties:"
                               f" {', '.join(EXTEND)})")
        rows: dict[str, dict[str, list[dict[str, Any]]]] = {
            i: {p: [] for p in props} for i in ids}
        good = [i for i in ids if i.startswith(("http://", "https://"))
                and not re.search(r"[\s<>\"{}|\\^`]", i)]
        if good:
            for entity, pid, value in self._extension(good, props):
                cell = rows[entity][pid]
                if value not in cell:
                    cell.append(value)
        meta: list[dict[str, Any]] = [{"id": p, "name": EXTEND[p][0]} for p in props]
        for m in meta:
            if m["id"] in ("holder", "networks", "creators", "subjects"):
                m["type"] = {"id": {"holder": "institution", "networks": "network",
                                    "creators": "person", "subjects": "subject"}[m["id"]],
                             "name": EXTEND[m["id"]][0]}
        return {"meta": meta, "rows": rows}

    def _extension(self, ids: list[str], props: list[str]
                   ) -> Iterable[tuple[str, str, dict[str, Any]]]:
        values = " ".join(f"<{i}>" for i in ids)
        same = {"idref": "http://www.idref.fr/", "bnf": "http://data.bnf.fr/",
                "viaf": "http://viaf.org/", "wikidata": "http://www.wikidata.org/entity/"}
        for pid in props:
            if pid in same:
                prefix = same[pid]
                query = (f"SELECT ?e ?v WHERE {{ {{ VALUES ?e {{ {values} }} BIND(?e AS ?v) }}"
                         f" UNION {{ VALUES ?e {{ {values} }} ?e owl:sameAs ?v }}"
                         f' FILTER(isIRI(?v) && STRSTARTS(STR(?v), "{prefix}")) }}')
                for r in self.reader.select(P + query):
                    yield _v(r, "e"), pid, {"str": _v(r, "v")}
            elif pid in ("holder", "networks", "creators", "subjects"):
                path = {"holder": "?e rico:hasOrHadHolder ?v",
                        "networks": "?v collex:hasMember ?e ; a collex:ThematicNetwork",
                        "creators": "?e dcterms:creator ?v",
                        "subjects": "?e dcterms:subject ?v"}[pid]
                query = (f"SELECT ?e ?v (SAMPLE(?l) AS ?label) WHERE {{ VALUES ?e {{ {values} }}"
                         f" {path} OPTIONAL {{ ?v skos:prefLabel|foaf:name|rdfs:label ?l }} }}"
                         " GROUP BY ?e ?v ORDER BY ?label")
                for r in self.reader.select(P + query):
                    yield _v(r, "e"), pid, {"id": _v(r, "v"),
                                            "name": _v(r, "label") or _v(r, "v")}
            else:
                path = {"isil": "{ ?e collex:isil ?v } UNION { ?e rico:hasOrHadHolder/"
                                "collex:isil ?v }",
                        "shelfmark": "?e dcterms:identifier ?v FILTER NOT EXISTS"
                                     " { ?e a foaf:Person } FILTER NOT EXISTS { ?e a"
                                     " foaf:Organization }",
                        "dates": "{ ?e dcterms:temporal/rdfs:label ?v } UNION { ?e"
                                 ' schema:birthDate ?b OPTIONAL { ?e schema:deathDate ?d }'
                                 ' BIND(CONCAT(STR(?b), "-", COALESCE(STR(?d), "")) AS ?v) }',
                        "city": "?e collex:city ?v",
                        "description": "?e dcterms:description|dcterms:abstract|rico:history"
                                       " ?v"}[pid]
                query = f"SELECT ?e ?v WHERE {{ VALUES ?e {{ {values} }} {path} }} ORDER BY ?v"
                for r in self.reader.select(P + query):
                    yield _v(r, "e"), pid, {"str": _v(r, "v")}

    # ------------------------------------------------------------------ preview
    def preview(self, iri: str) -> str | None:
        con = self.index.connect()
        row = con.execute("SELECT type, name, description FROM entity WHERE iri = ? LIMIT 1",
                          (iri,)).fetchone()
        if row is None:
            return None
        type_id, name, description = row
        return (
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>'
            f'{escape(name)}</title><style>body{{font:14px/1.4 system-ui,sans-serif;'
            'margin:8px;color:#1e1e1e}}p{{margin:2px 0}}.t{{color:#555}}</style></head><body>'
            f'<p><a href="{escape(iri)}" target="_blank" rel="noopener"><strong>'
            f'{escape(name)}</strong></a></p><p class="t">{escape(TYPES[type_id][0])}</p>'
            f'<p>{escape(description)}</p></body></html>')


def _values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("id") or item.get("name") or ""
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            out.append(str(item))
    return out


def _agrees(pid: str, value: Any, known: Mapping[str, set[str]]) -> bool:
    values = _values(value)
    if not values:
        return False
    have = known.get(pid, set())
    for v in values:
        if pid == "ppn":
            if v.strip().upper() in have:
                return True
        elif pid == "dates":
            asked = _years(v)
            for span in have:
                years = [int(y) for y in span.split("-") if y]
                if asked and years and all(min(years) <= y <= max(years) for y in asked):
                    return True
        elif v in have or fold(v) in have:  # holder: its IRI, name, ISIL or RCR
            return True
    return False


def manifest(base_url: str, base_iri: str, version: str) -> dict[str, Any]:
    """The service manifest (``GET /reconcile`` without parameters)."""
    root = f"{base_url}reconcile"
    return {
        "versions": ["0.2"],
        "name": "CollEx — collections d'excellence (collections, établissements, personnes,"
                " collectivités, lieux, sujets)",
        "identifierSpace": f"{base_iri}id/",
        "schemaSpace": "https://w3id.org/collex/def#",
        "documentation": f"{base_url}docs#/reuse",
        "serviceVersion": version,
        "logo": f"{base_url}static/favicon.svg",
        "batchSize": BATCH_SIZE,
        "view": {"url": "{{id}}"},
        "defaultTypes": [{"id": k, "name": v[0], "description": v[1]}
                         for k, v in TYPES.items()],
        "preview": {"url": f"{root}/preview?id={{{{id}}}}", "width": 400, "height": 120},
        "suggest": {
            "entity": {"service_url": root, "service_path": "/suggest/entity"},
            "type": {"service_url": root, "service_path": "/suggest/type"},
            "property": {"service_url": root, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/properties"},
            "property_settings": [],
        },
    }


def parse_json_argument(name: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidInput(f"{name}: not JSON") from None
