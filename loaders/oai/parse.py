"""OAI-PMH 2.0 answers (``GetRecord``, ``ListRecords``) -> the records they carry.

An envelope is a reader, not a format: each record's ``metadata`` element is handed to the
format that reads it (EAD, Dublin Core, EAC-CPF), with the header's identifier and datestamp;
a header with ``status="deleted"`` becomes an :class:`OaiDeletion`. An OAI-PMH ``error``
answer (``noRecordsMatch``, ``badResumptionToken``...) gives no record and says why.

>>> from loaders.xmlsafe import parse_xml
>>> doc = parse_xml(b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
...     b'<record><header status="deleted"><identifier>oai:x:1</identifier>'
...     b'<datestamp>2020-01-01</datestamp></header></record></ListRecords></OAI-PMH>', "a.xml")
>>> answer = read(doc.root)
>>> answer.records[0].header.identifier, answer.records[0].header.deleted
('oai:x:1', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from loaders.fidelity import Fidelity, Tracker
from loaders.xmlsafe import local_name

OAI_NS = "http://www.openarchives.org/OAI/2.0/"


ONE_PAGE = "the answer is one page of a longer list"  # said of a file, not of a harvest


class OaiRejected(Exception):
    """The answer holds no record: an OAI-PMH error, or not an OAI-PMH answer."""


@dataclass(frozen=True)
class OaiHeader:
    identifier: str
    datestamp: str | None
    deleted: bool
    sets: tuple[str, ...] = ()


@dataclass
class OaiRecord:
    header: OaiHeader
    metadata: etree._Element | None  # the root of the metadata (ead, oai_dc:dc, eac-cpf...)


@dataclass
class OaiAnswer:
    verb: str | None
    metadata_prefix: str | None
    response_date: str | None
    base_url: str | None = None  # what <request> says: the repository's base URL
    records: list[OaiRecord] = field(default_factory=list)
    resumption_token: str | None = None
    warnings: list[str] = field(default_factory=list)
    envelope: Fidelity = field(default_factory=Fidelity)  # the envelope's own elements


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el.iterchildren(etree.Element) if local_name(c) == name), None)


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    return el.text.strip() or None


def read(root: etree._Element) -> OaiAnswer:
    """The records of an OAI-PMH answer. Raises :class:`OaiRejected` for an error answer."""
    if local_name(root) != "OAI-PMH":
        raise OaiRejected(f"not an OAI-PMH answer (root element is <{local_name(root)}>)")
    tracker = Tracker()
    tracker.use(root)
    request = _child(root, "request")
    tracker.use_tree(request)
    tracker.use_tree(_child(root, "responseDate"))
    answer = OaiAnswer(
        verb=request.get("verb") if request is not None else None,
        metadata_prefix=request.get("metadataPrefix") if request is not None else None,
        response_date=_text(_child(root, "responseDate")),
        base_url=_text(request),
    )
    error = _child(root, "error")
    if error is not None:
        code = error.get("code") or "error"
        raise OaiRejected(f"the OAI-PMH answer is an error ({code}): "
                          f"{(error.text or '').strip() or 'no message'}")
    body = _child(root, "ListRecords")
    if body is None:
        body = _child(root, "GetRecord")
    if body is None:
        verbs = [local_name(c) for c in root.iterchildren(etree.Element)
                 if local_name(c) not in {"responseDate", "request"}]
        raise OaiRejected("an OAI-PMH answer without records (ListRecords or GetRecord"
                          f" expected, found {', '.join(verbs) or 'nothing'})")
    tracker.use(body)
    for rec in body.iterchildren(etree.Element):
        name = local_name(rec)
        if name == "resumptionToken":
            tracker.use(rec)
            answer.resumption_token = _text(rec)
            if answer.resumption_token:
                answer.warnings.append(
                    f"{ONE_PAGE} (resumptionToken"
                    f" {answer.resumption_token!r}): the records of the other pages are not"
                    " in this file")
            continue
        if name != "record":
            continue
        tracker.use(rec)
        head = _child(rec, "header")
        if head is None:
            answer.warnings.append("a record without header: skipped")
            continue
        tracker.use_tree(head)
        identifier = _text(_child(head, "identifier"))
        if not identifier:
            answer.warnings.append("a record whose header has no identifier: skipped")
            continue
        header = OaiHeader(
            identifier=identifier,
            datestamp=_text(_child(head, "datestamp")),
            deleted=head.get("status") == "deleted",
            sets=tuple(t for c in head.iterchildren(etree.Element)
                       if local_name(c) == "setSpec" and (t := _text(c))),
        )
        meta = _child(rec, "metadata")
        content = None
        if meta is not None:
            tracker.use(meta)
            content = next(meta.iterchildren(etree.Element), None)
        about = _child(rec, "about")
        tracker.use_tree(about)  # provenance and rights statements about the record: noted
        answer.records.append(OaiRecord(header, None if header.deleted else content))
    answer.envelope = _envelope_account(root, tracker)
    return answer


def _envelope_account(root: etree._Element, tracker: Tracker) -> Fidelity:
    """The envelope's elements only: each format accounts for its own metadata."""
    out = Fidelity()
    stack = [root]
    while stack:
        el = stack.pop()
        out.seen += 1
        if tracker.used(el):
            out.mapped += 1
        else:
            out.unmapped[f"OAI-PMH//{local_name(el)}"] += 1
        if local_name(el) != "metadata":
            stack.extend(el.iterchildren(etree.Element))
    return out
