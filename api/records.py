"""A description's elements for people: every property of a collection or component named in
French and English, in the order of ISAD(G), access points with their role and page.

What a notice says is shown whole: a property missing from ``FIELDS`` is shown under its
CURIE rather than dropped (``record_fields``)."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox

from api.data import LABEL, P, _v, collection_detail
from api.i18n import N_, gettext
from api.models import (
    AccessPoint,
    CollectionDetail,
    ComponentDetail,
    ComponentPage,
    RecordField,
    Ref,
)
from api.pages import curie
from collex.errors import NotFound
from graph.base import ReadStore
from graph.search import LANGUAGES

# (CURIE, French name), in the order of ISAD(G) areas; English from the catalogue
FIELDS = [
    ("dcterms:alternative", N_("Autres titres")),
    ("collex:formerIdentifier", N_("Anciennes cotes")),
    ("collex:findingAidIdentifier", N_("Identifiant de l'instrument de recherche")),
    ("dcterms:extent", N_("Importance matérielle")),
    ("collex:physicalCharacteristics", N_("Caractéristiques matérielles")),
    ("collex:dimensions", N_("Dimensions")),
    ("dcterms:language", N_("Langues")),
    ("dcterms:abstract", N_("Résumé")),
    ("dcterms:description", N_("Présentation du contenu")),
    ("rico:history", N_("Histoire")),
    ("dcterms:provenance", N_("Historique de la conservation")),
    ("collex:acquisitionInformation", N_("Modalités d'entrée")),
    ("collex:arrangement", N_("Mode de classement")),
    ("collex:appraisal", N_("Tris et éliminations")),
    ("collex:accruals", N_("Accroissements")),
    ("dcterms:accessRights", N_("Conditions d'accès")),
    ("rico:conditionsOfUse", N_("Conditions d'utilisation")),
    ("collex:legalStatus", N_("Statut juridique")),
    ("collex:physicalLocation", N_("Localisation")),
    ("collex:container", N_("Conditionnement")),
    ("collex:originalsLocation", N_("Localisation des originaux")),
    ("collex:alternativeForm", N_("Autres formes")),
    ("collex:relatedMaterial", N_("Documents en relation")),
    ("collex:separatedMaterial", N_("Documents séparés")),
    ("collex:otherFindingAid", N_("Autres instruments de recherche")),
    ("collex:bibliography", N_("Bibliographie")),
    ("collex:preferredCitation", N_("Citation")),
    ("collex:processingInformation", N_("Traitement")),
    ("collex:note", N_("Notes")),
    ("collex:iiifManifest", N_("Manifestes IIIF")),
    ("collex:digitalObject", N_("Documents numérisés")),
    ("collex:digitalObjectText", N_("Documents numérisés (liens invalides)")),
    ("rdfs:seeAlso", N_("Voir aussi")),
    ("collex:linkText", N_("Liens (invalides)")),
    ("collex:discipline", N_("Disciplines")),
]
ROLES = {"dcterms:creator": "creator", "rico:hasOrganicProvenance": "creator",
         "dcterms:contributor": "contributor", "collex:formerOwner": "former owner",
         "dcterms:subject": "subject", "dcterms:spatial": "place", "dcterms:type": "genre",
         "collex:function": "function", "collex:occupation": "occupation"}
ROLE_NAMES = {"creator": N_("Producteurs"), "contributor": N_("Contributeurs"),
              "former owner": N_("Anciens possesseurs"), "subject": N_("Sujets"),
              "place": N_("Lieux"), "genre": N_("Genres et formes"),
              "function": N_("Fonctions"), "occupation": N_("Activités")}
# shown apart (heading, tree, dates) or internal
SHOWN_APART = {"rdf:type", "dcterms:title", "dcterms:identifier", "collex:descriptionLevel",
               "rico:isOrWasIncludedIn", "collex:order", "dcterms:temporal",
               "rico:hasRecordSetType", "prov:wasDerivedFrom", "rico:hasOrHadHolder",
               "collex:componentCount", "collex:relatedCollection", "collex:hasLabel",
               "collex:contentDigest", "collex:unparsedNormal"}
_NAMES = dict(FIELDS)
_ORDER = {c: k for k, (c, _) in enumerate(FIELDS)}


def entity_page(iri: str, role: str, base: str) -> str:
    """The page of a person, body, place or subject in the site: IdRef's at ``/agents/{ppn}``
    (persons, bodies) or ``/subjects/{ppn}``, ours at their IRI, others' (BnF, Archives
    nationales) at ``/entity?iri=``.

    >>> entity_page("http://www.idref.fr/027058352/id", "creator", "http://x/")
    '/agents/027058352'
    >>> entity_page("http://data.bnf.fr/ark:/12148/cb1#about", "subject", "http://x/")
    '/entity?iri=http%3A%2F%2Fdata.bnf.fr%2Fark%3A%2F12148%2Fcb1%23about'
    """
    if iri.startswith("http://www.idref.fr/"):
        ppn = iri.rstrip("/").split("/")[-2]
        agent = role in ("creator", "contributor", "former owner")
        return f"/{'agents' if agent else 'subjects'}/{ppn}"
    if base and iri.startswith(base):
        return iri
    return "/entity?" + urlencode({"iri": iri})


def access_points(reader: ReadStore, subjects: list[str], base: str
                  ) -> dict[str, list[AccessPoint]]:
    """The access points of each of ``subjects`` (at most a page of them), by role then name."""
    out: dict[str, dict[tuple[str, str], AccessPoint]] = {s: {} for s in subjects}
    if not subjects:
        return {}
    values = " ".join(f"<{s}>" for s in subjects)
    props = " ".join(ROLES)
    for r in reader.select(P + f"SELECT ?s ?p ?o (SAMPLE(?l0) AS ?l) WHERE {{ VALUES ?s {{ "
                           f"{values} }} VALUES ?p {{ {props} }} ?s ?p ?o . OPTIONAL {{ ?o "
                           f"{LABEL} ?l0 }} }} GROUP BY ?s ?p ?o"):
        role = ROLES[curie(_v(r, "p"))]
        o = _v(r, "o")
        if not isinstance(r.get("o"), ox.NamedNode):
            continue
        out[_v(r, "s")].setdefault((role, o), AccessPoint(
            iri=o, label=_v(r, "l") or o.rsplit("/", 1)[-1], role=role,
            page=entity_page(o, role, base)))
    roles = list(ROLE_NAMES)
    return {s: sorted(found.values(), key=lambda a: (roles.index(a.role), a.label.lower()))
            for s, found in out.items()}


def digital_objects(reader: ReadStore, subjects: list[str]) -> dict[str, list[Ref]]:
    out: dict[str, list[Ref]] = {s: [] for s in subjects}
    if not subjects:
        return out
    values = " ".join(f"<{s}>" for s in subjects)
    for r in reader.select(P + f"SELECT ?s ?d (SAMPLE(?l0) AS ?l) ?m WHERE {{ VALUES ?s {{ "
                           f"{values} }} {{ ?s collex:digitalObject ?d OPTIONAL {{ ?d rdfs:label"
                           " ?l0 } } UNION { ?s collex:iiifManifest ?d BIND(1 AS ?m) } } "
                           "GROUP BY ?s ?d ?m ORDER BY ?s ?d"):
        d = _v(r, "d")
        label = "IIIF" if _v(r, "m") else _v(r, "l")  # none: the page names it (tree.js)
        out[_v(r, "s")].append(Ref(iri=d, label=label))
    return out


# what a collection page shows in its own places
COLLECTION_SHOWN = frozenset({
    "dcterms:extent", "dcterms:language", "dcterms:description", "dcterms:abstract",
    "rico:history", "dcterms:accessRights", "rico:conditionsOfUse", "collex:digitalObject",
    "collex:iiifManifest"})


def collection_with_fields(reader: ReadStore, base: str, key: str) -> CollectionDetail:
    """``collection_detail`` and every other element of the notice (``fields``)."""
    c = collection_detail(reader, base, key)
    c.fields = record_fields(reader, c.id, skip=COLLECTION_SHOWN)
    return c


def record_fields(reader: ReadStore, iri: str,
                  skip: frozenset[str] = frozenset()) -> list[RecordField]:
    """Every other property of ``iri`` (but ``skip``), named, in ISAD(G) order; unknown ones
    under their CURIE at the end (nothing a notice says is hidden)."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for r in reader.select(P + f"SELECT ?p ?o (SAMPLE(?l0) AS ?l) WHERE {{ <{iri}> ?p ?o . "
                           "OPTIONAL { ?o rdfs:label|skos:prefLabel ?l0 FILTER(LANG(?l0) IN "
                           '("fr", "")) } } GROUP BY ?p ?o ORDER BY ?p ?o'):
        p = curie(_v(r, "p"))
        if p in SHOWN_APART or p in ROLES or p in skip:
            continue
        o, is_iri = _v(r, "o"), isinstance(r.get("o"), ox.NamedNode)
        if p == "dcterms:language":
            code = o.rsplit("/", 1)[-1]
            found.setdefault(p, []).append((LANGUAGES.get(code, code), None))
        elif is_iri:
            found.setdefault(p, []).append((_v(r, "l") or o, o))
        elif isinstance(r.get("o"), ox.Literal):
            found.setdefault(p, []).append((o, None))
    out = []
    for p in sorted(found, key=lambda p: (_ORDER.get(p, len(_ORDER)), p)):
        fr = _NAMES.get(p, p)
        out.append(RecordField(name=fr, name_en=gettext("en", fr), values=[v for v, _ in found[p]],
                               links=[h for _, h in found[p]]))
    return out


def with_details(reader: ReadStore, base: str, page: ComponentPage) -> ComponentPage:
    """The page's components with their access points and digital objects (two queries for
    the page, not two per component)."""
    ids = [i.id for i in page.items]
    points, objects = access_points(reader, ids, base), digital_objects(reader, ids)
    for item in page.items:
        item.access_points = points.get(item.id, [])
        item.digital_objects = objects.get(item.id, [])
    return page


def component_detail(reader: ReadStore, base: str, key: str, ckey: str) -> ComponentDetail:
    """One component of a finding aid: its place in the tree and its whole description."""
    coll = f"{base}id/collection/{key}"
    iri = f"{coll}/c/{ckey}"
    head = reader.select(P + f"SELECT (SAMPLE(?t0) AS ?t) (SAMPLE(?i0) AS ?i) (SAMPLE(?l0) AS "
                         f"?l) (SAMPLE(?ct0) AS ?ct) WHERE {{ <{iri}> rico:isOrWasIncludedIn ?up"
                         f" . <{coll}> a dcmitype:Collection . OPTIONAL {{ <{iri}> dcterms:title"
                         f" ?t0 }} OPTIONAL {{ <{iri}> dcterms:identifier ?i0 }} OPTIONAL {{ "
                         f"<{iri}> collex:descriptionLevel ?l0 }} OPTIONAL {{ <{coll}> "
                         "dcterms:title ?ct0 } }")
    if not reader.ask(P + f"ASK {{ <{iri}> rico:isOrWasIncludedIn ?up . <{coll}> a "
                      "dcmitype:Collection }"):
        raise NotFound(f"no component {ckey} in collection {key}")
    h = head[0]
    ancestors: list[Ref] = []
    node = iri
    for _ in range(64):  # EAD nests c01..c12; unnumbered c deeper, but not without end
        up = reader.select(P + f"SELECT ?up (SAMPLE(?t0) AS ?t) (SAMPLE(?i0) AS ?i) WHERE {{ "
                           f"<{node}> rico:isOrWasIncludedIn ?up . OPTIONAL {{ ?up dcterms:title"
                           " ?t0 } OPTIONAL { ?up dcterms:identifier ?i0 } } GROUP BY ?up LIMIT 1")
        if not up or _v(up[0], "up") == coll:
            break
        node = _v(up[0], "up")
        label = " — ".join(x for x in (_v(up[0], "i"), _v(up[0], "t")) if x)
        ancestors.insert(0, Ref(iri=node, label=label or node.rsplit("/", 1)[-1]))
    dates = [_v(r, "l") for r in reader.select(
        P + f"SELECT ?l WHERE {{ <{iri}> dcterms:temporal ?p . ?p rdfs:label ?l }} ORDER BY ?p")]
    kids = reader.select(P + f"SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE {{ ?k "
                         f"rico:isOrWasIncludedIn <{iri}> }}")
    return ComponentDetail(
        id=iri, key=ckey, collection=Ref(iri=coll, label=_v(h, "ct") or key),
        ancestors=ancestors, title=_v(h, "t"), identifier=_v(h, "i"), level=_v(h, "l"),
        dates=dates, access_points=access_points(reader, [iri], base).get(iri, []),
        fields=record_fields(reader, iri),
        children=int(_v(kids[0], "n") or 0) if kids else 0)
