"""`/api/collections`: full-text search with facets, paging, cursor, exports; one collection."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from api.data import collection_key, component_children
from api.deps import get_reader, get_settings
from api.models import (
    CollectionDetail,
    ComponentDetail,
    ComponentPage,
    FacetCount,
    Match,
    SearchItem,
    SearchPage,
)
from api.records import collection_with_fields, component_detail, with_details
from api.searching import SearchFollower
from collex.errors import InvalidInput
from collex.settings import Settings
from graph.base import ReadStore
from graph.search import SORTS, SearchResult, SqliteSearchIndex
from loaders.text import spreadsheet_row

router = APIRouter(tags=["collections"])

Multi = Annotated[list[str] | None, Query(max_length=20)]


def search_index(request: Request, reader: ReadStore, settings: Settings) -> SqliteSearchIndex:
    """The search index as it stands: built first if there is none, never rebuilt in a
    request (writes are followed in the background, ``api.searching``)."""
    follower: SearchFollower = request.app.state.search
    return follower.ensure_built()


def _short_forms(base: str) -> dict[str, str]:
    return {"network": f"{base}id/network/", "institution": f"{base}id/institution/",
            "discipline": "https://w3id.org/collex/disciplines/",
            "region": "https://w3id.org/collex/territory/region/",
            "department": "https://w3id.org/collex/territory/department/"}


def expand(base: str, facet: str, value: str) -> str:
    """A facet value as the index has it: a network id, an ISIL or a discipline code made
    the IRI it stands for (IRIs and other facets' values as they are).

    >>> expand("http://x/", "network", "geo"), expand("http://x/", "level", "fonds")
    ('http://x/id/network/geo', 'fonds')
    """
    prefix = _short_forms(base).get(facet)
    return prefix + value if prefix and not value.startswith(("http://", "https://")) else value


def shorten(base: str, facet: str, value: str) -> str:
    """The short form of a facet value, for readable URLs (the inverse of ``expand``).

    >>> shorten("http://x/", "institution", "http://x/id/institution/FR-1")
    'FR-1'
    """
    prefix = _short_forms(base).get(facet)
    return value[len(prefix):] if prefix and value.startswith(prefix) else value


def run_search(request: Request, reader: ReadStore, settings: Settings, q: str,
               filters: dict[str, list[str]], sort: str, offset: int,
               limit: int) -> SearchResult:
    return search_index(request, reader, settings).search(q, filters, sort=sort,
                                                          offset=offset, limit=limit)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["o"]
        if not isinstance(value, int) or isinstance(value, bool):  # not 1.5, NaN, Infinity
            raise ValueError(value)
        offset = value
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        raise InvalidInput("invalid cursor: use next_cursor from a previous answer") from None
    if not 0 <= offset <= 10_000_000:
        raise InvalidInput("invalid cursor")
    return offset


def _item(settings: Settings, raw: dict[str, object]) -> SearchItem:
    iri = str(raw["id"])
    return SearchItem(id=iri, key=collection_key(settings.base_iri, iri),
                      title=str(raw.get("title", "")), holder=str(raw.get("holder", "")),
                      dates=str(raw.get("dates", "")), extent=str(raw.get("extent", "")),
                      identifier=str(raw.get("identifier", "")), level=str(raw.get("level", "")),
                      matches=[Match(**m) for m in raw.get("matches", [])],  # type: ignore[attr-defined]
                      component_matches=int(raw.get("component_matches", 0)))  # type: ignore[call-overload]


def jsonld_item(item: SearchItem) -> dict[str, object]:
    out: dict[str, object] = {"@id": item.id, "@type": "Collection", "name": item.title}
    if item.holder:
        out["holdingArchive"] = {"@type": "ArchiveOrganization", "name": item.holder}
    if item.dates:
        out["temporalCoverage"] = item.dates
    if item.identifier:
        out["identifier"] = item.identifier
    return out


@router.get("/api/collections", response_model=SearchPage,
            summary="Search collections (full text, facets, paging, exports)",
            responses={200: {"content": {"application/ld+json": {}, "text/csv": {}}}})
async def search(
    request: Request,
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
    q: Annotated[str, Query(max_length=200, description="Words to find; accents and case are"
                            " ignored; end a word with * for a prefix")] = "",
    discipline: Annotated[Multi, Query(description="Discipline IRI(s) or code(s)")] = None,
    institution: Annotated[Multi, Query(description="Institution IRI(s) or ISIL(s)")] = None,
    network: Annotated[Multi, Query(description="Thematic network IRI(s) or identifier(s)")
                       ] = None,
    subject: Annotated[Multi, Query(description="Subject IRI(s)")] = None,
    level: Annotated[Multi, Query(description="Level of description (fonds, collection...)")
                     ] = None,
    century: Annotated[Multi, Query(description="Century number(s), e.g. 19")] = None,
    language: Annotated[Multi, Query(description="Language IRI(s) (ISO 639-2)")] = None,
    place: Annotated[Multi, Query(description="Place IRI(s)")] = None,
    collex: Annotated[Multi, Query(description="yes: labelled CollEx; no: not labelled")] = None,
    region: Annotated[Multi, Query(description="Region IRI(s) or INSEE code(s) of the"
                                   " holder's region, e.g. 84")] = None,
    department: Annotated[Multi, Query(description="Department IRI(s) or INSEE code(s) of"
                                       " the holder's department, e.g. 75, 2A")] = None,
    sort: Annotated[Literal["relevance", "title", "date"], Query(
        description="relevance (with q), title or date")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100, description="Results per page (max 100)")] = 20,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the"
                                        " previous page")] = None,
    format: Annotated[Literal["json", "jsonld", "csv"], Query(
        description="json; jsonld (schema.org); csv exports the whole result set")] = "json",
) -> Response:
    """Collections matching the words and filters: AND across facets, OR within a facet."""
    request.app.state.rate_limiter.check(request)
    assert sort in SORTS
    base = settings.base_iri
    for name, values in (("network", network), ("institution", institution),
                         ("discipline", discipline), ("region", region),
                         ("department", department)):
        if values:  # short forms: network id, ISIL, discipline code, INSEE code
            values[:] = [expand(base, name, v) for v in values]
    filters = {k: v for k, v in {
        "discipline": discipline, "institution": institution, "network": network,
        "subject": subject, "level": level, "century": century, "language": language,
        "place": place, "collex": collex, "region": region,
        "department": department}.items() if v}
    offset = _offset(cursor)
    if format == "csv":
        result = await run_in_threadpool(run_search, request, reader, settings, q, filters,
                                         sort, 0, 1_000_000)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["iri", "title", "holder", "dates", "extent", "identifier", "level"])
        for raw in result.items:
            it = _item(settings, raw)
            w.writerow(spreadsheet_row([it.id, it.title, it.holder, it.dates, it.extent,
                                        it.identifier, it.level]))
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="collections.csv"'})
    result = await run_in_threadpool(run_search, request, reader, settings, q, filters, sort,
                                     offset, limit)
    items = [_item(settings, raw) for raw in result.items]
    nxt = _cursor(offset + limit) if offset + limit < result.total else None
    if format == "jsonld":
        return JSONResponse({
            "@context": "https://schema.org/", "@type": "ItemList",
            "numberOfItems": result.total,
            "itemListElement": [{"@type": "ListItem", "position": offset + i + 1,
                                 "item": jsonld_item(it)} for i, it in enumerate(items)],
        }, media_type="application/ld+json")
    page = SearchPage(total=result.total, items=items, next_cursor=nxt, facets={
        f: [FacetCount(value=v.value, label=v.label, count=v.count) for v in vals]
        for f, vals in result.facets.items()})
    return JSONResponse(page.model_dump())


@router.get("/api/collections/{key}", response_model=CollectionDetail,
            summary="One collection with its holder, dates, subjects, networks and relations",
            responses={404: {"description": "No such collection"}})
def collection(
    key: Annotated[str, PathParam(max_length=300, description="Collection key (the end of its"
                                  " IRI)")],
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> CollectionDetail:
    """Everything the graph says about the collection, in one JSON document."""
    if not key or any(c in key for c in '<>"{}|\\^` '):
        raise InvalidInput("not a collection key")
    return collection_with_fields(reader, settings.base_iri, key)


_KEY_FORBIDDEN = '<>"{}|\\^` '


@router.get("/api/collections/{key}/components", response_model=ComponentPage,
            summary="One page of the component tree: the children of the collection or of a"
                    " component", responses={404: {"description": "No such collection or"
                                                    " component"}})
def components(
    key: Annotated[str, PathParam(max_length=300, description="Collection key")],
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
    parent: Annotated[str | None, Query(max_length=300, description="Key of the component"
                                        " whose children to list (the end of its IRI, after"
                                        " /c/); none: the top of the tree")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Children to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="Children per page (max 200)")
                     ] = 50,
) -> ComponentPage:
    """The tree is read level by level: each item says how many children it has."""
    for value in (key, parent or ""):
        if any(c in value for c in _KEY_FORBIDDEN):
            raise InvalidInput("not a collection or component key")
    if not key:
        raise InvalidInput("not a collection key")
    return with_details(reader, settings.base_iri, component_children(
        reader, settings.base_iri, key, parent or None, offset, limit))


@router.get("/api/collections/{key}/components/{ckey}", response_model=ComponentDetail,
            summary="One component: its place in the tree and its whole description",
            responses={404: {"description": "No such collection or component"}})
def component(
    key: Annotated[str, PathParam(max_length=300, description="Collection key")],
    ckey: Annotated[str, PathParam(max_length=300, description="Component key (the end of"
                                   " its IRI, after /c/)")],
    reader: Annotated[ReadStore, Depends(get_reader)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> ComponentDetail:
    """Ancestors from the top down, title, shelfmark, level, dates, access points and every
    other element (named; unknown ones under their CURIE); its permalink is its IRI."""
    for value in (key, ckey):
        if not value or any(c in value for c in _KEY_FORBIDDEN):
            raise InvalidInput("not a collection or component key")
    return component_detail(reader, settings.base_iri, key, ckey)
