"""One fact, one place: shared entities described once, in a graph of their own.

A notice describes its own resources (its collection, components, periods, its source record)
and links to shared entities: institutions, persons, bodies, places, concepts, digital
objects. What a source says *about* a shared entity (its type, the name it writes, the
identifier it gives) is not written into the source's graph as statements about the entity:
that would put the same statement in every graph of every notice citing it, and the union
default graph would answer it once per notice (measured: "Lyon holds 20 collections" for 4).
Instead the source's graph keeps a **mention** (``{graph}#m-{hash}``, a ``collex:Mention``
that ``collex:mentions`` the entity and carries what this source says: the same properties,
``rdf:type`` written ``collex:mentionType``), and the entity's own description lives in
``{base}graph/entity/{hash}``: the union of what all its mentions say, minus what an authority
record already states (an IdRef or EAC-CPF record, the institutions list), so that every
statement has exactly one home. An entity that no source mentions any more loses its graph.

The entity graphs are computed during the load, from this load's mentions and those already
in the store, and written in the same atomic store operation as the records.

>>> from rdflib import Literal, URIRef
>>> from loaders.rdf import RecordGraph
>>> from loaders.terms import FOAF, RDF
>>> g = RecordGraph()
>>> c, p = URIRef("http://ex.org/id/collection/1"), URIRef("http://ex.org/id/agent/x")
>>> g.add((c, URIRef("http://purl.org/dc/terms/subject"), p))
>>> g.add((p, RDF.type, FOAF.Person)); g.add((p, FOAF.name, Literal("X")))
>>> ledger = EntityLedger("http://ex.org/")
>>> out = ledger.split("http://ex.org/graph/ead/1", g, ("http://ex.org/id/collection/1",), False)
>>> sorted(str(t[1]).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for t in out)
['mentionType', 'mentions', 'name', 'subject', 'type']
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from graph.ntriples import term
from loaders.terms import COLLEX, FOAF, RDF, RDFS, SKOS

Triple = tuple[Node, Node, Node]
MENTION = COLLEX.Mention
MENTIONS = COLLEX.mentions
MENTION_TYPE = COLLEX.mentionType
_CHUNK = 200
NAMES = (FOAF.name, SKOS.prefLabel, RDFS.label)


def describe(entity: Node, said: Counter[tuple[Node, Node]],
             stated: set[tuple[Node, Node]]) -> list[Triple]:
    """The shared description of ``entity``: what its mentions say (``said``, with how many
    records say it), less what authority records already state (``stated``). Each naming
    property keeps one value, the one most records write (an authority's own name wins);
    the other names become ``skos:altLabel``.

    >>> from rdflib import Literal, URIRef
    >>> e = URIRef("http://ex.org/id/agent/x")
    >>> said = Counter({(FOAF.name, Literal("Hugo, V.")): 1, (FOAF.name, Literal("Hugo")): 3})
    >>> [(str(p).rsplit("/", 1)[-1], str(o)) for _, p, o in describe(e, said, set())]
    [('core#altLabel', 'Hugo, V.'), ('name', 'Hugo')]
    """
    chosen: dict[Node, Node] = {}
    for prop in NAMES:
        if any(p == prop for p, _ in stated):
            continue  # the authority names it: the mentions' names are variants
        best = sorted(((-n, str(o), o) for (p, o), n in said.items() if p == prop),
                      key=lambda x: (x[0], x[1]))
        if best:
            chosen[prop] = best[0][2]
    facts: set[tuple[Node, Node]] = set()
    for p, o in said:
        if p in NAMES and chosen.get(p) != o:
            facts.add((SKOS.altLabel, o))
        else:
            facts.add((p, o))
    names = {o for p, o in stated if p in NAMES} | set(chosen.values())
    return [(entity, p, o) for p, o in sorted(facts, key=lambda po: (str(po[0]), str(po[1])))
            if (p, o) not in stated and not (p == SKOS.altLabel and o in names)]


def entity_graph(base: str, entity: str) -> str:
    """The named graph holding the shared description of ``entity``.

    >>> entity_graph("http://ex.org/", "http://www.idref.fr/027058352/id")
    'http://ex.org/graph/entity/13326c97865689a2'
    """
    return f"{base}graph/entity/{_digest(entity)}"


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def rdflib_term(term: Any) -> Node:
    """The rdflib term of a pyoxigraph term from a store answer (equal and hashed the same as
    the converters' terms).

    >>> rdflib_term(ox.Literal("x", language="fr")), rdflib_term(ox.NamedNode("http://e.org/"))
    (rdflib.term.Literal('x', lang='fr'), rdflib.term.URIRef('http://e.org/'))
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == _XSD_STRING else Literal(term.value,
                                                                    datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return URIRef(str(term))


def _pairs(forms: list[str]) -> set[tuple[Node, Node]]:
    """The (predicate, object) terms of "p o" N-Triples texts."""
    if not forms:
        return set()
    text = "".join(f"<urn:s> {f} .\n" for f in forms)
    return {(rdflib_term(q.predicate), rdflib_term(q.object))
            for q in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)}


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def _owned(subject: str, roots: Sequence[str]) -> bool:
    return any(subject == r or subject.startswith((r + "/", r + "#")) for r in roots)


class EntityLedger:
    """Collects, over one load, what each record says about shared entities, and computes
    the entity graphs to write with the records."""

    def __init__(self, base: str) -> None:
        self.base = base
        # entity -> (p, o) -> how many records of this load say it
        self.said: dict[Node, Counter[tuple[Node, Node]]] = defaultdict(Counter)
        # what the authority records of this load state, by subject
        # (N-Triples text of "p o", compact: a list of 100,000 institutions or a million
        # authorities is held as strings, turned back into terms for the entities computed)
        self.authority: dict[Node, list[str]] = defaultdict(list)
        self.touched: set[str] = set()  # graphs written or removed by this load
        # what the graph being split has said already: a record written in parts (a large
        # notice) counts each of its facts once, as a record split whole does
        self._graph: str | None = None
        self._counted: set[tuple[Node, Node, Node]] = set()

    def split(self, graph: str, triples: Iterable[Triple], own: Sequence[str] | None,
              authority: bool) -> list[Triple]:
        """What to write in ``graph``: the record's own triples, and a mention per shared
        entity in place of the statements about it. ``own`` are the IRIs the record owns
        (with what hangs under them: ``/...``, ``#...``); None: it owns everything."""
        self.touched.add(graph)
        if graph != self._graph:
            self._graph, self._counted = graph, set()
        if own is None:
            out = list(triples)
            if authority:
                source = URIRef(graph)  # the source record's own description: no entity
                for t in out:
                    if t[0] != source:
                        self.authority[t[0]].append(f"{term(t[1])} {term(t[2])}")
            return out
        out = []
        main = URIRef(own[0])
        foreign: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        decided: dict[Node, bool] = {}
        for t in triples:
            s = t[0]
            mine = decided.get(s)
            if mine is None:
                mine = decided[s] = not isinstance(s, URIRef) or _owned(str(s), own)
            if mine:
                out.append(t)
                if authority and s == main:
                    self.authority[s].append(f"{term(t[1])} {term(t[2])}")
            else:
                foreign[s].append((t[1], t[2]))
        for entity, pairs in foreign.items():
            mention = URIRef(f"{graph}#m-{_digest(str(entity))}")
            out.append((mention, RDF.type, MENTION))
            out.append((mention, MENTIONS, entity))
            said = self.said[entity]
            counted = self._counted
            for p, o in dict.fromkeys(pairs):
                out.append((mention, MENTION_TYPE if p == RDF.type else p, o))
                if (entity, p, o) not in counted:
                    counted.add((entity, p, o))
                    said[(p, o)] += 1
        return out

    def removed(self, graph: str) -> None:
        """A graph this load deletes."""
        self.touched.add(graph)

    def entity_graphs(self, store: Any, fresh: bool = False, mentions_before: bool = True
                      ) -> Iterator[tuple[str, list[Triple]]]:
        """(entity graph, its new content; empty: remove it) for every entity whose
        description may change: mentioned by a written record, by the former version of a
        rewritten or removed one, or described by an authority record of this load. Yielded
        a chunk of entities at a time: memory holds one chunk's mentions, as counts.
        ``mentions_before``: whether the store held any mention before this load; when it
        held none, every mention it holds now is this load's own (streamed in as it went), and
        the mentions of other records are not queried (at S, a fifth of a first EAD load
        after the authorities went to reading this load's own mentions back, to skip them)."""
        affected: set[Node] = set(self.said)
        if fresh:  # the store held nothing before this load: what it says is all there is
            return self._compute(None, affected)
        touched = sorted(self.touched)
        for i in range(0, len(touched), _CHUNK):  # what the former versions mentioned
            values = " ".join(f"<{g}>" for g in touched[i:i + _CHUNK])
            for row in store.iter_select(f"SELECT DISTINCT ?e WHERE {{ VALUES ?g {{ {values} }}"
                                    f" GRAPH ?g {{ ?m <{MENTIONS}> ?e }} }}"):
                affected.add(rdflib_term(row["e"]))
        existing = self._existing_entity_graphs(store, set(self.authority) - affected)
        return self._compute(store, affected | existing, mentions=mentions_before)

    def rebuild_all(self, store: Any) -> Iterator[tuple[str, list[Triple]]]:
        """Every entity graph recomputed from the mentions and authorities in the store
        (after a write that did not finish: see ``loaders.derived.state.ensure``)."""
        entities = {rdflib_term(r["e"]) for r in store.iter_select(
            f"SELECT DISTINCT ?e WHERE {{ ?m <{MENTIONS}> ?e }}")}
        entities |= {rdflib_term(r["s"]) for r in store.iter_select(
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o }"
            f' FILTER(STRSTARTS(STR(?g), "{self.base}graph/entity/")) }}')}
        return self._compute(store, entities)

    def _compute(self, store: Any, affected: set[Node], mentions: bool = True
                 ) -> Iterator[tuple[str, list[Triple]]]:
        ordered = sorted(affected, key=str)
        del affected
        for i in range(0, len(ordered), _CHUNK):
            chunk = [e for e in ordered[i:i + _CHUNK] if isinstance(e, URIRef)]
            if not chunk:
                continue
            said: dict[Node, Counter[tuple[Node, Node]]] = {
                e: Counter(self.said.get(e, Counter())) for e in chunk}
            stated: dict[Node, set[tuple[Node, Node]]] = defaultdict(set)
            values = " ".join(f"<{e}>" for e in chunk)
            # what the other records in the store say about these entities: an institution
            # named by every notice answers a row per notice, counted as they stream by
            terms: dict[Any, Node] = {}
            # The mentions in the graphs this load does not write (those it wrote, or streamed
            # into the store as it went, are skipped). One pattern with the entities bound:
            # naming the graphs too (VALUES ?g) made Oxigraph 0.5 about 60 times slower a row
            # (measured: 110,000 mention rows of 2 entities over 10,000 notices, 42 s against
            # 0.7 s), more than the rows of the graphs skipped cost.
            touched = self.touched
            for row in [] if store is None or not mentions else store.iter_select(
                    f"SELECT ?g ?e ?p ?o WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{"
                    f" ?m <{MENTIONS}> ?e ; ?p ?o }} }}"):
                if row["g"].value in touched:
                    continue
                p, o = _term(terms, row["p"]), _term(terms, row["o"])
                if p == MENTIONS or (p == RDF.type and o == MENTION):
                    continue
                said[_term(terms, row["e"])][(RDF.type if p == MENTION_TYPE else p, o)] += 1
            # what authority records in the store state about them (not to be repeated)
            for row in [] if store is None else store.iter_select(
                    f"SELECT ?e ?g ?p ?o WHERE {{ VALUES ?e {{ {values} }} GRAPH ?g {{"
                    " ?e ?p ?o } }"):
                g = row["g"].value
                if g in self.touched or g.startswith(f"{self.base}graph/entity/"):
                    continue
                stated[rdflib_term(row["e"])].add((rdflib_term(row["p"]),
                                                   rdflib_term(row["o"])))
            for e in chunk:
                facts = stated[e] | _pairs(self.authority.get(e, []))
                yield entity_graph(self.base, str(e)), describe(e, said[e], facts)

    def _existing_entity_graphs(self, store: Any, subjects: set[Node]) -> set[Node]:
        """Those of ``subjects`` that have an entity graph in the store."""
        found: set[Node] = set()
        ordered = sorted((s for s in subjects if isinstance(s, URIRef)), key=str)
        for i in range(0, len(ordered), _CHUNK):
            chunk = ordered[i:i + _CHUNK]
            by_graph = {entity_graph(self.base, str(e)): e for e in chunk}
            values = " ".join(f"<{g}>" for g in by_graph)
            for row in store.iter_select(f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }}"
                                    " GRAPH ?g { ?s ?p ?o } }"):
                found.add(by_graph[row["g"].value])
        return found


def _term(seen: dict[Any, Node], term: Any) -> Node:
    """``rdflib_term``, converting each distinct store term once (a chunk's rows repeat the
    same few properties and values)."""
    out = seen.get(term)
    if out is None:
        out = seen[term] = rdflib_term(term)
    return out
