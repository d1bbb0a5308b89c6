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

import contextlib
import hashlib
import itertools
import multiprocessing as mp
import re
import resource
import shutil
import signal
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from collex.errors import Busy, QueryRejected, QueryTimeout, StoreUnavailable
from graph.base import QueryAnswer, QueryRequest, ReadStore, SelectRow, StoreStats
from graph.common import named_graphs_from, stats_from
from graph.results import SparqlSyntaxError, WrongFormat, execute, run_query, syntax_message
from graph.sandbox import DENIED, denied, deny_network


def snapshots_of(directory: Path) -> Path:
    """Where the query pool of the store at ``directory`` keeps its checkpoints."""
    return directory.with_name(directory.name + ".snapshots")


def _snapshot_path(snapshots: Path, generation: int) -> Path:
    return snapshots / f"{generation:08d}"


_HALF_LIFE = 60.0  # seconds over which a client's past use of the workers counts half
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
    began = [0.0, 0.0]

    def reply(status: str, value: Any) -> None:
        """The answer, with what the query itself cost (opening a new snapshot excluded):
        how the pool learns which query shapes are fast. See :func:`_cost`."""
        conn.send((status, value, _cost(time.monotonic() - began[0],
                                         time.process_time() - began[1])))

    while True:
        try:
            op, payload = conn.recv()
        except EOFError:
            return
        began[:] = time.monotonic(), time.process_time()

        try:
            if store is None or generation.value != seen:
                store = None
                seen = -1
                latest = _claim(generation, in_use, slot)
                store = ox.Store.read_only(str(_snapshot_path(Path(snapshots), latest)))
                seen = latest
                began[:] = time.monotonic(), time.process_time()
            if op == "run":
                reply("ok", run_query(store, payload, anchor_paths=True))  # a snapshot
            elif op == "select":
                result = execute(store, QueryRequest(payload))
                if not isinstance(result, ox.QuerySolutions):
                    raise WrongFormat("a SELECT query was expected")
                names = [v.value for v in result.variables]
                reply("ok", [{n: v for n in names if (v := s[n]) is not None}
                             for s in result])
            elif op == "ask":
                reply("ok", bool(execute(store, QueryRequest(payload))))
            elif op == "ping":
                reply("ok", None)
        except (SparqlSyntaxError, WrongFormat) as exc:
            reply("rejected", str(exc))
        except PermissionError as exc:
            reply(*(("rejected", DENIED) if denied(exc) else ("error", str(exc))))
        except Exception as exc:  # keep the worker alive, report the failure
            reply("error", f"{type(exc).__name__}: {exc}")


_WALL_COUNTS_AFTER = 1.0  # seconds: a run longer than this costs its duration, not its CPU


def _cost(wall: float, cpu: float) -> float:
    """What one run of a query cost, for telling fast shapes from slow ones: the CPU time it
    used, so that a lookup slowed by the others' load (two cores, fifty clients, heavy
    queries beside it: 300 ms for 5 ms of work, measured) is not taken for a slow shape and
    sent to wait behind the heavy queries; but its duration once that passes
    ``_WALL_COUNTS_AFTER`` (a query waiting on the disk, not the CPU, still holds the
    worker).

    >>> _cost(0.300, 0.005), _cost(2.5, 0.01), _cost(0.05, 0.04)
    (0.005, 2.5, 0.04)
    """
    return wall if wall > _WALL_COUNTS_AFTER else cpu


def _checker(conn: Connection, memory_mb: int) -> None:
    """Syntax checker process: parses queries with the engine itself, on an empty in-memory
    store, with no network and capped memory; answers the syntax error or None."""
    deny_network(whole_process=True)
    if memory_mb > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (memory_mb << 20, memory_mb << 20))
    empty = ox.Store()
    while True:
        try:
            sparql, base_iri = conn.recv()
        except EOFError:
            return
        verdict = None
        try:
            empty.query(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            verdict = syntax_message(exc)
        except Exception:  # not a question of syntax: the worker will say
            verdict = None
        conn.send(verdict)


class SyntaxChecker:
    """Checks a query's syntax while every worker is busy, so that a malformed query is
    answered 400 at once instead of waiting in the queue. The engine's own parser runs in a
    process of its own (parsing on an empty store can still build ``VALUES`` products, so it
    gets a deadline and a memory cap like the workers); when it cannot say in time, the
    query simply takes its turn."""

    def __init__(self, ctx: Any, deadline: float = 2.0, memory_mb: int = 256) -> None:
        self._ctx = ctx
        self._deadline = deadline
        self._memory_mb = memory_mb
        self._lock = threading.Lock()
        self._proc: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        parent: Connection
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(target=_checker, args=(child, self._memory_mb),
                                       daemon=True)
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def error(self, sparql: str, base_iri: str | None) -> str | None:
        """The syntax error of ``sparql``, or None (valid, or no verdict in time)."""
        if not self._lock.acquire(timeout=self._deadline):
            return None
        try:
            conn = self._conn or self._start()
            try:
                conn.send((sparql, base_iri))
                if conn.poll(self._deadline):
                    verdict: str | None = conn.recv()
                    return verdict
            except (EOFError, OSError):
                pass
            self.close()  # stuck or dead: the next check starts a new one
            return None
        finally:
            self._lock.release()

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            # seen once at a test app's shutdown: EBADF on this pipe (cause not found);
            # a pipe that cannot be closed must not fail the shutdown
            with contextlib.suppress(OSError):
                self._conn.close()
        self._proc, self._conn = None, None


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    slot: int


CLIENT: ContextVar[str] = ContextVar("collex_client", default="")
"""Who asks (the client address, set per request by the API); empty for the server's own
work (search index, derived state), which no per-client bound applies to."""
# Set by the server's own warm-up: its page queries, bounded by design, are presumed fast
# before they are measured (under load they otherwise waited behind heavy queries for the
# general workers, and the warm-up took tens of seconds)
PRESUME_FAST: ContextVar[bool] = ContextVar("collex_presume_fast", default=False)


@dataclass
class _Ticket:
    client: str
    seq: int
    fast: bool = False
    worker: _Worker | None = None


_IRI_OR_STRING = re.compile(r'<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def shape(op: str, sparql: str) -> str:
    """What a query costs is mostly its shape: its text with IRIs and strings blanked (the
    lookup of one collection costs what the lookup of another does).

    >>> shape("run", 'SELECT * WHERE { <http://a/1> ?p "x" } LIMIT 5')
    'run SELECT * WHERE { <> ?p <> } LIMIT 5'
    """
    return op + " " + " ".join(_IRI_OR_STRING.sub("<>", sparql).split())


_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:\s*|BASE\s+)<[^<>\s]*>\s*)*",
                       re.IGNORECASE)
_TERM = r'(?:<[^<>"{}|^`\\\s]*>|[\w.-]*:[\w.-]*|[?$]\w+|a|"[^"\\\n]*"(?:@[\w-]+)?)'
_ONE_PATTERN = (r"\{\s*(?:<[^<>\s]*>|[\w.-]*:[\w.-]*)\s+" + _TERM + r"\s+" + _TERM
                + r"\s*\.?\s*\}")
_ANCHORED = re.compile(
    r"(?:SELECT\s+(?:DISTINCT\s+)?(?:\*|(?:[?$]\w+\s*)+)|CONSTRUCT\s*" + _ONE_PATTERN
    + r"|ASK)\s*(?:WHERE\s*)?" + _ONE_PATTERN
    + r"\s*(?:LIMIT\s+\d+\s*)?(?:OFFSET\s+\d+\s*)?|DESCRIBE\s+<[^<>\s]*>\s*",
    re.IGNORECASE)


def anchored(sparql: str) -> bool:
    """A query whose cost is bounded before it is measured: one triple pattern whose subject
    is a given IRI (what a resource has: the lookups of linked-data clients), or DESCRIBE of
    one IRI. Its shape counts as fast until its runs say otherwise, so that the first
    lookups after a start do not wait behind heavy queries for the general workers.

    >>> anchored("PREFIX dc: <http://purl.org/dc/terms/> SELECT ?p ?o WHERE { <http://a/1> ?p ?o }")
    True
    >>> anchored("CONSTRUCT { <http://a/1> ?p ?o } WHERE { <http://a/1> ?p ?o } LIMIT 10")
    True
    >>> anchored("SELECT ?o { dc:x dc:title ?o . }"), anchored("DESCRIBE <http://a/1>")
    (True, True)
    >>> anchored("SELECT ?s WHERE { ?s ?p <http://a/1> }")  # every subject of an object
    False
    >>> anchored("SELECT ?p ?o WHERE { <http://a/1> ?p ?o . ?o ?q ?r }")
    False
    >>> anchored("SELECT (COUNT(*) AS ?n) WHERE { <http://a/1> ?p ?o }")
    False
    """
    prologue = _PROLOGUE.match(sparql)
    return _ANCHORED.fullmatch(sparql, prologue.end() if prologue else 0) is not None


class _Shapes:
    """Recent costs per query shape: a shape is *fast* once its last runs all cost less than
    ``fast_ms`` (:func:`_cost`) and none ran past its deadline (a bounded, least-recently-used
    table); a shape not run yet is what it is ``presumed`` (:func:`anchored`). A shape is
    *parsed* once a worker ran a query of it (answered or stopped at its deadline): such a
    query skips the syntax checker, which then stays free for the queries it is there for
    (under load, a heavy query's every repeat went through it and a malformed query found it
    busy: queued, then 503 instead of 400, measured)."""

    def __init__(self, fast_ms: float = 100.0, runs: int = 3, size: int = 10_000) -> None:
        self.fast_s = fast_ms / 1000
        self.runs = runs
        self.size = size
        self._recent: OrderedDict[bytes, list[float]] = OrderedDict()  # shape digest -> s
        self._parsed: OrderedDict[bytes, None] = OrderedDict()
        self._lock = threading.Lock()

    def parsed(self, key: bytes) -> bool:
        with self._lock:
            return key in self._parsed

    def ran(self, key: bytes) -> None:
        """A worker parsed and ran a query of this shape."""
        with self._lock:
            self._parsed[key] = None
            self._parsed.move_to_end(key)
            while len(self._parsed) > self.size:
                self._parsed.popitem(last=False)

    def fast(self, key: bytes, presumed: bool = False) -> bool:
        with self._lock:
            recent = self._recent.get(key)
            if not recent:
                return presumed
            return max(recent) < self.fast_s

    def known(self) -> tuple[int, int]:
        """How many shapes are known, and how many of them are fast."""
        with self._lock:
            return len(self._recent), sum(max(r) < self.fast_s for r in self._recent.values())

    def record(self, key: bytes, seconds: float) -> None:
        with self._lock:
            recent = self._recent.pop(key, [])
            recent = [*recent[-(self.runs - 1):], seconds] if self.runs > 1 else [seconds]
            self._recent[key] = recent
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)


class _Dispatcher:
    """Hands free workers to waiting requests fairly: one client holds at most
    ``per_client`` workers at a time; with two workers or more, one is kept for queries of a
    shape known to be fast; and a freed worker goes to the waiting request whose client holds
    the fewest, then whose client used the fewest worker-seconds lately (a fair share: a
    client with many heavy queries queued does not make the others wait for all of them),
    then the oldest."""

    def __init__(self, per_client: int, workers: int) -> None:
        self.per_client = per_client
        # with two workers or more, one is kept for queries of a shape known to be fast, so
        # that lookups never wait behind heavy queries (whoever sends those)
        self.general = workers - 1 if workers >= 2 else workers
        self._general_busy = 0
        self._cv = threading.Condition()
        self._free: list[_Worker] = []
        self._waiting: list[_Ticket] = []
        self._active: Counter[str] = Counter()
        # worker-seconds each client used, halved every ``_HALF_LIFE`` s (a fair share)
        self._usage: dict[str, float] = {}
        self._decayed = time.monotonic()
        self._seq = itertools.count()

    def _eligible(self, ticket: _Ticket) -> bool:
        if not ticket.fast and self._general_busy >= self.general:
            return False
        return not ticket.client or self._active[ticket.client] < self.per_client

    def acquire(self, client: str, timeout: float, nowait: bool = False,
                fast: bool = False) -> _Worker | None:
        with self._cv:
            ticket = _Ticket(client, next(self._seq), fast)
            self._waiting.append(ticket)
            self._dispatch()
            if nowait and ticket.worker is None:
                self._waiting.remove(ticket)
                return None
            end = time.monotonic() + timeout
            while ticket.worker is None:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    self._waiting.remove(ticket)
                    return None
                self._cv.wait(remaining)
            return ticket.worker

    def release(self, client: str, fast: bool, seconds: float) -> None:
        """``client`` no longer holds a worker, which it held ``seconds`` (the worker itself
        comes back by ``give``)."""
        with self._cv:
            if not fast:
                self._general_busy -= 1
            self._active[client] -= 1
            if self._active[client] <= 0:
                del self._active[client]
            now = time.monotonic()
            if now - self._decayed > _HALF_LIFE:
                self._usage = {c: u / 2 for c, u in self._usage.items() if u > 0.01}
                self._decayed = now
            self._usage[client] = self._usage.get(client, 0.0) + seconds
            self._dispatch()

    def give(self, worker: _Worker) -> None:
        with self._cv:
            self._free.append(worker)
            self._dispatch()

    def _dispatch(self) -> None:
        while self._free:
            candidates = [t for t in self._waiting if self._eligible(t)]
            if not candidates:
                return
            ticket = min(candidates, key=lambda t: (self._active[t.client],
                                                    self._usage.get(t.client, 0.0), t.seq))
            self._waiting.remove(ticket)
            ticket.worker = self._free.pop()
            self._active[ticket.client] += 1
            if not ticket.fast:
                self._general_busy += 1
            self._cv.notify_all()

    def drain(self) -> list[_Worker]:
        with self._cv:
            free, self._free = self._free, []
            return free


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
        self.checker = SyntaxChecker(self._ctx)
        # lock=False: a worker SIGKILLed at its deadline must not die holding a lock
        self._generation: Synchronized[int] = self._ctx.Value("i", 0, lock=False)
        self._in_use: SynchronizedArray[int] = self._ctx.Array("i", [-1] * workers, lock=False)
        self._superseded: dict[int, float] = {}
        self._pinned: list[int] = []  # snapshots read in this process (dumps)
        self._change_lock = threading.Lock()
        self._workers = _Dispatcher(max(1, workers - 1), workers)
        self.shapes = _Shapes()
        self._closed = False
        for slot in range(workers):
            self._workers.give(self._spawn(slot))

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
        client = CLIENT.get()
        key = hashlib.blake2b(shape(op, payload.sparql if isinstance(payload, QueryRequest)
                                    else str(payload)).encode(), digest_size=16).digest()
        fast = self.shapes.fast(key, presumed=PRESUME_FAST.get() or (
            isinstance(payload, QueryRequest) and anchored(payload.sparql)))
        worker = self._workers.acquire(client, 0, nowait=True, fast=fast)
        if worker is None:
            if op == "run" and not self.shapes.parsed(key) and (
                    error := self.checker.error(payload.sparql, payload.base_iri)):
                raise QueryRejected(error)
            worker = self._workers.acquire(client, self.queue_wait, fast=fast)
        if worker is None:
            raise Busy(f"no query worker was free for this client within {self.queue_wait:g}"
                       " s; retry later", retry_after=max(1, round(self.queue_wait)))
        held: _Worker = worker
        taken = time.monotonic()
        try:
            worker.conn.send((op, payload))
            if not worker.conn.poll(deadline):
                self.shapes.record(key, float("inf"))
                self.shapes.ran(key)
                self._replace(worker)
                worker = None
                raise QueryTimeout(
                    f"the query ran past its {deadline:g} s deadline and was stopped"
                    " (COLLEX_QUERY_TIMEOUT)"
                )
            status, value, seconds = worker.conn.recv()
            self.shapes.record(key, seconds)
            if status == "ok":
                self.shapes.ran(key)
        except (EOFError, OSError, BrokenPipeError):
            self.shapes.record(key, float("inf"))
            dead, worker = held, None
            dead.process.join(1)
            self._replace(dead)
            if dead.process.exitcode == -signal.SIGABRT and self.memory_mb > 0:
                raise QueryTimeout(
                    f"the query needed more than {self.memory_mb} MiB and was stopped"
                    " (COLLEX_QUERY_MEMORY_MB)") from None
            raise StoreUnavailable("a query worker died; it has been restarted") from None
        finally:
            if worker is not None:
                self._workers.give(worker)
            self._workers.release(client, fast, time.monotonic() - taken)
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
                self._workers.give(self._spawn(worker.slot))

        threading.Thread(target=respawn, daemon=True).start()

    def close(self) -> None:
        self._closed = True
        self.checker.close()
        for w in self._workers.drain():
            w.process.kill()
            w.conn.close()
        shutil.rmtree(self.snapshots, ignore_errors=True)


class Generation:
    """Write counter for stores without a pool (remote): same interface as QueryPool.

    ``on_write`` runs after each write made through this server (it tells the other servers
    of a shared store: ``loaders.derived.state.bump_writes``); :meth:`seen_elsewhere` counts a
    write another process made."""

    def __init__(self, on_write: Callable[[], None] | None = None) -> None:
        self.generation = 0
        self._lock = threading.Lock()
        self._on_write = on_write

    def data_changed(self) -> None:
        if self._on_write is not None:
            self._on_write()
        self.seen_elsewhere()

    def seen_elsewhere(self) -> None:
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
        with self.own() as reader:
            return reader.dump(path)

    @contextmanager
    def own(self) -> Iterator[ReadStore]:
        """A reader on the newest snapshot, in this process, without deadline nor queue: for
        the server's own bounded work (whole-store views, the search index), never for a
        client's query."""
        from graph.embedded import EmbeddedReader

        with self._pool.pinned() as snapshot:
            yield EmbeddedReader(ox.Store.read_only(str(snapshot)), snapshot=True)
