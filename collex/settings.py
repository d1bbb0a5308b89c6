"""One settings object for the whole service, read from ``COLLEX_*`` environment variables.

>>> s = Settings(base_iri="http://example.org/kg")
>>> s.base_iri
'http://example.org/kg/'
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "admin", "password", "token", "xxx"}


class Settings(BaseSettings):
    """Every tunable of the service. Each field is documented in the README."""

    model_config = SettingsConfigDict(env_prefix="COLLEX_", extra="ignore")

    store: Literal["embedded", "remote"] = Field(
        "embedded", description="Store backend: embedded Oxigraph, or a remote SPARQL 1.1 store."
    )
    idref_base_url: str = Field(
        "https://www.idref.fr/", description="Where IdRef records are fetched ({PPN}.xml)."
    )
    idref_allowed_hosts: list[str] = Field(
        ["www.idref.fr", "idref.fr", "data.idref.fr"],
        description="Hosts the IdRef client may contact, redirects included.",
    )
    idref_rate_limit: float = Field(5.0, gt=0, description="IdRef requests per second.")
    idref_timeout: float = Field(20.0, gt=0, description="IdRef request timeout in seconds.")
    idref_retries: int = Field(4, ge=0, le=10, description="Retries on 5xx, 429 and timeouts.")
    idref_cache_dir: Path = Field(Path("./var/cache/idref"), description="IdRef disk cache.")
    harvest_sources: Path = Field(
        Path("./sources.toml"), description="The harvest sources file (TOML, see README)."
    )
    harvest_rate: float = Field(
        1.0, gt=0, le=50, description="OAI-PMH requests per second per host (a source's"
        " rate_limit wins)."
    )
    harvest_batch: int = Field(
        2000, ge=1, le=100_000, description="Records of an OAI-PMH harvest written together"
        " (pages are read until this many, or for 60 s, then written with their checkpoint).")
    harvest_timeout: float = Field(60.0, gt=0, description="OAI-PMH request timeout, seconds.")
    harvest_retries: int = Field(
        5, ge=0, le=20, description="Retries of an OAI-PMH request on errors, 5xx, 429, 503.")
    harvest_max_wait: float = Field(
        3600.0, ge=0, description="Longest Retry-After an OAI-PMH harvest waits for, seconds.")
    harvest_max_response_bytes: int = Field(
        256 * 1024 * 1024, gt=0, description="Largest OAI-PMH answer read, in bytes.")
    remote_query_url: str | None = Field(None, description="Remote store: query endpoint.")
    remote_update_url: str | None = Field(None, description="Remote store: update endpoint.")
    remote_graph_store_url: str | None = Field(
        None, description="Remote store: Graph Store Protocol endpoint (loads graph by graph).")
    remote_poll_seconds: float = Field(
        5.0, gt=0, description="Remote store: how often a server looks for writes made by"
        " other processes (search index, cached answers follow within this plus a rebuild).")
    remote_auth: Literal["none", "basic", "digest", "bearer"] = Field(
        "none", description="Remote store: authentication scheme."
    )
    remote_user: str | None = Field(None, description="Remote store: basic or digest user.")
    remote_password: str | None = Field(
        None, description="Remote store: basic or digest password.")
    remote_token: str | None = Field(None, description="Remote store: bearer token.")
    store_dir: Path = Field(Path("./var/store"), description="Directory of the embedded store.")
    base_iri: str = Field(
        "http://127.0.0.1:8000/", description="Base under which our own resources get IRIs."
    )
    max_file_bytes: int = Field(
        200 * 1024 * 1024, gt=0, description="Input files read whole and larger than this are"
        " rejected (IdRef MARCXML and ISO 2709 files, and EAD notices over 16 MiB, are"
        " streamed and not limited)."
    )
    validation_batch: int = Field(
        200, gt=0, le=100_000, description="Records validated together in one SHACL pass."
    )
    write_batch_quads: int = Field(
        50_000, ge=100, le=10_000_000,
        description="Embedded store: graphs that replace loaded ones are written in SPARQL"
                    " updates of at most this many quads (bounded memory; see README)",
    )
    stream_load: bool = Field(
        True, description="Embedded store: let the bulk loader index while records are"
        " converted (a load that replaces existing graphs falls back to one transaction)."
    )
    shacl_engine: Literal["compiled", "pyshacl"] = Field(
        "compiled", description="SHACL validator of the load path: the shapes compiled to"
        " Python checks (fast), or pyshacl (the reference implementation)."
    )
    query_timeout: float = Field(30.0, gt=0, description="Query deadline in seconds.")
    query_queue_wait: float = Field(
        10.0, gt=0, description="Longest wait for a free query worker, in seconds (then 503"
        " with Retry-After); not counted in the query deadline.")
    query_memory_mb: int = Field(
        2048, ge=0, description="Memory a query worker may use, in MiB (RLIMIT_DATA): past"
        " it the query is stopped (503) and the worker replaced; 0: no cap.")
    answer_cache_mb: int = Field(
        64, ge=0, le=65536, description="Memory for GET answers kept until the next write, in"
        " MiB (0: none); one answer takes at most an eighth of it.")
    row_cap: int = Field(10_000, gt=0, description="Maximum rows in one query answer.")
    header_timeout: float = Field(
        10.0, gt=0, description="Seconds a connection has to send a request's headers, from"
        " its start or the end of the previous response; then it is closed.")
    max_body_bytes: int = Field(1024 * 1024, gt=0, description="Maximum HTTP request body.")
    cors_origins: list[str] = Field(["*"], description="Allowed CORS origins (no credentials).")
    admin_token: str | None = Field(None, description="Bearer token enabling writes over HTTP.")
    dumps: bool = Field(
        True, description="The server makes the downloadable dumps (N-Quads gzip, collections"
        " CSV) in the background for each data state; off, it serves those `collex publish`"
        " made.")
    admin_email: str = Field(
        "collex@localhost", pattern=r"^[^@\s<>]+@[^@\s<>]+$",
        description="Contact address published by the OAI-PMH provider (Identify adminEmail).")
    query_workers: int = Field(
        default_factory=lambda: min(64, max(2, os.cpu_count() or 2)), ge=1, le=64,
        description="Query worker processes (default: the CPUs, at least 2); one client"
        " holds at most all but one of them at a time.")
    rate_limit: float = Field(
        20.0, gt=0, description="Sustained requests per second allowed per client on /sparql."
    )
    rate_burst: int = Field(60, ge=1, description="Requests a client may send in a burst.")
    service_allowlist: list[str] = Field(
        [], description="IRI prefixes a SERVICE clause may call (none by default)."
    )
    load_allowlist: list[str] = Field(
        [], description="IRI prefixes a LOAD operation may fetch (none by default)."
    )

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("COLLEX_BASE_IRI must be an http(s) IRI")
        return value if value.endswith("/") else value + "/"

    @field_validator("admin_token")
    @classmethod
    def _refuse_placeholder(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value.lower() in _PLACEHOLDER_SECRETS or len(value) < 16:
            raise ValueError(
                "COLLEX_ADMIN_TOKEN looks like a placeholder: use at least 16 random characters"
            )
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (a FastAPI dependency; tests override it)."""
    return Settings()
