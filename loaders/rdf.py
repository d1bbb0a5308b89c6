"""The RDF of one source record: a light set of triples, cheaper than an rdflib ``Graph``.

A load builds hundreds of thousands of small graphs that are only validated and written out,
never queried. rdflib's ``Graph.add`` (several indexes, events, context handling) cost more
than the conversion itself; this container keeps the triples in an insertion-ordered set and
answers the few lookups converters and tests make with a scan. ``to_rdflib()`` gives a full
graph when one is wanted (the pyshacl fallback, isomorphism checks in tests).

>>> from rdflib import Literal, URIRef
>>> g = RecordGraph()
>>> s, p = URIRef("http://ex.org/s"), URIRef("http://ex.org/p")
>>> g.add((s, p, Literal("a"))); g.add((s, p, Literal("a")))
>>> len(g), (s, p, None) in g, g.value(s, p)
(1, True, rdflib.term.Literal('a'))
"""

from __future__ import annotations

import calendar
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
Pattern = tuple[Node | None, Node | None, Node | None]


class RecordGraph:
    """An insertion-ordered set of triples with the read API converters use."""

    __slots__ = ("_triples", "add")

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._triples: dict[Triple, None] = dict.fromkeys(triples)
        # ``add(triple)``: the dict's own setdefault (a C call; converters add millions)
        self.add: Callable[[Triple], object] = self._triples.setdefault

    @classmethod
    def of(cls, graph: Graph) -> RecordGraph:
        """The triples of an rdflib graph (its default context)."""
        return cls((s, p, o) for s, p, o in graph)

    def __iadd__(self, other: Iterable[Triple]) -> RecordGraph:
        self._triples.update(dict.fromkeys(other))
        return self

    def discard(self, triple: Triple) -> None:
        self._triples.pop(triple, None)

    def __len__(self) -> int:
        return len(self._triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __contains__(self, pattern: Pattern) -> bool:
        if None not in pattern:
            return pattern in self._triples
        return next(self.triples(pattern), None) is not None

    def triples(self, pattern: Pattern) -> Iterator[Triple]:
        s, p, o = pattern
        for t in self._triples:
            if (s is None or t[0] == s) and (p is None or t[1] == p) and (
                    o is None or t[2] == o):
                yield t

    def subjects(self, predicate: Node | None = None, obj: Node | None = None) -> Iterator[Node]:
        """Distinct subjects, in insertion order."""
        seen: dict[Node, None] = {}
        for t in self.triples((None, predicate, obj)):
            if t[0] not in seen:
                seen[t[0]] = None
                yield t[0]

    def objects(self, subject: Node | None = None, predicate: Node | None = None
                ) -> Iterator[Node]:
        for t in self.triples((subject, predicate, None)):
            yield t[2]

    def subject_objects(self, predicate: Node | None = None) -> Iterator[tuple[Node, Node]]:
        for t in self.triples((None, predicate, None)):
            yield t[0], t[2]

    def value(self, subject: Node | None = None, predicate: Node | None = None) -> Node | None:
        return next(self.objects(subject, predicate), None)

    def to_rdflib(self) -> Graph:
        g = Graph()
        for t in self._triples:
            g.add(t)
        return g


@lru_cache(maxsize=65536)
def plain(text: str, lang: str | None = None) -> Literal:
    """A plain or language-tagged literal, shared between records.

    Headings, holders, authority systems and identifiers repeat across thousands of notices,
    and building an rdflib Literal costs more than looking one up (literals are immutable).

    >>> plain("Manuscrits", "fr") is plain("Manuscrits", "fr")
    True
    """
    return Literal(text, lang=lang) if lang else Literal(text)


@lru_cache(maxsize=65536)
def typed(value: str | int, datatype: str | None = None) -> Literal:
    """A typed literal (a date, a year, a rank), shared between records like :func:`plain`.

    >>> typed("1900-01-01", "http://www.w3.org/2001/XMLSchema#date") is typed(
    ...     "1900-01-01", "http://www.w3.org/2001/XMLSchema#date")
    True
    """
    return Literal(value, datatype=datatype) if datatype else Literal(value)


def source_record(g: RecordGraph, src: Node, source_format: str, file: str, sha256: str,
                  identifier: str | None = None, oai_identifier: str | None = None,
                  oai_datestamp: str | None = None) -> None:
    """The description of a source record (the named graph's own IRI ``src``), the same for
    every format: what it is, which file, which digest, its identifiers."""
    from loaders.terms import COLLEX, DCTERMS, PROV, RDF

    g.add((src, RDF.type, PROV.Entity))
    g.add((src, RDF.type, COLLEX.SourceRecord))
    g.add((src, COLLEX.sourceFormat, plain(source_format)))
    g.add((src, COLLEX.fileName, plain(file)))
    g.add((src, COLLEX.sha256, plain(sha256)))
    if identifier:
        g.add((src, DCTERMS.identifier, plain(identifier)))
    if oai_identifier:
        g.add((src, COLLEX.oaiIdentifier, plain(oai_identifier)))
    if oai_datestamp:
        g.add((src, COLLEX.oaiDatestamp, plain(oai_datestamp)))


# ---------------------------------------------------------------- what a store accepts

# rdflib logs a stack trace when it cannot give a typed literal a Python value ("year 0 is
# out of range"); the literal itself is fine and ill-typed ones are refused below.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

_XSD = "http://www.w3.org/2001/XMLSchema#"
_TZ = r"(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"
_LEXICAL = {
    f"{_XSD}gYear": re.compile(rf"{_YEAR}{_TZ}"),
    f"{_XSD}gYearMonth": re.compile(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_TZ}"),
    f"{_XSD}date": re.compile(rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_TZ}"),
    f"{_XSD}dateTime": re.compile(rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
                                  rf"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?{_TZ}"),
    f"{_XSD}integer": re.compile(r"[+-]?\d+"),
    f"{_XSD}decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    f"{_XSD}double": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN"),
    f"{_XSD}boolean": re.compile(r"true|false|1|0"),
}
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


@lru_cache(maxsize=65536)
def iri_problem(iri: str) -> str | None:
    """Why a store would refuse ``iri`` (RFC 3987, checked by Oxigraph's own parser), or None.

    >>> iri_problem("http://ex.org/a"), iri_problem("http://[::1")
    (None, "not a valid IRI (Invalid character '[' in host)")
    """
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as exc:
        return f"not a valid IRI ({exc})"
    return None


def literal_problem(node: Literal) -> str | None:
    """Why ``node`` cannot be written as it is, or None.

    >>> literal_problem(Literal("1900-13-32", datatype=_XSD + "date"))
    "'1900-13-32' is not a valid xsd:date"
    >>> literal_problem(Literal("1900-02-29", datatype=_XSD + "date"))
    "'1900-02-29' is not a valid xsd:date"
    >>> literal_problem(Literal("2000-02-29", datatype=_XSD + "date")) is None
    True
    >>> literal_problem(Literal("12000-02-29", datatype=_XSD + "date")) is None
    True
    """
    text = str(node)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return f"{text[:60]!r} holds characters that are not Unicode text"
    datatype = node.datatype
    if datatype is not None:
        problem = _typed_problem(text, str(datatype))
        if problem is not None:
            return problem
    if node.language and not _LANG.fullmatch(node.language):
        return f"language tag {node.language[:20]!r} is not valid"
    return None


@lru_cache(maxsize=65536)  # dates and years repeat
def _typed_problem(text: str, datatype: str) -> str | None:
    pattern = _LEXICAL.get(datatype)
    if pattern is None:
        problem = iri_problem(datatype)
        return f"datatype {problem}" if problem else None
    m = pattern.fullmatch(text)
    short = datatype.replace(_XSD, "xsd:")
    if m is None:
        return f"{text[:60]!r} is not a valid {short}"
    if m.re.groups >= 3:  # a day: it must exist in its month
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        last = (29 if calendar.isleap(year) else 28) if month == 2 else _MONTH_DAYS[month]
        if day > last:
            return f"{text!r} is not a valid {short}"
    return None


def term_problem(node: Node) -> str | None:
    """Why ``node`` cannot be written to the store as it is, or None."""
    if isinstance(node, URIRef):
        return iri_problem(str(node))
    if isinstance(node, Literal):
        return literal_problem(node)
    return None


def drop_unwritable(g: RecordGraph) -> list[str]:
    """Remove from ``g`` the triples a store would refuse; return one message per kind of
    value dropped (with the first values): rejected values, the record loads without them.
    What ``validate`` accepts, ``load`` writes."""
    bad: dict[str, list[str]] = {}
    for t in list(g):
        for node in t:
            kind = type(node)
            if kind is URIRef:
                problem = iri_problem(node)  # cached: IRIs repeat
            elif kind is Literal:
                assert isinstance(node, Literal)
                if node.datatype is None and node.language is None:  # most literals
                    if node.isascii():
                        continue
                    try:
                        node.encode("utf-8")
                        continue
                    except UnicodeEncodeError:
                        pass
                problem = literal_problem(node)
            else:
                problem = term_problem(node)
            if problem is not None:
                g.discard(t)
                where = "subject" if node is t[0] else "predicate" if node is t[1] else str(t[1])
                bad.setdefault(where, []).append(problem)
                break
    return [f"{len(problems)} value(s) of {where} left out, the store would refuse them: "
            + "; ".join(dict.fromkeys(problems[:3])) for where, problems in bad.items()]
