"""Queries with a deadline that really stops the work.

pyoxigraph cannot cancel a running query, so the server runs queries in worker processes.
A query past its deadline gets its worker killed (SIGKILL) and replaced; the other workers
keep serving.

Workers never open the live store (a read-only RocksDB instance beside a writer breaks when
the writer compacts): they open *snapshots*, consistent checkpoints of the store made by the
writer after each write (hard links on the same filesystem, so they cost milliseconds). A
generation counter tells workers to move to the newest snapshot before their next query; a
snapshot is deleted once no worker uses it.

A worker claims a snapshot (its slot in ``in_use``) *before* opening it and checks that the
generation did not move meanwhile; the writer publishes a generation *before* reading the
claims, and deletes a snapshot only when it is neither the latest nor claimed and was
superseded more than ``_GRACE`` seconds ago. So a read never opens, nor reads a table file
of, a deleted snapshot (the engine opens table files lazily). The counters are lock-free
shared integers: a worker killed at its deadline can never leave a lock held.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import resource
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from collex.errors import Busy, QueryRejected, QueryTimeout, StoreUnavailable
from graph.base import QueryAnswer, QueryRequest, SelectRow, StoreStats
from graph.common import named_graphs_from, stats_from
from graph.results import SparqlSyntaxError, WrongFormat, execute, run_query
from graph.sandbox import DENIED, denied, deny_network


def snapshots_of(directory: Path) -> Path:
    """Where the query pool of the store at ``directory`` keeps its checkpoints."""
    return directory.with_name(directory.name + ".snapshots")


def _snapshot_path(snapshots: Path, generation: int) -> Path:
    return snapshots / f"{generation:08d}"


_GRACE = 5.0  # seconds a superseded snapshot stays for a worker between reading and claiming


def _claim(generation: Synchronized[int], in_use: SynchronizedArray[int], slot: int) -> int:
    """Mark the latest snapshot as used by ``slot`` and return it; retried when a write
    published a newer one in between (the writer then may not have seen the claim)."""
    while True:
        latest = generation.value
        in_use[slot] = latest
        if generation.value == latest:
            return latest


def _worker(conn: Connection, snapshots: str, generation: Synchronized[int],
            in_use: SynchronizedArray[int], slot: int, memory_mb: int = 0,
            offline: bool = False) -> None:
    """Worker process main loop: one request at a time from ``conn``. With ``memory_mb``,
    the process's data (heap and private writable mappings) is capped: the engine aborts
    the process when a query needs more, instead of the machine running out of memory
    (a 15 KB query of three VALUES blocks joined to a pattern asked for 23 GB, measured).
    ``offline``: the process cannot open network sockets (``graph.sandbox``), so no
    ``SERVICE`` can leave it, whatever the query text."""
    if offline:
        deny_network(whole_process=True)
    if memory_mb > 0:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    store: ox.Store | None = None
    seen = -1
    while True:
        try:
            op, payload = conn.recv()
        except EOFError:
            return
        try:
            if store is None or generation.value != seen:
                store = None
                seen = -1
                latest = _claim(generation, in_use, slot)
                store = ox.Store.read_only(str(_snapshot_path(Path(snapshots), latest)))
                seen = latest
            if op == "run":
                conn.send(("ok", run_query(store, payload)))
            elif op == "select":
                result = execute(store, QueryRequest(payload))
                if not isinstance(result, ox.QuerySolutions):
                    raise WrongFormat("a SELECT query was expected")
                names = [v.value for v in result.variables]
                conn.send(("ok", [{n: v for n in names if (v := s[n]) is not None}
                                  for s in result]))
            elif op == "ask":
                conn.send(("ok", bool(execute(store, QueryRequest(payload)))))
            elif op == "ping":
                conn.send(("ok", None))
        except (SparqlSyntaxError, WrongFormat) as exc:
            conn.send(("rejected", str(exc)))
        except PermissionError as exc:
            conn.send(("rejected", DENIED) if denied(exc) else ("error", str(exc)))
        except Exception as exc:  # keep the worker alive, report the failure
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    slot: int


class QueryPool:
    """A fixed number of query worker processes over snapshots of one store.

    ``snapshot(path)`` must write a consistent copy of the store into the new directory
    ``path`` (``WriteStore.backup``).
    """

    def __init__(self, directory: Path, workers: int, timeout: float,
                 snapshot: Callable[[Path], None], queue_wait: float = 10.0,
                 memory_mb: int = 0, offline: bool = False) -> None:
        self.directory = directory
        self.timeout = timeout
        self.queue_wait = queue_wait
        self.memory_mb = memory_mb
        self.offline = offline
        self.snapshots = snapshots_of(directory)
        self._snapshot = snapshot
        shutil.rmtree(self.snapshots, ignore_errors=True)
        self.snapshots.mkdir(parents=True)
        snapshot(_snapshot_path(self.snapshots, 0))
        self._ctx = mp.get_context("spawn")
        # lock=False: a worker SIGKILLed at its deadline must not die holding a lock
        self._generation: Synchronized[int] = self._ctx.Value("i", 0, lock=False)
        self._in_use: SynchronizedArray[int] = self._ctx.Array("i", [-1] * workers, lock=False)
        self._superseded: dict[int, float] = {}
        self._pinned: list[int] = []  # snapshots read in this process (dumps)
        self._change_lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        for slot in range(workers):
            self._idle.put(self._spawn(slot))

    def _spawn(self, slot: int) -> _Worker:
        parent, child = self._ctx.Pipe()
        self._in_use[slot] = -1
        proc = self._ctx.Process(
            target=_worker,
            args=(child, str(self.snapshots), self._generation, self._in_use, slot,
                  self.memory_mb, self.offline),
            daemon=True,
        )
        proc.start()
        child.close()
        return _Worker(proc, parent, slot)

    @property
    def generation(self) -> int:
        """Bumped after every write."""
        return int(self._generation.value)

    @contextmanager
    def pinned(self) -> Iterator[Path]:
        """The newest snapshot, kept on disk until the block ends."""
        with self._change_lock:
            generation = self._generation.value
            self._pinned.append(generation)
        try:
            yield _snapshot_path(self.snapshots, generation)
        finally:
            with self._change_lock:
                self._pinned.remove(generation)

    def data_changed(self) -> None:
        """Snapshot the store after a write; workers move to it before their next query."""
        with self._change_lock:
            latest = self._generation.value + 1
            self._snapshot(_snapshot_path(self.snapshots, latest))
            self._generation.value = latest  # published before the claims are read
            now = time.monotonic()
            self._superseded[latest - 1] = now
            keep = {latest, *self._in_use[:], *self._pinned}
            for path in self.snapshots.iterdir():
                if not path.name.isdigit() or int(path.name) in keep:
                    continue
                if now - self._superseded.get(int(path.name), 0.0) > _GRACE:
                    shutil.rmtree(path, ignore_errors=True)
                    self._superseded.pop(int(path.name), None)

    def call(self, op: str, payload: Any, timeout: float | None = None) -> Any:
        """Run one operation on a free worker. The wait for a worker is bounded by
        ``queue_wait`` (then ``Busy``: 503 with Retry-After); the deadline counts from the
        moment a worker takes the query, so a cheap query queued behind heavy ones is not
        stopped for the time it waited."""
        deadline = timeout if timeout is not None else self.timeout
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise Busy(f"every query worker stayed busy for {self.queue_wait:g} s; retry"
                       " later", retry_after=max(1, round(self.queue_wait))) from None
        try:
            worker.conn.send((op, payload))
            if not worker.conn.poll(deadline):
                self._replace(worker)
                worker = None  # type: ignore[assignment]
                raise QueryTimeout(
                    f"the query ran past its {deadline:g} s deadline and was stopped"
                    " (COLLEX_QUERY_TIMEOUT)"
                )
            status, value = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            dead, worker = worker, None  # type: ignore[assignment]
            dead.process.join(1)
            self._replace(dead)
            if dead.process.exitcode == -signal.SIGABRT and self.memory_mb > 0:
                raise QueryTimeout(
                    f"the query needed more than {self.memory_mb} MiB and was stopped"
                    " (COLLEX_QUERY_MEMORY_MB)") from None
            raise StoreUnavailable("a query worker died; it has been restarted") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if status == "ok":
            return value
        if status == "rejected":
            raise QueryRejected(value)
        raise StoreUnavailable(f"query failed: {value}")

    def _replace(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.conn.close()

        def respawn() -> None:
            worker.process.join(5)
            if not self._closed:
                self._idle.put(self._spawn(worker.slot))

        threading.Thread(target=respawn, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            w.process.kill()
            w.conn.close()
        shutil.rmtree(self.snapshots, ignore_errors=True)


class Generation:
    """Write counter for stores without a pool (remote): same interface as QueryPool."""

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()

    def data_changed(self) -> None:
        with self._lock:
            self.generation += 1

    def close(self) -> None:
        pass


class PooledReader:
    """ReadStore over a :class:`QueryPool`: every query has the deadline."""

    def __init__(self, pool: QueryPool) -> None:
        self._pool = pool

    def run(self, request: QueryRequest) -> QueryAnswer:
        answer: QueryAnswer = self._pool.call("run", request)
        return answer

    def select(self, sparql: str) -> list[SelectRow]:
        rows: list[SelectRow] = self._pool.call("select", sparql)
        return rows

    def iter_select(self, sparql: str) -> Iterator[SelectRow]:
        return iter(self.select(sparql))  # the answer crosses from a worker whole

    def ask(self, sparql: str) -> bool:
        return bool(self._pool.call("ask", sparql))

    def named_graphs(self) -> list[str]:
        return named_graphs_from(self)

    def stats(self) -> StoreStats:
        return stats_from(self)

    def dump(self, path: Path) -> int:
        from graph.embedded import EmbeddedReader

        with self._pool.pinned() as snapshot:
            return EmbeddedReader(ox.Store.read_only(str(snapshot))).dump(path)
