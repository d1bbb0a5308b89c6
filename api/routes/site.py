"""What crawlers and browsers ask every site for: ``robots.txt``, sitemaps, a favicon.

The sitemap index (``/sitemap.xml``) lists a sitemap of the site's pages and entities and one
per ``PAGE`` collections (the protocol allows 50,000 URLs a sitemap; 10^5 collections make
five), each URL with its ``lastmod`` (when its notice was loaded).
"""

from __future__ import annotations

import struct
from functools import lru_cache
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import PlainTextResponse, Response

from api.deps import get_reader, get_settings
from collex.errors import NotFound
from collex.settings import Settings
from graph.base import ReadStore

router = APIRouter()
Reader = Annotated[ReadStore, Depends(get_reader)]
Config = Annotated[Settings, Depends(get_settings)]
PAGE = 20_000
_XML = "application/xml"
_SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
_COUNT = ("SELECT (COUNT(?c) AS ?n) WHERE { ?c a <http://purl.org/dc/dcmitype/Collection> }")
_PAGE = """SELECT ?c (MAX(?t) AS ?when) WHERE {
  ?c a <http://purl.org/dc/dcmitype/Collection> .
  OPTIONAL { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?g .
             GRAPH ?g { ?g <http://www.w3.org/ns/prov#generatedAtTime> ?t } }
} GROUP BY ?c ORDER BY ?c LIMIT %d OFFSET %d"""
_ENTITIES = """SELECT DISTINCT ?e WHERE {
  { ?e a <https://w3id.org/collex/def#ThematicNetwork> }
  UNION { ?e a <https://w3id.org/collex/def#Institution> }
  FILTER(STRSTARTS(STR(?e), "%s")) } ORDER BY ?e"""


@router.get("/robots.txt", response_class=PlainTextResponse, tags=["pages"],
            summary="Crawling rules, with the sitemap")
def robots(request: Request) -> PlainTextResponse:
    """Everything may be crawled but the query endpoints; the sitemap index is named."""
    root = str(request.base_url).rstrip("/")
    return PlainTextResponse("User-agent: *\nDisallow: /sparql\nDisallow: /rdf-graph-store\n"
                             "Disallow: /api/\nAllow: /\n"
                             f"Sitemap: {root}/sitemap.xml\n")


@router.get("/sitemap.xml", response_class=Response, tags=["pages"],
            summary="Sitemap index: site pages and entities, then collections by pages",
            responses={200: {"content": {_XML: {}}}})
def sitemap_index(request: Request, reader: Reader) -> Response:
    rows = reader.select(_COUNT)
    count = int(getattr(rows[0].get("n"), "value", 0)) if rows else 0
    root = str(request.base_url).rstrip("/")
    names = ["site", *(f"collections-{i + 1}" for i in range((count + PAGE - 1) // PAGE))]
    body = "".join(f"<sitemap><loc>{root}/sitemaps/{n}.xml</loc></sitemap>" for n in names)
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_SM}">'
                    f"{body}</sitemapindex>\n", media_type=_XML)


@router.get("/sitemaps/{name}.xml", response_class=Response, tags=["pages"],
            summary="One sitemap of the index", responses={
                200: {"content": {_XML: {}}}, 404: {"description": "No such sitemap"}})
def sitemap(request: Request, reader: Reader, settings: Config,
            name: Annotated[str, PathParam(pattern=r"^(site|collections-[1-9][0-9]{0,5})$",
                                           description="site, or collections-N")]) -> Response:
    root = str(request.base_url).rstrip("/")
    entries: list[tuple[str, str | None]] = []
    if name == "site":
        entries = [(f"{root}{p}", None) for p in ("/", "/search", "/networks",
                                                    "/institutions", "/map", "/query")]
        entries += [(str(getattr(r["e"], "value", "")), None)
                    for r in reader.select(_ENTITIES % f"{settings.base_iri}id/")]
    else:
        page = int(name.rsplit("-", 1)[1])
        rows = reader.select(_PAGE % (PAGE, (page - 1) * PAGE))
        if not rows:
            raise NotFound(f"no sitemap {name}")
        entries = [(str(getattr(r["c"], "value", "")),
                    str(getattr(r.get("when"), "value", "")) or None) for r in rows]
    urls = "".join(f"<url><loc>{escape(loc)}</loc>"
                   + (f"<lastmod>{escape(when)}</lastmod>" if when else "") + "</url>"
                   for loc, when in entries)
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_SM}">{urls}'
                    "</urlset>\n", media_type=_XML)


@router.get("/favicon.ico", response_class=Response, tags=["pages"],
            summary="The site's icon", responses={200: {"content": {"image/x-icon": {}}}})
def favicon() -> Response:
    return Response(_icon(), media_type="image/x-icon",
                    headers={"Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=1)
def _icon() -> bytes:
    """A 32x32 icon (the favicon.svg's colours: a dark blue square, a white frame)."""
    size = 32
    pixels = bytearray()
    for y in range(size):  # bottom-up rows of BGRA
        for x in range(size):
            edge = min(x, y, size - 1 - x, size - 1 - y)
            white = 8 <= edge <= 10 and not (x > 18 and 12 <= y <= 19)  # a "C"
            pixels += b"\xff\xff\xff\xff" if white else b"\x6e\x3a\x1d\xff"
    mask = b"\x00" * (size * size // 8)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0,
                         len(pixels) + len(mask), 0, 0, 0, 0)
    image = header + bytes(pixels) + mask
    return struct.pack("<HHH", 0, 1, 1) + struct.pack(
        "<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 22) + image
