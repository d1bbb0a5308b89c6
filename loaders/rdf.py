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

from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from rdflib import Graph, Literal
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
