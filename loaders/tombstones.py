"""Tombstones of deleted notices, and the OAI-PMH sets a collection belongs to.

When a load removes a notice (an OAI-PMH record the source marks deleted), the collection's
description goes, but aggregators that harvest our own OAI-PMH provider (``api/oai.py``) must
learn of the deletion on their next incremental harvest: the provider declares
``deletedRecord=persistent``. So the same write leaves a tombstone, in its own named graph
``{base}graph/tombstone/{source}/{key}`` (the notice's graph ``{base}graph/{source}/{key}``
with ``tombstone/`` inserted)::

    <{base}graph/tombstone/ead/k> a collex:Tombstone ;
        collex:tombstoneOf <{base}id/collection/k> ;
        prov:invalidatedAtTime "2026-11-30T10:00:00+00:00"^^xsd:dateTime ;
        collex:oaiSetSpec "institution:FR-751052116" .

A tombstone is removed when a notice of the same graph is loaded again. Deletions made
through the Graph Store Protocol or SPARQL Update do not leave one (they are raw store edits).

>>> tombstone_graph("http://ex.org/", "http://ex.org/graph/ead/k")
'http://ex.org/graph/tombstone/ead/k'
>>> tombstone_graph("http://ex.org/", "http://ex.org/graph/lists/labels/k") is None
True
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph.base import ReadStore
from loaders.terms import COLLEX
from ontology import PROV, SPARQL_PREFIXES

NOTICE_SOURCES = ("ead", "dc")  # graphs whose records are collection notices
DISCIPLINES = "https://w3id.org/collex/disciplines/"
# OAI-PMH setSpec: setSpecType in OAI-PMH.xsd, a part between colons
_SET_PART = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")


def tombstone_graph(base: str, graph: str) -> str | None:
    """The tombstone graph of a notice graph (``None`` for graphs that are not notices)."""
    rest = graph.removeprefix(f"{base}graph/")
    if rest == graph or rest.split("/", 1)[0] not in NOTICE_SOURCES:
        return None
    return f"{base}graph/tombstone/{rest}"


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def set_specs(reader: ReadStore, base: str, collections: Iterable[str]) -> dict[str, list[str]]:
    """The OAI-PMH sets of each collection: ``institution:{ISIL}`` (its holder),
    ``network:{id}`` (the thematic networks it is a member of), ``discipline:{code}`` (its
    CollEx label's disciplines). Values that are not valid setSpec parts are left out."""
    iris = [c for c in dict.fromkeys(collections) if "<" not in c and ">" not in c]
    out: dict[str, list[str]] = defaultdict(list)
    if not iris:
        return out
    prefixes = {"institution": f"{base}id/institution/", "network": f"{base}id/network/",
                "discipline": DISCIPLINES}
    values = " ".join(f"<{c}>" for c in iris)
    rows = reader.select(SPARQL_PREFIXES + f"""
        SELECT DISTINCT ?c ?kind ?v WHERE {{ VALUES ?c {{ {values} }}
          {{ ?c rico:hasOrHadHolder ?v BIND("institution" AS ?kind) }}
          UNION {{ ?v collex:hasMember ?c ; a collex:ThematicNetwork BIND("network" AS ?kind) }}
          UNION {{ ?c collex:discipline ?v BIND("discipline" AS ?kind) }} }}""")
    for r in rows:
        kind, value = _v(r, "kind"), _v(r, "v")
        part = value.removeprefix(prefixes[kind])
        if part != value and _SET_PART.fullmatch(part):
            out[_v(r, "c")].append(f"{kind}:{part}")
    for specs in out.values():
        specs.sort()
    return out


def existing(reader: ReadStore, base: str) -> set[str]:
    """The tombstone graphs in the store."""
    return {_v(r, "t") for r in reader.select(
        f"SELECT ?t WHERE {{ GRAPH ?t {{ ?t a <{COLLEX.Tombstone}> }}"
        f' FILTER(STRSTARTS(STR(?t), "{base}graph/tombstone/")) }}')}


def tombstones(reader: ReadStore, base: str, graphs: Iterable[str], when: Literal
               ) -> list[tuple[str, list[tuple[Node, Node, Node]]]]:
    """The tombstones of the notice graphs ``graphs`` about to be removed (read from the
    store before the write: the collection each describes and its sets). A graph that holds
    no collection (never loaded) gets none."""
    wanted = {g: t for g in dict.fromkeys(graphs) if (t := tombstone_graph(base, g))}
    if not wanted:
        return []
    values = " ".join(f"<{g}>" for g in wanted if "<" not in g and ">" not in g)
    held: dict[str, str] = {}
    for r in reader.select(SPARQL_PREFIXES + f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }}"
                           " GRAPH ?g { ?c a dcmitype:Collection } }"):
        held.setdefault(_v(r, "g"), _v(r, "c"))
    sets = set_specs(reader, base, held.values())
    out = []
    for graph, collection in held.items():
        node = URIRef(wanted[graph])
        triples: list[tuple[Node, Node, Node]] = [
            (node, RDF.type, COLLEX.Tombstone), (node, COLLEX.tombstoneOf, URIRef(collection)),
            (node, PROV.invalidatedAtTime, when)]
        triples += [(node, COLLEX.oaiSetSpec, Literal(s)) for s in sets.get(collection, [])]
        out.append((wanted[graph], triples))
    return out
