"""Reading the discovery views (collection, network, institution, authority) from the store.
Shared by the JSON API and the HTML pages."""

from __future__ import annotations

from collections.abc import Mapping

from api.models import (
    AuthorityDetail,
    CollectionDetail,
    ComponentItem,
    ComponentPage,
    Edge,
    InstitutionDetail,
    InstitutionSummary,
    NetworkDetail,
    NetworkSummary,
    Node,
    Period,
    Ref,
    Related,
)
from collex.errors import NotFound
from graph.base import ReadStore, is_true
from graph.common import scopes
from graph.search import LANGUAGES
from ontology import SPARQL_PREFIXES

P = SPARQL_PREFIXES
LABEL = "skos:prefLabel|foaf:name|rdfs:label|dcterms:title"
# a relation's reason in words, French (derived graphs older than it have none: ?why then)
REASON = ('OPTIONAL { ?rel rdfs:comment ?reason FILTER(LANG(?reason) = "fr") } '
          'OPTIONAL { ?rel rdfs:comment ?reason_en FILTER(LANG(?reason_en) = "en") }')


def _v(row: Mapping[str, object], key: str) -> str:
    return str(getattr(row.get(key), "value", "") or "")


def _ref(iri: str, label: str) -> Ref:
    return Ref(iri=iri, label=label or iri.rsplit("/", 1)[-1],
               idref=iri.startswith("http://www.idref.fr/"))


def _refs(reader: ReadStore, subject: str, prop: str) -> list[Ref]:
    seen: dict[str, str] = {}
    for r in reader.select(P + f"SELECT ?o ?l WHERE {{ <{subject}> {prop} ?o . "
                           f"OPTIONAL {{ ?o {LABEL} ?l }} }} ORDER BY ?l"):
        seen.setdefault(_v(r, "o"), _v(r, "l"))
    return sorted((_ref(k, v) for k, v in seen.items()), key=lambda x: x.label.lower())


def _literals(reader: ReadStore, subject: str, prop: str) -> list[str]:
    return [_v(r, "o") for r in reader.select(
        P + f"SELECT DISTINCT ?o WHERE {{ <{subject}> {prop} ?o }} ORDER BY ?o")]


def collection_key(base: str, iri: str) -> str:
    return iri.removeprefix(f"{base}id/collection/")


def collection_detail(reader: ReadStore, base: str, key: str) -> CollectionDetail:
    iri = f"{base}id/collection/{key}"
    head = reader.select(P + f"SELECT ?t ?lvl WHERE {{ <{iri}> a dcmitype:Collection . "
                         f"OPTIONAL {{ <{iri}> dcterms:title ?t }} OPTIONAL {{ <{iri}> "
                         "collex:descriptionLevel ?lvl } }")
    if not head:
        raise NotFound(f"no collection {key}")
    holders = _refs(reader, iri, "rico:hasOrHadHolder")
    periods = [Period(label=_v(r, "l"), start=_v(r, "s") or None, end=_v(r, "e") or None)
               for r in reader.select(P + f"SELECT ?l ?s ?e WHERE {{ <{iri}> dcterms:temporal"
                                      " ?p . OPTIONAL { ?p rdfs:label ?l } OPTIONAL { ?p "
                                      "dcat:startDate ?s } OPTIONAL { ?p dcat:endDate ?e } }"
                                      " ORDER BY ?s")]
    languages = [Ref(iri=r.iri, label=LANGUAGES.get(r.label, r.label))
                 for r in _refs(reader, iri, "dcterms:language")]
    labels = [f"{_v(r, 'campaign')} — {_v(r, 'disc')}" for r in reader.select(
        P + f"SELECT ?campaign (GROUP_CONCAT(DISTINCT ?dl; separator=', ') AS ?disc) WHERE {{ "
        f"<{iri}> collex:hasLabel ?lab . ?lab collex:campaign ?campaign . OPTIONAL {{ ?lab "
        'collex:discipline/skos:prefLabel ?dl FILTER(LANG(?dl) = "fr") } } GROUP BY ?campaign')]
    networks = [_ref(_v(r, "n"), _v(r, "name")) for r in reader.select(
        P + f"SELECT ?n ?name WHERE {{ ?n collex:hasMember <{iri}> ; a collex:ThematicNetwork"
        " . OPTIONAL { ?n foaf:name ?name } } ORDER BY ?name")]
    related = [Related(iri=_v(r, "o"), title=_v(r, "t") or _v(r, "o"),
                       score=float(_v(r, "score")), why=_v(r, "why"), reason=_v(r, "reason"),
                       reason_en=_v(r, "reason_en"))
               for r in reader.select(
                   P + "SELECT ?o ?t ?score ?why ?reason ?reason_en WHERE { ?rel a "
                   f"collex:Relatedness ; collex:relates <{iri}>, ?o ; collex:score ?score ; "
                   f"collex:explanation ?why . FILTER(?o != <{iri}>) OPTIONAL {{ ?o "
                   f"dcterms:title ?t }} {REASON} }} ORDER BY DESC(?score) ?t LIMIT 20")]
    return CollectionDetail(
        id=iri, key=key, title=_v(head[0], "t") or key, level=_v(head[0], "lvl"),
        identifiers=_literals(reader, iri, "dcterms:identifier"),
        holder=holders[0] if holders else None, periods=periods,
        extent=_literals(reader, iri, "dcterms:extent"), languages=languages,
        description=_literals(reader, iri, "dcterms:description|dcterms:abstract"),
        history=_literals(reader, iri, "rico:history"),
        access=_literals(reader, iri, "dcterms:accessRights"),
        use=_literals(reader, iri, "rico:conditionsOfUse"),
        creators=_refs(reader, iri, "dcterms:creator"),
        subjects=_refs(reader, iri, "dcterms:subject"),
        places=_refs(reader, iri, "dcterms:spatial"),
        genres=_refs(reader, iri, "dcterms:type"),
        digital_objects=_refs(reader, iri, "collex:digitalObject"),
        iiif_manifests=_literals(reader, iri, "collex:iiifManifest"),
        labels=labels, networks=networks, related=related,
        components=max((int(n) for n in _literals(reader, iri, "collex:componentCount")),
                       default=0))


def component_children(reader: ReadStore, base: str, key: str, parent: str | None,
                       offset: int, limit: int) -> ComponentPage:
    """One page of the children of the collection (``parent`` None) or of a component, in the
    finding aid's order, each with its number of children (the tree is read lazily)."""
    coll = f"{base}id/collection/{key}"
    node = f"{coll}/c/{parent}" if parent else coll
    if not reader.ask(P + f"ASK {{ <{coll}> a dcmitype:Collection }}"):
        raise NotFound(f"no collection {key}")
    if parent and not reader.ask(P + f"ASK {{ <{node}> rico:isOrWasIncludedIn ?p }}"):
        raise NotFound(f"no component {parent} in collection {key}")
    total_rows = reader.select(P + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE"
                               f" {{ ?x rico:isOrWasIncludedIn <{node}> }}")
    total = int(_v(total_rows[0], "n") or 0) if total_rows else 0
    items = []
    for r in reader.select(P + f"""
        SELECT ?x (MIN(?o) AS ?order) (SAMPLE(?t) AS ?title) (SAMPLE(?i) AS ?ident)
               (SAMPLE(?l) AS ?level) (SAMPLE(?d) AS ?dates) (COUNT(DISTINCT ?kid) AS ?kids)
        WHERE {{ ?x rico:isOrWasIncludedIn <{node}> . OPTIONAL {{ ?x collex:order ?o }}
          OPTIONAL {{ ?x dcterms:title ?t }} OPTIONAL {{ ?x dcterms:identifier ?i }}
          OPTIONAL {{ ?x collex:descriptionLevel ?l }}
          OPTIONAL {{ ?x dcterms:temporal/rdfs:label ?d }}
          OPTIONAL {{ ?kid rico:isOrWasIncludedIn ?x }} }}
        GROUP BY ?x ORDER BY ?order ?x LIMIT {int(limit)} OFFSET {int(offset)}"""):
        x = _v(r, "x")
        items.append(ComponentItem(
            id=x, key=x.removeprefix(f"{coll}/c/"), order=int(_v(r, "order") or 0),
            title=_v(r, "title"), identifier=_v(r, "ident"), level=_v(r, "level"),
            dates=_v(r, "dates"), children=int(_v(r, "kids") or 0)))
    return ComponentPage(collection=coll, parent=node, total=total, offset=offset, items=items)


def network_list(reader: ReadStore, base: str) -> list[NetworkSummary]:
    return [NetworkSummary(id=_v(r, "n").removeprefix(f"{base}id/network/"), iri=_v(r, "n"),
                           name=_v(r, "name"), members=int(_v(r, "count") or 0))
            for r in reader.select(P + "SELECT ?n (SAMPLE(?nm) AS ?name) (COUNT(DISTINCT ?m) AS"
                                   " ?count) WHERE { ?n a collex:ThematicNetwork . OPTIONAL { ?n"
                                   " foaf:name ?nm } OPTIONAL { ?n collex:hasMember ?m } } GROUP"
                                   " BY ?n ORDER BY ?name")]


def network_detail(reader: ReadStore, base: str, ident: str) -> NetworkDetail:
    iri = f"{base}id/network/{ident}"
    head = reader.select(P + f"SELECT ?name ?d WHERE {{ <{iri}> a collex:ThematicNetwork . "
                         f"OPTIONAL {{ <{iri}> foaf:name ?name }} OPTIONAL {{ <{iri}> "
                         "dcterms:description ?d } }")
    if not head:
        raise NotFound(f"no network {ident}")
    nodes: dict[str, Node] = {}
    for r in reader.select(P + f"SELECT ?m ?t ?role ?h ?hn ?ext WHERE {{ ?ms collex:network "
                           f"<{iri}> ; collex:member ?m ; collex:memberRole ?role . OPTIONAL "
                           "{ ?m dcterms:title ?t } OPTIONAL { ?m rico:hasOrHadHolder/foaf:name"
                           " ?h } OPTIONAL { ?m collex:holderName ?hn } BIND(EXISTS { ?m a "
                           "collex:ExternalCollection } AS ?ext) } ORDER BY ?t"):
        m = _v(r, "m")
        nodes.setdefault(m, Node(id=m, label=_v(r, "t") or m, role=_v(r, "role"),
                                 holder=_v(r, "h") or _v(r, "hn"),
                                 external=is_true(r.get("ext"))))
    edges = []
    members = set(nodes)
    for r in reader.select(P + f"SELECT ?a ?b ?score ?why ?reason ?reason_en WHERE {{ <{iri}> "
                           "collex:hasMember ?a, ?b . FILTER(STR(?a) < STR(?b)) ?rel a "
                           "collex:Relatedness ; collex:relates ?a, ?b ; collex:score ?score ; "
                           f"collex:explanation ?why {REASON} }} ORDER BY DESC(?score)"):
        if _v(r, "a") in members and _v(r, "b") in members:
            edges.append(Edge(source=_v(r, "a"), target=_v(r, "b"),
                              score=float(_v(r, "score")), why=_v(r, "why"),
                              reason=_v(r, "reason"), reason_en=_v(r, "reason_en")))
    coordinator = _refs(reader, iri, "collex:coordinator")
    return NetworkDetail(id=ident, iri=iri, name=_v(head[0], "name") or ident,
                         description=_v(head[0], "d"), members=len(nodes),
                         coordinator=coordinator[0] if coordinator else None,
                         disciplines=[_ref(_v(r, "d"), _v(r, "l")) for r in reader.select(
                             P + f"SELECT ?d ?l WHERE {{ <{iri}> collex:discipline ?d . OPTIONAL"
                             ' { ?d skos:prefLabel ?l FILTER(LANG(?l) = "fr") } } ORDER BY ?l')],
                         nodes=list(nodes.values()), edges=edges)


def institution_list(reader: ReadStore) -> list[InstitutionSummary]:
    out = []
    for r in reader.select(P + "SELECT ?i (SAMPLE(?isil0) AS ?isil) (SAMPLE(?n) AS ?name) "
                           "(SAMPLE(?c0) AS ?city) (COUNT(DISTINCT ?coll) AS ?count) WHERE { ?i"
                           " a collex:Institution ; collex:isil ?isil0 . OPTIONAL { ?i foaf:name"
                           " ?n } OPTIONAL { ?i collex:city ?c0 } OPTIONAL { ?coll "
                           "rico:hasOrHadHolder ?i ; a dcmitype:Collection } } GROUP BY ?i "
                           "ORDER BY ?name"):
        out.append(InstitutionSummary(isil=_v(r, "isil"), iri=_v(r, "i"),
                                      name=_v(r, "name") or _v(r, "isil"), city=_v(r, "city"),
                                      collections=int(_v(r, "count") or 0)))
    return out


def institution_detail(reader: ReadStore, base: str, isil: str) -> InstitutionDetail:
    iri = f"{base}id/institution/{isil}"
    rows = reader.select(P + f"SELECT ?n ?city ?web ?lat ?long ?dep ?reg WHERE {{ <{iri}> a "
                         f"collex:Institution . OPTIONAL {{ <{iri}> foaf:name ?n }} OPTIONAL {{"
                         f" <{iri}> collex:city ?city }} OPTIONAL {{ <{iri}> foaf:homepage ?web"
                         f" }} OPTIONAL {{ <{iri}> geo:lat ?lat ; geo:long ?long }} OPTIONAL {{"
                         f" <{iri}> collex:department ?dep }} OPTIONAL {{ <{iri}> collex:region"
                         " ?reg } }")
    if not rows:
        raise NotFound(f"no institution {isil}")
    r = rows[0]
    holdings = [_ref(_v(x, "c"), _v(x, "t")) for x in reader.select(
        P + f"SELECT ?c ?t WHERE {{ ?c rico:hasOrHadHolder <{iri}> ; a dcmitype:Collection ; "
        "dcterms:title ?t } ORDER BY ?t")]
    return InstitutionDetail(isil=isil, iri=iri, name=_v(r, "n") or isil, city=_v(r, "city"),
                             collections=len(holdings), website=_v(r, "web") or None,
                             latitude=float(_v(r, "lat")) if _v(r, "lat") else None,
                             longitude=float(_v(r, "long")) if _v(r, "long") else None,
                             department=_v(r, "dep").rsplit("/", 1)[-1] or None,
                             region=_v(r, "reg").rsplit("/", 1)[-1] or None,
                             holdings=holdings)


def authority_detail(reader: ReadStore, ppn: str) -> AuthorityDetail:
    iri = f"http://www.idref.fr/{ppn}/id"
    head = reader.select(P + f"SELECT ?l ?kind ?note WHERE {{ OPTIONAL {{ <{iri}> "
                         f"skos:prefLabel|foaf:name|rdfs:label ?l }} OPTIONAL {{ <{iri}> "
                         f"collex:authorityKind ?kind }} OPTIONAL {{ <{iri}> rico:history|"
                         f"skos:note ?note }} FILTER(BOUND(?l)) }} LIMIT 1")
    if not head:
        raise NotFound(f"no IdRef entity {ppn} in the graph")
    # In two steps: the entity and its narrower subjects, then what cites them. In one
    # query the engine joined the citations first (1.5 s per agent at S, measured).
    narrower = [_v(r, "s") for r in reader.select(
        P + f"SELECT DISTINCT ?s WHERE {{ <{iri}> (^skos:broader|skos:narrower)* ?s }}")]
    found: dict[str, str] = {}
    for scope in scopes("s", narrower or [iri]):
        for r in reader.select(
                # the properties as a path of alternatives: with a VALUES of properties,
                # Oxigraph scanned them whole (1.5 s for one agent at S, measured)
                P + f"SELECT DISTINCT ?c ?t WHERE {{ {scope} ?c dcterms:subject|"
                "dcterms:creator|dcterms:spatial|rico:hasOrganicProvenance ?s ."
                " ?c a dcmitype:Collection . OPTIONAL { ?c dcterms:title ?t } }"):
            found.setdefault(_v(r, "c"), _v(r, "t"))
    collections = sorted((_ref(c, t) for c, t in found.items()),
                         key=lambda x: (x.label.lower(), x.iri))
    dates = [f"{_v(r, 'p').rsplit('/', 1)[-1]}: {_v(r, 'd')}" for r in reader.select(
        P + f"SELECT ?p ?d WHERE {{ <{iri}> ?p ?d . VALUES ?p {{ schema:birthDate "
        "schema:deathDate schema:foundingDate schema:dissolutionDate } }")]
    return AuthorityDetail(
        iri=iri, ppn=ppn, label=_v(head[0], "l"), kind=_v(head[0], "kind"),
        note=_v(head[0], "note"), variants=_literals(reader, iri, "skos:altLabel"),
        dates=dates, same_as=_literals(reader, iri, "owl:sameAs"),
        broader=_refs(reader, iri, "skos:broader"),
        narrower=_refs(reader, iri, "skos:narrower|^skos:broader"),
        collections=collections)
