"""CSV bytes -> typed rows. No side effects.

One file holds one kind of list, recognised from its header: ``institutions`` (isil, name...),
``labels`` (collection, campaign, disciplines...), ``networks`` (network, name...), ``members``
(network, role, collection or title...). Comma, semicolon (French spreadsheets) or tab
separators; UTF-8 with or without BOM; header names are matched without case or accents.

>>> f = parse(b"isil;name\\nFR-751052116;BEC\\n", "institutions.csv")
>>> f.kind, f.rows[0].number, f.rows[0].values["name"]
('institutions', 2, 'BEC')
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field


class ListRejected(Exception):
    """The whole file cannot be read; the message says why."""


@dataclass(frozen=True)
class Spec:
    required: tuple[str, ...]
    optional: tuple[str, ...]


SPECS: dict[str, Spec] = {
    "institutions": Spec(("isil", "name"),
                         ("rcr", "city", "department", "idref_ppn", "website", "latitude",
                          "longitude")),
    "labels": Spec(("collection", "campaign", "disciplines"), ("note",)),
    "networks": Spec(("network", "name"),
                     ("description", "disciplines", "coordinator", "website")),
    "members": Spec(("network", "role"), ("collection", "title", "holder", "url", "note")),
}


@dataclass
class Row:
    number: int  # the spreadsheet row (the header is row 1)
    values: dict[str, str]
    problem: str | None = None  # why the row cannot be read as it stands (it is rejected)


@dataclass
class ListFile:
    kind: str
    file: str
    sha256: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    damage: str | None = None  # where the file stops being readable, when it does
    warnings: list[str] = field(default_factory=list)

    @property
    def record_id(self) -> str:
        return self.file


def column_name(text: str) -> str:
    """``Code ISIL`` -> ``code_isil``; accents, case and spaces do not matter."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def kind_of(columns: list[str]) -> str | None:
    cols = set(columns)
    if "campaign" in cols:
        return "labels"
    if "role" in cols:
        return "members"
    if "isil" in cols:
        return "institutions"
    if "network" in cols:
        return "networks"
    return None


def decode(data: bytes) -> tuple[str, str | None]:
    """The text of a CSV file and, when it is not UTF-8, a warning naming what it was.

    UTF-8 (with or without BOM); UTF-16 (Excel's "Unicode text", with BOM); otherwise
    Windows-1252 (Excel's "CSV" on Windows, a superset of Latin-1) when the bytes hold no
    UTF-8 sequence at all. A file that mixes UTF-8 with bytes that are not is damaged, not
    guessed at. Raises :class:`ListRejected`.

    >>> text, warning = decode("Sète".encode("cp1252"))
    >>> text, warning.startswith("the file is not UTF-8: read as Windows-1252")
    ('Sète', True)
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:
            raise ListRejected(f"UTF-16 text damaged at byte {exc.start}") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if _UTF8_MULTIBYTE.search(data):
        raise ListRejected(f"not UTF-8 (byte {first_bad}), although other characters are:"
                           " the file is damaged or mixes encodings; save the sheet as"
                           " 'CSV UTF-8'")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text, ("the file is not UTF-8: read as Windows-1252 (Excel's \"CSV\" on Windows);"
                  " check the accents, or save the sheet as \"CSV UTF-8\"")


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}"
                             rb"|[\xf0-\xf4][\x80-\xbf]{3}")
# A cell may be as long as a file may be (a long description): the csv module's default
# limit of 128 KB would call the file damaged.
csv.field_size_limit(1 << 30)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEP_LINE = re.compile(r"^sep=(.)\r?\n", re.IGNORECASE)


def header_line(head: bytes) -> tuple[str, str] | None:
    """The first line naming columns and its separator (after Excel's ``sep=;`` line), or
    None when the bytes are not text."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head[: len(head) // 2 * 2].decode("utf-16", "replace")
    else:
        text = head.decode("utf-8-sig", "replace")
        if "\ufffd" in text and not _UTF8_MULTIBYTE.search(head):
            text = head.decode("latin-1")
    sep = _SEP_LINE.match(text)
    if sep:
        text = text[sep.end():]
    first = text.split("\n", 1)[0]
    if "\x00" in first:
        return None
    delimiter = sep.group(1) if sep else max(",;\t", key=first.count)
    return first, delimiter


def sniff(head: bytes) -> bool:
    """A first line that names columns of one of our lists."""
    found = header_line(head)
    if found is None:
        return False
    first, delimiter = found
    if first.lstrip().startswith("<") or delimiter not in first:
        return False
    columns = [column_name(c) for c in first.split(delimiter)]
    return kind_of(columns) is not None


def parse(data: bytes, file: str) -> ListFile:
    """Rows of a list file. Raises :class:`ListRejected` if the file cannot be read."""
    import hashlib

    text, encoding_warning = decode(data)
    if not text.strip():
        raise ListRejected("the file is empty")
    sep = _SEP_LINE.match(text)
    if sep:
        text = text[sep.end():]
    first = text.split("\n", 1)[0]
    delimiter = sep.group(1) if sep else max(",;\t", key=first.count)
    # strict: a quote left open (a cut file, an unbalanced quote) is an error, not a row
    # that silently swallows the rest of the file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ListRejected(f"row 1: no header ({exc})") from None
    columns = [column_name(c) for c in header]
    kind = kind_of(columns)
    if kind is None:
        raise ListRejected("row 1: header not recognised; expected the columns of an"
                           " institutions, labels, networks or members list"
                           " (see ontology/lists-format.md)")
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise ListRejected(f"row 1: column(s) {', '.join(twice)} appear more than once: which"
                           " one holds the value is unclear; nothing is loaded")
    spec = SPECS[kind]
    out = ListFile(kind, file, hashlib.sha256(data).hexdigest(), columns)
    if encoding_warning:
        out.warnings.append(encoding_warning)
    out.missing_columns = [c for c in spec.required if c not in columns]
    out.unknown_columns = [c for c in columns if c and c not in spec.required + spec.optional]
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            values = {col: cells[i].strip() if i < len(cells) else ""
                      for i, col in enumerate(columns) if col}
            for col, value in values.items():
                if _CONTROL.search(value):
                    values[col] = _CONTROL.sub("", value)
                    out.warnings.append(f"row {number}, column {col}: control characters"
                                        " removed")
            extra = [c for c in cells[len(header):] if c.strip()]
            problem = (f"{len(header) + len(extra)} cells for {len(header)} columns (a"
                       f" separator {delimiter!r} inside a value that is not quoted?): the"
                       " values may be shifted" if extra else None)
            out.rows.append(Row(number, values, problem))
    except csv.Error as exc:
        # the rows before the damage are read; the file is not whole, so it removes nothing
        reason = ("a quote opened in this row is never closed (an unbalanced quote, or a"
                  " file cut inside a quoted value)" if "end of data" in str(exc)
                  else str(exc))
        out.damage = (f"row {len(out.rows) + 2} (line {reader.line_num}): {reason}; this row"
                      " and the rest of the file are not read")
    if not text.endswith(("\n", "\r")) and out.rows and out.damage is None:
        # spreadsheets end every line, the last one too: a file that stops mid-line was cut
        last = out.rows.pop()
        out.damage = (f"row {last.number}: the file does not end with a line break, it looks"
                      " cut; this last row is not read")
    if not out.rows and out.damage is None:
        raise ListRejected("the list has a header and no row: nothing to load (the loaded"
                           " list is unchanged)")
    return out
