"""What the store remembers of each harvested repository: its provenance graph.

Each source (a ``[[source]]`` of the sources file, or a URL harvested alone) has the named
graph ``{COLLEX_BASE_IRI}graph/provenance/harvest/{key}`` describing the node
``{COLLEX_BASE_IRI}id/harvest/{key}`` (a ``collex:HarvestSource``: URL, metadata prefix,
set, the repository's granularity and deleted-record policy) and up to three harvests, each a
``prov:Activity``:

- ``collex:currentHarvest``, while one is under way: the checkpoint. It is written in the
  same write as the page it follows (all or nothing with it), so a harvest killed at any
  point resumes after the last page the store holds, with the resumption token that page
  gave;
- ``collex:lastHarvest``, the last one that ended (``complete`` or ``failed``, with the
  error);
- ``collex:lastCompleteHarvest``, the last complete one, whose first answer's
  ``responseDate`` gives the ``from`` of the next incremental harvest (``collex:nextFrom``).

Counts per harvest: records added, updated, unchanged, deleted, rejected; pages; the latest
datestamp met (``collex:datestampReached``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.base import ReadStore
from loaders.terms import COLLEX, DCTERMS, PROV, RDF, RDFS, XSD
from loaders.text import safe_segment

GRAPH_PATH = "graph/provenance/harvest/"
NODE_PATH = "id/harvest/"


@dataclass
class Run:
    """One harvest of a source: what it asked, where it is, what it did."""

    started: str  # xsd:dateTime, UTC
    from_: str | None = None
    until: str | None = None
    ended: str | None = None
    outcome: str = "running"  # running | complete | failed
    error: str | None = None
    pages: int = 0
    records: int = 0  # record elements read, deletions included
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    token: str | None = None  # the resumption token of the next page (checkpoint)
    first_response_date: str | None = None
    datestamp_reached: str | None = None
    next_from: str | None = None  # complete harvests: the next incremental harvest's from


# field -> (predicate, datatype or None for a plain string)
_RUN_FIELDS: dict[str, tuple[URIRef, URIRef | None]] = {
    "started": (PROV.startedAtTime, XSD.dateTime),
    "ended": (PROV.endedAtTime, XSD.dateTime),
    "from_": (COLLEX.harvestFrom, None),
    "until": (COLLEX.harvestUntil, None),
    "outcome": (COLLEX.harvestOutcome, None),
    "error": (COLLEX.harvestError, None),
    "pages": (COLLEX.pagesHarvested, XSD.integer),
    "records": (COLLEX.recordsRead, XSD.integer),
    "added": (COLLEX.recordsAdded, XSD.integer),
    "updated": (COLLEX.recordsUpdated, XSD.integer),
    "unchanged": (COLLEX.recordsUnchanged, XSD.integer),
    "deleted": (COLLEX.recordsDeleted, XSD.integer),
    "rejected": (COLLEX.recordsRejected, XSD.integer),
    "token": (COLLEX.resumptionToken, None),
    "first_response_date": (COLLEX.firstResponseDate, None),
    "datestamp_reached": (COLLEX.datestampReached, None),
    "next_from": (COLLEX.nextFrom, None),
}
_ROLES = {"current": COLLEX.currentHarvest, "last": COLLEX.lastHarvest,
          "complete": COLLEX.lastCompleteHarvest}


@dataclass
class HarvestState:
    """A source as the store knows it."""

    key: str
    url: str
    prefix: str
    set_spec: str | None = None
    kind: str = "ead"
    name: str | None = None
    institution: str | None = None  # ISIL or RCR
    granularity: str | None = None
    deleted_record: str | None = None
    current: Run | None = None
    last: Run | None = None
    complete: Run | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out.pop("extra")
        for role in _ROLES:
            run = out.get(role)
            if run is not None:
                run["from"] = run.pop("from_")
        return out


def state_graph(base: str, key: str) -> str:
    return f"{base}{GRAPH_PATH}{safe_segment(key)}"


def state_node(base: str, key: str) -> str:
    return f"{base}{NODE_PATH}{safe_segment(key)}"


def state_triples(base: str, state: HarvestState) -> list[tuple[Node, Node, Node]]:
    node = URIRef(state_node(base, state.key))
    out: list[tuple[Node, Node, Node]] = [
        (node, RDF.type, COLLEX.HarvestSource),
        (node, DCTERMS.identifier, Literal(state.key)),
        (node, COLLEX.oaiRepository, URIRef(state.url)),
        (node, COLLEX.metadataPrefix, Literal(state.prefix)),
        (node, COLLEX.sourceKind, Literal(state.kind)),
    ]
    for value, predicate in ((state.set_spec, COLLEX.oaiSet), (state.name, RDFS.label),
                             (state.granularity, COLLEX.oaiGranularity),
                             (state.deleted_record, COLLEX.oaiDeletedRecord)):
        if value:
            out.append((node, predicate, Literal(value)))
    if state.institution:
        isil = (f"FR-{state.institution}" if state.institution[:1].isdigit()
                else state.institution)  # an RCR is the French ISIL's number
        out.append((node, DCTERMS.publisher,
                    URIRef(f"{base}id/institution/{safe_segment(isil)}")))
    for role, predicate in _ROLES.items():
        run: Run | None = getattr(state, role)
        if run is None:
            continue
        activity = URIRef(f"{node}#{role}")
        out += [(node, predicate, activity), (activity, RDF.type, PROV.Activity),
                (activity, PROV.used, node)]
        for name, (prop, datatype) in _RUN_FIELDS.items():
            value = getattr(run, name)
            if value is None:
                continue
            out.append((activity, prop, Literal(value, datatype=datatype) if datatype
                        else Literal(str(value))))
    return out


_QUERY = """SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "%s")) }"""


def read_states(store: ReadStore, base: str, key: str | None = None) -> list[HarvestState]:
    """The sources the store knows (only ``key``'s when given), by key."""
    prefix = state_graph(base, key) if key is not None else f"{base}{GRAPH_PATH}"
    by_graph: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for row in store.select(_QUERY % prefix.replace('"', "")):
        graph = str(getattr(row["g"], "value", ""))
        if key is not None and graph != prefix:
            continue
        subject = str(getattr(row["s"], "value", ""))
        predicate = str(getattr(row["p"], "value", ""))
        by_graph.setdefault(graph, {}).setdefault(subject, {}).setdefault(
            predicate, []).append(getattr(row["o"], "value", None))
    states = []
    for _graph, subjects in sorted(by_graph.items()):
        state = _state_of(subjects)
        if state is not None:
            states.append(state)
    return sorted(states, key=lambda s: s.key)


def _state_of(subjects: dict[str, dict[str, list[Any]]]) -> HarvestState | None:
    def one(props: dict[str, list[Any]], predicate: URIRef) -> str | None:
        values = props.get(str(predicate))
        return str(values[0]) if values else None

    node = next((s for s, props in subjects.items()
                 if str(COLLEX.HarvestSource) in (props.get(str(RDF.type)) or [])), None)
    if node is None:
        return None
    props = subjects[node]
    state = HarvestState(
        key=one(props, DCTERMS.identifier) or node.rsplit("/", 1)[-1],
        url=one(props, COLLEX.oaiRepository) or "",
        prefix=one(props, COLLEX.metadataPrefix) or "",
        set_spec=one(props, COLLEX.oaiSet),
        kind=one(props, COLLEX.sourceKind) or "ead",
        name=one(props, RDFS.label),
        institution=_institution(one(props, DCTERMS.publisher)),
        granularity=one(props, COLLEX.oaiGranularity),
        deleted_record=one(props, COLLEX.oaiDeletedRecord),
    )
    for role, predicate in _ROLES.items():
        activity = one(props, predicate)
        if activity is None or activity not in subjects:
            continue
        values = subjects[activity]
        run = Run(started=one(values, PROV.startedAtTime) or "")
        for name, (prop, datatype) in _RUN_FIELDS.items():
            value = one(values, prop)
            if value is None:
                continue
            setattr(run, name, int(value) if datatype == XSD.integer else value)
        setattr(state, role, run)
    return state


def _institution(iri: str | None) -> str | None:
    """The ISIL an institution IRI ends with."""
    return iri.rsplit("/", 1)[-1] if iri else None
