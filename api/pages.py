"""The one Jinja2 environment for server-rendered pages, with display filters."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from ontology import PREFIXES

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))


def curie(iri: str) -> str:
    """Short form of an IRI for display (``dcterms:title``).

    >>> curie("http://purl.org/dc/terms/title"), curie("http://example.org/x")
    ('dcterms:title', 'http://example.org/x')
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


templates.env.filters["curie"] = curie
