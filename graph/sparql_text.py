"""A small lexer for SPARQL text: enough to find the query form, SERVICE and LOAD targets,
USING/WITH clauses, and where to add ``USING`` clauses for the protocol's
``using-graph-uri`` parameters. Strings, IRIs and comments are skipped correctly; the store
does the real parsing.

>>> query_form("PREFIX ex: <http://ex/> # comment with SELECT\\nASK { ?s ?p 'SELECT' }")
'ASK'
>>> services("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } SERVICE ?x {} }")
['http://127.0.0.1:9/', '?x']
>>> add_using("INSERT { ?s a ?t } WHERE { ?s a ?t }", ["http://g/1"], [])
'INSERT { ?s a ?t } USING <http://g/1> WHERE { ?s a ?t }'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.-]*(?::[^\s{}();,]*)?|:[^\s{}();,]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int


def tokens(text: str) -> Iterator[Token]:
    """Significant tokens (no spaces, no comments) with their brace depth."""
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        yield Token(kind, m.group(), m.start(), depth)
        if kind == "open":
            depth += 1


def _words(text: str) -> list[Token]:
    return list(tokens(text))


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword at top level."""
    for tok in tokens(text):
        if tok.kind == "word" and tok.depth == 0:
            upper = tok.text.upper()
            if upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return upper
    return None


def services(text: str) -> list[str]:
    """Targets of SERVICE clauses (an IRI, or a variable name)."""
    out: list[str] = []
    toks = _words(text)
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
                j += 1
            if j < len(toks):
                target = toks[j]
                out.append(target.text[1:-1] if target.kind == "iri" else target.text)
    return out


def loads(text: str) -> list[str]:
    """Source IRIs of LOAD operations in an update."""
    out: list[str] = []
    toks = _words(text)
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.depth == 0 and tok.text.upper() == "LOAD":
            j = i + 1
            if j < len(toks) and toks[j].text.upper() == "SILENT":
                j += 1
            if j < len(toks):
                out.append(toks[j].text[1:-1] if toks[j].kind == "iri" else toks[j].text)
    return out


def has_dataset_clause(update: str) -> bool:
    """True when an update names its own dataset (USING, USING NAMED or WITH)."""
    return any(t.kind == "word" and t.depth == 0 and t.text.upper() in ("USING", "WITH")
               for t in tokens(update))


def add_using(update: str, using: list[str], using_named: list[str]) -> str:
    """Insert ``USING``/``USING NAMED`` before the WHERE of every DELETE/INSERT operation
    (the protocol's using-graph-uri / using-named-graph-uri)."""
    clause = " ".join([f"USING <{g}>" for g in using] + [f"USING NAMED <{g}>" for g in using_named])
    if not clause:
        return update
    toks = _words(update)
    cuts: list[int] = []
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.depth == 0 and tok.text.upper() == "WHERE":
            previous = toks[i - 1].text.upper() if i else ""
            if previous != "DELETE":  # DELETE WHERE takes no USING clause
                cuts.append(tok.start)
    for pos in reversed(cuts):
        update = update[:pos] + clause + " " + update[pos:]
    return update
