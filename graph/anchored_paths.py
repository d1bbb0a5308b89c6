"""Property paths from a bound end, evaluated first: a planning aid for the embedded engine.

The discovery query "collections on this subject or any narrower one" is
``?s (skos:broader|^skos:narrower)* <subject> . ?c dcterms:subject ?s``. Oxigraph's optimizer
cannot estimate a ``*`` or ``+`` path over an alternative (or joined with a union), so it
joins every ``dcterms:subject`` of the store (a million with the component trees) and checks
the path for each: 0.9 s on the S corpus, while the path alone, from its bound end, takes
0.2 ms. ``oxigraph serve`` has the same plan.

So, on a store that cannot change between two queries (a read-only snapshot), a triple of the
query's top-level group whose predicate is a ``*`` or ``+`` path with one end a constant and
the other a variable ``?v`` is evaluated first, alone, with the query's own prologue, dataset
clauses and dataset options (``SELECT DISTINCT ?v``); its values are then added to the same
group as ``VALUES ?v { ... }``. The answer is the same: every solution of the group binds
``?v`` to one of those values (the triple is in the group, evaluated on the same default
graph of the same snapshot), so the join with them removes nothing; the engine now starts
from those few values. Nothing is rewritten when the values are more than ``MAX_VALUES``, hold
a blank node or a triple term (``VALUES`` cannot say them), or when the query's shape is not
recognised with certainty (CONSTRUCT/DESCRIBE, a group opened without ``WHERE``, a triple
glued to its neighbours); when the rewritten text is refused, the original runs.

>>> store = ox.Store()
>>> ex = "http://ex/"
>>> for s, p, o in [("b", "broader", "a"), ("a", "narrower", "c"), ("x", "subject", "c"),
...                 ("y", "subject", "b"), ("z", "subject", "q")]:
...     store.add(ox.Quad(ox.NamedNode(ex + s), ox.NamedNode(ex + p), ox.NamedNode(ex + o),
...                       ox.NamedNode(ex + "g")))
>>> q = ("PREFIX e: <http://ex/> SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:a ."
...      " ?c e:subject ?s }")
>>> print(anchor(store, q, {"use_default_graph_as_union": True}))
PREFIX e: <http://ex/> SELECT ?c WHERE { ?s (e:broader|^e:narrower)* e:a . ?c e:subject ?s \
VALUES ?s { <http://ex/a> <http://ex/b> <http://ex/c> } }
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox

from graph.sparql_text import Token, tokens, unescape_codepoints

MAX_VALUES = 10_000  # beyond, VALUES costs more than it saves: the query runs as written
MAX_PATHS = 3  # pre-evaluated paths per query

_PNAME = r"(?:[A-Za-z][\w.\-]*)?:(?:[\w\-:%]|\\.|\.(?=[\w\-:%]))*"
# a property path (SPARQL 1.1, section 9.1): IRIs, prefixed names, `a`, and path operators
_PATH = re.compile(rf"(?:\s+|<[^<>\"{{}}|^`\\\x00-\x20]*>|{_PNAME}|a(?![\w:])|[()|/^*+?!])+")
_REPEATED = re.compile(rf"<[^>]*>|{_PNAME}|([*+])")
_CONSTANT = re.compile(rf"<[^<>\"{{}}|^`\\\x00-\x20]*>|{_PNAME}")
_ENDS = {".", ";", ",", "}"}


def _is_end(tok: Token) -> bool:
    return tok.kind in ("var", "iri") or (
        tok.kind == "word" and not tok.text.startswith("_:") and bool(
            _CONSTANT.fullmatch(tok.text)))


def _repeated(path: str) -> bool:
    """The path has a ``*`` or ``+`` outside its IRIs and names."""
    return any(m.group(1) for m in _REPEATED.finditer(path))


def _where_group(toks: list[Token]) -> tuple[str, int, int] | None:
    """(query form, index of the WHERE group's ``{``, index of its ``}``) for SELECT and
    ASK queries whose first top-level group is opened by ``WHERE`` (or by ``ASK``)."""
    form = next((t.text.upper() for t in toks if t.kind == "word" and t.depth == 0 and
                 t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form not in ("SELECT", "ASK"):
        return None
    for i, tok in enumerate(toks):
        if tok.kind == "open" and tok.depth == 0:
            if i == 0 or toks[i - 1].text.upper() not in ("WHERE", "ASK"):
                return None
            close = next((j for j in range(i + 1, len(toks))
                          if toks[j].kind == "close" and toks[j].depth == 0), None)
            return (form, i, close) if close is not None else None
    return None


def candidates(text: str) -> tuple[str, str, list[tuple[str, str]], int] | None:
    """``(prologue and "SELECT DISTINCT", dataset clauses, anchored path triples as
    (variable, triple text), offset of the WHERE group's closing brace)``, or None when the
    query is not of a shape this module rewrites.

    >>> candidates("BASE <http://b/> SELECT * FROM <g> WHERE { ?s <p>+ <o> }")[1:]
    ('FROM <g>', [('?s', '?s <p>+ <o>')], 55)
    >>> candidates("SELECT * WHERE { ?s <p>+ ?o }") is None  # no bound end
    True
    >>> candidates("SELECT * WHERE { ?s <p>/<q> <o> }") is None  # no repetition
    True
    >>> candidates('SELECT * WHERE { ?s <p*> <o> . FILTER(?s != "*") }') is None
    True
    """
    toks = list(tokens(text))
    found = _where_group(toks)
    if found is None:
        return None
    form, open_i, close_i = found
    head = next(t for t in toks if t.kind == "word" and t.depth == 0 and t.text.upper() == form)
    prologue = text[:head.start]
    dataset = []
    for i in range(open_i):
        if toks[i].depth == 0 and toks[i].kind == "word" and toks[i].text.upper() == "FROM":
            j = i + 1
            if j < open_i and toks[j].text.upper() == "NAMED":
                j += 1
            if j >= open_i or not _is_end(toks[j]) or toks[j].kind == "var":
                return None
            dataset.append(" ".join(t.text for t in toks[i:j + 1]))
    found_paths: list[tuple[str, str]] = []
    i = open_i + 1
    while i < close_i and len(found_paths) < MAX_PATHS:
        prev = toks[i - 1]
        starts = i == open_i + 1 or (prev.depth == 1 and (
            (prev.kind == "other" and prev.text == ".") or prev.kind == "close"))
        if not (starts and toks[i].depth == 1 and _is_end(toks[i])):
            i += 1
            continue
        # the object: the last token before the statement's next separator
        j = i + 1
        while j < close_i and not (toks[j].depth == 1 and toks[j].text in _ENDS):
            j += 1
        if j - i < 3 or not (j == close_i or toks[j].depth == 1):
            i = j
            continue
        subject, obj = toks[i], toks[j - 1]
        path = text[subject.start + len(subject.text):obj.start]
        if (_is_end(obj) and (subject.kind == "var") != (obj.kind == "var")
                and all(t.kind in ("word", "iri", "other") and t.depth == 1
                        for t in toks[i + 1:j - 1])
                and _PATH.fullmatch(path) and _repeated(path)):
            var = subject.text if subject.kind == "var" else obj.text
            found_paths.append((var, f"{subject.text}{path}{obj.text}"))
        i = j
    if not found_paths:
        return None
    return prologue + "SELECT DISTINCT ", " ".join(dataset), found_paths, toks[close_i].start


def _sparql_term(term: object) -> str | None:
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return str(term)
    return None  # a blank node or a triple term: VALUES cannot say it


def anchor(store: ox.Store, text: str, options: dict[str, Any],
           base_iri: str | None = None) -> str | None:
    """The query with its anchored paths' values added, or None to run it as written."""
    if "*" not in text and "+" not in text:  # no repeated path: not worth tokenizing
        return None
    if unescape_codepoints(text) != text:  # left to the engine: its reading is the rule
        return None
    found = candidates(text)
    if found is None:
        return None
    select, dataset, paths, at = found
    blocks = []
    for var, triple in paths:
        pre = f"{select}{var} {dataset} WHERE {{ {triple} }} LIMIT {MAX_VALUES + 1}"
        try:
            result = store.query(pre, base_iri=base_iri, **options)
            rows = [row[0] for row in result] if isinstance(result, ox.QuerySolutions) else []
        except (SyntaxError, OSError, RuntimeError, ValueError):
            return None
        if len(rows) > MAX_VALUES:
            continue
        terms = [_sparql_term(t) for t in rows]
        if any(t is None for t in terms):
            continue
        blocks.append(f"VALUES {var} {{ {' '.join(sorted(terms))} }}")  # type: ignore[arg-type]
    if not blocks:
        return None
    return text[:at].rstrip() + " " + " ".join(blocks) + " " + text[at:]
