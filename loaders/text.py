"""Text helpers: flattening mixed content, slugs for IRIs, language codes.

>>> slug("Bibliothèque de l'Arsenal (Paris)")
'bibliotheque-de-l-arsenal-paris'
>>> bcp47("fre"), bcp47("ger"), bcp47("xyz")
('fr', 'de', None)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

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


def slug(text: str, *, max_len: int = 80) -> str:
    """ASCII slug of a label (accents removed); a hash when nothing is left."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:max_len].strip("-")
    return s or hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def safe_segment(text: str) -> str:
    """An IRI path segment keeping case, dots and dashes (identifiers such as FRAN_IR_054848).

    >>> safe_segment("FR-751052116/Ms 2.12")
    'FR-751052116-Ms-2.12'
    """
    s = re.sub(r"[^A-Za-z0-9._~-]+", "-", text.strip()).strip("-")
    return s or slug(text)
