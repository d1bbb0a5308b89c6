"""The one load pipeline: parse -> convert -> validate (SHACL, per batch) -> write.

Guarantees:
- never raises on bad input: each bad file or record becomes a rejection in the report
  naming the file, the record and the reason, and the good records of the same file still load;
- the write is a single atomic store operation for the whole load: if it fails, or the process
  is killed, the store is left exactly as before;
- a record rejected on reload keeps its previously loaded version (nothing is lost).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import stat
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node
from rich.progress import Progress

from collex.settings import Settings
from graph.base import WriteStore
from graph.spool import QuadSpool
from loaders.base import (
    EXPECTED,
    FORMATS,
    Converted,
    RecordRejected,
    SourceFormat,
    SourceRejected,
    detect,
    what_it_is,
)
from loaders.derived.state import STATE, ensure, new_version, version_triples
from loaders.entities import MENTIONS, EntityLedger
from loaders.rdf import drop_unwritable, iri_problem
from loaders.report import LoadReport
from loaders.tombstones import existing as existing_tombstones
from loaders.tombstones import tombstone_graph, tombstones
from loaders.xmlsafe import content_head
from ontology import PROV
from shapes import shapes_path
from shapes.compiled import CompiledShapes, Unsupported

Log = Callable[[str], None]
COLLEX_WARNING = URIRef("https://w3id.org/collex/def#loadWarning")
COLLEX_DIGEST = URIRef("https://w3id.org/collex/def#contentDigest")
COLLEX_COMPONENT_COUNT = URIRef("https://w3id.org/collex/def#componentCount")


def content_digest(conv: Converted) -> str:
    """A digest of what a record's conversion gives (its triples, in any order, where they go
    and how they are split): equal digests, equal graphs. A reload of an unchanged record is
    recognised by it and writes nothing (its load time stays that of its first load)."""
    lines = [f"{s}\x1f{p}\x1f{_form(o)}" for s, p, o in conv.graph]
    lines.sort()
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{conv.graph_iri}\x1e{conv.own}\x1e{conv.authority}\x1e".encode())
    h.update("\n".join(lines).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _form(node: Node) -> str:
    """A term's identity as text, cheaper than its N-Triples form (no escaping)."""
    if type(node) is Literal:
        return f"{node}\x1d{node.datatype or ''}\x1d{node.language or ''}"
    return f"{type(node).__name__}\x1d{node}"


def stored_digests(store: WriteStore) -> dict[str, str]:
    """The content digest of every record graph in the store."""
    return {str(getattr(row["g"], "value", "")): str(getattr(row["d"], "value", ""))
            for row in store.iter_select(
                f"SELECT ?g ?d WHERE {{ GRAPH ?g {{ ?g <{COLLEX_DIGEST}> ?d }} }}")}


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    g = Graph()
    g.parse(shapes_path(), format="turtle")
    return g


@lru_cache(maxsize=1)
def _compiled() -> CompiledShapes | None:
    """The shapes compiled to Python checks, or None when they use an unsupported feature."""
    try:
        return CompiledShapes(_shapes())
    except Unsupported:
        return None


def not_regular(path: Path) -> str | None:
    """Why ``path`` is not a file to read (a FIFO, a device, a socket, a link loop...), told
    without opening it (opening a FIFO blocks; reading /dev/zero never ends), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a loop of symbolic links"
        if path.is_symlink():
            return f"a symbolic link to nothing ({exc.strerror})"
        return f"cannot read the file: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a character device"
            if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "a special file")
    return f"not a regular file: {what}; not read"


_HEAD = 65536
_PROLOG_MAX = 16 << 20  # a prolog (comments, DOCTYPE) longer than this is not waited for


def read_head(path: Path) -> bytes:
    """The first bytes of a regular file as format detection sees them: for XML, from its
    root element on, whatever prolog or encoding comes first (see ``content_head``)."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
        while True:
            content = content_head(head)
            if content is not None:
                return content[:_HEAD]
            more = fh.read(1 << 20) if len(head) < _PROLOG_MAX else b""
            if not more:
                return head
            head += more


def _order(path: Path) -> int:
    """Notices and authorities first, then the lists that refer to them."""
    if not_regular(path) is not None:
        return 0
    try:
        head = read_head(path)
    except OSError:
        return 0
    fmt = detect(head)
    rank = getattr(fmt, "rank", None)
    return int(rank(head)) if rank is not None else 0


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus the files of the folders named (recursively, hidden ones skipped,
    only the extensions some loader reads), sorted for a reproducible order. Special files
    (FIFOs, devices, broken links) are listed too: the load refuses each with its reason."""
    known = {ext for fmt in FORMATS.values() for ext in fmt.extensions}
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                p for p in sorted(path.rglob("*"))
                if p.suffix.lower() in known and (p.is_symlink() or not p.is_dir())
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            out.append(path)
    return out


def display_name(path: Path | str) -> str:
    """The file's name as reports show it: bytes that are not UTF-8 (a Latin-1 file name)
    become U+FFFD, so that the name can be printed, stored and written to JSON."""
    return os.fsencode(path).decode("utf-8", "replace")


def _describe(message: str, path: str | None, value: Node | None, focus: Node) -> str:
    detail = []
    if path:
        detail.append(path)
    if value is not None and value != focus:
        detail.append(f"value {str(value)[:80]!r}")
    return f"{message} [{'; '.join(detail)}]" if detail else message


def _pyshacl_violations(triples: Iterable[tuple[Node, Node, Node]]
                        ) -> Iterator[tuple[Node, str]]:
    union = Graph()
    for t in triples:
        union.add(t)
    # Not ``conforms``: with allow_warnings, pyshacl says a graph with both a warning and
    # violations conforms (measured with pyshacl 0.40); the results are what count.
    _, results, _ = validate(union, shacl_graph=_shapes(), inference="none",
                             allow_warnings=True)
    details = set(results.objects(None, SH.detail))  # nested results, not results of their own
    for res in results.subjects(RDF.type, SH.ValidationResult):
        if res in details or results.value(res, SH.resultSeverity) != SH.Violation:
            continue
        focus = results.value(res, SH.focusNode)
        message = str(results.value(res, SH.resultMessage) or "constraint violated")
        path = results.value(res, SH.resultPath)
        name = results.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else None
        if focus is not None:
            yield focus, _describe(message, name, results.value(res, SH.value), focus)


def _compiled_violations(compiled: CompiledShapes, triples: Iterable[tuple[Node, Node, Node]]
                         ) -> Iterator[tuple[Node, str]]:
    for r in compiled.validate(triples):
        if r.severity == SH.Violation:
            name = compiled.name(r.path) if isinstance(r.path, URIRef) else None
            yield r.focus, _describe(r.message, name, r.value, r.focus)


def violations(triples: Iterable[tuple[Node, Node, Node]], engine: str = "compiled"
               ) -> Iterator[tuple[Node, str]]:
    """(focus node, curator-readable reason) of each SHACL violation in ``triples``."""
    compiled = _compiled() if engine == "compiled" else None
    if compiled is None:
        return _pyshacl_violations(triples)
    return _compiled_violations(compiled, triples)


def check(records: Sequence[Converted], engine: str = "compiled") -> dict[int, list[str]]:
    """Validate records together; return {index: reasons} for the records that fail.

    A violation on a node that several records of the batch describe is attributed by
    re-validating each of those records alone.
    """
    if not records:
        return {}
    found = [(focus, text) for focus, text in
             violations([t for rec in records for t in rec.graph], engine)
             if isinstance(focus, URIRef)]
    if not found:
        return {}
    owners: dict[Node, set[int]] = defaultdict(set)
    for i, rec in enumerate(records):
        for t in rec.graph:
            owners[t[0]].add(i)
    failing: dict[int, list[str]] = defaultdict(list)
    shared: set[int] = set()
    for focus, text in found:
        who = owners.get(focus, set())
        if len(who) == 1:
            (i,) = who
            if text not in failing[i]:
                failing[i].append(text)
        else:
            shared |= who
    if len(records) > 1:
        for i in sorted(shared - set(failing)):
            alone = check([records[i]], engine).get(0)
            if alone:
                failing[i] = alone
    return {i: sorted(r) for i, r in failing.items() if r}


class Pipeline:
    """Runs loads and validations with one settings object."""

    def __init__(self, settings: Settings, log: Log | None = None, derive: bool = True) -> None:
        self.settings = settings
        self.log: Log = log or (lambda message: None)
        self.derive = derive  # recompute the derived graphs (related collections) after a write

    def run(
        self, paths: Sequence[Path], store: WriteStore | None, fmt: str = "auto",
        progress: bool | None = None,
        extra_graphs: Callable[[LoadReport], Sequence[tuple[str, Iterable[
            tuple[Node, Node, Node]]]]] | None = None,
    ) -> LoadReport:
        """Load (or, with ``store=None``, only validate) the files and folders in ``paths``.

        ``extra_graphs(report)``, once the records are read, gives graphs (IRI, triples)
        written in the same write as the records, all or nothing with them: a harvest's
        checkpoint goes with the page it follows, counts included."""
        started = time.perf_counter()
        report = LoadReport(validation=store is None)
        ordered = sorted(((_order(p), p) for p in expand_paths(paths)), key=lambda t: t[0])
        files = [p for _, p in ordered]  # stable sort: the path order within each rank
        report.files = len(files)
        for fmt_obj in FORMATS.values():
            begin = getattr(fmt_obj, "begin", None)
            if begin is not None:
                begin(store)
        show = sys.stderr.isatty() if progress is None else progress
        loaded_at = Literal(dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                            datatype=XSD.dateTime)
        spool = QuadSpool(self._spool_dir(store))
        stream_into = getattr(store, "stream_into", None)
        if stream_into is not None and self.settings.stream_load:
            stream_into(spool)
        observers = [obs for fmt_obj in FORMATS.values()
                     if (obs := getattr(fmt_obj, "observe", None)) is not None]
        ranks = [rank for rank, _ in ordered]
        seen: dict[str, tuple[str, str | None]] = {}
        ledger = EntityLedger(self.settings.base_iri)
        digests = stored_digests(store) if store is not None else {}
        base = self.settings.base_iri
        # tombstones of deleted notices (for the OAI-PMH provider): left by deletions,
        # removed when a notice of the same graph comes back
        buried = existing_tombstones(store, base) if store is not None else set()
        removed_notices: list[str] = []
        # a first load into an empty store: shared entities need no store queries (what
        # the store would answer is this load's own parts, already streamed in)
        fresh = store is not None and not store.ask("ASK { GRAPH ?g { ?s ?p ?o } }")
        # no record mentioned a shared entity before this load (authorities only, say)
        mentions_before = store is not None and not fresh and store.ask(
            f"ASK {{ GRAPH ?g {{ ?m <{MENTIONS}> ?e }} }}")
        batch: list[tuple[str, Converted]] = []

        def flush() -> None:
            failing = check([c for _, c in batch if not c.deleted], self.settings.shacl_engine)
            live = [i for i, (_, c) in enumerate(batch) if not c.deleted]
            failing = {live[i]: reasons for i, reasons in failing.items()}
            for i, (file, conv) in enumerate(batch):
                if conv.removes is not None:
                    for w in conv.warnings:
                        report.warn(file, conv.record_id, w)
                    for graph in conv.removes:
                        ledger.removed(graph)
                        spool.add_graph(graph, [])
                        report.deleted += 1
                    if conv.removes:
                        report.warn(file, conv.record_id, f"{len(conv.removes)} row(s) missing"
                                    " from the re-exported list removed: "
                                    + ", ".join(g.rsplit("/", 1)[-1] for g in conv.removes))
                    continue
                if conv.deleted and not conv.graph_iri:
                    report.warn(file, conv.record_id, "deleted in the source, and not loaded"
                                " here: nothing to remove")
                    report.deletions_ignored += 1
                    continue
                if conv.deleted:
                    ledger.removed(conv.graph_iri)
                    spool.add_graph(conv.graph_iri, [])
                    removed_notices.append(conv.graph_iri)
                    report.deleted += 1
                    report.warn(file, conv.record_id, "deleted in the source: its entity is"
                                " removed from the graph")
                    continue
                if i in failing:
                    for reason in failing[i]:
                        report.reject(file, conv.record_id, reason)
                    continue
                for part, reason in conv.rejected:
                    report.reject(file, part, reason)
                for w in conv.warnings:
                    report.warn(file, conv.record_id, w)
                    # kept with the record, for `collex quality` and SPARQL users
                    conv.graph.add((URIRef(conv.graph_iri), COLLEX_WARNING, Literal(w)))
                if observers:  # only when files of a later rank may refer to this record
                    for observe in observers:
                        observe(conv)
                digest = content_digest(conv)
                if digests.get(conv.graph_iri) == digest:  # as loaded: nothing to write
                    report.loaded_from(file, counted=not conv.synthetic)
                    report.unchanged += 1
                    continue
                if conv.graph_iri in digests:
                    report.replaced += 1
                tomb = tombstone_graph(base, conv.graph_iri)
                if tomb in buried:
                    spool.add_graph(tomb, [])
                if conv.parts is not None:
                    report.triples += self._write_parts(file, conv, spool, ledger,
                                                        store is not None, report)
                conv.graph.add((URIRef(conv.graph_iri), COLLEX_DIGEST, Literal(digest)))
                conv.graph.add((URIRef(conv.graph_iri), PROV.generatedAtTime, loaded_at))
                written = (ledger.split(conv.graph_iri, conv.graph, conv.own, conv.authority)
                           if store is not None else conv.graph)
                report.triples += spool.add_graph(conv.graph_iri, written,
                                                  append=conv.parts is not None)
                report.loaded_from(file, counted=not conv.synthetic)
                report.graphs.append(conv.graph_iri)
            batch.clear()

        finishers = [fin for fmt_obj in FORMATS.values()
                     if (fin := getattr(fmt_obj, "finish", None)) is not None]

        def finish() -> None:
            """What formats conclude once all the files of a rank are read."""
            for fin in finishers:
                batch.extend(fin())

        try:
            with Progress(disable=not show, transient=True) as bar:
                task = bar.add_task("reading", total=len(files))
                last_rank = 0
                for rank, path in ordered:
                    if rank != last_rank:  # lists refer to the records loaded before them
                        finish()
                        flush()
                        last_rank = rank
                    if rank == ranks[-1]:  # no later file can refer to these records
                        observers = []
                    begun = time.perf_counter()
                    for file, conv in self._convert_file(path, fmt, report):
                        if conv.graph_iri and conv.graph_iri in seen:
                            first_file, first_id = seen[conv.graph_iri]
                            if first_id and conv.identity and first_id != conv.identity:
                                reason = (f"identifier collision: {conv.identity!r} and"
                                          f" {first_id!r} ({first_file}) give the same IRI:"
                                          " only the first is loaded")
                            else:
                                reason = (f"same record identifier as {first_file} earlier"
                                          " in this load: only the first is loaded (load"
                                          " successive OAI-PMH answers one command after"
                                          " the other)")
                            report.reject(file, conv.record_id, reason)
                            continue
                        if conv.graph_iri:
                            seen[conv.graph_iri] = (file, conv.identity)
                        batch.append((file, conv))
                        if len(batch) >= self.settings.validation_batch:
                            flush()
                    report.seconds_by_file[display_name(path)] = time.perf_counter() - begun
                    bar.advance(task)
                finish()
                flush()
            if store is not None and extra_graphs is not None:
                for graph, content in extra_graphs(report):
                    spool.add_graph(graph, content)
            if store is not None and removed_notices:
                for graph, content in tombstones(store, base, removed_notices, loaded_at):
                    spool.add_graph(graph, content)
            if store is not None and spool.graphs:
                # shared entities, described once: written with the records (replace_graphs)
                for graph, content in ledger.entity_graphs(store, fresh=fresh,
                                                        mentions_before=mentions_before):
                    spool.add_graph(graph, content)
                # a new data version, written with the data: derived state is stale until
                # rebuilt for it (loaders/derived/state.py)
                version = new_version()
                spool.add_graph(f"{self.settings.base_iri}{STATE}",
                                version_triples(self.settings.base_iri, version))
                self.log(f"writing {spool.quads} quads into {len(spool.graphs)} graph(s)")
                store.replace_graphs(spool)
                report.written = True
                if self.derive:
                    done = ensure(store, self.settings)
                    self.log(f"rebuilt for the new data: {', '.join(done) or 'nothing'};"
                             " store compacted")
        finally:
            spool.discard()
        report.seconds = time.perf_counter() - started
        return report

    def _write_parts(self, file: str, conv: Converted, spool: QuadSpool,
                     ledger: EntityLedger, split: bool, report: LoadReport) -> int:
        """The parts of a record too large to hold (a notice's component tree), each checked
        like a record of its own (a component the shapes or the store would refuse is left
        out and reported; the notice loads) and spooled into the record's graph; then what
        the parts said goes on the record's head. Memory holds one batch of parts."""
        written = 0
        for part in conv.parts:
            pieces = [Converted(key, conv.graph_iri, conv.collection_iri, g)
                      for key, g in part]
            for piece in pieces:
                for message in drop_unwritable(piece.graph):
                    report.reject(file, f"{conv.record_id}: component {piece.record_id}",
                                  message)
            failing = check(pieces, self.settings.shacl_engine)
            triples: list[tuple[Node, Node, Node]] = []
            for i, piece in enumerate(pieces):
                if i in failing:
                    report.reject(file, f"{conv.record_id}: component {piece.record_id}",
                                  "; ".join(failing[i]) + " (the component is left out)")
                    continue
                triples.extend(piece.graph)
            if split:
                triples = ledger.split(conv.graph_iri, triples, conv.own, conv.authority)
            written += spool.add_graph(conv.graph_iri, triples, append=True)
        parts = conv.parts
        report.account(file, parts.fidelity)
        if parts.count:
            conv.graph.add((URIRef(conv.collection_iri), COLLEX_COMPONENT_COUNT,
                            Literal(parts.count)))
        for w in parts.warnings:
            report.warn(file, conv.record_id, w)
            conv.graph.add((URIRef(conv.graph_iri), COLLEX_WARNING, Literal(w)))
        for where, reason in parts.rejected:
            report.reject(file, where, reason)
        return written

    def _spool_dir(self, store: WriteStore | None) -> Path | None:
        directory = getattr(store, "directory", None)
        if isinstance(directory, Path):
            directory.parent.mkdir(parents=True, exist_ok=True)
            return directory.parent
        return None

    def _convert_file(
        self, path: Path, fmt: str, report: LoadReport
    ) -> Iterator[tuple[str, Converted]]:
        file = display_name(path)
        refused = not_regular(path)
        if refused is not None:
            report.reject(file, None, refused)
            return
        try:
            size = path.stat().st_size
            head = read_head(path)
        except OSError as exc:
            report.reject(file, None, f"cannot read the file: {exc.strerror or exc}")
            return
        source: SourceFormat | None = FORMATS.get(fmt) if fmt != "auto" else detect(head)
        if source is None:
            reason = ("the file is empty" if not head.strip(b" \t\r\n\x00\xef\xbb\xbf")
                      else f"format not recognised: {what_it_is(head, path.suffix)}; expected"
                      f" {EXPECTED}")
            report.reject(file, None, reason)
            return
        streamer = getattr(source, "stream", None)
        try:  # a format that can read this file piece by piece has no size cap
            records: Iterable[Any] | None = (
                streamer(path, display_name(path.name)) if streamer is not None else None)
        except OSError as exc:
            report.reject(file, None, f"cannot read the file: {exc.strerror or exc}")
            return
        if records is None:
            if size > self.settings.max_file_bytes:
                report.reject(file, None, f"file of {size} bytes is over the size cap of"
                              f" {self.settings.max_file_bytes} bytes (COLLEX_MAX_FILE_BYTES)")
                return
            try:
                data = path.read_bytes()
            except OSError as exc:
                report.reject(file, None, f"cannot read the file: {exc.strerror or exc}")
                return
            try:
                records = source.parse(data, display_name(path.name))
            except SourceRejected as exc:
                report.reject(file, None, str(exc))
                return
        iterator = iter(records)
        while True:
            try:
                record = next(iterator)
            except StopIteration:
                break
            except SourceRejected as exc:  # a streamed file that gives nothing (more)
                report.reject(file, None, str(exc))
                break
            except OSError as exc:
                report.reject(file, None, f"cannot read the file: {exc.strerror or exc}")
                break
            report.records += 1
            fidelity = getattr(record, "fidelity", None)
            if fidelity is not None:
                report.account(file, fidelity)
            try:
                conv = source.convert(record, self.settings.base_iri)
            except RecordRejected as exc:
                report.reject(file, source.record_id(record), str(exc))
                continue
            except Exception as exc:  # a converter bug must not lose the other records
                report.reject(file, source.record_id(record),
                              f"could not be converted ({type(exc).__name__}: {exc})")
                continue
            if conv.graph_iri and (problem := iri_problem(conv.graph_iri)) is not None:
                report.reject(file, conv.record_id, f"its identifier gives no usable IRI:"
                              f" {problem}")
                continue
            conv.rejected += [(f"{conv.record_id}: value", m)
                              for m in drop_unwritable(conv.graph)]
            yield file, conv
