"""Related collections: pairs of collections that share IdRef subjects (also through RAMEAU
broader/narrower), agents, places or periods, with a score and the shared entities as the
explanation. Written to the named graph ``{base}graph/derived/related``.

Scoring (documented in the README):
- each shared entity contributes ``weight x rarity``: subject linked to IdRef 3, other subject
  2, agent (person, body, family) 2, place 2, subject one step apart in the RAMEAU hierarchy
  (skos:broader/narrower) 1.5; ``rarity = 1 + ln(N / n)`` where N is the number of
  collections and n the number citing the entity (a rare shared subject says more than a
  common one); entities cited by more than 50 collections are ignored;
- periods overlapping over at least half of the shorter one add 1, only for pairs that
  already share an entity;
- pairs scoring 2 or more are kept, at most the 10 best per collection.

Each pair says why twice: ``collex:explanation`` for curators (kinds and contributions) and
``rdfs:comment`` in words, French and English ("Partagent le sujet IdRef « Géopolitique » et la
période 1850–1900.").
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from graph.base import ReadStore, WriteStore
from graph.common import entity_kinds
from graph.spool import QuadSpool
from ontology import COLLEX

WEIGHTS = {"subject-idref": 3.0, "subject": 2.0, "agent": 2.0, "place": 2.0,
           "hierarchy": 1.5, "period": 1.0}
THRESHOLD = 2.0
TOP_PER_COLLECTION = 10
MAX_CITING = 50
_LABELS = ("SELECT ?e ?l WHERE { { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
           " UNION { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
           " UNION { ?e <http://xmlns.com/foaf/0.1/name> ?l } }")


@dataclass
class Shared:
    entity: str
    label: str
    kind: str
    contribution: float


@dataclass
class Relation:
    a: str
    b: str
    shared: list[Shared] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(s.contribution for s in self.shared), 2)

    def explanation(self) -> str:
        parts = [f"{s.label} ({s.kind}, +{s.contribution:.2f})"
                 for s in sorted(self.shared, key=lambda s: (-s.contribution, s.label))]
        return "; ".join(parts)

    def reason(self, lang: str = "fr") -> str:
        """What the two share, in words (``rdfs:comment``), strongest first.

        >>> r = Relation("a", "b", [Shared("s", "Géopolitique", "subject-idref", 7.3),
        ...                         Shared("p", "1850-1900", "period", 1.0)])
        >>> r.reason("fr")
        'Partagent le sujet IdRef « Géopolitique » et la période 1850–1900.'
        >>> r.reason("en")
        'Share the IdRef subject “Géopolitique” and the period 1850–1900.'
        >>> Relation("a", "b", [Shared("p", "1865-1865", "period", 1.0)]).reason("fr")
        'Partagent l’année 1865.'
        """
        by_kind: dict[str, list[Shared]] = defaultdict(list)
        for s in sorted(self.shared, key=lambda s: (-s.contribution, s.label)):
            by_kind[s.kind].append(s)
        fr = lang == "fr"

        def q(x: str) -> str:
            return f"« {x} »" if fr else f"“{x}”"

        parts = []
        for kind in sorted(by_kind, key=lambda k: -max(s.contribution for s in by_kind[k])):
            items = by_kind[kind]
            if kind == "period":
                first, _, last = items[0].label.partition("-")
                parts.append(f"{'l’année' if fr else 'the year'} {first}" if first == last
                             else f"{'la période' if fr else 'the period'} {first}–{last}")
                continue
            if kind == "hierarchy":
                pairs = [s.label.split(" < ", 1) for s in items]
                names = [f"{q(n)} ({'plus précis que' if fr else 'narrower than'} {q(b)})"
                         for n, b in pairs]
            else:
                names = [q(s.label) for s in items]
            one, many = _KIND_WORDS[kind][0 if fr else 1]
            parts.append(f"{one if len(names) == 1 else many} {_and(names, fr)}")
        return ("Partagent " if fr else "Share ") + _and(parts, fr) + "."


_KIND_WORDS = {  # kind: ((French one, many), (English one, many))
    "subject-idref": (("le sujet IdRef", "les sujets IdRef"),
                      ("the IdRef subject", "the IdRef subjects")),
    "subject": (("le sujet", "les sujets"), ("the subject", "the subjects")),
    "agent": (("la personne ou collectivité", "les personnes ou collectivités"),
              ("the person or body", "the persons or bodies")),
    "place": (("le lieu", "les lieux"), ("the place", "the places")),
    "hierarchy": (("le sujet voisin dans RAMEAU", "les sujets voisins dans RAMEAU"),
                  ("the neighbouring RAMEAU subject", "the neighbouring RAMEAU subjects")),
}


def _and(items: list[str], fr: bool) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" et " if fr else " and ") + items[-1]


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def _kind(entity: str, types: set[str]) -> str | None:
    idref = entity.startswith("http://www.idref.fr/")
    if types & {"http://xmlns.com/foaf/0.1/Person", "http://xmlns.com/foaf/0.1/Organization",
                "https://www.ica.org/standards/RiC/ontology#Family",
                "http://xmlns.com/foaf/0.1/Agent"}:
        return "agent"
    if "http://purl.org/dc/terms/Location" in types:
        return "place"
    if "http://www.w3.org/2004/02/skos/core#Concept" in types:
        return "subject-idref" if idref else "subject"
    return None


def compute(reader: ReadStore) -> list[Relation]:
    """Every related pair with its explanation, in a stable order."""
    citing: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    # Three simple queries joined here: one big join with label alternatives is slow.
    values = ("VALUES ?p { <http://purl.org/dc/terms/subject> <http://purl.org/dc/terms/creator>"
              " <http://purl.org/dc/terms/spatial>"
              " <https://www.ica.org/standards/RiC/ontology#hasOrganicProvenance> }")
    for row in reader.iter_select(f"SELECT ?c ?e WHERE {{ {values} ?c ?p ?e . ?c a "
                                  "<http://purl.org/dc/dcmitype/Collection> }"):
        citing[_v(row, "e")].add(_v(row, "c"))
    types = entity_kinds(reader)
    for row in reader.iter_select(_LABELS):  # a row per dated component too: streamed
        if _v(row, "e") in citing:
            labels.setdefault(_v(row, "e"), _v(row, "l"))
    for e in citing:
        labels.setdefault(e, e)
    n_collections = len({c for cs in citing.values() for c in cs}) or 1
    pairs: dict[tuple[str, str], Relation] = {}

    def add(a: str, b: str, shared: Shared) -> None:
        key = (a, b) if a < b else (b, a)
        rel = pairs.setdefault(key, Relation(*key))
        if all(s.entity != shared.entity or s.kind != shared.kind for s in rel.shared):
            rel.shared.append(shared)

    def rarity(n: int) -> float:
        return 1.0 + math.log(n_collections / n)

    for e, colls in citing.items():
        kind = _kind(e, types[e])
        if kind is None or len(colls) < 2 or len(colls) > MAX_CITING:
            continue
        contribution = round(WEIGHTS[kind] * rarity(len(colls)), 2)
        ordered = sorted(colls)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                add(a, b, Shared(e, labels[e], kind, contribution))
    for row in reader.iter_select(
        "SELECT DISTINCT ?narrow ?broad WHERE {"
        " { ?narrow <http://www.w3.org/2004/02/skos/core#broader> ?broad } UNION"
        " { ?broad <http://www.w3.org/2004/02/skos/core#narrower> ?narrow } }"
    ):
        narrow, broad = _v(row, "narrow"), _v(row, "broad")
        ca, cb = citing.get(narrow, set()), citing.get(broad, set())
        if not ca or not cb or len(ca) > MAX_CITING or len(cb) > MAX_CITING:
            continue
        contribution = round(WEIGHTS["hierarchy"] * rarity(max(len(ca), len(cb))), 2)
        label = f"{labels.get(narrow, narrow)} < {labels.get(broad, broad)}"
        for a in sorted(ca):
            for b in sorted(cb):
                if a != b:
                    add(a, b, Shared(f"{narrow} {broad}", label, "hierarchy", contribution))
    periods: dict[str, tuple[str, str]] = {}
    for row in reader.iter_select(
        "SELECT ?c (MIN(?s) AS ?start) (MAX(?e) AS ?end) WHERE { ?c a"
        " <http://purl.org/dc/dcmitype/Collection> ; <http://purl.org/dc/terms/temporal> ?p ."
        " ?p <http://www.w3.org/ns/dcat#startDate> ?s ; <http://www.w3.org/ns/dcat#endDate> ?e"
        " } GROUP BY ?c"
    ):
        periods[_v(row, "c")] = (_v(row, "start"), _v(row, "end"))
    for (a, b), rel in pairs.items():
        if a in periods and b in periods:
            (s1, e1), (s2, e2) = periods[a], periods[b]
            overlap = _days(max(s1, s2), min(e1, e2))
            shorter = min(_days(s1, e1), _days(s2, e2))
            if overlap > 0 and shorter > 0 and overlap / shorter >= 0.5:
                rel.shared.append(Shared("period", f"{max(s1, s2)[:4]}-{min(e1, e2)[:4]}",
                                         "period", WEIGHTS["period"]))
    related = sorted((r for r in pairs.values() if r.score >= THRESHOLD),
                     key=lambda r: (-r.score, r.a, r.b))
    # Keep, for each collection, its TOP_PER_COLLECTION best relations (a relation stays when
    # it is among the best of either end): bounded graph size, the strongest reasons kept.
    kept: dict[str, int] = defaultdict(int)
    out = []
    for r in related:
        if kept[r.a] < TOP_PER_COLLECTION or kept[r.b] < TOP_PER_COLLECTION:
            kept[r.a] += 1
            kept[r.b] += 1
            out.append(r)
    return out


def _days(start: str, end: str) -> int:
    import datetime as dt

    try:
        return (dt.date.fromisoformat(end[:10]) - dt.date.fromisoformat(start[:10])).days + 1
    except ValueError:
        return 0


def write(store: WriteStore, base: str, relations: list[Relation],
          version: str | None = None) -> int:
    """Replace the related-collections graph; returns its number of triples. ``version``:
    the data version it was computed from, recorded in the graph."""
    graph = f"{base}graph/derived/related"
    triples: list[tuple[Node, Node, Node]] = []
    if version is not None:
        triples.append((URIRef(graph), COLLEX.derivedFrom, Literal(version)))
    for r in relations:
        node = URIRef(f"{base}id/related/" + hashlib.sha1(
            f"{r.a}|{r.b}".encode(), usedforsecurity=False).hexdigest()[:16])
        a, b = URIRef(r.a), URIRef(r.b)
        triples += [(node, RDF.type, COLLEX.Relatedness), (node, COLLEX.relates, a),
                    (node, COLLEX.relates, b),
                    (node, COLLEX.score, Literal(f"{r.score:.2f}", datatype=XSD.decimal)),
                    (node, COLLEX.explanation, Literal(r.explanation())),
                    (node, RDFS.comment, Literal(r.reason("fr"), lang="fr")),
                    (node, RDFS.comment, Literal(r.reason("en"), lang="en")),
                    (a, COLLEX.relatedCollection, b), (b, COLLEX.relatedCollection, a)]
        for s in r.shared:
            if s.kind not in ("period", "hierarchy"):
                triples.append((node, COLLEX.sharedEntity, URIRef(s.entity)))
    with QuadSpool() as spool:
        spool.add_graph(graph, triples)
        store.replace_graphs(spool)
    return len(triples)


def refresh(store: WriteStore, base: str, version: str | None = None) -> int:
    """Recompute and rewrite the related-collections graph."""
    return write(store, base, compute(store), version)
