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
                         ("rcr", "city", "idref_ppn", "website", "latitude", "longitude")),
    "labels": Spec(("collection", "campaign", "disciplines"), ("note",)),
    "networks": Spec(("network", "name"),
                     ("description", "disciplines", "coordinator", "website")),
    "members": Spec(("network", "role"), ("collection", "title", "holder", "url", "note")),
}


@dataclass
class Row:
    number: int  # the spreadsheet row (the header is row 1)
    values: dict[str, str]


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


def sniff(head: bytes) -> bool:
    """A first line that names columns of one of our lists."""
    try:
        first = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8")
    except UnicodeDecodeError:
        return False
    if first.lstrip().startswith("<") or not any(sep in first for sep in ",;\t"):
        return False
    columns = [column_name(c) for c in re.split(r"[,;\t]", first)]
    return kind_of(columns) is not None


def parse(data: bytes, file: str) -> ListFile:
    """Rows of a list file. Raises :class:`ListRejected` if the file cannot be read."""
    import hashlib

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListRejected(f"not UTF-8 (byte {exc.start}): save the sheet as 'CSV UTF-8'"
                           ) from None
    if not text.strip():
        raise ListRejected("the file is empty")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    # strict: a quote left open (a cut file, an unbalanced quote) is an error, not a row
    # that silently swallows the rest of the file
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
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
    spec = SPECS[kind]
    out = ListFile(kind, file, hashlib.sha256(data).hexdigest(), columns)
    out.missing_columns = [c for c in spec.required if c not in columns]
    out.unknown_columns = [c for c in columns if c and c not in spec.required + spec.optional]
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            values = {col: cells[i].strip() if i < len(cells) else ""
                      for i, col in enumerate(columns) if col}
            out.rows.append(Row(number, values))
    except csv.Error as exc:
        # the rows before the damage are read; the file is not whole, so it removes nothing
        out.damage = (f"row {len(out.rows) + 2} (line {reader.line_num}): {exc}; this row and"
                      " the rest of the file are not read")
    if not text.endswith(("\n", "\r")) and out.rows and out.damage is None:
        # spreadsheets end every line, the last one too: a file that stops mid-line was cut
        last = out.rows.pop()
        out.damage = (f"row {last.number}: the file does not end with a line break, it looks"
                      " cut; this last row is not read")
    return out
