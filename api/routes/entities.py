"""Entity API: thematic networks (members and relations as nodes and edges), institutions,
IdRef agents and subjects."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam

from api.data import (
    authority_detail,
    institution_detail,
    network_detail,
)
from api.deps import get_reader, get_settings
from api.entity import entity_detail
from api.models import (
    AuthorityDetail,
    EntityDetail,
    InstitutionDetail,
    InstitutionSummary,
    NetworkDetail,
    NetworkSummary,
)
from api.views import view
from collex.errors import InvalidInput
from collex.settings import Settings
from graph.base import ReadStore
from loaders.authority import ppn_is_valid

router = APIRouter()
Reader = Annotated[ReadStore, Depends(get_reader)]
Config = Annotated[Settings, Depends(get_settings)]
_NOT_FOUND: dict[int | str, dict[str, object]] = {404: {"description": "Not in the graph"}}


def _ppn(ppn: str) -> str:
    if not ppn_is_valid(ppn):
        raise InvalidInput(f"{ppn!r} is not a valid IdRef PPN")
    return ppn.upper()


@router.get("/api/networks", response_model=list[NetworkSummary], tags=["networks"],
            summary="Thematic networks")
def networks(request: Request) -> list[NetworkSummary]:
    """Every loaded thematic network with its number of members."""
    return view(request, "networks")  # type: ignore[no-any-return]


@router.get("/api/networks/{ident}", response_model=NetworkDetail, tags=["networks"],
            summary="One network: members as nodes, relations between them as edges",
            responses=_NOT_FOUND)
def network(ident: Annotated[str, PathParam(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$",
                                            description="Network identifier")],
            reader: Reader, settings: Config) -> NetworkDetail:
    """Members (CollEx and third-party) and the related-collection edges between them."""
    return network_detail(reader, settings.base_iri, ident)


@router.get("/api/institutions", response_model=list[InstitutionSummary],
            tags=["institutions"], summary="Institutions with an ISIL")
def institutions(request: Request) -> list[InstitutionSummary]:
    """Institutions and the number of collections each holds."""
    return view(request, "institutions")  # type: ignore[no-any-return]


@router.get("/api/institutions/{isil}", response_model=InstitutionDetail,
            tags=["institutions"], summary="One institution and its collections",
            responses=_NOT_FOUND)
def institution(isil: Annotated[str, PathParam(max_length=20,
                                               pattern=r"^[A-Z]{2}-[A-Za-z0-9:/\-]{1,12}$",
                                               description="ISIL, e.g. FR-751052116")],
                reader: Reader, settings: Config) -> InstitutionDetail:
    """Name, place, web site and holdings."""
    if not re.match(r"^[A-Za-z0-9:\-]+$", isil):
        raise InvalidInput("not an ISIL")
    return institution_detail(reader, settings.base_iri, isil)


@router.get("/api/agents/{ppn}", response_model=AuthorityDetail, tags=["authorities"],
            summary="A person, body or family from IdRef, and its collections",
            responses=_NOT_FOUND)
def agent(ppn: Annotated[str, PathParam(min_length=9, max_length=9,
                                        description="IdRef PPN")],
          reader: Reader) -> AuthorityDetail:
    """Labels, dates, equivalences and the collections by or about it."""
    return authority_detail(reader, _ppn(ppn))


@router.get("/api/subjects/{ppn}", response_model=AuthorityDetail, tags=["authorities"],
            summary="A RAMEAU subject from IdRef, its hierarchy and its collections",
            responses=_NOT_FOUND)
def subject(ppn: Annotated[str, PathParam(min_length=9, max_length=9,
                                          description="IdRef PPN")],
            reader: Reader) -> AuthorityDetail:
    """Labels, broader and narrower subjects, collections about it or a narrower subject."""
    return authority_detail(reader, _ppn(ppn))


@router.get("/api/entity", response_model=EntityDetail, tags=["authorities"],
            summary="Any person, body, family, place or subject, and what cites it",
            responses=_NOT_FOUND)
def entity(iri: Annotated[str, Query(max_length=500, description="Entity IRI (IdRef, BnF,"
                                     " the Archives nationales or ours)")],
           reader: Reader, settings: Config,
           institution: Annotated[str | None, Query(
               max_length=20, pattern=r"^[A-Za-z]{2}-[A-Za-z0-9:\-]{1,12}$",
               description="Only collections held by this ISIL")] = None,
           network: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$",
                                                description="Only members of this network")
                              ] = None,
           page: Annotated[int, Query(ge=1, le=500, description="Page (20 collections and 20"
                                      " components a page)")] = 1) -> EntityDetail:
    """Names, dates, links to IdRef/BnF/ISNI/VIAF/Wikidata, and the collections and components
    citing it (a subject: or a narrower subject), counted, paged and faceted by institution
    and network."""
    return entity_detail(reader, settings.base_iri, iri, page, institution, network)
