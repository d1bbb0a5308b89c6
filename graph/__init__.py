"""The store layer: one interface, an embedded Oxigraph implementation, later a remote one.

Read and write are different handles: code that only reads receives a :class:`ReadStore`
and has no way to obtain a :class:`WriteStore` from it.
"""

from graph.base import QueryAnswer, ReadStore, StoreStats, WriteStore
from graph.embedded import EmbeddedStore, open_read, open_write
from graph.spool import QuadSpool

__all__ = [
    "EmbeddedStore",
    "QuadSpool",
    "QueryAnswer",
    "ReadStore",
    "StoreStats",
    "WriteStore",
    "open_read",
    "open_write",
]
