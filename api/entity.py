"""Entity pages' data: a person, body, family, place or subject (from IdRef, BnF, the Archives
nationales or a notice's own access points) and the collections and components citing it.

A collection *cites* an entity when its description or one of its components links to it
(or, for a subject, to a narrower subject) by one of ``CITING``; the counts are those of the
SPARQL queries below, faceted by institution and network.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

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
from graph.common import scopes
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


def _counts(kept: list[str], values: dict[str, dict[str, str]], prefix: str
            ) -> list[FacetCount]:
    """How many of the ``kept`` collections have each value (holder, network), most first;
    values by their short form (the end of the IRI after ``prefix``)."""
    count: Counter[str] = Counter(v for c in kept for v in values.get(c, {}))
    names = {v: name for c in kept for v, name in values.get(c, {}).items()}
    return [FacetCount(value=v.removeprefix(prefix), label=names[v], count=n)
            for v, n in sorted(count.items(), key=lambda vn: (-vn[1], names[vn[0]]))]


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
    # Two simple queries, joined here: the direct citations, and the components' with their
    # collection. As one UNION the engine walked every collection's tree (7 s for a RAMEAU
    # subject with 138 narrower ones at S, measured; 0.1 s apart).
    # (the properties as a path of alternatives: as VALUES ?p the same took 20 times longer)
    head_ = f"VALUES ?e {{ {' '.join(f'<{e}>' for e in entities)} }}"
    cites = "|".join(CITING.split())
    direct = {_v(r, "c") for r in reader.select(
        P + f"SELECT DISTINCT ?c WHERE {{ {head_} ?c {cites} ?e . ?c a dcmitype:Collection }}")}
    via: dict[str, set[str]] = defaultdict(set)
    for r in reader.select(P + f"SELECT DISTINCT ?c ?x WHERE {{ {head_} ?x {cites} ?e . ?x "
                           "rico:isOrWasIncludedIn+ ?c . ?c a dcmitype:Collection }"):
        via[_v(r, "c")].add(_v(r, "x"))
    citing = direct | set(via)
    titles: dict[str, str] = {}
    holders: dict[str, dict[str, str]] = defaultdict(dict)
    nets: dict[str, dict[str, str]] = defaultdict(dict)
    for scope in scopes("c", citing) if citing else []:
        for r in reader.select(P + f"SELECT ?c (SAMPLE(?t) AS ?title) WHERE {{ {scope} ?c "
                               "dcterms:title ?t } GROUP BY ?c"):
            titles[_v(r, "c")] = _v(r, "title")
        for r in reader.select(P + f"SELECT ?c ?v (SAMPLE(?vn) AS ?name) WHERE {{ {scope} ?c "
                               "rico:hasOrHadHolder ?v OPTIONAL { ?v foaf:name ?vn } } GROUP BY"
                               " ?c ?v"):
            holders[_v(r, "c")][_v(r, "v")] = _v(r, "name") or _v(r, "v")
        for r in reader.select(P + f"SELECT ?c ?v (SAMPLE(?vn) AS ?name) WHERE {{ {scope} ?v "
                               "collex:hasMember ?c ; a collex:ThematicNetwork . OPTIONAL { ?v "
                               "foaf:name ?vn } } GROUP BY ?c ?v"):
            nets[_v(r, "c")][_v(r, "v")] = _v(r, "name") or _v(r, "v")
    wanted_holder = f"{base}id/institution/{institution}" if institution else None
    wanted_net = f"{base}id/network/{network}" if network else None
    kept = sorted((c for c in citing if (wanted_holder is None or wanted_holder in holders[c])
                   and (wanted_net is None or wanted_net in nets[c])),
                  key=lambda c: ((titles.get(c) or c).lower(), c))
    offset = (page - 1) * PAGE
    collections = [CitingCollection(
        iri=c, title=titles.get(c) or c, holder=min(holders[c].values(), default=""),
        direct=c in direct, components=len(via.get(c, ()))) for c in kept[offset:offset + PAGE]]
    kept_set = set(kept)
    parts = sorted((c, x) for c in kept_set for x in via.get(c, ()))
    shown = parts[offset:offset + PAGE]
    about: dict[str, tuple[str, str]] = {}
    for scope in scopes("x", [x for _, x in shown]) if shown else []:
        for r in reader.select(P + f"SELECT ?x (SAMPLE(?t0) AS ?t) (SAMPLE(?i0) AS ?i) WHERE {{ "
                               f"{scope} OPTIONAL {{ ?x dcterms:title ?t0 }} OPTIONAL {{ ?x "
                               "dcterms:identifier ?i0 } } GROUP BY ?x"):
            about[_v(r, "x")] = (_v(r, "t"), _v(r, "i"))
    components = [CitingComponent(iri=x, title=about.get(x, ("", ""))[0],
                                  identifier=about.get(x, ("", ""))[1],
                                  collection=_ref(c, titles.get(c, ""))) for c, x in shown]
    facets = {"institution": _counts(kept, holders, f"{base}id/institution/"),
              "network": _counts(kept, nets, f"{base}id/network/")}
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
        collections_total=len(kept), collections=collections, components_total=len(parts),
        components=components, facets=facets, page=page)
