"""An ``oai_dc`` record (simple Dublin Core: 15 repeatable elements) -> a typed record.
Pure; the OAI-PMH envelope gives the identifier and datestamp.

>>> from lxml import etree
>>> el = etree.fromstring('<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"'
...     ' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Fonds X</dc:title>'
...     '<dc:subject>Architecture</dc:subject><dc:foo>?</dc:foo></oai_dc:dc>')
>>> r = read(el, "a.xml", "oai:1", None, "")
>>> r.values["title"], r.values["subject"], dict(r.fidelity.unmapped)
(['Fonds X'], ['Architecture'], {'dc/foo': 1})
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from loaders.fidelity import Fidelity, Tracker
from loaders.text import one_line
from loaders.xmlsafe import local_name

ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date",
            "type", "format", "identifier", "source", "language", "relation", "coverage",
            "rights")


@dataclass
class DcRecord:
    file: str
    oai_identifier: str
    oai_datestamp: str | None
    sha256: str
    values: dict[str, list[str]] = field(default_factory=dict)
    languages: dict[str, str | None] = field(default_factory=dict)  # value -> xml:lang
    warnings: list[str] = field(default_factory=list)
    fidelity: Fidelity = field(default_factory=Fidelity)
    oai_repository: str | None = None  # the base URL of the repository it came from

    @property
    def record_id(self) -> str:
        return self.oai_identifier


def read(el: etree._Element, file: str, oai_identifier: str, oai_datestamp: str | None,
         sha256: str) -> DcRecord:
    """The values of each Dublin Core element, in document order (empty ones dropped)."""
    record = DcRecord(file, oai_identifier, oai_datestamp, sha256)
    tracker = Tracker()
    tracker.use(el)
    for child in el.iterchildren(etree.Element):
        name = local_name(child)
        if name not in ELEMENTS:
            continue
        tracker.use_tree(child)
        value = one_line(child)
        if value:
            record.values.setdefault(name, []).append(value)
            lang = child.get("{http://www.w3.org/XML/1998/namespace}lang")
            if lang:
                record.languages[value] = lang
    record.fidelity = tracker.account(el)
    return record
