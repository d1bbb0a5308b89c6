"""Pages for people, server-rendered, French first, with schema.org JSON-LD embedded."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.data import (
    institution_detail,
    network_detail,
)
from api.deps import get_reader, get_settings
from api.entity import PAGE, entity_detail
from api.i18n import N_, ngettext
from api.i18n import choose as choose_lang
from api.models import CollectionDetail, InstitutionSummary, Match, NetworkSummary
from api.pages import templates
from api.records import ROLE_NAMES, collection_with_fields, component_detail
from api.records import entity_page as page_of
from api.routes.collections import _item, expand, jsonld_item, run_search, shorten
from api.routes.query_page import STATIC
from api.views import view
from collex.errors import InvalidInput
from collex.settings import Settings
from graph.base import ReadStore
from graph.search import FACETS
from loaders.authority import ppn_is_valid
from loaders.territory import department_iri, region_iri, territory_label

router = APIRouter(tags=["pages"])
Reader = Annotated[ReadStore, Depends(get_reader)]
Config = Annotated[Settings, Depends(get_settings)]
FACET_NAMES = {
    "discipline": N_("Discipline"), "institution": N_("Établissement"), "network": N_("Réseau"),
    "subject": N_("Sujet"), "level": N_("Niveau"), "century": N_("Siècle"),
    "language": N_("Langue"), "place": N_("Lieu"), "collex": N_("Label CollEx"),
    "region": N_("Région"), "department": N_("Département"),
}


def lang_of(request: Request) -> str:
    return choose_lang(request.query_params, request.headers)


MATCH_FIELDS = {"title": N_("Titre"), "description": N_("Description"),
                "subjects": N_("Sujets"), "agents": N_("Personnes et collectivités"),
                "places": N_("Lieux"), "components": N_("Composante")}


def _marked(match: Match) -> list[tuple[str, bool]]:
    """A snippet as (text, found) pieces, for <mark> in the page."""
    out, at = [], 0
    for start, end in sorted(match.highlights):
        if start < at:
            continue
        out += [(match.text[at:start], False), (match.text[start:end], True)]
        at = end
    return [*out, (match.text[at:], False)]


@router.get("/search", response_class=HTMLResponse, summary="Search page")
async def search_page(
    request: Request, reader: Reader, settings: Config,
    q: Annotated[str, Query(max_length=200, description="Words")] = "",
    sort: Annotated[str, Query(pattern="^(relevance|title|date)$",
                               description="relevance, title or date")] = "relevance",
    page: Annotated[int, Query(ge=1, le=1000, description="Page number")] = 1,
) -> HTMLResponse:
    """Search with facets; facet links add or remove a filter."""
    params = request.query_params
    iri_base = settings.base_iri
    # the page's URLs carry short forms (network id, ISIL, discipline code), as the API
    # accepts them; the index has IRIs
    filters = {f: [shorten(iri_base, f, v) for v in params.getlist(f)[:20]] for f in FACETS
               if params.getlist(f)}
    size = 20
    result = await run_in_threadpool(
        run_search, request, reader, settings, q,
        {f: [expand(iri_base, f, v) for v in vs] for f, vs in filters.items()}, sort,
        (page - 1) * size, size)
    items = [_item(settings, raw) for raw in result.items]

    def url(sort_by: str | None = None, toggle: tuple[str, str] | None = None,
            page_no: int | None = None) -> str:
        base: list[tuple[str, str]] = [("q", q)] if q else []
        state = {k: list(v) for k, v in filters.items()}
        if toggle is not None:
            facet, value = toggle[0], shorten(iri_base, *toggle)
            values = state.setdefault(facet, [])
            state[facet] = [v for v in values if v != value] if value in values else [
                *values, value]
        pairs = base + [(f, v) for f, vs in state.items() for v in vs]
        if (sort_by or sort) != "relevance":
            pairs.append(("sort", sort_by or sort))
        if page_no is not None:
            pairs.append(("page", str(page_no)))
        return "/search?" + urlencode(pairs) if pairs else "/search"

    export = "/api/collections?" + urlencode(
        ([("q", q)] if q else []) + [(f, v) for f, vs in filters.items() for v in vs]
        + [("format", "csv")])
    jsonld = {"@context": "https://schema.org/", "@type": "SearchResultsPage",
              "mainEntity": {"@type": "ItemList", "numberOfItems": result.total,
                             "itemListElement": [jsonld_item(i) for i in items]}}
    return templates.TemplateResponse(request, "search.html", {
        "q": q, "filters": filters, "sort": sort, "facet_names": FACET_NAMES,
        "marked": _marked, "field_names": MATCH_FIELDS,
        "short": lambda f, v: shorten(iri_base, f, v),
        "toggle": lambda f, v: url(toggle=(f, v)), "sort_url": lambda s: url(sort_by=s),
        "next_url": url(page_no=page + 1) if page * size < result.total else None,
        "export_url": export, "jsonld": jsonld,
        "page": SimpleNamespace(total=result.total, items=items, facets=result.facets)})


def collection_jsonld(c: CollectionDetail) -> dict[str, object]:
    out: dict[str, object] = {
        "@context": "https://schema.org/", "@type": ["Collection", "ArchiveComponent"],
        "@id": c.id, "name": c.title, "identifier": c.identifiers,
        "about": [{"@id": s.iri, "name": s.label} for s in c.subjects],
        "creator": [{"@id": s.iri, "name": s.label} for s in c.creators],
        "spatialCoverage": [{"@id": s.iri, "name": s.label} for s in c.places],
        "isPartOf": [{"@id": n.iri, "name": n.label} for n in c.networks],
    }
    if c.holder:
        out["holdingArchive"] = {"@id": c.holder.iri, "@type": "ArchiveOrganization",
                                 "name": c.holder.label}
    if c.periods:
        out["temporalCoverage"] = "; ".join(
            f"{p.start}/{p.end}" if p.start else p.label for p in c.periods)
    if c.description:
        out["description"] = c.description[0]
    if c.extent:
        out["materialExtent"] = c.extent
    return out


def render_collection(request: Request, c: CollectionDetail, base: str) -> HTMLResponse:
    return templates.TemplateResponse(request, "collection.html", {
        "c": c, "jsonld": collection_jsonld(c),
        "link": lambda r: page_of(r.iri, "subject", base),
        "agent_link": lambda r: page_of(r.iri, "creator", base)}, headers={"Vary": "Accept"})


def render_network(request: Request, reader: ReadStore, settings: Settings,
                   ident: str) -> HTMLResponse:
    n = network_detail(reader, settings.base_iri, ident)
    jsonld = {"@context": "https://schema.org/", "@type": "Collection", "@id": n.iri,
              "name": n.name, "description": n.description,
              "hasPart": [{"@id": m.id, "name": m.label} for m in n.nodes]}
    english = lang_of(request) == "en"
    edges = [{**e.model_dump(), "reason": (e.reason_en if english else e.reason) or e.why}
             for e in n.edges]
    return templates.TemplateResponse(request, "network.html", {
        "n": n, "titles": {m.id: m.label for m in n.nodes}, "jsonld": jsonld,
        "edges_for_graph": edges},
        headers={"Vary": "Accept"})


def render_institution(request: Request, reader: ReadStore, settings: Settings,
                       isil: str) -> HTMLResponse:
    i = institution_detail(reader, settings.base_iri, isil)
    fields = [("ISIL", i.isil)] + ([(N_("Ville"), i.city)] if i.city else []) + (
        [(N_("Département"), territory_label(str(department_iri(i.department))) or
          i.department)] if i.department else []) + (
        [(N_("Région"), territory_label(str(region_iri(i.region))) or i.region)]
        if i.region else []) + ([(N_("Site web"), i.website)] if i.website else [])
    jsonld: dict[str, object] = {"@context": "https://schema.org/",
                                 "@type": ["Library", "ArchiveOrganization"],
              "@id": i.iri, "name": i.name, "identifier": i.isil, "url": i.website,
              "address": {"@type": "PostalAddress", "addressLocality": i.city}}
    if i.latitude is not None:
        jsonld["geo"] = {"@type": "GeoCoordinates", "latitude": i.latitude,
                         "longitude": i.longitude}
    return templates.TemplateResponse(request, "list.html", {
        "heading": i.name, "intro": N_("Établissement"), "fields": fields,
        "sections": [(N_("Collections"), i.collections,
                      [(h.label, h.iri, "") for h in i.holdings])],
        "jsonld": jsonld}, headers={"Vary": "Accept"})


@router.get("/networks", response_class=HTMLResponse, summary="Thematic networks page")
def networks_page(request: Request) -> HTMLResponse:
    """All networks."""
    nets: list[NetworkSummary] = view(request, "networks")
    return templates.TemplateResponse(request, "list.html", {
        "heading": N_("Réseaux thématiques"), "intro": "",
        "sections": [("", None, [(n.name, n.iri, ngettext(
            lang_of(request), "%(num)s membre", "%(num)s membres", n.members))
            for n in nets])],
        "jsonld": {"@context": "https://schema.org/", "@type": "ItemList", "itemListElement":
                   [{"@type": "ListItem", "position": k + 1, "item": {"@id": n.iri,
                                                                      "name": n.name}}
                    for k, n in enumerate(nets)]}})


@router.get("/institutions", response_class=HTMLResponse, summary="Institutions page")
def institutions_page(request: Request) -> HTMLResponse:
    """All institutions."""
    insts: list[InstitutionSummary] = view(request, "institutions")
    return templates.TemplateResponse(request, "list.html", {
        "heading": N_("Établissements"), "intro": "",
        "sections": [("", None, [(i.name, i.iri, " · ".join(x for x in (i.city, ngettext(
            lang_of(request), "%(num)s collection", "%(num)s collections", i.collections))
            if x)) for i in insts])],
        "jsonld": {"@context": "https://schema.org/", "@type": "ItemList", "itemListElement":
                   [{"@type": "ListItem", "position": k + 1, "item": {"@id": i.iri,
                                                                      "name": i.name}}
                    for k, i in enumerate(insts)]}})


KIND_NAMES = {"person": N_("Personne"), "corporate body": N_("Collectivité"),
              "family": N_("Famille"), "agent": N_("Personne ou collectivité"),
              "place": N_("Lieu"), "subject": N_("Sujet"), "genre": N_("Genre ou forme"),
              "concept": N_("Concept")}
DATE_NAMES = {"birthDate": N_("Naissance"), "deathDate": N_("Mort"),
              "foundingDate": N_("Création"), "dissolutionDate": N_("Dissolution"),
              "existenceDates": N_("Existence")}
# the two facets of entity pages (their titles are translated in entity.html)
_ENTITY_FACETS = (N_("Établissement"), N_("Réseau"))
SCHEMA_TYPES = {"person": "Person", "corporate body": "Organization", "family": "Organization",
                "agent": "Organization", "place": "Place"}
Isil = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-z]{2}-[A-Za-z0-9:\-]{1,12}$",
                                   description="Only collections held by this ISIL")]
NetworkId = Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$",
                                        description="Only members of this network")]
PageNo = Annotated[int, Query(ge=1, le=500, description="Page (20 collections and 20"
                              " components a page)")]


def render_entity(request: Request, reader: ReadStore, settings: Settings, iri: str,
                  page: int = 1, institution: str | None = None,
                  network: str | None = None) -> HTMLResponse:
    """A person, body, family, place or subject and what cites it (``api/entity.py``)."""
    base = settings.base_iri
    e = entity_detail(reader, base, iri, page, institution, network)
    here = request.url.path
    filters = {k: v for k, v in (("institution", institution), ("network", network)) if v}
    keep = [(k, v) for k, v in request.query_params.multi_items() if k == "iri"]

    def url(toggle: tuple[str, str] | None = None, page_no: int | None = None) -> str:
        state = dict(filters)
        if toggle is not None:
            if state.get(toggle[0]) == toggle[1]:
                del state[toggle[0]]
            else:
                state[toggle[0]] = toggle[1]
        pairs = keep + list(state.items()) + ([("page", str(page_no))] if page_no else [])
        return here + ("?" + urlencode(pairs) if pairs else "")

    more = max(e.collections_total, e.components_total) > page * PAGE
    jsonld: dict[str, object] = {
        "@context": "https://schema.org/", "@type": SCHEMA_TYPES.get(e.kind, "DefinedTerm"),
        "@id": e.iri, "name": e.label, "alternateName": e.variants,
        "sameAs": [x.url for x in e.links]}
    return templates.TemplateResponse(request, "entity.html", {
        "e": e, "kind_names": KIND_NAMES, "date_names": DATE_NAMES, "filters": filters,
        "link": lambda r: page_of(r.iri, "subject", base),
        "toggle": lambda f, v: url(toggle=(f, v)),
        "next_url": url(page_no=page + 1) if more else None,
        "prev_url": url(page_no=page - 1) if page > 1 else None,
        "api_url": "/api/entity?" + urlencode(
            [("iri", iri), *filters.items()] + ([("page", str(page))] if page > 1 else [])),
        "jsonld": jsonld}, headers={"Vary": "Accept"})


def render_entity_from_query(request: Request, reader: ReadStore, settings: Settings,
                             iri: str) -> HTMLResponse:
    """The entity page of one of our IRIs (``/id/agent/...``), its filters read and checked
    from the query string as the routes above do."""
    params = request.query_params
    isil, net, page = params.get("institution"), params.get("network"), params.get("page", "1")
    if isil is not None and not re.match(r"^[A-Za-z]{2}-[A-Za-z0-9:\-]{1,12}$", isil):
        raise InvalidInput("institution: not an ISIL")
    if net is not None and not re.match(r"^[a-z0-9][a-z0-9-]{0,63}$", net):
        raise InvalidInput("network: not a network identifier")
    if not page.isdigit() or not 1 <= int(page) <= 500:
        raise InvalidInput("page: a number from 1 to 500")
    return render_entity(request, reader, settings, iri, int(page), isil, net)


def _idref(ppn: str) -> str:
    if not ppn_is_valid(ppn):
        raise InvalidInput(f"{ppn!r} is not a valid IdRef PPN")
    return f"http://www.idref.fr/{ppn.upper()}/id"


@router.get("/subjects/{ppn}", response_class=HTMLResponse, summary="Subject page")
def subject_page(request: Request, reader: Reader, settings: Config,
                 ppn: Annotated[str, PathParam(min_length=9, max_length=9,
                                               description="IdRef PPN")],
                 institution: Isil = None, network: NetworkId = None,
                 page: PageNo = 1) -> HTMLResponse:
    """A RAMEAU subject, its hierarchy, the collections and components about it."""
    return render_entity(request, reader, settings, _idref(ppn), page, institution, network)


@router.get("/agents/{ppn}", response_class=HTMLResponse, summary="Person or body page")
def agent_page(request: Request, reader: Reader, settings: Config,
               ppn: Annotated[str, PathParam(min_length=9, max_length=9,
                                             description="IdRef PPN")],
               institution: Isil = None, network: NetworkId = None,
               page: PageNo = 1) -> HTMLResponse:
    """A person or body from IdRef, and the collections and components citing it."""
    return render_entity(request, reader, settings, _idref(ppn), page, institution, network)


@router.get("/entity", response_class=HTMLResponse, summary="Any person, body, place or"
            " subject of the graph, by IRI")
def entity_page(request: Request, reader: Reader, settings: Config,
                iri: Annotated[str, Query(max_length=500, description="Entity IRI")],
                institution: Isil = None, network: NetworkId = None,
                page: PageNo = 1) -> HTMLResponse:
    """For entities named by others' IRIs (BnF, the Archives nationales...); IdRef's have
    ``/agents/{ppn}`` and ``/subjects/{ppn}``, ours their own IRI."""
    return render_entity(request, reader, settings, iri, page, institution, network)


@router.get("/widget/example", response_class=HTMLResponse, summary="How to embed the widget")
def widget_example(request: Request) -> HTMLResponse:
    """The documented example page of the embeddable search widget."""
    server = str(request.base_url).rstrip("/")
    return templates.TemplateResponse(request, "widget_example.html", {"server": server})


@router.get("/widget.js", summary="The embeddable search widget (a web component)",
            response_class=FileResponse,
            responses={200: {"content": {"text/javascript": {}}}})
def widget_script() -> FileResponse:
    """``<collex-search>``: one script tag, usable from any origin."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=3600"})


def render_component(request: Request, reader: ReadStore, settings: Settings, key: str,
                     ckey: str) -> HTMLResponse:
    """A component's permalink page (its IRI, ``{base}id/collection/{key}/c/{ckey}``)."""
    x = component_detail(reader, settings.base_iri, key, ckey)
    jsonld: dict[str, object] = {
        "@context": "https://schema.org/", "@type": "ArchiveComponent", "@id": x.id,
        "name": x.title or x.identifier, "identifier": x.identifier,
        "isPartOf": {"@id": (x.ancestors[-1] if x.ancestors else x.collection).iri},
        "about": [{"@id": a.iri, "name": a.label} for a in x.access_points
                  if a.role in ("subject", "place")],
        "creator": [{"@id": a.iri, "name": a.label} for a in x.access_points
                    if a.role == "creator"]}
    if x.dates:
        jsonld["temporalCoverage"] = "; ".join(x.dates)
    return templates.TemplateResponse(request, "component.html", {
        "x": x, "key": key, "role_names": ROLE_NAMES, "jsonld": jsonld},
        headers={"Vary": "Accept"})


def render_collection_page(request: Request, reader: ReadStore, settings: Settings,
                           key: str) -> HTMLResponse:
    return render_collection(request, collection_with_fields(reader, settings.base_iri, key),
                             settings.base_iri)
