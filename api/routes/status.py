"""Home page and status: what the store holds."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import get_reader, get_settings
from api.pages import templates
from api.views import view
from collex import __version__
from collex.settings import Settings
from graph.base import ReadStore

router = APIRouter()

_SOURCES = """
PREFIX collex: <https://w3id.org/collex/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
SELECT ?graph (SAMPLE(?c) AS ?collection) (SAMPLE(?t) AS ?title) (SAMPLE(?f) AS ?format)
       (SAMPLE(?n) AS ?file) (SAMPLE(?when) AS ?loaded) (MIN(STR(?h)) AS ?holder) WHERE {
  GRAPH ?graph {
    ?graph a collex:SourceRecord ; collex:sourceFormat ?f ; collex:fileName ?n .
    OPTIONAL { ?graph prov:generatedAtTime ?when }
    OPTIONAL { ?c prov:wasDerivedFrom ?graph ; a <http://purl.org/dc/dcmitype/Collection> .
               OPTIONAL { ?c dcterms:title ?t }
               OPTIONAL { ?c rico:hasOrHadHolder ?h } }
  }
} GROUP BY ?graph
"""
# The holders' names, described once in their own graphs, read apart: joined in the query
# above, the records without a holder (every IdRef record) met every foaf:name of the store
# (an unbound ?h), and the status took over 5 minutes at S.
_HOLDERS = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rico: <https://www.ica.org/standards/RiC/ontology#>
SELECT ?h (MIN(?name) AS ?n) WHERE { { SELECT DISTINCT ?h WHERE { ?c rico:hasOrHadHolder ?h } }
  ?h foaf:name ?name } GROUP BY ?h
"""


class Source(BaseModel):
    graph: str = Field(description="Named graph holding this source record")
    collection: str | None = Field(None, description="IRI of the collection it describes")
    title: str | None = Field(None, description="Title of the collection")
    holder: str | None = Field(None, description="Name of the holding institution")
    format: str = Field(description="Source format, e.g. EAD 2002")
    file: str = Field(description="Name of the loaded file")
    loaded: str | None = Field(None, description="When it was loaded (UTC)")


class Status(BaseModel):
    version: str = Field(description="Software version")
    triples: int = Field(description="Triples in the store")
    graphs: int = Field(description="Named graphs in the store")
    classes: dict[str, int] = Field(description="Resources per class")
    sources: list[Source] = Field(description="Loaded source records")


def compute_status(reader: ReadStore) -> Status:
    stats = reader.stats()
    names = {str(getattr(r["h"], "value", "")): str(getattr(r["n"], "value", ""))
             for r in reader.select(_HOLDERS)}
    sources = []
    for row in reader.select(_SOURCES):
        values = {k: getattr(v, "value", str(v)) for k, v in row.items()}
        if "holder" in values:
            values["holder"] = names.get(values["holder"])
        sources.append(Source(**values))
    sources.sort(key=lambda s: (s.holder is None, s.holder or "", s.title is None,
                                s.title or ""))
    return Status(version=__version__, triples=stats.triples,
                  graphs=len(stats.triples_per_graph), classes=stats.resources_per_class,
                  sources=sources)


@router.get("/api/status", response_model=Status, summary="What the store holds",
            tags=["status"])
def status(request: Request, reader: Annotated[ReadStore, Depends(get_reader)]) -> Status:
    """Counts, classes and every loaded source record."""
    return _cached_status(request, reader)


def _cached_status(request: Request, reader: ReadStore) -> Status:
    status: Status = view(request, "status")
    return status


@router.get("/healthz", summary="Liveness probe", tags=["status"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/status", response_class=HTMLResponse, summary="What is loaded (operators)",
            tags=["pages"])
def status_page(request: Request,
                reader: Annotated[ReadStore, Depends(get_reader)]) -> HTMLResponse:
    """The operators' page: counts and every loaded notice, in French first."""
    return templates.TemplateResponse(request, "status.html",
                                      {"status": _cached_status(request, reader)})


@router.get("/", response_class=HTMLResponse, summary="Home page", tags=["pages"])
def home(request: Request, reader: Annotated[ReadStore, Depends(get_reader)],
         settings: Annotated[Settings, Depends(get_settings)]) -> HTMLResponse:
    """The front door: a search box, the thematic networks, disciplines and institutions with
    their counts, the latest loads."""
    from api.routes.collections import run_search, shorten

    status = _cached_status(request, reader)
    facets = run_search(request, reader, settings, "", {}, "title", 0, 1)
    recent = sorted((s for s in status.sources if s.collection),
                    key=lambda s: s.loaded or "", reverse=True)[:8]
    institutions = {s.holder for s in status.sources if s.collection and s.holder}
    return templates.TemplateResponse(request, "home.html", {
        "networks": view(request, "networks"),
        "disciplines": facets.facets.get("discipline", []),
        "institutions": facets.facets.get("institution", []),
        "recent": recent,
        "totals": SimpleNamespace(collections=facets.total, institutions=len(institutions)),
        "search_url": lambda facet, value: "/search?" + urlencode(
            {facet: shorten(settings.base_iri, facet, value)}),
    })
