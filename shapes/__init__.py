"""SHACL shapes; their ``sh:message`` texts are what a curator reads in a load report."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shapes_path() -> Path:
    """Path of ``collex-shapes.ttl`` (works installed or from a checkout)."""
    return Path(str(resources.files("shapes").joinpath("collex-shapes.ttl")))
