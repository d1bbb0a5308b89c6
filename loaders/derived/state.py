"""Derived state that never goes stale.

Every load writes, in the same atomic operation as its records, a new **data version** (the
graph ``{base}graph/derived/state``). Each derived artefact records the version it was
computed from: the related-collections graph (``collex:derivedFrom``) and the search index
(its ``meta`` table). :func:`ensure` rebuilds whatever does not match; it runs after every
load, at ``collex serve``'s start, after ``restore``, and before the read commands answer. A
load killed at any moment thus leaves either the old data with its derived state, or the new
data whose derived state is rebuilt when the store is next opened.
"""

from __future__ import annotations

import uuid

from rdflib import Literal, URIRef

from collex.settings import Settings
from graph.base import ReadStore, WriteStore
from graph.spool import QuadSpool
from loaders.terms import COLLEX

RELATED = "graph/derived/related"
STATE = "graph/derived/state"


def version_triples(base: str, version: str) -> list[tuple[URIRef, URIRef, Literal]]:
    """The content of the state graph for ``version`` (written with a load's records)."""
    return [(URIRef(f"{base}{STATE}"), COLLEX.dataVersion, Literal(version))]


def new_version() -> str:
    return uuid.uuid4().hex


def _one(reader: ReadStore, graph: str, prop: str) -> str | None:
    rows = reader.select(f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ <{graph}> <{prop}> ?v }} }}")
    return str(getattr(rows[0]["v"], "value", "")) if rows else None


def data_version(reader: ReadStore, base: str) -> str | None:
    return _one(reader, f"{base}{STATE}", str(COLLEX.dataVersion))


def related_version(reader: ReadStore, base: str) -> str | None:
    return _one(reader, f"{base}{RELATED}", str(COLLEX.derivedFrom))


def stale(reader: ReadStore, settings: Settings) -> list[str]:
    """What derived state does not match the data (empty: all fresh)."""
    from graph.search import SqliteSearchIndex, index_path

    version = data_version(reader, settings.base_iri)
    out = []
    if version is None or related_version(reader, settings.base_iri) != version:
        out.append("related collections")
    if version is None or SqliteSearchIndex(index_path(settings.store_dir)).version() != version:
        out.append("search index")
    return out


def ensure(store: WriteStore, settings: Settings, *, force: bool = False) -> list[str]:
    """Rebuild the derived state that does not match the data; returns what was rebuilt."""
    from graph.search import refresh as refresh_search
    from loaders.derived.related import refresh as refresh_related

    base = settings.base_iri
    todo = ["related collections", "search index"] if force else stale(store, settings)
    if not todo:
        return []
    version = data_version(store, base)
    if version is None:  # a store from before versioning, or a dump without it: stamp it
        version = new_version()
        with QuadSpool() as spool:
            spool.add_graph(f"{base}{STATE}", version_triples(base, version))
            store.replace_graphs(spool)
        todo = ["related collections", "search index"]
    if "related collections" in todo:
        refresh_related(store, base, version)
    if "search index" in todo:
        refresh_search(store, settings.store_dir, version)
    store.optimize()
    return todo
