"""The store layer: one interface, an embedded Oxigraph implementation, and a remote one.

Read and write are different handles: code that only reads receives a :class:`ReadStore`
and has no way to obtain a :class:`WriteStore` from it.
"""

from __future__ import annotations

from collex.settings import Settings
from graph.base import QueryAnswer, QueryRequest, ReadStore, StoreStats, WriteStore
from graph.embedded import EmbeddedStore, open_read, open_write
from graph.spool import QuadSpool

__all__ = [
    "EmbeddedStore",
    "QuadSpool",
    "QueryAnswer",
    "QueryRequest",
    "ReadStore",
    "StoreStats",
    "WriteStore",
    "open_read",
    "open_store_fresh",
    "open_store_read",
    "open_store_write",
    "open_write",
]


def open_store_write(settings: Settings) -> WriteStore:
    """The configured store, for writing (embedded: this process holds the lock)."""
    if settings.store == "remote":
        from graph.remote import RemoteStore

        remote = RemoteStore(settings)
        remote.check_layout()
        remote.complete_journal()
        return remote
    return open_write(settings.store_dir, settings.write_batch_quads)


def open_store_read(settings: Settings) -> ReadStore:
    """The configured store, read-only."""
    if settings.store == "remote":
        from graph.remote import RemoteReader

        return RemoteReader(settings)
    return open_read(settings.store_dir)


def open_store_fresh(settings: Settings) -> ReadStore:
    """The configured store, read-only, its derived state first rebuilt if a load left it
    stale (killed after its main write, or run with ``--no-derive``). When another process
    holds the store for writing (``collex serve``), that process keeps it fresh."""
    import gc

    from collex.errors import StoreUnavailable
    from loaders.derived.state import ensure, stale

    reader = open_store_read(settings)
    if not stale(reader, settings):
        return reader
    del reader
    gc.collect()  # the read-only handle goes before the store is opened for writing
    try:
        writer = open_store_write(settings)
    except StoreUnavailable:
        return open_store_read(settings)
    ensure(writer, settings)
    del writer
    gc.collect()
    return open_store_read(settings)
