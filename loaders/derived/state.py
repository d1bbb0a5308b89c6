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
WRITES = "graph/derived/writes"  # bumped by each write through a server on a shared store


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


def change_marker(reader: ReadStore, base: str) -> str:
    """What changes with every write to the store: the data version (loads) and the write
    marker (writes through a server). Servers sharing a remote store poll it."""
    rows = reader.select(
        f"SELECT ?g ?v WHERE {{ VALUES (?g ?p) {{ (<{base}{STATE}> <{COLLEX.dataVersion}>)"
        f" (<{base}{WRITES}> <{COLLEX.writeMarker}>) }} GRAPH ?g {{ ?g ?p ?v }} }}")
    found = {str(getattr(r["g"], "value", "")): str(getattr(r["v"], "value", "")) for r in rows}
    return f"{found.get(base + STATE, '')}|{found.get(base + WRITES, '')}"


def bump_writes(store: WriteStore, base: str) -> str:
    """A new write marker (after a write through a server), returned: the other servers
    see it change."""
    graph, marker = f"{base}{WRITES}", new_version()
    store.update(f"DROP SILENT GRAPH <{graph}> ; INSERT DATA {{ GRAPH <{graph}> {{ <{graph}>"
                 f" <{COLLEX.writeMarker}> \"{marker}\" }} }}")
    return marker


def related_version(reader: ReadStore, base: str) -> str | None:
    return _one(reader, f"{base}{RELATED}", str(COLLEX.derivedFrom))


def interrupted(settings: Settings) -> bool:
    """True when a write of several steps did not finish (its journal is still there)."""
    from graph.embedded import journal_path

    return settings.store == "embedded" and journal_path(settings.store_dir).exists()


def stale(reader: ReadStore, settings: Settings) -> list[str]:
    """What derived state does not match the data (empty: all fresh)."""
    from graph.search import SqliteSearchIndex, index_path

    version = data_version(reader, settings.base_iri)
    out = ["shared entities"] if interrupted(settings) else []
    if version is None or related_version(reader, settings.base_iri) != version:
        out.append("related collections")
    if version is None or SqliteSearchIndex(index_path(settings.store_dir)).version() != version:
        out.append("search index")
    return out


def ensure(store: WriteStore, settings: Settings, *, force: bool = False) -> list[str]:
    """Rebuild the derived state that does not match the data; returns what was rebuilt."""
    from graph.embedded import journal_path
    from graph.search import refresh as refresh_search
    from loaders.derived.related import refresh as refresh_related
    from loaders.entities import EntityLedger

    base = settings.base_iri
    todo = stale(store, settings)
    if force:
        todo = list(dict.fromkeys([*todo, "related collections", "search index"]))
    if not todo:
        return []
    version = data_version(store, base)
    done = ["shared entities"] if "shared entities" in todo else []
    if version is None or done:
        # A store from before versioning, a dump without it, or a write killed between its
        # steps: the entity graphs are rebuilt from the whole store, under a new version.
        version = new_version()
        journal = journal_path(settings.store_dir)
        with QuadSpool() as spool:
            if "shared entities" in todo:
                for graph, content in EntityLedger(base).rebuild_all(store):
                    spool.add_graph(graph, content)
            spool.add_graph(f"{base}{STATE}", version_triples(base, version))
            store.replace_graphs(spool)
        journal.unlink(missing_ok=True)
        todo = ["related collections", "search index"]
    if "related collections" in todo:
        refresh_related(store, base, version)
    if "search index" in todo:
        refresh_search(store, settings.store_dir, version)
    store.optimize()
    return done + todo
