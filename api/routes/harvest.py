"""Harvested repositories: what each source's last harvests did (``GET /api/sources``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import get_reader, get_settings
from collex.settings import Settings
from graph.base import ReadStore
from loaders.harvest.sources import SourcesError, load_sources
from loaders.harvest.state import Run, read_states

router = APIRouter()


class HarvestRun(BaseModel):
    started: str = Field(description="When it started (UTC)")
    ended: str | None = Field(None, description="When it ended (UTC); none while running")
    outcome: str = Field(description="running, complete or failed")
    error: str | None = Field(None, description="Why it failed")
    from_: str | None = Field(None, alias="from", description="The from argument asked")
    until: str | None = Field(None, description="The until argument asked")
    pages: int = Field(description="Pages (ListRecords answers) loaded")
    records: int = Field(description="Records read, deletions included")
    added: int = Field(description="Records new to the store")
    updated: int = Field(description="Records that replaced an older version")
    unchanged: int = Field(description="Records already in the store as they are")
    deleted: int = Field(description="Records removed (deleted at the source)")
    rejected: int = Field(description="Records refused (see the harvest report)")
    datestamp_reached: str | None = Field(None, description="Latest record datestamp met")
    next_from: str | None = Field(None, description="From argument of the next incremental"
                                                    " harvest (complete harvests)")

    model_config = {"populate_by_name": True}


class HarvestSource(BaseModel):
    id: str = Field(description="Source id (sources file) or url-... key (a URL harvested alone)")
    url: str = Field(description="OAI-PMH base URL")
    metadata_prefix: str = Field(description="metadataPrefix harvested")
    set: str | None = Field(None, description="setSpec harvested")
    kind: str = Field(description="ead, dc, eac or idref")
    name: str | None = Field(None, description="Name of the source")
    institution: str | None = Field(None, description="ISIL of who publishes the records")
    granularity: str | None = Field(None, description="The repository's datestamp granularity")
    deleted_record: str | None = Field(None, description="The repository's deletedRecord policy")
    last: HarvestRun | None = Field(None, description="The last harvest that ended")
    last_complete: HarvestRun | None = Field(None, description="The last complete harvest")
    running: HarvestRun | None = Field(None, description="A harvest under way or interrupted:"
                                                         " the next one resumes after it")


class Sources(BaseModel):
    sources: list[HarvestSource] = Field(description="Every source harvested into this store")
    never_harvested: list[str] = Field(description="Sources of COLLEX_HARVEST_SOURCES not"
                                                   " harvested yet")


def _run(run: Run | None) -> HarvestRun | None:
    if run is None:
        return None
    values = {k: v for k, v in vars(run).items() if k != "token" and k != "first_response_date"}
    values["from"] = values.pop("from_")
    return HarvestRun.model_validate(values)


@router.get("/api/sources", response_model=Sources, response_model_by_alias=True,
            summary="Harvested OAI-PMH sources and their last harvests", tags=["status"])
def sources(reader: Annotated[ReadStore, Depends(get_reader)],
            settings: Annotated[Settings, Depends(get_settings)]) -> Sources:
    """Per source: the last harvest (start, end, datestamp reached, records added, updated,
    deleted, rejected, the error if it failed), the last complete one, and the one under way
    or interrupted."""
    states = read_states(reader, settings.base_iri)
    try:
        configured = [s.id for s in load_sources(settings.harvest_sources)]
    except SourcesError:
        configured = []
    known = {s.key for s in states}
    return Sources(
        sources=[HarvestSource(id=s.key, url=s.url, metadata_prefix=s.prefix, set=s.set_spec,
                               kind=s.kind, name=s.name, institution=s.institution,
                               granularity=s.granularity,
                               deleted_record=s.deleted_record, last=_run(s.last),
                               last_complete=_run(s.complete), running=_run(s.current))
                 for s in states],
        never_harvested=[i for i in configured if i not in known])
