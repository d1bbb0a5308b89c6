"""The only place where XML is parsed. Hardened against hostile input.

Guarantees: no entity is expanded, no DTD is loaded, no network or file is touched, the input
size is capped by the caller, and text that an undefined entity would silently drop is
detected. Well-known HTML character entities (``&eacute;``, which real EAD files use while
their DTD is not loaded) are replaced by their character and reported as a warning.

>>> doc = parse_xml(b'<!DOCTYPE ead SYSTEM "ead.dtd"><ead>Caf&eacute;</ead>', "x.xml")
>>> doc.root.text, doc.warnings
('Café', ['undefined entity &eacute; replaced by its HTML meaning "é" (line 1)'])
>>> parse_xml(b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>', "h.xml")
Traceback (most recent call last):
...
loaders.xmlsafe.XmlRejected: the document declares entities in its DOCTYPE (x): ...
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree


class XmlRejected(Exception):
    """The bytes are not a document we accept; the message says why, for a curator."""


@dataclass
class XmlDocument:
    root: etree._Element
    warnings: list[str] = field(default_factory=list)


class _NothingResolver(etree.Resolver):
    """Answers every external DTD or entity the parser asks for with nothing.

    libxml2 opens the DOCTYPE's system identifier even with DTD loading off (a path naming a
    FIFO or ``/dev/stdin`` blocks the parse; an http URL fails it): this resolver is asked
    first, so no file is opened and no host contacted, whatever the DOCTYPE names.
    """

    def resolve(  # type: ignore[override]  # lxml passes a context the stubs omit
        self, system_url: str | None, public_id: str | None, context: object
    ) -> object:
        return self.resolve_string("", context)  # type: ignore[call-arg]


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingResolver())
    return parser


def sniff_xml(data: bytes) -> bool:
    """True when the bytes look like XML (after a BOM and whitespace)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with BOM
    return head.startswith(b"<")


def parse_xml(data: bytes, name: str) -> XmlDocument:
    """Parse ``data``; raise :class:`XmlRejected` with a readable reason on any problem."""
    if not data.strip():
        raise XmlRejected("the file is empty")
    if not sniff_xml(data):
        raise XmlRejected("not an XML file (it does not start with '<')")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(f"malformed XML: {exc.msg}") from None
    except (ValueError, MemoryError) as exc:  # e.g. unsupported encodings
        raise XmlRejected(f"unreadable XML: {exc}") from None
    doc = XmlDocument(root)
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        declared = [e.name for e in dtd.iterentities()]  # type: ignore[union-attr]
        if declared:
            names = ", ".join(sorted(set(filter(None, declared)))[:5])
            raise XmlRejected(
                f"the document declares entities in its DOCTYPE ({names}):"
                " entity expansion is refused for safety"
            )
    _replace_entities(root, doc.warnings)
    return doc


_ENTITY_DECL = re.compile(rb"<!ENTITY\s+%?\s*([\w.:-]+)")


def iter_elements(path: Path, tags: Sequence[str], warnings: list[str]
                  ) -> Iterator[etree._Element]:
    """The elements of a large document whose local name is in ``tags``, one at a time.

    Same hardening as :func:`parse_xml` (no entity expansion, no DTD, no network; a document
    declaring entities is refused), but memory stays flat: each element is yielded when it
    ends and cleared, with what precedes it, when the caller asks for the next one. Warnings
    about replaced entities go to ``warnings`` as they are met. A syntax error after some
    elements raises :class:`XmlRejected` naming the line; the elements before it were yielded.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise XmlRejected("the file is empty")
    if not sniff_xml(head):
        raise XmlRejected("not an XML file (it does not start with '<')")
    declared = _ENTITY_DECL.findall(head)
    if declared:
        names = ", ".join(sorted({d.decode("utf-8", "replace") for d in declared})[:5])
        raise XmlRejected(f"the document declares entities in its DOCTYPE ({names}):"
                          " entity expansion is refused for safety")
    context = etree.iterparse(
        str(path), events=("end",), tag=[f"{{*}}{t}" for t in tags], resolve_entities=False,
        load_dtd=False, dtd_validation=False, no_network=True, huge_tree=False,
        remove_comments=True, remove_pis=True, collect_ids=False)
    context.resolvers.add(_NothingResolver())
    try:
        for _, el in context:
            _replace_entities(el, warnings)
            yield el
            el.clear(keep_tail=True)
            parent = el.getparent()
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(f"malformed XML at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, MemoryError) as exc:
        raise XmlRejected(f"unreadable XML: {exc}") from None


def _replace_entities(root: etree._Element, warnings: list[str]) -> None:
    entities = [n for n in root.iter(etree.Entity) if isinstance(n, etree._Entity)]
    for ent in entities:
        name = ent.name
        line = ent.sourceline
        char = html.entities.html5.get(f"{name};")
        if char is None:
            raise XmlRejected(
                f"undefined entity &{name}; at line {line}: its text would be lost"
                " (declare it as a character reference such as &#233;)"
            )
        warnings.append(f'undefined entity &{name}; replaced by its HTML meaning "{char}"'
                        f" (line {line})")
        text = char + (ent.tail or "")
        parent = ent.getparent()
        if parent is None:
            continue
        previous = ent.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(ent)


def local_name(el: etree._Element) -> str:
    """The tag without its namespace.

    >>> local_name(parse_xml(b'<e:ead xmlns:e="urn:isbn:1-931666-22-9"/>', "x").root)
    'ead'
    """
    tag = el.tag
    name = _LOCAL.get(tag)
    if name is None:
        name = tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
        if len(_LOCAL) < 4096:
            _LOCAL[tag] = name
    return name


_LOCAL: dict[str, str] = {}
