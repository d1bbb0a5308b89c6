"""Authority identifiers found in source records: which system, which IRI, is it valid.

IdRef PPN: 8 digits and a check character, computed modulo 11 with weights 9..2 (10 -> X).

>>> ppn_is_valid("027182800"), ppn_is_valid("15863621X"), ppn_is_valid("027182801")
(True, True, False)
>>> classify("027182800", None).iri
'http://www.idref.fr/027182800/id'
>>> classify("ark:/12148/cb11928016s", "OPP").iri
'http://data.bnf.fr/ark:/12148/cb11928016s#about'
>>> classify("FRAN_NP_005422", None).iri
'https://rdf.archives-nationales.culture.gouv.fr/agent/005422'
>>> classify("027182801", "idref").problem
'invalid IdRef PPN 027182801 (check character should be 0)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

IDREF = "http://www.idref.fr/"
AN_RDF = "https://rdf.archives-nationales.culture.gouv.fr/"

_PPN_SHAPE = re.compile(r"^\d{8}[\dXx]$", re.ASCII)
_IDREF_URL = re.compile(r"^https?://(?:www\.)?idref\.fr/(\d{8}[\dXx])(?:/id|\.xml|\.rdf)?/?$")
_BNF_ARK = re.compile(r"(ark:/12148/c[bg][0-9a-z]{8,10})", re.IGNORECASE)
_FRAN_NP = re.compile(r"^FRAN_NP_(\d+)$")
_RCR = re.compile(r"^\d{9}$")
_ISIL = re.compile(r"^[A-Z]{2}-[A-Za-z0-9:/\-]{1,12}$")
_IDREF_SOURCES = {"idref", "sudoc", "rameau", "ppn", "idref.fr", "abes"}


def ppn_check_char(first8: str) -> str:
    """The check character of the 8 first digits of a PPN.

    >>> ppn_check_char("15863621")
    'X'
    """
    d = [ord(c) - 48 for c in first8]
    if len(d) != 8 or not all(0 <= x <= 9 for x in d):
        raise ValueError(f"{first8!r} is not 8 digits")
    total = 9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7]
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def ppn_is_valid(ppn: str) -> bool:
    """True for a well-formed PPN whose check character is right."""
    return bool(_PPN_SHAPE.match(ppn)) and ppn_check_char(ppn[:8]) == ppn[8].upper()


def idref_iri(ppn: str) -> str:
    """The IdRef entity IRI of a valid PPN."""
    return f"{IDREF}{ppn.upper()}/id"


@dataclass(frozen=True)
class AuthorityRef:
    """A link from a record to an authority file."""

    system: str  # idref | bnf | fran | rcr | isil | <declared source, lowercased>
    identifier: str
    iri: str | None  # None: no global IRI, a local one is minted by the converter
    problem: str | None = None


@lru_cache(maxsize=65536)  # pure; the same headings recur across thousands of notices
def classify(value: str | None, source: str | None, *, repository: bool = False) -> (
    AuthorityRef | None
):
    """Decide the authority system of ``@authfilenumber`` from its shape and ``@source``."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    src = (source or "").strip()
    src_l = src.lower()
    m = _IDREF_URL.match(raw)
    if m:
        raw = m.group(1)
    if repository and (_RCR.match(raw) or src_l == "rcr"):
        if _RCR.match(raw):
            return AuthorityRef("rcr", raw, None)
        return AuthorityRef("rcr", raw, None, f"invalid RCR {raw} (9 digits expected)")
    if repository and _ISIL.match(raw):
        return AuthorityRef("isil", raw, None)
    if _PPN_SHAPE.match(raw):
        if ppn_is_valid(raw):
            return AuthorityRef("idref", raw.upper(), idref_iri(raw))
        return AuthorityRef(
            "idref", raw, None,
            f"invalid IdRef PPN {raw} (check character should be {ppn_check_char(raw[:8])})",
        )
    ark = _BNF_ARK.search(raw)
    if ark:
        ident = ark.group(1)
        return AuthorityRef("bnf", ident, f"http://data.bnf.fr/{ident}#about")
    m = _FRAN_NP.match(raw)
    if m:
        return AuthorityRef("fran", raw, f"{AN_RDF}agent/{m.group(1)}")
    if src.upper().startswith("FRAN_RI_") and re.match(r"^[A-Za-z0-9._-]+$", raw):
        return AuthorityRef("fran", raw, f"{AN_RDF}thing/{src.upper()}-{raw}")
    if src_l in _IDREF_SOURCES:
        return AuthorityRef("idref", raw, None, f"invalid IdRef PPN {raw!r} (not 8 digits + key)")
    return AuthorityRef(src_l or "unknown", raw, None)
