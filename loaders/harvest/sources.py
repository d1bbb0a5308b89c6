"""The harvest sources file: the OAI-PMH repositories curators want harvested.

A TOML file (``COLLEX_HARVEST_SOURCES``, example in ``loaders/harvest/sources.example.toml``,
JSON Schema in ``loaders/harvest/sources.schema.json``), one ``[[source]]`` table per
repository and metadata format:

.. code-block:: toml

    [[source]]
    id = "calames"                      # the name harvests and the state go by
    name = "Calames (Abes)"
    institution = "FR-751052116"        # ISIL (FR-...) or RCR (9 digits) of who publishes it
    url = "http://www.calames.abes.fr/oai/oai2.aspx"
    metadata_prefix = "ead"
    set = "751052116"                   # optional
    kind = "ead"                        # ead | dc | eac | idref
    schedule = "daily"                  # a hint for operators: daily | weekly | monthly
    contact = "calames@abes.fr"
    rate_limit = 1.0                    # optional: requests per second (COLLEX_HARVEST_RATE)
    enabled = true

Every mistake is reported with the source's position and id, all at once, before anything is
contacted.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from loaders.rdf import iri_problem

SCHEMA_PATH = Path(__file__).with_name("sources.schema.json")
EXAMPLE_PATH = Path(__file__).with_name("sources.example.toml")

# what each kind of source gives, and the loader format its answers go through
KIND_FORMAT = {"ead": "oai", "dc": "oai", "eac": "oai", "idref": "idref"}


class SourcesError(Exception):
    """The sources file cannot be used; the message lists every problem."""


class Source(BaseModel):
    """One OAI-PMH repository (and metadata format, and set) to harvest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$",
                    description="Short name of the source: lower-case letters, digits, - and _")
    name: str = Field(min_length=1, description="Human name of the source")
    institution: str | None = Field(
        None, description="ISIL (FR-...) or RCR (9 digits) of the institution that publishes it")
    url: str = Field(description="OAI-PMH base URL (http or https, no query)")
    metadata_prefix: str = Field(pattern=r"^[A-Za-z0-9_.!~*'()-]+$",
                                 description="metadataPrefix to harvest (ead, oai_dc, marc-xml...)")
    set: str | None = Field(None, min_length=1, description="setSpec to harvest (optional)")
    kind: Literal["ead", "dc", "eac", "idref"] = Field(
        description="What the records are: EAD notices, Dublin Core notices, EAC-CPF or IdRef"
                    " (UNIMARC) authorities")
    schedule: Literal["daily", "weekly", "monthly", "manual"] = Field(
        "daily", description="How often operators should run it (a hint; see README)")
    contact: str | None = Field(None, description="Who to write to about this source")
    rate_limit: float | None = Field(
        None, gt=0, le=50, description="Requests per second to its host (default"
                                       " COLLEX_HARVEST_RATE)")
    enabled: bool = Field(True, description="false: kept in the file, not harvested by --all")

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlparse(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("an http(s) URL is expected")
        if parts.query or parts.fragment:
            raise ValueError("the base URL takes no query or fragment (the harvester adds"
                             " ?verb=...)")
        problem = iri_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("institution")
    @classmethod
    def _isil_or_rcr(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if re.fullmatch(r"\d{8}[\dX]", value) or re.fullmatch(r"[A-Z]{2}-[A-Za-z0-9:/-]{1,11}",
                                                              value):
            return value
        raise ValueError("an ISIL (FR-751052116) or an RCR (751052116) is expected")

    @field_validator("contact")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError("an e-mail address is expected")
        return value


class SourcesFile(BaseModel):
    """The whole file."""

    model_config = ConfigDict(extra="forbid")

    source: list[Source] = Field(default_factory=list,
                                 description="The sources, one [[source]] table each")


def load_sources(path: Path) -> list[Source]:
    """The sources of ``path``; :class:`SourcesError` lists every problem in it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"no sources file {path} (COLLEX_HARVEST_SOURCES; an example is"
                           f" {EXAMPLE_PATH.as_posix()})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path} is not valid TOML: {exc}") from None
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = "the file"
            if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
                raw = data.get("source", [])
                ident = raw[loc[1]].get("id") if isinstance(raw, list) and isinstance(
                    raw[loc[1]], dict) else None
                where = f"source {loc[1] + 1}" + (f" ({ident})" if ident else "")
                loc = loc[2:]
            field = ".".join(str(x) for x in loc)
            problems.append(f"{where}: {field + ': ' if field else ''}{err['msg']}")
        raise SourcesError(f"{path}: " + "; ".join(problems)) from None
    seen: set[str] = set()
    for src in parsed.source:
        if src.id in seen:
            raise SourcesError(f"{path}: two sources named {src.id!r}")
        seen.add(src.id)
    return parsed.source


def json_schema() -> str:
    """The JSON Schema of the sources file (what ``sources.schema.json`` holds)."""
    schema = SourcesFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "CollEx harvest sources"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
