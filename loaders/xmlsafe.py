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

import codecs
import html.entities
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, ClassVar

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
    """True when the bytes look like XML (after a BOM and whitespace, in any Unicode form)."""
    if _wide_codec(data) is not None:
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def _wide_codec(data: bytes) -> str | None:
    """The codec of XML written in UTF-16 or UTF-32 (by its BOM or by the zero bytes around
    its first ``<``), or None."""
    for prefix, codec in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                          (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"),
                          (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
                          (b"\x00<\x00", "utf-16-be"), (b"<\x00", "utf-16-le")):
        if data.startswith(prefix):
            return codec
    stripped = data.lstrip(b"\x00 \t\r\n")  # UTF-16 whitespace before the first '<'
    if stripped[:1] == b"<" and stripped[1:2] == b"\x00":
        return "utf-16-le"
    return None


_DECLARED_ENCODING = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


class XmlStream:
    """XML bytes made safe and plain for the parser, fed whole or chunk by chunk.

    - UTF-16 and UTF-32 are transcoded to UTF-8 (and the declaration says so);
    - an undefined HTML entity (``&eacute;``: EAD files use them while their DTD is not
      loaded), in text and in attribute values alike, becomes its character reference, and
      is reported once per name with its count and first line; an entity that is not an HTML
      one is refused, since its text would be lost; comments and CDATA are left alone.

    One pass, linear in the input (a million entities take a second, not minutes).
    """

    _TEXT = re.compile(rb"&|<!--|<!\[CDATA\[")
    _ENTITY = re.compile(rb"&([A-Za-z_][\w.-]{0,99});")
    _ENDS: ClassVar[dict[str, bytes]] = {"comment": b"-->", "cdata": b"]]>"}
    _PREDEFINED = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})

    def __init__(self, first: bytes, replace: bool = True) -> None:
        self._replace = replace  # False: transcode only
        codec = _wide_codec(first)
        self._decoder = codecs.getincrementaldecoder(codec)("strict") if codec else None
        self._declaration_fixed = codec is None
        self._state = "text"
        self._pending = b""
        self._line = 1
        self.found: dict[bytes, list[int]] = {}  # entity name -> [count, first line]

    def feed(self, data: bytes, final: bool = False) -> bytes:
        if self._decoder is not None:
            try:
                text = self._decoder.decode(data, final)
            except UnicodeDecodeError as exc:
                raise XmlRejected(f"not valid {self._decoder.__class__.__module__}"
                                  f" text: {exc.reason}") from None
            if not self._declaration_fixed and text:
                text = text.lstrip("\ufeff")
                text = _DECLARED_ENCODING.sub(r"\1\2UTF-8\2", text, count=1)
                self._declaration_fixed = True
            data = text.encode("utf-8", "surrogatepass")
        if not self._replace:
            return data
        buf = self._pending + data
        out: list[bytes] = []
        pos, n = 0, len(buf)
        while pos < n:
            if self._state != "text":
                end = buf.find(self._ENDS[self._state], pos)
                if end < 0:
                    cut = n if final else max(pos, n - 2)
                    out.append(buf[pos:cut])
                    pos = cut
                    break
                out.append(buf[pos:end + 3])
                pos, self._state = end + 3, "text"
                continue
            m = self._TEXT.search(buf, pos)
            if m is None:
                cut = n if final else self._safe_cut(buf, pos)
                out.append(buf[pos:cut])
                pos = cut
                break
            token = m.group()
            if token != b"&":
                out.append(buf[pos:m.end()])
                pos, self._state = m.end(), "comment" if token == b"<!--" else "cdata"
                continue
            em = self._ENTITY.match(buf, m.start())
            if em is None:
                if not final and b";" not in buf[m.start():m.start() + 104] and n - m.start() < 104:
                    out.append(buf[pos:m.start()])  # perhaps cut by the chunk: wait for more
                    pos = m.start()
                    break
                out.append(buf[pos:m.end()])  # a bare '&' or a character reference
                pos = m.end()
                continue
            name = em.group(1)
            out.append(buf[pos:m.start()])
            pos = em.end()
            if name in self._PREDEFINED:
                out.append(em.group())
                continue
            seen = self.found.get(name)
            if seen is None:
                line = self._line + buf.count(b"\n", 0, m.start())
                char = html.entities.html5.get(f"{name.decode()};")
                if char is None:
                    raise XmlRejected(
                        f"undefined entity &{name.decode()}; at line {line}: its text would"
                        " be lost (declare it as a character reference such as &#233;)")
                seen = self.found[name] = [0, line]
            seen[0] += 1
            out.append(_CHAR_REFS[name])
        self._pending = buf[pos:]
        self._line += buf.count(b"\n", 0, pos)
        return b"".join(out)

    @staticmethod
    def _safe_cut(buf: bytes, pos: int) -> int:
        """Where to stop in a chunk so that a ``<!--`` or ``<![CDATA[`` is not cut."""
        lt = buf.rfind(b"<", max(pos, len(buf) - 9))
        if lt >= 0 and (b"<![CDATA["[: len(buf) - lt] == buf[lt:]
                        or b"<!--"[: len(buf) - lt] == buf[lt:]):
            return lt
        return len(buf)

    def warnings(self, counted: bool = True) -> list[str]:
        """One warning per entity name replaced (``counted``: with how many times; a stream
        read ahead of its parser cannot say yet)."""
        out = []
        for name, (count, line) in self.found.items():
            char = html.entities.html5[f"{name.decode()};"]
            where = (f"first at line {line}" if not counted else f"line {line}" if count == 1
                     else f"{count} times, first at line {line}")
            out.append(f'undefined entity &{name.decode()}; replaced by its HTML meaning'
                       f' "{char}" ({where})')
        return out


class _CharRefs(dict[bytes, bytes]):
    def __missing__(self, name: bytes) -> bytes:
        char = html.entities.html5[f"{name.decode()};"]
        ref = self[name] = "".join(f"&#{ord(c)};" for c in char).encode()
        return ref


_CHAR_REFS = _CharRefs()
_ROOT_START = re.compile(rb"<[A-Za-z_]")


def _refuse_entity_declarations(data: bytes) -> None:
    """A DOCTYPE that declares entities is refused before parsing (billion laughs, XXE)."""
    root = _ROOT_START.search(data)
    prolog = data[: root.start()] if root else data
    declared = _ENTITY_DECL.findall(prolog)
    if declared:
        names = ", ".join(sorted({d.decode("utf-8", "replace") for d in declared})[:5])
        raise XmlRejected(f"the document declares entities in its DOCTYPE ({names}):"
                          " entity expansion is refused for safety")


def _libxml_message(msg: str) -> str:
    """libxml2's words, for a curator."""
    if "Excessive depth" in msg:
        return ("elements nested deeper than 256 levels: refused for safety (real finding"
                " aids nest a few dozen)")
    if "Name too long" in msg:
        return "an element or attribute name longer than 50,000 characters"
    return msg


def parse_xml(data: bytes, name: str) -> XmlDocument:
    """Parse ``data``; raise :class:`XmlRejected` with a readable reason on any problem."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise XmlRejected("the file is empty")
    if not sniff_xml(data):
        raise XmlRejected("not an XML file (it does not start with '<')")
    _refuse_entity_declarations(XmlStream(data[:4], replace=False).feed(data[:1 << 20]))
    stream = XmlStream(data[:4])
    plain = stream.feed(data, final=True)
    try:
        root = etree.fromstring(plain, _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlRejected(f"malformed XML: {_libxml_message(exc.msg)}") from None
    except (ValueError, MemoryError) as exc:  # e.g. unsupported encodings
        raise XmlRejected(f"unreadable XML: {exc}") from None
    doc = XmlDocument(root, stream.warnings())
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None:
        declared = [e.name for e in dtd.iterentities()]  # type: ignore[union-attr]
        if declared:
            names = ", ".join(sorted(set(filter(None, declared)))[:5])
            raise XmlRejected(
                f"the document declares entities in its DOCTYPE ({names}):"
                " entity expansion is refused for safety"
            )
    return doc


_ENTITY_DECL = re.compile(rb"<!ENTITY\s+%?\s*([\w.:-]+)")


MAX_ELEMENT_BYTES = 16 << 20  # an IdRef record is a few kilobytes


class _Oversize(Exception):
    pass


class _FilteredFile:
    """A file read through :class:`XmlStream`, for lxml's incremental parser. While an
    element the caller waits for is open (``mark``), at most ``limit`` bytes are read: one
    element is held in memory whole, so its size bounds the reader's memory."""

    def __init__(self, fh: BinaryIO, first: bytes, limit: int) -> None:
        self._fh = fh
        self.stream = XmlStream(first)
        self._done = False
        self.fed = 0
        self.mark: int | None = None
        self.limit = limit

    def read(self, size: int = -1) -> bytes:
        if self.mark is not None and self.fed - self.mark > self.limit:
            raise _Oversize
        while not self._done:
            block = self._fh.read(1 << 16)
            self._done = not block
            out = self.stream.feed(block, final=self._done)
            if out:
                self.fed += len(out)
                return out
        return b""


def xml_events(path: Path, tags: Sequence[str], warnings: list[str],
               events: Sequence[str] = ("end",), limit: int | None = None,
               root: list[etree._Element] | None = None
               ) -> Iterator[tuple[str, etree._Element]]:
    """``(event, element)`` for the elements of a large document whose local name is in
    ``tags``, parsed incrementally with the hardening of :func:`parse_xml` (no entity
    expansion, no DTD, no network; a document declaring entities is refused; HTML entities
    replaced, any other refused). Nothing is cleared: the caller frees what it has read.
    Warnings about replaced entities go to ``warnings`` as they are met. With ``limit``, an
    element of ``tags`` (with what it contains) larger than ``limit`` bytes raises
    :class:`XmlRejected` without being read whole. ``root``, when given, receives the
    document's root element once parsed. Syntax errors raise :class:`XmlRejected` naming
    the line; what came before was yielded.
    """
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise XmlRejected("the file is empty")
    if not sniff_xml(head):
        raise XmlRejected("not an XML file (it does not start with '<')")
    _refuse_entity_declarations(XmlStream(head[:4], replace=False).feed(head))
    wanted = set(events)
    with path.open("rb") as fh:
        source = _FilteredFile(fh, head[:4], limit or (1 << 62))
        context = etree.iterparse(
            source, events=("start", "end") if limit or "start" in wanted else ("end",),
            tag=[f"{{*}}{t}" for t in tags],
            resolve_entities=False, load_dtd=False, dtd_validation=False, no_network=True,
            huge_tree=False, remove_comments=True, remove_pis=True, collect_ids=False)
        context.resolvers.add(_NothingResolver())
        reported: set[bytes] = set()
        depth, line, opened = 0, 0, "record"
        try:
            for event, el in context:
                if event == "start":
                    if limit and depth == 0:
                        source.mark, line, opened = source.fed, el.sourceline or 0, local_name(el)
                    depth += 1
                    if "start" in wanted:
                        yield event, el
                    continue
                depth -= 1
                if depth <= 0:
                    source.mark = None
                if len(reported) != len(source.stream.found):
                    for name in source.stream.found.keys() - reported:
                        reported.add(name)
                        warnings.extend(w for w in source.stream.warnings(counted=False)
                                        if w.startswith(f"undefined entity &{name.decode()};"))
                yield event, el
            if root is not None:
                root.append(context.root)
        except _Oversize:
            raise XmlRejected(f"the <{opened}> element at line {line} runs over"
                              f" {(limit or 0) >> 20} MB, more than any record should: not"
                              " read, nor the rest of the file") from None
        except etree.XMLSyntaxError as exc:
            raise XmlRejected(f"malformed XML at line {exc.lineno}:"
                              f" {_libxml_message(exc.msg)}") from None
        except (ValueError, MemoryError) as exc:
            raise XmlRejected(f"unreadable XML: {exc}") from None


def iter_elements(path: Path, tags: Sequence[str], warnings: list[str],
                  limit: int = MAX_ELEMENT_BYTES) -> Iterator[etree._Element]:
    """The elements of a large document whose local name is in ``tags``, one at a time, as
    :func:`xml_events` reads them (same hardening, elements over ``limit`` bytes refused),
    in flat memory: each element is yielded when it ends and cleared, with what precedes it,
    when the caller asks for the next one.
    """
    for _, el in xml_events(path, tags, warnings, limit=limit):
        yield el
        el.clear(keep_tail=True)  # type: ignore[call-arg]  # the stubs omit keep_tail
        parent = el.getparent()
        if parent is not None:
            while el.getprevious() is not None:
                del parent[0]


_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*", re.S)


def content_head(head: bytes) -> bytes | None:
    """The first bytes of a file as format detection should see them: XML in UTF-16/32 as
    UTF-8, and the prolog (declaration, comments, processing instructions, DOCTYPE) skipped,
    so that the root element comes first whatever precedes it; None when the prolog runs
    past ``head`` (read more). Bytes that are not XML come back unchanged.

    >>> content_head(b'<?xml version="1.0"?><!-- ' + b"c" * 9000 + b' --><ead>')
    b'<ead>'
    """
    if not sniff_xml(head):
        return head
    try:
        text = XmlStream(head[:4], replace=False).feed(head)
    except XmlRejected:
        return head
    text = text.lstrip(b"\xef\xbb\xbf")
    end = _PROLOG.match(text)
    rest = text[end.end():] if end else text
    return rest if rest[:1] == b"<" and rest[1:2] not in (b"?", b"!") else None


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
