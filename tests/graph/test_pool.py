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


def _small_store(path: Path, triples: int) -> tuple[object, QueryPool]:
    store = open_write(path)
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ " + " ".join(
        f"<{EX}s{i}> <{EX}p> {i} ." for i in range(triples)) + " } }")
    return store, QueryPool(path, workers=1, timeout=5, queue_wait=1.0, snapshot=store.backup)


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_query_slowed_by_the_others_load_keeps_its_shape_fast(tmp_path: Path) -> None:
    """A shape's cost is the CPU its runs used, not their duration: a query of about 30 ms
    of work whose worker is held still for half a second in the middle (what two cores
    shared with heavy queries do to it) keeps its shape fast, so it keeps the worker kept
    for fast queries instead of queueing behind the heavy ones (five soak lookups and
    entity pages answered 503 after the queue wait, measured before)."""
    import hashlib
    import os
    import signal

    from graph.pool import shape

    _, pool = _small_store(tmp_path / "store", 400)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # 160,000 rows, counted
    key = hashlib.blake2b(shape("select", query).encode(), digest_size=16).digest()
    try:
        for _ in range(3):
            pool.call("select", query)
        assert pool.shapes.fast(key), pool.shapes._recent[key]
        pid = pool._workers._free[0].process.pid
        for _ in range(10):  # until the worker is stopped in the middle of the query
            before = _cpu_ticks(pid)
            call = threading.Thread(target=pool.call, args=("select", query))
            call.start()
            while _cpu_ticks(pid) == before and call.is_alive():
                time.sleep(0.0005)
            os.kill(pid, signal.SIGSTOP)
            stopped_in_the_middle = call.is_alive()
            time.sleep(0.5)
            os.kill(pid, signal.SIGCONT)
            call.join()
            if stopped_in_the_middle:
                break
        assert stopped_in_the_middle
        assert pool.shapes.fast(key), pool.shapes._recent[key]
    finally:
        pool.close()


def test_a_shape_a_worker_ran_skips_the_syntax_checker(tmp_path: Path) -> None:
    """While every worker is busy, a query of a shape not run yet has its syntax checked
    (a malformed one is answered at once); one of a shape a worker already ran does not
    take the checker, which stays free for the queries it is there for."""
    from collex.errors import Busy, QueryRejected
    from graph.base import QueryRequest

    _, pool = _small_store(tmp_path / "store", 50)
    known = "SELECT ?o WHERE { <http://ex.org/s1> ?p ?o }"
    try:
        pool.call("run", QueryRequest(known))
        heavy = threading.Thread(target=lambda: _quietly(lambda: pool.call(
            "select", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i ."
            " ?j ?k ?l . ?m ?n2 ?o2 }")))
        heavy.start()
        time.sleep(0.3)
        assert heavy.is_alive()
        with contextlib.suppress(Busy):  # queued, then the bounded wait
            pool.call("run", QueryRequest(known.replace("s1", "s2")))
        assert pool.checker._conn is None  # never started
        try:
            pool.call("run", QueryRequest("SELECT ?o WHERE { <http://ex.org/s1> ?p"))
            raise AssertionError("a malformed query was not rejected")
        except QueryRejected:
            pass
        assert pool.checker._conn is not None and heavy.is_alive()
        heavy.join()
    finally:
        pool.close()
