"""An OAI-PMH 2.0 harvester's client: ``Identify`` and ``ListRecords`` a page at a time.

Pages, not records: the harvest commits each page with its checkpoint (see
:mod:`loaders.harvest.run`), so the client hands back each answer whole, with what the
checkpoint needs (resumption token, list size, cursor, datestamps). It is polite and wary:

- a rate limit per host (shared by every source on that host, see :func:`host_limiter`);
- timeouts (connect, read); retries with exponential backoff and jitter on connection errors,
  timeouts and 5xx; flow control: 503 and 429 with ``Retry-After`` (seconds or HTTP date) are
  waited for as asked, up to a ceiling, then the harvest stops with that reason;
- a size cap on each answer, read in a stream; the XML parsed with the project's hardened
  parser (no entities, no DTD, no network: :func:`loaders.xmlsafe.parse_xml`).

Why not a harvesting library: ``oaipmh-scythe`` (the maintained Sickle) was the candidate.
Version 0.16 reads each answer whole into memory and parses it with ``lxml.etree.XML``
(no size cap, not our hardened parser), hides pages behind a record iterator with no hook to
commit a page and its token together, has no rate limit, and moved to an ``httpx2`` fork.
Everything this module adds would be a wrapper around each of those points, so the protocol
(six verbs, one XML schema) is spoken here directly, on ``requests``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from lxml import etree

from loaders.http import USER_AGENT, TooLarge, host_limiter, read_capped, retry_after
from loaders.xmlsafe import XmlRejected, local_name, parse_xml

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
DAY = "YYYY-MM-DD"
SECONDS = "YYYY-MM-DDThh:mm:ssZ"


class HarvestError(Exception):
    """The repository could not be harvested now (unreachable, answering errors, an answer
    that is not OAI-PMH...): the message says why in one line."""


class OaiError(HarvestError):
    """An OAI-PMH ``error`` answer other than ``noRecordsMatch``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"the repository answered the OAI-PMH error {code}"
                         + (f": {message}" if message else ""))
        self.code = code


@dataclass(frozen=True)
class Identify:
    repository_name: str | None
    base_url: str | None
    protocol_version: str | None
    granularity: str  # DAY or SECONDS
    deleted_record: str  # no, transient, persistent
    earliest_datestamp: str | None
    admin_emails: tuple[str, ...] = ()


@dataclass
class Page:
    """One ``ListRecords`` answer."""

    body: bytes
    response_date: str | None
    token: str | None  # None: the last page
    complete_list_size: int | None
    cursor: int | None
    records: int = 0
    deleted: int = 0
    latest_datestamp: str | None = None
    no_records: bool = False  # noRecordsMatch: nothing changed in the range asked
    identifiers: list[str] = field(default_factory=list)


@dataclass
class OaiClient:
    """One repository. ``sleep`` and ``clock`` are the real ones outside tests of timing."""

    base_url: str
    rate: float = 1.0  # requests per second to the repository's host
    timeout: float = 60.0
    retries: int = 5
    max_bytes: int = 256 * 1024 * 1024
    max_wait: float = 3600.0  # longest Retry-After honoured
    session: requests.Session = field(default_factory=requests.Session)
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = lambda message: None
    requests_sent: int = 0

    def __post_init__(self) -> None:
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "text/xml, application/xml;q=0.9, */*;q=0.1"
        self.limiter = host_limiter(self.base_url, self.rate)

    # ------------------------------------------------------------------ verbs
    def identify(self) -> Identify:
        root = self._answer({"verb": "Identify"}, "Identify")
        body = _child(root, "Identify")
        if body is None:
            raise HarvestError("the Identify answer has no <Identify> element")
        granularity = _text(_child(body, "granularity")) or DAY
        deleted = (_text(_child(body, "deletedRecord")) or "no").lower()
        return Identify(
            repository_name=_text(_child(body, "repositoryName")),
            base_url=_text(_child(body, "baseURL")),
            protocol_version=_text(_child(body, "protocolVersion")),
            granularity=SECONDS if granularity.startswith(SECONDS[:12]) else DAY,
            deleted_record=deleted if deleted in {"no", "transient", "persistent"} else "no",
            earliest_datestamp=_text(_child(body, "earliestDatestamp")),
            admin_emails=tuple(t for c in body.iterchildren(etree.Element)
                               if local_name(c) == "adminEmail" and (t := _text(c))),
        )

    def list_records(self, *, prefix: str | None = None, set_spec: str | None = None,
                     from_: str | None = None, until: str | None = None,
                     token: str | None = None) -> Page:
        """A first page (``prefix`` and the selective arguments) or the page a ``token``
        names (alone, as the protocol requires)."""
        if token is not None:
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            params = {"verb": "ListRecords", "metadataPrefix": prefix or ""}
            if set_spec:
                params["set"] = set_spec
            if from_:
                params["from"] = from_
            if until:
                params["until"] = until
        body, root = self._fetch(params)
        page = Page(body, _text(_child(root, "responseDate")), None, None, None)
        error = _child(root, "error")
        if error is not None:
            code = error.get("code") or "error"
            if code == "noRecordsMatch":
                page.no_records = True
                return page
            raise OaiError(code, " ".join((error.text or "").split())[:300])
        listing = _child(root, "ListRecords")
        if listing is None:
            raise HarvestError("the answer to ListRecords has neither <ListRecords> nor"
                               " <error>")
        for el in listing.iterchildren(etree.Element):
            name = local_name(el)
            if name == "record":
                page.records += 1
                head = _child(el, "header")
                if head is None:
                    continue
                if head.get("status") == "deleted":
                    page.deleted += 1
                ident = _text(_child(head, "identifier"))
                if ident:
                    page.identifiers.append(ident)
                stamp = _text(_child(head, "datestamp"))
                if stamp and (page.latest_datestamp is None or stamp > page.latest_datestamp):
                    page.latest_datestamp = stamp
            elif name == "resumptionToken":
                page.token = _text(el)  # empty: the list is complete
                page.complete_list_size = _int(el.get("completeListSize"))
                page.cursor = _int(el.get("cursor"))
        return page

    # ------------------------------------------------------------------ transport
    def _answer(self, params: dict[str, str], verb: str) -> etree._Element:
        _, root = self._fetch(params)
        error = _child(root, "error")
        if error is not None:
            raise OaiError(error.get("code") or "error", " ".join((error.text or "").split()))
        return root

    def _fetch(self, params: dict[str, str]) -> tuple[bytes, etree._Element]:
        body = self._get(params)
        try:
            doc = parse_xml(body, self.base_url)
        except XmlRejected as exc:
            raise HarvestError(f"the answer is not usable XML ({exc})") from None
        root = doc.root
        if local_name(root) != "OAI-PMH":
            raise HarvestError(f"the answer is not OAI-PMH (root element <{local_name(root)}>)")
        return body, root

    def _get(self, params: dict[str, str]) -> bytes:
        attempt = 0
        while True:
            self.limiter.wait()
            self.requests_sent += 1
            try:
                response = self.session.get(self.base_url, params=params, stream=True,
                                            timeout=(min(10.0, self.timeout), self.timeout))
                code = response.status_code
                if code == 200:
                    return read_capped(response, self.max_bytes)
                hinted = retry_after(response.headers.get("Retry-After"))
                response.close()
            except TooLarge as exc:
                raise HarvestError(f"{exc} (COLLEX_HARVEST_MAX_RESPONSE_BYTES)") from None
            except requests.RequestException as exc:
                if attempt >= self.retries:
                    raise HarvestError(f"no answer after {attempt + 1} tries"
                                       f" ({_short(exc)})") from None
                wait = self._backoff(attempt)
                self.log(f"{_short(exc)}: trying again in {wait:.1f} s")
                self.sleep(wait)
                attempt += 1
                continue
            if code in (429, 503) and hinted is not None:
                if hinted > self.max_wait:
                    raise HarvestError(f"the repository answered {code} and asks to come back"
                                       f" in {hinted:.0f} s, more than"
                                       f" COLLEX_HARVEST_MAX_WAIT ({self.max_wait:.0f} s)")
                if attempt >= self.retries:
                    raise HarvestError(f"the repository still answered {code} after"
                                       f" {attempt + 1} tries")
                self.log(f"the repository answered {code}: waiting {hinted:.0f} s as asked"
                         " (Retry-After)")
                self.sleep(hinted)
                attempt += 1
                continue
            if code == 429 or code >= 500:
                if attempt >= self.retries:
                    raise HarvestError(f"the repository answered {code} after {attempt + 1}"
                                       " tries")
                wait = self._backoff(attempt)
                self.log(f"the repository answered {code}: trying again in {wait:.1f} s")
                self.sleep(wait)
                attempt += 1
                continue
            raise HarvestError(f"the repository answered HTTP {code}")

    def _backoff(self, attempt: int) -> float:
        return float(min(2.0 * 2**attempt, 120.0)) * (0.75 + random.random() / 2)  # noqa: S311


def from_argument(response_date: str, granularity: str) -> str:
    """The ``from`` of the next incremental harvest, from the ``responseDate`` of the first
    answer of the last complete one: anything changed since that answer was made is asked
    for again. ``from`` is inclusive; with day granularity the whole day is asked again,
    with seconds one second of overlap covers a record stamped as that answer was made.

    >>> from_argument("2024-03-05T10:00:00Z", DAY)
    '2024-03-05'
    >>> from_argument("2024-03-05T10:00:00Z", SECONDS)
    '2024-03-05T09:59:59Z'
    """
    when = parse_datestamp(response_date)
    if granularity == DAY:
        return when.strftime("%Y-%m-%d")
    return (when - dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(text: str) -> dt.datetime:
    """A UTC datestamp in either granularity.

    >>> parse_datestamp("2024-03-05").isoformat()
    '2024-03-05T00:00:00+00:00'
    """
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    return dt.datetime.strptime(text.rstrip("Z")[:19], "%Y-%m-%dT%H:%M:%S").replace(
        tzinfo=dt.UTC)


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    if el is None:
        return None
    return next((c for c in el.iterchildren(etree.Element) if local_name(c) == name), None)


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _short(exc: BaseException) -> str:
    text = str(exc).split("\n")[0]
    return f"{type(exc).__name__}: {text[:200]}"
