"""Entity pages' data: a person, body, family, place or subject (from IdRef, BnF, the Archives
nationales or a notice's own access points) and the collections and components citing it.

A collection *cites* an entity when its description or one of its components links to it
(or, for a subject, to a narrower subject) by one of ``CITING``; the counts are those of the
SPARQL queries below, faceted by institution and network.
"""

from __future__ import annotations

import re

from api.data import LABEL, _literals, _ref, _refs, _v
from api.models import (
    CitingCollection,
    CitingComponent,
    EntityDetail,
    FacetCount,
    Link,
)
from collex.errors import NotFound
from graph.base import ReadStore
from ontology import SPARQL_PREFIXES

P = SPARQL_PREFIXES
PAGE = 20
CITING = ("dcterms:subject dcterms:creator dcterms:contributor dcterms:spatial dcterms:type "
          "rico:hasOrganicProvenance collex:formerOwner collex:function collex:occupation")
_KINDS = [  # rdf:type → kind, first match wins
    ("rico:Family", "family"), ("foaf:Person", "person"), ("rico:Person", "person"),
    ("foaf:Organization", "corporate body"), ("rico:CorporateBody", "corporate body"),
    ("foaf:Group", "family"), ("foaf:Agent", "agent"), ("dcterms:Location", "place"),
    ("rico:Place", "place"), ("skos:Concept", "subject")]
_IDREF_KINDS = {"person": "person", "corporate body": "corporate body", "family": "family",
                "place": "place", "RAMEAU subject": "subject", "form/genre": "genre",
                "uniform title": "concept", "name/title": "concept", "brand": "concept"}
_SITES = [(re.compile(r"^https?://(www\.)?idref\.fr/"), "IdRef"),
          (re.compile(r"^https?://data\.bnf\.fr/"), "data.bnf.fr"),
          (re.compile(r"^https?://catalogue\.bnf\.fr/"), "Catalogue BnF"),
          (re.compile(r"^https?://(www\.)?isni\.org/"), "ISNI"),
          (re.compile(r"^https?://(www\.)?viaf\.org/"), "VIAF"),
          (re.compile(r"^https?://(www\.)?wikidata\.org/"), "Wikidata"),
          (re.compile(r"^https?://rdf\.archives-nationales\.culture\.gouv\.fr/"),
           "Archives nationales"),
          (re.compile(r"^https?://(www\.)?sudoc\.fr/"), "Sudoc")]
_PPN_IRI = re.compile(r"^http://www\.idref\.fr/(\d{8}[\dX])/id$")


def link_for(iri: str) -> Link:
    """Where an equivalent IRI leads, named (an IdRef IRI leads to its public page).

    >>> link_for("http://www.idref.fr/027058352/id")
    Link(label='IdRef', url='https://www.idref.fr/027058352')
    >>> link_for("http://viaf.org/viaf/39382261").label, link_for("https://example.org/x").label
    ('VIAF', 'example.org')
    """
    m = _PPN_IRI.match(iri)
    if m:
        return Link(label="IdRef", url=f"https://www.idref.fr/{m.group(1)}")
    for pattern, label in _SITES:
        if pattern.match(iri):
            return Link(label=label, url=iri)
    return Link(label=iri.split("/")[2] if iri.count("/") >= 2 else iri, url=iri)


def _kind(reader: ReadStore, iri: str) -> str | None:
    rows = reader.select(P + f"SELECT ?k ?t WHERE {{ {{ <{iri}> collex:authorityKind ?k }} "
                         f"UNION {{ <{iri}> a ?t }} }}")
    idref = {_v(r, "k") for r in rows if _v(r, "k")}
    for k in sorted(idref):
        if k in _IDREF_KINDS:
            return _IDREF_KINDS[k]
    types = {_v(r, "t") for r in rows if _v(r, "t")}
    for curie, kind in _KINDS:
        prefix, local = curie.split(":")
        if any(t.endswith(("#" if prefix in ("rico", "skos") else "/") + local) for t in types):
            if kind == "subject" and "/concept/genreform/" in iri:
                return "genre"
            return kind
    return None


def _citing(entities: list[str]) -> str:
    """The citing pattern: binds ?c (a collection) and, through a component, ?x."""
    values = " ".join(f"<{e}>" for e in entities)
    return (f"VALUES ?e {{ {values} }} VALUES ?p {{ {CITING} }} "
            "{ ?c ?p ?e } UNION { ?x ?p ?e . ?x rico:isOrWasIncludedIn+ ?c } "
            "?c a dcmitype:Collection .")


def _filters(base: str, institution: str | None, network: str | None) -> str:
    out = ""
    if institution:
        out += f" ?c rico:hasOrHadHolder <{base}id/institution/{institution}> ."
    if network:
        out += f" <{base}id/network/{network}> collex:hasMember ?c ."
    return out


def _facet(reader: ReadStore, where: str, prefix: str, pattern: str) -> list[FacetCount]:
    """Counts of the citing collections (``where``) per value ``?v`` of ``pattern``, most
    first; the values by their short form (the end of the IRI after ``prefix``)."""
    return [FacetCount(value=_v(r, "v").removeprefix(prefix), label=_v(r, "name") or _v(r, "v"),
                       count=int(_v(r, "n")))
            for r in reader.select(P + "SELECT ?v (SAMPLE(?vn) AS ?name) (COUNT(DISTINCT ?c) AS "
                                   f"?n) WHERE {{ {{ SELECT DISTINCT ?c WHERE {{ {where} }} }} "
                                   f"{pattern} }} GROUP BY ?v ORDER BY DESC(?n) ?name")]


def entity_detail(reader: ReadStore, base: str, iri: str, page: int = 1,
                  institution: str | None = None, network: str | None = None) -> EntityDetail:
    """The entity ``iri`` and one page of what cites it, filtered by an institution's ISIL
    and a network's identifier."""
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", iri):
        raise NotFound(f"no entity {iri}")
    head = reader.select(P + f"SELECT ?l WHERE {{ <{iri}> {LABEL} ?l }} ORDER BY ?l LIMIT 1")
    kind = _kind(reader, iri)
    if not head or kind is None:
        raise NotFound(f"no person, body, place or subject {iri} in the graph")
    # the narrower subjects first, apart: joined in one query with the citations, the engine
    # started from the citations (1.5 s per agent at S, measured)
    narrower = [_v(r, "s") for r in reader.select(
        P + f"SELECT DISTINCT ?s WHERE {{ <{iri}> (^skos:broader|skos:narrower)+ ?s }} "
        "LIMIT 5000")] if kind in ("subject", "place", "genre", "concept") else []
    entities = [iri, *[n for n in narrower if n != iri]]
    where = _citing(entities) + _filters(base, institution, network)
    per_coll = {_v(r, "c"): (_v(r, "direct") == "1", int(_v(r, "n") or 0)) for r in
                reader.select(P + f"SELECT ?c (MAX(?d) AS ?direct) (COUNT(DISTINCT ?x) AS ?n)"
                              f" WHERE {{ {where} BIND(IF(BOUND(?x), 0, 1) AS ?d) }} GROUP BY ?c")}
    offset = (page - 1) * PAGE
    collections = []
    for r in reader.select(P + f"SELECT ?c (SAMPLE(?t0) AS ?t) (SAMPLE(?h0) AS ?h) WHERE {{ "
                           f"{{ SELECT DISTINCT ?c WHERE {{ {where} }} }} OPTIONAL {{ ?c "
                           "dcterms:title ?t0 } OPTIONAL { ?c rico:hasOrHadHolder/foaf:name ?h0 }"
                           f" }} GROUP BY ?c ORDER BY LCASE(STR(?t)) ?c LIMIT {PAGE} "
                           f"OFFSET {offset}"):
        c = _v(r, "c")
        direct, n = per_coll.get(c, (False, 0))
        collections.append(CitingCollection(iri=c, title=_v(r, "t") or c, holder=_v(r, "h"),
                                            direct=direct, components=n))
    comp_where = (f"VALUES ?e {{ {' '.join(f'<{e}>' for e in entities)} }} VALUES ?p {{ "
                  f"{CITING} }} ?x ?p ?e . ?x rico:isOrWasIncludedIn+ ?c . ?c a "
                  "dcmitype:Collection ." + _filters(base, institution, network))
    total_rows = reader.select(P + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {comp_where} }}")
    components = []
    for r in reader.select(P + "SELECT ?x (SAMPLE(?c) AS ?coll) (SAMPLE(?t0) AS ?t) "
                           f"(SAMPLE(?i0) AS ?i) (SAMPLE(?ct0) AS ?ct) WHERE {{ {comp_where} "
                           "OPTIONAL { ?x dcterms:title ?t0 } OPTIONAL { ?x dcterms:identifier "
                           "?i0 } OPTIONAL { ?c dcterms:title ?ct0 } } GROUP BY ?x "
                           f"ORDER BY ?coll ?x LIMIT {PAGE} OFFSET {offset}"):
        components.append(CitingComponent(
            iri=_v(r, "x"), title=_v(r, "t"), identifier=_v(r, "i"),
            collection=_ref(_v(r, "coll"), _v(r, "ct"))))
    facets = {
        "institution": _facet(reader, where, f"{base}id/institution/",
                              "?c rico:hasOrHadHolder ?v . OPTIONAL { ?v foaf:name ?vn }"),
        "network": _facet(reader, where, f"{base}id/network/", "?v collex:hasMember ?c ; a "
                          "collex:ThematicNetwork . OPTIONAL { ?v foaf:name ?vn }")}
    dates = [f"{_v(r, 'p').rsplit('/', 1)[-1].rsplit('#', 1)[-1]}: {_v(r, 'd')}"
             for r in reader.select(
                 P + f"SELECT ?p ?d WHERE {{ <{iri}> ?p ?d . VALUES ?p {{ schema:birthDate "
                 "schema:deathDate schema:foundingDate schema:dissolutionDate "
                 "collex:existenceDates } } ORDER BY ?p")]
    links = [link_for(iri)] if not iri.startswith(base) else []
    links += [link_for(s) for s in _literals(reader, iri, "owl:sameAs|skos:exactMatch")
              if s != iri]
    note = _literals(reader, iri, "rico:history|skos:note|skos:scopeNote|collex:note")
    return EntityDetail(
        iri=iri, label=_v(head[0], "l"), kind=kind,
        variants=_literals(reader, iri, "skos:altLabel"), dates=dates,
        note="\n\n".join(note), links=list({x.url: x for x in links}.values()),
        broader=_refs(reader, iri, "skos:broader"),
        narrower=_refs(reader, iri, "skos:narrower|^skos:broader"),
        collections_total=len(per_coll), collections=collections,
        components_total=int(_v(total_rows[0], "n") or 0) if total_rows else 0,
        components=components, facets=facets, page=page)
