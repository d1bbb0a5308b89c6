"""The embedded store: pyoxigraph on disk.

Guarantees:
- ``replace_graphs`` is atomic: a write that fails, or a process killed while writing, leaves
  the store exactly as before (one Oxigraph transaction, or one all-or-nothing bulk load).
  When a load only adds graphs, the bulk load runs while the pipeline converts (``stream``):
  the engine indexes on one core while Python converts on the other, and still commits
  nothing before the pipeline's final ``replace_graphs``.
- ``restore`` builds the new store beside the old one and swaps directories; an interrupted
  swap is rolled back the next time the store is opened.
- Queries see the union of all named graphs as their default graph (every source lives in its
  own named graph, and the store's own default graph is left empty).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from collex.errors import InvalidInput, NotFound, QueryRejected, StoreUnavailable
from graph.base import QueryAnswer, QueryRequest, ReadStore, SelectRow, StoreStats
from graph.common import stats_from
from graph.results import SparqlSyntaxError, WrongFormat, execute, run_query, syntax_message
from graph.sandbox import DENIED, denied
from graph.spool import QuadSpool


def _dataset_format(path: Path) -> ox.RdfFormat:
    suffix = path.suffix.lower()
    if suffix in {".nq", ".nquads"}:
        return ox.RdfFormat.N_QUADS
    if suffix == ".trig":
        return ox.RdfFormat.TRIG
    raise InvalidInput(f"{path}: a dump must be N-Quads (.nq) or TriG (.trig)")


class EmbeddedReader:
    """Read-only operations over an open pyoxigraph store (implements ReadStore)."""

    def __init__(self, store: ox.Store, snapshot: bool = False) -> None:
        self._ox = store
        self._snapshot = snapshot  # read-only: no write between two queries

    def run(self, request: QueryRequest) -> QueryAnswer:
        try:
            return run_query(self._ox, request, anchor_paths=self._snapshot)
        except (SparqlSyntaxError, WrongFormat) as exc:
            raise QueryRejected(str(exc)) from None

    def _execute(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        try:
            return execute(self._ox, QueryRequest(sparql))
        except SparqlSyntaxError as exc:
            raise QueryRejected(str(exc)) from None

    def select(self, sparql: str) -> list[SelectRow]:
        return list(self.iter_select(sparql))

    def iter_select(self, sparql: str) -> Iterator[SelectRow]:
        """The rows of a SELECT query, one at a time (an answer of millions of rows is not
        held in memory)."""
        result = self._execute(sparql)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryRejected("a SELECT query was expected")
        names = [v.value for v in result.variables]
        return ({n: v for n in names if (v := s[n]) is not None} for s in result)

    def ask(self, sparql: str) -> bool:
        result = self._execute(sparql)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryRejected("an ASK query was expected")
        return bool(result)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if isinstance(g, ox.NamedNode))

    def stats(self) -> StoreStats:
        stats = stats_from(self)
        # Also counts the store's own default graph, which stats_from cannot address.
        return StoreStats(len(self._ox), stats.triples_per_graph, stats.resources_per_class)

    def dump(self, path: Path) -> int:
        fmt = _dataset_format(path)
        tmp = path.with_name(path.name + ".part")
        self._ox.dump(tmp, fmt)
        tmp.replace(path)
        return len(self._ox)


_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_CLEAR_GROUP = 500  # graphs cleared together (see EmbeddedStore._clear)
# The engine's bulk loader holds its whole input in memory (about 0.6 KB a quad, measured):
# larger writes are loaded in parts, streamed ones cut every _ONE_BULK quads.
_ONE_BULK = 250_000


class BulkStream:
    """A bulk load fed through a named pipe while the pipeline is still converting.

    pyoxigraph's bulk loader releases the GIL, so it parses and indexes in a thread while
    Python converts records. It commits only when it reads the end of the stream: ``commit``
    closes the pipe and waits; ``abort`` sends a line that is not N-Quads, so the loader fails
    and commits nothing. The loader holds its whole input in memory, so the stream is cut
    into parts of ``part_quads`` quads, each a bulk load of its own. The graphs streamed are
    all new to the store: before a part commits, a journal beside the store lists them, so
    that a load killed after some parts is rolled back by the next opening (those graphs
    removed); an abort removes them at once.
    """

    def __init__(self, store: ox.Store, directory: Path | None,
                 journal: Path | None = None, part_quads: int = _ONE_BULK,
                 batch_quads: int = 50_000) -> None:
        self._store = store
        self._dir = Path(tempfile.mkdtemp(prefix=f"collex-stream-{os.getpid()}-",
                                          dir=directory))
        self._journal = journal
        self.part_quads = part_quads
        self._batch_quads = batch_quads
        self._count = 0
        self.parts_committed = 0
        self.error: BaseException | None = None
        self.streamed: set[str] = set()  # graphs sent to the loader (all new to the store)
        self._fh: IO[str] | None = None
        self._previous: threading.Thread | None = None  # the last part's loader, finishing
        try:
            self._start()
        except (OSError, AttributeError):
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        self.live = self._fh is not None

    def _start(self) -> None:
        fifo = self._dir / f"quads-{self.parts_committed}.nq"
        os.mkfifo(fifo)
        self._thread = threading.Thread(target=self._load, args=(fifo,), daemon=True,
                                        name="collex-bulk-load")
        self._thread.start()
        self._fh = self._open_writer(fifo)

    def _load(self, fifo: Path) -> None:
        try:
            self._store.bulk_load(path=fifo, format=ox.RdfFormat.N_QUADS)
        except BaseException as exc:
            self.error = exc

    def _open_writer(self, fifo: Path) -> IO[str] | None:
        while True:  # the loader opens the pipe for reading when its thread starts
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO or not self._thread.is_alive():
                    return None
                time.sleep(0.001)
                continue
            os.set_blocking(fd, True)
            with contextlib.suppress(OSError):  # a larger pipe: fewer stalls (Linux only)
                fcntl.fcntl(fd, _F_SETPIPE_SZ, 1 << 20)
            return os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 16)

    def accepts(self, graph: str) -> bool:
        if graph in self.streamed:  # a record written in parts, or a part committed
            return True
        ok = not self._store.contains_named_graph(ox.NamedNode(graph))
        if ok:
            self.streamed.add(graph)
        return ok

    def write(self, lines: list[str]) -> None:
        if self._fh is None:
            return
        try:
            self._fh.writelines(lines)
        except OSError:  # the loader stopped (it will say why): fall back to the spool
            self._end_part()
            self.live = False
            return
        self._count += len(lines)
        if self._count >= self.part_quads:
            self._next_part()

    def _next_part(self) -> None:
        """Close the part streamed so far (its graphs journaled first) and open the next. The
        closed part's loader finishes while the next part is fed: conversion does not wait
        for it, and at most two parts are in memory (it is joined at the next cut)."""
        if self._journal is not None:
            _write_json(self._journal, {"rollback": sorted(self.streamed),
                                        "started": time.time()})
        self._join_previous()
        fh, self._fh = self._fh, None
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()
        self._previous = self._thread
        self.parts_committed += 1  # committed, or failed: a rollback clears either way
        if self.error is not None:  # a loader refused its part: the spool takes over
            self.live = False
            return
        self._count = 0
        self._start()
        if self._fh is None:
            self.live = False

    def _join_previous(self) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            previous.join()

    def _end_part(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            with contextlib.suppress(OSError):
                fh.close()
        self._thread.join()
        self._join_previous()

    def abort(self) -> None:
        """Give up: the part being streamed commits nothing, and the graphs of the parts
        already committed are removed."""
        self._finish(poison=True)
        self.rollback()

    def rollback(self) -> None:
        if self.parts_committed:
            clear_graphs(self._store, sorted(self.streamed), self._batch_quads)
            self.parts_committed = 0
        if self._journal is not None:
            self._journal.unlink(missing_ok=True)

    def commit(self, keep_journal: bool = False) -> None:
        """Close the stream and wait for the loader; raise StoreUnavailable if it failed (the
        parts already committed are then removed). ``keep_journal``: the caller has written
        its own journal over the stream's, for the steps that follow."""
        self._finish(poison=False)
        if self.error is not None:
            self.rollback()
            raise StoreUnavailable(f"the store refused the write, nothing was changed:"
                                   f" {self.error}")
        if self._journal is not None and not keep_journal:
            self._journal.unlink(missing_ok=True)

    def _finish(self, poison: bool) -> None:
        self.live = False
        fh, self._fh = self._fh, None
        if fh is not None:
            try:
                if poison:
                    fh.write("\n!abort: this load is cancelled, nothing is committed\n")
                fh.close()
            except OSError:
                pass
        self._thread.join()
        self._join_previous()
        if poison:
            self.error = self.error or RuntimeError("aborted")
        shutil.rmtree(self._dir, ignore_errors=True)


class EmbeddedStore(EmbeddedReader):
    """A store opened for writing (implements WriteStore). One writer process at a time."""

    def __init__(self, store: ox.Store, directory: Path, batch_quads: int = 50_000) -> None:
        super().__init__(store)
        self.directory = directory
        self.batch_quads = batch_quads

    def reader(self) -> ReadStore:
        return EmbeddedReader(self._ox)

    def stream_into(self, spool: QuadSpool) -> None:
        """Start ingesting ``spool``'s quads while they are produced (see BulkStream).

        Best effort: where a named pipe cannot be made (a file system without them, a
        platform without ``mkfifo``), the load writes through the spool file as before.
        """
        try:
            stream = BulkStream(self._ox, spool.path.parent, journal_path(self.directory),
                                batch_quads=self.batch_quads)
        except (OSError, AttributeError):
            return
        if stream.live:
            spool.stream = stream
        else:
            stream.abort()

    def replace_graphs(self, spool: QuadSpool) -> None:
        """Write the spool's graphs, replacing those that exist, in bounded memory.

        A write of at most ``batch_quads`` quads is one transaction, all-or-nothing; so is a
        write of new graphs only, whatever its size (one bulk load, streamed while the pipeline
        converted). Otherwise the write has several steps: the spool file becomes the payload
        of a journal beside the store, the graphs that exist are cleared in deletes of at most
        ``batch_quads`` quads, and the new content is bulk-loaded. A kill in between is
        completed by the next opening of the store (``complete_journal``, before anything
        reads), which leaves the journal for ``loaders.derived.state.ensure`` to rebuild
        what depends on the whole.
        """
        path = spool.close()
        stream = spool.stream
        streamed: set[str] = set()
        if isinstance(stream, BulkStream):
            everything_new = stream.live and stream.streamed == set(
                g for g, n in spool.graphs.items() if n > 0)
            if stream.live and (everything_new or spool.quads > self.batch_quads):
                streamed = set(stream.streamed)
            else:  # a small write that replaces graphs: one transaction instead
                stream.abort()
        if not streamed and spool.quads <= self.batch_quads:
            graphs = [g for g, n in spool.graphs.items()
                      if n > 0 or self._ox.contains_named_graph(ox.NamedNode(g))]
            if graphs:
                try:  # all-or-nothing
                    self._ox.update(_batch_update(path, graphs, set(spool.graphs)))
                except (OSError, SyntaxError, ValueError) as exc:
                    raise StoreUnavailable(
                        f"the store refused the write, nothing was changed: {exc}") from None
                self._ox.flush()
            return
        plan = [(g, n) for g, n in spool.graphs.items() if g not in streamed]
        existing = [g for g, _ in plan if self._ox.contains_named_graph(ox.NamedNode(g))]
        live = isinstance(stream, BulkStream) and stream.live
        rest = any(n > 0 for _, n in plan)  # lines the stream did not take
        # Only additions: what the stream took is committed part by part; the rest is one
        # bulk load when small (the loader holds its input in memory), else parts below.
        if not existing and not (live and rest) and (live or spool.quads <= _ONE_BULK):
            try:
                if isinstance(stream, BulkStream) and stream.live:
                    stream.commit()
                elif rest:
                    self._ox.bulk_load(path=path, format=ox.RdfFormat.N_QUADS)
            except (OSError, SyntaxError, ValueError) as exc:
                raise StoreUnavailable(
                    f"the store refused the write, nothing was changed: {exc}") from None
            self._ox.flush()
            return
        # Graphs to replace, in several steps. Replacing a graph in one transaction costs
        # the engine about 4.5 KB per quad (1.4 GB for a notice of 300,000 quads, measured),
        # so a graph is cleared in deletes of at most ``batch_quads`` quads and the new
        # content bulk-loaded (flat memory). The spool is kept beside the store as the
        # journal's payload first: a killed write is completed by the next opening
        # (``complete_journal``), so no graph stays half written.
        journal = journal_path(self.directory)
        payload = _sibling(self.directory, "journal.nq")
        try:  # the payload is kept if the write fails: the next opening completes it
            shutil.move(path, payload)
            _write_json(journal, {"payload": payload.name, "graphs": list(spool.graphs),
                                  "started": time.time()})
        except OSError as exc:  # a full disk: nothing was written yet
            journal.unlink(missing_ok=True)
            payload.unlink(missing_ok=True)
            raise StoreUnavailable(f"the write could not start, nothing was changed: {exc}"
                                   ) from None
        try:
            if isinstance(stream, BulkStream) and stream.live:
                stream.commit(keep_journal=True)
            self._clear(existing)
            self._load_lines(payload, set(streamed))
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreUnavailable(
                "the store refused the write; the next command that opens the store"
                f" completes it from the journal ({journal}): {exc}") from None
        self._ox.flush()
        payload.unlink(missing_ok=True)
        journal.unlink(missing_ok=True)

    def complete_journal(self) -> bool:
        """Finish a write of several steps that was killed: clear every graph it writes and
        load them again from its payload (idempotent). The journal stays, without its
        payload, so that ``loaders.derived.state.ensure`` rebuilds what depends on the whole.
        True when there was something to complete."""
        journal = journal_path(self.directory)
        payload = _sibling(self.directory, "journal.nq")
        if not journal.exists():
            payload.unlink(missing_ok=True)  # killed before the journal named it: unused
            return False
        try:
            entry = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = {}
        if isinstance(entry, dict) and isinstance(entry.get("rollback"), list):
            # a streamed load killed after some of its parts: its graphs (all new) go
            self._clear([g for g in entry["rollback"] if isinstance(g, str)])
            self._ox.flush()
            journal.unlink(missing_ok=True)
            payload.unlink(missing_ok=True)
            return True
        if not isinstance(entry, dict) or "payload" not in entry or not payload.exists():
            return False
        graphs = [g for g in entry.get("graphs", []) if isinstance(g, str)]
        self._clear(graphs)
        self._load_lines(payload, set())
        self._ox.flush()
        _write_json(journal, {"completed": time.time(), "graphs": len(graphs)})
        payload.unlink(missing_ok=True)
        return True

    def _clear(self, graphs: list[str]) -> None:
        clear_graphs(self._ox, graphs, self.batch_quads)

    def _load_lines(self, path: Path, skip: set[str]) -> None:
        """Bulk-load the spool file ``path``, less the lines of the graphs in ``skip``, in
        parts of at most ``batch_quads`` quads: the engine's bulk loader holds its whole
        input in memory (1.2 GB for 1.9M quads, measured), a part of 50,000 quads a few
        tens of MB."""
        part = path.with_name(path.name + ".part.nq")
        try:
            with path.open(encoding="utf-8") as src:
                while True:
                    count = 0
                    with part.open("w", encoding="utf-8") as dst:
                        for line in src:
                            if skip and _graph_of(line) in skip:
                                continue
                            dst.write(line)
                            count += 1
                            if count >= self.batch_quads:
                                break
                    if count:
                        self._ox.bulk_load(path=part, format=ox.RdfFormat.N_QUADS)
                    if count < self.batch_quads:
                        break
        finally:
            part.unlink(missing_ok=True)

    def update(self, sparql: str, base_iri: str | None = None) -> None:
        try:
            self._ox.update(sparql, base_iri=base_iri)
        except SyntaxError as exc:
            raise QueryRejected(syntax_message(exc)) from None
        except OSError as exc:
            if denied(exc):
                raise QueryRejected(DENIED) from None
            raise StoreUnavailable(f"the update failed, nothing was changed: {exc}") from None
        self._ox.flush()

    def optimize(self) -> None:
        """Compact the store. Successive bulk loads and updates leave overlapping files that
        queries must all read (measured: 25-35% slower queries until compacted)."""
        try:
            self._ox.optimize()
        except OSError as exc:
            raise StoreUnavailable(f"the store could not be compacted: {exc}") from None

    def drop_graphs(self, graphs: list[str]) -> None:
        if graphs:
            self._ox.update("".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs))

    def backup(self, target: Path) -> None:
        if target.exists():
            raise InvalidInput(f"{target} already exists: a backup goes into a new directory")
        self._ox.backup(str(target))

    def restore(self, path: Path) -> int:
        fmt = _dataset_format(path)
        if not path.is_file():
            raise NotFound(f"{path}: no such file")
        staging = _sibling(self.directory, "restore")
        shutil.rmtree(staging, ignore_errors=True)
        fresh = ox.Store(str(staging))
        try:
            fresh.bulk_load(path=path, format=fmt)
        except (SyntaxError, ValueError, OSError) as exc:
            del fresh
            shutil.rmtree(staging, ignore_errors=True)
            raise InvalidInput(f"{path}: not a valid dump, store left unchanged: {exc}") from None
        count = len(fresh)
        fresh.flush()
        del fresh
        # Close our handle before swapping directories.
        self._ox = None  # type: ignore[assignment]
        gc.collect()
        previous = _sibling(self.directory, "previous")
        shutil.rmtree(previous, ignore_errors=True)
        self.directory.rename(previous)
        staging.rename(self.directory)
        shutil.rmtree(previous, ignore_errors=True)
        self._ox = ox.Store(str(self.directory))
        return count


def clear_graphs(store: ox.Store, graphs: list[str], batch_quads: int) -> None:
    """Empty and drop ``graphs``, in deletes of at most ``batch_quads`` quads each
    (flushed: RocksDB's write buffers would otherwise hold them all)."""
    for i in range(0, len(graphs), _CLEAR_GROUP):
        values = " ".join(f"<{g}>" for g in graphs[i:i + _CLEAR_GROUP])
        while store.query(f"ASK {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
            store.update(
                f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ SELECT ?g ?s ?p ?o WHERE"
                f" {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                f" LIMIT {batch_quads} }}")
            store.flush()
        store.update("".join(f"DROP SILENT GRAPH <{g}> ;\n"
                             for g in graphs[i:i + _CLEAR_GROUP]))


def journal_path(directory: Path) -> Path:
    """Beside the store while a write of several steps runs (see ``replace_graphs``)."""
    return _sibling(Path(directory), "journal")


def _graph_of(line: str) -> str:
    """The graph of a spool line (``s p o <g> .``, as ``QuadSpool`` writes them)."""
    return line.rstrip()[:-1].rstrip().rsplit(" <", 1)[-1][:-1]


def _write_json(path: Path, data: object) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed over it)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _batch_update(path: Path, graphs: list[str], known: set[str]) -> str:
    """One SPARQL update replacing ``graphs`` by their lines in the spool file (whose lines
    all belong to ``known`` graphs, else ValueError)."""
    wanted = set(graphs)
    lines = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            g = _graph_of(line)
            if g in wanted:
                lines.append(line)
            elif g not in known:
                raise ValueError(f"a spool line outside its graphs: {line[:80]!r}")
    return _update_text(graphs, lines)


def _update_text(graphs: list[str], lines: list[str]) -> str:
    """One SPARQL update: drop ``graphs``, insert the spool ``lines`` (grouped by graph)."""
    parts = [f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs]
    parts.append("INSERT DATA {\n")
    current: str | None = None
    for line in lines:
        g = _graph_of(line)
        if g != current:
            if current is not None:
                parts.append("}\n")
            parts.append(f"GRAPH <{g}> {{\n")
            current = g
        parts.append(line.rstrip()[:-1].rstrip()[: -(len(g) + 2)] + " .\n")
    if current is not None:
        parts.append("}\n")
    parts.append("}\n")
    return "".join(parts)


def _replace_update(path: Path, graphs: list[str]) -> Iterator[str]:
    """One SPARQL update that drops ``graphs`` and inserts the spool's quads (one transaction)."""
    for g in graphs:
        yield f"DROP SILENT GRAPH <{g}> ;\n"
    yield "INSERT DATA {\n"
    current: str | None = None
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        g = str(quad.graph_name)
        if g != current:
            if current is not None:
                yield "}\n"
            yield f"GRAPH {g} {{\n"
            current = g
        yield f"{quad.subject} {quad.predicate} {quad.object} .\n"
    if current is not None:
        yield "}\n"
    yield "}\n"


def _sibling(directory: Path, tag: str) -> Path:
    return directory.with_name(f"{directory.name}.{tag}")


def _recover(directory: Path) -> None:
    """Finish or roll back a restore interrupted between its two renames."""
    previous = _sibling(directory, "previous")
    if not directory.exists() and previous.exists():
        previous.rename(directory)
    shutil.rmtree(_sibling(directory, "restore"), ignore_errors=True)


def open_write(directory: Path, batch_quads: int = 50_000) -> EmbeddedStore:
    """Open (creating if needed) the store for writing. Only one process may hold it."""
    directory = Path(directory)
    _recover(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        store = EmbeddedStore(ox.Store(str(directory)), directory, batch_quads)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot open the store at {directory} for writing (is another collex process,"
            f" such as `collex serve`, using it?): {exc}"
        ) from None
    try:
        store.complete_journal()
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreUnavailable(f"the store at {directory} has an unfinished write that could"
                               f" not be completed: {exc}") from None
    remove_stale_spools(directory.parent)
    return store


def _rollback_pending(directory: Path) -> bool:
    try:
        entry = json.loads(journal_path(directory).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(entry, dict) and "rollback" in entry


def remove_stale_spools(folder: Path) -> list[Path]:
    """Remove the spool files and stream folders that killed loads left beside the store
    (their process is gone); the writer holding the store calls it. Returns what it
    removed."""
    removed = []
    for path in folder.glob("collex-s[pt]*-*"):
        m = re.match(r"^collex-(?:spool|stream)-(\d+)-", path.name)
        if m is None or _alive(int(m.group(1))):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def backup_from_checkpoint(directory: Path, target: Path) -> int:
    """A hot backup while another process (``collex serve``) holds the store: a copy of the
    newest consistent checkpoint that process keeps for its query workers (RocksDB writes a
    checkpoint under a temporary name and renames it when complete). Returns the quads of
    the copy, opened to check it. Raises :class:`StoreUnavailable` when there is none."""
    from graph.pool import snapshots_of

    if target.exists():
        raise InvalidInput(f"{target} already exists: a backup goes into a new directory")
    snapshots = snapshots_of(Path(directory))
    for attempt in range(5):
        found = sorted((p for p in snapshots.iterdir() if p.name.isdigit()),
                       key=lambda p: int(p.name), reverse=True) if snapshots.is_dir() else []
        if not found:
            break
        try:
            shutil.copytree(found[0], target)
        except (FileNotFoundError, shutil.Error):  # replaced by a newer one meanwhile
            shutil.rmtree(target, ignore_errors=True)
            time.sleep(0.1 * (attempt + 1))
            continue
        return len(ox.Store.read_only(str(target)))
    raise StoreUnavailable(
        f"the store at {directory} is held by another process and offers no checkpoint to"
        " copy: stop that process, or back up through it")


def open_read(directory: Path) -> ReadStore:
    """Open an existing store read-only (safe beside a writer, may lag behind it)."""
    directory = Path(directory)
    if not directory.exists():
        previous = _sibling(directory, "previous")
        if not previous.exists():
            raise NotFound(f"no store at {directory}: load data first with `collex load PATH`")
        directory = previous
    elif _sibling(directory, "journal.nq").exists():  # a killed write: complete it first
        try:
            writer = open_write(directory)
        except StoreUnavailable:
            raise StoreUnavailable(
                f"the store at {directory} is being written by another process: retry when"
                " it has finished") from None
        del writer
        gc.collect()
    elif _rollback_pending(directory):  # a streamed load killed after some of its parts
        with contextlib.suppress(StoreUnavailable):  # locked: its writer is alive and ends it
            writer = open_write(directory)
            del writer
            gc.collect()
    try:
        return EmbeddedReader(ox.Store.read_only(str(directory)), snapshot=True)
    except OSError as exc:
        raise StoreUnavailable(f"cannot open the store at {directory}: {exc}") from None
