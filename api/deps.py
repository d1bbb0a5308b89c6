"""FastAPI dependencies: settings and the read-only store handle.

Routes receive a :class:`graph.ReadStore`; nothing reachable from a route can write.
"""

from __future__ import annotations

from fastapi import Request

from collex.settings import Settings
from graph.base import ReadStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_reader(request: Request) -> ReadStore:
    reader: ReadStore = request.app.state.reader
    return reader
