"""A real OAI-PMH 2.0 repository on 127.0.0.1 for harvesting tests and the harvest benchmark.

The protocol is spoken by ``oai-repo`` (MSU Libraries' provider package: verbs, argument
checks, ``from``/``until``, sets, resumption tokens invalidated when the data change, error
answers); this module gives it records and an HTTP server (``http.server``, one thread per
request), and can misbehave on demand as real repositories do: 503 with ``Retry-After``,
malformed XML on a given page, a page held until the test releases it. Every request is
logged with its arrival time, for assertions on the harvester's politeness.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import oai_repo
from lxml import etree
from oai_repo.resumption import ResumptionToken

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
EAD_NS = "urn:isbn:1-931666-22-9"


@dataclass
class Rec:
    identifier: str
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    metadata: bytes | None  # the <ead> (or <oai_dc:dc>) element; None when deleted
    deleted: bool = False
    sets: tuple[str, ...] = ()


def stamp(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def records_of_answer(path: Path, datestamp: str | None = None) -> list[Rec]:
    """The records of a recorded ``ListRecords`` answer (real producers' files)."""
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False))
    out = []
    for rec in root.iter(f"{{{OAI_NS}}}record"):
        head = rec.find(f"{{{OAI_NS}}}header")
        assert head is not None
        ident = head.findtext(f"{{{OAI_NS}}}identifier", "").strip()
        meta = rec.find(f"{{{OAI_NS}}}metadata")
        content = next(iter(meta), None) if meta is not None else None
        deleted = head.get("status") == "deleted"
        out.append(Rec(ident, datestamp or "2011-06-24T00:00:00Z",
                       None if deleted or content is None else etree.tostring(content),
                       deleted))
    return out


def generated_ead(n: int, title: str | None = None) -> bytes:
    """A small EAD notice with a component tree, as archives publish them."""
    t = title or f"Fonds de la famille Numéro {n}"
    return (f'<ead xmlns="{EAD_NS}"><eadheader><eadid countrycode="FR"'
            f' mainagencycode="FR-751052116">GEN-{n:05d}</eadid><filedesc><titlestmt>'
            f"<titleproper>{t}</titleproper></titlestmt></filedesc></eadheader>"
            f'<archdesc level="fonds"><did><unitid>MS {n}</unitid><unittitle>{t}</unittitle>'
            f'<unitdate normal="18{n % 100:02d}/19{n % 100:02d}">18{n % 100:02d}-19{n % 100:02d}'
            "</unitdate><repository><corpname>Bibliothèque d'essai</corpname></repository>"
            f"</did><scopecontent><p>Correspondance et papiers {n}.</p></scopecontent>"
            '<controlaccess><subject source="rameau">Correspondance</subject></controlaccess>'
            f'<dsc><c level="file" id="c1"><did><unittitle>Lettres {n}</unittitle></did></c>'
            f'<c level="file" id="c2"><did><unittitle>Carnets {n}</unittitle></did></c></dsc>'
            "</archdesc></ead>").encode()


class Records:
    """The repository's content; tests change it between harvests."""

    def __init__(self, records: Iterable[Rec] = ()) -> None:
        self._lock = threading.Lock()
        self._by_id: dict[str, Rec] = {}
        self._log: list[str] = []  # identifiers in the order they were put, repeats included
        self.version = 0
        for r in records:
            self.put(r)

    def put(self, rec: Rec) -> None:
        with self._lock:
            self._by_id[rec.identifier] = rec
            self._log.append(rec.identifier)
            self.version += 1

    def log_order(self) -> list[Rec]:
        """An append-only repository's list: a record changed is listed again at the end,
        and its former place shows its current version (nothing else moves)."""
        with self._lock:
            return [self._by_id[i] for i in self._log]

    def delete(self, identifier: str, datestamp: str) -> None:
        with self._lock:
            old = self._by_id[identifier]
            self._by_id[identifier] = Rec(identifier, datestamp, None, True, old.sets)
            self.version += 1

    def get(self, identifier: str) -> Rec | None:
        return self._by_id.get(identifier)

    def ordered(self) -> list[Rec]:
        with self._lock:
            return sorted(self._by_id.values(), key=lambda r: (r.datestamp, r.identifier))

    def __len__(self) -> int:
        return len(self._by_id)


class _Data(oai_repo.DataInterface):  # type: ignore[misc]
    def __init__(self, server: OaiServer) -> None:
        self.server = server
        self.limit = server.page_size

    def get_identify(self) -> oai_repo.Identify:
        ident = oai_repo.Identify()
        ident.repository_name = "Dépôt OAI-PMH d'essai (CollEx tests)"
        ident.base_url = self.server.url
        ident.admin_email = ["oai@example.org"]
        ident.earliest_datestamp = "2000-01-01T00:00:00Z"
        ident.deleted_record = "persistent"
        ident.granularity = self.server.granularity
        return ident

    def is_valid_identifier(self, identifier: str) -> bool:
        return self.server.records.get(identifier) is not None

    def get_metadata_formats(self, identifier: str | None = None) -> list[Any]:
        schema, namespace = _FORMATS.get(self.server.prefix, ("", ""))
        return [oai_repo.MetadataFormat(self.server.prefix, schema, namespace)]

    def get_record_header(self, identifier: str) -> oai_repo.RecordHeader:
        rec = self.server.records.get(identifier)
        assert rec is not None
        datestamp = rec.datestamp[:10] if self.server.granularity == "YYYY-MM-DD" else (
            rec.datestamp)
        return oai_repo.RecordHeader(identifier, datestamp, list(rec.sets),
                                     "deleted" if rec.deleted else None)

    def get_record_metadata(self, identifier: str, metadataprefix: str) -> Any:
        rec = self.server.records.get(identifier)
        if rec is None:
            return None
        if rec.deleted or rec.metadata is None:
            # oai-repo 0.5.2 drops records without metadata and ignores the header's status:
            # a placeholder keeps the record, and ``_deletions`` makes it a deleted header
            return etree.Element(_DELETED)
        return etree.fromstring(rec.metadata, etree.XMLParser(resolve_entities=False))

    def get_record_abouts(self, identifier: str) -> list[Any]:
        return []

    def list_set_specs(self, identifier: str | None = None, cursor: int = 0) -> tuple[Any, ...]:
        if identifier is not None:
            rec = self.server.records.get(identifier)
            return (list(rec.sets) if rec else []), None, None
        specs = sorted({s for r in self.server.records.ordered() for s in r.sets})
        return (specs or None), None, None

    def get_set(self, setspec: str) -> Any:
        specs = {s for r in self.server.records.ordered() for s in r.sets}
        return oai_repo.Set(setspec, f"Set {setspec}") if setspec in specs else None

    def list_identifiers(self, metadataprefix: str, filter_from: dt.datetime | None = None,
                         filter_until: dt.datetime | None = None,
                         filter_set: str | None = None, cursor: int = 0) -> tuple[Any, ...]:
        chosen = []
        listed = (self.server.records.log_order() if self.server.stable_tokens
                  else self.server.records.ordered())
        for rec in listed:
            when = dt.datetime.strptime(rec.datestamp, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=dt.UTC)
            if self.server.granularity == "YYYY-MM-DD":
                when = when.replace(hour=0, minute=0, second=0)
            if filter_from is not None and when < filter_from:
                continue
            if filter_until is not None and when > filter_until:
                continue
            if filter_set is not None and filter_set not in rec.sets:
                continue
            chosen.append(rec.identifier)
        state = None if self.server.stable_tokens else self.server.records.version
        return chosen[cursor:cursor + self.limit], len(chosen), state


@dataclass
class Hit:
    at: float  # time.monotonic() at arrival
    query: dict[str, str]
    page: int | None  # ListRecords page number (1 = no token)
    status: int = 200


@dataclass
class OaiServer:
    """Start with ``with OaiServer(records) as server:``; ``server.url`` is the base URL."""

    records: Records
    page_size: int = 100
    prefix: str = "ead"  # the metadata format served
    granularity: str = "YYYY-MM-DDThh:mm:ssZ"
    log: list[Hit] = field(default_factory=list)
    # misbehaviours, consumed as they happen
    unavailable: int = 0  # the next N requests answer 503 with Retry-After
    retry_after: str = "2"
    malformed_pages: set[int] = field(default_factory=set)  # ListRecords pages answered broken
    bodies: dict[int, bytes] = field(default_factory=dict)  # pages answered with these bytes
    hold_pages: set[int] = field(default_factory=set)  # pages held until ``release``
    # an append-only list whose tokens survive changes of the data (as some repositories'
    # do): a record changed during a harvest is listed again at its end, and met twice
    stable_tokens: bool = False
    url: str = ""

    def __post_init__(self) -> None:
        self.released = threading.Event()
        self.holding = threading.Event()
        self._lock = threading.Lock()

    def __enter__(self) -> OaiServer:
        handler = _handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/oai"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def release(self) -> None:
        self.released.set()

    def pages_served(self) -> list[int]:
        return [h.page for h in self.log if h.page is not None and h.status == 200]

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        page = _page_of(query, self.page_size)
        hit = Hit(time.monotonic(), query, page)
        with self._lock:
            self.log.append(hit)
            if self.unavailable > 0:
                self.unavailable -= 1
                hit.status = 503
                return 503, {"Retry-After": self.retry_after}, b"busy"
            malformed = page is not None and page in self.malformed_pages
            if malformed:
                self.malformed_pages.discard(page)  # once
            if page is not None and page in self.bodies:
                return 200, {"Content-Type": "text/xml"}, self.bodies.pop(page)
        if page is not None and page in self.hold_pages:
            self.holding.set()
            self.released.wait(120)
        repo = oai_repo.OAIRepository(_Data(self))
        body = _deletions(repo.process(dict(query)))
        if malformed:
            body = body[: len(body) // 2] + b"<broken"
        return 200, {"Content-Type": "text/xml; charset=utf-8"}, body


_DELETED = "collex-test-deleted"
_FORMATS = {
    "ead": ("http://www.loc.gov/ead/ead.xsd", EAD_NS),
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
               "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "marc-xml": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
                 "http://www.loc.gov/MARC21/slim"),
}


def _deletions(response: Any) -> bytes:
    """The answer, its deleted records as the protocol says: a header with
    ``status="deleted"`` and no metadata."""
    root = response.root()  # oai-repo builds its elements without namespace
    for meta in list(root.iter("metadata", f"{{{OAI_NS}}}metadata")):
        if len(meta) and meta[0].tag == _DELETED:
            record = meta.getparent()
            header = next(c for c in record if etree.QName(c).localname == "header")
            header.set("status", "deleted")
            record.remove(meta)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root)


def _page_of(query: dict[str, str], page_size: int) -> int | None:
    if query.get("verb") != "ListRecords":
        return None
    token = query.get("resumptionToken")
    if not token:
        return 1
    parsed = ResumptionToken()
    try:
        parsed.parse(token)
    except Exception:  # a bad token: oai-repo answers badResumptionToken
        return None
    return (parsed.cursor or 0) // page_size + 2


def _handler(server: OaiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlparse(self.path)
            if parts.path != "/oai":
                self.send_error(404)
                return
            raw = parse_qs(parts.query, keep_blank_values=True)
            query = {k: v[-1] for k, v in raw.items()}
            status, headers, body = server.answer(query)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(ConnectionError):  # a harvester killed while waiting
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def requests_per_window(hits: Iterable[Hit], window: float) -> Iterator[int]:
    """For each request, how many requests arrived in the ``window`` seconds it starts."""
    times = sorted(h.at for h in hits)
    for i, t in enumerate(times):
        yield sum(1 for u in times[i:] if u < t + window)
