"""Text helpers: flattening mixed content, slugs for IRIs, language codes.

>>> slug("Bibliothèque de l'Arsenal (Paris)")
'bibliotheque-de-l-arsenal-paris'
>>> bcp47("fre"), bcp47("ger"), bcp47("xyz")
('fr', 'de', None)
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

from lxml import etree

from loaders.xmlsafe import local_name

_BLOCKS = {"p", "head", "item", "lb", "list", "chronitem", "defitem", "table", "row", "address",
           "addressline", "blockquote", "note", "event", "date"}
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")

_ISO639_2B_TO_1 = {
    "fre": "fr", "fra": "fr", "eng": "en", "ger": "de", "deu": "de", "ita": "it", "spa": "es",
    "lat": "la", "grc": "grc", "gre": "el", "ell": "el", "ara": "ar", "heb": "he", "rus": "ru",
    "por": "pt", "dut": "nl", "nld": "nl", "chi": "zh", "zho": "zh", "jpn": "ja", "oci": "oc",
    "bre": "br", "baq": "eu", "eus": "eu", "cat": "ca", "cos": "co", "pol": "pl", "tur": "tr",
    "per": "fa", "fas": "fa", "arm": "hy", "hye": "hy", "san": "sa", "syr": "syr", "cop": "cop",
}


def bcp47(code: str | None) -> str | None:
    """BCP 47 tag for an ISO 639-2 code (None when unknown)."""
    if not code:
        return None
    return _ISO639_2B_TO_1.get(code.strip().lower())


def clean(text: str | None) -> str:
    """Collapse runs of spaces on each line, drop empty lines, trim."""
    if not text:
        return ""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def flatten(el: etree._Element, *, skip: frozenset[str] = frozenset()) -> str:
    """Text of mixed content; block elements (``p``, ``head``, ``lb``...) become new lines.

    Inline elements (``persname``, ``emph``, ``title``) keep their text in place.
    """
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        name = local_name(node)
        if name in skip:
            return
        block = name in _BLOCKS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text.replace("\n", " "))
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail.replace("\n", " "))
        if block:
            parts.append("\n")

    walk(el)
    return clean("".join(parts))


def one_line(el: etree._Element) -> str:
    """Flattened text on a single line.

    >>> from lxml import etree
    >>> one_line(etree.fromstring("<unittitle> Fonds  <emph>Dupont</emph> </unittitle>"))
    'Fonds Dupont'
    """
    if not len(el):  # a leaf (most headings, titles, identifiers): no walk needed
        return _SPACES.sub(" ", (el.text or "").replace("\n", " ")).strip()
    return " ".join(flatten(el).split("\n"))


_TRANSLIT = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o",
                           "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th",
                           "Þ": "TH", "ð": "d", "Ð": "D", "ı": "i"})


def _digest(text: str) -> str:
    folded = unicodedata.normalize("NFC", text).casefold().strip()
    return hashlib.sha1(folded.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


@lru_cache(maxsize=65536)  # pure; headings recur across notices and components
def slug(text: str, *, max_len: int = 80) -> str:
    """ASCII slug of a label (accents removed), never shared by two different headings.

    Latin labels give their readable slug. A label with letters that have no ASCII form
    (Cyrillic, Arabic, CJK...) or whose slug is longer than ``max_len`` gets a hash of the
    whole label as a suffix, so that two headings that differ only there stay apart.

    >>> slug("Толстой, Лев (1828-1910)") != slug("Достоевский, Фёдор (1828-1910)")
    True
    >>> len(slug("x" * 300)) <= 80, slug("a" * 100 + "b") != slug("a" * 100 + "c")
    (True, True)
    """
    text = text.translate(_TRANSLIT)
    decomposed = unicodedata.normalize("NFKD", text)
    lost = any(ch.isalnum() and not ch.isascii() and unicodedata.category(ch) != "Mn"
               for ch in decomposed)
    s = re.sub(r"[^a-z0-9]+", "-", decomposed.encode("ascii", "ignore").decode("ascii")
               .lower()).strip("-")
    if not lost and s and len(s) <= max_len:
        return s
    keep = s[:max_len - 11].strip("-")
    return f"{keep}-{_digest(text)}" if keep else _digest(text)


_UNSAFE = re.compile(r"[^\w.~-]+")


def safe_segment(text: str, *, max_len: int = 200) -> str:
    """An IRI path segment keeping case, dots and dashes (identifiers such as FRAN_IR_054848),
    bounded in length: a longer one is cut and ends with a hash of the whole.

    >>> safe_segment("FR-751052116/Ms 2.12")
    'FR-751052116-Ms-2.12'
    >>> len(safe_segment("A" * 500, max_len=100))
    100

    Letters and digits of any script are kept (IRIs are Unicode): two identifiers that differ
    only by them do not merge.

    >>> safe_segment("ms-Ω-東京"), safe_segment("ms-é")
    ('ms-Ω-東京', 'ms-é')
    """
    s = _UNSAFE.sub("-", unicodedata.normalize("NFC", text.strip())).strip("-")
    if not s:
        return slug(text, max_len=max_len)
    if len(s) > max_len:
        return f"{s[:max_len - 11]}-{_digest(text)}"
    return s


def checked_iri(value: str) -> str | None:
    """``value`` when it is an absolute http(s) IRI a store accepts, else None.

    >>> checked_iri("https://ex.org/a b"), checked_iri("http://[::1"), checked_iri("mailto:x")
    (None, None, None)
    >>> checked_iri("http://ex.org/ark:/1/a?x=1#f")
    'http://ex.org/ark:/1/a?x=1#f'
    """
    if not value or not _IRI_CHARS.match(value):
        return None
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises on a bad port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    if "[" in parts.netloc:  # IP literal: must be a valid IPv6 address
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return None
    elif not _HOST.match(host):
        return None
    return value


_IRI_CHARS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`\x00-\x1f\x7f]+$")
_HOST = re.compile(r"^[\w.-]+$", re.UNICODE)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_row(cells: list[object]) -> list[object]:
    """A CSV row safe to open in a spreadsheet: a text cell that starts like a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return) is prefixed with ``'`` so that it is
    shown, never run (OWASP, "CSV injection"). Numbers are left as they are.

    >>> spreadsheet_row(["=cmd|' /C calc'!A0", "Lyon", 3, "-2+3"])
    ["'=cmd|' /C calc'!A0", 'Lyon', 3, "'-2+3"]
    """
    return [f"'{c}" if isinstance(c, str) and c.startswith(_FORMULA_START) else c
            for c in cells]
