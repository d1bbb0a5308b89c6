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
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# The grammar's own character classes (SPARQL 1.1, section 19.8): white space is only
# space, tab, CR and LF; a comment runs to CR or LF; an IRIREF excludes only <>"{}|^`\ and
# the characters up to space, so a no-break space (U+00A0) or any other Unicode space is
# *inside* an IRI, not a separator (Python's \s would say otherwise).
_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.-]*(?::[^\s{}();,]*)?|:[^\s{}();,]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<space>[\x20\t\r\n]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` everywhere, as a SPARQL parser does before
    anything else (SPARQL 1.1, section 19.2): ``SERV\\u0049CE`` is the keyword SERVICE.

    >>> unescape_codepoints(r"SERV\\u0049CE <http://x/\\U0000003E")
    'SERVICE <http://x/>'
    """
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return m.group(0)  # the engine refuses it: a syntax error, nothing to hide
        return chr(code)
    return _CODEPOINT.sub(one, text)


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
    for tok in tokens(unescape_codepoints(text)):
        if tok.kind == "word" and tok.depth == 0:
            upper = tok.text.upper()
            if upper in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                return upper
    return None


_KEYWORD_GLUED = re.compile(r"[.\-]")


def _targets(text: str, keyword: str) -> list[str]:
    """What follows each ``keyword`` (case-insensitive), SILENT skipped: an IRI without its
    brackets, or the token's text. A keyword glued to more name characters (``SERVICE.x``)
    is still counted, with an empty target that no allow-list accepts."""
    out: list[str] = []
    toks = _words(unescape_codepoints(text))
    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        upper = tok.text.upper()
        if upper != keyword:
            if upper.startswith(keyword) and _KEYWORD_GLUED.match(upper, len(keyword)):
                out.append("")
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j < len(toks):
            out.append(toks[j].text[1:-1] if toks[j].kind == "iri" else toks[j].text)
        else:
            out.append("")
    return out


def services(text: str) -> list[str]:
    """Targets of SERVICE clauses (an IRI, or a variable name), after the codepoint escapes
    are replaced, with the grammar's own white space, comment and IRI rules."""
    return _targets(text, "SERVICE")


def loads(text: str) -> list[str]:
    """Source IRIs of LOAD operations in an update (same rules as ``services``)."""
    return _targets(text, "LOAD")


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


_GRAPH_SETS = ("ALL", "NAMED")


def expand_graph_sets(update: str, graphs: Callable[[], list[str]]) -> str:
    """``DROP``/``CLEAR`` of ``ALL`` or ``NAMED`` rewritten as the same operation on each of
    ``graphs()`` (for a store whose "all graphs" holds graphs that are not ours: Virtuoso's);
    ``graphs`` is called only when there is something to expand.

    >>> expand_graph_sets("DROP ALL ; INSERT DATA { <a:b> <a:c> <a:d> }", lambda: ["http://g/1"])
    'DROP SILENT GRAPH <http://g/1> ; INSERT DATA { <a:b> <a:c> <a:d> }'
    >>> expand_graph_sets("clear silent named", list)
    'CLEAR SILENT GRAPH <urn:x-collex:no-graph>'
    """
    toks = _words(update)
    cuts: list[tuple[int, int, str]] = []
    for i, tok in enumerate(toks):
        if tok.kind != "word" or tok.depth != 0 or tok.text.upper() not in ("DROP", "CLEAR"):
            continue
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() in _GRAPH_SETS:
            end = toks[j].start + len(toks[j].text)
            verb = tok.text.upper()
            targets = graphs() or ["urn:x-collex:no-graph"]
            text = " ; ".join(f"{verb} SILENT GRAPH <{g}>" for g in targets)
            cuts.append((tok.start, end, text))
    for start, end, text in reversed(cuts):
        update = update[:start] + text + update[end:]
    return update
