"""Harvesting a repository: pages through the one load pipeline, each with its checkpoint.

For each source: ``Identify`` (granularity, deleted-record policy), then ``ListRecords`` from
the last complete harvest's first ``responseDate`` (an incremental harvest; the first one,
or ``--full``, takes everything), page after page with the resumption tokens. Each page is
loaded by :class:`loaders.pipeline.Pipeline` (SHACL, report, deletions applied) and written
together with the source's checkpoint (:mod:`loaders.harvest.state`): a harvest killed at
any moment restarts after the last page the store holds, so no record is skipped, and a
record met twice (a page asked again after ``badResumptionToken``) is found unchanged by its
content digest and not written twice.

What stops a harvest (the repository unreachable, an error answer, an answer that is not
XML or over the size cap) is reported for that source; the pages before stay loaded, the
checkpoint stays, and the next run resumes there. The other sources are harvested.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rdflib.term import Node
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from collex.settings import Settings
from graph.base import WriteStore
from loaders.harvest.client import (
    DAY,
    HarvestError,
    Identify,
    OaiClient,
    OaiError,
    Page,
    from_argument,
)
from loaders.harvest.sources import KIND_FORMAT, Source
from loaders.harvest.state import HarvestState, Run, read_states, state_graph, state_triples
from loaders.oai.parse import ONE_PAGE
from loaders.pipeline import Pipeline, display_name
from loaders.report import Issue, LoadReport
from loaders.text import slug


@dataclass(frozen=True)
class Target:
    """What to harvest, and under which key its state is kept."""

    key: str
    url: str
    prefix: str
    set_spec: str | None
    kind: str
    name: str | None = None
    rate: float | None = None
    institution: str | None = None  # ISIL or RCR of who publishes the records


def target_of(source: Source) -> Target:
    return Target(source.id, source.url, source.metadata_prefix, source.set, source.kind,
                  source.name, source.rate_limit, source.institution)


def url_target(url: str, prefix: str, set_spec: str | None, kind: str) -> Target:
    """A repository harvested without a sources file: its state is kept under a key made
    from its URL, prefix and set (the same command finds it again).

    >>> url_target("https://archives.example.fr/oai", "ead", None, "ead").key
    'url-archives-example-fr-oai-ead-...'
    """
    parts = urlparse(url)
    digest = hashlib.sha256(f"{url}|{prefix}|{set_spec or ''}".encode()).hexdigest()[:8]
    label = slug(f"{parts.hostname or ''} {parts.path} {prefix}")[:60].strip("-")
    return Target(f"url-{label}-{digest}", url, prefix, set_spec, kind)


@dataclass
class HarvestResult:
    """One source's harvest, for the terminal and the JSON report."""

    key: str
    url: str
    outcome: str  # complete | failed
    run: Run
    error: str | None = None
    resumed: bool = False
    requests: int = 0
    seconds: float = 0.0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    written: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.key, "url": self.url, "outcome": self.outcome, "error": self.error,
            "resumed": self.resumed, "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "from": self.run.from_, "until": self.run.until, "pages": self.run.pages,
            "records": self.run.records, "added": self.run.added,
            "updated": self.run.updated, "unchanged": self.run.unchanged,
            "deleted": self.run.deleted, "rejected_count": self.run.rejected,
            "datestamp_reached": self.run.datestamp_reached,
            "records_per_second": round(self.run.records / self.seconds, 1)
            if self.seconds else None,
            "rejected": [vars(i) for i in self.rejected],
            "warnings": [vars(i) for i in self.warnings],
        }

    def summary(self) -> str:
        r = self.run
        head = (f"{self.key}: {self.outcome}"
                + (" (resumed)" if self.resumed else "")
                + f", {r.pages} page(s), {r.records} record(s): {r.added} added,"
                f" {r.updated} updated, {r.unchanged} unchanged, {r.deleted} deleted,"
                f" {r.rejected} rejected; {self.requests} request(s) in {self.seconds:.1f} s")
        lines = [head]
        if self.error:
            lines.append(f"  ERROR {self.key}: {self.error}")
        for issue in self.rejected:
            lines.append(f"  REJECTED {issue.file} [{issue.record}]: {issue.message}")
        return "\n".join(lines)


COMMIT_SECONDS = 60.0  # pages read are written at least this often


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Harvester:
    """Harvests sources into one store with one settings object."""

    def __init__(self, settings: Settings, store: WriteStore,
                 log: Callable[[str], None] = lambda message: None,
                 progress: bool = False, verbose: bool = False,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.store = store
        self.log = log
        self.progress = progress
        self.verbose = verbose
        self.sleep = sleep
        self.wrote = False

    def harvest(self, target: Target, *, full: bool = False, until: str | None = None
                ) -> HarvestResult:
        started = time.perf_counter()
        base = self.settings.base_iri
        known = read_states(self.store, base, target.key)
        state = known[0] if known else HarvestState(target.key, target.url, target.prefix)
        state.url, state.prefix, state.set_spec = target.url, target.prefix, target.set_spec
        state.kind, state.name = target.kind, target.name or state.name
        state.institution = target.institution or state.institution
        client = OaiClient(target.url, rate=target.rate or self.settings.harvest_rate,
                           timeout=self.settings.harvest_timeout,
                           retries=self.settings.harvest_retries,
                           max_bytes=self.settings.harvest_max_response_bytes,
                           max_wait=self.settings.harvest_max_wait, sleep=self.sleep,
                           log=lambda m: self.log(f"{target.key}: {m}"))
        result = HarvestResult(target.key, target.url, "failed", Run(started=_now()))
        current = state.current
        if current is not None and current.outcome == "running" and not full:
            run = current
            result.resumed = True
            self.log(f"{target.key}: resuming after page {run.pages}"
                     f" ({run.records} record(s) already harvested)")
        else:
            try:
                info = client.identify()
            except HarvestError as exc:
                return self._failed(state, result, Run(started=_now()), str(exc), client,
                                    started)
            state.granularity, state.deleted_record = info.granularity, info.deleted_record
            run = Run(started=_now(), from_=None if full else self._from(state, info),
                      until=until)
            if info.deleted_record == "no" and run.from_:
                result.warnings.append(Issue(target.key, None, "the repository keeps no"
                                             " deletions (deletedRecord=no): records deleted"
                                             " there stay here until a --full harvest"))
            self.log(f"{target.key}: harvesting {target.url} ({target.prefix}"
                     + (f", set {target.set_spec}" if target.set_spec else "")
                     + (f", from {run.from_}" if run.from_ else ", everything") + ")")
        result.run = run
        restarted = False
        pending: list[tuple[Path, Page]] = []  # pages read, not yet written
        pending_ids: set[str] = set()  # their records' identifiers
        token = run.token  # the next page's (the checkpoint's when resuming)
        last_write = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="collex-harvest-", dir=self._work_dir()) as tmp, \
                Progress(TextColumn("{task.description}"), BarColumn(),
                         MofNCompleteColumn(), TextColumn("records {task.fields[rate]}"),
                         TimeRemainingColumn(), disable=not self.progress,
                         transient=True) as bar:
            task = bar.add_task(target.key, total=None, rate="")
            while True:
                try:
                    page = (client.list_records(token=token) if token else
                            client.list_records(prefix=target.prefix, set_spec=target.set_spec,
                                                from_=run.from_, until=run.until))
                except OaiError as exc:
                    self._commit(state, run, pending, result)
                    if exc.code == "badResumptionToken" and token and not restarted:
                        # the token expired (a long pause, a resumed harvest) or the data
                        # changed: ask the list again from its start; what is already here
                        # comes back unchanged and is not written again
                        self.log(f"{target.key}: the resumption token is no longer valid;"
                                 " asking the list again from its start")
                        token, run.token, restarted = None, None, True
                        continue
                    return self._failed(state, result, run, str(exc), client, started)
                except HarvestError as exc:
                    number = run.pages + len(pending) + 1
                    self._commit(state, run, pending, result)
                    return self._failed(state, result, run, f"page {number}: {exc}",
                                        client, started)
                if run.first_response_date is None:
                    run.first_response_date = page.response_date or _now()
                if not pending_ids.isdisjoint(page.identifiers):
                    # a record changed while the list was harvested comes again: the version
                    # read first is written first, then this one replaces it
                    self._commit(state, run, pending, result)
                    last_write = time.monotonic()
                if not pending:  # written since: a new batch begins
                    pending_ids.clear()
                pending_ids.update(page.identifiers)
                number = run.pages + len(pending) + 1
                path = Path(tmp) / f"{_file_safe(state.key)}-page-{number:05d}.xml"
                path.write_bytes(page.body)
                page.body = b""  # on disk now
                pending.append((path, page))
                token = page.token
                waiting = sum(p.records for _, p in pending)
                if (token is None or waiting >= self.settings.harvest_batch
                        or time.monotonic() - last_write >= COMMIT_SECONDS):
                    self._commit(state, run, pending, result)
                    last_write = time.monotonic()
                if page.complete_list_size:
                    bar.update(task, total=page.complete_list_size)
                elapsed = time.perf_counter() - started
                seen = run.records + sum(p.records for _, p in pending)  # written or not
                bar.update(task, completed=seen, description=f"{target.key}: page {number}",
                           rate=f"{seen / elapsed:.0f}/s" if elapsed else "")
                if self.verbose:
                    self.log(f"{target.key}: page {number}: {page.records} record(s)"
                             + (f" of {page.complete_list_size}" if page.complete_list_size
                                else ""))
                if token is None:
                    break
        result.outcome = "complete"
        result.requests = client.requests_sent
        result.seconds = time.perf_counter() - started
        return result

    # ------------------------------------------------------------------ internals
    def _from(self, state: HarvestState, info: Identify) -> str | None:
        last = state.complete
        if last is None:
            return None
        if last.next_from:
            # the granularity may have changed since: re-derive when it did
            if info.granularity == DAY and len(last.next_from) > 10:
                return last.next_from[:10]
            return last.next_from
        return None

    def _commit(self, state: HarvestState, run: Run, pending: list[tuple[Path, Page]],
                result: HarvestResult) -> None:
        """Load the pages read since the last write, and write them with the checkpoint
        that follows them (all or nothing)."""
        if not pending:
            return
        numbers = {}
        for path, page in pending:
            run.pages += 1
            numbers[display_name(path)] = run.pages
            run.records += page.records
            if page.latest_datestamp and (run.datestamp_reached is None
                                          or page.latest_datestamp > run.datestamp_reached):
                run.datestamp_reached = page.latest_datestamp
        run.token = pending[-1][1].token
        last = run.token is None
        if last:
            run.outcome, run.ended = "complete", _now()
            # asked up to `until`: the next harvest starts there (until is inclusive)
            run.next_from = run.until or from_argument(run.first_response_date or _now(),
                                                       state.granularity or DAY)

        def checkpoint(report: LoadReport | None) -> Sequence[tuple[str, Iterable[
                tuple[Node, Node, Node]]]]:
            if report is not None:
                run.added += report.loaded - report.unchanged - report.replaced
                run.updated += report.replaced
                run.unchanged += report.unchanged
                run.deleted += report.deleted
                run.rejected += max(0, report.records - report.loaded - report.deleted
                                    - report.deletions_ignored)
            if last:
                state.current, state.last, state.complete = None, run, run
            else:
                state.current = run
            base = self.settings.base_iri
            return [(state_graph(base, state.key), state_triples(base, state))]

        files = [path for path, page in pending if page.records and not page.no_records]
        pending.clear()
        if not files:  # nothing to load (noRecordsMatch, pages that hold no record)
            self._write_state(checkpoint(None))
            return
        report = Pipeline(self.settings, derive=False).run(
            files, self.store, fmt=KIND_FORMAT.get(state.kind, "oai"), progress=False,
            extra_graphs=checkpoint)
        for path in files:
            path.unlink(missing_ok=True)
        self.wrote = self.wrote or report.written
        for issues, into in ((report.rejected, result.rejected),
                             (report.warnings, result.warnings)):
            for issue in issues:
                if issue.message.startswith(ONE_PAGE):  # the harvest takes every page
                    continue
                into.append(Issue(f"{state.key} page {numbers.get(issue.file, '?')}",
                                  issue.record, issue.message))
        if not report.written:  # nothing reached the store (cannot happen with a checkpoint)
            self._write_state(checkpoint(None))

    def _write_state(self, graphs: Sequence[tuple[str, Iterable[tuple[Node, Node, Node]]]]
                     ) -> None:
        from graph.spool import QuadSpool

        with QuadSpool(self._work_dir()) as spool:
            for graph, content in graphs:
                spool.add_graph(graph, content)
            self.store.replace_graphs(spool)
        self.wrote = True

    def _failed(self, state: HarvestState, result: HarvestResult, run: Run, error: str,
                client: OaiClient, started: float) -> HarvestResult:
        """Record the failure (the checkpoint, if any, is kept for the next run)."""
        failed = Run(**{**vars(run)})
        failed.outcome, failed.ended, failed.error = "failed", _now(), error
        failed.token = None
        state.last = failed
        base = self.settings.base_iri
        self._write_state([(state_graph(base, state.key), state_triples(base, state))])
        result.run, result.outcome, result.error = run, "failed", error
        result.requests = client.requests_sent
        result.seconds = time.perf_counter() - started
        return result

    def _work_dir(self) -> Path | None:
        directory = getattr(self.store, "directory", None)
        if isinstance(directory, Path):
            directory.parent.mkdir(parents=True, exist_ok=True)
            return directory.parent
        return None


def _file_safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in key)[:80]
