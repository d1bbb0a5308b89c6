"""``/map``: the collections across the territory (page), and ``/api/map`` (the same counts
as JSON). See ``api/map.py``."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api import map as geo
from api.deps import get_reader, get_settings
from api.pages import templates
from api.routes.collections import expand, search_index, shorten
from api.views import view
from collex.settings import Settings
from graph.base import ReadStore
from graph.search import SearchResult
from loaders import territory

router = APIRouter(tags=["pages"])
Reader = Annotated[ReadStore, Depends(get_reader)]
Config = Annotated[Settings, Depends(get_settings)]
Discipline = Annotated[list[str] | None, Query(max_length=20, description="Discipline"
                                               " code(s) or IRI(s)")]
Network = Annotated[list[str] | None, Query(max_length=20, description="Thematic network"
                                            " identifier(s) or IRI(s)")]
Label = Annotated[list[str] | None, Query(max_length=20, description="yes: labelled"
                                          " CollEx only; no: not labelled only")]
FILTERS = ("discipline", "network", "collex")


class AreaCount(BaseModel):
    code: str = Field(description="INSEE code")
    name: str = Field(description="Official name")
    iri: str = Field(description="IRI in the territories scheme")
    collections: int = Field(description="Collections held in it (with the filters)")
    region: str | None = Field(None, description="INSEE code of the region (departments)")


class HolderPlace(BaseModel):
    iri: str
    name: str
    isil: str = ""
    department: str | None = Field(None, description="INSEE code, when known")
    latitude: float | None = None
    longitude: float | None = None
    collections: int = Field(description="Collections held (with the filters)")


class MapData(BaseModel):
    total: int = Field(description="Collections matching the filters")
    unplaced: int = Field(description="Of which: held by an institution of unknown department")
    regions: list[AreaCount]
    departments: list[AreaCount]
    institutions: list[HolderPlace]


def _counts(result: SearchResult, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets.get(facet, [])}


def map_data(request: Request, reader: ReadStore, settings: Settings,
             filters: dict[str, list[str]]) -> MapData:
    wide = search_index(request, reader, settings).search(
        "", filters, sort="title", offset=0, limit=1, facet_limit=100_000)
    regions, departments = _counts(wide, "region"), _counts(wide, "department")
    per_holder = _counts(wide, "institution")
    holders: list[geo.Holder] = view(request, "holders")
    return MapData(
        total=wide.total,
        unplaced=wide.total - sum(departments.values()),
        regions=[AreaCount(code=c, name=r["name"], iri=str(territory.region_iri(c)),
                           collections=regions.get(str(territory.region_iri(c)), 0))
                 for c, r in territory.regions().items()],
        departments=[AreaCount(code=c, name=d["name"], iri=str(territory.department_iri(c)),
                               region=d["region"], collections=departments.get(
                                   str(territory.department_iri(c)), 0))
                     for c, d in territory.departments().items()],
        institutions=[HolderPlace(iri=h.iri, name=h.name, isil=h.isil, department=h.department,
                                  latitude=h.latitude, longitude=h.longitude,
                                  collections=per_holder.get(h.iri, 0)) for h in holders])


def _filters(settings: Settings, discipline: list[str] | None, network: list[str] | None,
             collex: list[str] | None) -> dict[str, list[str]]:
    base = settings.base_iri
    out = {"discipline": [expand(base, "discipline", v) for v in discipline or [] if v],
           "network": [expand(base, "network", v) for v in network or [] if v],
           "collex": [v for v in collex or [] if v in ("yes", "no")]}
    return {k: v for k, v in out.items() if v}


@router.get("/api/map", response_model=MapData, tags=["collections"],
            summary="Collections per region, department and institution (the map's counts)")
async def map_api(request: Request, reader: Reader, settings: Config,
                  discipline: Discipline = None, network: Network = None,
                  collex: Label = None) -> MapData:
    """Counts of the collections matching the filters (discipline code, network id, CollEx
    label yes/no) per region and department of their holder (INSEE codes), and per holding
    institution with its coordinates."""
    request.app.state.rate_limiter.check(request)
    return await run_in_threadpool(map_data, request, reader, settings,
                                   _filters(settings, discipline, network, collex))


@router.get("/map", response_class=HTMLResponse, summary="Map of the collections")
async def map_page(request: Request, reader: Reader, settings: Config,
                   discipline: Discipline = None, network: Network = None,
                   collex: Label = None, by: Annotated[Literal["region", "department"], Query(
                       description="Areas drawn as links: regions or departments")] = "region",
                   ) -> HTMLResponse:
    """The collections across the territory, with a table of the same counts."""
    filters = _filters(settings, discipline, network, collex)
    data = await run_in_threadpool(map_data, request, reader, settings, filters)
    options = await run_in_threadpool(lambda: search_index(request, reader, settings).search(
        "", {}, sort="title", offset=0, limit=1, facet_limit=1000))
    base = settings.base_iri
    short = {f: [shorten(base, f, v) for v in vs] for f, vs in filters.items()}

    def search_url(**extra: str) -> str:
        params = [(f, v) for f, vs in short.items() for v in vs] + list(extra.items())
        return "/search?" + urlencode(params)

    frame = geo.frame()
    top = max((a.collections for a in (data.departments if by == "department"
                                        else data.regions)), default=0)
    areas = []  # (code, name, count, shade, [department codes], search url)
    if by == "region":
        for r in data.regions:
            deps = [d.code for d in data.departments if d.region == r.code]
            areas.append((r.code, r.name, r.collections, geo.shade(r.collections, top), deps,
                          search_url(region=r.code)))
    else:
        for d in data.departments:
            areas.append((d.code, f"{d.name} ({d.code})", d.collections,
                          geo.shade(d.collections, top), [d.code],
                          search_url(department=d.code)))
    most = max((h.collections for h in data.institutions), default=0) or 1
    points, unmapped, misplaced = [], [], []
    for h in data.institutions:
        if not h.collections:
            continue
        target = search_url(institution=shorten(base, "institution", h.iri))
        if h.latitude is None or h.longitude is None:
            unmapped.append((h, target))
            continue
        at = frame.place(h.department, h.longitude, h.latitude)
        if at is None:
            misplaced.append((h, target))
        else:
            radius = 4 + 10 * (h.collections / most) ** 0.5
            points.append((h, target, round(at[0], 1), round(at[1], 1), round(radius, 1)))
    points.sort(key=lambda p: -p[4])  # small circles drawn last, on top
    return templates.TemplateResponse(request, "map.html", {
        "data": data, "by": by, "areas": areas, "paths": geo.department_paths(),
        "borders": geo.region_border_path(), "insets": frame.insets,
        "zoom_box": geo.ZOOM_BOX, "width": geo.WIDTH,
        "height": geo.HEIGHT, "points": points, "unmapped": unmapped,
        "misplaced": misplaced,
        "departments": territory.departments(),
        "filters": short, "options": options.facets, "search_url": search_url,
        "short": lambda f, v: shorten(base, f, v),
        "jsonld": {"@context": "https://schema.org/", "@type": "Map",
                   "name": "Carte des collections d'excellence", "mapType": "VenueMap"}})
