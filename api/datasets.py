"""Analysis-ready datasets: the graph as tidy tables (CSV and Parquet) with a Frictionless Data
Package descriptor (``datapackage.json``: types, primary and foreign keys, licence, provenance,
date), for pandas, R, DuckDB or a spreadsheet.

One table per kind of thing and one per relation, each row one fact:

==========================  ==========================================================
``collections``             one row per collection (fonds, collection notice)
``components``              one row per component of a finding aid, with its parent
``institutions``            holders: ISIL, RCR, city, department, region, coordinates
``regions``, ``departments`` the INSEE geography the institutions refer to
``networks``                thematic networks; ``memberships``: their members
``disciplines``             the disciplines scheme; ``labels``: CollEx labels (collection,
                            campaign); ``label_disciplines``, ``network_disciplines``
``agents``                  persons, corporate bodies, families cited by a collection
``subjects``                subjects, places, genres cited by a collection
``collection_agents``       collection × agent × role (creator, subject...), with where
``collection_subjects``     collection × subject × relation (subject, spatial, type)
``links``                   equivalences of agents, subjects, institutions (IdRef, BnF,
                            VIAF, ISNI, Wikidata...)
==========================  ==========================================================

Each CSV has a Parquet twin with the same columns and types (the descriptor lists both, as
``{table}`` and ``{table}-parquet``). In the CSV files only, a text cell that a spreadsheet
would run as a formula is prefixed with ``'`` (OWASP); the Parquet files hold the values as
they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api.data import _v
from api.dumps import _measure
from api.entity import _KINDS, link_for
from graph.base import ReadStore
from graph.common import scopes
from loaders import territory
from loaders.text import spreadsheet_row
from ontology import PREFIXES, SPARQL_PREFIXES

P = SPARQL_PREFIXES
LICENCE = {"name": "etalab-2.0", "title": "Licence Ouverte / Open Licence 2.0",
           "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"}
_BATCH = 50_000


@dataclass
class Column:
    name: str
    type: str  # Table Schema type: string, integer, number, boolean
    description: str


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    key: list[str]
    foreign: list[tuple[str, str, str]] = field(default_factory=list)  # column, table, column


def _c(name: str, type_: str, description: str) -> Column:
    return Column(name, type_, description)


TABLES = [
    Table("collections", "Collections", [
        _c("collection_id", "string", "IRI of the collection"),
        _c("key", "string", "key of the collection (end of its IRI, used in the pages' URLs)"),
        _c("title", "string", "title"),
        _c("holder_id", "string", "IRI of the holding institution"),
        _c("level", "string", "level of description (fonds, collection, recordgrp...)"),
        _c("start_year", "integer", "first year of the dates"),
        _c("end_year", "integer", "last year of the dates"),
        _c("dates", "string", "dates as written"),
        _c("extent", "string", "extent as written"),
        _c("shelfmarks", "string", "shelfmarks (cotes), separated by ' | '"),
        _c("languages", "string", "ISO 639-2 codes, separated by ' | '"),
        _c("collex_label", "boolean", "labelled collection d'excellence"),
        _c("components", "integer", "number of components of its finding aid"),
    ], ["collection_id"], [("holder_id", "institutions", "institution_id")]),
    Table("components", "Components of the finding aids", [
        _c("component_id", "string", "IRI of the component"),
        _c("collection_id", "string", "IRI of its collection"),
        _c("parent_id", "string", "IRI of the component that contains it (empty: the"
                                  " collection itself)"),
        _c("position", "integer", "rank among its siblings (1, 2...)"),
        _c("title", "string", "title"),
        _c("identifier", "string", "shelfmark or unit identifier"),
        _c("level", "string", "level of description (series, file, item...)"),
        _c("start_year", "integer", "first year of the dates"),
        _c("end_year", "integer", "last year of the dates"),
        _c("dates", "string", "dates as written"),
    ], ["component_id"], [("collection_id", "collections", "collection_id"),
                          ("parent_id", "", "component_id")]),
    Table("regions", "Regions of France (INSEE)", [
        _c("region_code", "string", "INSEE code"),
        _c("name", "string", "official name"),
    ], ["region_code"]),
    Table("departments", "Departments of France (INSEE)", [
        _c("department_code", "string", "INSEE code"),
        _c("name", "string", "official name"),
        _c("region_code", "string", "INSEE code of its region"),
    ], ["department_code"], [("region_code", "regions", "region_code")]),
    Table("institutions", "Institutions", [
        _c("institution_id", "string", "IRI of the institution"),
        _c("name", "string", "name"),
        _c("isil", "string", "ISIL (French ones: FR- and the RCR)"),
        _c("rcr", "string", "RCR (Sudoc)"),
        _c("city", "string", "city"),
        _c("department_code", "string", "INSEE code of its department"),
        _c("region_code", "string", "INSEE code of its region"),
        _c("latitude", "number", "latitude (WGS 84)"),
        _c("longitude", "number", "longitude (WGS 84)"),
        _c("website", "string", "web site"),
    ], ["institution_id"], [("department_code", "departments", "department_code"),
                            ("region_code", "regions", "region_code")]),
    Table("networks", "Thematic networks", [
        _c("network_id", "string", "IRI of the network"),
        _c("key", "string", "identifier of the network"),
        _c("name", "string", "name"),
        _c("description", "string", "description"),
        _c("coordinator_id", "string", "IRI of the coordinating institution"),
    ], ["network_id"], [("coordinator_id", "institutions", "institution_id")]),
    Table("memberships", "Members of the networks", [
        _c("network_id", "string", "IRI of the network"),
        _c("member_id", "string", "IRI of the member (a collection of the graph, or a"
                                  " third-party collection described by the network)"),
        _c("collection_id", "string", "IRI of the collection, when it is in the graph"),
        _c("role", "string", "collex (a CollEx collection) or third-party"),
        _c("title", "string", "title of a third-party collection"),
        _c("holder", "string", "holder of a third-party collection"),
    ], ["network_id", "member_id"], [("network_id", "networks", "network_id"),
                                     ("collection_id", "collections", "collection_id")]),
    Table("disciplines", "Disciplines of the CollEx labels (ontology/disciplines.ttl)", [
        _c("discipline_code", "string", "code"),
        _c("label_fr", "string", "name in French"),
        _c("label_en", "string", "name in English"),
        _c("broader_code", "string", "code of the broader discipline"),
    ], ["discipline_code"], [("broader_code", "", "discipline_code")]),
    Table("labels", "CollEx labels (one per collection and campaign)", [
        _c("label_id", "string", "IRI of the label"),
        _c("collection_id", "string", "IRI of the labelled collection"),
        _c("campaign", "integer", "year of the labelling campaign"),
        _c("note", "string", "note"),
    ], ["label_id"], [("collection_id", "collections", "collection_id")]),
    Table("label_disciplines", "Disciplines of each label", [
        _c("label_id", "string", "IRI of the label"),
        _c("discipline_code", "string", "code of the discipline"),
    ], ["label_id", "discipline_code"], [("label_id", "labels", "label_id"),
                                         ("discipline_code", "disciplines",
                                          "discipline_code")]),
    Table("network_disciplines", "Disciplines of each network", [
        _c("network_id", "string", "IRI of the network"),
        _c("discipline_code", "string", "code of the discipline"),
    ], ["network_id", "discipline_code"], [("network_id", "networks", "network_id"),
                                           ("discipline_code", "disciplines",
                                            "discipline_code")]),
    Table("agents", "Persons, corporate bodies and families", [
        _c("agent_id", "string", "IRI (an IdRef IRI for IdRef authorities)"),
        _c("name", "string", "preferred name"),
        _c("kind", "string", "person, corporate body, family or agent"),
        _c("idref_ppn", "string", "IdRef PPN, when it is an IdRef authority"),
    ], ["agent_id"]),
    Table("subjects", "Subjects, places and genres", [
        _c("subject_id", "string", "IRI (an IdRef IRI for RAMEAU and IdRef authorities)"),
        _c("label", "string", "preferred label"),
        _c("kind", "string", "subject, place, genre or other"),
        _c("idref_ppn", "string", "IdRef PPN, when it is an IdRef authority"),
    ], ["subject_id"]),
    Table("collection_agents", "Agents cited by the collections", [
        _c("collection_id", "string", "IRI of the collection"),
        _c("agent_id", "string", "IRI of the agent"),
        _c("role", "string", "creator, subject, contributor, provenance, formerOwner..."),
        _c("in_description", "boolean", "cited in the collection's own description"),
        _c("components", "integer", "number of its components citing the agent"),
    ], ["collection_id", "agent_id", "role"], [
        ("collection_id", "collections", "collection_id"), ("agent_id", "agents", "agent_id")]),
    Table("collection_subjects", "Subjects cited by the collections", [
        _c("collection_id", "string", "IRI of the collection"),
        _c("subject_id", "string", "IRI of the subject"),
        _c("relation", "string", "subject, spatial (place) or type (genre, form)"),
        _c("in_description", "boolean", "cited in the collection's own description"),
        _c("components", "integer", "number of its components citing the subject"),
    ], ["collection_id", "subject_id", "relation"], [
        ("collection_id", "collections", "collection_id"),
        ("subject_id", "subjects", "subject_id")]),
    Table("links", "Equivalent IRIs in other datasets", [
        _c("entity_id", "string", "IRI of an agent, subject or institution of these tables"),
        _c("entity_table", "string", "agents, subjects or institutions"),
        _c("target", "string", "the equivalent IRI (owl:sameAs, skos:exactMatch)"),
        _c("dataset", "string", "IdRef, data.bnf.fr, VIAF, ISNI, Wikidata... or the host"),
    ], ["entity_id", "target"]),
]
BY_NAME = {t.name: t for t in TABLES}

_AGENT_TYPES = [(t, k) for t, k in _KINDS  # api.entity's: rdf:type -> kind
                if k in ("person", "corporate body", "family", "agent")]
_PLACE_TYPES = tuple(t for t, k in _KINDS if k == "place")
_AGENT_ROLES = {"dcterms:creator": "creator", "dcterms:contributor": "contributor",
                "rico:hasOrganicProvenance": "provenance", "collex:formerOwner": "formerOwner",
                "dcterms:subject": "subject"}
_SUBJECT_RELATIONS = {"dcterms:subject": "subject", "dcterms:spatial": "spatial",
                      "dcterms:type": "type", "collex:function": "function",
                      "collex:occupation": "occupation"}
_PPN = re.compile(r"^http://www\.idref\.fr/(\d{8}[\dX])/id$")


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def _year(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


class _Writer:
    """Streams one table into its CSV and Parquet files, in batches."""

    def __init__(self, table: Table, folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.table, self.pa = table, pa
        types = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
                 "boolean": pa.bool_()}
        self.schema = pa.schema([(c.name, types[c.type]) for c in table.columns])
        self.csv_file = (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.csv_file, lineterminator="\n")
        self.csv.writerow([c.name for c in table.columns])
        self.parquet = pq.ParquetWriter(folder / f"{table.name}.parquet", self.schema,
                                        compression="zstd")
        self.batch: list[dict[str, Any]] = []
        self.rows = 0
        self._text = [c.type == "string" for c in table.columns]

    def add(self, row: Mapping[str, Any]) -> None:
        self.batch.append({c.name: row.get(c.name) for c in self.table.columns})
        if len(self.batch) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.batch:
            return
        for r in self.batch:
            cells = [_cell(r[c.name]) for c in self.table.columns]
            safe = spreadsheet_row([x if t else None for x, t in zip(cells, self._text,
                                                                        strict=True)])
            self.csv.writerow([s if t else x for x, s, t in zip(cells, safe, self._text,
                                                                 strict=True)])
        cols = {c.name: [r[c.name] if r[c.name] != "" else None for r in self.batch]
                for c in self.table.columns}
        self.parquet.write_table(self.pa.table(cols, schema=self.schema))
        self.rows += len(self.batch)
        self.batch = []

    def close(self) -> int:
        self._flush()
        self.csv_file.close()
        self.parquet.close()
        return self.rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class Export:
    folder: Path
    rows: dict[str, int]
    files: list[tuple[str, int]]  # name, bytes


def export(reader: ReadStore, base: str, folder: Path, *, version: str = "",
           source: str = "") -> Export:
    """Write the tables and ``datapackage.json`` into ``folder`` (made whole elsewhere, then
    put in place: a reader of ``folder`` never sees half an export)."""
    folder = folder.absolute()
    if folder.exists() and any(folder.iterdir()) and not (folder / "datapackage.json").exists():
        raise FileExistsError(f"{folder} is not empty and holds no export: choose a new or"
                              " empty folder")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.making-", dir=folder.parent))
    try:
        rows = _write_tables(reader, base, work)
        _descriptor(work, rows, base, version, source)
        old = folder.parent / f".{folder.name}.old-{os.getpid()}"
        if folder.exists():
            folder.rename(old)
        work.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    files = sorted((f.name, f.stat().st_size) for f in folder.iterdir())
    return Export(folder, rows, files)


def _write_tables(reader: ReadStore, base: str, work: Path) -> dict[str, int]:
    rows: dict[str, int] = {}

    def write(name: str, items: Iterator[Mapping[str, Any]]) -> None:
        w = _Writer(BY_NAME[name], work)
        for item in items:
            w.add(item)
        rows[name] = w.close()

    institutions = _institutions(reader)
    collections = _collections(reader, base, institutions)
    write("collections", iter(collections.values()))
    write("components", _components(reader, set(collections)))
    write("regions", ({"region_code": c, "name": r["name"]}
                      for c, r in territory.regions().items()))
    write("departments", ({"department_code": c, "name": d["name"], "region_code": d["region"]}
                          for c, d in territory.departments().items()))
    write("institutions", iter(institutions.values()))
    networks = _networks(reader, base, institutions)
    write("networks", iter(networks.values()))
    write("memberships", _memberships(reader, set(networks), set(collections)))
    disciplines = _disciplines()
    write("disciplines", iter(disciplines.values()))
    labels, label_disciplines = _labels(reader, set(collections), set(disciplines))
    write("labels", iter(labels))
    write("label_disciplines", iter(label_disciplines))
    write("network_disciplines", _network_disciplines(reader, set(networks),
                                                      set(disciplines)))
    agents, subjects, cited = _entities(reader, set(collections))
    write("agents", iter(agents.values()))
    write("subjects", iter(subjects.values()))
    write("collection_agents", (r for r in cited if "agent_id" in r))
    write("collection_subjects", (r for r in cited if "subject_id" in r))
    write("links", _links(reader, {"agents": set(agents), "subjects": set(subjects),
                                   "institutions": set(institutions)}))
    return rows


def _institutions(reader: ReadStore) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in reader.iter_select(P + """SELECT DISTINCT ?i WHERE {
            { ?i a collex:Institution } UNION { ?c a dcmitype:Collection ;
              rico:hasOrHadHolder ?i } FILTER(isIRI(?i)) }"""):
        out[_v(r, "i")] = {"institution_id": _v(r, "i")}
    columns = {"name": "foaf:name", "isil": "collex:isil", "rcr": "collex:rcr",
               "city": "collex:city", "department_code": "collex:department",
               "region_code": "collex:region", "latitude": "geo:lat",
               "longitude": "geo:long", "website": "foaf:homepage"}
    for column, prop in columns.items():
        for r in reader.iter_select(P + f"SELECT ?i ?v WHERE {{ ?i a collex:Institution ;"
                                    f" {prop} ?v }} ORDER BY ?i ?v"):
            row = out.get(_v(r, "i"))
            if row is None or row.get(column) not in (None, ""):
                continue  # one value a column: the first in order
            value: Any = _v(r, "v")
            if column in ("department_code", "region_code"):
                value = value.rsplit("/", 1)[-1]
            elif column in ("latitude", "longitude"):
                try:
                    value = float(value)
                except ValueError:
                    continue
            row[column] = value
    for row in out.values():
        row.setdefault("name", row["institution_id"].rsplit("/", 1)[-1])
    return out


def _collections(reader: ReadStore, base: str, institutions: dict[str, dict[str, Any]]
                 ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in reader.iter_select(P + "SELECT ?c WHERE { ?c a dcmitype:Collection } ORDER BY ?c"):
        c = _v(r, "c")
        out[c] = {"collection_id": c, "key": c.removeprefix(f"{base}id/collection/"),
                  "collex_label": False, "components": 0}
    single = {"title": "dcterms:title", "level": "collex:descriptionLevel",
              "extent": "dcterms:extent", "holder_id": "rico:hasOrHadHolder",
              "dates": "dcterms:temporal/rdfs:label"}
    for column, path in single.items():
        for r in reader.iter_select(P + f"SELECT ?c ?v WHERE {{ ?c a dcmitype:Collection ;"
                                    f" {path} ?v }} ORDER BY ?c ?v"):
            row = out.get(_v(r, "c"))
            if row is not None and column not in row:
                row[column] = _v(r, "v")
    many = {"shelfmarks": "dcterms:identifier ?v",
            "languages": "dcterms:language ?l BIND(REPLACE(STR(?l), '^.*/', '') AS ?v)"}
    for column, pattern in many.items():
        found: dict[str, list[str]] = defaultdict(list)
        for r in reader.iter_select(P + f"SELECT DISTINCT ?c ?v WHERE {{ ?c a"
                                    f" dcmitype:Collection ; {pattern} }} ORDER BY ?c ?v"):
            found[_v(r, "c")].append(_v(r, "v"))
        for c, values in found.items():
            if c in out:
                out[c][column] = " | ".join(values)
    for r in reader.iter_select(P + """SELECT ?c (MIN(?s) AS ?start) (MAX(?e) AS ?end) WHERE {
            ?c a dcmitype:Collection ; dcterms:temporal ?p .
            OPTIONAL { ?p collex:startYear ?s } OPTIONAL { ?p collex:endYear ?e } }
            GROUP BY ?c"""):
        if (row := out.get(_v(r, "c"))) is not None:
            row["start_year"], row["end_year"] = _year(_v(r, "start")), _year(_v(r, "end"))
    for r in reader.iter_select(P + "SELECT DISTINCT ?c WHERE { ?c a dcmitype:Collection ;"
                                " collex:hasLabel ?l }"):
        if (row := out.get(_v(r, "c"))) is not None:
            row["collex_label"] = True
    for r in reader.iter_select(P + "SELECT ?c (MAX(?n) AS ?k) WHERE { ?c a dcmitype:Collection"
                                " ; collex:componentCount ?n } GROUP BY ?c"):
        if (row := out.get(_v(r, "c"))) is not None:
            row["components"] = _year(_v(r, "k")) or 0
    for row in out.values():
        holder = row.get("holder_id")
        if holder and holder not in institutions:
            institutions[holder] = {"institution_id": holder,
                                    "name": holder.rsplit("/", 1)[-1]}
    return out


def _components(reader: ReadStore, collections: set[str]) -> Iterator[dict[str, Any]]:
    """Component by component, finding aid after finding aid: one query on each notice's
    graph (indexed by graph), so that memory holds one finding aid at a time."""
    graphs: dict[str, str] = {}
    for r in reader.iter_select(P + "SELECT ?c ?g WHERE { GRAPH ?g { ?c a dcmitype:Collection"
                                " } } ORDER BY ?c ?g"):
        graphs.setdefault(_v(r, "c"), _v(r, "g"))
    for c in sorted(collections):
        if c not in graphs:
            continue
        rows: dict[str, dict[str, Any]] = {}
        for r in reader.iter_select(P + f"""SELECT ?x ?parent ?t ?i ?l ?o ?d ?s ?e WHERE {{
                GRAPH <{graphs[c]}> {{ ?x rico:isOrWasIncludedIn ?parent
                  OPTIONAL {{ ?x dcterms:title ?t }} OPTIONAL {{ ?x dcterms:identifier ?i }}
                  OPTIONAL {{ ?x collex:descriptionLevel ?l }} OPTIONAL {{ ?x collex:order ?o }}
                  OPTIONAL {{ ?x dcterms:temporal ?p OPTIONAL {{ ?p rdfs:label ?d }}
                    OPTIONAL {{ ?p collex:startYear ?s }} OPTIONAL {{ ?p collex:endYear ?e }} }}
                }} }}"""):
            x = _v(r, "x")
            if not x.startswith(f"{c}/c/"):
                continue
            row = rows.get(x)
            if row is None:
                parent = _v(r, "parent")
                row = rows[x] = {"component_id": x, "collection_id": c,
                                 "parent_id": "" if parent == c else parent}
            for column, var in (("title", "t"), ("identifier", "i"), ("level", "l"),
                                ("dates", "d")):
                if not row.get(column) and _v(r, var):
                    row[column] = _v(r, var)
            for column, var, pick in (("position", "o", min), ("start_year", "s", min),
                                      ("end_year", "e", max)):
                value = _year(_v(r, var))
                if value is not None:
                    old = row.get(column)
                    row[column] = value if old is None else pick(old, value)
        for x in sorted(rows):
            parent = rows[x]["parent_id"]
            if parent and parent not in rows:
                rows[x]["parent_id"] = ""  # a parent outside the tree: kept as a root
            yield rows[x]


def _networks(reader: ReadStore, base: str, institutions: dict[str, dict[str, Any]]
              ) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in reader.iter_select(P + """SELECT ?n (SAMPLE(?nm) AS ?name) (SAMPLE(?d) AS ?desc)
            (SAMPLE(?co) AS ?coord) WHERE { ?n a collex:ThematicNetwork .
            OPTIONAL { ?n foaf:name ?nm } OPTIONAL { ?n dcterms:description ?d }
            OPTIONAL { ?n collex:coordinator ?co } } GROUP BY ?n ORDER BY ?n"""):
        n = _v(r, "n")
        coordinator = _v(r, "coord")
        out[n] = {"network_id": n, "key": n.removeprefix(f"{base}id/network/"),
                  "name": _v(r, "name"), "description": _v(r, "desc"),
                  "coordinator_id": coordinator if coordinator in institutions else ""}
    return out


def _memberships(reader: ReadStore, networks: set[str], collections: set[str]
                 ) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    for r in reader.iter_select(P + """SELECT ?n ?m (SAMPLE(?role0) AS ?role)
            (SAMPLE(?t0) AS ?t) (SAMPLE(?h0) AS ?h) WHERE {
            ?n a collex:ThematicNetwork ; collex:hasMember ?m .
            OPTIONAL { ?ms collex:network ?n ; collex:member ?m ; collex:memberRole ?role0 }
            OPTIONAL { ?m a collex:ExternalCollection ; dcterms:title ?t0 }
            OPTIONAL { ?m a collex:ExternalCollection .
                       { ?m collex:holderName ?h0 } UNION { ?m rico:hasOrHadHolder/foaf:name
                       ?h0 } } } GROUP BY ?n ?m ORDER BY ?n ?m"""):
        n, m = _v(r, "n"), _v(r, "m")
        if n not in networks or (n, m) in seen:
            continue
        seen.add((n, m))
        yield {"network_id": n, "member_id": m,
               "collection_id": m if m in collections else "", "role": _v(r, "role"),
               "title": _v(r, "t"), "holder": _v(r, "h")}


_DISCIPLINE = "https://w3id.org/collex/disciplines/"


def _disciplines() -> dict[str, dict[str, Any]]:
    """The disciplines scheme as shipped (the labels refer to it whether or not the store
    holds it)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    from ontology import disciplines_path

    g = Graph().parse(disciplines_path(), format="turtle")
    out: dict[str, dict[str, Any]] = {}
    for concept, code in sorted(g.subject_objects(SKOS.notation)):
        labels = {getattr(lab, "language", None): str(lab)
                  for lab in g.objects(concept, SKOS.prefLabel)}
        broader = g.value(concept, SKOS.broader)
        out[str(code)] = {"discipline_code": str(code), "label_fr": labels.get("fr", ""),
                          "label_en": labels.get("en", ""),
                          "broader_code": str(broader).removeprefix(_DISCIPLINE)
                          if isinstance(broader, URIRef) else ""}
    return out


def _labels(reader: ReadStore, collections: set[str], disciplines: set[str]
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    labels: dict[str, dict[str, Any]] = {}
    for r in reader.iter_select(P + """SELECT ?l ?c ?y ?n WHERE { ?l a collex:CollexLabel ;
            collex:labelledCollection ?c OPTIONAL { ?l collex:campaign ?y }
            OPTIONAL { ?l skos:note ?n } } ORDER BY ?l ?c ?y ?n"""):
        label, c = _v(r, "l"), _v(r, "c")
        if c in collections and label not in labels:
            labels[label] = {"label_id": label, "collection_id": c,
                             "campaign": _year(_v(r, "y")), "note": _v(r, "n")}
    pairs = sorted({(_v(r, "l"), _v(r, "d").removeprefix(_DISCIPLINE)) for r in
                    reader.iter_select(P + "SELECT ?l ?d WHERE { ?l a collex:CollexLabel ;"
                                       " collex:discipline ?d }")})
    return list(labels.values()), [{"label_id": lab, "discipline_code": d} for lab, d in pairs
                                   if lab in labels and d in disciplines]


def _network_disciplines(reader: ReadStore, networks: set[str], disciplines: set[str]
                         ) -> Iterator[dict[str, Any]]:
    pairs = sorted({(_v(r, "n"), _v(r, "d").removeprefix(_DISCIPLINE)) for r in
                    reader.iter_select(P + "SELECT ?n ?d WHERE { ?n a collex:ThematicNetwork ;"
                                       " collex:discipline ?d }")})
    for n, d in pairs:
        if n in networks and d in disciplines:
            yield {"network_id": n, "discipline_code": d}


def _entities(reader: ReadStore, collections: set[str]
              ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]],
                         list[dict[str, Any]]]:
    """Agents and subjects cited by the collections or their components, and the citations
    (one row per collection, entity and role, saying where)."""
    props = sorted(set(_AGENT_ROLES) | set(_SUBJECT_RELATIONS))
    values = " ".join(props)
    direct: set[tuple[str, str, str]] = set()
    in_components: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    entities: set[str] = set()
    for r in reader.iter_select(P + f"""SELECT ?c ?p ?o WHERE {{ VALUES ?p {{ {values} }}
            ?c a dcmitype:Collection ; ?p ?o . FILTER(isIRI(?o)) }}"""):
        key = (_v(r, "c"), _v(r, "p"), _v(r, "o"))
        direct.add(key)
        entities.add(key[2])
    for r in reader.iter_select(P + f"""SELECT ?x ?p ?o WHERE {{ VALUES ?p {{ {values} }}
            ?x rico:isOrWasIncludedIn ?parent ; ?p ?o . FILTER(isIRI(?o)) }}"""):
        x = _v(r, "x")
        c = x.split("/c/", 1)[0]
        if c in collections:
            in_components[(c, _v(r, "p"), _v(r, "o"))].add(x)
            entities.add(_v(r, "o"))
    # what they are and what they are called: read for these entities only (VALUES by
    # chunks); the whole store's labels are mostly the periods' and components' (13 s at S)
    types: dict[str, set[str]] = defaultdict(set)
    kinds_of_authority: dict[str, str] = {}
    names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for scope in scopes("e", entities, size=500):  # one property a query: Oxigraph scans
        for r in reader.iter_select(P + f"SELECT ?e ?t WHERE {{ {scope} ?e a ?t }}"):
            types[_v(r, "e")].add(_v(r, "t"))  # a VALUES of properties whole (measured)
        for r in reader.iter_select(P + f"SELECT ?e ?k WHERE {{ {scope} ?e"
                                    " collex:authorityKind ?k }"):
            kinds_of_authority[_v(r, "e")] = _v(r, "k")
        for prop in ("skos:prefLabel", "foaf:name", "rdfs:label"):
            for r in reader.iter_select(P + f"SELECT ?e ?l WHERE {{ {scope} ?e {prop} ?l }}"):
                names[_v(r, "e")][_expand(prop)].append(_v(r, "l"))
    order = [_expand(p) for p in ("skos:prefLabel", "foaf:name", "rdfs:label")]
    labels = {e: min(found[next(p for p in order if found.get(p))])
              for e, found in names.items() if any(found.values())}
    agent_types = [(_expand(t), k) for t, k in _AGENT_TYPES]
    place_types = {_expand(t) for t in _PLACE_TYPES}
    agents: dict[str, dict[str, Any]] = {}
    subjects: dict[str, dict[str, Any]] = {}
    for e in sorted(entities):
        ppn = m.group(1) if (m := _PPN.match(e)) else ""
        kind = next((k for t, k in agent_types if t in types[e]), None)
        authority = kinds_of_authority.get(e, "")
        if authority in ("person", "corporate body", "family"):
            kind = authority
        label = labels.get(e, "")
        if kind is not None:
            agents[e] = {"agent_id": e, "name": label, "kind": kind, "idref_ppn": ppn}
        else:
            sk = ("place" if types[e] & place_types or authority == "place" else
                  "genre" if authority == "form/genre" else
                  "subject" if types[e] or authority else "other")
            subjects[e] = {"subject_id": e, "label": label, "kind": sk, "idref_ppn": ppn}
    roles = {_expand(k): v for k, v in _AGENT_ROLES.items()}
    relations = {_expand(k): v for k, v in _SUBJECT_RELATIONS.items()}
    cited: list[dict[str, Any]] = []
    for c, p, o in sorted(direct | set(in_components)):
        where = {"collection_id": c, "in_description": (c, p, o) in direct,
                 "components": len(in_components.get((c, p, o), ()))}
        if o in agents and p in roles:
            cited.append({**where, "agent_id": o, "role": roles[p]})
        elif o in subjects and p in relations:
            cited.append({**where, "subject_id": o, "relation": relations[p]})
    return agents, subjects, cited


def _links(reader: ReadStore, tables: dict[str, set[str]]) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    for r in reader.iter_select(P + "SELECT ?e ?t WHERE { ?e owl:sameAs|skos:exactMatch ?t"
                                " FILTER(isIRI(?t)) } ORDER BY ?e ?t"):
        e, t = _v(r, "e"), _v(r, "t")
        table = next((name for name, ids in tables.items() if e in ids), None)
        if table is None or (e, t) in seen or e == t:
            continue
        seen.add((e, t))
        yield {"entity_id": e, "entity_table": table, "target": t, "dataset": link_for(t).label}


def _descriptor(folder: Path, rows: dict[str, int], base: str, version: str,
                source: str) -> None:
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    resources = []
    for fmt in ("csv", "parquet"):
        for t in TABLES:
            path = folder / f"{t.name}.{fmt}"
            name = t.name if fmt == "csv" else f"{t.name}-parquet"
            resource: dict[str, Any] = {
                "name": name, "path": path.name, "title": t.title,
                "profile": "tabular-data-resource", "format": fmt,
                "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
                "schema": {
                    "fields": [{"name": c.name, "type": c.type, "description": c.description}
                               for c in t.columns],
                    "primaryKey": t.key,
                    "foreignKeys": [{"fields": col, "reference": {
                        "resource": (ref if fmt == "csv" or not ref else f"{ref}-parquet"),
                        "fields": ref_col}} for col, ref, ref_col in t.foreign],
                    # frictionless reads Parquet through pandas, where a missing integer
                    # is NaN: for the Parquet twins, "nan" means missing
                    "missingValues": [""] if fmt == "csv" else ["", "nan"],
                },
                "x-rows": rows[t.name],
            }
            if fmt == "csv":  # (frictionless reads Parquet through pandas: no byte count)
                resource["bytes"] = path.stat().st_size
                resource["hash"] = f"sha256:{_measure(path)[1]}"
                resource["encoding"] = "utf-8"
                resource["dialect"] = {"delimiter": ",", "quoteChar": "\"", "header": True}
            resources.append(resource)
    package = {
        "profile": "tabular-data-package",
        "name": "collex-collections",
        "title": "Collections d'excellence (CollEx) : collections, composants, établissements,"
                 " réseaux, personnes et sujets",
        "description": "Tidy tables exported from the CollEx knowledge graph: one table per"
                       " kind of thing and one per relation. Each CSV has a Parquet twin"
                       " ({table}-parquet). In the CSV files, text cells that a spreadsheet"
                       " would run as formulas start with ' (OWASP); Parquet holds the values"
                       " as they are.",
        "homepage": base,
        "version": version or created,
        "created": created,
        "licenses": [LICENCE],
        "sources": [{"title": "CollEx knowledge graph (SPARQL)", "path": f"{base}sparql"},
                    *([{"title": "data state", "path": source}] if source else [])],
        "contributors": [{"title": "GIS CollEx-Persée", "role": "publisher"}],
        "keywords": ["CollEx", "collections d'excellence", "EAD", "IdRef", "libraries",
                     "archives"],
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1)
                                             + "\n", encoding="utf-8")
