"""Normalising archival dates to a start and an end day.

Accepts ``@normal`` ISO forms (``1995-01-01/1997-12-31``, with or without spaces, single
years, year-months) and, when ``@normal`` is missing, common French textual forms (``1995-1997``,
``XIXe siècle``, ``[vers 1850]``). Never raises: a value that does not parse comes back with a
``problem`` and no dates.

>>> normalise("1995-01-01 / 1997-12-31", None)
DateRange(start='1995-01-01', end='1997-12-31', problem=None, note=None)
>>> normalise("1932", None)
DateRange(start='1932-01-01', end='1932-12-31', problem=None, note=None)
>>> normalise(None, "XVIIe-XVIIIe siècles")
DateRange(start='1601-01-01', end='1800-12-31', problem=None, note=None)
>>> normalise("1997-13-45", None).problem
'date 1997-13-45 is not a valid ISO 8601 date'

Text that is not what a date range claims is flagged, never rewritten: a reversed range has
no dates, an approximate one keeps its years with a note, an undated one has no dates.

>>> normalise(None, "1850-1790").problem
'date 1850-1790 ends before it starts'
>>> normalise(None, "ca. 1900").note
'approximate date (ca. 1900): indexed as 1900'
>>> normalise(None, "ca. 1900").start
'1900-01-01'
>>> normalise(None, "s.d.").problem
'undated (s.d.)'
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import lru_cache

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_CENTURY = re.compile(r"\b([IVXLC]+)(?:e|è|ème|eme)\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_UNDATED = re.compile(r"^\W*(?:s\.?\s*d\.?|sans\s+date|n\.?\s*d\.?|non\s+dat[ée]e?s?|undated|"
                      r"no\s+date)\W*$", re.IGNORECASE)
_APPROXIMATE = re.compile(r"(?:\b(?:ca|circa|env|environ|vers|around|about|c)\b\.?|\?)",
                          re.IGNORECASE)


@dataclass(frozen=True)
class DateRange:
    start: str | None
    end: str | None
    problem: str | None = None  # no dates: why (a warning; the text is kept)
    note: str | None = None  # dates kept, but the text says less than they do (a warning)


def _bound(part: str, *, end: bool) -> str | None:
    m = _ISO.match(part.strip())
    if not m:
        return None
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    if year == 0:  # no year 0 in ISO 8601's proleptic Gregorian calendar as SHACL checks it
        return None
    if month is None or month == "00":
        return f"{year:04d}-12-31" if end else f"{year:04d}-01-01"
    mon = int(month)
    if not 1 <= mon <= 12:
        return None
    last = calendar.monthrange(year, mon)[1]
    if day is None or day == "00":
        return f"{year:04d}-{mon:02d}-{last if end else 1:02d}"
    d = int(day)
    if not 1 <= d <= last:
        return None
    return f"{year:04d}-{mon:02d}-{d:02d}"


def _roman(text: str) -> int:
    total = 0
    values = [_ROMAN[c] for c in text.upper()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


@lru_cache(maxsize=65536)  # pure; the same dates recur across components and notices
def normalise(normal: str | None, text: str | None) -> DateRange:
    """Start and end days from ``@normal``, else from the text."""
    if normal and normal.strip():
        parts = [p.strip() for p in normal.split("/")]
        if len(parts) == 1:
            parts = [parts[0], parts[0]]
        if len(parts) != 2 or not all(parts):
            return DateRange(None, None, f"date {normal.strip()} is not an ISO 8601 interval")
        start, end = _bound(parts[0], end=False), _bound(parts[1], end=True)
        bad = parts[0] if start is None else parts[1] if end is None else None
        if bad is not None:
            return DateRange(None, None, f"date {bad} is not a valid ISO 8601 date")
        assert start is not None and end is not None
        if start > end:
            return DateRange(None, None, f"date interval {normal.strip()} ends before it starts")
        return DateRange(start, end)
    if not text or not text.strip():
        return DateRange(None, None)
    if _UNDATED.match(text):
        return DateRange(None, None, f"undated ({text.strip()})")
    centuries = [_roman(m.group(1)) for m in _CENTURY.finditer(text)]
    centuries = [c for c in centuries if 1 <= c <= 21]
    if centuries:
        lo, hi = min(centuries), max(centuries)
        return DateRange(f"{(lo - 1) * 100 + 1:04d}-01-01", f"{hi * 100:04d}-12-31")
    years = [int(y) for y in _YEAR.findall(text) if 500 <= int(y) <= 2100]
    if not years:
        return DateRange(None, None)
    if len(years) == 2 and years[0] > years[1]:
        return DateRange(None, None, f"date {text.strip()} ends before it starts")
    lo, hi = min(years), max(years)
    note = (f"approximate date ({text.strip()}): indexed as {lo}{f'-{hi}' if hi != lo else ''}"
            if _APPROXIMATE.search(text) else None)
    return DateRange(f"{lo:04d}-01-01", f"{hi:04d}-12-31", note=note)
