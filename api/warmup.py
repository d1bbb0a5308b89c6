"""At start, the server runs its own page and entity queries a few times on sample
resources, in the background, so that the query pool knows their cost before clients come.

The pool keeps one worker for query shapes known to run fast (``graph.pool``); a shape is
known after three runs. Without this, the first visitors of each kind of page competed with
heavy public queries for the other workers and could be answered 503 (one page in seven
thousand in a soak that sent heavy queries from its first second, measured).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from api.data import (
    authority_detail,
    collection_detail,
    collection_key,
    component_children,
    institution_detail,
    network_detail,
)
from api.routes.resources import _about
from graph.base import QueryRequest, ReadStore
from graph.pool import PRESUME_FAST
from ontology import SPARQL_PREFIXES

log = logging.getLogger("collex.warmup")
ROUNDS = 3


def _first(reader: ReadStore, pattern: str) -> str | None:
    rows = reader.select(SPARQL_PREFIXES + f"SELECT ?x WHERE {{ {pattern} }} LIMIT 1")
    return str(getattr(rows[0]["x"], "value", "")) if rows else None


def learn_shapes(reader: ReadStore, base: str) -> int:
    """Runs each page's queries ``ROUNDS`` times; returns how many calls succeeded. Its
    queries take the worker kept for fast ones before they are measured (a heavy query on
    the general workers does not hold the warm-up back)."""
    presumed = PRESUME_FAST.set(True)
    try:
        return _learn(reader, base)
    finally:
        PRESUME_FAST.reset(presumed)


def _learn(reader: ReadStore, base: str) -> int:
    calls: list[Callable[[], object]] = []
    coll = _first(reader, "?x a dcmitype:Collection")
    if coll:
        key = collection_key(base, coll)
        calls += [lambda: collection_detail(reader, base, key),
                  lambda: component_children(reader, base, key, None, 0, 50),
                  lambda: reader.ask(f"ASK {{ <{coll}> ?p ?o }}"),
                  lambda: reader.run(QueryRequest(
                      f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_about(coll)} }}",
                      graph_format="turtle"))]
    network = _first(reader, "?x a collex:ThematicNetwork")
    if network and network.startswith(f"{base}id/network/"):
        ident = network.removeprefix(f"{base}id/network/")
        calls.append(lambda: network_detail(reader, base, ident))
    isil = _first(reader, "?i a collex:Institution ; collex:isil ?x")
    if isil:
        calls.append(lambda: institution_detail(reader, base, isil))
    agent = _first(reader, "?c a dcmitype:Collection ; dcterms:creator|dcterms:subject ?x ."
                           ' FILTER(STRSTARTS(STR(?x), "http://www.idref.fr/"))')
    if agent:
        ppn = agent.removeprefix("http://www.idref.fr/").removesuffix("/id")
        calls.append(lambda: authority_detail(reader, ppn))
    done = 0
    for _ in range(ROUNDS):
        for call in calls:
            try:
                call()
                done += 1
            except Exception as exc:  # a sample that is not what was expected: skip it
                log.debug("warm-up call failed: %s", exc)
    return done


def warm(reader: ReadStore, base: str, views: Callable[[], None] | None = None) -> None:
    """``views``: starts computing the whole-store views before anyone asks."""
    if views is not None:
        views()
    try:
        log.info("learned the cost of the page queries (%d calls)", learn_shapes(reader, base))
    except Exception:
        log.exception("warm-up failed; the pool learns the page queries from visitors")
