"""The query pool's snapshots under writes: no read fails because a write deleted the
snapshot it was opening or reading, and each read sees one write's state whole."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

from collex.errors import CollexError
from graph.embedded import open_write
from graph.pool import QueryPool

EX = "http://ex.org/"


def test_reads_never_fail_while_writes_replace_snapshots(tmp_path: Path) -> None:
    """A write every 10 ms, four workers answering readers all the while, until 60 writes and
    200 answers are done (4 s on a quiet machine; a busy one takes longer, up to 120 s): every
    read succeeds and sees a whole write (the two triples of one write always together)."""
    store = open_write(tmp_path / "store")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}v> 0 . <{EX}b> <{EX}v> 0 }} }}")
    pool = QueryPool(tmp_path / "store", workers=4, timeout=30, snapshot=store.backup)
    deadline = time.monotonic() + 120
    errors: list[str] = []
    answers: list[int] = []
    writes = 0

    def going() -> bool:
        return (writes < 60 or len(answers) < 200) and time.monotonic() < deadline

    def write() -> None:
        nonlocal writes
        while going():
            writes += 1
            store.update(f"DELETE {{ GRAPH <{EX}g> {{ ?s <{EX}v> ?o }} }} INSERT {{ GRAPH <{EX}g>"
                         f" {{ ?s <{EX}v> {writes} }} }} WHERE {{ GRAPH <{EX}g> {{ ?s <{EX}v>"
                         " ?o } }")
            pool.data_changed()
            time.sleep(0.01)

    def read() -> None:
        while going():
            try:
                rows = pool.call("select", f"SELECT ?o WHERE {{ ?s <{EX}v> ?o }}")
                values = {int(r["o"].value) for r in rows}
                if len(rows) != 2 or len(values) != 1:
                    errors.append(f"mixed state: {rows}")
                answers.append(values.pop())
            except Exception as exc:  # every failure is the finding
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read)
                                                  for _ in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        pool.close()
    assert errors == [], errors[:5]
    assert writes >= 60 and len(answers) >= 200 and max(answers) > writes // 2


def _quietly(call: Callable[[], object]) -> None:
    with contextlib.suppress(CollexError):  # the heavy query's deadline
        call()


def test_page_queries_are_known_fast_after_the_start(tmp_path: Path) -> None:
    """The warm-up runs each kind of page's queries on samples: afterwards the pool counts
    their shapes as fast, so the first visitors take the worker kept for fast queries."""
    import subprocess

    from api.warmup import ROUNDS, learn_shapes
    from graph.embedded import open_write
    from graph.pool import PooledReader, QueryPool
    from tests.conftest import COLLEX, SAMPLE

    env = {"COLLEX_STORE_DIR": str(tmp_path / "store"), "PATH": str(COLLEX.parent)}
    subprocess.run([str(COLLEX), "load", str(SAMPLE)], env=env, check=True,
                   capture_output=True)
    store = open_write(tmp_path / "store")
    pool = QueryPool(tmp_path / "store", workers=2, timeout=8, snapshot=store.backup)
    try:
        base = "http://127.0.0.1:8000/"
        # a heavy query holds the general worker: the warm-up's queries, presumed fast,
        # take the one kept for fast queries and are done before it ends
        heavy = threading.Thread(target=lambda: _quietly(lambda: PooledReader(pool).select(
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f"  # CPU, not memory
            " FILTER(STRLEN(CONCAT(STR(?c), STR(?f))) > 1000000) }")))
        heavy.start()
        time.sleep(0.5)
        assert learn_shapes(PooledReader(pool), base) >= 6 * ROUNDS
        assert heavy.is_alive()
        heavy.join()
        from api.data import collection_detail
        from graph.pool import shape

        key = "calames-751052116-0001"
        known, fast = pool.shapes.known()
        assert known > 20 and fast > 20
        collection_detail(PooledReader(pool), base, key)  # another collection: same shapes
        assert pool.shapes.known()[0] == known
        assert shape("select", "x") != shape("ask", "x")
    finally:
        pool.close()
